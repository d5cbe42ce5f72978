import Foundation

/// One claim of the seed, checked: its words, what RackFlow computes, what that rests on, and
/// whether the claim holds. Every number of `figure` and `assumption` is in `numbers`, with the
/// key of the value in `comparison.json` it was printed from.
public struct Claim: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case holds
        case partlyHolds = "partly holds"
        case doesNotHold = "does not hold"
        case cannotBeChecked = "cannot be checked"
    }
    public var id: String
    /// The seed's words.
    public var claim: String
    public var figure: String
    /// What the figure rests on, each input with its source (seed, the part files, *assumed*).
    public var assumption: String
    public var status: Status
    /// Values derived for this claim alone (keys `claims[k].values.NAME`).
    public var values: [String: Double]
    public var numbers: [Comparison.Number]
}

/// Writes one claim: its numbers recorded in print order, its derived values stored.
struct ClaimDraft {
    let index: Int
    var numbers = PrintedNumbers()
    var values: [String: Double] = [:]

    /// A value stored under the claim itself.
    mutating func derived(_ name: String, _ v: Double, _ d: Int, scale: Double = 1) -> String {
        values[name] = v
        return numbers.text("claims[\(index)].values.\(name)", v, d, scale: scale)
    }

    /// A value found elsewhere in the document.
    mutating func at(_ key: String, _ v: Double, _ d: Int, scale: Double = 1) -> String {
        numbers.text(key, v, d, scale: scale)
    }

    /// "`name`: g × P W = total W of GPUs" for the seed node at index i.
    mutating func gpuPower(_ n: SeedNode, _ i: Int) -> String {
        let k = "seedNodes[\(i)]."
        return "`\(n.name)`: \(at(k + "gpus", Double(n.gpus), 0)) × \(at(k + "gpuPowerW", n.gpuPowerW, 0)) W = "
            + "\(at(k + "gpuTotalW", n.gpuTotalW, 0)) W of GPUs"
    }

    func claim(
        _ id: String, _ words: String, figure: String, assumption: String, status: Claim.Status
    ) -> Claim {
        Claim(
            id: id, claim: words, figure: figure, assumption: assumption, status: status, values: values,
            numbers: numbers.list)
    }
}

extension Comparison {
    /// The seed's claims (`../shared/seeds`, the node and rack design), checked in the order the
    /// seed makes them. Power and money are arithmetic on the part files of the seed's node
    /// types (`seedNodes`); airflow and the drop-in's temperatures need the compared layouts.
    mutating func makeClaims() {
        guard hasSeedNodeType else {
            claims = []
            return
        }
        var out: [Claim] = []
        out += powerClaims(from: out.count)
        out += fourGPUClaims(from: out.count)
        out += dropInClaims(from: out.count)
        out += pro6000Claims(from: out.count)
        out += memoryClaims(from: out.count)
        out += moneyClaims(from: out.count)
        out.append(airflowClaim(index: out.count))
        claims = out
    }

    /// True when a compared layout has one of the seed's node types. Claims about the seed's
    /// hardware (and its saving), checked beside other hardware, read as verdicts on the user's
    /// own racks: a 2U two-GPU rack was told the seed's "$1.58 M saving" holds. Without one, the
    /// claims and the saving are left out.
    var hasSeedNodeType: Bool { Self.anySeedNodeType(layouts, seedNodes) }

    static func anySeedNodeType(_ layouts: [Entry], _ seedNodes: [SeedNode]) -> Bool {
        let seedTypes = Set(seedNodes.map(\.name))
        return layouts.contains { !seedTypes.isDisjoint(with: $0.figures.nodeTypes) }
    }

    /// The seed node of a role and its index in `seedNodes`.
    func seedNode(_ role: String) -> (Int, SeedNode)? {
        seedNodes.firstIndex { $0.role == role }.map { ($0, seedNodes[$0]) }
    }

    /// "~" and "≈" in a claim: within `approximatePct` of the claimed figure.
    func near(_ v: Double, _ claimed: Double) -> Bool {
        abs(v - claimed) <= settings.approximatePct / 100 * abs(claimed)
    }

