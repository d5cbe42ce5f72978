import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowNumerics

/// The options of `rackflow room` a checkpoint keeps, and how `--resume` takes them back: the
/// room file, result folder, spacing, VTI spacing, the stage's up axis, whether twins share
/// their solves, the room air and, for a surge, the scenario, frames, frame rate and voxel size
/// come from the checkpoint; given again, they must agree with it. The checkpoint cadence comes
/// from it too, unless given again.
struct RoomResumeOptions: Codable {
    var room: String?
    var output: String?
    var maxSpacing: Double?
    var vtiSpacing: Double
    /// "Y" or "Z"; nil in checkpoints written before the option existed (Y).
    var upAxis: String?
    /// --solve-every-rack; nil in checkpoints written before the option existed (every rack solved).
    var solveEveryRack: Bool?
    /// --room-air and --room-air-spacing (nil: not given, or a checkpoint from before they were kept).
    var roomAir: Bool?
    var roomAirSpacing: Double?
    /// A room surge's scenario (absolute path) and --frames, --fps, --voxel-size.
    var surge: String?
    var frames: Int?
    var fps: Double?
    var voxelSize: Double?
    /// --checkpoint-every: a resume keeps the checkpoint's cadence unless given again (nil: not
    /// given, or a checkpoint from before it was kept).
    var checkpointEvery: Int?

    /// `given`: the options as typed. Returns the options to run with and the checkpoint folder
    /// to resume from (nil: a fresh run).
    static func resolve(_ given: RoomResumeOptions, resume: String?) throws -> (RoomResumeOptions, URL?) {
        guard let resume else { return (given, nil) }
        let url = URL(fileURLWithPath: resume)
        let manifest = url.appendingPathComponent("manifest.json").path
        let command: String?
        if Self.kind(of: url) == "room-surge" {
            command = try RoomSurgeCheckpointer.readManifest(url).command
        } else {
            command = try RoomCheckpointer.readManifest(url).command
        }
        guard let c = command.flatMap({ try? JSONDecoder().decode(RoomResumeOptions.self, from: Data($0.utf8)) })
        else {
            throw InputError(
                file: manifest, line: nil, keyPath: "command",
                problem: "missing or unreadable: the room command's options are not in this checkpoint")
        }
        func differs(_ name: String, _ g: String, _ s: String) -> ValidationError {
            ValidationError(
                "\(name.contains(" ") ? "" : "--")\(name) \(g) differs from the checkpoint's \(s) (\(url.path)); "
                    + "resume without it or with the same value")
        }
        func same(_ name: String, _ g: String?, _ s: String?) throws {
            if let g, let s, g != s { throw differs(name, g, s) }
        }
        func samePath(_ name: String, _ g: String?, _ s: String?) throws {
            if let g, let s, Self.absolute(g) != Self.absolute(s) { throw differs(name, g, s) }
        }
        try samePath("room file", given.room, c.room)
        try samePath("output", given.output, c.output)
        try same("max-spacing", given.maxSpacing.map { "\($0)" }, c.maxSpacing.map { "\($0)" })
        if given.maxSpacing != nil && c.maxSpacing == nil {
            throw differs("max-spacing", "\(given.maxSpacing!)", "(the rack files' spacing)")
        }
        try same("up-axis", given.upAxis, c.upAxis ?? "Y")
        // Checkpoints from before twins existed solved every rack (each rack's state is in them).
        let everyRack = c.solveEveryRack ?? true
        if given.solveEveryRack == true && !everyRack {
            throw differs("solve-every-rack", "(given)", "run, whose twins shared their solves")
        }
        // A room surge solves its room air after the last frame, from the frames' records: it can
        // be asked for on resume. A steady room's coupling state has no say in it either, but its
        // checkpoint's options are the run's; keep them.
        var kept = c
        if given.roomAir == true && c.roomAir != true {
            // Checkpoints from before the option was kept (nil) took it on resume, as documented then.
            guard c.surge != nil || c.roomAir == nil else { throw differs("room-air", "(given)", "run without it") }
            kept.roomAir = true
            kept.roomAirSpacing = given.roomAirSpacing
        } else {
            try same("room-air-spacing", given.roomAirSpacing.map { "\($0)" }, c.roomAirSpacing.map { "\($0)" })
        }
        if given.surge != nil && c.surge == nil { throw differs("surge", given.surge!, "steady room run") }
        try samePath("surge", given.surge, c.surge)
        // Given on resume, --frames and --fps must be the checkpoint's: they set what its frames are.
        try same("frames", given.frames.map { "\($0)" }, c.frames.map { "\($0)" } ?? "(the scenario's)")
        try same("fps", given.fps.map { "\($0)" }, c.fps.map { "\($0)" } ?? "(the scenario's)")
        // Options with defaults: a value other than the checkpoint's is refused only when it differs
        // from the default too.
        if given.vtiSpacing != 0.01 && given.vtiSpacing != c.vtiSpacing {
            throw differs("vti-spacing", "\(given.vtiSpacing)", "\(c.vtiSpacing)")
        }
        if let v = given.voxelSize, v != 0.02, let s = c.voxelSize, v != s {
            throw differs("voxel-size", "\(v)", "\(s)")
        }
        kept.solveEveryRack = everyRack
        kept.checkpointEvery = given.checkpointEvery ?? c.checkpointEvery
        return (kept, url)
    }

    static func absolute(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.path }

    /// The `kind` a checkpoint folder's manifest names ("room", "room-surge"; nil if unreadable).
    static func kind(of folder: URL) -> String? {
        struct Kind: Decodable { var kind: String }
        let d = try? Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        return d.flatMap { try? JSONDecoder().decode(Kind.self, from: $0) }?.kind
    }
}

extension RoomResumeOptions {
    /// These settings as a checkpoint stores them (JSON): the room, the output folder and the
    /// surge's scenario, if any, as absolute paths.
    func stored(output folderURL: URL, surge scenarioPath: String?) throws -> String {
        var stored = self
        stored.room = URL(fileURLWithPath: room ?? DefaultCase.room).absoluteURL.standardizedFileURL.path
        stored.output = folderURL.absoluteURL.standardizedFileURL.path
        if let scenarioPath { stored.surge = URL(fileURLWithPath: scenarioPath).absoluteURL.standardizedFileURL.path }
        return String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
    }
}
