import XCTest
import RackFlowTestSupport
import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import RackFlowNumerics
import RackFlowPhysics
import RackFlowExport

/// A minimal VTK XML reader for the tests: element attributes and DataArray contents.
final class VTKDoc: NSObject, XMLParserDelegate {
    struct Array {
        var name: String
        var parent: String
        var attributes: [String: String]
        var text: String
        /// The array's UNITS_LABEL information key, if any.
        var unit: String?
    }
    var elements: [(name: String, attributes: [String: String])] = []
    var arrays: [Array] = []
    private var stack: [String] = []
    private var current: Array?

    init(_ url: URL) throws {
        super.init()
        let p = XMLParser(data: try Data(contentsOf: url))
        p.delegate = self
        guard p.parse() else { throw p.parserError ?? NSError(domain: "xml", code: 1) }
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements.append((name, attributes))
        if name == "DataArray" {
            current = Array(name: attributes["Name"] ?? "", parent: stack.last ?? "", attributes: attributes, text: "")
        }
        stack.append(name)
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if stack.last == "InformationKey" {
            let unit = current?.unit ?? ""
            current?.unit = unit + string
        } else {
            current?.text += string
        }
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
        if name == "DataArray", let c = current {
            arrays.append(c)
            current = nil
        }
    }

    func attributes(_ element: String) -> [String: String]? { elements.first { $0.name == element }?.attributes }
    func array(_ name: String) -> Array? { arrays.first { $0.name == name } }

    /// The values' bytes of a `format="binary"` block: base64 of a UInt64 LE byte count then
    /// the values, `size` bytes each.
    static func payload(_ text: String, size: Int) throws -> [UInt8] {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let d = Data(base64Encoded: t) else { throw NSError(domain: "base64", code: 1) }
        let bytes = [UInt8](d)
        guard bytes.count >= 8 else { throw NSError(domain: "short", code: 1) }
        var n: UInt64 = 0
        for b in 0..<8 { n |= UInt64(bytes[b]) << (8 * UInt64(b)) }
        guard Int(n) == bytes.count - 8, Int(n) % size == 0 else { throw NSError(domain: "count", code: Int(n)) }
        return [UInt8](bytes.dropFirst(8))
    }

    /// Decodes a `UInt8` array.
    static func decode8(_ text: String) throws -> [Double] {
        try payload(text, size: 1).map { Double($0) }
    }

    /// Decodes a `Float64` array.
    static func decode(_ text: String) throws -> [Double] {
        let bytes = try payload(text, size: 8)
        return (0..<bytes.count / 8).map { v in
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(bytes[8 * v + b]) << (8 * UInt64(b)) }
            return Double(bitPattern: bits)
        }
    }
}

