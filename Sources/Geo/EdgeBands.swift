/// The edges of polygon rings, in groups (one per polygon, or one per area), each group's
/// edges bucketed into horizontal bands, so the crossing test for a point reads only the
/// edges whose latitude range can contain it (about the square root of the group's edge
/// count instead of all of them). Flat arrays, so a lookup touches no reference counts.
struct EdgeBands: Sendable {
    /// Edge endpoints: edge e runs from (xs[2e], ys[2e]) to (xs[2e+1], ys[2e+1]).
    private let xs: [Double], ys: [Double]
    /// Band b of group g holds members[offsets[firstBand[g] + b] ..< offsets[firstBand[g] + b + 1]].
    private let offsets: [Int32]
    private let members: [Int32]
    private let firstBand: [Int32]
    private let bandCount: [Int32]
    private let minY: [Double], scale: [Double]

    /// One group per element of `groups`: the rings whose edges it holds and their bounds.
    init(groups: [(rings: [[GeoPoint]], bounds: BoundingBox)]) {
        var xs: [Double] = [], ys: [Double] = []
        var offsets: [Int32] = [], members: [Int32] = []
        var firstBand: [Int32] = [], bandCounts: [Int32] = [], minYs: [Double] = [], scales: [Double] = []
        for group in groups {
            let firstEdge = xs.count / 2
            for ring in group.rings where ring.count > 1 {
                for i in 1..<ring.count {
                    xs.append(ring[i - 1].x); ys.append(ring[i - 1].y)
                    xs.append(ring[i].x); ys.append(ring[i].y)
                }
            }
            let edges = firstEdge..<(xs.count / 2)
            let count = max(1, min(1024, Int(Double(edges.count).squareRoot())))
            let minY = group.bounds.minY, height = group.bounds.maxY - group.bounds.minY
            let scale = height > 0 ? Double(count) / height : 0
            // Counting sort of the group's edges into every band their closed latitude range touches.
            func range(_ e: Int) -> ClosedRange<Int> {
                let y0 = ys[2 * e], y1 = ys[2 * e + 1]
                return Self.band(Swift.min(y0, y1), minY, scale, count)...Self.band(Swift.max(y0, y1), minY, scale, count)
            }
            var counts = [Int32](repeating: 0, count: count + 1)
            for e in edges { for b in range(e) { counts[b + 1] += 1 } }
            for b in 0..<count { counts[b + 1] += counts[b] }
            let base = Int32(members.count)
            var fill = counts
            var local = [Int32](repeating: 0, count: Int(counts[count]))
            for e in edges { for b in range(e) { local[Int(fill[b])] = Int32(e); fill[b] += 1 } }
            firstBand.append(Int32(offsets.count))
            offsets += counts.map { $0 + base }
            members += local
            bandCounts.append(Int32(count))
            minYs.append(minY)
            scales.append(scale)
        }
        self.xs = xs
        self.ys = ys
        self.offsets = offsets
        self.members = members
        self.firstBand = firstBand
        self.bandCount = bandCounts
        self.minY = minYs
        self.scale = scales
    }

    /// The band of latitude `y`. Monotonic in `y`, so a point whose latitude lies in an
    /// edge's closed range always maps to a band the edge was filed under.
    @inline(__always)
    private static func band(_ y: Double, _ minY: Double, _ scale: Double, _ count: Int) -> Int {
        let b = Int(((y - minY) * scale).rounded(.down))
        return b < 0 ? 0 : (b >= count ? count - 1 : b)
    }

    /// Where `p` lies relative to the rings of `group`: one crossing-number pass over all of
    /// them (even-odd rule, so a point in a hole is outside), with an exact on-segment test.
    @inline(__always)
    func locate(_ p: GeoPoint, group g: Int = 0) -> PointLocation {
        let first = Int(firstBand[g])
        let b = first + Self.band(p.y, minY[g], scale[g], Int(bandCount[g]))
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
