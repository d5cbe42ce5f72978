import Foundation
import CVDB
import RackFlowNumerics
import RackFlowPhysics

/// Which world axis is up in the files (DESIGN §7). Solver axes: x width, y depth
/// front→back, z up.
public enum VDBUpAxis: String, Sendable, CaseIterable {
    /// Houdini / Solaris / usdchecker default: (X, Y, Z) = (x, z, −y), a proper rotation;
    /// the rack front (y = 0 side) faces +Z.
    case y = "Y"
    /// Omniverse-style: (X, Y, Z) = (x, y, z).
    case z = "Z"
}

/// Where a rack sits in the room, in the solver frame (z up) before the up-axis mapping:
/// the rack is turned `quarterTurns` × 90° counter-clockwise about z (seen from above; 2
/// faces a rack the other way, for facing rows), then shifted by `offsetM`.
public struct VDBPlacement: Sendable, Equatable {
    public var offsetM: (x: Double, y: Double, z: Double)
    public var quarterTurns: Int
    public init(offsetM: (x: Double, y: Double, z: Double) = (0, 0, 0), quarterTurns: Int = 0) {
        self.offsetM = offsetM
        self.quarterTurns = quarterTurns
    }
    public static let identity = VDBPlacement()
    public static func == (a: Self, b: Self) -> Bool {
        a.offsetM == b.offsetM && ((a.quarterTurns - b.quarterTurns) % 4 + 4) % 4 == 0
    }
}

/// What the `turbulence` grid holds (its `turbulence_kind`, `units` and `quantity` metadata
/// say which).
///
/// The default is k: bounded, and zero where the air is still. The intensity √(2k/3)/|U|
/// divides by the local speed (floored at 0.05 m/s, MixingLength), so in the still air of a
/// glass rack's corners it reached 10 and drove an artist's turbulence control wild.
public enum VDBTurbulence: String, Sendable {
    /// √(2k/3)/|U| (dimensionless; large where the air is nearly still).
    case intensity
    /// k (m²/s²), the mixing-length model's turbulent kinetic energy.
    case kineticEnergy
    var units: String { self == .intensity ? "1" : "m2/s2" }
    var quantity: String { self == .intensity ? "turbulence intensity sqrt(2k/3)/|U|" : "turbulent kinetic energy k" }
}

/// One frame of solver fields on the solver's (non-uniform) grid. Cell arrays are indexed
/// like `Grid` (`i + nx·(j + ny·k)`); velocities are the staggered face values, laid out
/// like `FaceField` of their axis (u: (nx+1)·ny·nz, v: nx·(ny+1)·nz, w: nx·ny·(nz+1)).
public struct VDBFrame: Sendable {
    public var temperatureC: [Double]
    public var pressurePa: [Double]
    /// Smoke-like tracer, 0…1.
    public var density: [Double]
    public var turbulence: [Double]
    public var turbulenceKind: VDBTurbulence
    public var u: [Double], v: [Double], w: [Double]
    /// Value of `temperature` outside the fluid (inactive voxels and the grid background);
    /// nil: the lowest fluid temperature of the frame. Give the inlet temperature in an
    /// animation, so the background does not flicker from frame to frame.
    public var temperatureBackgroundC: Double?

    public init(
        temperatureC: [Double], pressurePa: [Double], density: [Double], turbulence: [Double],
        turbulenceKind: VDBTurbulence = .kineticEnergy, u: [Double], v: [Double], w: [Double],
        temperatureBackgroundC: Double? = nil
    ) {
        self.temperatureC = temperatureC
        self.pressurePa = pressurePa
        self.density = density
        self.turbulence = turbulence
        self.turbulenceKind = turbulenceKind
        self.u = u
        self.v = v
        self.w = w
        self.temperatureBackgroundC = temperatureBackgroundC
    }

