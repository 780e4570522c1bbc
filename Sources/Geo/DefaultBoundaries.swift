import Foundation

/// The boundary set Lantaarn ships with: Haarlem's 21 wijken (see Resources/PROVENANCE.md).
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
        let data = try Data(contentsOf: url)
        let areas = try GeoJSONImporter(gemeente: gemeente).areas(from: data, source: url.lastPathComponent)
        return BoundarySet(level: "wijk", vintage: vintage, areas: areas)
    }

    /// Loads a boundary file from disk (GeoJSON, WGS84).
    public static func load(path: String, gemeente: String?, vintage: Int) throws -> BoundarySet {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let areas = try GeoJSONImporter(gemeente: gemeente).areas(from: data, source: path)
        return BoundarySet(level: "wijk", vintage: vintage, areas: areas)
    }
}
