/// Raw pointers to the grid's widths and centres per axis, for hot loops: indexing
/// `[[Double]]` inside a stencil loop costs bounds checks and reference counting that a
/// pointer read does not. Owned by the solver; freed with it.
struct GridArrays {
    let wx: UnsafeMutablePointer<Double>, wy: UnsafeMutablePointer<Double>, wz: UnsafeMutablePointer<Double>
    let cx: UnsafeMutablePointer<Double>, cy: UnsafeMutablePointer<Double>, cz: UnsafeMutablePointer<Double>

    init(widths: [[Double]], centres: [[Double]]) {
        func copy(_ a: [Double]) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: a.count)
            p.initialize(from: a, count: a.count)
            return p
        }
        wx = copy(widths[0])
        wy = copy(widths[1])
        wz = copy(widths[2])
        cx = copy(centres[0])
        cy = copy(centres[1])
        cz = copy(centres[2])
    }

    func free() { for p in [wx, wy, wz, cx, cy, cz] { p.deallocate() } }

    @inline(__always) func width(_ a: Int, _ m: Int) -> Double { a == 0 ? wx[m] : (a == 1 ? wy[m] : wz[m]) }
    @inline(__always) func centre(_ a: Int, _ m: Int) -> Double { a == 0 ? cx[m] : (a == 1 ? cy[m] : cz[m]) }
}