    /// The 3-GPU node's draw, its PSU load and the CPU's peak.
    func powerClaims(from start: Int) -> [Claim] {
        guard let (i, n) = seedNode("seed") else { return [] }
        var out: [Claim] = []
        var d = ClaimDraft(index: start + out.count)
        let k = "seedNodes[\(i)].power."
        let p = n.power
        // The seed's arithmetic: ~1,400 W peak with 4 GPUs, less one card: the DC load with the CPU
        // at its peak, the basis of its PSU figures too.
        let figure =
            "`\(n.name)`, DC load with the CPU at peak: board \(d.at(k + "boardW", p.boardW, 0)) + memory "
            + "\(d.at(k + "memoryModules", Double(p.memoryModules), 0)) × "
            + "\(d.at(k + "memoryModuleW", p.memoryModuleW, 0)) + CPU \(d.at(k + "cpuPeakW", p.cpuPeakW, 0)) + GPUs "
            + "\(d.at(k + "gpus", Double(p.gpus), 0)) × \(d.at(k + "gpuW", p.gpuW, 0)) + NIC "
            + "\(d.at(k + "nicW", p.nicW, 0)) + fans \(d.at(k + "fansW", p.fansW, 0)) = "
            + "**\(d.at(k + "dcPeakW", p.dcPeakW, 0)) W** (\(d.at(k + "dcNominalW", p.dcNominalW, 0)) W with the CPU "
            + "at its TDP; \(d.at(k + "wallPeakW", p.wallPeakW, 0)) W from the wall at η "
            + "\(d.at(k + "efficiency", p.efficiency, 2)))"
        let assumption =
            "part files: GPU board power and NIC (*assumed*), CPU peak (seed), PSU η (*assumed*, hardware.md); "
            + "\"~\" read as ±\(d.at("settings.approximatePct", settings.approximatePct, 0)) % (*assumed*)"
        out.append(
            d.claim(
                "nodePower", "Dropping the 4th GPU reduces node power draw to ~1200W", figure: figure,
                assumption: assumption, status: near(p.dcPeakW, 1200) ? .holds : .doesNotHold))

        d = ClaimDraft(index: start + out.count)
        let figure2 =
            "DC load \(d.at(k + "dcPeakW", p.dcPeakW, 0)) W of the PSU's "
            + "\(d.at(k + "psuRatedW", p.psuRatedW, 0)) W = "
            + "**\(d.at(k + "psuLoadPeakPct", p.psuLoadPeakPct, 1)) %** with the CPU at peak, "
            + "\(d.at(k + "psuLoadNominalPct", p.psuLoadNominalPct, 1)) % with the CPU at its TDP"
        let assumption2 =
            "the load is DC output over the rating, on the seed's basis (the CPU at peak); \"~\" read as "
            + "±\(d.at("settings.approximatePct", settings.approximatePct, 0)) % (*assumed*)"
        out.append(
            d.claim(
                "psuLoad", "increasing PSU efficiency headroom to ~75% (sweet spot)", figure: figure2,
                assumption: assumption2, status: near(p.psuLoadPeakPct, 75) ? .holds : .doesNotHold))

        d = ClaimDraft(index: start + out.count)
        let figure3 =
            "an input, not a result: the CPU's part file gives \(d.at(k + "cpuPeakW", p.cpuPeakW, 0)) W; with it "
            + "the node's DC load is \(d.at(k + "dcPeakW", p.dcPeakW, 0)) W, "
            + "\(d.at(k + "psuLoadPeakPct", p.psuLoadPeakPct, 1)) % of the PSU"
        out.append(
            d.claim(
                "cpuPeak", "Threadripper 7975WX (350W TDP) can peak at ~500W+ with PBO enabled", figure: figure3,
                assumption: "RackFlow has no CPU power model: the peak is the seed's figure",
                status: .cannotBeChecked
            ))
        return out
    }

    /// The 4-GPU node's peak against the PSU.
    func fourGPUClaims(from start: Int) -> [Claim] {
        guard let (i, n) = seedNode("fourGPU") else { return [] }
        var out: [Claim] = []
        var d = ClaimDraft(index: start + out.count)
        let k = "seedNodes[\(i)].power."
        let p = n.power
        let figure =
            "`\(n.name)`: DC load with the CPU at peak **\(d.at(k + "dcPeakW", p.dcPeakW, 0)) W** = "
            + "\(d.at(k + "psuLoadPeakPct", p.psuLoadPeakPct, 1)) % of the PSU's "
            + "\(d.at(k + "psuRatedW", p.psuRatedW, 0)) W"
        let assumption =
            "a fourth GPU (\(d.at(k + "gpuW", p.gpuW, 0)) W) in place of the NIC; CPU at "
            + "\(d.at(k + "cpuPeakW", p.cpuPeakW, 0)) W (seed); PSU limit "
            + "\(d.at("settings.psuMaxLoadPct", settings.psuMaxLoadPct, 0)) % of its rating (*assumed*)"
        let ok = near(p.dcPeakW, 1400)
        let status: Claim.Status =
            ok && p.psuLoadPeakPct <= settings.psuMaxLoadPct ? .holds : (ok ? .partlyHolds : .doesNotHold)
        out.append(
            d.claim(
                "fourGPUPeak", "1600W capacity handles the ~1400W peak load", figure: figure,
                assumption: assumption, status: status))
        return out
    }

