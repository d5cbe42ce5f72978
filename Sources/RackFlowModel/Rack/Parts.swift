import Foundation
import RackFlowPhysics
import RackFlowNumerics

/// The part catalogue: one YAML file per part (`Meshes/parts/`), each with a `kind`. A part file
/// says what a part *is* (sizes, power, fan curve, fin geometry, temperature limit); the node
/// type says where it goes. SI units: m, W, °C, Pa, m³/s, rev/min; prices in US dollars.

/// A datasheet-style compact model: part temperature = local air + P · R(v), with the
/// resistance falling with the local air speed, `R = R_ref (v / v_ref)^−n` (DESIGN §2).
public struct CompactThermalModel: Sendable, Codable, Equatable {
    public var resistanceKPerW: Double
    public var referenceSpeedMPerS: Double
    public var exponent: Double

    public init(resistanceKPerW: Double, referenceSpeedMPerS: Double, exponent: Double) {
        self.resistanceKPerW = resistanceKPerW
        self.referenceSpeedMPerS = referenceSpeedMPerS
        self.exponent = exponent
    }

    /// Resistance at local speed `v`; speeds below 5 % of the reference are clamped there,
    /// because still air does not give an infinite resistance (natural convection takes over).
    public func resistance(speedMPerS v: Double) -> Double {
        let s = max(v, 0.05 * referenceSpeedMPerS) / referenceSpeedMPerS
        return resistanceKPerW * pow(s, -exponent)
    }

    public func temperatureC(airC: Double, speedMPerS v: Double, powerW: Double) -> Double {
        airC + powerW * resistance(speedMPerS: v)
    }

    static func parse(_ l: Layered) throws -> CompactThermalModel {
        try l.checkKeys(allowed: ["resistance", "referenceSpeed", "exponent"])
        return CompactThermalModel(
            resistanceKPerW: try l.double("resistance", "must be ≥ 0 K/W") { $0 >= 0 },
            referenceSpeedMPerS: try l.double("referenceSpeed", "must be > 0 m/s") { $0 > 0 },
            exponent: try l.double("exponent", default: 0.8, "must be in [0, 2]") { $0 >= 0 && $0 <= 2 })
    }
}

/// Geometry of a stack of parallel plates (fins, packed cards, DIMMs) too fine for the grid.
public struct PlateStack: Sendable, Equatable {
    public var gapM: Double
    public var plateThicknessM: Double

    /// Open fraction of the frontal area, g / (g + t).
    public var openFraction: Double { gapM / (gapM + plateThicknessM) }

    static func parse(_ l: Layered) throws -> PlateStack {
        try l.checkKeys(allowed: ["gap", "plateThickness"])
        return PlateStack(
            gapM: try l.length("gap"),
            plateThicknessM: try l.double("plateThickness", "must be ≥ 0 m") { $0 >= 0 })
    }
}

/// A fan model: curve at its reference speed, operating speed, frame size.
public struct FanSpec {
    public var name: String
    public var curve: FanCurve
    public var rpm: Double
    /// Side of the square frame (m); the fan plane is this square.
    public var sizeM: Double
    /// Electrical power at `rpm`, W (read and checked; the rack compiler does not release it as heat yet).
    public var powerW: Double
    /// Price, US dollars (0 when the part file gives none).
    public var priceUSD: Double = 0

    static func parse(_ l: Layered) throws -> FanSpec {
        try l.checkKeys(allowed: ["kind", "name", "curve", "rpm", "size", "powerW", "priceUSD"])
        let curve = try GenericCase.fanCurve(try l.required("curve"))
        return FanSpec(
            name: try l.string("name", default: "fan"), curve: curve,
            rpm: try l.double("rpm", default: curve.referenceRPM, "must be ≥ 0 rev/min") { $0 >= 0 },
            sizeM: try l.length("size"), powerW: try l.power("powerW", default: 0),
            priceUSD: try l.double("priceUSD", default: 0, "must be ≥ 0 USD") { $0 >= 0 })
    }
}

