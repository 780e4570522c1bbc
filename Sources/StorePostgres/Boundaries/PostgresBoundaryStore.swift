import Foundation
import PostgresNIO
import Store

/// Imported CBS boundary sets in PostgreSQL.
public final class PostgresBoundaryStore: Sendable {
    let database: PGDatabase

    init(_ database: PGDatabase) { self.database = database }
}

extension PostgresBoundaryStore: BoundaryStore {
    @discardableResult
    public func saveBoundarySet(_ set: StoredBoundarySet) throws -> Bool {
        try database.transaction { session in
            let replaced = try !session.query("""
                DELETE FROM boundary_set WHERE level = \(set.level) AND vintage = \(set.vintage) RETURNING level
                """).isEmpty
            try session.query("""
                INSERT INTO boundary_set (level, vintage, source, sha256, imported_at, report)
                VALUES (\(set.level), \(set.vintage), \(set.source), \(set.sha256), \(set.importedAt), \(set.report))
                """)
            try session.insert(into: "boundary_area", columns: ["level", "vintage", "code", "name", "geometry"], set.areas) { area, b in
                b.append(set.level)
                b.append(set.vintage)
                b.append(area.code)
                b.append(area.name)
                try b.append(Data(area.geometry))
            }
            return replaced
        }
    }

    public func boundarySets() throws -> [StoredBoundarySet] {
        try database.withSession { session in
            var sets: [StoredBoundarySet] = []
            for row in try session.query("SELECT level, vintage, source, sha256, imported_at, report FROM boundary_set ORDER BY level, vintage") {
                let (level, vintage, source, sha256, importedAt, report) = try row.decode((String, Int, String, String, Int64, String).self)
                sets.append(StoredBoundarySet(level: level, vintage: vintage, source: source, sha256: sha256, importedAt: importedAt,
                                              report: report, areas: []))
            }
            for i in sets.indices {
                for row in try session.query("""
                    SELECT code, name, geometry FROM boundary_area WHERE level = \(sets[i].level) AND vintage = \(sets[i].vintage) ORDER BY code
                    """) {
                    let (code, name, geometry) = try row.decode((String, String, Data).self)
                    sets[i].areas.append(StoredBoundaryArea(code: code, name: name, geometry: [UInt8](geometry)))
                }
            }
            return sets
        }
    }
}
