import Foundation
import RackFlowModel
import RackFlowNumerics

/// `report.md`: the solve told top to bottom for a person — setup, per-node airflow, the
/// hottest parts and their margins, fans, balances, pictures.
public enum ReportWriter {

    /// The steady stopping rule this solve was held to (Results/SteadyRun.swift, MonitorSettling).
    static func stoppingRule(_ s: SolveSummary, _ gc: GenericCase) -> String {
        let residuals = String(
            format: "normalised mass residual, velocity change%@ below %.0e",
            gc.energy ? " and RMS temperature change" : "", gc.options.tolerance)
        let balances = "mass balance to 1e-6" + (gc.energy ? " and energy balance to 0.5 %" : "")
        guard !s.nodes.isEmpty else {
            return String(
                format: "Stopping rule: each patch's flow, each inlet's pressure, each fan's flow, each sheet's "
                    + "and wall's flow and pressure drop and each box's flow settled to %.1f %%%@ (flat over 20 "
                    + "iterations, and the change still to come, extrapolated from the last two 20-iteration "
                    + "changes, as small); as safeguards the %@ and %@.",
                100 * CaseMonitors.flowTolerance,
                gc.energy
                    ? String(
                        format: ", each outlet's outflow and each box's mean and hottest air temperature to %.2f K",
                        CaseMonitors.temperatureToleranceK) : "",
                residuals, balances)
        }
        return String(
            format: "Stopping rule: every node's flow and the plenum pressure settled to %.1f %%, "
                + "the hottest GPU air and every part's air temperature to %.2f K (flat over 20 iterations, "
                + "and the change still to come, extrapolated from the last two 20-iteration changes, as "
                + "small); as safeguards "
                + "the %@ and %@.", 100 * SteadyRun.flowTolerance, SteadyRun.temperatureToleranceK,
            residuals, balances)
    }

    public static func markdown(
        _ s: SolveSummary, genericCase gc: GenericCase, source: String,
        pictures: [(file: String, caption: String)]
    ) -> String {
        var r = heading(s, genericCase: gc, source: source)
        r += setup(s, genericCase: gc)
        r += nodeTable(s)
        if let o = s.objects { r += objectTables(o) }
        r += partTables(s)
        r += fanTable(s)
        r += balances(s)
        r += picturesAndFiles(pictures)
        return r
    }

    /// The title, the run's outcome, the stopping rule, time averages, warnings and adaptations.
    static func heading(_ s: SolveSummary, genericCase gc: GenericCase, source: String) -> String {
        var r = "# RackFlow report: \(s.caseName)\n\n"
        r += "Source `\(source)`, solved \(iso(Date())). "
        if let ta = s.timeAveraged {
            r += "**Time-averaged**: the flow has no steady state (the steady iteration stalled after \(s.iterations) "
            r += "iterations under its strongest damping), so every figure below is a mean over "
            r += String(format: "%.3g s (%d time steps after %.3g s of spin-up)", ta.windowS, ta.steps, ta.spinUpS)
            r += ta.settled ? "" : ", and the running means had not settled at the averaging limit"
        } else {
            r +=
                s.converged
                ? "Converged in \(s.iterations) iterations"
                : "**Not converged** after \(s.iterations) iterations (read the numbers as provisional)"
        }
        r += String(format: "; %.1f s wall time (%.1f s in the solver).\n\n", s.wallSeconds, s.solveSeconds)
        if let from = s.startedFrom { r += "Started from \(from) instead of from rest.\n\n" }
        if let at = s.resumedAtIteration {
            r += "Resumed from a checkpoint at iteration \(at); the times above are of the \(s.iterationsThisRun) "
            r += "iterations after it.\n\n"
        }
        if let ta = s.timeAveraged {
            // The steady rule was not met; say what ended the average instead.
            r += String(
                format: "Averaging rule: every watched quantity's running mean over the window within 0.1 %% of "
                    + "itself (or 2 %% of its band) of its mean over the window's first half, the window "
                    + "growing a flow-through time (%.3g s) at a time up to ten", ta.flowThroughS)
            if let speed = ta.flowSpeedMPerS, let transit = ta.transitS, let courant = ta.courantNumber {
                r += String(
                    format:
                        " (the largest side over the air's rms speed, at least a tenth of the speed scale: %.3g m/s), "
                        + "after a spin-up of %.3g s "
                        + "(a transit time, %.3g s, and any air-warming steps); steps of %.3g s, Courant number %.2g "
                        + "at the start", speed, ta.spinUpS, transit, ta.stepS, courant)
            }
            r += ".\n\n"
            if let aw = ta.airWarming { r += airWarming(aw, transitS: ta.transitS ?? ta.flowThroughS) }
        } else {
            r += stoppingRule(s, gc) + "\n\n"
        }
        if let ta = s.timeAveraged, !ta.quantities.isEmpty {
            r += "## Time averages and their bands\n\n"
            r += "| quantity | mean | min | max | band |\n|---|---:|---:|---:|---:|\n"
            for q in ta.quantities {
                guard q.mean.isFinite else {
                    r += "| \(q.name) | – | – | – | – |\n" // never existed in the window (no air left)
                    continue
                }
                r += String(format: "| %@ | %.4g | %.4g | %.4g | %.3g |\n", q.name, q.mean, q.min, q.max, q.max - q.min)
            }
            r += "\n"
        }
        for w in s.warnings ?? [] { r += "**Warning:** " + w + ".\n\n" }
        if let adapted = s.adaptations, !adapted.isEmpty {
            r += "The solver adapted its damping on its own: " + adapted.joined(separator: "; ") + ".\n\n"
        }
        return r
    }

