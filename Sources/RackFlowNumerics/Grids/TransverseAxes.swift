/// The two axes other than `a`, in order: (1, 2) across x, (0, 2) across y, (0, 1) across z.
/// A face normal to `a` is spanned by them, and a patch's or plane's rectangle is given in them.
extension SIMD3 where Scalar == Int {
    @inline(__always) public static func transverse(_ a: Int) -> (Int, Int) {
        a == 0 ? (1, 2) : (a == 1 ? (0, 2) : (0, 1))
    }
}
