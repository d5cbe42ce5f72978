import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// ParaView-readable VTK XML files (`version="1.0"`, little-endian, `header_type="UInt64"`).
///
/// - `rectilinear` writes a RectilinearGrid (.vtr): it carries the face coordinates of each
///   axis, so it is exact for our non-uniform grids. Use it by default.
/// - `imageData` writes ImageData (.vti): origin plus one spacing per axis, so it accepts
///   only grids with uniform spacing along every axis (within 1e-9 relative) and throws
///   `ExportError.nonUniformSpacing` otherwise.
///
/// Encoding: `format="binary"`, inline base64 of one little-endian UInt64 byte count followed by
/// the raw little-endian values (header and data in a single base64 block, no compression).
/// Fields are `Float64` (bit-exact) unless the caller asks for `Float32` (the uniform resampling
/// `fields.vti`, meant for viewing); `cell_type` and `vtkGhostType` are `UInt8`. Cells are
/// ordered x fastest, then y, then z (our grid order, which is also VTK's). Vectors are
/// 3-component arrays, interleaved per cell. Each array whose name `units` knows carries its
/// unit as VTK's `UNITS_LABEL` information key (`docs/vtk-information-keys`, VTK ≥ 9.1).
///
/// Blanking: solid cells have no air, so `flowFields` gives them NaN in every field and marks
/// them in `vtkGhostType` with VTK's HIDDENCELL bit (32): ParaView skips hidden cells in
/// rendering and filters, and a reader without ghost support still sees NaN rather than a
/// plausible air temperature (a placeholder 20 °C read as inlet air in every slice).
///
/// Every value is checked before anything is written: a NaN or infinity in a cell not hidden
/// throws `ExportError.nonFinite` naming the field and the cell (i, j, k), and no file (not
/// even a temporary one) is left. Files are written through `AtomicFile`.
public enum VTKWriter {
    public typealias CellData = [(name: String, values: [Double])]
    public typealias Vectors = [(name: String, x: [Double], y: [Double], z: [Double])]

    /// The name of VTK's ghost array and its HIDDENCELL bit (vtkDataSetAttributes::HIDDENCELL).
    public static let ghostArray = "vtkGhostType"
    public static let hiddenCell = 32.0
    /// Arrays written as UInt8 (small non-negative integers).
    static let byteArrays: Set<String> = ["cell_type", ghostArray]
    /// Units of the solver's fields, written as each array's UNITS_LABEL.
    public static let units = ["temperature": "degC", "pressure": "Pa", "speed": "m/s", "velocity": "m/s"]

    /// A RectilinearGrid (.vtr) with the grid's face coordinates and the given cell data.
    public static func rectilinear(
        grid: Grid, cellData: CellData, vectors: Vectors, float32: Bool = false, to url: URL
    ) throws {
        try validate(grid: grid, cellData: cellData, vectors: vectors)
        let ext = extent(grid)
        var s = header(type: "RectilinearGrid")
        s += "  <RectilinearGrid WholeExtent=\"\(ext)\">\n"
        s += "    <Piece Extent=\"\(ext)\">\n"
        s += cellDataBlock(cellData: cellData, vectors: vectors, float32: float32)
        s += "      <Coordinates>\n"
        for (a, name) in ["x", "y", "z"].enumerated() {
            s += dataArray(name: name, components: 1, values: grid.axis(a).faces, indent: "        ")
        }
        s += "      </Coordinates>\n"
        s += "    </Piece>\n  </RectilinearGrid>\n</VTKFile>\n"
        try AtomicFile.write(s, to: url)
    }

