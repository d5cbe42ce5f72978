import Foundation

/// Description
///   JSON as RackFlow writes and reads it. JSON has no NaN or infinity (RFC 8259 §6), and a
///   run's figures can hold them (a node with no outflow has no outlet temperature), so every
///   file states a convention:
///   - files RackFlow reads back (checkpoints, the response model, messages between MPI ranks,
///     comparison trees) keep them as the strings "nan", "inf" and "-inf": the value survives
///     the round trip;
///   - files for people and other tools (`summary.json` of a solve and of a surge, the unseen-case
///     report) write `null`, which every JSON reader accepts as "no value".
///
/// Usage
///   | call                                  | gives                                            |
///   | ---                                   | ---                                              |
///   | `JSONCoding.encoder(formatting)`      | an encoder writing "nan", "inf", "-inf"          |
///   | `JSONCoding.decoder()`                | a decoder reading them back                      |
///   | `JSONCoding.textWithNulls(value, …)`  | the JSON text with null for every non-finite     |
public enum JSONCoding {
    public static func encoder(_ formatting: JSONEncoder.OutputFormatting = []) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = formatting
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// `value` as JSON text, every non-finite number written as null, and a final newline.
    public static func textWithNulls<T: Encodable>(
        _ value: T, formatting: JSONEncoder.OutputFormatting = [.prettyPrinted, .sortedKeys]
    ) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = formatting
        let marker = "__nonfinite__"
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: marker, negativeInfinity: marker, nan: marker)
        return String(decoding: try e.encode(value), as: UTF8.self).replacingOccurrences(
            of: "\"\(marker)\"", with: "null") + "\n"
    }
}
