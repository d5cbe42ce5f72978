import Foundation
import RackFlowModel

/// A room run's own files: `summary.json`, `report.md`, `report.html` and `plan.png` (the room seen from
/// above: each rack coloured by its exhaust temperature, a bar for its flow, the doors, the
/// aisle and the cable trays). The racks' own folders come from `ResultWriter`.
public enum RoomWriter {
    public static func write(_ s: RoomSummary, spec: RoomSpec, to dir: URL) throws {
        try AtomicFile.write(ResultWriter.json(s), to: dir.appendingPathComponent("summary.json"))
        try plan(s, spec: spec).write(to: dir.appendingPathComponent("plan.png"))
        let md = markdown(s)
        try AtomicFile.write(md, to: dir.appendingPathComponent("report.md"))
        try AtomicFile.write(
            ReportHTML.html(markdown: md, title: "RackFlow room: \(spec.name)", folder: dir),
            to: dir.appendingPathComponent("report.html"))
    }

    /// One rack on the plan: its exhaust temperature (°C) and inlet flow (m³/s).
    public struct PlanRack {
        public var name: String, exhaustC: Double, flowM3PerS: Double
        public init(name: String, exhaustC: Double, flowM3PerS: Double) {
            self.name = name
            self.exhaustC = exhaustC
            self.flowM3PerS = flowM3PerS
        }
    }

    /// The plan view. Exhaust temperatures on the thermal map over their own range (at least
    /// 1 K wide); flow bars scaled to the largest rack flow.
    public static func plan(_ s: RoomSummary, spec: RoomSpec) throws -> PNGImage {
        plan(
            title: "\(s.room): plan view, exhaust temperature and inlet flow", spec: spec,
            racks: s.racks.map { PlanRack(name: $0.name, exhaustC: $0.exhaustC, flowM3PerS: $0.inletFlowM3PerS) })
    }

    /// The plan view of `racks` (in `spec.racks` order); `rangeC` and `maxFlowM3PerS` fix the
    /// colour scale and the bar length (pictures of one run's frames side by side), otherwise
    /// the racks' own range. `exhaustC` is the coloured temperature, named by `quantity`.
    public static func plan(
        title: String, spec: RoomSpec, racks: [PlanRack], rangeC: (Double, Double)? = nil, maxFlowM3PerS: Double? = nil,
        fitWidthPx: Double = 1000, quantity: String = "rack exhaust"
    ) -> PNGImage {
        let roomW = Double(spec.racksPerRow) * spec.pitchM
        let roomD = spec.rows == 2 ? 2 * spec.depthM + spec.aisleM : spec.depthM
        let scale = min(fitWidthPx / roomW, 0.56 * fitWidthPx / roomD, 0.4 * fitWidthPx) // px per metre
        let margin = 40, legend = 90
        let w = Int(roomW * scale) + 2 * margin, h = Int(roomD * scale) + 2 * margin + legend
        var img = PNGImage(width: max(w, 560), height: h)
        func px(_ x: Double) -> Int { margin + Int((x * scale).rounded()) }
        // y grows up in the room, down in the picture.
        func py(_ y: Double) -> Int { margin + Int(((roomD - y) * scale).rounded()) }
        let temps = racks.map(\.exhaustC).filter(\.isFinite)
        var tLo = rangeC?.0 ?? temps.min() ?? 0, tHi = rangeC?.1 ?? temps.max() ?? 1
        if tHi - tLo < 1 {
            let m = 0.5 * (tLo + tHi)
            tLo = m - 0.5
            tHi = m + 0.5
        }
        let maxQ = maxFlowM3PerS ?? racks.map(\.flowM3PerS).max() ?? 1
        img.drawText(title, x: margin, y: 10, color: .ink)
        for (k, r) in racks.enumerated() {
            let p = spec.racks[k]
            let x0 = px(p.originM.0), x1 = px(p.originM.0 + spec.pitchM) - 2
            let yTop = py(p.originM.1 + spec.depthM), yBot = py(p.originM.1)
            let t = (r.exhaustC - tLo) / (tHi - tLo)
            img.fillRect(x: x0, y: yTop, width: x1 - x0, height: yBot - yTop, color: Colormap.thermal.color(at: t))
            img.strokeRect(x: x0, y: yTop, width: x1 - x0, height: yBot - yTop, color: .ink)
            // The glass door: a thick line on the aisle side.
            let doorY = p.doorFacesPlusY ? yTop : yBot - 3
            img.fillRect(x: x0, y: doorY, width: x1 - x0, height: 3, color: .black)
            // Flow bar along the door-side third.
            let barW = Int(Double(x1 - x0 - 8) * min(r.flowM3PerS / maxQ, 1))
            let barY = p.doorFacesPlusY ? yTop + 8 : yBot - 16
            img.fillRect(x: x0 + 4, y: barY, width: max(barW, 1), height: 8, color: .white)
            img.strokeRect(x: x0 + 4, y: barY, width: x1 - x0 - 8, height: 8, color: .ink)
            let mid = (yTop + yBot) / 2
            img.drawTextWithHalo(r.name, x: x0 + 4, y: mid - 18, color: .ink, halo: .white)
            img.drawTextWithHalo(String(format: "%.1f C", r.exhaustC), x: x0 + 4, y: mid - 4, color: .ink, halo: .white)
            img.drawTextWithHalo(
                String(format: "%.1f L/s", 1000 * r.flowM3PerS), x: x0 + 4, y: mid + 10, color: .ink, halo: .white)
        }
        for t in spec.trays {
            let y = py(t.yM)
            img.dashedLine(x0: px(t.fromXM), y0: y, x1: px(t.toXM), y1: y, color: .red, thickness: 2)
            img.drawTextWithHalo(
                t.name, x: px(t.toXM) - BitmapFont.width(t.name) - 2, y: y - 14, color: .red, halo: .white)
        }
        // Colour bar.
        let by = h - legend + 20, bw = max(w, 560) - 2 * margin
        for i in 0..<bw {
            img.fillRect(
                x: margin + i, y: by, width: 1, height: 14,
                color: Colormap.thermal.color(at: Double(i) / Double(bw - 1)))
        }
        img.strokeRect(x: margin, y: by, width: bw, height: 14, color: .ink)
        img.drawText(String(format: "%.1f C", tLo), x: margin, y: by + 20, color: .ink)
        let hiText = String(format: "%.1f C", tHi)
        img.drawText(hiText, x: margin + bw - BitmapFont.width(hiText), y: by + 20, color: .ink)
        img.drawText(
            "\(quantity); white bar: inlet flow / largest; black edge: glass door", x: margin, y: by + 36, color: .ink)
        return img
    }

