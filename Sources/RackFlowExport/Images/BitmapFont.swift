/// A 5×7 bitmap font in a 6×10 cell (1 px spacing, 2 rows for descenders), printable ASCII
/// plus ° ³ ² · µ (and μ) − (U+2212). Embedded so pictures need no font files or FreeType.
///
/// Each glyph is 7 rows of 5 bits, 0x10 the leftmost column. Glyphs with descenders
/// (g p q y µ) are stored 2 rows lower: their rows cover cell rows 2…8, not 0…6.
public enum BitmapFont {
    public static let glyphWidth = 5
    /// Horizontal advance per character, in font pixels.
    public static let advance = 6
    /// Height of the ink box (cap height 7 + descender 2), in font pixels.
    public static let lineHeight = 9

    /// Width in image pixels of `text` at `scale` (no trailing spacing).
    public static func width(_ text: String, scale: Int = 1) -> Int {
        let n = text.count
        return n == 0 ? 0 : (n * advance - 1) * scale
    }

    public static func height(scale: Int = 1) -> Int { lineHeight * scale }

    /// Rows and the downward shift in font pixels; unknown characters draw as `?`.
    static func glyph(_ c: Character) -> (rows: [UInt8], drop: Int) {
        if let g = table[c] { return g }
        return table["?"]!
    }

    private static let descenders: Set<Character> = ["g", "p", "q", "y", "µ", "\u{03BC}"]

    private static let table: [Character: (rows: [UInt8], drop: Int)] = {
        var t: [Character: (rows: [UInt8], drop: Int)] = [:]
        for (c, hex) in source {
            var rows: [UInt8] = []
            for part in hex.split(separator: " ") { rows.append(UInt8(part, radix: 16)!) }
            precondition(rows.count == 7 && rows.allSatisfy { $0 < 0x20 }, "glyph \(c)")
            t[c] = (rows, descenders.contains(c) ? 2 : 0)
        }
        return t
    }()