    /// The solver's current fields. `density` defaults to zeros (no tracer);
    /// `turbulence` is computed with `FlowSolver.turbulence()` unless given (that call
    /// computes a wall distance each time on a laminar case: pass it in when writing many
    /// frames of one).
    public init(
        solver s: FlowSolver, density: [Double]? = nil, turbulence: [Double]? = nil,
        turbulenceKind: VDBTurbulence = .kineticEnergy, temperatureBackgroundC: Double? = nil
    ) {
        let n = s.flow.grid.cellCount
        let t: [Double]
        if let turbulence {
            t = turbulence
        } else {
            let tk = s.turbulence()
            t = turbulenceKind == .intensity ? tk.intensity : tk.kineticEnergy
        }
        self.init(
            temperatureC: s.temperature.array, pressurePa: s.pressure.array,
            density: density ?? [Double](repeating: 0, count: n), turbulence: t, turbulenceKind: turbulenceKind,
            u: s.velocity[0].array, v: s.velocity[1].array, w: s.velocity[2].array,
            temperatureBackgroundC: temperatureBackgroundC)
    }
}

/// The uniform voxel lattice a solver grid is resampled onto, and its transform. Built once
/// per grid and reused for every frame (it holds the voxel → cell map and the active mask).
///
/// Voxels are cubes of exactly `voxelSizeM`; along each solver axis there are
/// `max(1, round(L/h))` of them (every voxel whose centre lies in the domain), starting at
/// the domain's lower corner, and each takes the value of the solver cell containing its
/// centre (nearest-cell, as `Resample.uniform` does; that one stretches the spacing to fit
/// the box exactly, which VDB tools dislike). A voxel is active when that cell is not
/// solid (fluid and porous cells are active).
///
/// Index space: the solver → world rotation (up-axis mapping and placement turn, always a
/// signed permutation) is folded into the voxel order, so VDB index axes run along the
/// world axes and the transform is a plain scale and translation: voxel (I, J, K), I along
/// world X, has its centre at `origin + h·(I, J, K)` in metres. With Y up, K runs from the
/// back of the rack (largest solver y) to the front.
public final class VDBLattice: Sendable {
    public let grid: Grid
    public let voxelSizeM: Double
    public let upAxis: VDBUpAxis
    public let placement: VDBPlacement
    /// Voxels per VDB index axis (world X, Y, Z order).
    public let dims: (Int, Int, Int)
    /// World position (m) of the centre of voxel (0, 0, 0).
    public let originM: (Double, Double, Double)
    /// Index → world, row-major 4×4, world = M·(I, J, K, 1)ᵀ.
    public let matrix: [Double]
    /// The 3×3 solver → world rotation (row-major, entries −1, 0, 1).
    public let rotation: [Int]
    public var voxelCount: Int { dims.0 * dims.1 * dims.2 }
    public let activeVoxelCount: Int

    /// Per voxel (VDB order, I fastest): the solver cell it samples.
    let cellOf: [Int32]
    /// Per voxel: 1 active (fluid / porous), 0 inactive (solid).
    let active: [UInt8]

