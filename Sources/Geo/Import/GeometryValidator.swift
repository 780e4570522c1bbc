/// Checks rings before they become polygons: enough positions, closed, with area,
/// and not crossing themselves. Errors say which polygon and ring, and where.
enum GeometryValidator {
    /// Returns `nil` when `ring` is valid, else what is wrong with it.
    static func problem(in ring: [GeoPoint]) -> String? {
        guard !ring.isEmpty else { return "is empty" }
        guard ring.count >= 4 else { return "has \(ring.count) positions; a closed ring needs at least 4" }
        guard ring.first == ring.last else {
            return "is not closed: its first position \(text(ring.first!)) and last position \(text(ring.last!)) differ"
        }
        if let (i, j) = selfIntersection(ring) {
            return "crosses itself: edge \(i) (from \(text(ring[i]))) crosses edge \(j) (from \(text(ring[j])))"
        }
        guard signedArea(ring) != 0 else { return "encloses no area (all positions on one line)" }
        return nil
    }

    static func text(_ p: GeoPoint) -> String { "[\(p.x), \(p.y)]" }

    /// Twice the signed area (shoelace).
    static func signedArea(_ ring: [GeoPoint]) -> Double {
        var s = 0.0
        for i in 1..<ring.count { s += ring[i - 1].x * ring[i].y - ring[i].x * ring[i - 1].y }
        return s
    }

    /// The first pair of non-adjacent edges whose interiors cross (a proper crossing, or
    /// collinear edges that overlap), found with a sweep over the edges sorted by x.
    /// Rings that merely touch themselves at a vertex pass: CBS files contain such rings.
    static func selfIntersection(_ ring: [GeoPoint]) -> (Int, Int)? {
        let n = ring.count - 1   // edges; edge i runs ring[i] → ring[i + 1]
        guard n > 3 else { return nil }
        let order = (0..<n).sorted { Swift.min(ring[$0].x, ring[$0 + 1].x) < Swift.min(ring[$1].x, ring[$1 + 1].x) }
        var active: [Int] = []
        for e in order {
            let a = ring[e], b = ring[e + 1]
            let minX = Swift.min(a.x, b.x)
            active.removeAll { Swift.max(ring[$0].x, ring[$0 + 1].x) < minX }
            for f in active {
                let adjacent = abs(e - f) == 1 || abs(e - f) == n - 1
                if !adjacent, cross(a, b, ring[f], ring[f + 1]) { return (Swift.min(e, f), Swift.max(e, f)) }
            }
            active.append(e)
        }
        return nil
    }

    private static func orient(_ a: GeoPoint, _ b: GeoPoint, _ c: GeoPoint) -> Double {
        (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
    }

    private static func cross(_ p1: GeoPoint, _ p2: GeoPoint, _ p3: GeoPoint, _ p4: GeoPoint) -> Bool {
        let o1 = orient(p1, p2, p3), o2 = orient(p1, p2, p4), o3 = orient(p3, p4, p1), o4 = orient(p3, p4, p2)
        if o1 * o2 < 0 && o3 * o4 < 0 { return true }
        // Collinear and overlapping over more than a point.
        if o1 == 0 && o2 == 0 {
            let horizontal = abs(p2.x - p1.x) >= abs(p2.y - p1.y)
            let key = { (p: GeoPoint) in horizontal ? p.x : p.y }
            let lo = Swift.max(Swift.min(key(p1), key(p2)), Swift.min(key(p3), key(p4)))
            let hi = Swift.min(Swift.max(key(p1), key(p2)), Swift.max(key(p3), key(p4)))
            return lo < hi
        }
        return false
    }
}
