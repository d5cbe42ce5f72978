/// The solver's fields by name, as messages and diagnoses name them: the staggered velocity
/// components u, v, w on the faces normal to x, y, z; pressure p and temperature T at the cell
/// centres; and what else a divergence check can name (the eddy viscosity, the mass residual, the
/// residuals as a whole). The raw value is the name a user reads.
public enum SolverField: String, Sendable {
    case u, v, w, p, T
    case eddyViscosity = "eddy viscosity"
    case massResidual = "mass residual"
    case residual

    /// The velocity component along axis `a` (0: x, 1: y, 2: z).
    public static func velocity(_ a: Int) -> SolverField { [.u, .v, .w][a] }

    /// The axis of a velocity component; nil for the quantities that live at cell centres.
    public var velocityAxis: Int? {
        switch self {
        case .u: return 0
        case .v: return 1
        case .w: return 2
        default: return nil
        }
    }
}
