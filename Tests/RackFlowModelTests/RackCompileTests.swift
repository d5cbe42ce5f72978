import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowNumerics
import RackFlowPhysics

/// The real rack inputs in `Meshes/` load, compile and mean what they say: node and part
/// counts, front-mesh areas after snapping, heat bookkeeping, the 4-GPU and GB202 variants,
/// overrides, and the `rackflow case` round trip. No flow solve.
final class RackCompileTests: XCTestCase {
    /// This package's `Meshes/`, found from this file's path.
    static let meshes = Repository.root.appendingPathComponent("Meshes")
    static let rackPath = meshes.appendingPathComponent("racks/refinery-rack.yaml").path

    /// The default rack, loaded and compiled once for the tests that only read it.
    static let defaultRack: (CaseFile, FlowCase, VoxelReport, RackSpec)? = {
        guard let c = try? CaseFile.load(path: rackPath), let compiled = try? c.genericCase.compile(),
            let spec = try? RackSpec.load(path: rackPath)
        else { return nil }
        return (c, compiled.0, compiled.report, spec)
    }()

    func loadDefault(
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> (CaseFile, FlowCase, VoxelReport, RackSpec) {
        if let d = Self.defaultRack { return d }
        // Rerun uncached to get the error into the failure.
        let c = try CaseFile.load(path: Self.rackPath)
        let (f, _, r) = try c.genericCase.compile()
        return (c, f, r, try RackSpec.load(path: Self.rackPath))
    }

    // MARK: - Variants in a temporary copy of Meshes/

    var tempDirs: [URL] = []
    override func tearDown() {
        for d in tempDirs { try? FileManager.default.removeItem(at: d) }
        tempDirs = []
        super.tearDown()
    }

    /// A fresh copy of `Meshes/` in a temporary directory.
    func copyMeshes() throws -> URL {
        let dir = try TemporaryFolder.make("rackflow-rack")
        tempDirs.append(dir)
        let m = dir.appendingPathComponent("Meshes")
        try FileManager.default.copyItem(at: Self.meshes, to: m)
        return m
    }

    /// Writes a rack variant next to the original (so its `../nodes/` and `../parts/` references
    /// resolve in the copy): the default rack's text with `edits` (old → new) applied, each of
    /// which must match exactly once.
    func rackVariant(
        _ edits: [(String, String)], name: String = "variant.yaml",
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        let m = try copyMeshes()
        var text = try String(contentsOfFile: Self.rackPath, encoding: .utf8)
        for (old, new) in edits {
            XCTAssertEqual(
                text.components(separatedBy: old).count, 2, "edit target must occur once: \(old)", file: file,
                line: line)
            text = text.replacingOccurrences(of: old, with: new)
        }
        let path = m.appendingPathComponent("racks/\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func slotLine(_ n: Int) -> String {
        let name = String(format: "node%02d", n), unit = 2 + 4 * (n - 1)
        return "{name: \(name), unit: \(unit),\(unit < 10 ? "  " : " ")node: ../nodes/rm44-gb203-3gpu.yaml}"
    }

    func parts(_ l: RackLayout, node: String, kind: String) -> [RackLayout.PartInfo] {
        l.parts.filter { $0.node == node && $0.kind == kind }
    }

    /// DC load of a node from its parts' specs: board, memory modules, CPU, GPUs, NIC.
    func dcPower(_ t: NodeType) -> Double {
        let memory = t.memory.spec.powerW * Double(t.banks.map(\.count).reduce(0, +))
        return t.board.spec.powerW + memory + t.cpu.spec.powerW + Double(t.gpuSlots.count) * t.gpu.spec.powerW
            + (t.nic?.spec.powerW ?? 0)
    }

    // MARK: - The default rack

    func testDefaultRackCountsNodesGPUsAndNICs() throws {
        let (c, _, _, spec) = try loadDefault()
        let layout = try XCTUnwrap(c.layout, "a rack file has a layout")
        XCTAssertEqual(c.genericCase.name, "refinery-rack")
        XCTAssertEqual(layout.nodes.count, 10)
        XCTAssertEqual(spec.slots.count, 10)
        XCTAssertEqual(layout.parts.filter { $0.kind == "gpu" }.count, 30)
        XCTAssertEqual(layout.parts.filter { $0.kind == "nic" }.count, 10)
        for n in layout.nodes {
            XCTAssertEqual(n.type, "rm44-gb203-3gpu", n.name)
            XCTAssertEqual(n.gpuCount, 3, n.name)
            XCTAssertTrue(n.hasNIC, n.name)
            XCTAssertEqual(parts(layout, node: n.name, kind: "gpu").count, 3, n.name)
            XCTAssertEqual(parts(layout, node: n.name, kind: "nic").count, 1, n.name)
            // 4U chassis stacked from unit 2 in steps of 4.
            XCTAssertEqual(n.hi.2 - n.lo.2, 4 * spec.unitHeightM, accuracy: 1e-12, n.name)
        }
        XCTAssertEqual(layout.nodes.map(\.unit), Array(stride(from: 2, through: 38, by: 4)))
        // Fans: 3 intake fans, a CPU fan, 3 GPU blowers and a PSU fan per node.
        XCTAssertEqual(layout.fans.count, 10 * 8)
    }

    func testDefaultRackFrontMeshesKeepTheirAreaAfterSnapping() throws {
        let (c, flow, report, _) = try loadDefault()
        for n in c.layout!.nodes {
            let pf = try XCTUnwrap(report.planeFaces[n.frontPlane], "\(n.frontPlane) was voxelised")
            XCTAssertFalse(pf.faces.isEmpty, "\(n.frontPlane) has faces")
            XCTAssertEqual(pf.axis, 1, "front meshes are normal to y")
            XCTAssertGreaterThan(pf.requestedAreaM2, 0)
            XCTAssertLessThanOrEqual(
                abs(pf.flowAreaM2 - pf.requestedAreaM2) / pf.requestedAreaM2, 0.02,
                "\(n.frontPlane): \(pf.flowAreaM2) m² of \(pf.requestedAreaM2) m²")
            // Its faces are still sheets (no later plane re-tagged them) with the mesh's ζ.
            for f in pf.faces {
                XCTAssertEqual(flow.tags.faces[1][f], .porousSheet, n.frontPlane)
                XCTAssertNotNil(flow.sheetZeta[1][f], n.frontPlane)
            }
            // Every exit plane lands on faces too.
            for e in n.exitPlanes { XCTAssertFalse(report.planeFaces[e]?.faces.isEmpty ?? true, e) }
        }
    }

    func testDefaultRackFinBoxesHavePorousCells() throws {
        let (c, flow, report, _) = try loadDefault()
        let fins = c.genericCase.boxes.filter { $0.name.hasSuffix("fins") }
        XCTAssertEqual(fins.count, 10 * (3 + 1), "3 GPU fin stacks and a CPU fin stack per node")
        for b in fins {
            XCTAssertEqual(b.kind, .porous, b.name)
            let cells = report.boxCells[b.name] ?? []
            let porous = cells.filter { flow.tags.cells[$0] == .porous }
            XCTAssertFalse(porous.isEmpty, "\(b.name) has porous cells")
            XCTAssertTrue(porous.allSatisfy { flow.porous[$0] != nil }, "\(b.name): porous cells carry coefficients")
            XCTAssertGreaterThan(b.powerW, 0, b.name)
        }
        // Every part's region box has cells to read its air from.
        for p in c.layout!.parts { XCTAssertFalse(report.boxCells[p.regionBox]?.isEmpty ?? true, p.regionBox) }
    }

    func testDefaultRackHeatBalancesNodePowerAndPSULosses() throws {
        let (c, flow, _, spec) = try loadDefault()
        let layout = c.layout!
        let total = flow.heatW.reduce(0, +)
        let nodes = layout.nodes.map(\.heatW).reduce(0, +)
        XCTAssertGreaterThan(nodes, 0)
        XCTAssertEqual(total, nodes, accuracy: 1e-9 * nodes, "heat released in the grid = the nodes' heat")
        // The boxes carry the same total (nothing but node parts releases heat).
        XCTAssertEqual(c.genericCase.boxes.map(\.powerW).reduce(0, +), nodes, accuracy: 1e-9 * nodes)
        for (n, s) in zip(layout.nodes, spec.slots) {
            XCTAssertEqual(n.name, s.name)
            let eta = s.type.psu.spec.efficiency
            XCTAssertEqual(
                n.dcPowerW, dcPower(s.type), accuracy: 1e-9 * n.dcPowerW, "\(n.name): DC load from the part specs")
            XCTAssertEqual(n.heatW, n.dcPowerW / eta, accuracy: 1e-9 * n.heatW, "\(n.name): heat = DC load / η")
            // The node's own boxes release exactly its heat.
            let own = c.genericCase.boxes.filter { $0.name.hasPrefix(n.name + "/") }.map(\.powerW).reduce(0, +)
            XCTAssertEqual(own, n.heatW, accuracy: 1e-9 * n.heatW, n.name)
        }
    }

    func testRackDefaultsForPhysicsAndSolver() throws {
        let (c, flow, _, _) = try loadDefault()
        let gc = c.genericCase
        XCTAssertTrue(gc.energy)
        XCTAssertTrue(flow.solveEnergy)
        XCTAssertTrue(gc.gravity)
        XCTAssertTrue(flow.gravity)
        XCTAssertEqual("\(gc.turbulence)", "\(TurbulenceModel.mixingLength(deltaM: 0.2))")
        XCTAssertEqual(gc.options.velocityRelaxation, 0.7, "outer iterations of time steps")
        XCTAssertEqual(gc.options.steadyVelocityRelaxation, 1.0, "steady: the pseudo-time term damps instead")
        XCTAssertEqual(gc.options.pseudoCourantMax, 100)
        XCTAssertEqual(gc.options.momentumSweeps, 8)
        XCTAssertEqual(gc.options.temperatureRelaxation, 1.0)
        XCTAssertEqual(gc.options.energySweeps, 12)
        XCTAssertEqual(gc.options.tolerance, 1e-3)
        XCTAssertEqual(gc.initialTemperatureC, 20, "initial temperature = inlet temperature")
        XCTAssertFalse(gc.closed)
        XCTAssertEqual(gc.patches.map(\.patch.name), ["inlet", "exhaust"])
    }

    // MARK: - Node-type variants

    func testFourGPUNodeHasFourGPUsNoNICAndTheGPUMinusNICHeat() throws {
        let path = try rackVariant([(Self.slotLine(1), "{name: node01, unit: 2,  node: ../nodes/rm44-gb203-4gpu.yaml}")]
        )
        let spec = try RackSpec.load(path: path)
        let c = try CaseFile.load(path: path)
        _ = try c.genericCase.compile()
        let layout = try XCTUnwrap(c.layout)
        let four = layout.nodes[0], three = layout.nodes[1]
        XCTAssertEqual(four.type, "rm44-gb203-4gpu")
        XCTAssertEqual(four.gpuCount, 4)
        XCTAssertFalse(four.hasNIC)
        XCTAssertEqual(parts(layout, node: "node01", kind: "gpu").count, 4)
        XCTAssertEqual(parts(layout, node: "node01", kind: "nic").count, 0)
        XCTAssertFalse(c.genericCase.boxes.contains { $0.name == "node01/nic" })
        XCTAssertEqual(spec.slots[0].type.gpuSlots, [1, 3, 5, 7])
        XCTAssertNil(spec.slots[0].type.nic)
        // The others keep 3 GPUs and a NIC.
        XCTAssertEqual(layout.parts.filter { $0.kind == "gpu" }.count, 31)
        XCTAssertEqual(layout.parts.filter { $0.kind == "nic" }.count, 9)

        // Heat: one more GPU, one NIC fewer, both through the PSU (powers from the part files).
        let pGPU = spec.slots[0].type.gpu.spec.powerW
        let pNIC = try XCTUnwrap(spec.slots[1].type.nic).spec.powerW
        let eta = spec.slots[0].type.psu.spec.efficiency
        XCTAssertEqual(eta, spec.slots[1].type.psu.spec.efficiency)
        XCTAssertEqual(four.heatW - three.heatW, (pGPU - pNIC) / eta, accuracy: 1e-9 * four.heatW)
        XCTAssertEqual(four.dcPowerW - three.dcPowerW, pGPU - pNIC, accuracy: 1e-9 * four.dcPowerW)
    }

    func testExtendsKeepsEverythingElseFromTheBaseNodeType() throws {
        let path = try rackVariant([(Self.slotLine(1), "{name: node01, unit: 2,  node: ../nodes/rm44-gb203-4gpu.yaml}")]
        )
        let c = try CaseFile.load(path: path)
        let spec = try RackSpec.load(path: path)
        let t4 = spec.slots[0].type, t3 = spec.slots[1].type
        XCTAssertEqual(t4.name, "rm44-gb203-4gpu")
        XCTAssertEqual(t3.name, "rm44-gb203-3gpu")
        XCTAssertEqual(t4.chassis.spec.name, t3.chassis.spec.name)
        XCTAssertEqual(t4.gpu.spec.name, t3.gpu.spec.name)
        XCTAssertEqual(t4.gpu.spec.powerW, t3.gpu.spec.powerW)
        XCTAssertEqual(t4.cpu.spec.name, t3.cpu.spec.name)
        XCTAssertEqual(t4.cpu.spec.powerW, t3.cpu.spec.powerW)
        XCTAssertEqual(t4.cooler.spec.name, t3.cooler.spec.name)
        XCTAssertEqual(t4.memory.spec.name, t3.memory.spec.name)
        XCTAssertEqual(t4.banks.map(\.count), t3.banks.map(\.count))
        XCTAssertEqual(t4.psu.spec.name, t3.psu.spec.name)
        XCTAssertTrue(t4.psuPosition == t3.psuPosition)
        XCTAssertTrue(t4.boardPosition == t3.boardPosition)
        XCTAssertTrue(t4.coolerPosition == t3.coolerPosition)
        XCTAssertEqual(t4.fan.spec.name, t3.fan.spec.name)
        XCTAssertEqual(Array(t4.gpuSlots.prefix(3)), t3.gpuSlots)

        // Every box of the 3-GPU node but the NIC, PSU (its losses) and the third GPU's PCB side
        // (now packed against a fourth card) is in the 4-GPU node unchanged, one node lower.
        let dz = Double(spec.slots[1].unit - spec.slots[0].unit) * spec.unitHeightM
        let boxes4 = Dictionary(
            uniqueKeysWithValues: c.genericCase.boxes.filter { $0.name.hasPrefix("node01/") }
                .map { (String($0.name.dropFirst("node01/".count)), $0) })
        let boxes3 = c.genericCase.boxes.filter { $0.name.hasPrefix("node02/") }
        XCTAssertFalse(boxes3.isEmpty)
        for b in boxes3 {
            let key = String(b.name.dropFirst("node02/".count))
            if key == "nic" {
                XCTAssertNil(boxes4[key])
                continue
            }
            let o = try XCTUnwrap(boxes4[key], "node01 has \(key)")
            XCTAssertEqual(o.kind, b.kind, key)
            XCTAssertEqual(o.lo.0, b.lo.0, accuracy: 1e-12, key)
            XCTAssertEqual(o.hi.0, b.hi.0, accuracy: 1e-12, key)
            XCTAssertEqual(o.lo.1, b.lo.1, accuracy: 1e-12, key)
            XCTAssertEqual(o.hi.1, b.hi.1, accuracy: 1e-12, key)
            XCTAssertEqual(o.lo.2 + dz, b.lo.2, accuracy: 1e-12, key)
            XCTAssertEqual(o.hi.2 + dz, b.hi.2, accuracy: 1e-12, key)
            if key != "psu" { XCTAssertEqual(o.powerW, b.powerW, key) }
        }
        // The fourth GPU: its fins in slot 7, and a packed gap behind the third.
        XCTAssertNotNil(boxes4["gpu4/fins"])
        XCTAssertNotNil(boxes4["gpu3/gap"])
    }

    func testGB202DropInHas300WGPUs() throws {
        let path = try rackVariant([(Self.slotLine(5), "{name: node05, unit: 18, node: ../nodes/rm44-gb202-3gpu.yaml}")]
        )
        let spec = try RackSpec.load(path: path)
        let c = try CaseFile.load(path: path)
        _ = try c.genericCase.compile()
        let t = spec.slots[4].type
        XCTAssertEqual(t.name, "rm44-gb202-3gpu")
        XCTAssertEqual(t.gpu.spec.name, "RTX PRO 5000")
        XCTAssertEqual(t.gpu.spec.powerW, 300)
        XCTAssertEqual(t.gpuSlots.count, 3)
        XCTAssertNotNil(t.nic, "the drop-in keeps the ConnectX-7")
        let layout = try XCTUnwrap(c.layout)
        let gpus = parts(layout, node: "node05", kind: "gpu")
        XCTAssertEqual(gpus.count, 3)
        for g in gpus { XCTAssertEqual(g.powerW, 300, g.name) }
        for g in layout.parts.filter({ $0.kind == "gpu" && $0.node != "node05" }) {
            XCTAssertEqual(g.powerW, 200, g.name)
        }
        for i in 1...3 { XCTAssertEqual(c.genericCase.boxes.first { $0.name == "node05/gpu\(i)/fins" }?.powerW, 300) }
        let eta = t.psu.spec.efficiency
        XCTAssertEqual(
            layout.nodes[4].heatW - layout.nodes[3].heatW, 3 * (300 - spec.slots[3].type.gpu.spec.powerW) / eta,
            accuracy: 1e-9 * layout.nodes[4].heatW)
    }

    // MARK: - Overrides

    func testSlotPartOverrideChangesOnlyThatNodesGPUPower() throws {
        let path = try rackVariant([
            (
                Self.slotLine(3),
                "{name: node03, unit: 10, node: ../nodes/rm44-gb203-3gpu.yaml, gpu: {part: "
                    + "../parts/rtx-pro-4500.yaml, powerW: 150}}"
            )
        ])
        let spec = try RackSpec.load(path: path)
        let c = try CaseFile.load(path: path)
        _ = try c.genericCase.compile()
        let layout = try XCTUnwrap(c.layout)
        let (def, _, _, defSpec) = try loadDefault()
        let t = spec.slots[2].type, base = defSpec.slots[2].type
        XCTAssertEqual(t.gpu.spec.powerW, 150)
        // Only powerW changed: the rest of the GPU comes from the part file.
        XCTAssertEqual(t.gpu.spec.name, base.gpu.spec.name)
        XCTAssertEqual(t.gpu.spec.idlePowerW, base.gpu.spec.idlePowerW)
        XCTAssertEqual(t.gpu.spec.limitC, base.gpu.spec.limitC)
        XCTAssertEqual(t.gpu.spec.thermal, base.gpu.spec.thermal)
        XCTAssertEqual(t.gpu.spec.finLengthM, base.gpu.spec.finLengthM)
        XCTAssertEqual(t.gpu.spec.blower.rpm, base.gpu.spec.blower.rpm)
        XCTAssertEqual(t.gpuSlots, base.gpuSlots)
        // Other nodes unchanged; node03 changed by its GPUs only.
        let defLayout = def.layout!
        for (n, d) in zip(layout.nodes, defLayout.nodes) {
            if n.name == "node03" {
                let eta = t.psu.spec.efficiency
                XCTAssertEqual(d.heatW - n.heatW, 3 * (base.gpu.spec.powerW - 150) / eta, accuracy: 1e-9 * d.heatW)
            } else {
                XCTAssertEqual(n.heatW, d.heatW, n.name)
            }
        }
        for (p, d) in zip(layout.parts, defLayout.parts) {
            XCTAssertEqual(p.name, d.name)
            if p.node == "node03" && p.kind == "gpu" {
                XCTAssertEqual(p.powerW, 150, p.name)
            } else if !(p.node == "node03" && p.kind == "psu") {
                XCTAssertEqual(p.powerW, d.powerW, p.name)
            }
        }
        // Same geometry: the override does not move anything.
        XCTAssertEqual(c.genericCase.boxes.count, def.genericCase.boxes.count)
        XCTAssertEqual(c.genericCase.planes.count, def.genericCase.planes.count)
    }

    func testPartOverridesMergeMappingsAndMaySwitchSheetForm() throws {
        // fins merge key by key (plateThickness kept); bracket switches from freeArea to zeta.
        let path = try rackVariant([
            (
                Self.slotLine(6),
                "{name: node06, unit: 22, node: ../nodes/rm44-gb203-3gpu.yaml, gpu: {part: "
                    + "../parts/rtx-pro-4500.yaml, fins: {gap: 0.002}, bracket: {zeta: 3}}}"
            )
        ])
        let spec = try RackSpec.load(path: path)
        let (_, _, _, defSpec) = try loadDefault()
        let g = spec.slots[5].type.gpu.spec, base = defSpec.slots[5].type.gpu.spec
        XCTAssertEqual(g.fins.gapM, 0.002)
        XCTAssertEqual(g.fins.plateThicknessM, base.fins.plateThicknessM)
        XCTAssertEqual(g.bracketZeta, 3)
        XCTAssertEqual(spec.slots[4].type.gpu.spec.bracketZeta, base.bracketZeta)
        XCTAssertEqual(g.powerW, base.powerW)
        let c = try CaseFile.load(path: path)
        for p in c.genericCase.planes where p.name.hasSuffix("/bracket") {
            guard case let .sheet(z) = p.kind else {
                XCTFail(p.name)
                continue
            }
            XCTAssertEqual(z, p.name.hasPrefix("node06/") ? 3 : base.bracketZeta, p.name)
        }
        // Both forms in one mapping stay an error, at the file that says it.
        let bad = try rackVariant([
            (
                Self.slotLine(6),
                "{name: node06, unit: 22, node: ../nodes/rm44-gb203-3gpu.yaml, gpu: {part: "
                    + "../parts/rtx-pro-4500.yaml, bracket: {zeta: 3, freeArea: 0.5}}}"
            )
        ])
        XCTAssertThrowsError(try CaseFile.load(path: bad)) { e in
            XCTAssertTrue("\(e)".contains("variant.yaml"), "\(e)")
            XCTAssertTrue("\(e)".contains("not both"), "\(e)")
        }
    }

    func testSlotKeyOverridesGPUCountAndNIC() throws {
        // `gpus: 4` and `nic: none` on the 3-GPU node type in the slot: the same as the 4-GPU file.
        let path = try rackVariant([
            (Self.slotLine(2), "{name: node02, unit: 6,  node: ../nodes/rm44-gb203-3gpu.yaml, gpus: 4, nic: none}"),
            (Self.slotLine(3), "{name: node03, unit: 10, node: ../nodes/rm44-gb203-4gpu.yaml}"),
        ])
        let c = try CaseFile.load(path: path)
        let layout = try XCTUnwrap(c.layout)
        XCTAssertEqual(layout.nodes[1].gpuCount, 4)
        XCTAssertFalse(layout.nodes[1].hasNIC)
        XCTAssertEqual(layout.nodes[1].type, "rm44-gb203-3gpu", "a slot override keeps the type's name")
        XCTAssertEqual(layout.nodes[1].heatW, layout.nodes[2].heatW, accuracy: 1e-9 * layout.nodes[2].heatW)
    }

    func testOverrideErrorsNameTheFileWhereTheValueIsWritten() throws {
        let path = try rackVariant([
            (
                Self.slotLine(4),
                "{name: node04, unit: 14, node: ../nodes/rm44-gb203-3gpu.yaml, gpu: {part: "
                    + "../parts/rtx-pro-4500.yaml, powerW: -5}}"
            )
        ])
        XCTAssertThrowsError(try CaseFile.load(path: path)) { e in
            guard let ce = e as? InputError else { return XCTFail("not an InputError: \(e)") }
            XCTAssertEqual(((ce.file ?? "") as NSString).lastPathComponent, "variant.yaml", "\(ce)")
            XCTAssertTrue(ce.keyPath.hasSuffix("powerW"), "\(ce)")
            XCTAssertEqual(ce.line, 21, "\(ce)")
        }
        let path2 = try rackVariant([
            (Self.slotLine(4), "{name: node04, unit: 14, node: ../nodes/rm44-gb203-3gpu.yaml, gpus: 9}")
        ])
        XCTAssertThrowsError(try CaseFile.load(path: path2)) { e in
            guard let ce = e as? InputError else { return XCTFail("not an InputError: \(e)") }
            XCTAssertEqual(((ce.file ?? "") as NSString).lastPathComponent, "variant.yaml", "\(ce)")
            XCTAssertTrue(ce.keyPath.hasSuffix("gpus"), "\(ce)")
        }
    }

    // MARK: - `rackflow case` round trip

    func testGenericCaseOfTheRackRoundTrips() throws {
        let (c, a, ra, _) = try loadDefault()
        let text = c.genericCase.yaml()
        let back = try GenericCase.parse(yaml: text, file: "refinery-rack.case.yaml")
        XCTAssertEqual(back.name, c.genericCase.name)
        XCTAssertEqual(back.boxes.count, c.genericCase.boxes.count)
        XCTAssertEqual(back.planes.count, c.genericCase.planes.count)
        XCTAssertEqual(back.patches.count, c.genericCase.patches.count)
        let (b, ob, rb) = try back.compile()
        XCTAssertEqual(a.grid.nx, b.grid.nx)
        XCTAssertEqual(a.grid.ny, b.grid.ny)
        XCTAssertEqual(a.grid.nz, b.grid.nz)
        for ax in 0..<3 {
            let fa = a.grid.axis(ax).faces, fb = b.grid.axis(ax).faces
            XCTAssertEqual(fa.count, fb.count)
            XCTAssertLessThanOrEqual(zip(fa, fb).map { abs($0 - $1) }.max() ?? 0, 1e-12, "axis \(ax) coordinates")
        }
        XCTAssertEqual(a.tags.cells, b.tags.cells, "cell tags")
        XCTAssertEqual(a.tags.faces, b.tags.faces, "face tags")
        XCTAssertEqual(ra.cellCounts, rb.cellCounts)
        let ha = a.heatW.reduce(0, +), hb = b.heatW.reduce(0, +)
        XCTAssertEqual(ha, hb, accuracy: 1e-9 * ha, "heat")
        XCTAssertEqual(a.heatW.count, b.heatW.count)
        XCTAssertLessThanOrEqual(zip(a.heatW, b.heatW).map { abs($0 - $1) }.max() ?? 0, 1e-9, "heat per cell, W")
        XCTAssertEqual(a.fans.map(\.name), b.fans.map(\.name))
        XCTAssertEqual(a.fans.map(\.faces), b.fans.map(\.faces))
        XCTAssertEqual(a.porous.count, b.porous.count)
        XCTAssertEqual(a.gravity, b.gravity)
        XCTAssertEqual(a.solveEnergy, b.solveEnergy)
        XCTAssertEqual("\(a.turbulence)", "\(b.turbulence)")
        let oa = c.genericCase.options
        XCTAssertEqual(oa.velocityRelaxation, ob.velocityRelaxation)
        XCTAssertEqual(oa.steadyVelocityRelaxation, ob.steadyVelocityRelaxation)
        XCTAssertEqual(oa.pseudoCourantMax, ob.pseudoCourantMax)
        XCTAssertEqual(oa.temperatureRelaxation, ob.temperatureRelaxation)
        XCTAssertEqual(oa.energySweeps, ob.energySweeps)
        XCTAssertEqual(oa.tolerance, ob.tolerance)
    }
}
