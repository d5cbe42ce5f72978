import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Checkpoints of `rackflow room`, taken between two coupling iterations:
///
///     <folder>/manifest.json                  rank 0, written last (temporary name, fsync, rename): the commit point
///     <folder>/iteration-0003/coupling.json   rank 0: the coupling's state (RoomCoupling.State)
///     <folder>/iteration-0003/racks/<rack>/   each rack's owner: its FlowSolver state (Checkpoint.write)
///
/// The manifest names the iteration folder it stands for; the folders of older checkpoints are
/// deleted only after the new manifest is in place, so a kill at any moment leaves the previous
/// checkpoint or the new one, complete. Every rack's state lies in its own folder, so a
/// checkpoint resumes under any number of ranks.
extension RoomCoupling {
    /// Everything the coupling carries from one iteration to the next: the flows the racks are
    /// solved at next, the last solve's flows and pressures (the secant), the rack lines, the
    /// iteration history (residuals, plenum pressures, blower rises) and the last rack results.
    public struct State: Codable {
        /// The coupling iteration that comes next (1 + iterations done).
        public var nextIteration: Int
        public var flowsM3PerS: [Double]
        public var previousFlowsM3PerS: [Double]?
        public var previousPressuresPa: [Double]?
        public var lines: [PlenumNetwork.Line]
        public var history: [Iteration]
        public var results: [RackSolveResult]

        var previous: (q: [Double], p: [Double])? {
            guard let q = previousFlowsM3PerS, let p = previousPressuresPa else { return nil }
            return (q, p)
        }
    }
}

/// The manifest of a room checkpoint (`manifest.json`).
public struct RoomCheckpointManifest: Codable, CheckpointManifest {
    public static let currentVersion = 1
    public static var expectedKind: String { "room" }
    public static var noun: String { "room" }
    public var version = Self.currentVersion
    public var kind = "room"
    public var room: String
    /// Coupling iterations done.
    public var iteration: Int
    /// The folder (under the checkpoint folder) holding this checkpoint's coupling and racks.
    public var folder: String
    /// The room file, every rack file and every node and part file they read, with SHA-256.
    public var inputs: [SurgeCheckpoint.InputFile]
    public var rackNames: [String]
    public var rackCells: [Int]
    public var maxSpacingM: Double?
    /// What the command stores (its options), as JSON text.
    public var command: String?
}

/// Writes checkpoints of a room run at coupling-iteration boundaries, stops it on request
/// (all ranks agree), and restores one on resume.
public final class RoomCheckpointer: RoomStepCheckpointer<RoomCheckpointManifest> {
    /// Set by `prepare` on resume: where the coupling continues.
    public private(set) var start: RoomCoupling.State?
    /// Checkpoints written by this process: iteration, bytes of this rank's part (all, on a single process), seconds.
    public private(set) var written: [(iteration: Int, bytes: Int, seconds: Double)] = []

    /// The room file, the rack files and every file they pull in (absolute, each once), with SHA-256.
    public static func inputs(of spec: RoomSpec) throws -> [SurgeCheckpoint.InputFile] {
        var paths = [spec.file]
        for r in spec.racks {
            paths.append(r.rackFile)
            paths += (try CaseFile.load(path: r.rackFile)).inputFiles
        }
        var seen = Set<String>()
        return try paths.map(SurgeCheckpoint.absolute).filter { seen.insert($0).inserted }
            .map { SurgeCheckpoint.InputFile(path: $0, sha256: try Checkpoint.sha256(of: $0)) }
    }

    /// Refuses a checkpoint of other inputs, naming the file.
    public static func check(_ m: RoomCheckpointManifest, against spec: RoomSpec, folder: URL) throws {
        let now = try inputs(of: spec)
        let manifest = folder.appendingPathComponent(manifestName).path
        if let first = m.inputs.first, first.path != now[0].path {
            throw InputError(
                file: spec.file, line: nil, keyPath: "",
                problem:
                    "not the room the checkpoint \(folder.path) was taken from (\(first.path)); resume without a "
                    + "room argument"
            )
        }
        try CheckpointInputs.check(recorded: m.inputs, now: now, folder: folder, record: manifest, run: "room run")
        guard m.rackNames == spec.racks.map(\.name) else {
            throw InputError(
                file: manifest, line: nil, keyPath: "rackNames",
                problem: "the checkpoint's racks \(m.rackNames) are not the room's \(spec.racks.map(\.name))")
        }
    }

    struct RackExtra: Codable {
        var outerIterations: [Int]
        var converged: [Bool]
        var seconds: [Double]
    }