    private static let source: [(Character, String)] = [
        (" ", "00 00 00 00 00 00 00"), ("!", "04 04 04 04 04 00 04"), ("\"", "0A 0A 0A 00 00 00 00"),
        ("#", "0A 0A 1F 0A 1F 0A 0A"), ("$", "04 0F 14 0E 05 1E 04"), ("%", "18 19 02 04 08 13 03"),
        ("&", "0C 12 14 08 15 12 0D"), ("'", "0C 04 08 00 00 00 00"), ("(", "02 04 08 08 08 04 02"),
        (")", "08 04 02 02 02 04 08"), ("*", "00 04 15 0E 15 04 00"), ("+", "00 04 04 1F 04 04 00"),
        (",", "00 00 00 00 0C 04 08"), ("-", "00 00 00 0E 00 00 00"), (".", "00 00 00 00 00 0C 0C"),
        ("/", "00 01 02 04 08 10 00"),
        ("0", "0E 11 13 15 19 11 0E"), ("1", "04 0C 04 04 04 04 0E"), ("2", "0E 11 01 02 04 08 1F"),
        ("3", "1F 02 04 02 01 11 0E"), ("4", "02 06 0A 12 1F 02 02"), ("5", "1F 10 1E 01 01 11 0E"),
        ("6", "06 08 10 1E 11 11 0E"), ("7", "1F 01 02 04 08 08 08"), ("8", "0E 11 11 0E 11 11 0E"),
        ("9", "0E 11 11 0F 01 02 0C"),
        (":", "00 0C 0C 00 0C 0C 00"), (";", "00 0C 0C 00 0C 04 08"), ("<", "02 04 08 10 08 04 02"),
        ("=", "00 00 1F 00 1F 00 00"), (">", "08 04 02 01 02 04 08"), ("?", "0E 11 01 02 04 00 04"),
        ("@", "0E 11 01 0D 15 15 0E"),
        ("A", "0E 11 11 11 1F 11 11"), ("B", "1E 11 11 1E 11 11 1E"), ("C", "0E 11 10 10 10 11 0E"),
        ("D", "1C 12 11 11 11 12 1C"), ("E", "1F 10 10 1E 10 10 1F"), ("F", "1F 10 10 1E 10 10 10"),
        ("G", "0E 11 10 17 11 11 0F"), ("H", "11 11 11 1F 11 11 11"), ("I", "0E 04 04 04 04 04 0E"),
        ("J", "07 02 02 02 02 12 0C"), ("K", "11 12 14 18 14 12 11"), ("L", "10 10 10 10 10 10 1F"),
        ("M", "11 1B 15 15 11 11 11"), ("N", "11 11 19 15 13 11 11"), ("O", "0E 11 11 11 11 11 0E"),
        ("P", "1E 11 11 1E 10 10 10"), ("Q", "0E 11 11 11 15 12 0D"), ("R", "1E 11 11 1E 14 12 11"),
        ("S", "0F 10 10 0E 01 01 1E"), ("T", "1F 04 04 04 04 04 04"), ("U", "11 11 11 11 11 11 0E"),
        ("V", "11 11 11 11 11 0A 04"), ("W", "11 11 11 15 15 15 0A"), ("X", "11 11 0A 04 0A 11 11"),
        ("Y", "11 11 11 0A 04 04 04"), ("Z", "1F 01 02 04 08 10 1F"),
        ("[", "0E 08 08 08 08 08 0E"), ("\\", "00 10 08 04 02 01 00"), ("]", "0E 02 02 02 02 02 0E"),
        ("^", "04 0A 11 00 00 00 00"), ("_", "00 00 00 00 00 00 1F"), ("`", "08 04 02 00 00 00 00"),
        ("a", "00 00 0E 01 0F 11 0F"), ("b", "10 10 16 19 11 11 1E"), ("c", "00 00 0E 10 10 11 0E"),
        ("d", "01 01 0D 13 11 11 0F"), ("e", "00 00 0E 11 1F 10 0E"), ("f", "06 09 08 1C 08 08 08"),
        ("g", "0F 11 11 11 0F 01 0E"), ("h", "10 10 16 19 11 11 11"), ("i", "04 00 0C 04 04 04 0E"),
        ("j", "02 00 06 02 02 12 0C"), ("k", "10 10 12 14 18 14 12"), ("l", "0C 04 04 04 04 04 0E"),
        ("m", "00 00 1A 15 15 11 11"), ("n", "00 00 16 19 11 11 11"), ("o", "00 00 0E 11 11 11 0E"),
        ("p", "1E 11 11 11 1E 10 10"), ("q", "0F 11 11 11 0F 01 01"), ("r", "00 00 16 19 10 10 10"),
        ("s", "00 00 0F 10 0E 01 1E"), ("t", "08 08 1C 08 08 09 06"), ("u", "00 00 11 11 11 13 0D"),
        ("v", "00 00 11 11 11 0A 04"), ("w", "00 00 11 11 15 15 0A"), ("x", "00 00 11 0A 04 0A 11"),
        ("y", "11 11 11 11 0F 01 0E"), ("z", "00 00 1F 02 04 08 1F"),
        ("{", "02 04 04 08 04 04 02"), ("|", "04 04 04 04 04 04 04"), ("}", "08 04 04 02 04 04 08"),
        ("~", "00 00 08 15 02 00 00"),
        ("°", "0C 12 12 0C 00 00 00"), ("³", "1C 04 0C 04 1C 00 00"), ("²", "18 04 08 10 1C 00 00"),
        ("·", "00 00 00 0C 0C 00 00"), ("µ", "11 11 11 13 1D 10 10"), ("\u{2212}", "00 00 00 1F 00 00 00"),
        ("\u{03BC}", "11 11 11 13 1D 10 10"), // Greek mu, often typed for micro
    ]
}
