import Foundation
import CVDB
import RackFlowNumerics
import RackFlowPhysics

/// How a file is stored.
public struct VDBWriteOptions: Sendable {
    public enum Compression: UInt32, Sendable {
        /// OpenVDB's default: Blosc plus compact inactive values.
        case blosc = 6
        /// Compact inactive values only: about 1.5× larger, about 3× faster to write.
        case none = 2
        /// zlib: a little smaller than Blosc, more than 10× slower.
        case zip = 3
    }
    /// Store float grids as 16-bit halves (about half the bytes; 3 significant digits).
    public var halfFloat = false
    public var compression = Compression.blosc
    /// fsync the file and folder (durable across a machine crash); the write is atomic either way.
    public var sync = true
    public init(halfFloat: Bool = false, compression: Compression = .blosc, sync: Bool = true) {
        self.halfFloat = halfFloat
        self.compression = compression
        self.sync = sync
    }
}

/// What one write cost.
public struct VDBWriteReport: Sendable {
    public var bytes: Int
    /// Resampling onto the lattice (Swift), building the trees (OpenVDB), writing and syncing the file.
    public var resampleSeconds: Double, buildSeconds: Double, writeSeconds: Double
    public var totalSeconds: Double { resampleSeconds + buildSeconds + writeSeconds }
    public var voxels: Int, activeVoxels: Int
}

/// OpenVDB field caches (`vdb/fields.NNNN.vdb`, DESIGN §6–7), written through the OpenVDB
/// library (target CVDB). One file holds float grids `temperature` (°C), `pressure` (Pa,
/// gauge), `density` (tracer 0…1, fog volume), `speed` (m/s), `turbulence` (intensity or
/// k), and the vec3s grid `vel` (m/s, world space, vector type contravariant-relative),
/// cell-centred from the staggered faces (the mean of a cell's two faces per axis) and
/// rotated into world axes. Fluid and porous voxels are active; solid voxels are inactive
/// and hold the grid's background (0, or the temperature background). Every grid carries
/// `units` and `quantity` metadata; the file carries `up_axis`, `meters_per_unit`,
/// `voxel_size_m`, `solver_axes` and whatever the caller adds (frame, time, rack).
///
/// Files are written atomically (temporary name, fsync unless `options.sync` is false,
/// rename). Caller metadata keys OpenVDB reserves (`name`, `class`, `file_*`, …) are
/// refused with an error. Non-finite values throw
/// `ExportError.nonFinite` naming the field and solver cell, and nothing is written.
public enum VDBWriter {
    public static let gridNames = ["temperature", "pressure", "density", "speed", "turbulence", "vel"]

    @discardableResult
    public static func write(
        _ frame: VDBFrame, lattice: VDBLattice, to url: URL,
        metadata: [String: String] = [:], options: VDBWriteOptions = VDBWriteOptions()
    ) throws -> VDBWriteReport {
        try checkSizes(frame, lattice.grid)
        let t0 = DispatchTime.now().uptimeNanoseconds

        // Cell-centred velocity on the solver grid, then everything gathered onto the lattice.
        let g = lattice.grid
        let (uc, vc, wc) = StaggeredOperators.velocityAtCentres(g, u: frame.u, v: frame.v, w: frame.w)
        let tBackground = try temperatureBackground(frame, lattice)
        guard let fields = resample(frame, lattice, centred: (uc, vc, wc), temperatureBackgroundC: tBackground) else {
            try throwNonFinite(frame, cellCentred: (uc, vc, wc), lattice: lattice)
        }
        let t1 = DispatchTime.now().uptimeNanoseconds

        guard let writer = cvdb_writer_create() else {
            throw ExportError.io(path: url.path, operation: "create OpenVDB writer", reason: "out of memory")
        }
        defer { cvdb_writer_destroy(writer) }
        let check = { (message: UnsafePointer<CChar>?, operation: String) throws in
            try Self.check(message, operation, url)
        }
        try check(cvdb_set_transform(writer, lattice.matrix), "set VDB transform")
        try addGrids(fields, frame.turbulenceKind, lattice, to: writer, check)
        try addFileMetadata(lattice, metadata, to: writer, check)
        cvdb_set_half_float(writer, options.halfFloat ? 1 : 0)
        try check(cvdb_set_compression(writer, options.compression.rawValue), "set VDB compression")
        let t2 = DispatchTime.now().uptimeNanoseconds

        try AtomicFile.write(to: url, sync: options.sync) { tmp in try check(cvdb_write(writer, tmp.path), "write VDB")
        }
        let t3 = DispatchTime.now().uptimeNanoseconds
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.intValue ?? 0
        return VDBWriteReport(
            bytes: bytes, resampleSeconds: Double(t1 - t0) * 1e-9, buildSeconds: Double(t2 - t1) * 1e-9,
            writeSeconds: Double(t3 - t2) * 1e-9, voxels: lattice.voxelCount, activeVoxels: lattice.activeVoxelCount)
    }