    /// The spin-up's shifts of the air's temperature (Results/AirWarming.swift), or the one taken back.
    static func airWarming(_ aw: AirWarming, transitS tau: Double) -> String {
        var r = String(
            format: "The air's heat content relaxes over %.3g s (%.3g transit times). ", aw.relaxationS,
            aw.relaxationS / tau)
        if let first = aw.storedW.first {
            r += String(
                format: "At the end of the spin-up it was still storing %.3g W of the %.3g W it is given, so every "
                    + "air cell's temperature was shifted by %+.3g K in all (%d shift%@), leaving %.3g W",
                first, aw.heatInW, aw.shiftsK.reduce(0, +), aw.shiftsK.count, aw.shiftsK.count == 1 ? "" : "s",
                aw.remainingW)
            r += aw.takenBackK == nil ? ".\n\n" : "; "
        }
        if let back = aw.takenBackK {
            r += String(
                format: "%@ shift of %+.3g K did not halve the heat the air stored and was taken back (the flow put "
                    + "back as it was before it).\n\n", aw.storedW.isEmpty ? "A" : "a further", back)
        } else if aw.storedW.isEmpty {
            r += "No shift was made: the heat it stored was within tolerance, or swung too much to act on.\n\n"
        }
        return r
    }

    /// ## Setup: domain, nodes, inlet, grid, physics.
    static func setup(_ s: SolveSummary, genericCase gc: GenericCase) -> String {
        var r = ""
        r += "## Setup\n\n"
        // A rack's axes have names; a generic case's only have gravity's direction, if any.
        let axes = !s.nodes.isEmpty ? " (x across, y front to back, z up)" : (gc.gravity ? " (gravity along −z)" : "")
        r += String(format: "- Domain %.3f × %.3f × %.3f m%@.\n", gc.size.0, gc.size.1, gc.size.2, axes)
        if s.nodes.isEmpty { r += sides(gc) }
        if !s.nodes.isEmpty {
            let types = Dictionary(grouping: s.nodes, by: \.type).map { "\($0.value.count) × \($0.key)" }.sorted()
                .joined(separator: ", ")
            r +=
                "- Nodes: \(types); \(s.nodes.map(\.gpus).reduce(0, +)) GPUs; heat released "
                + "\(w(s.nodes.map(\.powerW).reduce(0, +))) (parts plus PSU losses).\n"
        }
        if gc.closed {
            r += "- Closed: no inlet or outlet; the air only circulates.\n"
        } else if s.plenumPressurePa.isNaN {
            r += String(
                format: "- No inlet patch; %.3f m³/s (%.0f L/s) enters", s.inletFlowM3PerS, s.inletFlowM3PerS * 1000)
            r += (s.inletC.isFinite ? String(format: " at %.1f °C", s.inletC) : "") + " through the outlets.\n"
        } else {
            r += String(
                format:
                    "- Inlet %.3f m³/s (%.0f L/s) at %.1f °C (mixed over the inlets); the inlets need %.1f Pa above "
                    + "the outlets (plenum pressure).\n",
                s.inletFlowM3PerS, s.inletFlowM3PerS * 1000, s.inletC, s.plenumPressurePa)
        }
        r +=
            "- Grid: \(s.grid.cells) cells (\(s.grid.nx) × \(s.grid.ny) × \(s.grid.nz)), spacing "
            + "\(mm(s.grid.spacingM[0]))–\(mm(s.grid.spacingM[1])) mm (largest allowed "
            + "\(mm(s.grid.maxSpacingSettingM)) mm).\n"
        r +=
            "- Physics: \(turbulence(gc)); buoyancy \(gc.gravity ? "on" : "off"); temperature "
            + "\(gc.energy ? "solved" : "not solved").\n\n"
        return r
    }