    /// After the racks are compiled (collective): every rack solver keeps the coefficients of its
    /// last multigrid rebuild (coupling boundaries fall between rebuilds); on resume the inputs
    /// are checked, each rank restores its racks and every rank the coupling state.
    func prepare(_ run: RoomRun, log: (String) -> Void) throws {
        for r in run.racks.values { r.solver.keepsPreconditionerSource = true }
        guard let m = resumed else { return }
        var failure: Error?
        do {
            try Self.check(m, against: run.spec, folder: folder)
            let sub = folder.appendingPathComponent(m.folder)
            for k in run.solved {
                let r = run.racks[k]!
                let dir = sub.appendingPathComponent("racks").appendingPathComponent(r.name)
                let (h, s) = try Checkpoint.read(dir)
                let header = dir.appendingPathComponent("checkpoint.json").path
                guard h.kind == "room-rack", h.caseName == r.name else {
                    throw InputError(
                        file: header, line: nil, keyPath: "kind",
                        problem: "not the state of rack \(r.name) (\(h.kind) \(h.caseName))")
                }
                guard h.cells == r.solver.flow.grid.cellCount else {
                    throw InputError(
                        file: header, line: nil, keyPath: "cells",
                        problem:
                            "the checkpoint's grid has \(h.cells) cells, rack \(r.name)'s "
                            + "\(r.solver.flow.grid.cellCount) (another --max-spacing?)"
                    )
                }
                try Checkpoint.restore(s, into: r.solver, file: header)
                guard let x = h.extra, let e = try? JSONDecoder().decode(RackExtra.self, from: Data(x.utf8)),
                    e.outerIterations.count == e.converged.count, e.seconds.count == e.converged.count
                else {
                    throw InputError(
                        file: header, line: nil, keyPath: "extra",
                        problem: "missing or unreadable: the rack's solve record")
                }
                r.solves = e.outerIterations.indices.map { (e.outerIterations[$0], e.converged[$0], e.seconds[$0]) }
            }
            let cu = sub.appendingPathComponent("coupling.json")
            start = try Checkpoint.decode(
                RoomCoupling.State.self, at: cu,
                missing: "file not found: the coupling state named by the manifest is missing", noun: "coupling state")
            guard start!.nextIteration == m.iteration + 1, start!.flowsM3PerS.count == run.spec.racks.count else {
                throw InputError(
                    file: cu.path, line: nil, keyPath: "nextIteration",
                    problem: "does not match the manifest (iteration \(m.iteration), \(m.rackNames.count) racks)")
            }
        } catch { failure = error }
        try run.comm.agree(failure)
        log("resumed from \(folder.path) after coupling iteration \(m.iteration)")
    }

    /// Whether any rank was asked to stop (collective: every rank calls it at the same step of the
    /// run loop, which then writes the checkpoint and stops every rank).
    func stopRequested(_ run: RoomRun) throws -> Bool {
        try run.comm.anyStopRequested(stop())
    }

    /// Every rack's cell count: its solver's, or for a twin solved elsewhere, its distinct
    /// rack's checkpoint header in `sub`.
    static func rackCells(_ run: RoomRun, in sub: URL) throws -> [Int] {
        try run.spec.racks.indices.map { k in
            if let r = run.racks[k] { return r.solver.flow.grid.cellCount }
            let h = try JSONDecoder().decode(
                CheckpointFile.self,
                from: Data(
                    contentsOf: sub.appendingPathComponent(
                        "racks/\(run.spec.racks[run.twins.twin[k]].name)/checkpoint.json")))
            return h.cells
        }
    }

    func write(_ run: RoomRun, _ state: RoomCoupling.State, log: (String) -> Void) throws {
        let t0 = Date()
        let done = state.nextIteration - 1
        let name = String(format: "iteration-%04d", done)
        let bytes = try RoomCheckpointFolder.write(
            folder: folder, name: name, prefix: "iteration-", comm: run.comm,
            racks: { sub in
                var bytes = 0
                for k in run.solved { // a twin's state is its distinct rack's
                    let r = run.racks[k]!
                    let e = RackExtra(
                        outerIterations: r.solves.map(\.outerIterations), converged: r.solves.map(\.converged),
                        seconds: r.solves.map(\.seconds))
                    let dir = sub.appendingPathComponent("racks").appendingPathComponent(r.name)
                    try Checkpoint.write(
                        to: dir, kind: "room-rack", input: run.spec.racks[k].rackFile, caseName: r.name,
                        cells: r.solver.flow.grid.cellCount,
                        state: r.solver.captureState(), monitorWindows: [],
                        extra: String(decoding: try JSONEncoder().encode(e), as: UTF8.self))
                    bytes += Self.size(dir)
                }
                return bytes
            },
            room: { sub in
                let coupling = try SurgeCheckpoint.encoder().encode(state)
                try Checkpoint.writeAtomically(coupling, to: sub.appendingPathComponent("coupling.json"))
                return try RoomCheckpointFolder.encode(
                    RoomCheckpointManifest(
                        room: run.spec.name, iteration: done, folder: name, inputs: try Self.inputs(of: run.spec),
                        rackNames: run.spec.racks.map(\.name),
                        rackCells: try Self.rackCells(run, in: sub), maxSpacingM: maxSpacingM, command: command))
            },
            measure: { _ in Self.size(folder) })
        let seconds = Date().timeIntervalSince(t0)
        written.append((done, bytes, seconds))
        log(
            String(
                format: "checkpoint after coupling iteration %d: %@, %.1f MB in %.2f s", done, folder.path,
                Double(bytes) / 1e6, seconds))
    }

    /// Bytes of the regular files under `dir`.
    public static func size(_ dir: URL) -> Int {
        var n = 0
        guard let walk = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.fileSizeKey]) else {
            return 0
        }
        for case let u as URL in walk { n += (try? u.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0 }
        return n
    }
}