/// A sheet's loss coefficient from `{freeArea, thickness?, holeDiameter?}` or `{zeta}`. When the
/// two forms are set in different layers (an override gives `zeta` for a part's `freeArea`
/// sheet, or the reverse), the upper one replaces the lower; both in one layer is an error.
func sheetZeta(_ l: Layered) throws -> Double {
    var l = l
    func level(_ k: String) -> Int { l.layers.lastIndex { $0.has(k) } ?? -1 }
    let zl = level("zeta"), pl = ["freeArea", "thickness", "holeDiameter"].map(level).max()!
    if zl >= 0 && pl >= 0 && zl != pl { l = Layered(Array(l.layers[(min(zl, pl) + 1)...]), ignoring: l.ignoredKeys) }
    if l.has("zeta") {
        for k in ["freeArea", "thickness", "holeDiameter"] where l.has(k) {
            throw l.error(k, "give either zeta or freeArea (with optional thickness and holeDiameter), not both")
        }
        return try l.double("zeta", "must be ≥ 0") { $0 >= 0 }
    }
    guard l.has("freeArea") else { throw l.error("freeArea", "missing required key (a sheet needs freeArea or zeta)") }
    do {
        return try PerforatedPlate.zeta(
            freeArea: try l.double("freeArea"), thicknessM: try l.node("thickness")?.double(),
            holeDiameterM: try l.node("holeDiameter")?.double())
    } catch let e as InputError where e.file == nil {
        let key =
            [
                "freeArea": "freeArea", "thicknessM": "thickness", "holeDiameterM": "holeDiameter",
                "relativeThickness": "thickness",
            ][e.keyPath] ?? "freeArea"
        throw l.error(key, e.problem)
    }
}

/// A blower-style graphics card: a shrouded duct along the card, fed through a side intake at
/// its front end, a blower, a fin stack carrying the GPU's heat, exhaust through the bracket.
public struct GPUSpec {
    public var name: String
    /// Shroud thickness (x), length (y), height (z), m.
    public var sizeM: (Double, Double, Double)
    public var slots: Int
    /// PCB, backplate and components on the card's low-x side, m.
    public var pcbThicknessM: Double
    /// Length of the side intake at the card's front end (before the blower), m.
    public var intakeLengthM: Double
    public var blower: FanSpec
    /// Fin stack length, measured from the bracket, m.
    public var finLengthM: Double
    public var fins: PlateStack
    public var bracketZeta: Double
    public var powerW: Double
    public var idlePowerW: Double
    public var limitC: Double
    public var thermal: CompactThermalModel
    public var priceUSD: Double
    public var fp32TFLOPS: Double
    /// The card's own memory (VRAM), GB (0 when the part file gives none).
    public var memoryGB: Double = 0

    static let keys = [
        "kind", "name", "size", "slots", "pcbThickness", "intakeLength", "blower", "finLength", "fins",
        "bracket", "powerW", "idlePowerW", "limitC", "thermal", "priceUSD", "fp32TFLOPS", "memoryGB",
    ]

    static func parse(_ l: Layered) throws -> GPUSpec {
        try l.checkKeys(allowed: keys)
        let s = try l.lengths("size", count: 3)
        let g = GPUSpec(
            name: try l.string("name"), sizeM: (s[0], s[1], s[2]), slots: try l.int("slots", default: 2),
            pcbThicknessM: try l.length("pcbThickness"), intakeLengthM: try l.length("intakeLength"),
            blower: try FanSpec.parse(try l.child("blower").orThrow(l, "blower")),
            finLengthM: try l.length("finLength"), fins: try PlateStack.parse(try l.child("fins").orThrow(l, "fins")),
            bracketZeta: try sheetZeta(try l.child("bracket").orThrow(l, "bracket")),
            powerW: try l.power("powerW"), idlePowerW: try l.power("idlePowerW", default: 0),
            limitC: try l.double("limitC"),
            thermal: try CompactThermalModel.parse(try l.child("thermal").orThrow(l, "thermal")),
            priceUSD: try l.double("priceUSD", default: 0), fp32TFLOPS: try l.double("fp32TFLOPS", default: 0),
            memoryGB: try l.double("memoryGB", default: 0, "must be ≥ 0 GB") { $0 >= 0 })
        if g.pcbThicknessM >= g.sizeM.0 {
            throw l.error("pcbThickness", "must be less than the card thickness \(configFormat(g.sizeM.0)) m")
        }
        if g.intakeLengthM + g.finLengthM > g.sizeM.1 {
            throw l.error("finLength", "intakeLength + finLength exceed the card length \(configFormat(g.sizeM.1)) m")
        }
        // Bounded: the slot checks walk every slot a card covers (fuzzing: 2³¹ slots hung the loader).
        if g.slots < 1 || g.slots > 8 { throw l.error("slots", "must be 1–8 PCIe slots (got \(g.slots))") }
        return g
    }
}

/// A plain expansion card (a NIC): a finned block at the bracket end.
public struct CardSpec {
    public var name: String
    /// Thickness (x), length (y), height (z), m.
    public var sizeM: (Double, Double, Double)
    /// Offset of the block from the slot's low-x side, m.
    public var offsetM: Double
    public var fins: PlateStack
    public var powerW: Double
    public var limitC: Double
    public var thermal: CompactThermalModel
    public var priceUSD: Double

