import Foundation

/// The two cards of the seed's saving claim (RTX PRO 4500 vs RTX PRO 5000), read from the part
/// catalogue so the claim is recomputed from the same prices and TFLOPS the layouts use.
public enum SeedGPUs {
    public static let cheapFile = "parts/rtx-pro-4500.yaml"
    public static let dearFile = "parts/rtx-pro-5000.yaml"

    /// nil when either part file is missing or unreadable (the report then leaves the claim out).
    public static func load(meshes: String) -> (cheap: GPUSpec, dear: GPUSpec)? {
        func gpu(_ f: String) -> GPUSpec? {
            guard let n = try? ConfigNode.load(path: meshes + "/" + f) else { return nil }
            return try? GPUSpec.parse(Layered(n))
        }
        guard let a = gpu(cheapFile), let b = gpu(dearFile) else { return nil }
        return (a, b)
    }
}
