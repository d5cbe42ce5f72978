import Foundation
import RackFlowModel
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

private func errnoString(_ e: Int32 = errno) -> String { String(cString: strerror(e)) }

private func randomSuffix() -> String {
    String(UInt64.random(in: 0...UInt64.max), radix: 36)
}

/// fsync of a directory, so a rename inside it survives a crash.
private func syncDirectory(_ dir: URL) throws {
    let fd = open(dir.path, O_RDONLY | O_DIRECTORY)
    guard fd >= 0 else {
        throw ExportError.io(path: dir.path, operation: "open directory for fsync", reason: errnoString())
    }
    defer { close(fd) }
    guard fsync(fd) == 0 else {
        throw ExportError.io(path: dir.path, operation: "fsync directory", reason: errnoString())
    }
}

private func renameItem(_ from: URL, _ to: URL) throws {
    guard rename(from.path, to.path) == 0 else {
        throw ExportError.io(
            path: to.path, operation: "rename \(from.lastPathComponent) over it", reason: errnoString())
    }
}

/// Whole-file atomic writes: readers see the old content or the new, never a part.
///
/// The data goes to `.<name>.tmp-<pid>-<random>` in the target's directory, is flushed to
/// disk (`FileHandle.synchronize`), renamed over the target (rename(2) replaces atomically
/// within one file system), and the directory is synced. On failure the temporary file is
/// removed and an `ExportError.io` naming the path is thrown.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = StagingName.beside(url, .tmp, suffix: "\(getpid())-\(randomSuffix())")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw ExportError.io(
                path: url.path, operation: "create temporary file \(tmp.lastPathComponent)", reason: errnoString())
        }
        var renamed = false
        defer { if !renamed { unlink(tmp.path) } }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw ExportError.io(
                path: url.path, operation: "write temporary file \(tmp.lastPathComponent)", reason: "\(error)")
        }
        try renameItem(tmp, url)
        renamed = true
        try syncDirectory(dir)
    }

    public static func write(_ string: String, to url: URL) throws {
        try write(Data(string.utf8), to: url)
    }

    /// For files a library writes itself (OpenVDB, …): `produce` writes the temporary path
    /// it is given (same directory, `.<name>.tmp-<pid>-<random>`); the file is then fsynced,
    /// renamed over `url`, and the directory synced. If `produce` throws or anything fails,
    /// the temporary file is removed and `url` is untouched. `sync: false` skips both
    /// fsyncs: readers still never see a half file (the rename is atomic), but after a crash
    /// of the machine the file may be empty — fine for caches that a rerun rewrites.
    public static func write(to url: URL, sync: Bool = true, by produce: (URL) throws -> Void) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = StagingName.beside(url, .tmp, suffix: "\(getpid())-\(randomSuffix())")
        var renamed = false
        defer { if !renamed { unlink(tmp.path) } }
        try produce(tmp)
        guard sync else {
            try renameItem(tmp, url)
            renamed = true
            return
        }
        let fd = open(tmp.path, O_RDONLY)
        guard fd >= 0 else {
            throw ExportError.io(
                path: url.path, operation: "open \(tmp.lastPathComponent) for fsync", reason: errnoString())
        }
        let synced = fsync(fd) == 0
        let err = errno
        close(fd)
        guard synced else {
            throw ExportError.io(path: url.path, operation: "fsync \(tmp.lastPathComponent)", reason: errnoString(err))
        }
        try renameItem(tmp, url)
        renamed = true
        try syncDirectory(dir)
    }
}

/// Stages a whole result folder: everything is written into a hidden sibling
/// `.<name>.partial-<pid>`, and `commit()` swaps it in for the final folder (rename the old
/// folder away, rename the staging folder in, delete the old one). `abandon()` deletes the
/// staging folder, so a failed run leaves the previous results untouched and no half-written
/// folder in `Results/`.
///
/// Only results are replaced. Each staged folder carries a marker file (`marker`), and the
/// final path must be absent, an empty folder, or a folder an earlier run wrote: the marker, or
/// for runs from before it, one of `earlierResultFiles`. Anything else, such as a user's own
/// folder given as `--output` or a regular file, is refused before the run starts, naming the
/// path. Replacing it would delete what it holds.
public struct ResultFolder {
    public let final: URL
    public let staging: URL
    /// The marker file in every result folder.
    public static let marker = ".rackflow-results"
    /// Every result folder written before the marker existed holds one of these.
    static let earlierResultFiles: Set<String> = ["summary.json", "log.txt", "grid-study.json", "failure.json"]

