import LantaarnModel

/// The outlines of a level's areas (wijken) for maps on dashboards: the newest vintage from
/// the boundary maps (already simplified), as rings of (lon, lat).
struct AreaShapes: Sendable {
    struct Shape: Sendable {
        var code: String
        var name: String
        /// Outer rings and holes, in (lon, lat); drawn with the even-odd rule.
        var rings: [[(lon: Double, lat: Double)]]
    }

    var level: String
    var vintage: Int
    var shapes: [Shape]

    /// The newest set of `level` (e.g. `wijk`, from a column `wijk_code`), if any.
    static func load(level: String, maps: any BoundaryMaps) -> AreaShapes? {
        guard let (vintage, features) = maps.newestFeatures(level: level) else { return nil }
        var shapes: [Shape] = []
        for feature in features {
            guard let code = feature["properties"]?["code"]?.stringValue, let geometry = feature["geometry"],
                  let coordinates = geometry["coordinates"]?.arrayValue else { continue }
            let polygons = geometry["type"]?.stringValue == "MultiPolygon" ? coordinates : [.array(coordinates)]
            var rings: [[(lon: Double, lat: Double)]] = []
            for polygon in polygons {
                for ring in polygon.arrayValue ?? [] {
                    let points = (ring.arrayValue ?? []).compactMap { p -> (lon: Double, lat: Double)? in
                        guard let xy = p.arrayValue, xy.count >= 2, let lon = xy[0].numberValue, let lat = xy[1].numberValue else { return nil }
                        return (lon, lat)
                    }
                    if points.count >= 3 { rings.append(points) }
                }
            }
            shapes.append(Shape(code: code, name: feature["properties"]?["name"]?.stringValue ?? code, rings: rings))
        }
        return AreaShapes(level: level, vintage: vintage, shapes: shapes)
    }

    /// The shapes of the municipalities the given codes lie in (the four digits after the
    /// level prefix, as in `WK039201` → `0392`): the map shows the whole municipality, with
    /// areas without data marked as such.
    func municipalityOf(_ codes: some Sequence<String>) -> [Shape] {
        func gemeente(_ code: String) -> Substring { code.dropFirst(2).prefix(4) }
        let wanted = Set(codes.map(gemeente))
        return shapes.filter { wanted.contains(gemeente($0.code)) }
    }
}