    /// - Parameters:
    ///   - cellTags: the solver's cell tags (`FlowCase.tags.cells`); `.solid` → inactive.
    ///   - voxelSizeM: edge of the cubic voxels, metres (> 0).
    public init(
        grid: Grid, cellTags: [CellTag], voxelSizeM: Double = 0.01, upAxis: VDBUpAxis = .y,
        placement: VDBPlacement = .identity
    ) throws {
        guard voxelSizeM > 0, voxelSizeM.isFinite else {
            throw ExportError.io(
                path: "VDB lattice", operation: "choose voxels", reason: "voxel size must be > 0 m (got \(voxelSizeM))")
        }
        guard cellTags.count == grid.cellCount else {
            throw ExportError.sizeMismatch(field: "cell tags", expected: grid.cellCount, actual: cellTags.count)
        }
        let h = voxelSizeM
        let n = (0..<3).map { max(1, Int((grid.axis($0).length / h).rounded())) }
        guard n[0] <= 1 << 16, n[1] <= 1 << 16, n[2] <= 1 << 16, n[0] * n[1] * n[2] <= 1 << 31 else {
            throw ExportError.io(
                path: "VDB lattice", operation: "choose voxels",
                reason: "\(n[0]) × \(n[1]) × \(n[2]) voxels of \(h) m is too many; use larger voxels")
        }
        self.grid = grid
        self.voxelSizeM = h
        self.upAxis = upAxis
        self.placement = placement

        // Solver → world rotation L = A·R: R the placement turn about z, A the up-axis map.
        let q = ((placement.quarterTurns % 4) + 4) % 4
        let cosT = [1, 0, -1, 0][q], sinT = [0, 1, 0, -1][q]
        let R = [cosT, -sinT, 0, sinT, cosT, 0, 0, 0, 1]
        let A = upAxis == .y ? [1, 0, 0, 0, 0, 1, 0, -1, 0] : [1, 0, 0, 0, 1, 0, 0, 0, 1]
        var L = [Int](repeating: 0, count: 9)
        for r in 0..<3 { for c in 0..<3 { for m in 0..<3 { L[3 * r + c] += A[3 * r + m] * R[3 * m + c] } } }
        rotation = L
        // World axis r runs along solver axis src[r] with sign sign[r].
        var src = [0, 0, 0], sign = [1, 1, 1]
        for r in 0..<3 {
            for c in 0..<3 where L[3 * r + c] != 0 {
                src[r] = c
                sign[r] = L[3 * r + c]
            }
        }
        let wd = (0..<3).map { n[src[$0]] }
        dims = (wd[0], wd[1], wd[2])

        // World centre of solver voxel (a, b, c): L·(lower + h(a+½, b+½, c+½)) + A·offset.
        let first = (0..<3).map { grid.axis($0).lower + 0.5 * h }
        let off = [placement.offsetM.x, placement.offsetM.y, placement.offsetM.z]
        var origin = [0.0, 0.0, 0.0]
        for r in 0..<3 {
            var x = 0.0
            for c in 0..<3 { x += Double(L[3 * r + c]) * first[c] + Double(A[3 * r + c]) * off[c] }
            // Index I_r counts voxels along +world r; a reversed solver axis starts at its far end.
            origin[r] = sign[r] > 0 ? x : x - h * Double(n[src[r]] - 1)
        }
        originM = (origin[0], origin[1], origin[2])
        matrix = [h, 0, 0, origin[0], 0, h, 0, origin[1], 0, 0, h, origin[2], 0, 0, 0, 1]

        // For world axis r and index I: the solver cell index along src[r], times its stride.
        let stride = [1, grid.nx, grid.nx * grid.ny]
        let part: [[Int]] = (0..<3).map { r in
            let a = src[r], ax = grid.axis(a)
            return (0..<n[a]).map { I in
                let solverIdx = sign[r] > 0 ? I : n[a] - 1 - I
                return ax.cell(containing: ax.lower + (Double(solverIdx) + 0.5) * h) * stride[a]
            }
        }
        let count = wd[0] * wd[1] * wd[2]
        var cellOf = [Int32](repeating: 0, count: count)
        var active = [UInt8](repeating: 0, count: count)
        var nActive = 0
        cellTags.withUnsafeBufferPointer { tags in
            cellOf.withUnsafeMutableBufferPointer { co in
                active.withUnsafeMutableBufferPointer { ac in
                    let p0 = part[0], p1 = part[1], p2 = part[2]
                    var vox = 0
                    for K in 0..<wd[2] {
                        for J in 0..<wd[1] {
                            let base = p1[J] + p2[K]
                            for I in 0..<wd[0] {
                                let c = base + p0[I]
                                co[vox] = Int32(c)
                                let on: UInt8 = tags[c] == .solid ? 0 : 1
                                ac[vox] = on
                                nActive += Int(on)
                                vox += 1
                            }
                        }
                    }
                }
            }
        }
        self.cellOf = cellOf
        self.active = active
        activeVoxelCount = nActive
    }

