import ArgumentParser
import Foundation
import RackFlowModel

/// The options of `rackflow room` a checkpoint keeps, and how `--resume` takes them back: the
/// room file, result folder, spacing, VTI spacing and the stage's up axis come from the
/// checkpoint; given again, they must agree with it.
struct RoomResumeOptions: Codable {
    var room: String?
    var output: String?
    var maxSpacing: Double?
    var vtiSpacing: Double
    /// "Y" or "Z"; nil in checkpoints written before the option existed (Y).
    var upAxis: String?

    static func resolve(
        room: String?, output: String?, maxSpacing: Double?, vtiSpacing: Double, upAxis: String?,
        checkpointEvery: Int?, resume: String?
    ) throws -> (RoomResumeOptions, URL?) {
        if let n = checkpointEvery, n < 1 {
            throw ValidationError("--checkpoint-every must be ≥ 1 coupling iteration (got \(n))")
        }
        let given = RoomResumeOptions(
            room: room, output: output, maxSpacing: maxSpacing, vtiSpacing: vtiSpacing, upAxis: upAxis)
        guard let resume else { return (given, nil) }
        let url = URL(fileURLWithPath: resume)
        let m = try RoomCheckpointer.readManifest(url)
        let manifest = url.appendingPathComponent("manifest.json").path
        guard let c = m.command.flatMap({ try? JSONDecoder().decode(RoomResumeOptions.self, from: Data($0.utf8)) })
        else {
            throw ConfigError(
                file: manifest, line: nil, keyPath: "command",
                problem: "missing or unreadable: the room command's options are not in this checkpoint")
        }
        func same(_ name: String, _ g: String?, _ s: String?) throws {
            if let g, let s, g != s {
                throw ValidationError(
                    "--\(name) \(g) differs from the checkpoint's \(s) (\(url.path)); resume without it or with the "
                        + "same value"
                )
            }
        }
        if let r = room, let s = c.room,
            URL(fileURLWithPath: r).standardizedFileURL.path != URL(fileURLWithPath: s).standardizedFileURL.path
        {
            throw ValidationError(
                "room file \(r) differs from the checkpoint's \(s) (\(url.path)); resume without a room argument")
        }
        if let o = output, let s = c.output,
            URL(fileURLWithPath: o).standardizedFileURL.path != URL(fileURLWithPath: s).standardizedFileURL.path
        {
            throw ValidationError("--output \(o) differs from the checkpoint's \(s) (\(url.path)); resume without it")
        }
        try same("max-spacing", maxSpacing.map { "\($0)" }, c.maxSpacing.map { "\($0)" })
        try same("up-axis", upAxis, c.upAxis ?? "Y")
        if maxSpacing != nil && c.maxSpacing == nil {
            throw ValidationError(
                "--max-spacing \(maxSpacing!) differs from the checkpoint's (the rack files' spacing); resume "
                    + "without it"
            )
        }
        // --vti-spacing has a default: a value other than the checkpoint's is refused only when it differs from the
        // default too.
        if vtiSpacing != 0.01 && vtiSpacing != c.vtiSpacing {
            throw ValidationError(
                "--vti-spacing \(vtiSpacing) differs from the checkpoint's \(c.vtiSpacing) (\(url.path)); resume "
                    + "without it"
            )
        }
        return (c, url)
    }
}
