/// Disjoint sets over the integers 0..<count: union–find with path compression (Tarjan 1975,
/// J. ACM 22(2)), each set represented by its lowest member.
///
/// Description
///   `union(a, b)` hangs the higher root under the lower, so a set's root is its lowest member
///   and numbering the sets in order of their roots visits a root before any other member
///   (ConnectedBlocks relies on that). `find` compresses the path it walks. The parents live in
///   one raw buffer: a copy of the struct shares it, and closures that capture it cost no
///   reference counting; the owner calls `deallocate()`.
///
/// Usage
///   | call            | result                                   |
///   | init(count:)    | every integer its own set                |
///   | find(c)         | the root (lowest member) of c's set      |
///   | union(a, b)     | merges the two sets                      |
///   | deallocate()    | frees the buffer (the owner, once)       |
public struct DisjointSets {
    let parent: UnsafeMutablePointer<Int32>
    public let count: Int

    public init(count: Int) {
        self.count = count
        parent = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
        for c in 0..<count { parent[c] = Int32(c) }
    }

    public func deallocate() { parent.deallocate() }

    @inline(__always) public func find(_ c: Int) -> Int {
        var r = c
        while Int(parent[r]) != r { r = Int(parent[r]) }
        var m = c
        while Int(parent[m]) != r {
            let next = Int(parent[m])
            parent[m] = Int32(r)
            m = next
        }
        return r
    }

    @inline(__always) public func union(_ a: Int, _ b: Int) {
        let ra = find(a), rb = find(b)
        if ra != rb { parent[max(ra, rb)] = Int32(min(ra, rb)) }
    }
}
