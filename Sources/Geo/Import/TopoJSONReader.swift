import LantaarnModel

/// Reads a TopoJSON Topology: shared arcs (quantised and delta-encoded when the
/// topology has a `transform`), and one object's Polygons and MultiPolygons.
enum TopoJSONReader {
    static func read(_ root: JSONValue, object wanted: String?, source: String) throws -> RawBoundaryFile {
        let fail = { (reason: String) in GeoImportError(source: source, feature: nil, reason: reason) }
        guard let objects = root["objects"]?.objectMembers, !objects.isEmpty else { throw fail("the Topology has no objects") }
        let chosen: (String, JSONValue)
        if let wanted {
            guard let o = objects.first(where: { $0.0 == wanted }) else {
                throw fail("no object '\(wanted)'; the file holds \(objects.map(\.0).joined(separator: ", "))")
            }
            chosen = o
        } else if objects.count == 1 {
            chosen = objects[0]
        } else {
            throw fail("the file holds several objects (\(objects.map(\.0).joined(separator: ", "))); choose one with --object")
        }
        let arcs = try decodeArcs(root, source: source)
        let object = chosen.1
        let geometries: [JSONValue] = object["type"]?.stringValue == "GeometryCollection"
            ? (object["geometries"]?.arrayValue ?? []) : [object]
        var features: [RawFeature] = []
        features.reserveCapacity(geometries.count)
        for (i, g) in geometries.enumerated() {
            let properties = g["properties"]?.objectMembers ?? []
            let type = g["type"]?.stringValue
            let featureFail = { (reason: String) in GeoImportError(source: source, feature: i, reason: reason) }
            let parts: [JSONValue]
            switch type {
            case "Polygon": parts = [g["arcs"] ?? .null]
            case "MultiPolygon": parts = g["arcs"]?.arrayValue ?? []
            case nil, "null": throw featureFail("has no geometry (empty); remove it or add its polygon")
            default: throw featureFail("geometry type \(type!) is not supported; use Polygon or MultiPolygon")
            }
            let polygons = try parts.enumerated().map { (p, part) -> [[GeoPoint]] in
                guard let rings = part.arrayValue else { throw featureFail("polygon \(p) has no arcs") }
                return try rings.enumerated().map { (r, ring) in
                    guard let refs = ring.arrayValue else { throw featureFail("polygon \(p) ring \(r) is not a list of arc indexes") }
                    return try stitch(refs, arcs: arcs) { featureFail("polygon \(p) ring \(r): \($0)") }
                }
            }
            features.append(RawFeature(index: i, properties: properties, polygons: polygons))
        }
        return RawBoundaryFile(format: .topoJSON, features: features, declaredCRS: nil)
    }

    /// Absolute positions of every arc.
    private static func decodeArcs(_ root: JSONValue, source: String) throws -> [[GeoPoint]] {
        let fail = { (reason: String) in GeoImportError(source: source, feature: nil, reason: reason) }
        guard let list = root["arcs"]?.arrayValue else { throw fail("the Topology has no 'arcs' array") }
        var scale: (Double, Double)?, translate = (0.0, 0.0)
        if let t = root["transform"] {
            guard let s = t["scale"]?.position, let o = t["translate"]?.position else {
                throw fail("the transform needs 'scale' and 'translate', each [x, y]")
            }
            scale = (s.x, s.y)
            translate = (o.x, o.y)
        }
        return try list.enumerated().map { (a, arc) in
            guard let positions = arc.arrayValue else { throw fail("arc \(a) is not an array of positions") }
            var x = 0.0, y = 0.0
            return try positions.enumerated().map { (k, position) in
                guard let p = position.position else { throw fail("arc \(a) position \(k) is not [x, y]") }
                guard let (sx, sy) = scale else { return p }
                x += p.x
                y += p.y
                return GeoPoint(lon: x * sx + translate.0, lat: y * sy + translate.1)
            }
        }
    }

    /// A ring from arc references: `i` is arc i, `~i` (= -i - 1) arc i reversed. Each arc
    /// after the first starts where the previous ended, so its first position is dropped.
    private static func stitch(_ refs: [JSONValue], arcs: [[GeoPoint]], fail: (String) -> GeoImportError) throws -> [GeoPoint] {
        var ring: [GeoPoint] = []
        for ref in refs {
            guard let n = ref.numberValue, n == n.rounded(), abs(n) < Double(Int32.max) else {
                throw fail("arc reference \(ref) is not an integer")
            }
            let i = Int(n)
            let index = i >= 0 ? i : ~i
            guard index < arcs.count else { throw fail("arc \(i) does not exist; the topology has \(arcs.count) arcs") }
            let arc = i >= 0 ? arcs[index] : arcs[index].reversed()
            ring.append(contentsOf: ring.isEmpty ? arc[...] : arc.dropFirst())
        }
        return ring
    }
}