final class ExportTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TemporaryFolder.make("rackflow-export")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func listing(_ d: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: d.path).sorted() }

    /// 3 × 2 × 4 cells, non-uniform along x and z.
    let grid = Grid(
        x: Axis(faces: [0, 0.1, 0.15, 0.4]), y: .uniform(2, to: 0.2), z: Axis(faces: [-0.05, 0, 0.01, 0.3, 0.31]))

    func sampleFields() -> (VTKWriter.CellData, VTKWriter.Vectors) {
        let n = grid.cellCount
        let t = (0..<n).map { 20 + 0.1 * Double($0) + 1.0 / 3.0 }
        let p = (0..<n).map { -1e-7 * Double($0 * $0) + .pi }
        let u = (0..<n).map { sin(Double($0)) }, v = (0..<n).map { cos(Double($0)) },
            w = (0..<n).map { Double($0) * 1e-300 }
        return ([("temperature", t), ("pressure", p)], [("velocity", u, v, w)])
    }

    func testRectilinearRoundTrip() throws {
        let (cd, vec) = sampleFields()
        let url = dir.appendingPathComponent("fields.vtr")
        try VTKWriter.rectilinear(grid: grid, cellData: cd, vectors: vec, to: url)
        XCTAssertEqual(try listing(dir), ["fields.vtr"])
        let doc = try VTKDoc(url)
        let file = try XCTUnwrap(doc.attributes("VTKFile"))
        XCTAssertEqual(file["type"], "RectilinearGrid")
        XCTAssertEqual(file["version"], "1.0")
        XCTAssertEqual(file["byte_order"], "LittleEndian")
        XCTAssertEqual(file["header_type"], "UInt64")
        XCTAssertEqual(doc.attributes("RectilinearGrid")?["WholeExtent"], "0 3 0 2 0 4")
        XCTAssertEqual(doc.attributes("Piece")?["Extent"], "0 3 0 2 0 4")
        for (a, name) in ["x", "y", "z"].enumerated() {
            let arr = try XCTUnwrap(doc.array(name))
            XCTAssertEqual(arr.parent, "Coordinates")
            XCTAssertEqual(arr.attributes["format"], "binary")
            XCTAssertEqual(arr.attributes["type"], "Float64")
            XCTAssertEqual(try VTKDoc.decode(arr.text), grid.axis(a).faces)
        }
        for f in cd {
            let arr = try XCTUnwrap(doc.array(f.name))
            XCTAssertEqual(arr.parent, "CellData")
            XCTAssertEqual(arr.attributes["NumberOfComponents"], "1")
            let back = try VTKDoc.decode(arr.text)
            XCTAssertEqual(back.map(\.bitPattern), f.values.map(\.bitPattern))
        }
        let varr = try XCTUnwrap(doc.array("velocity"))
        XCTAssertEqual(varr.attributes["NumberOfComponents"], "3")
        let back = try VTKDoc.decode(varr.text)
        XCTAssertEqual(back.count, 3 * grid.cellCount)
        for c in 0..<grid.cellCount {
            XCTAssertEqual(back[3 * c], vec[0].x[c])
            XCTAssertEqual(back[3 * c + 1], vec[0].y[c])
            XCTAssertEqual(back[3 * c + 2], vec[0].z[c])
        }
    }

    func testImageDataUniformAndNonUniform() throws {
        let (cd, vec) = sampleFields()
        let bad = dir.appendingPathComponent("bad.vti")
        XCTAssertThrowsError(try VTKWriter.imageData(grid: grid, cellData: cd, vectors: vec, to: bad)) { e in
            XCTAssertTrue("\(e)".contains("uniform"), "\(e)")
            XCTAssertTrue("\(e)".contains("x axis"), "\(e)")
        }
        XCTAssertEqual(try listing(dir), [])

        let g = Grid(x: .uniform(3, from: 1, to: 1.3), y: .uniform(2, to: 0.2), z: .uniform(4, to: 0.4))
        let url = dir.appendingPathComponent("fields.vti")
        try VTKWriter.imageData(grid: g, cellData: cd, vectors: vec, to: url)
        let doc = try VTKDoc(url)
        XCTAssertEqual(doc.attributes("VTKFile")?["type"], "ImageData")
        let img = try XCTUnwrap(doc.attributes("ImageData"))
        XCTAssertEqual(img["WholeExtent"], "0 3 0 2 0 4")
        let origin = img["Origin"]!.split(separator: " ").map { Double($0)! }
        let spacing = img["Spacing"]!.split(separator: " ").map { Double($0)! }
        XCTAssertEqual(origin, [1, 0, 0])
        XCTAssertEqual(spacing[0], 0.1, accuracy: 1e-12)
        XCTAssertEqual(spacing[1], 0.1, accuracy: 1e-12)
        XCTAssertEqual(spacing[2], 0.1, accuracy: 1e-12)
        XCTAssertEqual(try VTKDoc.decode(doc.array("temperature")!.text), cd[0].values)
    }

    func testNonFiniteThrowsAndLeavesNoFile() throws {
        var (cd, vec) = sampleFields()
        let url = dir.appendingPathComponent("fields.vtr")
        cd[1].values[grid.index(2, 1, 3)] = .nan
        XCTAssertThrowsError(try VTKWriter.rectilinear(grid: grid, cellData: cd, vectors: vec, to: url)) { e in
            XCTAssertTrue("\(e)".contains("pressure"), "\(e)")
            XCTAssertTrue("\(e)".contains("(2, 1, 3)"), "\(e)")
        }
        XCTAssertEqual(try listing(dir), [])

        (cd, vec) = sampleFields()
        vec[0].y[grid.index(1, 0, 2)] = -.infinity
        XCTAssertThrowsError(try VTKWriter.rectilinear(grid: grid, cellData: cd, vectors: vec, to: url)) { e in
            XCTAssertTrue("\(e)".contains("velocity (y component)"), "\(e)")
            XCTAssertTrue("\(e)".contains("(1, 0, 2)"), "\(e)")
        }
        XCTAssertEqual(try listing(dir), [])

        // An existing file survives a failed write untouched.
        try AtomicFile.write("previous", to: url)
        XCTAssertThrowsError(try VTKWriter.rectilinear(grid: grid, cellData: cd, vectors: vec, to: url))
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "previous")
        XCTAssertEqual(try listing(dir), ["fields.vtr"])
    }

    func testAtomicFileReplaces() throws {
        let url = dir.appendingPathComponent("summary.json")
        try AtomicFile.write("old content", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "old content")
        try AtomicFile.write(Data("new".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "new")
        XCTAssertEqual(try listing(dir), ["summary.json"])

        let missing = dir.appendingPathComponent("no-such-dir/x.txt")
        XCTAssertThrowsError(try AtomicFile.write("x", to: missing)) { e in
            XCTAssertTrue("\(e)".contains(missing.path), "\(e)")
        }
        XCTAssertEqual(try listing(dir), ["summary.json"])
    }

    func testResultFolderCommitAndAbandon() throws {
        let final = dir.appendingPathComponent("case1", isDirectory: true)
        try FileManager.default.createDirectory(at: final, withIntermediateDirectories: true)
        try AtomicFile.write("old", to: final.appendingPathComponent("a.txt"))
        // A folder rackflow did not write is refused, not replaced, and left as it was.
        XCTAssertThrowsError(try ResultFolder(final: final)) { e in
            XCTAssert("\(e)".contains(final.standardizedFileURL.path) && "\(e)".contains("did not write"), "\(e)")
        }
        XCTAssertEqual(try listing(final), ["a.txt"])
        XCTAssertEqual(try listing(dir), ["case1"])
        let file = dir.appendingPathComponent("notes.txt")
        try AtomicFile.write("mine", to: file)
        XCTAssertThrowsError(try ResultFolder(final: file)) { e in XCTAssert("\(e)".contains("is a file"), "\(e)") }
        try FileManager.default.removeItem(at: file)
        // A case folder holding only what rackflow wrote inside it (`rackflow mesh`'s pictures,
        // marked or from an earlier version) is its own.
        let caseDir = dir.appendingPathComponent("case0", isDirectory: true)
        let mesh = caseDir.appendingPathComponent("mesh", isDirectory: true)
        try FileManager.default.createDirectory(at: mesh, withIntermediateDirectories: true)
        try AtomicFile.write("png", to: mesh.appendingPathComponent("geometry-x.png"))
        XCTAssertNoThrow(try ResultFolder.checkReplaceable(caseDir))
        try AtomicFile.write("mine", to: mesh.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try ResultFolder.checkReplaceable(caseDir))
        try FileManager.default.removeItem(at: caseDir)
        // One from an earlier run (before the marker) is replaced.
        try AtomicFile.write("{}", to: final.appendingPathComponent("summary.json"))

        let r = try ResultFolder(final: final)
        XCTAssertTrue(r.staging.lastPathComponent.hasPrefix(".case1.partial-"))
        XCTAssertEqual(r.staging.deletingLastPathComponent().standardizedFileURL.path, dir.standardizedFileURL.path)
        try AtomicFile.write("new", to: r.staging.appendingPathComponent("b.txt"))
        XCTAssertEqual(try listing(final), ["a.txt", "summary.json"]) // untouched until commit
        try r.commit()
        XCTAssertEqual(try listing(final), [ResultFolder.marker, "b.txt"])
        XCTAssertEqual(try String(contentsOf: final.appendingPathComponent("b.txt"), encoding: .utf8), "new")
        XCTAssertEqual(try listing(dir), ["case1"]) // no staging, no old folder

        let r2 = try ResultFolder(final: final)
        try AtomicFile.write("half", to: r2.staging.appendingPathComponent("c.txt"))
        r2.abandon()
        XCTAssertFalse(FileManager.default.fileExists(atPath: r2.staging.path))
        XCTAssertEqual(try listing(final), [ResultFolder.marker, "b.txt"])
        XCTAssertEqual(try listing(dir), ["case1"])

        // Commit into a folder that did not exist yet (parents created).
        let fresh = dir.appendingPathComponent("Results/case2", isDirectory: true)
        let r3 = try ResultFolder(final: fresh)
        try AtomicFile.write("x", to: r3.staging.appendingPathComponent("fields.vtr"))
        try r3.commit()
        XCTAssertEqual(try listing(fresh), [ResultFolder.marker, "fields.vtr"])
        XCTAssertEqual(try listing(dir.appendingPathComponent("Results")), ["case2"])
    }

    func testFlowFieldsFromSolver() throws {
        let g = Grid(x: Axis(faces: [0, 0.1, 0.3]), y: .uniform(3, to: 0.3), z: Axis(faces: [0, 0.05, 0.2]))
        var tags = GridTags(g)
        tags.cells[g.index(0, 0, 0)] = .solid
        tags.cells[g.index(1, 2, 1)] = .porous
        var fc = FlowCase(grid: g, tags: tags)
        fc.porous[g.index(1, 2, 1)] = PorousCoefficients(inverseKPerM2: (1, 1, 1), c2PerM: (0, 0, 0))
        fc.initialTemperatureC = 25
        let s = try FlowSolver(fc)
        let nx = g.nx, ny = g.ny, nz = g.nz
        let solid = g.index(0, 0, 0)
        for a in 0..<3 { for f in 0..<s.velocity[a].count { s.velocity[a][f] = Double(a + 1) * 0.01 * Double(f) } }
        for c in 0..<g.cellCount { s.pressure[c] = Double(c) + 0.1 }
        let (cd, vec) = VTKWriter.flowFields(s)
        XCTAssertEqual(cd.map(\.name), ["temperature", "pressure", "speed", "cell_type", "vtkGhostType"])
        for c in 0..<g.cellCount {
            // Solids are blanked: NaN in every field, HIDDENCELL in the ghost array.
            let blank = c == solid
            XCTAssertEqual(cd[4].values[c], blank ? 32 : 0)
            for f in [0, 1, 2] { XCTAssertEqual(cd[f].values[c].isNaN, blank, "\(cd[f].name) at \(c)") }
            XCTAssertEqual(vec[0].x[c].isNaN, blank)
            guard !blank else { continue }
            XCTAssertEqual(cd[0].values[c], 25)
            XCTAssertEqual(cd[1].values[c], Double(c) + 0.1)
        }
        XCTAssertEqual(cd[3].values[solid], 1)
        XCTAssertEqual(cd[3].values[g.index(1, 2, 1)], 2)
        XCTAssertEqual(cd[3].values[g.index(1, 0, 0)], 0)
        XCTAssertEqual(vec.count, 1)
        XCTAssertEqual(vec[0].name, "velocity")
        for k in 0..<nz {
            for j in 0..<ny {
                for i in 0..<nx {
                    let c = g.index(i, j, k)
                    guard c != solid else { continue }
                    let u =
                        0.5
                        * (s.velocity[0][i + (nx + 1) * (j + ny * k)] + s.velocity[0][i + 1 + (nx + 1) * (j + ny * k)])
                    let v =
                        0.5
                        * (s.velocity[1][i + nx * (j + (ny + 1) * k)] + s.velocity[1][i + nx * (j + 1 + (ny + 1) * k)])
                    let w = 0.5 * (s.velocity[2][i + nx * (j + ny * k)] + s.velocity[2][i + nx * (j + ny * (k + 1))])
                    XCTAssertEqual(vec[0].x[c], u)
                    XCTAssertEqual(vec[0].y[c], v)
                    XCTAssertEqual(vec[0].z[c], w)
                    XCTAssertEqual(cd[2].values[c], (u * u + v * v + w * w).squareRoot(), accuracy: 1e-15)
                }
            }
        }

        // Read back: fields are Float64 and bit-exact (NaN where blanked), with their units;
        // cell types and ghost flags are UInt8.
        let url = dir.appendingPathComponent("fields.vtr")
        try VTKWriter.rectilinear(grid: g, cellData: cd, vectors: vec, to: url)
        let doc = try VTKDoc(url)
        for (name, unit) in [("temperature", "degC"), ("pressure", "Pa"), ("speed", "m/s"), ("velocity", "m/s")] {
            let arr = try XCTUnwrap(doc.array(name))
            XCTAssertEqual(arr.attributes["type"], "Float64", name)
            XCTAssertEqual(arr.unit?.trimmingCharacters(in: .whitespacesAndNewlines), unit, name)
        }
        for (f, field) in cd.prefix(3).enumerated() {
            let back = try VTKDoc.decode(try XCTUnwrap(doc.array(field.name)).text)
            XCTAssertEqual(back.count, g.cellCount)
            for c in 0..<g.cellCount {
                if c == solid {
                    XCTAssertTrue(back[c].isNaN)
                } else {
                    XCTAssertEqual(back[c].bitPattern, cd[f].values[c].bitPattern, "\(field.name) at \(c)")
                }
            }
        }
        for name in ["cell_type", "vtkGhostType"] {
            let arr = try XCTUnwrap(doc.array(name))
            XCTAssertEqual(arr.attributes["type"], "UInt8", name)
            XCTAssertEqual(try VTKDoc.decode8(arr.text), cd.first { $0.name == name }!.values)
        }
    }
}
