/// The table sections of the Markdown reports (`report.md` of a solve and of a comparison): a
/// heading, where needed a paragraph saying how to read the table, the table, a blank line. One
/// writer, so that every such section is laid out alike and a table with no rows is left out
/// rather than printed empty.
enum MarkdownTable {
    /// `## title`, `intro` (if any) as its own paragraph, the `header` row and the `alignment` row
    /// as written (`|---|---:|`), one row per entry of `rows` (its cells in order), and a blank
    /// line; "" when `rows` is empty.
    static func section(
        _ title: String, intro: String? = nil, header: String, alignment: String, rows: [[String]]
    ) -> String {
        guard !rows.isEmpty else { return "" }
        var r = "## \(title)\n\n"
        if let intro { r += intro + "\n\n" }
        r += header + "\n" + alignment + "\n"
        for cells in rows { r += row(cells) }
        return r + "\n"
    }

    /// One table row: `| a | b | c |` and a newline.
    static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |\n" }
}
