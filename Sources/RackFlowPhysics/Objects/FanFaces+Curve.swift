extension FanFaces {
    /// A fan from its datasheet curve at a speed. A stopped fan (rpm ≤ 0) is a resistance
    /// ζ ½ ρ v|v| over its face area, never a hole: its pressure "rise" is minus that loss
    /// and its slope the loss's derivative, so the same implicit fan terms apply.
    public init(
        name: String, axis: Int, direction: Double, faces: [Int], curve: FanCurve, rpm: Double,
        areaM2: Double, densityKgPerM3: Double
    ) {
        if rpm > 0 {
            self.init(
                name: name, axis: axis, direction: direction, faces: faces,
                pressureRise: { curve.pressureRise(flowM3PerS: $0, rpm: rpm) },
                slope: { curve.slope(flowM3PerS: $0, rpm: rpm) })
        } else {
            let k = curve.stoppedLossCoefficient * 0.5 * densityKgPerM3 / (areaM2 * areaM2)
            self.init(
                name: name, axis: axis, direction: direction, faces: faces,
                pressureRise: { q in -k * q * abs(q) },
                slope: { q in -2 * k * abs(q) })
        }
    }
}
