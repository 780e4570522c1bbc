import Foundation
import LantaarnModel

/// Reads areas from a GeoJSON FeatureCollection of Polygons and MultiPolygons (WGS84).
public struct GeoJSONImporter: Sendable {
    /// Property names tried, in order, for the area code.
    public static let codeFields = ["statcode", "wijkcode", "WK_CODE", "cbsCode", "wijkCode", "buurtcode", "code"]
    /// Property names tried, in order, for the area name.
    public static let nameFields = ["statnaam", "wijknaam", "WK_NAAM", "name", "naam", "buurtnaam"]

    /// Gemeente code (`GM0392`) used to expand short wijk numbers such as `"01"`.
    public var gemeente: String?

    /// Creates an importer.
    public init(gemeente: String? = nil) {
        self.gemeente = gemeente
    }

    /// Parses `data` into areas. Throws ``GeoImportError`` naming the feature index on bad input.
    public func areas(from data: Data, source: String) throws -> [Area] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw GeoImportError(source: source, feature: nil, reason: "not valid JSON: \(error.localizedDescription)")
        }
        guard let object = root as? [String: Any], object["type"] as? String == "FeatureCollection",
              let features = object["features"] as? [Any] else {
            throw GeoImportError(source: source, feature: nil, reason: "expected a GeoJSON FeatureCollection with a 'features' array")
        }
        var result: [Area] = []
        for (i, any) in features.enumerated() {
            guard let feature = any as? [String: Any] else {
                throw GeoImportError(source: source, feature: i, reason: "feature is not an object")
            }
            let properties = feature["properties"] as? [String: Any] ?? [:]
            guard let rawCode = Self.firstString(properties, Self.codeFields) else {
                throw GeoImportError(source: source, feature: i,
                                     reason: "no code property; expected one of \(Self.codeFields.joined(separator: ", "))")
            }
            let code = normalise(rawCode)
            let name = Self.firstString(properties, Self.nameFields) ?? code
            guard let geometry = feature["geometry"] as? [String: Any] else {
                throw GeoImportError(source: source, feature: i, reason: "feature has no geometry")
            }
            let polygons = try Self.polygons(geometry, source: source, feature: i)
            result.append(Area(code: code, name: name, polygons: polygons))
        }
        return result
    }

    /// Expands a bare wijk number to a CBS code when a gemeente is known.
    func normalise(_ raw: String) -> String {
        if let gemeente, raw.utf8.count <= 2, let wijk = WijkCode(gemeente: gemeente, wijk: raw) {
            return wijk.rawValue
        }
        return raw
    }

    private static func firstString(_ properties: [String: Any], _ keys: [String]) -> String? {
        for key in keys {
            if let s = properties[key] as? String, !s.isEmpty { return s }
            if let n = properties[key] as? Int { return String(n) }
        }
        return nil
    }

    private static func polygons(_ geometry: [String: Any], source: String, feature: Int) throws -> [Polygon] {
        let type = geometry["type"] as? String
        switch type {
        case "Polygon":
            guard let rings = geometry["coordinates"] as? [Any] else { break }
            return [try polygon(rings, source: source, feature: feature)]
        case "MultiPolygon":
            guard let parts = geometry["coordinates"] as? [Any] else { break }
            let polygons = try parts.map { part -> Polygon in
                guard let rings = part as? [Any] else {
                    throw GeoImportError(source: source, feature: feature, reason: "MultiPolygon part is not an array of rings")
                }
                return try polygon(rings, source: source, feature: feature)
            }
            guard !polygons.isEmpty else { break }
            return polygons
        default:
            throw GeoImportError(source: source, feature: feature,
                                 reason: "geometry type \(type ?? "missing") is not supported; use Polygon or MultiPolygon")
        }
        throw GeoImportError(source: source, feature: feature, reason: "empty or malformed coordinates")
    }

    private static func polygon(_ rings: [Any], source: String, feature: Int) throws -> Polygon {
        guard !rings.isEmpty else {
            throw GeoImportError(source: source, feature: feature, reason: "polygon has no rings")
        }
        let parsed = try rings.enumerated().map { (r, ring) -> [GeoPoint] in
            guard let coords = ring as? [Any] else {
                throw GeoImportError(source: source, feature: feature, reason: "ring \(r) is not an array")
            }
            let points = try coords.map { c -> GeoPoint in
                guard let pair = c as? [Any], pair.count >= 2,
                      let x = (pair[0] as? NSNumber)?.doubleValue, let y = (pair[1] as? NSNumber)?.doubleValue,
                      x.isFinite, y.isFinite else {
                    throw GeoImportError(source: source, feature: feature, reason: "ring \(r) has a position that is not [lon, lat]")
                }
                return GeoPoint(lon: x, lat: y)
            }
            guard points.count >= 4 else {
                throw GeoImportError(source: source, feature: feature, reason: "ring \(r) has \(points.count) positions; a ring needs at least 4")
            }
            guard points.first == points.last else {
                throw GeoImportError(source: source, feature: feature,
                                     reason: "ring \(r) is not closed: its first and last positions differ")
            }
            return points
        }
        return Polygon(outer: parsed[0], holes: Array(parsed.dropFirst()))
    }
}

/// A boundary file could not be imported. Names the file, the feature index and what to fix.
public struct GeoImportError: Error, CustomStringConvertible, Sendable {
    public var source: String
    public var feature: Int?
    public var reason: String

    public var description: String {
        if let feature { return "\(source): feature \(feature): \(reason)" }
        return "\(source): \(reason)"
    }
}
