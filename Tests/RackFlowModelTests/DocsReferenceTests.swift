import XCTest
import RackFlowTestSupport
import Foundation

/// The configuration reference cannot drift from the schema: every key a loader accepts (the
/// `checkKeys(allowed:)` lists and the `keys` tables of the input files under
/// Sources/RackFlowModel) appears in docs/configuration.md, as `key`, `.key`, or `key:` in an
/// example.
final class DocsReferenceTests: XCTestCase {
    static let root = Repository.root

    func testEveryAcceptedKeyIsInTheReference() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let sources = Self.root.appendingPathComponent("Sources/RackFlowModel")
        let files = FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        let list = try NSRegularExpression(pattern: #"(?:allowed:\s*|allowed \+= |static let keys = )\[([^\]]*)\]"#)
        let quoted = try NSRegularExpression(pattern: #""([A-Za-z0-9_]+)""#)
        var keys: [String: String] = [:]
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let ns = text as NSString
            for m in list.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let inner = ns.substring(with: m.range(at: 1))
                let nsi = inner as NSString
                for q in quoted.matches(in: inner, range: NSRange(location: 0, length: nsi.length)) {
                    keys[nsi.substring(with: q.range(at: 1))] = file
                }
            }
        }
        XCTAssertGreaterThan(keys.count, 150, "the key lists were not found")
        for (key, file) in keys.sorted(by: { $0.key < $1.key }) {
            let documented = ["`\(key)`", "`\(key).", ".\(key)`", ".\(key).", "\(key):", "{\(key)", " \(key)`"]
                .contains { doc.contains($0) }
            XCTAssertTrue(documented, "key '\(key)' (accepted in \(file)) is not in docs/configuration.md")
        }
    }
}
