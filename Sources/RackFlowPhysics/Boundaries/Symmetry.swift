/// Description
///   Symmetry plane: no flow through it, no shear along it, no heat across it. It makes a
///   slab of cells stand for a 2D case, or halves a symmetric one.
///
///   - Normal velocity: imposed, zero; the face is not solved.
///   - Tangential velocity: no term (zero shear stress, ∂u_t/∂n = 0).
///   - Temperature: no term (zero flux).
///   - Pressure correction: an imposed face, d = 0: no correction flows through it.
///   - Wall distance and near-wall strain: not a wall (`FlowCase.wallSides`).
///
/// Usage (a side of a generic case)
///
/// | key | meaning | default |
/// | --- | --- | --- |
/// | `sides.<side>: symmetry` | symmetry plane on the whole side | — (sides default to walls) |
///
/// Reference: Versteeg & Malalasekera, *An Introduction to Computational Fluid Dynamics*
/// (2nd ed., 2007), §9.6 (symmetry boundaries).
enum SymmetryCondition {
    /// A symmetry face adds nothing to the tangential momentum or energy rows: the zero
    /// shear and zero flux are the absence of a term. Named so that the dispatch says so.
    @inline(__always)
    static func tangentialMomentum() {}

    @inline(__always)
    static func energy() {}
}
