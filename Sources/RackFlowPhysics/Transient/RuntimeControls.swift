import RackFlowNumerics

/// What a transient scenario changes between time steps: the heat each cell releases (parts
/// heating up), the speed of each fan (controllers ramping), and the inlet flow (the plenum
/// blower's ramp). The grid, tags and fan faces never change, so no matrix structure does.
extension FlowSolver {
    /// Overwrites the heat released per cell (W) through `body`; the array has one entry per cell.
    public func updateHeat(_ body: (UnsafeMutableBufferPointer<Double>) -> Void) {
        if flow.heatW.count != flow.grid.cellCount { flow.heatW = [Double](repeating: 0, count: flow.grid.cellCount) }
        flow.heatW.withUnsafeMutableBufferPointer { body($0) }
    }

    /// The index of the fan called `name` in `fans` (and `fanOperatingPoints`).
    public func fanIndex(named name: String) -> Int? { fans.firstIndex { $0.name == name } }

    /// Runs fan `index` at `rpm` on its datasheet `curve` (the fan laws scale it); 0 stops it.
    public func setFanSpeed(_ index: Int, curve: FanCurve, rpm: Double) {
        let f = fans[index]
        let a = f.axis
        let (t1, t2) = SIMD3<Int>.transverse(a)
        var area = 0.0
        for face in f.faces {
            let idx = faceIndex(face, axis: a)
            area += w[t1][idx[t1]] * w[t2][idx[t2]]
        }
        fans[index] = FanFaces(
            name: f.name, axis: a, direction: f.direction, faces: f.faces, curve: curve, rpm: max(rpm, 0),
            areaM2: area, densityKgPerM3: flow.fluid.densityKgPerM3)
    }

    /// Scales every inlet's prescribed speed to `scale` × its value in the case (1 = as given).
    public func setInflowScale(_ scale: Double) {
        precondition(scale.isFinite && scale >= 0, "inflow scale must be finite and ≥ 0")
        guard scale != inflowScale else { return }
        inflowScale = scale
        // Only the inlet faces' imposed values change (re-deriving every face's role per step
        // cost a second per frame on a blower ramp).
        for a in 0..<3 {
            let u = velocity[a].p
            for (f, speed) in inletFaces[a] {
                let v = speed * inflowScale
                fixedValue[a][f] = v
                u[f] = v
            }
        }
    }

    /// Sets flow inlet `patch` (index in `flow.patches`) to `flowM3PerS` at `temperatureC`:
    /// a room's rack exhaust from frame to frame. The speed is the flow over the patch's faces'
    /// area (as `FlowCase.boundaryFaces` snaps it); the faces' imposed velocities change (times
    /// the inflow scale), and with the boundary entries the energy equation's inlet value.
    /// No matrix structure and no reference scale changes.
    public func setInflow(patch pi: Int, flowM3PerS q: Double, temperatureC t: Double) {
        precondition(q.isFinite && q >= 0 && t.isFinite, "an inflow must be finite, ≥ 0")
        let n = [nx, ny, nz]
        for side in Side.allCases {
            let a = side.axis
            let (p, r) = SIMD3<Int>.transverse(a)
            let members = boundary[side.rawValue].indices.filter {
                if case let .inlet(_, _, patch) = boundary[side.rawValue][$0] { return patch == pi }
                return false
            }
            guard !members.isEmpty else { continue }
            let area = members.reduce(0.0) { $0 + w[p][$1 % n[p]] * w[r][$1 / n[p]] }
            let speed = FlowRateInletCondition.speed(flowM3PerS: q, areaM2: area)
            let un = VelocityInletCondition.normalVelocity(inwardSpeed: speed, lower: !side.isUpper)
            // Each member's face along `a`, on the side's layer (0 or n).
            var faces = Set<Int>()
            for m in members {
                boundary[side.rawValue][m] = VelocityInletCondition.face(speedMPerS: speed, temperatureC: t, patch: pi)
                var idx = [0, 0, 0]
                idx[p] = m % n[p]
                idx[r] = m / n[p]
                idx[a] = side.isUpper ? n[a] : 0
                faces.insert(idx[0] + fdim[a][0] * (idx[1] + fdim[a][1] * idx[2]))
            }
            let u = velocity[a].p
            for e in inletFaces[a].indices where faces.contains(inletFaces[a][e].0) {
                let f = inletFaces[a][e].0
                inletFaces[a][e].1 = un
                fixedValue[a][f] = un * inflowScale
                u[f] = un * inflowScale
            }
        }
    }

    /// Sets the temperature of air re-entering through the pressure outlets of `patches`
    /// (indices in `flow.patches`): a room's return grilles, whose plenum the racks' exhausts
    /// feed, follow the exhausts' mixed-cup temperature from frame to frame. Only the boundary
    /// entries change; the energy equation reads them at its next assembly.
    public func setBackflowTemperature(patches: Set<Int>, temperatureC t: Double) {
        precondition(t.isFinite, "a backflow temperature must be finite")
        for s in boundary.indices {
            for m in boundary[s].indices {
                guard case let .outlet(p, _, patch) = boundary[s][m], patches.contains(patch) else { continue }
                boundary[s][m] = PressureOutletCondition.face(pressurePa: p, backflowTemperatureC: t, patch: patch)
            }
        }
    }

    /// The backflow temperature of every pressure-outlet face of `patch`, °C (boundary order).
    public func backflowTemperaturesC(patch pi: Int) -> [Double] {
        boundary.flatMap { side in
            side.compactMap { face -> Double? in
                guard case let .outlet(_, t, patch) = face, patch == pi else { return nil }
                return t
            }
        }
    }

    /// A cell field shaped like the temperature (same padding), for tracers.
    public func makeCellVector(value: Double = 0) -> PaddedVector {
        PaddedVector(count: flow.grid.cellCount, pad: pad, value: value)
    }

    /// The fluid cell on the `+axis` side of each face in `faces` (indices of `axis`'s face array).
    public func cellsDownstream(axis a: Int, faces: [Int]) -> [Int] {
        let n = [nx, ny, nz]
        return faces.compactMap { f in
            let idx = faceIndex(f, axis: a)
            guard idx[a] < n[a] else { return nil }
            let c = cell(idx[0], idx[1], idx[2])
            return isSolid[c] ? nil : c
        }
    }

    /// Heat held by the air, ρ c_p Σ V T over fluid cells, J (T in °C: a difference of two
    /// calls is the heat stored between them).
    public func airHeatContentJ() -> Double {
        flow.fluid.densityKgPerM3 * flow.fluid.specificHeatJPerKgK * fluidVolumeIntegral(temperature.p)
    }

    /// Σ V f over the fluid cells, or Σ V with no `f` (m³ times f's unit).
    func fluidVolumeIntegral(_ f: UnsafeMutablePointer<Double>?) -> Double {
        var s = 0.0
        for k in 0..<nz {
            for j in 0..<ny {
                for i in 0..<nx {
                    let c = cell(i, j, k)
                    if isSolid[c] { continue }
                    let v = arrays.wx[i] * arrays.wy[j] * arrays.wz[k]
                    if let f { s += v * f[c] } else { s += v }
                }
            }
        }
        return s
    }
}