    /// An OpenVDB call's error message, if any, as an `ExportError` naming the file.
    static func check(_ message: UnsafePointer<CChar>?, _ operation: String, _ url: URL) throws {
        if let message {
            throw ExportError.io(path: url.path, operation: operation, reason: String(cString: message))
        }
    }

    /// Every field has the solver grid's shape: cells, or faces per velocity component.
    static func checkSizes(_ frame: VDBFrame, _ g: Grid) throws {
        let n = g.cellCount, nx = g.nx, ny = g.ny, nz = g.nz
        for (name, a) in [
            ("temperature", frame.temperatureC), ("pressure", frame.pressurePa),
            ("density", frame.density), ("turbulence", frame.turbulence),
        ] where a.count != n {
            throw ExportError.sizeMismatch(field: name, expected: n, actual: a.count)
        }
        for (name, a, m) in [
            ("u", frame.u, (nx + 1) * ny * nz), ("v", frame.v, nx * (ny + 1) * nz), ("w", frame.w, nx * ny * (nz + 1)),
        ]
        where a.count != m {
            throw ExportError.sizeMismatch(field: "velocity \(name) (faces)", expected: m, actual: a.count)
        }
    }

    /// The temperature of inactive voxels: the frame's, or the coldest active voxel's (0 if none).
    static func temperatureBackground(_ frame: VDBFrame, _ lattice: VDBLattice) throws -> Double {
        var tBackground = 0.0
        if let b = frame.temperatureBackgroundC {
            tBackground = b
        } else {
            var lo = Double.infinity
            frame.temperatureC.withUnsafeBufferPointer { t in
                lattice.cellOf.withUnsafeBufferPointer { co in
                    lattice.active.withUnsafeBufferPointer { ac in
                        for vox in 0..<co.count where ac[vox] != 0 { lo = min(lo, t[Int(co[vox])]) }
                    }
                }
            }
            tBackground = lo.isFinite ? lo : 0
        }
        guard tBackground.isFinite else {
            throw ExportError.nonFinite(field: "temperature background", cell: (0, 0, 0), value: tBackground)
        }

        return tBackground
    }

    /// The lattice's fields in single precision (velocity rotated into world axes).
    struct LatticeFields {
        var temperature: [Float], pressure: [Float], density: [Float], speed: [Float], turbulence: [Float]
        /// Interleaved x, y, z per voxel.
        var vel: [Float]
        var temperatureBackground: Float
        var mask: [UInt8]
    }

