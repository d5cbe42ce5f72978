import Foundation
import RackFlowNumerics

/// Where a solve went wrong, in words a user can act on: non-finite residuals traced to the
/// first field and cell that holds them, and any cell or face described by its indices and its
/// position in metres.
extension FlowSolver {
    func checkFinite(_ r: Residuals) throws {
        guard r.mass.isFinite && r.velocityChange.isFinite && r.temperatureChange.isFinite else {
            let fields: [(SolverField, PaddedVector)] = [
                (.u, velocity[0]), (.v, velocity[1]), (.w, velocity[2]), (.p, pressure), (.T, temperature),
            ]
            for (name, v) in fields {
                for i in 0..<v.count where !v.p[i].isFinite {
                    throw FlowSolverError.diverged(
                        iteration: r.iteration, field: name, index: i,
                        where_: describe(field: name, index: i))
                }
            }
            throw FlowSolverError.diverged(iteration: r.iteration, field: .residual, index: 0, where_: "")
        }
    }

    func describe(field: SolverField, index: Int) -> String {
        let g = flow.grid
        func m(_ v: Double) -> String { String(format: "%.3f", v) }
        guard let a = field.velocityAxis else {
            let (i, j, k) = g.ijk(index)
            return
                "cell (i=\(i), j=\(j), k=\(k)) at (\(m(g.x.centres[i])), \(m(g.y.centres[j])), \(m(g.z.centres[k]))) m"
        }
        let idx = faceIndex(index, axis: a)
        let pos = (0..<3).map { b in
            b == a ? g.axis(b).faces[idx[b]] : g.axis(b).centres[min(idx[b], g.axis(b).count - 1)]
        }
        return
            "face (i=\(idx[0]), j=\(idx[1]), k=\(idx[2])) normal to \(["x", "y", "z"][a]) at (\(m(pos[0])), "
            + "\(m(pos[1])), \(m(pos[2]))) m"
    }
}
