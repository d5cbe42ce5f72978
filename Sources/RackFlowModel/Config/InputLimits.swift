import Foundation
import RackFlowNumerics

/// Limits on an input file checked before the YAML parser sees it. Found by fuzzing: a
/// reference to `/dev/zero` made the loader read forever, and 100,000 nested `[` overflowed
/// the stack of the (recursive) YAML composer. Real inputs are a few kilobytes and a handful
/// of levels deep, so the limits are far from anything legitimate.
public enum InputLimits {
    /// Largest input file, bytes.
    public static let maxFileBytes = 256 << 10
    /// Deepest nesting of lists and mappings (flow brackets plus block `- ` items on one line).
    public static let maxNesting = 128

    /// Reads `path` if it is a regular file no larger than `maxFileBytes`; errors name the file.
    static func read(path: String) throws -> String {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw InputError(
                file: path, line: nil, keyPath: "", problem: "cannot read file: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw InputError(
                file: path, line: nil, keyPath: "",
                problem: "not a regular file (a directory or device cannot be an input)")
        }
        // Read at most one byte past the limit: /proc files report size 0 and may be endless.
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw InputError(
                file: path, line: nil, keyPath: "", problem: "cannot read file: permission denied or unreadable")
        }
        defer { try? h.close() }
        let data: Data
        do { data = try h.read(upToCount: maxFileBytes + 1) ?? Data() } catch {
            throw InputError(
                file: path, line: nil, keyPath: "", problem: "cannot read file: \(error.localizedDescription)")
        }
        guard data.count <= maxFileBytes else {
            throw InputError(
                file: path, line: nil, keyPath: "",
                problem: "file is larger than \(maxFileBytes >> 10) KiB; input files are a few kilobytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let line = firstInvalidUTF8Line(data)
            throw InputError(
                file: path, line: line, keyPath: "", problem: "not UTF-8 text (invalid bytes on this line)")
        }
        return text
    }

    /// Rejects nesting deeper than `maxNesting` before the recursive composer sees it. Counts
    /// `[`/`{` outside quotes and comments, and `- ` items opening a line; a generous
    /// over-estimate (indentation is not counted: a 256 KiB file cannot indent deep enough to matter).
    public static func checkNesting(_ text: String, file: String) throws {
        var depth = 0, line = 1
        var quote: Character? = nil, comment = false, lineStart = true, prev: Character = "\n"
        var dashes = 0
        for ch in text {
            // A quote left open at the end of a line is closed: over-counting brackets in a
            // multi-line quoted scalar only refuses an odd file, under-counting could crash.
            if ch == "\n" {
                line += 1
                comment = false
                lineStart = true
                dashes = 0
                quote = nil
                prev = ch
                continue
            }
            if comment {
                prev = ch
                continue
            }
            if let q = quote {
                if ch == q { quote = nil }
                prev = ch
                continue
            }
            if lineStart {
                if ch == " " || ch == "\t" {
                    prev = ch
                    continue
                }
                if ch == "-" {
                    dashes += 1
                    prev = ch
                    continue
                }
                lineStart = false
            }
            switch ch {
            case "#" where prev == " " || prev == "\t" || prev == "\n" || prev == "[" || prev == "{": comment = true
            // A quote opens a quoted scalar only where one can start (not the ' in "it's").
            case "'" where " \t\n[{,:".contains(prev), "\"" where " \t\n[{,:".contains(prev): quote = ch
            case "[", "{": depth += 1
            case "]", "}": depth = max(depth - 1, 0)
            default: break
            }
            if depth + dashes > maxNesting {
                throw InputError(
                    file: file, line: line, keyPath: "",
                    problem: "lists and mappings nested deeper than \(maxNesting) levels")
            }
            prev = ch
        }
        if dashes > maxNesting {
            throw InputError(
                file: file, line: line, keyPath: "",
                problem: "lists and mappings nested deeper than \(maxNesting) levels")
        }
    }

    static func firstInvalidUTF8Line(_ data: Data) -> Int {
        var line = 1, i = data.startIndex
        while i < data.endIndex {
            let b = data[i]
            let n = b < 0x80 ? 1 : (b >> 5 == 0b110 ? 2 : (b >> 4 == 0b1110 ? 3 : (b >> 3 == 0b11110 ? 4 : 0)))
            if n == 0 || i + n > data.endIndex || String(data: data[i..<(i + n)], encoding: .utf8) == nil {
                return line
            }
            if b == 0x0A { line += 1 }
            i += n
        }
        return line
    }
}
