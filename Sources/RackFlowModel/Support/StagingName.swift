import Foundation

/// The hidden names rackflow gives a file or folder while it replaces one: the new content is
/// written beside the target as `.<name>.<kind>-<suffix>` and renamed over it, so a reader (or
/// a run killed half-way) never sees a half-written target.
///
/// | kind      | what it holds                                       | written by              |
/// | `partial` | a result or checkpoint folder being written         | ResultFolder, checkpoints |
/// | `old`     | the previous folder, moved aside while the new one is renamed in | the same |
/// | `tmp`     | a single file being written, fsynced, then renamed  | AtomicFile, checkpoints |
///
/// The one definition, so that what recognises leftovers (`ResultFolder` accepting a folder
/// as rackflow's own, a resumed surge deleting half-written files) matches what writes them.
public enum StagingName {
    public enum Kind: String, CaseIterable, Sendable {
        case partial, old, tmp
    }

    /// `.<name>.<kind>-<suffix>` in the folder holding `url`.
    public static func beside(_ url: URL, _ kind: Kind, suffix: String, isDirectory: Bool = false) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(kind.rawValue)-\(suffix)", isDirectory: isDirectory)
    }

    /// True for a name `beside` gives with one of `kinds`.
    public static func isStaging(_ name: String, kinds: [Kind] = Kind.allCases) -> Bool {
        name.hasPrefix(".") && kinds.contains { name.contains(".\($0.rawValue)-") }
    }
}
