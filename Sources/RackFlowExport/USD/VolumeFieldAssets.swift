/// The `OpenVDBAsset` children of a `Volume`, one per VDB grid, with a `filePath` sample per
/// frame: shared by the surge stage (`USDStageWriter`) and the room stage (`RoomStageWriter`).
///
/// Per field: `fieldName` (the grid's name in the file), `fieldDataType` (`float`, or `float3`
/// with `vectorDataRoleHint = "Vector"` so Houdini and Blender treat `vel` as a velocity), the
/// grid class as `fieldClass` where the VDB file has one (`density` is a fog volume), and
/// `filePath.timeSamples` (UsdVol schema, "OpenVDBAsset"; Houdini's Volume LOP reads the same
/// attributes).
enum VolumeFieldAssets {
    /// Writes the assets at indentation `level`, each file in `files` sampled at frame
    /// `firstFrame + k`.
    static func write(
        _ b: inout TextBuffer, level: Int, fields: [StageRecording.VolumeField], files: [String],
        firstFrame: Int
    ) {
        func line(_ level: Int, _ s: String) {
            for _ in 0..<level { b.append("    ") }
            b.append(s)
            b.byte(10)
        }
        for field in fields {
            b.byte(10)
            line(level, "def OpenVDBAsset \(USDText.quoted(field.name))")
            line(level, "{")
            line(level + 1, "token fieldName = \(USDText.quoted(field.name))")
            switch field.type {
            case .float: line(level + 1, "token fieldDataType = \"float\"")
            case .vector:
                line(level + 1, "token fieldDataType = \"float3\"")
                line(level + 1, "token vectorDataRoleHint = \"Vector\"")
            }
            if let c = field.gridClass { line(level + 1, "token fieldClass = \(USDText.quoted(c))") }
            line(level + 1, "asset filePath.timeSamples = {")
            for (k, file) in files.enumerated() {
                for _ in 0..<(level + 2) { b.append("    ") }
                b.int(firstFrame + k)
                b.append(": ")
                b.append(USDText.assetPath(file))
                b.append(",\n")
            }
            line(level + 1, "}")
            line(level, "}")
        }
    }
}
