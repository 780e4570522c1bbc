import Foundation

/// The boundary set Lantaarn ships with: Haarlem's 21 wijken (see Resources/PROVENANCE.md),
/// used until boundaries are imported with `lantaarn geo import`.
public enum DefaultBoundaries {
    /// Gemeente code of the shipped boundaries.
    public static let gemeente = "GM0392"
    /// Vintage of the shipped boundaries.
    public static let vintage = 2020

    /// Loads the shipped Haarlem wijk boundaries.
    public static func haarlemWijken() throws -> BoundarySet {
        guard let url = Bundle.module.url(forResource: "haarlem_wijken", withExtension: "geojson", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "haarlem_wijken", withExtension: "geojson") else {
            throw GeoImportError(source: "haarlem_wijken.geojson", feature: nil,
                                 reason: "the bundled boundary file is missing from the build; rebuild Lantaarn")
        }
        return try load(path: url.path, level: .wijk, gemeente: gemeente, vintage: vintage)
    }

    /// Loads a boundary file from disk (GeoJSON or TopoJSON, WGS84 or RD New).
    public static func load(path: String, level: AreaLevel, gemeente: String?, vintage: Int) throws -> BoundarySet {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw GeoImportError(source: path, feature: nil, reason: "cannot read the file: \(error.localizedDescription)")
        }
        return try BoundaryImporter(level: level, vintage: vintage, gemeente: gemeente).read([UInt8](data), source: path).set
    }
}