    /// A generic case's sides that are not still adiabatic walls (lids, walls at a temperature,
    /// symmetry planes); "" when all are.
    static func sides(_ gc: GenericCase) -> String {
        let names = ["west", "east", "south", "north", "bottom", "top"]
        var parts: [String] = []
        for side in Side.allCases {
            guard let c = gc.sides[side] else { continue }
            switch c {
            case .symmetry:
                parts.append("\(names[side.rawValue]) symmetry")
            case let .wall(v, thermal):
                var what: [String] = []
                if v != (0, 0, 0) { what.append(String(format: "moving at (%.3g, %.3g, %.3g) m/s", v.0, v.1, v.2)) }
                if case let .temperatureC(t) = thermal { what.append(String(format: "at %.1f °C", t)) }
                if !what.isEmpty { parts.append("\(names[side.rawValue]) wall " + what.joined(separator: ", ")) }
            }
        }
        guard !parts.isEmpty else { return "" }
        return "- Sides: " + parts.joined(separator: "; ") + "; the rest adiabatic walls (where no patch is).\n"
    }

    /// ## Airflow per node (racks only).
    static func nodeTable(_ s: SolveSummary) -> String {
        let flows = s.nodes.map(\.flowM3PerS)
        let total = flows.reduce(0, +)
        var r = MarkdownTable.section(
            "Airflow per node",
            header:
                "| node | unit | type | flow (m³/s) | flow (L/s) | share | in (°C) | out (°C) | rise (K) | heat (W) |",
            alignment: "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
            rows: s.nodes.map { n in
                [
                    n.name, "U\(n.unit)", n.type, f(n.flowM3PerS, 4), f(n.flowM3PerS * 1000, 1),
                    "\(f(100 * n.flowM3PerS / max(total, 1e-300), 1)) %", f(n.inletC, 1), f(n.outletC, 1),
                    f(n.outletC - n.inletC, 1), f(n.powerW, 0),
                ]
            })
        if let lo = flows.min(), let hi = flows.max(), total > 0 {
            r +=
                "The least-fed node gets \(f(lo * 1000, 1)) L/s and the best-fed \(f(hi * 1000, 1)) L/s "
                + "(spread \(f(100 * (hi - lo) / (total / Double(flows.count)), 1)) % of the mean).\n\n"
        }
        return r
    }

    /// ## Parts nearest their limits (least margin first), then by kind with each kind's hottest.
    static func partTables(_ s: SolveSummary) -> String {
        guard !s.parts.isEmpty else { return "" }
        var r = MarkdownTable.section(
            "Parts nearest their limits (least margin first; the hottest of each kind is in the next table)",
            intro: "Temperatures come from compact models: the air around the part plus power × a resistance that "
                + "falls with the local air speed, R = R_ref (v / v_ref)^−n (`docs/modelling.md`, compact thermal "
                + "model). Limits and resistances are in the part files under `Meshes/parts/`.",
            header: "| part | model | power (W) | air (°C) | air speed (m/s) | temperature (°C) | limit (°C) "
                + "| margin (K) |",
            alignment: "|---|---|---:|---:|---:|---:|---:|---:|",
            rows: s.parts.sorted(by: { $0.marginK < $1.marginK }).prefix(12).map { p in
                [
                    p.name, p.model, f(p.powerW, 0), f(p.airC, 1), f(p.airSpeedMPerS, 2), f(p.temperatureC, 1),
                    f(p.limitC, 0), p.marginK < 0 ? "**\(f(p.marginK, 1))**" : f(p.marginK, 1),
                ]
            })
        r +=
            "### By kind, across the rack\n\n| kind | count | coolest (°C) | hottest (°C) | least margin (K) "
            + "|\n|---|---:|---:|---:|---:|\n"
        for (k, ps) in Dictionary(grouping: s.parts, by: \.kind).sorted(by: { $0.key < $1.key }) {
            let t = ps.map(\.temperatureC)
            r += MarkdownTable.row([k, "\(ps.count)", f(t.min()!, 1), f(t.max()!, 1), f(ps.map(\.marginK).min()!, 1)])
        }
        let below = s.parts.filter { $0.marginK < 0 }
        r +=
            below.isEmpty
            ? "\nEvery part is within its limit.\n\n" : "\n**\(below.count) part(s) exceed their limit.**\n\n"
        return r
    }

