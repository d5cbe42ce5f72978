import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Solve a rack (default: the bundled refinery rack) to steady state and write Results/<case>/.",
        discussion: "Writes summary.json, report.md, slices/*.png, fields.vtr and fields.vti (ParaView), residuals.csv and log.txt, all at once when the run ends; a failed run leaves no partial folder."
    )
    @Argument(help: "Rack or case file (default: Meshes/racks/refinery-rack.yaml).") var config: String?
    @Option(help: "Result folder (default: Results/<case name>).") var output: String?
    @Option(help: "Largest grid spacing, m (overrides the file).") var maxSpacing: Double?
    @Option(help: "Outer iteration limit (overrides the file).") var maxIterations: Int?
    @Option(help: "Uniform spacing of fields.vti, m (fields.vtr keeps the solver's own grid).") var vtiSpacing: Double = 0.01
    @Flag(help: "No progress line, no summary on stdout.") var quiet = false

    func run() throws {
        let t0 = Date()
        var log = RunLog(echo: !quiet)
        let c = try loadCase(config, maxSpacing: maxSpacing)
        var gc = c.genericCase
        if let m = maxIterations {
            guard m >= 1 else { throw ValidationError("--max-iterations must be ≥ 1") }
            gc.options.maxIterations = m
        }
        let (flow, options, report) = try gc.compile()
        log.say("case \(gc.name) from \(c.path): \(flow.grid.cellCount) cells (\(flow.grid.nx) × \(flow.grid.ny) × \(flow.grid.nz)), largest spacing \(gc.constraints.maxSpacingM) m")
        let solver = try FlowSolver(flow, options: options)
        let folderURL = URL(fileURLWithPath: output ?? "Results/\(gc.name)")
        let folder = try ResultFolder(final: folderURL)
        var committed = false
        defer { if !committed { folder.abandon() } }

        // Monitors: the flow through every node's mesh and the hottest part region's air.
        var monitors: [FlowSolver.Monitor] = []
        if let layout = c.layout {
            for n in layout.nodes {
                guard let pf = report.planeFaces[n.frontPlane] else { continue }
                monitors.append(FlowSolver.Monitor(n.name) { $0.flowRate(axis: pf.axis, faces: pf.faces) })
            }
            let gpuCells = layout.parts.filter { $0.kind == "gpu" }.flatMap { report.boxCells[$0.regionBox] ?? [] }
            if !gpuCells.isEmpty { monitors.append(FlowSolver.Monitor("max GPU air") { $0.temperatureStats(cells: gpuCells).maxC }) }
        }
        let progress = SolveProgress(enabled: !quiet, tolerance: options.tolerance, maxIterations: options.maxIterations)
        let tSolve = Date()
        var converged = true
        do {
            // Converged also means the rack's books balance: mass to 1e-6, energy to 0.5 %.
            let accept: (FlowSolver) -> Bool = { s in
                let b = s.balance()
                return b.relativeMassImbalance <= 1e-6 && (!s.flow.solveEnergy || b.relativeEnergyError <= 0.005)
            }
            try solver.solveSteady(monitors: monitors, accept: accept) { r in progress.update(r, solver: solver) }
        } catch FlowSolverError.notConverged(let n, _) {
            converged = false
            progress.finish()
            log.say("warning: not converged after \(n) iterations; results are written with converged: false")
        }
        progress.finish()
        let solveSeconds = Date().timeIntervalSince(tSolve)

        var summary = SolveSummary(solver: solver, genericCase: gc, report: report, layout: c.layout)
        summary.converged = converged
        summary.solveSeconds = solveSeconds
        summary.iterations = solver.history.last?.iteration ?? 0
        log.say(String(format: "%d iterations in %.1f s (%.2f s each); mass imbalance %.1e, energy error %.1e",
                       summary.iterations, solveSeconds, solveSeconds / Double(max(summary.iterations, 1)),
                       summary.balance.massImbalance, summary.balance.energyError))

        // Outputs.
        let dir = folder.staging
        summary.wallSeconds = Date().timeIntervalSince(t0)
        try ResultWriter.write(summary: summary, solver: solver, genericCase: gc, layout: c.layout, report: report,
                               source: c.path, to: dir, vtiSpacingM: vtiSpacing, log: &log)
        try ResultWriter.writeSummary(summary, to: dir)
        try AtomicFile.write(log.text, to: dir.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
        if !quiet { print(ResultWriter.consoleTable(summary, folder: output ?? "Results/\(gc.name)")) }
        if !converged { throw ExitCode(3) }
    }
}

/// Lines for log.txt, echoed to stderr when wanted.
struct RunLog: TextOutputStreamLike {
    var echo: Bool
    var text = ""
    mutating func say(_ s: String) {
        text += s + "\n"
        if echo { FileHandle.standardError.write((s + "\n").data(using: .utf8)!) }
    }
}

/// Iteration, residuals, monitors and an ETA from the residual's recent decay rate, on one
/// terminal line; nothing when stderr is not a terminal (pipes, CI).
final class SolveProgress {
    let enabled: Bool
    let tolerance: Double
    let maxIterations: Int
    var lastPrint = Date.distantPast
    let start = Date()
    var window: [(Int, Double)] = []

    init(enabled: Bool, tolerance: Double, maxIterations: Int) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
        self.tolerance = tolerance; self.maxIterations = maxIterations
    }

    func update(_ r: Residuals, solver: FlowSolver) {
        guard enabled else { return }
        let worst = max(r.mass, r.velocityChange, r.temperatureChange)
        window.append((r.iteration, log10(max(worst, 1e-300))))
        if window.count > 50 { window.removeFirst() }
        guard Date().timeIntervalSince(lastPrint) > 0.25 else { return }
        lastPrint = Date()
        let perIt = Date().timeIntervalSince(start) / Double(max(r.iteration, 1))
        var eta = "?"
        if let a = window.first, let b = window.last, b.0 > a.0 {
            let slope = (b.1 - a.1) / Double(b.0 - a.0)
            if slope < 0 {
                let left = min((log10(tolerance) - b.1) / slope, Double(maxIterations - r.iteration))
                eta = String(format: "%.0f s", max(left, 0) * perIt)
            }
        }
        let line = String(format: "\r  it %5d  mass %.1e  Δu %.1e  ΔT %.1e  %.2f s/it  ETA %@   ", r.iteration, r.mass, r.velocityChange,
                          r.temperatureChange, perIt, eta)
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }

    func finish() {
        if enabled && lastPrint != .distantPast { FileHandle.standardError.write("\n".data(using: .utf8)!); lastPrint = .distantPast }
    }
}
