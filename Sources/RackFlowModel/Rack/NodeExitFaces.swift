/// The faces a node's air leaves by, each once.
///
/// Description
///   A node's exits are its rear vents, card brackets and PSU grille, each a plane of faces
///   (`VoxelReport.planeFaces`). Planes placed later take over the faces they share with earlier
///   ones, but each plane keeps the list it tagged, so two overlapping exits (a rear vent behind
///   the PSU's grille, a vent across a card's bracket) list the shared faces twice. Summed plane by
///   plane, those faces' air and heat counted twice: the outlet temperatures of a 2U node whose
///   vent overlapped its PSU read a 6 % short rise against P / (ρ c_p Q), and 24 % over with the
///   vent moved across a card's bracket, while the rack's own balance closed.
///
/// Usage
///   | call                           | gives                                                    |
///   | `node.exitFaces(report)`       | per axis, the exit faces of every exit plane, each once  |
extension RackLayout.NodeInfo {
    public func exitFaces(_ report: VoxelReport) -> [(axis: Int, faces: [Int])] {
        var seen: [Set<Int>] = [[], [], []]
        var out: [(axis: Int, faces: [Int])] = []
        for name in exitPlanes {
            guard let pf = report.planeFaces[name] else { continue }
            let fresh = pf.faces.filter { seen[pf.axis].insert($0).inserted }
            if !fresh.isEmpty { out.append((pf.axis, fresh)) }
        }
        return out
    }
}
