import Foundation

/// The scenario file's optional sections, read in the order the file's keys are documented
/// (each refuses unknown keys and out-of-range values at their line).
extension Scenario {
    /// `load`: utilisation before and after ignition, its onset, ramp, shape or profile.
    mutating func readLoad(_ root: ConfigNode) throws {
        if let l = root.child("load") {
            try l.checkKeys(allowed: ["idle", "full", "onset", "ramp", "shape", "profile"])
            load.idle = try l.double("idle", default: load.idle, "must be a utilisation in [0, 1]") {
                $0 >= 0 && $0 <= 1
            }
            load.full = try l.double("full", default: load.full, "must be a utilisation in [0, 1]") {
                $0 >= 0 && $0 <= 1
            }
            load.onsetS = try l.double("onset", default: load.onsetS, "must be ≥ 0 s") { $0 >= 0 }
            load.rampS = try l.double("ramp", default: load.rampS, "must be ≥ 0 s") { $0 >= 0 }
            load.shape = RampShape(
                rawValue: try l.choice("shape", RampShape.allCases.map(\.rawValue), default: load.shape.rawValue))!
            if let pr = l.child("profile") {
                var last = -Double.infinity
                for point in try pr.array() {
                    let v = try point.doubles(count: 2)
                    guard v[0].isFinite, v[0] >= 0 else {
                        throw point.error("profile time must be ≥ 0 s after ignition (got \(configFormat(v[0])))")
                    }
                    guard v[0] > last else {
                        throw point.error(
                            "profile times out of order: \(configFormat(v[0])) s comes after \(configFormat(last)) s")
                    }
                    guard v[1] >= 0 && v[1] <= 1 else {
                        throw point.error("utilisation must be in [0, 1] (got \(configFormat(v[1])))")
                    }
                    last = v[0]
                    load.profile.append((v[0], v[1]))
                }
                if load.profile.isEmpty { throw l.error("profile", "needs at least one [time, utilisation] point") }
            }
            if load.onsetS > durationS {
                throw l.error(
                    "onset",
                    "the surge starts at \(configFormat(load.onsetS)) s, after the scenario ends "
                        + "(\(configFormat(durationS)) s)"
                )
            }
        }
    }

    /// `cascade`: the order in which nodes (and, in a room, racks) ignite.
    mutating func readCascade(_ root: ConfigNode) throws {
        if let c = root.child("cascade") {
            try c.checkKeys(allowed: ["order", "delay", "seed", "nodes", "racks"])
            if let n = c.child("nodes") {
                // Two spellings of one thing would leave a reader guessing which wins.
                if let k = ["order", "delay", "seed"].first(where: c.has) {
                    throw c.error(
                        k,
                        "the node cascade is given under cascade.nodes: move '\(k)' there (the flat keys are "
                            + "the short form of cascade.nodes)")
                }
                try n.checkKeys(allowed: ["order", "delay", "seed"])
                cascade = try Self.nodeCascade(n)
            } else {
                cascade = try Self.nodeCascade(c)
            }
            if let r = c.child("racks") { rackCascade = try Self.rackCascade(r) }
        }
    }

    /// `power`, `heatCapacity`, `junction`: the parts' idle fractions and thermal masses.
    mutating func readParts(_ root: ConfigNode) throws {
        if let p = root.child("power") {
            try p.checkKeys(allowed: ["idleFraction"])
            if let f = p.child("idleFraction") {
                try f.checkKeys(allowed: Self.partKinds.filter { $0 != "psu" })
                for k in try f.keys() {
                    idleFraction[k] = try f.double(k, "must be a fraction in [0, 1]") { $0 >= 0 && $0 <= 1 }
                }
            }
        }
        if let h = root.child("heatCapacity") {
            try h.checkKeys(allowed: Self.partKinds)
            for k in try h.keys() { heatCapacityJPerK[k] = try h.double(k, "must be > 0 J/K") { $0 > 0 } }
        }
        if let j = root.child("junction") {
            try j.checkKeys(allowed: Self.partKinds)
            for k in try j.keys() {
                let c = try j.required(k)
                if c.isScalar, (try? c.string()) == "none" {
                    junctions[k] = nil
                    continue
                }
                try c.checkKeys(allowed: ["capacity", "resistanceShare"])
                junctions[k] = Junction(
                    capacityJPerK: try c.double("capacity", "must be > 0 J/K") { $0 > 0 },
                    resistanceShare: try c.double("resistanceShare", "must be a share in (0, 1)") { $0 > 0 && $0 < 1 })
            }
        }
    }