    public init(final: URL) throws {
        self.final = final.standardizedFileURL
        try Self.checkReplaceable(self.final)
        let parent = self.final.deletingLastPathComponent()
        staging = StagingName.beside(self.final, .partial, suffix: "\(getpid())", isDirectory: true)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) } // stale, same pid
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            try Data("written by rackflow; the next run writing here replaces this folder\n".utf8).write(
                to: staging.appendingPathComponent(Self.marker))
        } catch {
            throw ExportError.io(path: staging.path, operation: "create staging folder", reason: "\(error)")
        }
    }

    /// Throws unless `url` may be replaced by a result folder (see the type's comment).
    public static func checkReplaceable(_ url: URL) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { return }
        guard isDir.boolValue else {
            throw ExportError.io(
                path: url.path, operation: "output folder check (before any solve)",
                reason: "it is a file, not a result folder; give another output folder or move the file away")
        }
        guard !writtenByRackflow(url) else { return }
        let entries = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
        throw ExportError.io(
            path: url.path, operation: "output folder check (before any solve)",
            reason: "the folder exists and rackflow did not write it (\(entries.count) entries, no "
                + "\(marker) marker); a run replaces its result folder whole, which would delete what "
                + "this one holds, so give another output folder or remove it")
    }

    /// Empty; or marked; or holding a file only results hold (before the marker); or holding
    /// nothing but such folders, staging leftovers and geometry pictures (`Results/<case>/`
    /// after `rackflow mesh` or a grid study, which write their own folders inside it).
    static func writtenByRackflow(_ url: URL, depth: Int = 0) -> Bool {
        let fm = FileManager.default
        let entries = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
        if entries.isEmpty || entries.contains(marker) || entries.contains(where: earlierResultFiles.contains) {
            return true
        }
        guard depth < 2 else { return false }
        return entries.allSatisfy { e in
            if StagingName.isStaging(e) { return true }
            if e.hasPrefix("geometry-") && e.hasSuffix(".png") { return true }
            var isDir: ObjCBool = false
            let sub = url.appendingPathComponent(e)
            return fm.fileExists(atPath: sub.path, isDirectory: &isDir) && isDir.boolValue
                && writtenByRackflow(sub, depth: depth + 1)
        }
    }

    /// Takes over the staging folder of an earlier, stopped run (a surge resumed from a
    /// checkpoint continues in the folder holding the frames it wrote). Temporary files a kill
    /// left half-written (`.<name>.tmp-…`) are deleted; finished files stay as they are.
    public init(final: URL, adopting staging: URL) throws {
        self.final = final.standardizedFileURL
        self.staging = staging.standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: self.staging.path, isDirectory: &isDir), isDir.boolValue else {
            throw ExportError.io(
                path: self.staging.path, operation: "adopt the staging folder of the stopped run",
                reason:
                    "it is missing (deleted, or the run finished or failed since); the frames it held are gone, so "
                    + "start the run afresh"
            )
        }
        let fm = FileManager.default
        if let walk = fm.enumerator(at: self.staging, includingPropertiesForKeys: nil) {
            for case let url as URL in walk
            where StagingName.isStaging(url.lastPathComponent, kinds: [.tmp]) {
                try? fm.removeItem(at: url)
            }
        }
    }

    /// Replaces the final folder by the staging folder.
    public func commit() throws {
        let fm = FileManager.default
        let parent = final.deletingLastPathComponent()
        var old: URL? = nil
        if fm.fileExists(atPath: final.path) {
            let o = StagingName.beside(final, .old, suffix: "\(getpid())-\(randomSuffix())", isDirectory: true)
            try renameItem(final, o)
            old = o
        }
        do {
            try renameItem(staging, final)
        } catch {
            if let old { _ = rename(old.path, final.path) } // put the previous results back
            throw error
        }
        if let old {
            do { try fm.removeItem(at: old) } catch {
                throw ExportError.io(path: old.path, operation: "remove previous results", reason: "\(error)")
            }
        }
        try syncDirectory(parent)
    }

    /// Deletes the staging folder; the final folder is not touched.
    public func abandon() {
        try? FileManager.default.removeItem(at: staging)
    }
}