    /// One row per rack: flow, share, pressures, exhaust, heat, hottest GPU, outer iterations.
    static func rackTable(_ s: RoomSummary) -> String {
        var md = ""
        md +=
            "| rack | flow (L/s) | share | slot (Pa) | duct (Pa) | residual (Pa) | exhaust (°C) | heat (kW) | "
            + "hottest GPU (°C) | outer iterations |\n"
        md += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n"
        for r in s.racks {
            let blocked = r.slotBlockage > 0 ? " (slot \(Int(100 * r.slotBlockage)) % blocked)" : ""
            let hottest = r.hottestGPU.map { f($0.temperatureC, 1) } ?? "–"
            let iterations = r.outerIterations.map(String.init).joined(separator: ", ")
            let cells = [
                "[\(r.name)](racks/\(r.name)/report.md)\(blocked)", f(1000 * r.inletFlowM3PerS, 2),
                "\(f(100 * r.share, 2)) %", f(r.inletPressurePa, 2), f(r.ductDropPa, 2),
                String(format: "%.2g", r.pressureResidualPa), f(r.exhaustC, 2), f(r.heatW / 1000, 2), hottest,
                iterations,
            ]
            md += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return md
    }

    /// ## Cable trays: where each runs and what its probes saw, and where they come from.
    static func trayList(_ s: RoomSummary) -> String {
        guard !s.cableTrays.isEmpty else { return "" }
        var md = ""
        md += "\n## Cable trays\n\n"
        for t in s.cableTrays {
            md +=
                "- \(t.name): x \(f(t.fromXM))–\(f(t.toXM)) m at y \(f(t.yM)) m, z \(f(t.zM)) m, \(f(t.widthM)) "
                + "m wide"
            if let p = s.trayProbes?.first(where: { $0.name == t.name }) {
                md +=
                    ": air up to \(f(p.maxTemperatureC)) °C and \(f(p.maxSpeedMPerS)) m/s, vibration "
                    + "\(f(1000 * p.vibrationAmplitudeM, 3)) mm at \(f(p.vibrationFrequencyHz)) Hz"
            }
            md += "\n"
        }
        if s.roomAir != nil {
            md +=
                "\nThe trays run above the rack roofs, outside every rack's solved domain: their probes are "
                + "sampled from the room-air solve (below); per station in `tray-probes.csv`, on the stage under "
                + "`/Room/CableTrays`.\n"
        } else {
            md +=
                "\nThe trays run above the rack roofs, outside every rack's solved domain: their probes carry "
                + "each rack's exhaust (flow, mean temperature, rectangle) up as a free turbulent jet (see "
                + "docs/commands/room.md, cable-tray probes); per station in `tray-probes.csv`, on the stage "
                + "under `/Room/CableTrays`.\n"
        }
        return md
    }

    public static func markdown(_ s: RoomSummary) -> String {
        var md = "# Room \(s.room)\n\n"
        md +=
            "From `\(s.file)`: \(s.racks.count) racks, \(s.cells) cells in all, solved on \(s.ranks) rank(s) × "
            + "\(s.jobsPerRank) job(s).\n\n"
        md +=
            "Coupling \(s.coupling.converged ? "converged" : "**did not converge**") in "
            + "\(s.coupling.iterations.count) iterations "
        md += "(tolerance \(s.coupling.tolerance) of the mean rack flow). "
        md +=
            "Blowers deliver \(f(s.blowerFlowM3PerS, 4)) m³/s at a rise of \(f(s.blowerRisePa, 1)) Pa; supply loss "
            + "\(f(s.supplyDropPa, 1)) Pa; "
        md +=
            "plenum at \(f(s.plenumPressurePa, 1)) Pa. Σ rack inlet flows against the blower flow: "
            + "\(String(format: "%.1e", s.massConservationError)) relative.\n\n"
        md += "![plan](plan.png)\n\n"
        md += rackTable(s)
        md +=
            "\n## Coupling residuals\n\n| iteration | flow residual | pressure residual (Pa) | plenum (Pa) | seconds "
            + "|\n| ---: | ---: | ---: | ---: | ---: |\n"
        for it in s.coupling.iterations {
            md +=
                "| \(it.iteration) | \(String(format: "%.2e", it.flowResidual)) | "
                + "\(String(format: "%.3g", it.pressureResidualPa)) | \(f(it.plenumPressurePa, 2)) | "
                + "\(f(it.seconds, 1)) |\n"
        }
        md += "\n## Blowers\n\n"
        for b in s.blowers {
            md +=
                "- \(b.name): \(b.count) × \(f(b.flowEachM3PerS, 4)) m³/s at \(f(b.rpm, 0)) rev/min, rise "
                + "\(f(b.risePa, 1)) Pa\n"
        }
        md += trayList(s)
        if let a = s.roomAir { md += roomAirMarkdown(a) }
        md += String(
            format: "\nTimings: compile %.1f s, coupling %.1f s, writing %.1f s, wall %.1f s",
            s.timings.compileSeconds, s.timings.couplingSeconds, s.timings.writeSeconds, s.timings.wallSeconds)
        md += s.roomAir == nil ? ".\n" : String(format: " (room air %.1f s).\n", s.timings.roomAirSeconds)
        return md
    }

    /// The room-air section: grid, convergence, balances, returns, and the tray probes against
    /// the jet model.
    public static func roomAirMarkdown(_ a: RoomAirSummary) -> String {
        var md = "\n## Room air\n\n"
        md +=
            "The hall (\(f(a.sizeM[0])) × \(f(a.sizeM[1])) × \(f(a.sizeM[2])) m, margin \(f(a.marginM)) m, "
            + "ceiling \(f(a.ceilingHeightM)) m) solved one way from the racks' exhausts: \(a.cells) cells "
            + "(\(a.dims.map(String.init).joined(separator: " × "))), ≤ \(f(a.spacingM, 3)) m near racks and "
            + "trays, ≤ \(f(a.maxSpacingM, 3)) m elsewhere; "
        md +=
            a.converged
            ? "converged"
            : (a.timeAveraged ? "**no steady state** (time-averaged)" : "**not converged**")
        md +=
            " in \(a.iterations) outer iterations, \(f(a.buildSeconds, 1)) s to build and \(f(a.solveSeconds, 1)) s "
            + "to solve. Mass: \(String(format: "%.1e", a.relativeMassImbalance)) relative; heat: "
            + "\(f(a.heatInW / 1000, 3)) kW in through the exhausts, \(f(a.heatOutW / 1000, 3)) kW out through the "
            + "returns (\(String(format: "%.1e", a.relativeHeatError)) relative, above the \(f(a.supplyC, 1)) °C "
            + "supply). Trays: \(f(a.trayHeightM, 3)) m deep, free area \(f(a.trayFreeArea)) (ζ "
            + "\(f(a.trayZeta))). Fields: `room/fields.vtr`, `room/vdb/room.vdb`.\n\n"
        md += "| return | flow (m³/s) | temperature (°C) |\n| --- | ---: | ---: |\n"
        for r in a.returns { md += "| \(r.name) | \(f(r.flowM3PerS, 4)) | \(f(r.temperatureC)) |\n" }
        md +=
            "\nTray probes from the solved air against the jet model (solved − jet, per station in "
            + "`room/tray-probes-check.csv`):\n\n"
        md +=
            "| tray | stations | solved air (°C) | jet (°C) | largest ΔT (K) | solved upward (m/s) | "
            + "jet upward (m/s) | "
            + "largest Δw (m/s) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        for t in a.trays {
            let p = a.probes.filter { $0.tray == t.name }
            let n = Double(max(p.count, 1))
            let d = a.largestDifference(tray: t.name)
            let cells = [
                t.name, "\(p.count)", f(p.map(\.solvedTemperatureC).reduce(0, +) / n),
                f(p.map(\.jetTemperatureC).reduce(0, +) / n), f(d.temperatureK),
                f(p.map(\.solvedUpwardMPerS).reduce(0, +) / n, 3), f(p.map(\.jetUpwardMPerS).reduce(0, +) / n, 3),
                f(d.upwardMPerS, 3),
            ]
            md += "| " + cells.joined(separator: " | ") + " |\n"
        }
        md += "\nMeans over each tray's stations; the stage's tray probes are the solved ones.\n"
        return md
    }
}

/// A number to `d` decimals for the report (`ReportWriter.f`).
private func f(_ v: Double, _ d: Int = 2) -> String { ReportWriter.f(v, d) }
