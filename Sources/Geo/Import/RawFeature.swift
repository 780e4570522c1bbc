import LantaarnModel

/// One feature as read from a boundary file: its properties and its polygons as raw
/// coordinate rings (WGS84 degrees or RD New metres, not yet known which).
struct RawFeature {
    /// Position of the feature in the file, counted from 0; errors name it.
    var index: Int
    var properties: [(String, JSONValue)]
    /// Polygons, each a list of rings (outer first); a Polygon geometry has one.
    var polygons: [[[GeoPoint]]]
}

/// What a boundary file's reader found.
struct RawBoundaryFile {
    enum Format: String { case geoJSON = "GeoJSON", topoJSON = "TopoJSON" }
    var format: Format
    var features: [RawFeature]
    /// The file's own statement of its coordinate system, when it makes one.
    var declaredCRS: CoordinateSystem?
}

/// The coordinate systems boundary files come in.
public enum CoordinateSystem: String, Sendable {
    case wgs84 = "WGS84 (EPSG:4326)"
    case rdNew = "RD New (EPSG:28992)"

    /// Recognises `crs` names such as `urn:ogc:def:crs:EPSG::28992` or `EPSG:4326`.
    static func named(_ name: String) -> CoordinateSystem? {
        if name.contains("28992") { return .rdNew }
        if name.contains("4326") || name.uppercased().contains("CRS84") { return .wgs84 }
        return nil
    }
}

/// A boundary file could not be imported. Names the file, the feature and what to fix.
public struct GeoImportError: Error, CustomStringConvertible, Sendable {
    public var source: String
    /// Index of the offending feature (from 0), when one is to blame.
    public var feature: Int?
    public var reason: String

    public init(source: String, feature: Int?, reason: String) {
        self.source = source
        self.feature = feature
        self.reason = reason
    }

    public var description: String {
        if let feature { return "\(source): feature \(feature): \(reason)" }
        return "\(source): \(reason)"
    }
}

extension JSONValue {
    /// `[x, y, ...]` as a point, or `nil` when it is not a position of two finite numbers.
    var position: GeoPoint? {
        guard let a = arrayValue, a.count >= 2, let x = a[0].numberValue, let y = a[1].numberValue,
              x.isFinite, y.isFinite else { return nil }
        return GeoPoint(lon: x, lat: y)
    }
}
