/// The edges of a polygon's rings, bucketed into horizontal bands, so the crossing
/// test for a point reads only the edges whose latitude range can contain it
/// (about the square root of the vertex count instead of all of them).
struct EdgeBands: Sendable {
    /// Edge endpoints: edge i runs from (xs[2i], ys[2i]) to (xs[2i+1], ys[2i+1]).
    private let xs: [Double], ys: [Double]
    /// Edge numbers per band: band b holds offsets[b]..<offsets[b+1] of `members`.
    private let offsets: [Int32]
    private let members: [Int32]
    private let minY: Double, scale: Double
    private let bandCount: Int

    init(rings: [[GeoPoint]], bounds: BoundingBox) {
        var xs: [Double] = [], ys: [Double] = []
        for ring in rings where ring.count > 1 {
            for i in 1..<ring.count {
                xs.append(ring[i - 1].x); ys.append(ring[i - 1].y)
                xs.append(ring[i].x); ys.append(ring[i].y)
            }
        }
        let edgeCount = xs.count / 2
        let bandCount = max(1, min(1024, Int(Double(edgeCount).squareRoot())))
        let minY = bounds.minY
        let height = bounds.maxY - bounds.minY
        let scale = height > 0 ? Double(bandCount) / height : 0
        self.bandCount = bandCount
        self.minY = minY
        self.scale = scale
        // Counting sort of edges into every band their closed latitude range touches.
        var counts = [Int32](repeating: 0, count: bandCount + 1)
        func range(_ e: Int) -> ClosedRange<Int> {
            let y0 = ys[2 * e], y1 = ys[2 * e + 1]
            return Self.band(Swift.min(y0, y1), minY, scale, bandCount)...Self.band(Swift.max(y0, y1), minY, scale, bandCount)
        }
        for e in 0..<edgeCount { for b in range(e) { counts[b + 1] += 1 } }
        for b in 0..<bandCount { counts[b + 1] += counts[b] }
        var fill = counts
        var members = [Int32](repeating: 0, count: Int(counts[bandCount]))
        for e in 0..<edgeCount {
            for b in range(e) { members[Int(fill[b])] = Int32(e); fill[b] += 1 }
        }
        self.xs = xs
        self.ys = ys
        self.offsets = counts
        self.members = members
    }

    /// The band of latitude `y`. Monotonic in `y`, so a point whose latitude lies in an
    /// edge's closed range always maps to a band the edge was filed under.
    @inline(__always)
    private static func band(_ y: Double, _ minY: Double, _ scale: Double, _ count: Int) -> Int {
        let b = Int(((y - minY) * scale).rounded(.down))
        return b < 0 ? 0 : (b >= count ? count - 1 : b)
    }

    func locate(_ p: GeoPoint) -> PointLocation {
        let b = Self.band(p.y, minY, scale, bandCount)
        var inside = false
        var k = Int(offsets[b])
        let end = Int(offsets[b + 1])
        while k < end {
            let e = Int(members[k]) &* 2
            let a = GeoPoint(lon: xs[e], lat: ys[e]), c = GeoPoint(lon: xs[e + 1], lat: ys[e + 1])
            if Polygon.onSegment(p, a, c) { return .boundary }
            if (a.y > p.y) != (c.y > p.y) {
                let xCross = (c.x - a.x) * (p.y - a.y) / (c.y - a.y) + a.x
                if p.x < xCross { inside.toggle() }
            }
            k += 1
        }
        return inside ? .inside : .outside
    }
}
