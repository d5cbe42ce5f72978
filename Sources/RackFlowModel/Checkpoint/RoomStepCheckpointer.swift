import Foundation

/// What the two room checkpointers share: the steady room's (`RoomCheckpointer`, a step is a
/// coupling iteration) and the room surge's (`RoomSurgeCheckpointer`, a step is a frame). Both are
/// set up alike (where the checkpoints go, how often, what the command stores, the stop request)
/// and read the checkpoint a resumed run starts from at `init`; each adds what it writes and
/// restores, and its own stop vote at its step boundary. Both write through `RoomCheckpointFolder`.
public class RoomStepCheckpointer<Manifest: CheckpointManifest> {
    public let folder: URL
    /// Checkpoint at the end of every N-th step (nil: only when stopped).
    public let every: Int?
    public let maxSpacingM: Double?
    public let command: String?
    /// Polled at every step boundary on every rank; any rank's true stops all.
    public let stop: () -> Bool
    /// The checkpoint to resume from (read by `init`), nil for a fresh run.
    public let resumed: Manifest?

    public init(
        folder: URL, every: Int?, resume: Bool, maxSpacingM: Double?, command: String? = nil, stop: @escaping () -> Bool
    ) throws {
        self.folder = folder
        self.every = every
        self.maxSpacingM = maxSpacingM
        self.command = command
        self.stop = stop
        resumed = resume ? try Manifest.read(folder) : nil
    }

    static var manifestName: String { RoomCheckpointFolder.manifestName }

    /// Reads `<folder>/manifest.json` (`CheckpointManifest.read`).
    public static func readManifest(_ folder: URL) throws -> Manifest { try Manifest.read(folder) }
}
