import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The `rackflow bench flow` case: a 1 m cube of air on N³ cells with every object the
/// solver knows — an inlet and an outlet patch, two solid obstacles, a porous block that
/// releases 300 W (a heat sink), a fan plane and a perforated sheet — with buoyancy and
/// energy on. It measures the cost of SIMPLEC outer iterations, not a converged answer.
public enum FlowBenchmark {
    public static func flowCase(n: Int) throws -> FlowCase {
        let grid = Grid.uniform(n, n, n, size: (1, 1, 1))
        var fc = FlowCase(grid: grid)
        fc.gravity = true
        fc.solveEnergy = true
        fc.turbulence = .constantEddyViscosity(100 * fc.fluid.viscosityPaS)
        fc.patches = [
            Patch(
                name: "inlet", side: .west, lo: (0.2, 0.1), hi: (0.8, 0.5),
                kind: .velocityInlet(speedMPerS: 1, temperatureC: 20)),
            Patch(
                name: "outlet", side: .east, lo: (0.2, 0.5), hi: (0.8, 0.9),
                kind: .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)),
        ]
        fc.tags.fill(.solid, lo: (0.3, 0.2, 0.0), hi: (0.45, 0.5, 0.4))
        fc.tags.fill(.solid, lo: (0.6, 0.55, 0.3), hi: (0.75, 0.9, 0.7))
        fc.tags.fill(.porous, lo: (0.45, 0.1, 0.5), hi: (0.6, 0.4, 0.8))
        fc.heatW = [Double](repeating: 0, count: grid.cellCount)
        let porousCells = (0..<grid.cellCount).filter { fc.tags.cells[$0] == .porous }
        for c in porousCells {
            fc.porous[c] = PorousCoefficients(inverseKPerM2: (1e6, 1e7, 1e7), c2PerM: (20, 200, 200))
            fc.heatW[c] = 300 / Double(porousCells.count)
        }
        // Fan on the x-faces at x = 0.2, perforated sheet on the x-faces at x = 0.8.
        let iFan = grid.x.cell(containing: 0.2 + 1e-9), iSheet = grid.x.cell(containing: 0.8 + 1e-9)
        var fanFaces: [Int] = []
        let zeta = try PerforatedPlate.sharpEdgedZeta(freeArea: 0.7)
        for k in 0..<n {
            for j in 0..<n {
                let y = grid.y.centres[j], z = grid.z.centres[k]
                if y > 0.3 && y < 0.7 && z > 0.2 && z < 0.6 {
                    let f = fc.tags.faceIndex(axis: 0, iFan, j, k)
                    fc.tags.faces[0][f] = .fan
                    fanFaces.append(f)
                }
                let s = fc.tags.faceIndex(axis: 0, iSheet, j, k)
                fc.tags.faces[0][s] = .porousSheet
                fc.sheetZeta[0][s] = zeta
            }
        }
        let area = fanFaces.count == 0 ? 1 : 0.4 * 0.4
        let curve = try FanCurve.quadratic(maxPressurePa: 50, freeDeliveryM3PerS: 0.5, rpm: 3000)
        fc.fans = [
            FanFaces(
                name: "fan", axis: 0, direction: 1, faces: fanFaces, curve: curve, rpm: 3000,
                areaM2: area, densityKgPerM3: fc.fluid.densityKgPerM3)
        ]
        return fc
    }

    public struct Result: Codable {
        public var n: Int
        public var cells: Int
        public var iterations: Int
        public var setupSeconds: Double
        public var seconds: Double
        public var iterationsPerSecond: Double
        public var usPerCellIteration: Double
        public var peakResidentBytes: Int
        public var bytesPerCell: Double
        public var finalMassResidual: Double
        public var workers: Int
        public var machine: String
    }

    /// Builds the case and runs `iterations` SIMPLEC outer iterations.
    public static func run(n: Int, iterations: Int, progress: ((Residuals) -> Void)? = nil) throws -> Result {
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
        let t0 = clock()
        let fc = try flowCase(n: n)
        let solver = try FlowSolver(fc)
        let t1 = clock()
        var last: Residuals?
        for _ in 0..<iterations {
            last = try solver.iterate()
            progress?(last!)
        }
        let t2 = clock()
        let peak = Machine.peakResidentBytes()
        let cells = fc.grid.cellCount
        return Result(
            n: n, cells: cells, iterations: iterations, setupSeconds: t1 - t0, seconds: t2 - t1,
            iterationsPerSecond: Double(iterations) / (t2 - t1),
            usPerCellIteration: (t2 - t1) / Double(cells * iterations) * 1e6,
            peakResidentBytes: peak, bytesPerCell: Double(peak) / Double(cells),
            finalMassResidual: last?.mass ?? .nan, workers: Parallel.workers, machine: Machine.description)
    }
}