    /// The 900 W GPU envelope of the RTX PRO 5000 drop-in, with its solve when it is a layout.
    func dropInClaims(from start: Int) -> [Claim] {
        guard let (i, n) = seedNode("pro5000") else { return [] }
        var out: [Claim] = []
        var d = ClaimDraft(index: start + out.count)
        let k = "seedNodes[\(i)]."
        let p = n.power
        var figure =
            d.gpuPower(n, i) + "; DC load "
            + "\(d.at(k + "power.dcNominalW", p.dcNominalW, 0)) W "
            + "(\(d.at(k + "power.psuLoadNominalPct", p.psuLoadNominalPct, 1)) %) at nominal load, "
            + "\(d.at(k + "power.dcPeakW", p.dcPeakW, 0)) W "
            + "(\(d.at(k + "power.psuLoadPeakPct", p.psuLoadPeakPct, 1)) %) with the CPU at peak"
        var thermalOK = true
        if let j = layouts.firstIndex(where: {
            $0.figures.compute.gpuModel == n.gpuModel && $0.figures.compute.gpusPerNode == n.gpus
        }),
            let g = layouts[j].figures.thermal.hottestGPU, let t = layouts[j].figures.thermal.tightestPart
        {
            let lk = "layouts[\(j)].figures.thermal."
            figure +=
                "; solved here as `\(layouts[j].name)`: hottest GPU "
                + "\(d.at(lk + "hottestGPU.temperatureC", g.temperatureC, 1)) °C, least margin of any part "
                + "\(d.at(lk + "tightestPart.marginK", t.marginK, 1)) K (`\(t.part)`)"
            thermalOK = t.marginK >= 0
        } else {
            figure += "; not solved in this comparison (add `rm44-gb202-3gpu` for its temperatures)"
        }
        let assumption =
            "PSU limit \(d.at("settings.psuMaxLoadPct", settings.psuMaxLoadPct, 0)) % of its rating (*assumed*); "
            + "the drop-in card's blower and thermal model *assumed*"
        let status: Claim.Status =
            p.psuLoadNominalPct > settings.psuMaxLoadPct
            ? .doesNotHold : (p.psuLoadPeakPct <= settings.psuMaxLoadPct && thermalOK ? .holds : .partlyHolds)
        out.append(
            d.claim(
                "dropIn900W",
                "a platform capable of handling up to 900W of GPU power, allowing for seamless \"drop-in "
                    + "upgrades\" to flagship RTX PRO 5000 (GB202) cards",
                figure: figure, assumption: assumption, status: status))
        return out
    }

    /// The RTX PRO 6000 breaking the node envelope.
    func pro6000Claims(from start: Int) -> [Claim] {
        guard let (i, n) = seedNode("pro6000") else { return [] }
        var out: [Claim] = []
        var d = ClaimDraft(index: start + out.count)
        let k = "seedNodes[\(i)]."
        let p = n.power
        let figure =
            d.gpuPower(n, i) + "; DC load "
            + "\(d.at(k + "power.dcNominalW", p.dcNominalW, 0)) W at nominal load = "
            + "**\(d.at(k + "power.psuLoadNominalPct", p.psuLoadNominalPct, 1)) %** of the PSU's "
            + "\(d.at(k + "power.psuRatedW", p.psuRatedW, 0)) W"
        let assumption =
            "\(d.at(k + "gpuPowerW", n.gpuPowerW, 0)) W per card (seed); the rest of the node as the seed's; "
            + "\"breaks\" read as past the rating itself"
        out.append(
            d.claim(
                "pro6000",
                "The absolute top-tier RTX PRO 6000 was dismissed; its 600W TDP per card breaks the 1600W Node "
                    + "envelope",
                figure: figure, assumption: assumption,
                status: p.dcNominalW > p.psuRatedW ? .holds : .doesNotHold))
        return out
    }

