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
}