    /// `fans`: a controller per fan kind (sensor, band, minimum duty, spin-up and -down).
    mutating func readFans(_ root: ConfigNode) throws {
        if let f = root.child("fans") {
            try f.checkKeys(allowed: Self.fanKinds)
            for k in try f.keys() {
                let c = try f.required(k)
                try c.checkKeys(allowed: ["sensor", "low", "high", "minDuty", "spinUp", "spinDown"])
                let s = FanControl.Sensor(rawValue: try c.choice("sensor", FanControl.Sensor.allCases.map(\.rawValue)))!
                if s == .own && k != "gpu" {
                    throw c.error("sensor", "'own' (the card's own GPU) applies to gpu blowers only")
                }
                let unit = s == .load ? "" : " °C"
                let lo = try c.double("low", "must be finite") { $0.isFinite },
                    hi = try c.double("high", "must be finite") { $0.isFinite }
                guard hi > lo else {
                    throw c.error(
                        "high", "must be above low (\(configFormat(lo))\(unit)), got \(configFormat(hi))\(unit)")
                }
                fans[k] = FanControl(
                    sensor: s, low: lo, high: hi,
                    minDuty: try c.double("minDuty", default: 0.3, "must be a duty in [0, 1]") { $0 >= 0 && $0 <= 1 },
                    spinUpS: try c.double("spinUp", default: 2, "must be ≥ 0 s") { $0 >= 0 },
                    spinDownS: try c.double("spinDown", default: 5, "must be ≥ 0 s") { $0 >= 0 })
            }
        }
    }

    /// `blower`: the plenum blower's flow before and after the surge, as fractions of the rack's.
    mutating func readBlower(_ root: ConfigNode) throws {
        if let b = root.child("blower") {
            try b.checkKeys(allowed: ["idle", "full", "start", "ramp"])
            blower.idle = try b.double(
                "idle", default: blower.idle, "must be a fraction of the rack's inlet flow in (0, 2]"
            ) { $0 > 0 && $0 <= 2 }
            blower.full = try b.double(
                "full", default: blower.full, "must be a fraction of the rack's inlet flow in (0, 2]"
            ) { $0 > 0 && $0 <= 2 }
            blower.startS = try b.double("start", default: blower.startS, "must be ≥ 0 s") { $0 >= 0 }
            blower.rampS = try b.double("ramp", default: blower.rampS, "must be ≥ 0 s") { $0 >= 0 }
        }
    }

    /// `heatmap`: the colour range of the hottest GPU, °C or `auto`.
    mutating func readHeatmap(_ root: ConfigNode) throws {
        if let h = root.child("heatmap") {
            try h.checkKeys(allowed: ["coldC", "hotC"])
            func temp(_ k: String) throws -> Double? {
                guard let n = h.child(k) else { return nil }
                if n.isScalar, (try? n.string()) == "auto" {
                    if k == "coldC" { heatmapAutoCold = true } else { heatmapAutoHot = true }
                    return nil
                }
                return try h.double(k, "must be a finite temperature in °C or 'auto'") { $0.isFinite }
            }
            heatmapColdC = try temp("coldC")
            heatmapHotC = try temp("hotC")
            if let c = heatmapColdC, let hh = heatmapHotC, hh <= c {
                throw h.error("hotC", "must be above coldC (\(configFormat(c)) °C)")
            }
        }
    }

    /// `solver`: outer iterations per time step, their tolerance and the steps per frame.
    mutating func readSolver(_ root: ConfigNode) throws {
        if let s = root.child("solver") {
            try s.checkKeys(allowed: ["minOuter", "maxOuter", "tolerance", "stepsPerFrame"])
            solver.minOuter = try s.int("minOuter", default: solver.minOuter)
            solver.maxOuter = try s.int("maxOuter", default: solver.maxOuter)
            if solver.minOuter < 1 { throw s.error("minOuter", "must be ≥ 1 (got \(solver.minOuter))") }
            if solver.maxOuter < solver.minOuter {
                throw s.error("maxOuter", "must be ≥ minOuter (\(solver.minOuter)), got \(solver.maxOuter)")
            }
            solver.tolerance = try s.double("tolerance", default: solver.tolerance, "must be > 0") { $0 > 0 && $0 < 1 }
            solver.stepsPerFrame = try s.int("stepsPerFrame", default: 1)
            if solver.stepsPerFrame < 1 || solver.stepsPerFrame > 100 {
                throw s.error("stepsPerFrame", "must be in 1…100 (got \(solver.stepsPerFrame))")
            }
        }
    }
}
