import Foundation

/// Double-quoted string literals with backslash escapes, the form both text formats RackFlow
/// writes share: USD's `.usda` strings (`USDText.quoted`) and YAML's double-quoted scalars (the
/// generic-case writer). `\"`, `\\`, `\n`, `\r` and `\t`; `\xNN` for the other control
/// characters; every other character as it is.
public enum QuotedText {
    /// `s` between double quotes, escaped. `uppercaseHex` writes the digits of `\xNN` in upper
    /// case: the generic-case writer always has, `.usda` files never have, and each keeps its own
    /// so that their files stay as they were.
    public static func doubleQuoted(_ s: String, uppercaseHex: Bool = false) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7f {
                    out += String(format: uppercaseHex ? "\\x%02X" : "\\x%02x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
