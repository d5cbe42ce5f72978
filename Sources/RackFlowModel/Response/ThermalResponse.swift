import Foundation
import RackFlowNumerics

/// A rack's temperatures as a linear function of its part powers, with the flow held fixed.
///
/// Description
///   With velocity and eddy diffusivity frozen at a converged solve's, the energy equation is
///   linear in the heat sources (Response/FrozenFlowEnergy.swift in RackFlowPhysics). Every
///   reported temperature (a part through its compact model, a node's outlet, the rack's
///   exhaust) is then
///
///     y = y_0 + M P,
///
///   P the power of every part (W), M the response in K/W (column g: what 1 W in part g does
///   to every row, air and, for the part itself, its compact model R(v) at the frozen local
///   speed), y_0 the rows with every part at 0 W. Evaluating a power vector is one BLAS
///   `dgemv`: about 100 × 90 multiply–adds for the default rack.
///
///   A PSU's heat is its conversion loss, which follows its node's DC load: `powers(…)` sets
///   it from the node's loss fraction (the solve's loss over its DC load), so raising GPU
///   power raises the PSU heat as `rackflow solve` would.
///
///   What the model leaves out: the flow's own response to power (buoyancy; fan speeds are
///   held at the solve's) and how far upwind advection's responses, scaled row by row to the
///   solve (`Row.calibration`), differ from van Leer's source by source. The sweep measures
///   both by full re-solves at the corners and centre of what it sweeps.
///
/// Files (`rackflow response`): `response.json` (this index, `matrix` excluded) and
/// `response.bin` (M, row-major float64 little-endian, rows × groups).
public struct ThermalResponse: Codable, Sendable {
    /// A heat-source group: one part.
    public struct Group: Codable, Sendable {
        public var name: String
        public var node: String
        public var kind: String
        /// Its power in the solve the model was built from, W.
        public var basePowerW: Double

        public init(name: String, node: String, kind: String, basePowerW: Double) {
            self.name = name
            self.node = node
            self.kind = kind
            self.basePowerW = basePowerW
        }
    }
    /// A reported temperature.
    public struct Row: Codable, Sendable {
        public enum Kind: String, Codable, Sendable { case part, nodeOutlet, exhaust }
        public var name: String
        public var kind: Kind
        public var node: String
        /// The part's limit, °C (parts only).
        public var limitC: Double?
        /// The row with every part at 0 W, °C (the supply air, give or take walls at fixed
        /// temperatures and backflow).
        public var zeroPowerC: Double
        /// The factor that scaled the row's upwind air responses to the solve's second-order
        /// air temperature at the base powers (ResponseBuilder.swift); 1 where nothing heats it.
        public var calibration: Double
        /// The full solve's value at the base powers, °C, and the model's there.
        public var solveC: Double
        public var modelC: Double
    }

    public var caseName: String
    public var input: String
    public var cells: Int
    public var groups: [Group]
    public var rows: [Row]
    /// Per node: PSU loss per watt of DC load.
    public var psuLossFraction: [String: Double]
    /// Wall seconds to build, and the BiCGSTAB iterations of each response solve (the first:
    /// the zero-power field).
    public var buildSeconds: Double
    public var solveIterations: [Int]
    /// M, rows × groups, K/W (row-major); not in response.json.
    public var matrix: [Double] = []

    enum CodingKeys: String, CodingKey {
        case caseName, input, cells, groups, rows, psuLossFraction, buildSeconds, solveIterations
    }

    /// The power vector of the base solve.
    public var basePowersW: [Double] { groups.map(\.basePowerW) }

    /// y = y_0 + M P for the power of every group (W, in `groups` order).
    public func evaluate(_ powersW: [Double]) -> [Double] {
        precondition(powersW.count == groups.count)
        var y = rows.map(\.zeroPowerC)
        matrix.withUnsafeBufferPointer { m in
            powersW.withUnsafeBufferPointer { p in
                y.withUnsafeMutableBufferPointer { out in
                    BLAS.gemv(
                        rows: rows.count, columns: groups.count, 1, m.baseAddress!, p.baseAddress!, 1,
                        out.baseAddress!)
                }
            }
        }
        return y
    }

    /// The base powers with `set(group)` applied where it returns a value, then every PSU's
    /// loss recomputed from its node's DC load.
    public func powers(_ set: (Group) -> Double?) -> [Double] {
        var p = groups.map { set($0) ?? $0.basePowerW }
        var dc: [String: Double] = [:]
        for (g, w) in zip(groups, p) where g.kind != "psu" { dc[g.node, default: 0] += w }
        for (i, g) in groups.enumerated() where g.kind == "psu" {
            p[i] = (dc[g.node] ?? 0) * (psuLossFraction[g.node] ?? 0)
        }
        return p
    }

    // MARK: - Files

    public func write(to folder: URL) throws {
        // A node whose rear openings pass no air has a NaN outlet row.
        let enc = JSONCoding.encoder([.prettyPrinted, .sortedKeys])
        try enc.encode(self).write(to: folder.appendingPathComponent("response.json"))
        var bytes = Data(capacity: matrix.count * 8)
        for v in matrix { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try bytes.write(to: folder.appendingPathComponent("response.bin"))
    }

    public static func read(from folder: URL) throws -> ThermalResponse {
        let index = folder.appendingPathComponent("response.json")
        let bin = folder.appendingPathComponent("response.bin")
        func fail(_ file: URL, _ problem: String) -> InputError {
            InputError(file: file.path, line: nil, keyPath: "", problem: problem)
        }
        guard let json = try? Data(contentsOf: index) else {
            throw fail(index, "no response model here: build one with rackflow response")
        }
        var model: ThermalResponse
        do {
            model = try JSONCoding.decoder().decode(ThermalResponse.self, from: json)
        } catch {
            throw fail(index, "not a response model index: \(error)")
        }
        guard let data = try? Data(contentsOf: bin) else { throw fail(bin, "missing (response.json's matrix)") }
        let n = model.rows.count * model.groups.count
        guard data.count == 8 * n else {
            throw fail(
                bin,
                "holds \(data.count) bytes; \(model.rows.count) rows × \(model.groups.count) groups need \(8 * n)")
        }
        model.matrix = data.withUnsafeBytes { raw in
            (0..<n).map {
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))
            }
        }
        return model
    }
}