    /// Gathers the cell-centred fields onto the lattice; nil if a value is not finite.
    static func resample(
        _ frame: VDBFrame, _ lattice: VDBLattice, centred: ([Double], [Double], [Double]),
        temperatureBackgroundC tBackground: Double
    ) -> LatticeFields? {
        let (uc, vc, wc) = centred
        let count = lattice.voxelCount
        let L = lattice.rotation.map(Double.init)
        var temperature = [Float](repeating: 0, count: count), pressure = temperature, density = temperature
        var speed = temperature, turbulence = temperature
        var vel = [Float](repeating: 0, count: 3 * count)
        var bad = false
        lattice.cellOf.withUnsafeBufferPointer { co in
            lattice.active.withUnsafeBufferPointer { ac in
                frame.temperatureC.withUnsafeBufferPointer { tS in
                    frame.pressurePa.withUnsafeBufferPointer { pS in
                        frame.density.withUnsafeBufferPointer { dS in
                            frame.turbulence.withUnsafeBufferPointer { kS in
                                uc.withUnsafeBufferPointer { uS in
                                    vc.withUnsafeBufferPointer { vS in
                                        wc.withUnsafeBufferPointer { wS in
                                            temperature.withUnsafeMutableBufferPointer { tD in
                                                pressure.withUnsafeMutableBufferPointer { pD in
                                                    density.withUnsafeMutableBufferPointer { dD in
                                                        speed.withUnsafeMutableBufferPointer { sD in
                                                            turbulence.withUnsafeMutableBufferPointer { kD in
                                                                vel.withUnsafeMutableBufferPointer { vD in
                                                                    let tb = Float(tBackground)
                                                                    for vox in 0..<count {
                                                                        guard ac[vox] != 0 else {
                                                                            tD[vox] = tb
                                                                            continue
                                                                        } // the rest stays 0 (background)
                                                                        let c = Int(co[vox])
                                                                        let t = tS[c], p = pS[c], d = dS[c], k = kS[c],
                                                                            u = uS[c], v = vS[c], w = wS[c]
                                                                        if !(t.isFinite && p.isFinite && d.isFinite
                                                                            && k.isFinite && u.isFinite && v.isFinite
                                                                            && w.isFinite)
                                                                        {
                                                                            bad = true
                                                                            break
                                                                        }
                                                                        tD[vox] = Float(t)
                                                                        pD[vox] = Float(p)
                                                                        dD[vox] = Float(d)
                                                                        kD[vox] = Float(k)
                                                                        sD[vox] = Float(
                                                                            (u * u + v * v + w * w).squareRoot())
                                                                        vD[3 * vox] = Float(
                                                                            L[0] * u + L[1] * v + L[2] * w)
                                                                        vD[3 * vox + 1] = Float(
                                                                            L[3] * u + L[4] * v + L[5] * w)
                                                                        vD[3 * vox + 2] = Float(
                                                                            L[6] * u + L[7] * v + L[8] * w)
                                                                    }
                                                                }
                                                            }
                                                        }
                                                    }
                                                } // vel, turbulence, speed, density, pressure
                                            }
                                        }
                                    }
                                }
                            } // temperature, wc, vc, uc, turbulence (source)
                        }
                    }
                } // density, pressure, temperature (sources)
            }
        }
        if bad { return nil }
        return LatticeFields(
            temperature: temperature, pressure: pressure, density: density, speed: speed, turbulence: turbulence,
            vel: vel, temperatureBackground: Float(tBackground), mask: lattice.active)
    }

    /// The five float grids and `vel`, each with its `units` and `quantity`.
    static func addGrids(
        _ fields: LatticeFields, _ t: VDBTurbulence, _ lattice: VDBLattice, to writer: OpaquePointer,
        _ check: (UnsafePointer<CChar>?, String) throws -> Void
    ) throws {
        var dims: [Int32] = [Int32(lattice.dims.0), Int32(lattice.dims.1), Int32(lattice.dims.2)]
        let mask = fields.mask
        let scalars: [(String, [Float], Float, cvdb_grid_class, String, String)] = [
            (
                "temperature", fields.temperature, fields.temperatureBackground, CVDB_CLASS_UNKNOWN, "degC",
                "air temperature"
            ),
            (
                "pressure", fields.pressure, 0, CVDB_CLASS_UNKNOWN, "Pa",
                "gauge pressure (static, relative to the reference)"
            ),
            (
                "density", fields.density, 0, CVDB_CLASS_FOG_VOLUME, "1",
                "smoke-like tracer released behind the front mesh of every ignited node, 0..1"
            ),
            ("speed", fields.speed, 0, CVDB_CLASS_UNKNOWN, "m/s", "air speed |vel|"),
            ("turbulence", fields.turbulence, 0, CVDB_CLASS_UNKNOWN, t.units, t.quantity),
        ]
        for (name, values, background, cls, units, quantity) in scalars {
            try values.withUnsafeBufferPointer { vp in
                try mask.withUnsafeBufferPointer { mp in
                    try check(
                        cvdb_add_float_grid(
                            writer, name, &dims, vp.baseAddress, vp.count, mp.baseAddress, background, cls),
                        "build VDB grid \(name)")
                }
            }
            try check(cvdb_set_meta_string(writer, name, "units", units), "set VDB metadata")
            try check(cvdb_set_meta_string(writer, name, "quantity", quantity), "set VDB metadata")
        }
        try fields.vel.withUnsafeBufferPointer { vp in
            try mask.withUnsafeBufferPointer { mp in
                try check(
                    cvdb_add_vec3_grid(
                        writer, "vel", &dims, vp.baseAddress, vp.count, mp.baseAddress,
                        CVDB_VEC_CONTRAVARIANT_RELATIVE, 1), "build VDB grid vel")
            }
        }
        try check(cvdb_set_meta_string(writer, "vel", "units", "m/s"), "set VDB metadata")
        try check(
            cvdb_set_meta_string(writer, "vel", "quantity", "air velocity, cell-centred, world axes"),
            "set VDB metadata")
        try check(cvdb_set_meta_string(writer, "turbulence", "turbulence_kind", t.rawValue), "set VDB metadata")
    }

