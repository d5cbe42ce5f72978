import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowModel
import RackFlowExport

struct ResponseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "response",
        abstract: "Build a rack's thermal response model: every part temperature as a linear function of the "
            + "part powers, at the solve's flow.",
        discussion: "Solves the rack (or continues from --from's solution), freezes its flow and solves the energy "
            + "equation once per part with 1 W in it. Writes response.json, response.bin (K/W, float64), "
            + "report.md, state/ and log.txt to Results/<case>-response/, all at once. rackflow sweep answers "
            + "power what-ifs from it in microseconds."
    )
    @Argument(help: "Rack file (default: Meshes/racks/refinery-rack.yaml).") var config: String?
    @Option(help: "Model folder (default: Results/<case name>-response).") var output: String?
    @Option(help: "Largest grid spacing, m (overrides the file).") var maxSpacing: Double?
    @Option(help: "Start the solve from an earlier result folder's solution (its state/).") var from: String?
    @Flag(help: "No progress line, no summary on stdout.") var quiet = false

    func run() throws {
        let c = try loadCase(config, maxSpacing: maxSpacing)
        let folder = output ?? "Results/\(c.genericCase.name)-response"
        let model = try Self.build(c, from: from, folder: URL(fileURLWithPath: folder), quiet: quiet)
        if !quiet { print(ResponseReport.summaryLine(model, folder: folder)) }
    }

    /// Solves `c`, builds its model and writes the model folder atomically.
    static func build(_ c: CaseFile, from: String?, folder url: URL, quiet: Bool) throws -> ThermalResponse {
        guard let layout = c.layout else {
            throw InputError(
                file: c.path, line: nil, keyPath: "nodes",
                problem: "a generic case, not a rack: a response model needs parts with powers")
        }
        var log = RunLog(echo: !quiet)
        let (_, _, voxels) = try c.genericCase.compile() // a bad input fails before a folder exists
        let folder = try ResultFolder(final: url)
        var committed = false
        defer { if !committed { folder.abandon() } }
        let start = try from.map { try SolveCommand.readSolution($0) }
        let progress = SolveProgress(
            enabled: !quiet, maxIterations: c.genericCase.options.maxIterations,
            monitors: SolveProgress.rackMonitors(layout, voxels))
        let run = try SteadyRun.run(
            c,
            log: { line in
                progress.finish()
                log.say(line)
            }, progress: { r, s in progress.update(r, solver: s) }, start: start)
        progress.finish()
        guard run.summary.converged else {
            throw InputError(
                file: c.path, line: nil, keyPath: "",
                problem: "the steady solve did not converge in \(run.summary.iterations) outer "
                    + "iterations; a response model needs a converged flow")
        }
        log.say(
            "steady solve: \(run.summary.iterations) outer iterations in "
                + String(format: "%.1f s", run.summary.solveSeconds))
        let model = try ThermalResponse.build(from: run, layout: layout, input: c.path, log: { log.say($0) })
        let dir = folder.staging
        try model.write(to: dir)
        try SolveCommand.writeSolution(run, input: c.path, into: dir)
        let md = ResponseReport.markdown(
            model, solveSeconds: run.summary.solveSeconds,
            iterations: run.summary.iterations)
        try AtomicFile.write(md, to: dir.appendingPathComponent("report.md"))
        // Into log.txt only: the command prints the same line on stdout when it ends.
        log.text += ResponseReport.summaryLine(model, folder: url.path) + "\n"
        try AtomicFile.write(log.text, to: dir.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
        return model
    }
}
