import Foundation
import RackFlowNumerics
import RackFlowPhysics

extension ThermalResponse {
    /// Builds the model from a converged rack solve: the zero-power field, then one frozen-flow
    /// energy solve per part with 1 W spread over its heat cells as the compiled case spreads it
    /// (`FrozenFlowEnergy`, first-order upwind). The parts of one node are solved in lockstep
    /// from zero (`BatchedBiCGSTAB`): on the default rack the 90 responses took 87.5 s against
    /// 136.7 s one after another, each from the previous part's response (5,539 against 5,880
    /// iterations; answers within 7e-9 K/W). The rows are read from each field with the
    /// summary's own readers.
    ///
    /// Calibration: the solve advects with van Leer's scheme, the responses with upwind, which
    /// smears plumes and so moves each row's air temperature a few per cent. Each row's air
    /// responses are scaled by c_r = (air_r,solve − y_0,r) / Σ_g M_rg P_0,g, so that the model
    /// gives the solve's air temperatures at the solve's powers. With the flow frozen, scaling
    /// every power by s scales van Leer's rises by s as well (the limiter sees only ratios), so
    /// along that line only buoyancy's response separates model and solve; elsewhere c_r also
    /// differs between sources. The sweep's full re-solves measure both. A part's row then adds
    /// its compact model at the frozen local speed.
    public static func build(
        from run: SteadyRun, layout: RackLayout, input: String,
        tolerance: Double = 1e-7,
        log: (String) -> Void = { _ in }
    ) throws -> ThermalResponse {
        let t0 = Date()
        let s = run.solver
        let n = s.flow.grid.cellCount
        let op = FrozenFlowEnergy(s)
        let reader = ResponseRows(layout: layout, report: run.report, genericCase: run.genericCase)

        let zero = op.makeVector()
        BLAS.copy(n, s.temperature.p, zero.p)
        var iterations = [try op.solve(op.boundaryRHS, zero, tolerance: tolerance)]
        log("zero-power field: \(iterations[0]) BiCGSTAB iterations")
        let y0 = s.withTemperature(zero) { reader.air(s, linear: true) }

        let heat = s.flow.heatW
        let shares = layout.heatShares(report: run.report, heatW: heat)
        log(heatReconstruction(shares: shares, parts: layout.parts, heatW: heat))

        let groups = layout.parts.map { Group(name: $0.name, node: $0.node, kind: $0.kind, basePowerW: $0.powerW) }
        let rowCount = reader.count, groupCount = groups.count
        var matrix = [Double](repeating: 0, count: rowCount * groupCount)
        // The parts of one node are solved together, one column each (`BatchedBiCGSTAB`): the
        // operator's coefficients are read once for all of them.
        let batches = Self.batches(groups, maxColumns: Self.columnsThatFit(cells: n))
        let batch = op.batchedSolver(columns: batches.map(\.count).max() ?? 1)
        let b = batch.makeBlock(), x = batch.makeBlock(), field = op.makeVector()
        for cols in batches {
            let m = cols.count
            batch.setColumns(b, cols.map { shares[$0] })
            x.fill(0)
            let its = try batch.solve(b, x, columns: m, tolerance: tolerance)
            iterations += its
            for (j, g) in cols.enumerated() {
                batch.copyColumn(j, of: x, columns: m, into: field)
                BLAS.axpy(n, 1, zero.p, field.p)
                let y = s.withTemperature(field) { reader.air(s, linear: true) }
                for r in 0..<rowCount { matrix[r * groupCount + g] = y[r] - y0[r] }
            }
            log(
                "responses \(cols.lowerBound + 1)–\(cols.upperBound)/\(groupCount) (\(groups[cols.lowerBound].node)): "
                    + "\(its.min()!)–\(its.max()!) BiCGSTAB iterations")
        }

        // Calibration to the solve's air temperatures, then the parts' compact models.
        let base = groups.map(\.basePowerW)
        let solvedAir = reader.solvedAir(run.summary)
        var calibration = [Double](repeating: 1, count: rowCount)
        for r in 0..<rowCount {
            let upwindRise = (0..<groupCount).reduce(0.0) { $0 + matrix[r * groupCount + $1] * base[$1] }
            let solveRise = solvedAir[r] - y0[r]
            let c = solveRise / upwindRise
            guard abs(upwindRise) > 1e-6, c.isFinite, c > 0 else { continue }
            calibration[r] = c
            for g in 0..<groupCount { matrix[r * groupCount + g] *= c }
        }
        for (g, part) in layout.parts.enumerated() {
            let v = s.meanSpeed(cells: run.report.boxCells[part.regionBox] ?? [])
            matrix[g * groupCount + g] += part.compactKPerW(speedMPerS: v)
        }

        var loss: [String: Double] = [:]
        for nd in layout.nodes { loss[nd.name] = nd.dcPowerW > 0 ? (nd.heatW - nd.dcPowerW) / nd.dcPowerW : 0 }
        let solved = reader.solved(run.summary)
        var model = ThermalResponse(
            caseName: run.genericCase.name, input: input, cells: n, groups: groups,
            rows: (0..<rowCount).map { r in
                Row(
                    name: reader.names[r], kind: reader.kinds[r], node: reader.nodes[r], limitC: reader.limits[r],
                    zeroPowerC: y0[r], calibration: calibration[r], solveC: solved[r], modelC: .nan)
            },
            psuLossFraction: loss, buildSeconds: 0, solveIterations: iterations, matrix: matrix)
        let atBase = model.evaluate(base)
        for r in 0..<rowCount { model.rows[r].modelC = atBase[r] }
        model.buildSeconds = Date().timeIntervalSince(t0)
        return model
    }

    /// How many columns the lockstep solves may take: 12 at most, and their 96 bytes per cell
    /// and column (`BatchedBiCGSTAB`) within half the memory still available. Nine parts of a
    /// default node take 9 columns, 0.49 GB on the default rack.
    static func columnsThatFit(cells: Int) -> Int {
        guard let free = ResourceEstimate.availableBytes() else { return 12 }
        return min(12, max(1, Int(0.5 * free / (96 * Double(max(cells, 1))))))
    }

    /// Consecutive groups of one node, at most `maxColumns` together: the batches the response
    /// solves run in lockstep.
    static func batches(_ groups: [Group], maxColumns: Int = 12) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        for g in groups.indices.dropFirst() where groups[g].node != groups[start].node || g - start == maxColumns {
            out.append(start..<g)
            start = g
        }
        if !groups.isEmpty { out.append(start..<groups.count) }
        return out
    }

    /// How well the parts' shares rebuild the compiled heat field (cells shared by two parts'
    /// boxes would count twice).
    static func heatReconstruction(
        shares: [[(cell: Int, share: Double)]], parts: [RackLayout.PartInfo],
        heatW: [Double]
    ) -> String {
        guard !heatW.isEmpty else { return "no heat sources" }
        var rebuilt = [Double](repeating: 0, count: heatW.count)
        for (p, cells) in zip(parts, shares) { for (c, w) in cells { rebuilt[c] += p.powerW * w } }
        let worst = zip(rebuilt, heatW).map { abs($0 - $1) }.max() ?? 0
        let total = heatW.reduce(0, +)
        return String(format: "parts rebuild the heat field to %.1e W per cell (%.0f W in all)", worst, total)
    }
}
