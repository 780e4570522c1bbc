import LantaarnModel

/// Writes a boundary set as a GeoJSON FeatureCollection for dashboards: one Feature per
/// area with `code`, `name`, `level` and `vintage`, positions rounded to 6 decimals
/// (about 0.1 m; equal positions stay equal, so shared borders stay shared).
public enum BoundaryGeoJSON {
    public static func write(_ areas: [Area], level: AreaLevel, vintage: Int, toleranceMetres: Double) -> String {
        var out = #"{"type":"FeatureCollection","name":"# 
        JSONWriter.appendString("\(level.rawValue) \(vintage)", to: &out)
        out += #","lantaarn":{"level":"\#(level.rawValue)","vintage":\#(vintage),"tolerance_m":"#
        JSONWriter.appendNumber(toleranceMetres, to: &out)
        out += #"},"features":["#
        for (i, area) in areas.enumerated() {
            if i > 0 { out += "," }
            out += #"{"type":"Feature","properties":{"code":"#
            JSONWriter.appendString(area.code, to: &out)
            out += #","name":"#
            JSONWriter.appendString(area.name, to: &out)
            out += #","level":"\#(level.rawValue)","vintage":\#(vintage)},"geometry":{"type":"#
            out += area.polygons.count == 1 ? #""Polygon","coordinates":"# : #""MultiPolygon","coordinates":["#
            for (p, polygon) in area.polygons.enumerated() {
                if p > 0 { out += "," }
                out += "["
                for (r, ring) in polygon.rings.enumerated() {
                    if r > 0 { out += "," }
                    out += "["
                    for (k, point) in ring.enumerated() {
                        if k > 0 { out += "," }
                        out += "[\(rounded(point.x)),\(rounded(point.y))]"
                    }
                    out += "]"
                }
                out += "]"
            }
            out += area.polygons.count == 1 ? "}}" : "]}}"
        }
        out += "]}"
        return out
    }

    private static func rounded(_ v: Double) -> String {
        var s = ""
        JSONWriter.appendNumber((v * 1e6).rounded() / 1e6, to: &s)
        return s
    }
}
