import LantaarnModel

/// Download formats, chosen by URL suffix as in Datasette.
public enum ExportFormat: String, CaseIterable, Sendable {
    case csv, json, ndjson, geojson, parquet

    var contentType: String {
        switch self {
        case .csv: return "text/csv; charset=utf-8"
        case .json: return "application/json; charset=utf-8"
        case .ndjson: return "application/x-ndjson; charset=utf-8"
        case .geojson: return "application/geo+json"
        case .parquet: return "application/vnd.apache.parquet"
        }
    }

    /// Splits `name.csv` into name and format.
    static func split(_ file: String) -> (String, ExportFormat)? {
        guard let dot = file.lastIndex(of: ".") else { return nil }
        guard let format = ExportFormat(rawValue: String(file[file.index(after: dot)...])) else { return nil }
        return (String(file[..<dot]), format)
    }
}
