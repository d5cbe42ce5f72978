/// A contiguous `Double` buffer with `pad` zeros before and after the `count` values.
///
/// Stencil kernels read neighbours at ±1, ±nx and ±nx·ny without branching: coupling
/// coefficients are zero across the domain boundary, and the pad keeps the out-of-range
/// reads at the first and last slabs inside allocated (zeroed) memory.
/// A class with a manually allocated buffer, so hot loops hold a raw pointer with no
/// copy-on-write checks or ARC traffic.
public final class PaddedVector {
    public let count: Int
    public let pad: Int
    private let storage: UnsafeMutablePointer<Double>
    /// First value (index 0); `p[-pad] … p[count + pad - 1]` are addressable.
    public let p: UnsafeMutablePointer<Double>

    public init(count: Int, pad: Int, value: Double = 0) {
        self.count = count
        self.pad = pad
        storage = LargeBuffer.allocate(doubles: count + 2 * pad)
        p = storage + pad
        if value != 0 { p.update(repeating: value, count: count) }
    }

    public convenience init(_ values: [Double], pad: Int) {
        self.init(count: values.count, pad: pad)
        values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: count) }
    }

    deinit { LargeBuffer.free(storage) }

    @inline(__always) public subscript(i: Int) -> Double {
        get { p[i] }
        set { p[i] = newValue }
    }

    /// Filled in `BLAS`'s pieces, one per core: the V-cycle zeroes its 4.5 MB correction every
    /// CG iteration on the default rack, a serial 1 % of a surge's wall time otherwise.
    public func fill(_ v: Double) {
        let p = self.p
        BLAS.pieces(count) { lo, hi in (p + lo).update(repeating: v, count: hi - lo) }
    }
    public func copy(from other: PaddedVector) { BLAS.copy(count, other.p, p) }
    public var array: [Double] { Array(UnsafeBufferPointer(start: p, count: count)) }
    public func set(_ values: [Double]) {
        precondition(values.count == count)
        values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: count) }
    }
}

/// Zeroed `Double` buffers. Large ones are 2 MiB aligned and advised onto transparent
/// huge pages: a 128³ solve touches a few hundred MiB, and on virtual machines the
/// 4 KiB page faults of fresh memory otherwise cost as much as the setup itself.
enum LargeBuffer {
    static let hugePage = 1 << 21

    static func allocate(doubles: Int) -> UnsafeMutablePointer<Double> {
        let bytes = max(doubles, 1) * MemoryLayout<Double>.stride
        if bytes >= hugePage {
            let rounded = (bytes + hugePage - 1) / hugePage * hugePage
            var raw: UnsafeMutableRawPointer?
            if posix_memalign(&raw, hugePage, rounded) == 0, let raw {
                _ = madvise(raw, rounded, MADV_HUGEPAGE)
                memset(raw, 0, bytes)
                return raw.bindMemory(to: Double.self, capacity: doubles)
            }
        }
        let p = UnsafeMutablePointer<Double>.allocate(capacity: max(doubles, 1))
        p.initialize(repeating: 0, count: max(doubles, 1))
        return p
    }

    static func free(_ p: UnsafeMutablePointer<Double>) {
        // posix_memalign and Swift's allocate both come from malloc on Linux.
        Glibc.free(p)
    }
}

#if canImport(Glibc)
    import Glibc
#endif