    static func parse(_ l: Layered) throws -> CardSpec {
        try l.checkKeys(allowed: ["kind", "name", "size", "offset", "fins", "powerW", "limitC", "thermal", "priceUSD"])
        let s = try l.lengths("size", count: 3)
        return CardSpec(
            name: try l.string("name"), sizeM: (s[0], s[1], s[2]),
            offsetM: try l.double("offset", default: 0, "must be ≥ 0 m") { $0 >= 0 },
            fins: try PlateStack.parse(try l.child("fins").orThrow(l, "fins")),
            powerW: try l.power("powerW"), limitC: try l.double("limitC"),
            thermal: try CompactThermalModel.parse(try l.child("thermal").orThrow(l, "thermal")),
            priceUSD: try l.double("priceUSD", default: 0))
    }
}

public struct CPUSpec {
    public var name: String
    public var powerW: Double
    public var peakPowerW: Double
    public var limitC: Double
    public var priceUSD: Double

    static func parse(_ l: Layered) throws -> CPUSpec {
        try l.checkKeys(allowed: ["kind", "name", "powerW", "peakPowerW", "limitC", "priceUSD"])
        let p = try l.power("powerW")
        return CPUSpec(
            name: try l.string("name"), powerW: p, peakPowerW: try l.power("peakPowerW", default: p),
            limitC: try l.double("limitC"), priceUSD: try l.double("priceUSD", default: 0))
    }
}

/// A tower cooler: horizontal fins (plates normal to z) above a base, a fan on the front face.
public struct CoolerSpec {
    public var name: String
    /// Fin stack width (x), depth (y), top height above the board (z), m.
    public var sizeM: (Double, Double, Double)
    /// Heat-pipe base and socket under the fins: width (x), depth (y), height (z), m.
    public var baseM: (Double, Double, Double)
    public var fins: PlateStack
    public var fan: FanSpec
    public var thermal: CompactThermalModel
    /// Price, US dollars (0 when the part file gives none).
    public var priceUSD: Double = 0

    static func parse(_ l: Layered) throws -> CoolerSpec {
        try l.checkKeys(allowed: ["kind", "name", "size", "base", "fins", "fan", "thermal", "priceUSD"])
        let s = try l.lengths("size", count: 3), b = try l.lengths("base", count: 3)
        if b[0] > s[0] || b[1] > s[1] {
            throw l.error("base", "must fit under the fin stack (\(configFormat(s[0])) × \(configFormat(s[1])) m)")
        }
        if b[2] >= s[2] { throw l.error("base", "base height must be below the fin stack top \(configFormat(s[2])) m") }
        return CoolerSpec(
            name: try l.string("name"), sizeM: (s[0], s[1], s[2]), baseM: (b[0], b[1], b[2]),
            fins: try PlateStack.parse(try l.child("fins").orThrow(l, "fins")),
            fan: try FanSpec.parse(try l.child("fan").orThrow(l, "fan")),
            thermal: try CompactThermalModel.parse(try l.child("thermal").orThrow(l, "thermal")),
            priceUSD: try l.double("priceUSD", default: 0, "must be ≥ 0 USD") { $0 >= 0 })
    }
}

/// One memory module standing on the board, modules side by side along x at `pitch`.
public struct MemorySpec {
    public var name: String
    /// Module thickness (x), length (y), height (z), m.
    public var sizeM: (Double, Double, Double)
    public var pitchM: Double
    public var powerW: Double
    public var limitC: Double
    public var thermal: CompactThermalModel
    public var priceUSD: Double
    /// Capacity of one module, GB (0 when the part file gives none).
    public var capacityGB: Double = 0

    static func parse(_ l: Layered) throws -> MemorySpec {
        try l.checkKeys(allowed: [
            "kind", "name", "size", "pitch", "powerW", "limitC", "thermal", "priceUSD", "capacityGB",
        ])
        let s = try l.lengths("size", count: 3)
        let pitch = try l.length("pitch")
        if pitch <= s[0] {
            throw l.error("pitch", "must exceed the module thickness \(configFormat(s[0])) m (modules would touch)")
        }
        return MemorySpec(
            name: try l.string("name"), sizeM: (s[0], s[1], s[2]), pitchM: pitch, powerW: try l.power("powerW"),
            limitC: try l.double("limitC"),
            thermal: try CompactThermalModel.parse(try l.child("thermal").orThrow(l, "thermal")),
            priceUSD: try l.double("priceUSD", default: 0),
            capacityGB: try l.double("capacityGB", default: 0, "must be ≥ 0 GB") { $0 >= 0 })
    }
}

