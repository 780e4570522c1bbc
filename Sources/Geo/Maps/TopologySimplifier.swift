import Foundation

/// Simplifies a boundary set for maps without opening gaps or overlaps between
/// neighbours: rings are cut into arcs at junctions (where the set of areas sharing a
/// border changes), every distinct arc is simplified once (Douglas-Peucker, in metres),
/// and the rings are put back together from the shared results. Each removed position
/// lies within `tolerance` metres of the simplified line.
///
/// A ring that would collapse (fewer than four positions) or cross itself keeps its
/// arcs unsimplified, and so do its neighbours along those arcs.
public struct TopologySimplifier: Sendable {
    /// Maximum distance, metres, between a removed position and the simplified line.
    public var tolerance: Double

    public init(tolerance: Double) { self.tolerance = tolerance }

    public func simplify(_ areas: [Area]) -> [Area] {
        guard tolerance > 0, !areas.isEmpty else { return areas }
        let rings = areas.flatMap { $0.polygons.flatMap(\.rings) }
        let junctions = Self.junctions(rings)
        var latSum = 0.0, latCount = 0.0
        for r in rings { for p in r { latSum += p.y; latCount += 1 } }
        let metres = Metres(latitude: latSum / max(latCount, 1))

        // Arcs of every ring, keyed canonically so both neighbours find the same arc.
        let split = rings.map { Self.arcs(of: $0, junctions: junctions) }
        var simplified: [ArcKey: [GeoPoint]] = [:]
        for arcs in split {
            for arc in arcs where simplified[ArcKey(arc)] == nil {
                let key = ArcKey(arc)
                simplified[key] = douglasPeucker(key.points, metres)   // in the key's direction
            }
        }
        var keepOriginal = Set<ArcKey>()
        var result: [[GeoPoint]] = []
        for _ in 0..<4 {
            result = split.map { arcs in Self.join(arcs.map { arc in
                let key = ArcKey(arc)
                return keepOriginal.contains(key) ? arc : Self.orient(simplified[key]!, like: key, arc)
            }) }
            var changed = false
            for (i, ring) in result.enumerated() where ring.count < 4 || GeometryValidator.selfIntersection(ring) != nil {
                for arc in split[i] where keepOriginal.insert(ArcKey(arc)).inserted { changed = true }
            }
            if !changed { break }
        }
        var k = 0
        return areas.map { area in
            Area(code: area.code, name: area.name, polygons: area.polygons.map { polygon in
                let n = polygon.rings.count
                defer { k += n }
                return Polygon(outer: result[k], holes: Array(result[(k + 1)..<(k + n)]))
            })
        }
    }

    /// Positions where a border starts or ends: where the neighbours of a position differ
    /// between the rings that contain it, plus one fixed position per ring (its smallest),
    /// so a ring that shares no junction still has a canonical place to start.
    static func junctions(_ rings: [[GeoPoint]]) -> Set<GeoPoint> {
        var neighbours: [GeoPoint: (GeoPoint, GeoPoint)] = [:]
        var result = Set<GeoPoint>()
        for ring in rings where ring.count > 3 {
            let n = ring.count - 1
            for i in 0..<n {
                let p = ring[i], prev = ring[(i + n - 1) % n], next = ring[i + 1]
                let pair = prev < next ? (prev, next) : (next, prev)
                if let seen = neighbours[p] {
                    if seen != pair { result.insert(p) }
                } else {
                    neighbours[p] = pair
                }
            }
            result.insert(ring.dropLast().min()!)
        }
        return result
    }

    /// Cuts a closed ring into arcs from junction to junction.
    static func arcs(of ring: [GeoPoint], junctions: Set<GeoPoint>) -> [[GeoPoint]] {
        let n = ring.count - 1
        guard n >= 3, let start = (0..<n).first(where: { junctions.contains(ring[$0]) }) else { return [ring] }
        var arcs: [[GeoPoint]] = []
        var current = [ring[start]]
        for step in 1...n {
            let p = ring[(start + step) % n]
            current.append(p)
            if junctions.contains(p) {
                arcs.append(current)
                current = [p]
            }
        }
        return arcs
    }

