import Foundation
import Geo
import LantaarnModel
import Server
import Store
import Synchronization

/// Between the Geo module's boundary sets and the store's rows.
extension StoredBoundarySet {
    init(_ set: BoundarySet, report: ImportReport, sha256: String, importedAt: Int64) {
        self.init(level: set.level.rawValue, vintage: set.vintage, source: report.source, sha256: sha256, importedAt: importedAt,
                  report: report.description,
                  areas: set.areas.map { StoredBoundaryArea(code: $0.code, name: $0.name, geometry: GeometryCoding.encode($0.polygons)) })
    }
}

extension BoundarySet {
    init(stored: StoredBoundarySet) throws {
        guard let level = AreaLevel(rawValue: stored.level) else {
            throw CLIError("the store holds boundaries of unknown level '\(stored.level)'")
        }
        let areas = try stored.areas.map { a -> Area in
            guard let polygons = GeometryCoding.decode(a.geometry) else {
                throw CLIError("stored geometry of \(a.code) (\(stored.level) \(stored.vintage)) is damaged; import the boundaries again")
            }
            return Area(code: a.code, name: a.name, polygons: polygons)
        }
        self.init(level: level, vintage: stored.vintage, areas: areas)
    }
}

/// `/geo/{level}/{vintage}.geojson`: simplified once per set and tolerance, then cached.
/// A requested tolerance is rounded down to a step of ``steps``, so requests cannot make the
/// server simplify a set in endless variations.
final class GeoMaps: BoundaryMaps {
    /// Tolerances a request can get, metres.
    static let steps: [Double] = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
    private let catalog: BoundaryCatalog
    private let defaultTolerance: Double
    private let cache = Mutex<[String: [UInt8]]>([:])

    init(catalog: BoundaryCatalog, defaultTolerance: Double) {
        self.catalog = catalog
        self.defaultTolerance = defaultTolerance
    }

    func available() -> [(level: String, vintage: Int)] {
        AreaLevel.allCases.flatMap { level in (catalog.sets[level] ?? []).map { (level.rawValue, $0.vintage) } }
    }

    func geoJSON(level: String, vintage: Int, tolerance: Double?) -> [UInt8]? {
        guard let level = AreaLevel(rawValue: level), let set = catalog.set(level, vintage: vintage) else { return nil }
        let t = tolerance.map { asked in Self.steps.last { $0 <= asked } ?? 0 } ?? defaultTolerance
        let key = "\(level.rawValue)/\(vintage)/\(t)"
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let areas = TopologySimplifier(tolerance: t).simplify(set.areas)
        let body = Array(BoundaryGeoJSON.write(areas, level: level, vintage: vintage, toleranceMetres: t).utf8)
        cache.withLock { if $0.count < 64 { $0[key] = body } }
        return body
    }
}
