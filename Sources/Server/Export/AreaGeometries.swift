import LantaarnModel

/// The geometry of each area a dataset's rows name, for the GeoJSON download: taken from the
/// boundary maps (`/geo/{level}/{vintage}.geojson`, newest vintage of the level the dataset's
/// first column names: `wijk_code`, `buurt_code` or `gemeente_code`).
struct AreaGeometries: Sendable {
    /// Index of the column holding the area code.
    var column: Int?
    /// GeoJSON geometry text per area code.
    var byCode: [String: String]
    /// Which boundaries were joined, e.g. `wijk-2024` (part of the download's ETag).
    var source: String

    static let none = AreaGeometries(column: nil, byCode: [:], source: "none")

    /// The columns that hold an area code (`…_code`), with the level each names.
    static func areaColumns(_ columns: [ColumnSpec]) -> [(index: Int, level: String)] {
        columns.enumerated().filter { $0.element.name.hasSuffix("_code") }.map { ($0.offset, String($0.element.name.dropLast("_code".count))) }
    }

    static func load(for columns: [ColumnSpec], maps: any BoundaryMaps) -> AreaGeometries {
        for (i, level) in areaColumns(columns) {
            guard let (vintage, features) = maps.newestFeatures(level: level) else { continue }
            var byCode: [String: String] = [:]
            for feature in features {
                guard let code = feature["properties"]?["code"]?.stringValue, let geometry = feature["geometry"] else { continue }
                byCode[code] = JSONWriter.string(geometry)
            }
            return AreaGeometries(column: i, byCode: byCode, source: "\(level)-\(vintage)")
        }
        return .none
    }
}
