import Foundation

/// A folder's files as one byte string and back: how a rank ships the result folders of the
/// racks it solved to rank 0 (one MPI gather), which unpacks them into the room's staging
/// folder. Format: per file, UInt32 path length, UTF-8 relative path, UInt64 size, bytes
/// (little-endian). Paths are checked on the way in: no absolute paths, no `..`.
public enum FolderArchive {
    /// Every regular file under `dir`, paths relative to it, prefixed with `prefix/`.
    public static func pack(_ dir: URL, prefix: String) throws -> Data {
        var out = Data()
        let fm = FileManager.default
        guard let e = fm.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) else { return out }
        var files: [URL] = []
        for case let u as URL in e where (try? u.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(u)
        }
        let base = dir.standardizedFileURL.path
        for u in files.sorted(by: { $0.path < $1.path }) {
            let rel = String(u.standardizedFileURL.path.dropFirst(base.count + 1))
            let data: Data
            do { data = try Data(contentsOf: u) } catch {
                throw ExportError.io(
                    path: u.path, operation: "pack", reason: "cannot read for packing: \(error.localizedDescription)")
            }
            let path = Data((prefix.isEmpty ? rel : prefix + "/" + rel).utf8)
            var n = UInt32(path.count).littleEndian
            out.append(Data(bytes: &n, count: 4))
            out.append(path)
            var m = UInt64(data.count).littleEndian
            out.append(Data(bytes: &m, count: 8))
            out.append(data)
        }
        return out
    }

    /// Writes the files of `archive` under `dir` (each atomically).
    public static func unpack(_ archive: Data, into dir: URL) throws {
        let bytes = [UInt8](archive)
        var i = 0
        func read(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, i + n <= bytes.count else {
                throw ExportError.io(path: dir.path, operation: "unpack", reason: "truncated archive from another rank")
            }
            defer { i += n }
            return bytes[i..<i + n]
        }
        func le(_ s: ArraySlice<UInt8>) -> UInt64 { s.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        while i < bytes.count {
            let path = String(decoding: try read(Int(le(try read(4)))), as: UTF8.self)
            let data = Data(try read(Int(le(try read(8)))))
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw ExportError.io(
                    path: path, operation: "unpack", reason: "refusing an archive path outside the result folder")
            }
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(data, to: url)
        }
    }
}