    /// The model fitting the RAM, and the RAM's share of the node price.
    func memoryClaims(from start: Int) -> [Claim] {
        guard let (i, n) = seedNode("seed") else { return [] }
        var out: [Claim] = []
        var d = ClaimDraft(index: start + out.count)
        let k = "seedNodes[\(i)]."
        let total = n.cost.memoryGB
        let free = total - settings.modelWeightsGB - settings.osReserveGB
        let figure =
            "\(d.at(k + "power.memoryModules", Double(n.power.memoryModules), 0)) × "
            + "\(d.at(k + "memoryModuleGB", n.memoryModuleGB, 0)) GB = \(d.at(k + "cost.memoryGB", total, 0)) GB; "
            + "\(d.at(k + "cost.memoryGB", total, 0)) − "
            + "\(d.at("settings.modelWeightsGB", settings.modelWeightsGB, 0)) − "
            + "\(d.at("settings.osReserveGB", settings.osReserveGB, 0)) = **\(d.derived("kvCacheGB", free, 0)) GB**"
            + " left for the KV cache; the GPUs hold \(d.at(k + "gpuMemoryGB", n.gpuMemoryGB, 0)) GB between them"
        let assumption =
            "weights \(d.at("settings.modelWeightsGB", settings.modelWeightsGB, 0)) GB (seed); OS and inference "
            + "server \(d.at("settings.osReserveGB", settings.osReserveGB, 0)) GB (*assumed*); module capacity "
            + "from the part file"
        out.append(
            d.claim(
                "ramFit",
                "The 512GB capacity is engineered to perfectly host quantized flagship models (like Nemotron-3 "
                    + "340B INT8 ~340GB) + KV Cache + OS",
                figure: figure, assumption: assumption,
                status: total <= 0 ? .cannotBeChecked : (free > 0 ? .holds : .doesNotHold)))

        let c = n.cost
        guard let mem = c.items.firstIndex(where: { $0.part == "memory" }),
            let gpu = c.items.firstIndex(where: { $0.part == "gpu" })
        else { return out }
        d = ClaimDraft(index: start + out.count)
        let figure2 =
            "memory \(d.at(k + "power.memoryModules", Double(n.power.memoryModules), 0)) × "
            + "$\(d.at(k + "cost.items[\(mem)].unitUSD", c.items[mem].unitUSD, 0)) = "
            + "$\(d.at(k + "cost.memoryUSD", c.memoryUSD, 0)) of a "
            + "$\(d.at(k + "cost.totalUSD", c.totalUSD, 0)) node "
            + "= **\(d.at(k + "cost.memorySharePct", c.memorySharePct, 1)) %** (the GPUs: "
            + "$\(d.at(k + "cost.items[\(gpu)].lineUSD", c.items[gpu].lineUSD, 0)))"
        out.append(
            d.claim(
                "ramShare",
                "the 512GB ECC RAM requirement pushes the node price significantly higher … System RAM is the "
                    + "fuel tank",
                figure: figure2, assumption: "every price but the GPUs' is *assumed* (part files)",
                status: .cannotBeChecked))
        return out
    }

    /// The PRO 4500 over PRO 5000 saving and the TFLOPS per dollar.
    func moneyClaims(from start: Int) -> [Claim] {
        guard let s = seedClaim else { return [] }
        var out: [Claim] = []
        var d = ClaimDraft(index: start + out.count)
        let figure =
            "\(d.at("seedClaim.gpusPerNode", Double(s.gpusPerNode), 0)) × "
            + "($\(d.at("seedClaim.dearPriceUSD", s.dearPriceUSD, 0))"
            + " − $\(d.at("seedClaim.cheapPriceUSD", s.cheapPriceUSD, 0))) = "
            + "**$\(d.at("seedClaim.savingPerNodeUSD", s.savingPerNodeUSD, 0))** per node; "
            + "\(d.at("seedClaim.gpus", Double(s.gpus), 0)) × "
            + "$\(d.at("seedClaim.savingPerGPUUSD", s.savingPerGPUUSD, 0))"
            + " = **$\(d.at("seedClaim.savingRoomUSD", s.savingRoomUSD, 0))** for "
            + "\(d.at("seedClaim.nodes", Double(s.nodes), 0)) nodes"
        let assumption =
            "GPU prices from the part files (seed); \"~\" read as ±\(d.derived("tolerancePct", 5, 0)) %"
        out.append(
            d.claim(
                "saving",
                "saves ~$9,900 per 4U Node compared to the 72GB PRO 5000 setup … a massive saving of over $1.58 "
                    + "Million USD",
                figure: figure, assumption: assumption,
                status: s.claimHolds ? .holds : .doesNotHold))

        d = ClaimDraft(index: start + out.count)
        let figure2 =
            "`\(s.cheapModel)`: \(d.at("seedClaim.cheapTFLOPS", s.cheapTFLOPS, 1)) / "
            + "\(d.at("seedClaim.cheapPriceUSD", s.cheapPriceUSD, 0)) dollars = "
            + "**\(d.at("seedClaim.cheapTflopsPerKUSD", s.cheapTflopsPerKUSD, 2))** per thousand dollars; "
            + "`\(s.dearModel)`: \(d.at("seedClaim.dearTFLOPS", s.dearTFLOPS, 1)) / "
            + "\(d.at("seedClaim.dearPriceUSD", s.dearPriceUSD, 0)) dollars = "
            + "**\(d.at("seedClaim.dearTflopsPerKUSD", s.dearTflopsPerKUSD, 2))**"
        let holds = abs(s.cheapTflopsPerKUSD - 17.9) <= 0.05 && abs(s.dearTflopsPerKUSD - 10.3) <= 0.05
        out.append(
            d.claim(
                "tflopsPerDollar",
                "RTX PRO 4500 (GB203): 53.8 TFLOPS @ $2,999 = 17.9 TFLOPS per $1,000 … RTX PRO 5000 72GB (GB202): "
                    + "65.0 TFLOPS @ ~$6,300 = 10.3 TFLOPS per $1,000",
                figure: figure2, assumption: "single-precision TFLOPS and prices from the part files (seed)",
                status: holds ? .holds : .doesNotHold))
        return out
    }

