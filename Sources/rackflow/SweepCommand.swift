import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowExport
import RackFlowNumerics

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Answer a grid of part powers from the rack's thermal response model: hottest part, least margin, "
            + "feasible region, the largest power per key.",
        discussion: "KEY is a part kind (gpu, cpu, memory, nic, board), optionally behind nodes (node03/cpu, "
            + "node03,node04/cpu); powers are per part, in W. Uses Results/<case>-response/ (built first when "
            + "missing) and re-solves the corners and centre of the swept box in full to measure the model's "
            + "error there (--no-check skips that). Writes sweep.csv, report.md, report.html and margin-map.png "
            + "to Results/<case>-sweep/, all at once."
    )
    @Argument(help: "Rack file (default: Meshes/racks/refinery-rack.yaml).") var config: String?
    @Option(name: .customLong("vary"), help: "KEY=FROM:TO:COUNT, e.g. gpu=150:300:16 (repeat for more keys).")
    var vary: [String] = []
    @Option(help: "Response model folder (default: Results/<case name>-response).") var model: String?
    @Option(help: "Result folder (default: Results/<case name>-sweep).") var output: String?
    @Option(help: "Largest grid spacing, m (overrides the file; must match the model's).") var maxSpacing: Double?
    @Flag(help: "Skip the full re-solves that check the model.") var noCheck = false
    @Flag(help: "No progress, no summary on stdout.") var quiet = false

    func run() throws {
        guard !vary.isEmpty else { throw ValidationError("give at least one --vary KEY=FROM:TO:COUNT") }
        guard vary.count <= 3 else { throw ValidationError("at most three --vary keys (got \(vary.count))") }
        // `--vary gpu 150:300:4` leaves the range as the rack file's place.
        let range = config?.split(separator: ":") ?? []
        if let cfg = config, !FileManager.default.fileExists(atPath: cfg), range.count == 3,
            range.allSatisfy({ Double($0) != nil })
        {
            throw ValidationError("\(cfg) is a FROM:TO:COUNT, not a rack file: write --vary KEY=\(cfg)")
        }
        let c = try loadCase(config, maxSpacing: maxSpacing)
        guard let layout = c.layout else {
            throw InputError(
                file: c.path, line: nil, keyPath: "nodes",
                problem: "a generic case, not a rack: a sweep varies part powers")
        }
        var log = RunLog(echo: !quiet)
        // The keys are checked against the rack's parts first: a typo fails before any solve.
        let parts = layout.parts.map {
            ThermalResponse.Group(name: $0.name, node: $0.node, kind: $0.kind, basePowerW: $0.powerW)
        }
        // A bad --vary is a bad command-line option: exit 64 with the usage, as for every command.
        do {
            try PowerSweep.check(try vary.map { try SweepKey(parsing: $0, groups: parts) }, groups: parts)
        } catch let e as InputError {
            throw ValidationError("\(e.keyPath): \(e.problem)")
        }
        let modelFolder = model ?? "Results/\(c.genericCase.name)-response"
        let response = try responseModel(c, layout: layout, folder: modelFolder, log: &log)
        let keys = try vary.map { try SweepKey(parsing: $0, model: response) }
        let t0 = Date()
        let sweep = try PowerSweep(model: response, keys: keys)

        let (checks, note) = try check(sweep, c, layout: layout, modelFolder: modelFolder, log: &log)
        let folderURL = URL(fileURLWithPath: output ?? "Results/\(c.genericCase.name)-sweep")
        let folder = try ResultFolder(final: folderURL)
        var committed = false
        defer { if !committed { folder.abandon() } }
        try SweepWriter.write(sweep, checks: checks, checkNote: note, modelFolder: modelFolder, to: folder.staging)
        let feasible = sweep.points.filter(\.feasible).count
        log.say(
            String(
                format: "%d points in %.1f ms, %d feasible; checks and report %.1f s → %@",
                sweep.points.count, 1e3 * sweep.evaluationSeconds, feasible, Date().timeIntervalSince(t0),
                folderURL.path))
        for l in sweep.limits() {
            let text =
                l.largestW != nil && !l.pastLimitAtZero
                ? SweepWriter.limitText(l) + " W (\(l.limitingPart ?? "—"))" : SweepWriter.limitText(l)
            log.say("largest \(l.key) power with every margin ≥ 0: \(text)")
        }
        try AtomicFile.write(log.text, to: folder.staging.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
    }
}

extension SweepCommand {
    /// The response model in `folder`, built there first if the folder is the default one and
    /// empty; refused if it was built for another case, grid or set of parts.
    func responseModel(
        _ c: CaseFile, layout: RackLayout, folder modelFolder: String, log: inout RunLog
    ) throws
        -> ThermalResponse
    {
        let modelURL = URL(fileURLWithPath: modelFolder)
        let index = modelURL.appendingPathComponent("response.json")
        if !FileManager.default.fileExists(atPath: index.path) {
            // Built only where nothing else lives: a named folder must already hold a model.
            guard model == nil else {
                throw InputError(
                    file: index.path, line: nil, keyPath: "--model",
                    problem: "no response model here: build one with rackflow response --output "
                        + modelFolder)
            }
            log.say("no response model in \(modelFolder): building it")
            let built = try ResponseCommand.build(c, from: nil, folder: modelURL, quiet: quiet)
            log.say(ResponseReport.summaryLine(built, folder: modelFolder))
        }
        let response = try ThermalResponse.read(from: modelURL)
        let cells = try c.genericCase.buildGrid().cellCount
        guard response.caseName == c.genericCase.name, response.groups.map(\.name) == layout.parts.map(\.name),
            response.cells == cells
        else {
            throw InputError(
                file: index.path, line: nil, keyPath: "",
                problem: "a model of \(response.caseName) on \(response.cells) cells with "
                    + "\(response.groups.count) parts, not of \(c.genericCase.name) on \(cells) cells "
                    + "(\(layout.parts.count) parts; --max-spacing must match the model's): "
                    + "build it with rackflow response")
        }
        return response
    }

    /// Full re-solves at the sweep's check points, against the model (none with --no-check,
    /// and a note saying so).
    func check(
        _ sweep: PowerSweep, _ c: CaseFile, layout: RackLayout, modelFolder: String, log: inout RunLog
    ) throws -> ([SweepCheck], String?) {
        var checks: [SweepCheck] = []
        var note: String?
        if noCheck {
            note = "Not checked (--no-check): the model's error inside this box is not measured.\n"
        } else {
            let start = try SolveCommand.readSolution(modelFolder)
            for (i, values) in sweep.checkPoints.enumerated() {
                let check = try SweepCheck.run(c, layout: layout, sweep: sweep, valuesW: values, start: start)
                log.say(
                    String(
                        format: "check %d/%d at %@ W: %d outer iterations, %.0f s, model within %.3f K (%@)",
                        i + 1, sweep.checkPoints.count,
                        values.map { String(format: "%.0f", $0) }.joined(separator: ", "),
                        check.iterations, check.seconds, check.maxErrorK, check.worstPart))
                checks.append(check)
            }
        }
        return (checks, note)
    }
}