    /// An ImageData (.vti) file; only for grids with uniform spacing along each axis.
    public static func imageData(
        grid: Grid, cellData: CellData, vectors: Vectors, float32: Bool = false, to url: URL
    ) throws {
        var spacing: [Double] = []
        for (a, name) in ["x", "y", "z"].enumerated() {
            let ax = grid.axis(a)
            let h = ax.length / Double(ax.count)
            let lo = ax.widths.min()!, hi = ax.widths.max()!
            guard hi - lo <= 1e-9 * h else {
                throw ExportError.nonUniformSpacing(axis: name, minWidth: lo, maxWidth: hi)
            }
            spacing.append(h)
        }
        try validate(grid: grid, cellData: cellData, vectors: vectors)
        let ext = extent(grid)
        let origin = "\(grid.x.lower) \(grid.y.lower) \(grid.z.lower)"
        var s = header(type: "ImageData")
        s +=
            "  <ImageData WholeExtent=\"\(ext)\" Origin=\"\(origin)\" Spacing=\"\(spacing[0]) \(spacing[1]) "
            + "\(spacing[2])\" Direction=\"1 0 0 0 1 0 0 0 1\">\n"
        s += "    <Piece Extent=\"\(ext)\">\n"
        s += cellDataBlock(cellData: cellData, vectors: vectors, float32: float32)
        s += "    </Piece>\n  </ImageData>\n</VTKFile>\n"
        try AtomicFile.write(s, to: url)
    }

    /// The solver's fields as cell data: `temperature` (°C), `pressure` (Pa, gauge),
    /// `speed` (m/s), `cell_type` (0 fluid, 1 solid, 2 porous), `vtkGhostType` (32 in solids,
    /// where every field is NaN), and the vector `velocity` (m/s), each component the average
    /// of the cell's two faces along that axis.
    public static func flowFields(_ s: FlowSolver) -> (cellData: CellData, vectors: Vectors) {
        let g = s.flow.grid
        let n = g.cellCount
        var (u, v, w) = StaggeredOperators.velocityAtCentres(
            g, u: s.velocity[0].array, v: s.velocity[1].array, w: s.velocity[2].array)
        var speed = [Double](repeating: 0, count: n)
        for c in 0..<n { speed[c] = (u[c] * u[c] + v[c] * v[c] + w[c] * w[c]).squareRoot() }
        let cellType = s.flow.tags.cells.map { Double($0.rawValue) }
        var temperature = s.temperature.array, pressure = s.pressure.array
        var ghost = [Double](repeating: 0, count: n)
        for c in 0..<n where s.flow.tags.cells[c] == .solid {
            ghost[c] = hiddenCell
            temperature[c] = .nan
            pressure[c] = .nan
            speed[c] = .nan
            u[c] = .nan
            v[c] = .nan
            w[c] = .nan
        }
        return (
            [
                ("temperature", temperature), ("pressure", pressure),
                ("speed", speed), ("cell_type", cellType), (ghostArray, ghost),
            ],
            [("velocity", u, v, w)]
        )
    }

    // MARK: - Pieces

    static func validate(grid: Grid, cellData: CellData, vectors: Vectors) throws {
        let n = grid.cellCount
        let ghost = cellData.first { $0.name == ghostArray }?.values
        func check(_ name: String, _ values: [Double]) throws {
            guard values.count == n else {
                throw ExportError.sizeMismatch(field: name, expected: n, actual: values.count)
            }
            for c in 0..<n where !values[c].isFinite && (ghost.map { $0[c] == 0 } ?? true) {
                throw ExportError.nonFinite(field: name, cell: grid.ijk(c), value: values[c])
            }
        }
        for f in cellData { try check(f.name, f.values) }
        for f in vectors {
            try check("\(f.name) (x component)", f.x)
            try check("\(f.name) (y component)", f.y)
            try check("\(f.name) (z component)", f.z)
        }
        for a in 0..<3 {
            for (i, x) in grid.axis(a).faces.enumerated() where !x.isFinite {
                throw ExportError.nonFinite(
                    field: "\(["x", "y", "z"][a]) coordinates",
                    cell: a == 0 ? (i, 0, 0) : (a == 1 ? (0, i, 0) : (0, 0, i)), value: x)
            }
        }
    }