    /// "Improved airflow" of the 3-GPU layout, judged against a 4-GPU layout of the comparison by
    /// the least-fed node, the hottest GPU and the least margin of any part.
    func airflowClaim(index: Int) -> Claim {
        var d = ClaimDraft(index: index)
        let words = "Reduced from 4x to ensure physical fitment of the ConnectX-7 NIC and improved airflow"
        // The seed's pair: three cards and the NIC against four of the same card, same supply.
        let three = layouts.firstIndex { $0.figures.compute.gpusPerNode == 3 && $0.figures.nodesWithoutNIC == 0 }
        let four = three.flatMap { t in
            layouts.firstIndex {
                $0.figures.compute.gpusPerNode == 4
                    && $0.figures.compute.gpuModel == layouts[t].figures.compute.gpuModel
                    && $0.figures.supplySetting == layouts[t].figures.supplySetting
            }
        }
        guard let a = three, let b = four,
            let ga = layouts[a].figures.thermal.hottestGPU, let gb = layouts[b].figures.thermal.hottestGPU,
            let ta = layouts[a].figures.thermal.tightestPart, let tb = layouts[b].figures.thermal.tightestPart
        else {
            return d.claim(
                "airflow", words,
                figure: "needs a layout of three GPUs and a NIC and one of four of the same GPU, at the same supply "
                    + "flow, in the comparison (the default has both)",
                assumption: "both solved on the same grid settings", status: .cannotBeChecked)
        }
        let (fa, fb) = (layouts[a].figures.thermal, layouts[b].figures.thermal)
        let (ka, kb) = ("layouts[\(a)].figures.thermal.", "layouts[\(b)].figures.thermal.")
        let figure =
            "`\(layouts[a].name)` against `\(layouts[b].name)`: least-fed node "
            + "\(d.at(ka + "nodeFlowMinM3PerS", fa.nodeFlowMinM3PerS, 1, scale: 1000)) against "
            + "\(d.at(kb + "nodeFlowMinM3PerS", fb.nodeFlowMinM3PerS, 1, scale: 1000)) L/s; hottest GPU "
            + "\(d.at(ka + "hottestGPU.temperatureC", ga.temperatureC, 1)) against "
            + "\(d.at(kb + "hottestGPU.temperatureC", gb.temperatureC, 1)) °C; least margin of any part "
            + "\(d.at(ka + "tightestPart.marginK", ta.marginK, 1)) K (`\(ta.part)`) against "
            + "\(d.at(kb + "tightestPart.marginK", tb.marginK, 1)) K (`\(tb.part)`)"
        let wins = [
            fa.nodeFlowMinM3PerS > fb.nodeFlowMinM3PerS, ga.temperatureC < gb.temperatureC, ta.marginK > tb.marginK,
        ].filter { $0 }.count
        let status: Claim.Status = wins == 3 ? .holds : (wins == 0 ? .doesNotHold : .partlyHolds)
        return d.claim(
            "airflow", words, figure: figure,
            assumption: "both solved on the same grid settings with the same supply flow; the NIC's fitment is "
                + "not modelled, and its own margin counts for the layout that carries it",
            status: status)
    }
}
