import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowBench
import RackFlowExport

extension Bench {
    struct CavityCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cavity",
            abstract: "Steady lid-driven cavity (SIMPLEC), 2D or 3D, with centreline profiles."
        )
        @Option(help: "Cells along each axis.") var n: Int = 64
        @Option(help: "Reynolds number U L / ν.") var re: Double = 100
        @Flag(name: .customLong("2d"), help: "One cell deep with symmetry sides (the Ghia et al. case).") var twoD =
            false
        @Option(help: "Steady convergence tolerance (normalised residuals).") var tolerance: Double = 1e-6
        @Option(help: "Cluster the grid toward the walls (tanh strength).") var stretch: Double = 0
        @Option(help: "Write u_vertical.csv and v_horizontal.csv here.") var profile: String?
        @Option(help: "Write the fields for ParaView to this .vtr file (VTK rectilinear grid).") var vtk: String?
        @Option(help: "Iteration limit.") var maxIterations: Int = 5000
        @Option(
            help: ArgumentHelp(
                "Momentum inner solve: red–black Gauss–Seidel sweeps per outer iteration, or 0 for BiCGSTAB to "
                    + "--momentum-tolerance.")
        )
        var momentumSweeps: Int = SimpleOptions().momentumSweeps
        @Option(help: "Residual reduction of the BiCGSTAB momentum solve (with --momentum-sweeps 0).")
        var momentumTolerance: Double = SimpleOptions().momentumTolerance
        @Flag(
            help: ArgumentHelp(
                "Stop on OpenFOAM's normalised momentum residual (and the mass residual) instead of the "
                    + "per-iteration change.")
        ) var normalisedResidual = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let fc = Cavity.flowCase(n: n, reynolds: re, threeD: !twoD, stretch: stretch)
            var opts = SimpleOptions()
            opts.tolerance = tolerance
            opts.maxIterations = maxIterations
            if normalisedResidual { opts.criterion = .normalisedResidual }
            opts.momentumSweeps = momentumSweeps
            opts.momentumTolerance = momentumTolerance
            let t0 = Date()
            let solver = try FlowSolver(fc, options: opts)
            let progress = Progress(enabled: !json)
            // Converged also means the centreline's extreme velocity has stopped moving.
            let centre = Cavity.Monitor.minimumCentrelineU
            let last = try solver.solveSteady(monitors: [centre], progress: { r in progress.update(r) })
            let balance = solver.balance()
            progress.finish()
            let seconds = Date().timeIntervalSince(t0)
            let prof = Cavity.centrelines(solver)
            if let dir = profile {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                let u = "y,u\n" + zip(prof.y, prof.u).map { "\($0),\($1)" }.joined(separator: "\n") + "\n"
                let v = "x,v\n" + zip(prof.x, prof.v).map { "\($0),\($1)" }.joined(separator: "\n") + "\n"
                try u.write(toFile: dir + "/u_vertical.csv", atomically: true, encoding: .utf8)
                try v.write(toFile: dir + "/v_horizontal.csv", atomically: true, encoding: .utf8)
            }
            if let path = vtk {
                let fields = VTKWriter.flowFields(solver)
                try VTKWriter.rectilinear(
                    grid: fc.grid, cellData: fields.0, vectors: fields.1, to: URL(fileURLWithPath: path))
            }
            let cells = fc.grid.cellCount
            if json {
                let obj: [String: Any] = [
                    "cells": cells, "iterations": last.iteration, "seconds": seconds,
                    "usPerCellIteration": seconds / Double(cells * last.iteration) * 1e6,
                    "massResidual": last.mass, "velocityChange": last.velocityChange, "reynolds": re,
                ]
                print(
                    String(
                        decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self
                    ))
            } else {
                print(
                    "cavity Re \(re), \(cells) cells: \(last.iteration) iterations, "
                        + "\(String(format: "%.2f", seconds)) s; mass residual \(String(format: "%.1e", last.mass)), "
                        + "mass in \(balance.massInKgPerS) kg/s (closed box)"
                )
            }
        }
    }
}

/// A one-line progress display on a terminal; silent when stderr is not a terminal.
final class Progress {
    let enabled: Bool
    var lastPrint = Date.distantPast
    init(enabled: Bool) { self.enabled = enabled && isatty(STDERR_FILENO) != 0 }
    func update(_ r: Residuals) {
        guard enabled, Date().timeIntervalSince(lastPrint) > 0.2 else { return }
        lastPrint = Date()
        let line = String(
            format: "\r  iteration %6d  mass %.2e  Δu %.2e  ΔT %.2e  p-iters %d ", r.iteration, r.mass,
            r.velocityChange, r.temperatureChange, r.pressureIterations)
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }
    func finish() { if enabled { FileHandle.standardError.write("\n".data(using: .utf8)!) } }
}

extension Bench {
    struct Flow: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Cost of SIMPLEC outer iterations on a 3D heated box with obstacles, a porous block, a fan and a "
                + "perforated sheet."
        )
        @Option(help: "Cells along each axis.") var n: Int = 100
        @Option(help: "Outer iterations to time.") var iterations: Int = 20
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard n >= 8 && n <= 400 else { throw ValidationError("--n must be between 8 and 400 (got \(n))") }
            guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        }

        func run() throws {
            let progress = Progress(enabled: !json)
            let r = try FlowBenchmark.run(n: n, iterations: iterations) { progress.update($0) }
            progress.finish()
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys]
                print(String(decoding: try enc.encode(r), as: UTF8.self))
                return
            }
            print(
                """
                bench flow — 3D heated box, \(r.cells) cells (\(r.n)³), \(r.workers) workers; \(r.machine)
                  setup            \(String(format: "%.2f", r.setupSeconds)) s
                  iterations       \(r.iterations) in \(String(format: "%.2f", r.seconds)) s \
                (\(String(format: "%.2f", r.iterationsPerSecond)) per second)
                  cost             \(String(format: "%.3f", r.usPerCellIteration)) µs per cell per iteration
                  peak memory      \(r.peakResidentBytes >> 20) MiB, \(String(format: "%.0f", r.bytesPerCell)) bytes \
                per cell
                """)
        }
    }
}