    /// ## Fans, by kind.
    static func fanTable(_ s: SolveSummary) -> String {
        let kinds = Dictionary(grouping: s.fans, by: \.kind).sorted(by: { $0.key < $1.key })
        let table = MarkdownTable.section(
            "Fans", header: "| kind | count | speed (rpm) | flow (m³/s), min–max | pressure rise (Pa), min–max |",
            alignment: "|---|---:|---:|---:|---:|",
            rows: kinds.map { k, fs in
                let q = fs.map(\.flowM3PerS), p = fs.map(\.pressureRisePa)
                let rpm = Set(fs.map { Int($0.rpm.isFinite && abs($0.rpm) < 1e15 ? $0.rpm.rounded() : -1) }).sorted()
                    .map(String.init).joined(separator: ", ")
                return [
                    k, "\(fs.count)", rpm, "\(f(q.min()!, 4))–\(f(q.max()!, 4))", "\(f(p.min()!, 1))–\(f(p.max()!, 1))",
                ]
            })
        return table.isEmpty ? "" : table + "Every fan's operating point is in `summary.json` (`fans`).\n\n"
    }

    /// ## Balances: mass, energy, the mixed-cup exhaust.
    static func balances(_ s: SolveSummary) -> String {
        var r = ""
        r += "## Balances\n\n"
        r +=
            "- Mass: \(String(format: "%.2e", s.balance.massImbalance)) relative imbalance (in "
            + "\(f(s.balance.massInKgPerS, 4)) kg/s).\n"
        let stored = s.balance.heatStoredW.map { "stored by the air over the averaging window " + w($0) + "; " }
        r += "- Energy: sources " + w(s.balance.heatSourcesW) + ", " + walls(s.balance.heatFromWallsW ?? 0)
        r += "carried out by the air " + w(s.balance.heatCarriedOutW) + "; " + (stored ?? "")
        r += "relative error " + String(format: "%.2e", s.balance.energyError) + ".\n"
        if let stored = s.balance.heatStoredW {
            // A window still warming or cooling the air: its means are off a statistically
            // steady state by as much, whatever the balance's closure. Judged on the heat put in as
            // the energy error counts it (`Balance.heatScaleW`, without its through-flow floor):
            // sources and the walls' heat in face by face, which a cavity heated at one wall and
            // cooled at the other does not net to nothing.
            let wallsIn = s.timeAveraged?.meanBalance?.heatInFromWallsW ?? 0
            let heatIn = abs(s.balance.heatSourcesW) + max(abs(s.balance.heatFromWallsW ?? 0), wallsIn)
            if heatIn > 0 && abs(stored) > 0.005 * heatIn {
                r += String(
                    format: "- The air %@ %.1f %% of the heat put in over the averaging window: its means are "
                        + "those of a window still %@, and a longer average would move them.\n",
                    stored > 0 ? "kept" : "gave back", 100 * abs(stored) / heatIn, stored > 0 ? "warming" : "cooling")
            }
        }
        if s.exhaustC.isFinite, s.inletFlowM3PerS > 0 {
            r +=
                "- Exhaust air \(f(s.exhaustC, 2)) °C (mixed-cup: weighted by the flow through each outlet face"
                + (s.nodes.isEmpty ? " air leaves by).\n" : ").\n")
        }
        r += "\n"
        return r
    }

