import GRDB

extension SQLiteReadingStore {
    public func ingestedFile(sha256: String) throws -> IngestedFile? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT sha256, name, bytes, rows, readings, quarantined, completed_at FROM ingested_file WHERE sha256 = ?",
                             arguments: [sha256]).map {
                IngestedFile(sha256: $0[0], name: $0[1], bytes: $0[2], rows: $0[3], readings: $0[4], quarantined: $0[5], completedAt: $0[6])
            }
        }
    }

    public func recordIngestedFile(_ f: IngestedFile) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO ingested_file (sha256, name, bytes, rows, readings, quarantined, completed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [f.sha256, f.name, f.bytes, f.rows, f.readings, f.quarantined, f.completedAt])
        }
    }
}
