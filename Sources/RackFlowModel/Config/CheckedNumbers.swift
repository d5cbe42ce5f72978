import RackFlowNumerics
/// Numbers read with a requirement, written once for every keyed reader: a YAML node
/// (`ConfigNode`) and a node with its layers of defaults (`Layered`).
public protocol CheckedNumbers {
    func double(_ key: String) throws -> Double
    func has(_ key: String) -> Bool
    func error(_ key: String, _ problem: String) -> InputError
}

extension CheckedNumbers {
    /// A required number that must satisfy `ok`, else "`requirement` (got v)", e.g. "must be ≥ 0".
    public func double(_ key: String, _ requirement: String, _ ok: (Double) -> Bool) throws -> Double {
        let v = try double(key)
        guard ok(v) else { throw error(key, "\(requirement) (got \(configFormat(v)))") }
        return v
    }

    /// An optional number with a default, checked like `double(_:_:_:)` when present.
    public func double(_ key: String, default d: Double, _ requirement: String, _ ok: (Double) -> Bool) throws -> Double
    {
        guard has(key) else { return d }
        return try double(key, requirement, ok)
    }
}
