extension TextBuffer {
    /// A primvar with one value for the whole prim: `<declaration> = <value> (`, its
    /// `interpolation = "constant"`, `)`. The fixed colours and opacities of the stages' shells,
    /// shrouds and trays are written with it, so that each is one line in its writer.
    mutating func usdConstantPrimvar(_ level: Int, _ declaration: String, _ value: String) {
        usdLine(level, "\(declaration) = \(value) (")
        usdLine(level + 1, "interpolation = \"constant\"")
        usdLine(level, ")")
    }
}
