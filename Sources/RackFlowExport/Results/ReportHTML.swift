import Foundation

/// `report.html`: a report's Markdown as one self-contained HTML page, every picture inline
/// (base64 PNG), so it opens from a mail attachment or a copied file with nothing beside it.
///
/// Only the Markdown the report writers produce is understood: `#` headings, pipe tables,
/// `- ` lists, paragraphs, images (`![alt](file.png)`, on their own line or inside a table
/// cell), links, `code`, **bold** and *emphasis*. Image paths are relative to `folder`; a
/// picture that cannot be read keeps its path as the `src`.
public enum ReportHTML {
    public static func html(markdown md: String, title: String, folder: URL) -> String {
        var out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(esc(title))</title>\n"
        out += "<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;line-height:1.4}"
        out += "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}td{text-align:right}"
        out += "td:first-child{text-align:left}img{max-width:100%}code{background:#f3f3f3}</style></head><body>\n"
        var lines = md.components(separatedBy: "\n")[...]
        var para: [String] = []
        func flush() {
            guard !para.isEmpty else { return }
            out += "<p>" + inline(para.joined(separator: " "), folder) + "</p>\n"
            para = []
        }
        while let line = lines.first {
            lines = lines.dropFirst()
            if line.hasPrefix("#") {
                flush()
                let level = line.prefix { $0 == "#" }.count
                let text = String(line.dropFirst(level)).trimmingCharacters(in: .whitespaces)
                out += "<h\(level)>\(inline(text, folder))</h\(level)>\n"
            } else if line.hasPrefix("|") {
                flush()
                var rows = [line]
                while let l = lines.first, l.hasPrefix("|") {
                    rows.append(l)
                    lines = lines.dropFirst()
                }
                out += "<table>\n"
                for (i, row) in rows.enumerated() where i != 1 {
                    let cells = row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                        .map { $0.trimmingCharacters(in: .whitespaces) }
                    let tag = i == 0 ? "th" : "td"
                    out += "<tr>" + cells.map { "<\(tag)>\(inline($0, folder))</\(tag)>" }.joined() + "</tr>\n"
                }
                out += "</table>\n"
            } else if line.hasPrefix("- ") {
                flush()
                var items = [line]
                while let l = lines.first, l.hasPrefix("- ") {
                    items.append(l)
                    lines = lines.dropFirst()
                }
                let li = items.map { "<li>\(inline(String($0.dropFirst(2)), folder))</li>\n" }
                out += "<ul>\n" + li.joined() + "</ul>\n"
            } else if line.hasPrefix("!["), let close = line.range(of: "]("), line.hasSuffix(")") {
                flush()
                let alt = String(line[line.index(line.startIndex, offsetBy: 2)..<close.lowerBound])
                let path = String(line[close.upperBound..<line.index(before: line.endIndex)])
                out += "<figure><img src=\"\(source(path, folder))\" alt=\"\(esc(alt))\">"
                out += "<figcaption>\(esc(alt))</figcaption></figure>\n"
            } else if line.trimmingCharacters(in: .whitespaces).isEmpty {
                flush()
            } else {
                para.append(line)
            }
        }
        flush()
        return out + "</body></html>\n"
    }

    /// A picture as a data URL (its path when it cannot be read).
    static func source(_ path: String, _ folder: URL) -> String {
        guard path.hasSuffix(".png"), let data = try? Data(contentsOf: folder.appendingPathComponent(path)) else {
            return esc(path)
        }
        return "data:image/png;base64," + data.base64EncodedString()
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// `code`, **bold**, *emphasis*, images and links of the reports' own Markdown.
    static func inline(_ s: String, _ folder: URL) -> String {
        var out = "", i = s.startIndex
        var bold = false, em = false
        while i < s.endIndex {
            let c = s[i]
            if c == "`", let end = s[s.index(after: i)...].firstIndex(of: "`") {
                out += "<code>" + esc(String(s[s.index(after: i)..<end])) + "</code>"
                i = s.index(after: end)
                continue
            }
            // ![alt](path) and [text](target)
            let image = s[i...].hasPrefix("![")
            if image || c == "[", let mid = s[i...].range(of: "]("),
                let end = s[mid.upperBound...].firstIndex(of: ")")
            {
                let text = String(s[s.index(i, offsetBy: image ? 2 : 1)..<mid.lowerBound])
                let target = String(s[mid.upperBound..<end])
                if image {
                    out += "<img src=\"\(source(target, folder))\" alt=\"\(esc(text))\">"
                } else {
                    out += "<a href=\"\(esc(target))\">\(inline(text, folder))</a>"
                }
                i = s.index(after: end)
                continue
            }
            if s[i...].hasPrefix("**") {
                out += bold ? "</strong>" : "<strong>"
                bold.toggle()
                i = s.index(i, offsetBy: 2)
                continue
            }
            if c == "*" {
                out += em ? "</em>" : "<em>"
                em.toggle()
                i = s.index(after: i)
                continue
            }
            out += esc(String(c))
            i = s.index(after: i)
        }
        return out
    }
}