    public convenience init(
        flow: FlowCase, voxelSizeM: Double = 0.01, upAxis: VDBUpAxis = .y,
        placement: VDBPlacement = .identity
    ) throws {
        try self.init(
            grid: flow.grid, cellTags: flow.tags.cells, voxelSizeM: voxelSizeM, upAxis: upAxis, placement: placement)
    }

    /// World position (m) of a point given in solver coordinates (m).
    public func world(fromSolver p: (Double, Double, Double)) -> (Double, Double, Double) {
        let A = upAxis == .y ? [1, 0, 0, 0, 0, 1, 0, -1, 0] : [1, 0, 0, 0, 1, 0, 0, 0, 1]
        let o = placement.offsetM, s = [p.0, p.1, p.2], off = [o.x, o.y, o.z]
        var w = [0.0, 0.0, 0.0]
        for r in 0..<3 { for c in 0..<3 { w[r] += Double(rotation[3 * r + c]) * s[c] + Double(A[3 * r + c]) * off[c] } }
        return (w[0], w[1], w[2])
    }

    /// World position (m) of the centre of voxel (I, J, K).
    public func world(voxel I: Int, _ J: Int, _ K: Int) -> (Double, Double, Double) {
        (originM.0 + voxelSizeM * Double(I), originM.1 + voxelSizeM * Double(J), originM.2 + voxelSizeM * Double(K))
    }

    /// The solver cell (i, j, k) voxel (I, J, K) samples, and whether the voxel is active.
    public func solverCell(ofVoxel I: Int, _ J: Int, _ K: Int) -> (cell: (Int, Int, Int), active: Bool) {
        let v = I + dims.0 * (J + dims.1 * K)
        return (grid.ijk(Int(cellOf[v])), active[v] != 0)
    }
}

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
        let g = lattice.grid
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
        let t0 = DispatchTime.now().uptimeNanoseconds

        // Cell-centred velocity on the solver grid, then everything gathered onto the lattice.
        let (uc, vc, wc) = StaggeredOperators.velocityAtCentres(g, u: frame.u, v: frame.v, w: frame.w)

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
        if bad { try throwNonFinite(frame, cellCentred: (uc, vc, wc), lattice: lattice) }
        let t1 = DispatchTime.now().uptimeNanoseconds

        guard let writer = cvdb_writer_create() else {
            throw ExportError.io(path: url.path, operation: "create OpenVDB writer", reason: "out of memory")
        }
        defer { cvdb_writer_destroy(writer) }
        func check(_ message: UnsafePointer<CChar>?, _ operation: String) throws {
            if let message {
                throw ExportError.io(path: url.path, operation: operation, reason: String(cString: message))
            }
        }
        var dims: [Int32] = [Int32(lattice.dims.0), Int32(lattice.dims.1), Int32(lattice.dims.2)]
        try check(cvdb_set_transform(writer, lattice.matrix), "set VDB transform")
        let mask = lattice.active
        let t = frame.turbulenceKind
        let scalars: [(String, [Float], Float, cvdb_grid_class, String, String)] = [
            ("temperature", temperature, Float(tBackground), CVDB_CLASS_UNKNOWN, "degC", "air temperature"),
            ("pressure", pressure, 0, CVDB_CLASS_UNKNOWN, "Pa", "gauge pressure (static, relative to the reference)"),
            ("density", density, 0, CVDB_CLASS_FOG_VOLUME, "1", "smoke-like tracer injected at the intakes, 0..1"),
            ("speed", speed, 0, CVDB_CLASS_UNKNOWN, "m/s", "air speed |vel|"),
            ("turbulence", turbulence, 0, CVDB_CLASS_UNKNOWN, t.units, t.quantity),
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
        try vel.withUnsafeBufferPointer { vp in
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