    static func extent(_ g: Grid) -> String { "0 \(g.nx) 0 \(g.ny) 0 \(g.nz)" }

    static func header(type: String) -> String {
        "<?xml version=\"1.0\"?>\n<VTKFile type=\"\(type)\" version=\"1.0\" byte_order=\"LittleEndian\" "
            + "header_type=\"UInt64\">\n"
    }

    static func cellDataBlock(cellData: CellData, vectors: Vectors, float32: Bool = false) -> String {
        var attrs = ""
        if let f = cellData.first { attrs += " Scalars=\"\(escape(f.name))\"" }
        if let f = vectors.first { attrs += " Vectors=\"\(escape(f.name))\"" }
        var s = "      <CellData\(attrs)>\n"
        for f in cellData {
            s += dataArray(name: f.name, components: 1, values: f.values, indent: "        ", float32: float32)
        }
        for f in vectors {
            var inter = [Double](repeating: 0, count: 3 * f.x.count)
            for c in 0..<f.x.count {
                inter[3 * c] = f.x[c]
                inter[3 * c + 1] = f.y[c]
                inter[3 * c + 2] = f.z[c]
            }
            s += dataArray(name: f.name, components: 3, values: inter, indent: "        ", float32: float32)
        }
        return s + "      </CellData>\n"
    }

    static func dataArray(
        name: String, components: Int, values: [Double], indent: String, float32: Bool = false
    ) -> String {
        let bytes = byteArrays.contains(name)
        let type = bytes ? "UInt8" : (float32 ? "Float32" : "Float64")
        var s = "\(indent)<DataArray type=\"\(type)\" Name=\"\(escape(name))\" "
        s += "NumberOfComponents=\"\(components)\" format=\"binary\">\n"
        // The data first, then the information keys: VTK's reader takes the element's leading
        // character data as the array (its own writer orders them so).
        s += "\(indent)  " + (bytes ? encode8(values) : (float32 ? encode32(values) : encode(values))) + "\n"
        if let unit = units[name] {
            s += "\(indent)  <InformationKey name=\"UNITS_LABEL\" location=\"vtkDataArray\">"
            s += "\(escape(unit))</InformationKey>\n"
        }
        return s + "\(indent)</DataArray>\n"
    }

    /// Base64 of a little-endian UInt64 byte count followed by one byte per value (values are
    /// small non-negative integers: cell types, ghost flags).
    public static func encode8(_ values: [Double]) -> String {
        binary(values, bytesPerValue: 1) { data, x in data.append(UInt8(clamping: Int(x.isFinite ? x : 0))) }
    }

    /// Base64 of a little-endian UInt64 byte count followed by little-endian Float32 values
    /// (half the size; fields for viewing need no more than 7 digits).
    public static func encode32(_ values: [Double]) -> String {
        binary(values, bytesPerValue: 4) { data, x in
            var b = Float(x).bitPattern.littleEndian
            withUnsafeBytes(of: &b) { data.append(contentsOf: $0) }
        }
    }

    /// Base64 of a little-endian UInt64 byte count followed by the little-endian Float64 values.
    public static func encode(_ values: [Double]) -> String {
        binary(values, bytesPerValue: 8) { data, x in
            var b = x.bitPattern.littleEndian
            withUnsafeBytes(of: &b) { data.append(contentsOf: $0) }
        }
    }

    /// VTK's inline binary block: the UInt64 LE byte count, then each value as `put` appends it.
    static func binary(_ values: [Double], bytesPerValue: Int, _ put: (inout Data, Double) -> Void) -> String {
        var data = Data(capacity: 8 + bytesPerValue * values.count)
        var count = UInt64(bytesPerValue * values.count).littleEndian
        withUnsafeBytes(of: &count) { data.append(contentsOf: $0) }
        for x in values { put(&data, x) }
        return data.base64EncodedString()
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
