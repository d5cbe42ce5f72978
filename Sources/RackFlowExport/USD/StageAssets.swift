import Foundation
import RackFlowModel
import RackFlowNumerics

/// Node types of a compiled rack as the stage writers see them (`StageRecording.NodeAsset`):
/// the boxes and fan planes of the first node of each type, in its chassis frame (origin at
/// the chassis' min corner). Shared by the surge stage (`SurgeWriter`) and the room stage
/// (`RoomStageWriter`), so a node type looks the same in both.
public enum StageAssets {
    /// One asset per node type, in the order the types first appear in `layout.nodes`.
    public static func nodeAssets(genericCase gc: GenericCase, layout: RackLayout) -> [StageRecording.NodeAsset] {
        var assets: [String: StageRecording.NodeAsset] = [:]
        let colours: [String: RGBA] = [
            "gpu": RGBA(60, 170, 70), "fins": RGBA(170, 170, 180), "cpu": RGBA(200, 120, 40),
            "memory": RGBA(40, 90, 160),
            "board": RGBA(30, 110, 60), "psu": RGBA(90, 90, 95), "nic": RGBA(150, 60, 150),
            "other": RGBA(130, 130, 130),
        ]
        func kind(of box: String) -> String {
            let part = box.split(separator: "/").dropFirst().first.map(String.init) ?? ""
            if part.hasPrefix("gpu") { return "gpu" }
            if part.hasPrefix("cpu") { return "cpu" }
            if part.hasPrefix("memory") { return "memory" }
            if part.hasPrefix("board") { return "board" }
            return ["psu", "nic"].contains(part) ? part : "other"
        }
        for n in layout.nodes where assets[n.type] == nil {
            let o = SIMD3(n.lo.0, n.lo.1, n.lo.2)
            let prefix = n.name + "/"
            let parts = gc.boxes.filter { $0.name.hasPrefix(prefix) }.map { b -> StageRecording.Part in
                let k = kind(of: b.name)
                return .init(
                    kind: k, name: String(b.name.dropFirst(prefix.count)),
                    box: .init(min: SIMD3(b.lo.0, b.lo.1, b.lo.2) - o, max: SIMD3(b.hi.0, b.hi.1, b.hi.2) - o),
                    colour: .init(srgb: colours[k] ?? colours["other"]!))
            }
            var fans: [StageRecording.Fan] = []
            for f in layout.fans where f.node == n.name {
                guard let p = gc.planes.first(where: { $0.name == f.name }), let lo = p.lo, let hi = p.hi else {
                    continue
                }
                let a = p.axis, (a1, a2) = SIMD3<Int>.transverse(a)
                var c = SIMD3<Double>(0, 0, 0), axis = SIMD3<Double>(0, 0, 0)
                c[a] = p.position
                c[a1] = (lo.0 + hi.0) / 2
                c[a2] = (lo.1 + hi.1) / 2
                axis[a] = 1
                let blades = ["intake": 7, "cpu": 9, "gpu": 31, "psu": 7][f.kind] ?? 7 // *assumed* blade counts
                if let r = f.rotor {
                    var rotorAxis = SIMD3<Double>(0, 0, 0)
                    rotorAxis[r.axis] = 1
                    fans.append(
                        .init(
                            name: String(f.name.dropFirst(prefix.count)).replacingOccurrences(of: "/", with: "_"),
                            centre: r.centreM - o, axis: rotorAxis, radius: r.radiusM, bladeCount: blades))
                    continue
                }
                fans.append(
                    .init(
                        name: String(f.name.dropFirst(prefix.count)).replacingOccurrences(of: "/", with: "_"),
                        centre: c - o, axis: axis,
                        radius: min(hi.0 - lo.0, hi.1 - lo.1) / 2, bladeCount: blades))
            }
            assets[n.type] = .init(
                name: n.type, size: SIMD3(n.hi.0 - n.lo.0, n.hi.1 - n.lo.1, n.hi.2 - n.lo.2), parts: parts, fans: fans)
        }
        return layout.nodes.map(\.type).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.map {
            assets[$0]!
        }
    }
}