    /// Joins arcs (each starting where the previous ended) into a closed ring.
    static func join(_ arcs: [[GeoPoint]]) -> [GeoPoint] {
        var ring: [GeoPoint] = []
        for arc in arcs { ring.append(contentsOf: ring.isEmpty ? arc[...] : arc.dropFirst()) }
        return ring
    }

    /// `points` (simplified along the key's direction) in the direction of `arc`.
    static func orient(_ points: [GeoPoint], like key: ArcKey, _ arc: [GeoPoint]) -> [GeoPoint] {
        key.reversed(arc) ? points.reversed() : points
    }

    /// Douglas-Peucker on an open or closed arc, endpoints kept. A closed arc (a whole ring
    /// with one junction) is first split at the position farthest from its start.
    func douglasPeucker(_ arc: [GeoPoint], _ m: Metres) -> [GeoPoint] {
        guard arc.count > 2 else { return arc }
        if arc.first == arc.last {
            let far = (1..<(arc.count - 1)).max { m.distance(arc[0], arc[$0]) < m.distance(arc[0], arc[$1]) }!
            let a = douglasPeucker(Array(arc[...far]), m), b = douglasPeucker(Array(arc[far...]), m)
            return a + b.dropFirst()
        }
        var keep = [Bool](repeating: false, count: arc.count)
        keep[0] = true
        keep[arc.count - 1] = true
        var stack = [(0, arc.count - 1)]
        while let (i, j) = stack.popLast() {
            guard j > i + 1 else { continue }
            var best = -1.0, index = i
            for k in (i + 1)..<j {
                let d = m.segmentDistance(arc[k], arc[i], arc[j])
                if d > best { best = d; index = k }
            }
            if best > tolerance {
                keep[index] = true
                stack.append((i, index))
                stack.append((index, j))
            }
        }
        return arc.indices.filter { keep[$0] }.map { arc[$0] }
    }
}

/// An arc's identity regardless of direction: its positions in the direction whose
/// first position is smaller (or, for a closed arc, the direction whose second is).
struct ArcKey: Hashable {
    let points: [GeoPoint]

    init(_ arc: [GeoPoint]) {
        points = ArcKey.forward(arc) ? arc : arc.reversed()
    }

    func reversed(_ arc: [GeoPoint]) -> Bool { !ArcKey.forward(arc) }

    private static func forward(_ arc: [GeoPoint]) -> Bool {
        guard let first = arc.first, let last = arc.last else { return true }
        if first != last { return first < last }
        return arc.count < 3 || arc[1] <= arc[arc.count - 2]
    }
}

/// Local equirectangular metres around a latitude: good to a fraction of a percent over
/// a municipality, which is what a map tolerance needs.
struct Metres: Sendable {
    let kx: Double, ky: Double

    init(latitude: Double) {
        kx = 111_320 * cos(latitude * .pi / 180)
        ky = 110_574
    }

    func distance(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let dx = (a.x - b.x) * kx, dy = (a.y - b.y) * ky
        return (dx * dx + dy * dy).squareRoot()
    }

    /// Distance from `p` to segment `a`-`b`.
    func segmentDistance(_ p: GeoPoint, _ a: GeoPoint, _ b: GeoPoint) -> Double {
        let ax = a.x * kx, ay = a.y * ky, bx = b.x * kx - ax, by = b.y * ky - ay
        let px = p.x * kx - ax, py = p.y * ky - ay
        let len2 = bx * bx + by * by
        let t = len2 > 0 ? max(0, min(1, (px * bx + py * by) / len2)) : 0
        let dx = px - t * bx, dy = py - t * by
        return (dx * dx + dy * dy).squareRoot()
    }
}