    /// ## Pictures (the slices) and ## Files.
    static func picturesAndFiles(_ pictures: [(file: String, caption: String)]) -> String {
        var r = ""
        if !pictures.isEmpty {
            r +=
                "## Pictures\n\nGrey: solid parts. Thin black lines: walls; dashed: perforated sheets; red: fans; "
                + "thin outlines: parts.\n\n"
            for p in pictures {
                let title = p.caption.prefix(1).uppercased() + p.caption.dropFirst()
                r += "### \(title)\n\n![\(p.caption)](slices/\(p.file))\n\n"
            }
        }
        r +=
            "## Files\n\n- `summary.json`: every number above, machine-readable.\n- `fields.vtr` (exact grid) and "
            + "`fields.vti` (uniform resampling): temperature, pressure, speed, velocity, cell type for ParaView.\n- "
            + "`residuals.csv`, `log.txt`: the solve's history.\n"
        return r
    }

    /// Inlets and outlets; in a generic case also every box and plane (`ObjectSummary`).
    static func objectTables(_ o: ObjectSummary) -> String {
        let patches = MarkdownTable.section(
            "Inlets and outlets",
            intro: "Flows in each patch's own direction (into the domain at an inlet, out at an outlet); "
                + "temperatures mixed-cup (flow-weighted); area: of the boundary faces the patch takes, then of its "
                + "rectangle as written (they differ when its edges are not grid lines or a later patch overlaps it).",
            header:
                "| patch | kind | flow (m³/s) | flow (L/s) | temperature (°C) | mean pressure (Pa) "
                + "| area (m²), as written |",
            alignment: "|---|---|---:|---:|---:|---:|---:|",
            rows: o.patches.map { p in
                [
                    p.name, p.kind, f(p.flowM3PerS, 5), f(p.flowM3PerS * 1000, 2), f(p.temperatureC, 2),
                    f(p.pressurePa, 2), f(p.areaM2, 5) + ", " + f(p.writtenAreaM2, 5),
                ]
            })
        let boxes = MarkdownTable.section(
            "Boxes", intro: "Flow: the air entering the box across its surface.",
            header: "| box | kind | heat (W) | flow (m³/s) | mean air (°C) | hottest air (°C) |",
            alignment: "|---|---|---:|---:|---:|---:|",
            rows: o.boxes.map { b in
                [b.name, b.kind, f(b.powerW, 1), f(b.flowM3PerS, 5), f(b.meanC, 2), f(b.maxC, 2)]
            })
        let planes = MarkdownTable.section(
            "Sheets, walls and fans",
            intro: "Flow signed along the plane's normal axis; pressure drop: lower side minus upper side "
                + "(a fan's rise shows as a negative drop).",
            header: "| plane | kind | normal | area (m²) | flow (m³/s) | temperature (°C) | pressure drop (Pa) |",
            alignment: "|---|---|---|---:|---:|---:|---:|",
            rows: o.planes.map { p in
                [
                    p.name, p.kind, p.axis, f(p.areaM2, 4), f(p.flowM3PerS, 5), f(p.temperatureC, 2),
                    f(p.pressureDropPa, 2),
                ]
            })
        return patches + boxes + planes
    }

    static func turbulence(_ gc: GenericCase) -> String {
        switch gc.turbulence {
        case .laminar: return "laminar"
        case let .constantEddyViscosity(mu): return "constant eddy viscosity \(mu) Pa·s"
        case let .mixingLength(d): return "mixing-length eddy viscosity (δ = \(d) m)"
        case .kEpsilon: return "standard k–ε with buoyant production"
        }
    }
    static func f(_ v: Double, _ d: Int) -> String { v.isFinite ? String(format: "%.\(d)f", v) : "–" }
    static func w(_ v: Double) -> String { String(format: "%.0f W", v) }
    /// The boundary's conducted share of an energy balance line (walls held at a temperature,
    /// inlets' faces; "" when it passes no heat).
    static func walls(_ v: Double) -> String {
        guard abs(v) >= 0.5 else { return "" }
        return v > 0 ? "conducted in through the boundary \(w(v)), " : "conducted out through the boundary \(w(-v)), "
    }
    static func mm(_ v: Double) -> String { String(format: "%.1f", v * 1000) }
    static func iso(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }
}