/// The motherboard: a solid slab (board, standoffs, the dead air under it), PCIe slots along x,
/// and its own losses (VRM, chipset) released in the air of a region above it.
public struct BoardSpec {
    public var name: String
    /// Width (x), depth (y), height of the slab (z), m.
    public var sizeM: (Double, Double, Double)
    /// x of slot 1's low side from the board's low-x edge, m; slot pitch, m; slot count.
    public var slot1XM: Double
    public var slotPitchM: Double
    public var slotCount: Int
    public var powerW: Double
    /// Heat region relative to the board's corner: x/y lower and upper, and height above the slab, m.
    public var heatLo: (Double, Double), heatHi: (Double, Double), heatHeightM: Double
    public var limitC: Double
    public var thermal: CompactThermalModel
    public var priceUSD: Double

    static func parse(_ l: Layered) throws -> BoardSpec {
        try l.checkKeys(allowed: [
            "kind", "name", "size", "slots", "powerW", "heatRegion", "limitC", "thermal", "priceUSD",
        ])
        let s = try l.lengths("size", count: 3)
        let sl = try l.child("slots").orThrow(l, "slots")
        try sl.checkKeys(allowed: ["first", "pitch", "count"])
        let slotCount = try sl.int("count")
        // Bounded so that slot arithmetic (slot + card width) cannot overflow.
        if slotCount < 1 || slotCount > 64 { throw sl.error("count", "must be 1–64 slots (got \(slotCount))") }
        let hr = try l.child("heatRegion").orThrow(l, "heatRegion")
        try hr.checkKeys(allowed: ["lo", "hi", "height"])
        let lo = try hr.vector2("lo"), hi = try hr.vector2("hi")
        if !(lo.0 < hi.0 && lo.1 < hi.1) { throw hr.error("hi", "must exceed lo in both coordinates") }
        return BoardSpec(
            name: try l.string("name"), sizeM: (s[0], s[1], s[2]),
            slot1XM: try sl.double("first", "must be ≥ 0 m") { $0 >= 0 }, slotPitchM: try sl.length("pitch"),
            slotCount: slotCount, powerW: try l.power("powerW"),
            heatLo: lo, heatHi: hi, heatHeightM: try hr.length("height"),
            limitC: try l.double("limitC"),
            thermal: try CompactThermalModel.parse(try l.child("thermal").orThrow(l, "thermal")),
            priceUSD: try l.double("priceUSD", default: 0))
    }
}

/// A power supply: a box with its own fan in the bottom face, a grille at the back, internal
/// resistance, and losses `draw × (1/η − 1)` released inside.
public struct PSUSpec {
    public var name: String
    /// Width (x), depth (y), height (z), m.
    public var sizeM: (Double, Double, Double)
    public var ratedPowerW: Double
    public var efficiency: Double
    public var fan: FanSpec
    public var grilleZeta: Double
    public var inverseKPerM2: Double
    public var c2PerM: Double
    public var limitC: Double
    public var thermal: CompactThermalModel
    public var priceUSD: Double

    static func parse(_ l: Layered) throws -> PSUSpec {
        try l.checkKeys(allowed: [
            "kind", "name", "size", "ratedPowerW", "efficiency", "fan", "grille", "internals",
            "limitC", "thermal", "priceUSD",
        ])
        let s = try l.lengths("size", count: 3)
        let inner = try l.child("internals").orThrow(l, "internals")
        try inner.checkKeys(allowed: ["inverseK", "c2"])
        let fan = try FanSpec.parse(try l.child("fan").orThrow(l, "fan"))
        if fan.sizeM > min(s[0], s[1]) {
            throw l.error("fan", "a \(configFormat(fan.sizeM)) m fan does not fit the PSU's bottom face")
        }
        return PSUSpec(
            name: try l.string("name"), sizeM: (s[0], s[1], s[2]), ratedPowerW: try l.power("ratedPowerW"),
            efficiency: try l.double("efficiency", "must be in (0, 1]") { $0 > 0 && $0 <= 1 },
            fan: fan, grilleZeta: try sheetZeta(try l.child("grille").orThrow(l, "grille")),
            inverseKPerM2: try inner.double("inverseK", "must be ≥ 0 1/m²") { $0 >= 0 },
            c2PerM: try inner.double("c2", "must be ≥ 0 1/m") { $0 >= 0 },
            limitC: try l.double("limitC"),
            thermal: try CompactThermalModel.parse(try l.child("thermal").orThrow(l, "thermal")),
            priceUSD: try l.double("priceUSD", default: 0))
    }
}

extension Optional where Wrapped == Layered {
    /// The child, or "missing required key" at `key` of `parent`.
    func orThrow(_ parent: Layered, _ key: String) throws -> Layered {
        guard let v = self else { throw parent.error(key, "missing required key") }
        guard v.top.isMapping else { throw v.top.error("must be a mapping ({key: value, …})") }
        return v
    }
}
