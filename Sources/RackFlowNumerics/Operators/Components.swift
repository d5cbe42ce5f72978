/// Connected pieces of an operator's active cells, joined through non-zero couplings.
///
/// A piece with no anchor (no Dirichlet value reaches it) is "floating": its operator is
/// singular with the constant as null vector, and `A x = b` has a solution only if the
/// sources in that piece sum to zero. Sealed pockets behind walls are floating pieces too.
public struct Components {
    /// Piece of each cell; -1 for inactive cells.
    public let label: [Int32]
    /// Per piece: anchored (reached by a Dirichlet value) or floating.
    public let anchored: [Bool]
    /// Per piece: its first cell (lowest index).
    public let firstCell: [Int]
    /// Per piece: number of cells.
    public let size: [Int]

    public var count: Int { anchored.count }
    public var floating: [Int] { (0..<count).filter { !anchored[$0] } }

    public init(of A: SymmetricStencil) {
        let n = A.count, nx = A.nx, s = A.slab
        var label = [Int32](repeating: -1, count: n)
        var anchored: [Bool] = [], first: [Int] = [], size: [Int] = []
        let stack = UnsafeMutablePointer<Int>.allocate(capacity: max(n, 1))
        defer { stack.deallocate() }
        let e = A.east.p, no = A.north.p, t = A.top.p
        label.withUnsafeMutableBufferPointer { lp in
            A.anchor.withUnsafeBufferPointer { anc in
                let L = lp.baseAddress!
                for seed in 0..<n where A.active[seed] && L[seed] < 0 {
                    let id = Int32(anchored.count)
                    var isAnchored = false, cells = 0, top_ = 0
                    L[seed] = id
                    stack[0] = seed
                    top_ = 1
                    @inline(__always) func visit(_ g: Double, _ m: Int) {
                        if g > 0 && L[m] < 0 {
                            L[m] = id
                            stack[top_] = m
                            top_ += 1
                        }
                    }
                    while top_ > 0 {
                        top_ -= 1
                        let c = stack[top_]
                        cells += 1
                        if anc[c] > 0 { isAnchored = true }
                        // Neighbours through non-zero couplings (both directions, three axes).
                        visit(e[c], c + 1)
                        visit(e[c - 1], c - 1)
                        visit(no[c], c + nx)
                        visit(no[c - nx], c - nx)
                        visit(t[c], c + s)
                        visit(t[c - s], c - s)
                    }
                    anchored.append(isAnchored)
                    first.append(seed)
                    size.append(cells)
                }
            }
        }
        self.label = label
        self.anchored = anchored
        self.firstCell = first
        self.size = size
    }
}
