import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowNumerics
import RackFlowExport

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract:
            "Solve several layouts on one grid and compare them side by side (default: the refinery rack with 3-GPU "
            + "nodes vs 4-GPU nodes).",
        discussion: """
            A LAYOUT is a rack file, a node-type file (the base rack with that node in every slot), a rack or node \
            name under Meshes/racks or Meshes/nodes, \
            or overrides KEY=VALUE[,KEY=VALUE…] on the base rack: node-type keys go into every slot (gpus=4,nic=none; \
            gpu.powerW=250), rack keys into the rack \
            (inlet.flow=0.6); name=LABEL names the column. Writes Results/compare-<names>/ at once: comparison.json, \
            report.md, report.html, slices/*.png, log.txt.
            """
    )
    @Argument(help: "Layouts to compare (default: the base rack and Meshes/nodes/rm44-gb203-4gpu.yaml).") var layouts:
        [String] = []
    @Option(help: "Result folder (default: Results/compare-<names>).") var output: String?
    @Option(help: "Rack that node-type files and overrides apply to (default: Meshes/racks/refinery-rack.yaml).")
    var base: String?
    @Option(help: "Largest grid spacing, m, for every layout (overrides the files).") var maxSpacing: Double?
    @Option(help: "Outer iteration limit for every layout (overrides the files).") var maxIterations: Int?
    @Option(
        help: ArgumentHelp(
            "Solves run at once, the cores shared out between them (default 0: as many as there are cores, at most "
                + "one per layout).")
    ) var jobs: Int = 0
    @Option(help: "Racks in the room (seed: 16).") var racksPerRoom: Int = 16
    @Option(
        help: ArgumentHelp(
            "Largest node exhaust rise, K: a node whose flow cannot carry its heat at this rise is below its minimum "
                + "flow (assumed).")
    ) var maxRise: Double = 15
    @Option(
        help: ArgumentHelp(
            "The racks' role: inference (the NIC's RDMA is required, as the seed says) or render (it is not); "
                + "it weighs in the recommendation.")
    ) var role: String = "inference"
    @Flag(
        help: ArgumentHelp(
            stringLiteral: "Solve every layout from rest, side by side (default: the first alone, "
                + "then the others from its answer)."))
    var cold = false
    @Flag(help: "No log on stderr, no summary on stdout.") var quiet = false

    func run() throws {
        let t0 = Date()
        guard jobs >= 0 else { throw ValidationError("--jobs must be ≥ 0 (0: one per core)") }
        guard racksPerRoom >= 1 else { throw ValidationError("--racks-per-room must be ≥ 1") }
        guard maxRise > 0 else { throw ValidationError("--max-rise must be > 0 K") }
        guard ["inference", "render"].contains(role) else {
            throw ValidationError("--role must be inference or render (got '\(role)')")
        }
        let baseRack = base ?? DefaultCase.path
        // Bare layout names and the seed's cards are looked up in the project's Meshes/.
        let meshes = URL(fileURLWithPath: DefaultCase.path).deletingLastPathComponent().deletingLastPathComponent().path
        let args = layouts.isEmpty ? [baseRack, meshes + "/nodes/rm44-gb203-4gpu.yaml"] : layouts
        if let h = maxSpacing, !(h > 0 && h.isFinite) {
            throw ValidationError("--max-spacing must be > 0 m (got \(h))")
        }
        if let m = maxIterations, m < 1 { throw ValidationError("--max-iterations must be ≥ 1") }
        // Everything that can be wrong with the input fails here (one line naming it, exit
        // status 1), before anything is written.
        var ls = try Layouts.resolve(args, baseRack: baseRack, meshes: meshes)
        for i in ls.indices {
            if let h = maxSpacing { ls[i].caseFile.setMaxSpacing(h) }
            if let m = maxIterations { ls[i].caseFile.genericCase.options.maxIterations = m }
        }
        try Layouts.checkGridSettings(ls)
        var settings = CompareSettings()
        settings.racksPerRoom = racksPerRoom
        settings.maxRiseK = maxRise
        settings.requireNIC = role == "inference"

        let folderURL = URL(fileURLWithPath: output ?? "Results/" + CompareWriter.folderName(ls.map(\.name)))
        let folder = try ResultFolder(final: folderURL)
        var committed = false
        defer { if !committed { folder.abandon() } }

        final class Log: @unchecked Sendable {
            var text = ""
            let lock = NSLock()
            let echo: Bool
            init(echo: Bool) { self.echo = echo }
            func say(_ s: String) {
                lock.lock()
                text += s + "\n"
                lock.unlock()
                if echo { FileHandle.standardError.write((s + "\n").data(using: .utf8)!) }
            }
        }
        let log = Log(echo: !quiet)
        let jobs = self.jobs > 0 ? self.jobs : max(1, min(ls.count, Parallel.workers))
        log.say(
            "compare: \(ls.map(\.name).joined(separator: ", ")); "
                + (cold ? "\(jobs) solve(s) at a time" : "the first alone, then the others from its answer"))
        let runs = try CompareRunner.solve(ls, jobs: jobs, warm: !cold, log: { log.say($0) })
        let advice = try LimitAdvice.advise(runs: runs, layouts: ls, withinK: settings.adviceWithinK)
        var c = Comparison(
            layouts: ls, summaries: runs.map(\.summary), settings: settings,
            seedNodes: SeedNodes.load(meshes: meshes), advice: advice)
        c.jobs = jobs
        c.warmStart = !cold
        c.wallSeconds = Date().timeIntervalSince(t0)
        try CompareWriter.write(c, runs: runs, layouts: ls, to: folder.staging)
        log.say(String(format: "compared in %.1f s", Date().timeIntervalSince(t0)))
        try AtomicFile.write(log.text, to: folder.staging.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
        if !quiet {
            print("\n" + c.verdict.text.replacingOccurrences(of: "**", with: "") + "\n")
            print("results: \(folderURL.path)/report.md")
        }
        if !c.converged { throw ExitCode(3) }
    }
}
