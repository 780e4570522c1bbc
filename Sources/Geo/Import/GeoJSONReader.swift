import LantaarnModel

/// Reads a GeoJSON FeatureCollection (or a single Feature) of Polygons and MultiPolygons.
enum GeoJSONReader {
    static func read(_ root: JSONValue, source: String) throws -> RawBoundaryFile {
        let declared = root["crs"]?["properties"]?["name"]?.stringValue.flatMap(CoordinateSystem.named)
        let features: [JSONValue]
        switch root["type"]?.stringValue {
        case "FeatureCollection":
            guard let list = root["features"]?.arrayValue else {
                throw GeoImportError(source: source, feature: nil, reason: "the FeatureCollection has no 'features' array")
            }
            features = list
        case "Feature":
            features = [root]
        default:
            throw GeoImportError(source: source, feature: nil,
                                 reason: "expected a GeoJSON FeatureCollection or a TopoJSON Topology at the top level")
        }
        var result: [RawFeature] = []
        result.reserveCapacity(features.count)
        for (i, feature) in features.enumerated() {
            guard feature["type"]?.stringValue == "Feature" else {
                throw GeoImportError(source: source, feature: i, reason: "is not a GeoJSON Feature")
            }
            let properties = feature["properties"]?.objectMembers ?? []
            guard let geometry = feature["geometry"], geometry != .null else {
                throw GeoImportError(source: source, feature: i, reason: "has no geometry (empty); remove it or add its polygon")
            }
            result.append(RawFeature(index: i, properties: properties,
                                     polygons: try polygons(of: geometry, source: source, feature: i)))
        }
        return RawBoundaryFile(format: .geoJSON, features: result, declaredCRS: declared)
    }

    private static func polygons(of geometry: JSONValue, source: String, feature: Int) throws -> [[[GeoPoint]]] {
        let fail = { (reason: String) in GeoImportError(source: source, feature: feature, reason: reason) }
        let type = geometry["type"]?.stringValue
        guard let coordinates = geometry["coordinates"]?.arrayValue else {
            if type == "Polygon" || type == "MultiPolygon" { throw fail("the \(type!) has no 'coordinates' array") }
            throw fail("geometry type \(type ?? "missing") is not supported; use Polygon or MultiPolygon")
        }
        let parts: [JSONValue]
        switch type {
        case "Polygon": parts = [.array(coordinates)]
        case "MultiPolygon": parts = coordinates
        default: throw fail("geometry type \(type ?? "missing") is not supported; use Polygon or MultiPolygon")
        }
        return try parts.enumerated().map { (p, part) in
            guard let rings = part.arrayValue else { throw fail("polygon \(p) is not an array of rings") }
            return try rings.enumerated().map { (r, ring) in
                guard let positions = ring.arrayValue else { throw fail("polygon \(p) ring \(r) is not an array of positions") }
                return try positions.enumerated().map { (k, position) in
                    guard let point = position.position else {
                        throw fail("polygon \(p) ring \(r) position \(k) is not [x, y] with two finite numbers")
                    }
                    return point
                }
            }
        }
    }
}
