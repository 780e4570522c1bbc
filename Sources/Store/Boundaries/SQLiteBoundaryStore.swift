import Foundation
import GRDB
import LantaarnModel

/// Imported CBS boundary sets in SQLite.
public final class SQLiteBoundaryStore: SQLiteDomainStore {
    let database: StoreDatabase

    init(_ database: StoreDatabase) { self.database = database }
}

extension SQLiteBoundaryStore: BoundaryStore {
    /// Stores `set`, replacing a set of the same level and vintage. Returns true when one was replaced.
    @discardableResult
    public func saveBoundarySet(_ set: StoredBoundarySet) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM boundary_set WHERE level = ? AND vintage = ?", arguments: [set.level, set.vintage])
            let replaced = db.changesCount > 0
            try db.execute(sql: "DELETE FROM boundary_area WHERE level = ? AND vintage = ?", arguments: [set.level, set.vintage])
            try db.execute(sql: """
                INSERT INTO boundary_set (level, vintage, source, sha256, imported_at, report) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [set.level, set.vintage, set.source, set.sha256, set.importedAt, set.report])
            let insert = try db.cachedStatement(sql: "INSERT INTO boundary_area (level, vintage, code, name, geometry) VALUES (?, ?, ?, ?, ?)")
            for a in set.areas {
                try insert.execute(arguments: [set.level, set.vintage, a.code, a.name, Data(a.geometry)])
            }
            return replaced
        }
    }

    /// Every stored boundary set with its areas, by level and vintage.
    public func boundarySets() throws -> [StoredBoundarySet] {
        try pool.read { db in
            var sets: [StoredBoundarySet] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT level, vintage, source, sha256, imported_at, report FROM boundary_set ORDER BY level, vintage
                """) {
                sets.append(StoredBoundarySet(level: row[0], vintage: row[1], source: row[2], sha256: row[3], importedAt: row[4],
                                              report: row[5], areas: []))
            }
            for i in sets.indices {
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT code, name, geometry FROM boundary_area WHERE level = ? AND vintage = ? ORDER BY code
                    """, arguments: [sets[i].level, sets[i].vintage])
                while let row = try rows.next() {
                    sets[i].areas.append(StoredBoundaryArea(code: row[0], name: row[1], geometry: [UInt8](row[2] as Data)))
                }
            }
            return sets
        }
    }
}
