import Foundation
import RackFlowModel

/// Text helpers for `.usda` and CSV: a byte buffer, locale-free number formatting, string
/// and asset-path escaping, identifiers.
public enum USDText {
    /// Formats `x` with `significant` significant digits, plain decimal for 1e-4 ≤ |x| < 1e15
    /// and `d.ddde±N` outside, trailing zeros dropped: "0", "120", "-0.25", "1.5e-07".
    /// Pure integer arithmetic on the rounded mantissa, so the text is the same on every
    /// machine and in every locale. `x` must be finite.
    public static func number(_ x: Double, significant: Int = 7) -> String {
        var b = TextBuffer()
        b.number(x, significant: significant)
        return b.string
    }

    /// A double-quoted USD string literal (backslash escapes for quotes, backslashes and
    /// control characters).
    public static func quoted(_ s: String) -> String { QuotedText.doubleQuoted(s) }

    /// True if `p` can be written between `@…@`: non-empty, no '@', no control characters.
    public static func isValidAssetPath(_ p: String) -> Bool {
        !p.isEmpty && !p.unicodeScalars.contains { $0 == "@" || $0.value < 0x20 || $0.value == 0x7f }
    }

    /// `@./path@`: relative paths are anchored to the writing layer ("./" prefixed), so they
    /// resolve next to the layer and never through a search path.
    public static func assetPath(_ p: String) -> String {
        if p.hasPrefix("/") || p.hasPrefix("./") || p.hasPrefix("../") { return "@\(p)@" }
        return "@./\(p)@"
    }

    /// A valid prim or property name: letters, digits and '_' (others become '_'), not
    /// starting with a digit.
    public static func identifier(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_"
            out.unicodeScalars.append(ok ? u : "_")
        }
        if out.isEmpty || out.first!.isNumber { out = "_" + out }
        return out
    }

    /// A safe file name stem: letters, digits, '.', '-', '_' (others become '_').
    public static func fileName(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            let ok =
                (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_" || u == "-"
                || u == "."
            out.unicodeScalars.append(ok ? u : "_")
        }
        if out.isEmpty || out.hasPrefix(".") { out = "_" + out }
        return out
    }

    /// A CSV field: quoted when it holds a comma, quote or line break.
    public static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// An append-only UTF-8 byte buffer for large text files (no intermediate Strings for numbers).
public struct TextBuffer {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    public var string: String { String(decoding: bytes, as: UTF8.self) }
    public var data: Data { Data(bytes) }
    public var count: Int { bytes.count }

    @inline(__always) public mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
    @inline(__always) public mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    @inline(__always) public mutating func byte(_ c: UInt8) { bytes.append(c) }

    public mutating func int(_ v: Int) {
        if v < 0 { byte(45) }
        var m = v.magnitude
        if m == 0 {
            byte(48)
            return
        }
        let first = bytes.count
        while m > 0 {
            bytes.append(UInt8(48 + m % 10))
            m /= 10
        }
        bytes[first...].reverse()
    }

    private static let pow10: [Double] = (0...22).map { Foundation.pow(10.0, Double($0)) }

    /// See `USDText.number`.
    public mutating func number(_ x: Double, significant: Int = 7) {
        precondition(x.isFinite, "non-finite value reached the text writer")
        precondition(significant >= 1 && significant <= 15)
        if x == 0 {
            byte(48)
            return
        }
        if x < 0 { byte(45) }
        let a = Swift.abs(x)
        var e = Int(Foundation.floor(Foundation.log10(a)))
        // mantissa m with `significant` digits: a ≈ m · 10^(e − significant + 1)
        func scaled(_ e: Int) -> Double {
            let k = significant - 1 - e
            if k > 300 { return a * 1e300 * Foundation.pow(10, Double(k - 300)) } // subnormals
            if k >= 0 { return k <= 22 ? a * Self.pow10[k] : a * Foundation.pow(10, Double(k)) }
            return -k <= 22 ? a / Self.pow10[-k] : a / Foundation.pow(10, Double(-k))
        }
        var m = UInt64(scaled(e).rounded())
        let top = UInt64(Self.pow10[significant])
        if m >= top {
            e += 1
            m = UInt64(scaled(e).rounded())
        } // log10 rounding or 9.99… → 10
        if m < top / 10 {
            e -= 1
            m = UInt64(scaled(e).rounded())
        }
        if m >= top {
            m /= 10
            e += 1
        }
        // digits of m, most significant first, trailing zeros dropped
        var digits = [UInt8](repeating: 48, count: significant)
        var t = m
        for i in stride(from: significant - 1, through: 0, by: -1) {
            digits[i] = UInt8(48 + t % 10)
            t /= 10
        }
        var len = significant
        while len > 1 && digits[len - 1] == 48 { len -= 1 }
        if e >= -4 && e < 15 {
            if e < 0 {
                byte(48)
                byte(46)
                for _ in 0..<(-e - 1) { byte(48) }
                bytes.append(contentsOf: digits[0..<len])
            } else {
                let intDigits = e + 1
                for i in 0..<intDigits { byte(i < len ? digits[i] : 48) }
                if len > intDigits {
                    byte(46)
                    bytes.append(contentsOf: digits[intDigits..<len])
                }
            }
        } else {
            byte(digits[0])
            if len > 1 {
                byte(46)
                bytes.append(contentsOf: digits[1..<len])
            }
            byte(101)
            byte(e < 0 ? 45 : 43)
            if Swift.abs(e) < 10 { byte(48) }
            int(Swift.abs(e))
        }
    }

    /// A time code: frame numbers and the power-of-two fractions the fan samples use print exactly.
    public mutating func timeCode(_ t: Double) { number(t, significant: 12) }
}
