import Foundation
import RackFlowNumerics

/// What a surge run will cost before it starts: memory, disk for the frames it writes, and
/// time. A scenario of 10,000 frames at the default rack's grid writes ~50 GB of VDB caches
/// and steps for half a day; a run that would not fit is refused up front instead of filling
/// the disk hours in (the frames are staged and committed at the end, so all of it is needed
/// at once).
public struct SurgeEstimate: CustomStringConvertible, Sendable {
    /// VDB bytes per active voxel: `rackflow surge` measured 5.0 MB per frame for the default
    /// rack's ≈ 180,000 voxels at 2 cm (six grids, float32 and a vec3, blosc-free).
    public static let vdbBytesPerVoxel = 28.0
    /// Frame records, stage samples and telemetry kept in memory until the stage is written, per node and frame.
    public static let memoryBytesPerNodeFrame = 4_096.0
    /// Seconds per cell per outer iteration of a time step (2 cores): 0.64 µs measured on the
    /// default rack (568,480 cells), 0.98 µs on the one-node rack (61,200 cells); the tracer,
    /// the parts and the controls come on top of a steady iteration's 0.5 µs.
    public static let secondsPerCellStepIteration = 0.8e-6
    /// Outer iterations per time step beyond `minOuter`: the steps of both racks above took
    /// `minOuter` (2) or one more; the estimate takes one more, not `maxOuter`.
    public static let extraOuterPerStep = 1

    public var framesStepped: Int
    public var framesWritten: Int
    public var memoryBytes: Double
    public var diskBytes: Double
    public var seconds: Double

    /// `outerPerStep`: outer iterations per time step; `idleIterations`: those of the idle steady
    /// state. Memory is a steady solve's (`ResourceEstimate`): the surge's extra time levels and
    /// tracer weigh less than the solve's exports (peaks measured: 721 MiB for the default rack's
    /// surge, 818 MiB for its solve; the earlier 1.5 × 800 B per cell predicted 651 MiB).
    public init(
        cells: Int, nodes: Int, domainM3: Double, voxelSizeM: Double, framesStepped: Int, framesWritten: Int,
        stepsPerFrame: Int, outerPerStep: Int, idleIterations: Int
    ) {
        self.framesStepped = framesStepped
        self.framesWritten = framesWritten
        let c = Double(cells)
        memoryBytes =
            ResourceEstimate.fixedBytes + c * ResourceEstimate.bytesPerCell
            + Double(framesStepped) * Double(max(nodes, 1)) * Self.memoryBytesPerNodeFrame
        let voxels = domainM3 / (voxelSizeM * voxelSizeM * voxelSizeM)
        diskBytes = voxels * Self.vdbBytesPerVoxel * Double(framesWritten)
        let stepIterations = Double(framesStepped) * Double(stepsPerFrame) * Double(outerPerStep)
        seconds =
            c
            * (Double(idleIterations) * ResourceEstimate.secondsPerCellIteration
                + stepIterations * Self.secondsPerCellStepIteration)
    }

    public var description: String {
        "\(framesStepped) frames stepped, \(framesWritten) written: ≈ \(ResourceEstimate.bytes(memoryBytes)) of "
            + "memory, ≈ \(ResourceEstimate.bytes(diskBytes)) of frames on disk, ≈ "
            + "\(ResourceEstimate.duration(seconds))"
    }

    /// Free bytes on the file system that will hold `url` (its nearest existing ancestor).
    public static func freeDiskBytes(at url: URL) -> Double? {
        var u = url.standardizedFileURL
        while !FileManager.default.fileExists(atPath: u.path) && u.path != "/" { u.deleteLastPathComponent() }
        if let s = ProcessInfo.processInfo.environment["RACKFLOW_DISK_LIMIT"], let v = Double(s), v > 0 { return v }
        guard let a = try? FileManager.default.attributesOfFileSystem(forPath: u.path),
            let free = a[.systemFreeSize] as? NSNumber
        else { return nil }
        return free.doubleValue
    }

    /// nil when the run fits; otherwise why not, with the estimate and what the machine has.
    public func refusal(availableMemory: Double?, freeDisk: Double?) -> String? {
        // A voxel size of 1e-300 m makes the counts infinite (and Int(inf) traps in the VDB lattice).
        if !(memoryBytes.isFinite && diskBytes.isFinite && seconds.isFinite) {
            return "the run's size cannot be estimated (\(description)): check the voxel size, frame count and grid"
        }
        if let m = availableMemory, memoryBytes > m {
            return
                "the run needs \(description); this machine has \(ResourceEstimate.bytes(m)) of memory available: "
                + "write fewer frames (--frames), a shorter duration or a coarser grid"
        }
        if let d = freeDisk, diskBytes > d {
            return
                "the run needs \(description); the output's disk has \(ResourceEstimate.bytes(d)) free: write fewer "
                + "frames (--frames, --fps) or larger voxels (--voxel-size)"
        }
        return nil
    }
}

extension SurgeEstimate {
    /// The estimate of a run over `frames` (writing every `every`-th) and its refusal as a
    /// `InputError` at the scenario's `duration` (with fps, what sets the frame count).
    public static func check(
        _ run: SurgeRun, frames: ClosedRange<Int>, every: Int, voxelSizeM: Double, output: URL,
        availableMemory: Double? = ResourceEstimate.availableBytes(), freeDisk: Double? = nil
    ) throws -> SurgeEstimate {
        let g = run.solver.flow.grid
        func extent(_ f: [Double]) -> Double { (f.last ?? 0) - (f.first ?? 0) }
        let written = (frames.lowerBound...frames.upperBound).lazy.filter { $0 % max(every, 1) == 0 }.count
        let e = SurgeEstimate(
            cells: g.cellCount, nodes: run.layout.nodes.count,
            domainM3: extent(g.x.faces) * extent(g.y.faces) * extent(g.z.faces), voxelSizeM: voxelSizeM,
            framesStepped: frames.upperBound, framesWritten: written,
            stepsPerFrame: run.scenario.solver.stepsPerFrame,
            outerPerStep: min(
                run.scenario.solver.minOuter + extraOuterPerStep,
                run.scenario.solver.maxOuter),
            idleIterations: ResourceEstimate.typicalIterations)
        if let why = e.refusal(availableMemory: availableMemory, freeDisk: freeDisk ?? freeDiskBytes(at: output)) {
            throw InputError(file: run.scenario.file, line: nil, keyPath: "duration", problem: why)
        }
        return e
    }
}