    /// File metadata: axes, units, voxel size and the caller's keys.
    static func addFileMetadata(
        _ lattice: VDBLattice, _ metadata: [String: String], to writer: OpaquePointer,
        _ check: (UnsafePointer<CChar>?, String) throws -> Void
    ) throws {
        let axes = lattice.upAxis == .y ? "(X, Y, Z) = (x, z, -y)" : "(X, Y, Z) = (x, y, z)"
        var fileMeta: [String: String] = [
            "up_axis": lattice.upAxis.rawValue,
            "solver_axes":
                "\(axes); solver x width, y depth front to back, z up; then turned \(lattice.placement.quarterTurns) "
                + "quarter turns about up",
        ]
        for (k, v) in metadata { fileMeta[k] = v }
        for (k, v) in fileMeta.sorted(by: { $0.key < $1.key }) {
            try check(cvdb_set_meta_string(writer, nil, k, v), "set VDB file metadata '\(k)'")
        }
        try check(cvdb_set_meta_float(writer, nil, "meters_per_unit", 1), "set VDB file metadata")
        try check(cvdb_set_meta_float(writer, nil, "voxel_size_m", lattice.voxelSizeM), "set VDB file metadata")
    }

    /// One call for a steady solve's result: builds the lattice and writes the solver's
    /// current fields (`density` zero unless given).
    @discardableResult
    public static func write(
        solver: FlowSolver, density: [Double]? = nil, to url: URL, voxelSizeM: Double = 0.01,
        upAxis: VDBUpAxis = .y, metadata: [String: String] = [:]
    ) throws -> VDBWriteReport {
        let lattice = try VDBLattice(flow: solver.flow, voxelSizeM: voxelSizeM, upAxis: upAxis)
        return try write(VDBFrame(solver: solver, density: density), lattice: lattice, to: url, metadata: metadata)
    }

    /// The first non-finite value a fluid voxel would carry, as an error naming the solver cell.
    private static func throwNonFinite(
        _ f: VDBFrame, cellCentred: ([Double], [Double], [Double]), lattice: VDBLattice
    ) throws -> Never {
        let fields: [(String, [Double])] = [
            ("temperature", f.temperatureC), ("pressure", f.pressurePa), ("density", f.density),
            ("turbulence", f.turbulence), ("vel (x, cell-centred)", cellCentred.0),
            ("vel (y, cell-centred)", cellCentred.1), ("vel (z, cell-centred)", cellCentred.2),
        ]
        for vox in 0..<lattice.voxelCount where lattice.active[vox] != 0 {
            let c = Int(lattice.cellOf[vox])
            for (name, a) in fields where !a[c].isFinite {
                throw ExportError.nonFinite(field: name, cell: lattice.grid.ijk(c), value: a[c])
            }
        }
        throw ExportError.nonFinite(field: "unknown", cell: (0, 0, 0), value: .nan)
    }
}
