import Foundation
import RackFlowNumerics

/// Imposed velocity faces: which faces the momentum equations do not solve for (domain faces
/// other than outlets, wall-tagged faces, faces touching a solid), their values (inlet speeds,
/// zero elsewhere) and which of them are no-slip walls for the wall shear.
extension FlowSolver {
    /// Index of the cell (i, j, k).
    @inline(__always) func cell(_ i: Int, _ j: Int, _ k: Int) -> Int { i + nx * (j + ny * k) }

    /// The boundary face of `side` at in-plane position (p, q) of the cell row.
    @inline(__always) func boundaryFace(_ side: Side, _ i: Int, _ j: Int, _ k: Int) -> BoundaryFace {
        switch side.axis {
        case 0: return boundary[side.rawValue][j + ny * k]
        case 1: return boundary[side.rawValue][i + nx * k]
        default: return boundary[side.rawValue][i + nx * j]
        }
    }

    /// Marks imposed faces: domain faces other than outlets, wall-tagged faces, faces
    /// touching a solid; and sets their values (inlet speeds, zero elsewhere).
    func setupFixedFaces() {
        let n = [nx, ny, nz]
        fixed = []
        fixedValue = []
        noSlip = []
        inletFaces = [[], [], []]
        for a in 0..<3 {
            let F = fdim[a]
            var fx = [Bool](repeating: false, count: F[0] * F[1] * F[2])
            var fv = [Double](repeating: 0, count: fx.count)
            var ns = [Bool](repeating: false, count: fx.count)
            for k in 0..<F[2] {
                for j in 0..<F[1] {
                    for i in 0..<F[0] {
                        let f = i + F[0] * (j + F[1] * k)
                        var idx = [i, j, k]
                        let m = idx[a]
                        if flow.tags.faces[a][f] == .wall {
                            fx[f] = true
                            ns[f] = true
                            continue
                        }
                        if m == 0 || m == n[a] {
                            // Domain boundary face: the cell inside is at m or m-1.
                            idx[a] = m == 0 ? 0 : m - 1
                            let side = Side(rawValue: 2 * a + (m == 0 ? 0 : 1))!
                            if isSolid[cell(idx[0], idx[1], idx[2])] {
                                fx[f] = true
                                ns[f] = true
                                continue
                            }
                            switch boundaryFace(side, idx[0], idx[1], idx[2]) {
                            case .wall:
                                fx[f] = true
                                ns[f] = true
                            case .symmetry: fx[f] = true
                            case let .inlet(speed, _, _):
                                let un = VelocityInletCondition.normalVelocity(inwardSpeed: speed, lower: m == 0)
                                fx[f] = true
                                fv[f] = un * inflowScale
                                inletFaces[a].append((f, un))
                            case .outlet: break
                            }
                            continue
                        }
                        idx[a] = m - 1
                        let cl = cell(idx[0], idx[1], idx[2])
                        idx[a] = m
                        let cr = cell(idx[0], idx[1], idx[2])
                        if isSolid[cl] || isSolid[cr] {
                            fx[f] = true
                            ns[f] = true
                        }
                    }
                }
            }
            fixed.append(fx)
            fixedValue.append(fv)
            noSlip.append(ns)
        }
    }

    func applyFixedValues(_ a: Int) {
        let u = velocity[a].p
        for f in 0..<fixed[a].count where fixed[a][f] { u[f] = fixedValue[a][f] }
    }
}
