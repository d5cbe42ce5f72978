import RackFlowPhysics

/// `residuals.csv`: one row per outer iteration, the same columns for a finished run, a
/// stopped one and a diverged one (`Results/<case>.failed/`).
///
/// | column               | meaning                                                          |
/// |----------------------|------------------------------------------------------------------|
/// | iteration            | outer iteration, from 1                                          |
/// | mass                 | Σ|continuity error| over cells / reference mass flow             |
/// | velocityChange       | largest |Δu| of the iteration / reference speed                   |
/// | velocityChangeRMS    | RMS of Δu over all faces / reference speed                       |
/// | temperatureChange    | largest |ΔT| / reference temperature difference                  |
/// | temperatureChangeRMS | RMS of ΔT over all cells / reference temperature difference      |
/// | pressureIterations   | conjugate-gradient iterations of the pressure correction         |
/// | velocityChangeAt     | the face of the largest velocity change, with its position (m)   |
/// | temperatureChangeAt  | the cell of the largest temperature change, with its position (m)|
public enum ResidualsCSV {
    public static let header =
        "iteration,mass,velocityChange,velocityChangeRMS,temperatureChange,"
        + "temperatureChangeRMS,pressureIterations,velocityChangeAt,temperatureChangeAt"

    public static func text(_ history: [Residuals]) -> String {
        var csv = header + "\n"
        for r in history {
            csv += "\(r.iteration),\(r.mass),\(r.velocityChange),\(r.velocityChangeRMS),\(r.temperatureChange),"
            csv += "\(r.temperatureChangeRMS),\(r.pressureIterations),\"\(r.velocityChangeAt)\","
            csv += "\"\(r.temperatureChangeAt)\"\n"
        }
        return csv
    }
}
