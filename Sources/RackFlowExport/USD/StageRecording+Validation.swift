import Foundation

/// The recording's checks before anything is written: shapes agree with the frame range and
/// every value is finite and in range; the first problem names the offending value's path.
extension StageRecording {
    /// The node assets: unique names and file names, positive sizes, valid part boxes and fans.
    /// Returns them by name.
    func validateAssets() throws -> [String: NodeAsset] {
        var assetByName: [String: NodeAsset] = [:]
        var fileNames: [String: String] = [:]
        for (ai, a) in nodeAssets.enumerated() {
            let p = "nodeAssets[\(ai)] '\(a.name)'"
            guard assetByName[a.name] == nil else { throw fail(p, "duplicate node type name") }
            let file = USDText.fileName(a.name)
            if let other = fileNames[file] {
                throw fail(p, "file name assets/\(file).usda clashes with node type '\(other)'")
            }
            fileNames[file] = a.name
            assetByName[a.name] = a
            guard finite(a.size), a.size.x > 0, a.size.y > 0, a.size.z > 0 else {
                throw fail(p + ".size", "must be positive")
            }
            for (pi, part) in a.parts.enumerated() { try checkBox(part.box, p + ".parts[\(pi)] '\(part.name)'") }
            for (fi, f) in a.fans.enumerated() {
                let fp = p + ".fans[\(fi)] '\(f.name)'"
                guard finite(f.centre), finite(f.axis), (f.axis * f.axis).sum() > 0 else {
                    throw fail(fp, "centre/axis not finite or axis zero")
                }
                guard f.radius.isFinite, f.radius > 0 else { throw fail(fp + ".radius", "must be positive") }
                guard f.bladeCount >= 1, f.bladeCount <= 64 else { throw fail(fp + ".bladeCount", "must be 1...64") }
            }
        }
        return assetByName
    }

    /// A rack's nodes (`p` its path): unique names, known types, chassis boxes, telemetry with
    /// the heat-map channel and one finite value per frame, fan speeds per fan and frame.
    func validateNodes(of r: Rack, path p: String, assets assetByName: [String: NodeAsset]) throws {
        let n = frameCount
        var nodeNames = Set<String>()
        for (ni, node) in r.nodes.enumerated() {
            let np = p + ".nodes[\(ni)] '\(node.name)'"
            guard nodeNames.insert(node.name).inserted else { throw fail(np, "duplicate node name in the rack") }
            guard let asset = assetByName[node.type] else {
                throw fail(np + ".type", "no node asset named '\(node.type)'")
            }
            try checkBox(node.chassis, np + ".chassis")
            guard node.telemetry[heatmap.channel] != nil else {
                throw fail(np + ".telemetry", "lacks the heatmap channel '\(heatmap.channel)'")
            }
            for (name, values) in node.telemetry {
                guard USDText.identifier(name) == name else {
                    throw fail(np + ".telemetry", "channel name '\(name)' is not an identifier")
                }
                guard values.count == n else {
                    throw fail(np + ".telemetry.\(name)", "has \(values.count) values for \(n) frames")
                }
                if let k = values.firstIndex(where: { !$0.isFinite }) {
                    throw fail(np + ".telemetry.\(name)[\(k)]", "not finite")
                }
            }
            guard node.fanRPM.count == asset.fans.count else {
                throw fail(
                    np + ".fanRPM",
                    "has \(node.fanRPM.count) fans, node type '\(asset.name)' has \(asset.fans.count)")
            }
            for (fi, rpm) in node.fanRPM.enumerated() {
                guard rpm.count == n else {
                    throw fail(np + ".fanRPM[\(fi)]", "has \(rpm.count) values for \(n) frames")
                }
                if let k = rpm.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
                    throw fail(np + ".fanRPM[\(fi)][\(k)]", "must be finite and ≥ 0")
                }
            }
        }
    }

    /// Checks shapes and values; throws the first problem with the path of the offending value.
    public func validate() throws {
        guard fps.isFinite, fps > 0 else { throw fail("fps", "must be positive, is \(fps)") }
        guard lastFrame >= firstFrame else {
            throw fail("lastFrame", "\(lastFrame) is before firstFrame \(firstFrame)")
        }
        guard firstFrameTimeS.isFinite else { throw fail("firstFrameTimeS", "not finite") }
        guard heatmap.minC.isFinite, heatmap.maxC.isFinite, heatmap.maxC > heatmap.minC else {
            throw fail("heatmap", "needs minC < maxC, has \(heatmap.minC) … \(heatmap.maxC)")
        }
        let m = fanMotion
        guard m.referenceAmplitudeM >= 0, m.referenceRPM > 0, m.samplesPerPeriod >= 1, m.spinToleranceDeg > 0,
            m.maxSamplesPerFrame >= 1, m.maxSamplesPerFrame & (m.maxSamplesPerFrame - 1) == 0,
            m.maxSamplesPerFrame <= 64
        else {
            throw fail(
                "fanMotion",
                "needs referenceAmplitudeM ≥ 0, referenceRPM > 0, samplesPerPeriod ≥ 1, spinToleranceDeg > 0 and "
                    + "maxSamplesPerFrame a power of two in 1...64"
            )
        }
        guard !racks.isEmpty else { throw fail("racks", "no racks") }
        let assetByName = try validateAssets()
        let n = frameCount
        var rackNames = Set<String>()
        for (ri, r) in racks.enumerated() {
            let p = "racks[\(ri)] '\(r.name)'"
            guard rackNames.insert(r.name).inserted else { throw fail(p, "duplicate rack name") }
            guard finite(r.placement.translation), r.placement.rotationDegrees.isFinite else {
                throw fail(p + ".placement", "not finite")
            }
            guard r.vdbFiles.count == n else {
                throw fail(p + ".vdbFiles", "has \(r.vdbFiles.count) paths for \(n) frames")
            }
            for (k, f) in r.vdbFiles.enumerated() {
                guard USDText.isValidAssetPath(f) else {
                    throw fail(p + ".vdbFiles[\(k)]", "'\(f)' is empty or holds '@' or a control character")
                }
            }
            guard !r.fields.isEmpty else { throw fail(p + ".fields", "no fields") }
            var fieldNames = Set<String>()
            for f in r.fields {
                guard USDText.identifier(f.name) == f.name, fieldNames.insert(f.name).inserted else {
                    throw fail(p + ".fields", "field name '\(f.name)' is not an identifier or repeats")
                }
            }
            if let b = r.fieldBounds { try checkBox(b, p + ".fieldBounds") }
            try validateNodes(of: r, path: p, assets: assetByName)
        }
    }
}

/// The recording problem at `path`.
private func fail(_ path: String, _ problem: String) -> ExportError {
    .invalidRecording(path: path, problem: problem)
}

private func finite(_ v: SIMD3<Double>) -> Bool { v.x.isFinite && v.y.isFinite && v.z.isFinite }

/// A box with finite corners and positive extent on every axis.
private func checkBox(_ b: StageRecording.Box, _ path: String) throws {
    guard finite(b.min), finite(b.max), b.max.x > b.min.x, b.max.y > b.min.y, b.max.z > b.min.z else {
        throw fail(path, "box \(b.min) … \(b.max) is empty or not finite")
    }
}
