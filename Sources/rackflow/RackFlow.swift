import ArgumentParser
import Foundation
import RackFlowNumerics

@main
struct RackFlow: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "rackflow",
        abstract: "Airflow and thermal solver for sealed GPU server racks.",
        discussion:
            "RackFlow discretises a sealed rack on a Cartesian finite-volume grid and solves the air's velocity, "
            + "pressure and temperature (OpenBLAS and LAPACK underneath).",
        version: version,
        subcommands: [
            SolveCommand.self, CaseCommand.self, MeshCommand.self, StudyCommand.self, CompareCommand.self,
            SurgeCommand.self, RoomCommand.self, ResponseCommand.self, SweepCommand.self, FuzzCommand.self,
            UnseenCommand.self, Bench.self,
        ]
    )

    /// Parses and runs a subcommand. A command-line value refused in `run()` (one judged against
    /// the input, such as `--frames` past the scenario's end, or checked where MPI ranks agree
    /// on it) is a usage error like one refused while parsing: exit 64 with that subcommand's
    /// usage. ArgumentParser's own `main` printed the top level's usage for these.
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let e as ValidationError {
            let path = commandPath(to: type(of: command)) ?? ["rackflow"]
            let text =
                "Error: \(e.message)\nUsage: " + usageString(for: type(of: command)) + "\n"
                + "  See '\(path.joined(separator: " ")) --help' for more information.\n"
            FileHandle.standardError.write(text.data(using: .utf8)!)
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }

    /// The command names from the root down to `target` ("rackflow study grid"), nil if absent.
    static func commandPath(
        to target: ParsableCommand.Type, from node: ParsableCommand.Type = RackFlow.self
    ) -> [String]? {
        if ObjectIdentifier(target) == ObjectIdentifier(node) { return [node._commandName] }
        for sub in node.configuration.subcommands {
            if let rest = commandPath(to: target, from: sub) { return [node._commandName] + rest }
        }
        return nil
    }
}
