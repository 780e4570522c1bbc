import GRDB
import LantaarnModel

extension SQLiteRetentionStore {
    /// Destroys what is past its retention (see ``Purge``), except what a legal hold covers, and
    /// records every destruction in the append-only log, all in one transaction. Afterwards free
    /// pages are vacuumed and the WAL truncated, so destroyed values do not linger in the files
    /// (`secure_delete` zeroes them), and the file is compacted after enough backfill.
    public func purge(_ policies: RetentionPolicies, now: Int64 = Clock.nowMilliseconds(), dryRun: Bool) throws -> PurgeReport {
        // The purge's statements (shared with PostgreSQL) work on single buffered readings, which
        // it unpacks first (`SQLitePurgeDatabase.unpackOpenReadings`): a dry run too, in a
        // transaction it rolls back.
        var report = try pool.writeWithoutTransaction { db -> PurgeReport in
            var report = PurgeReport(dryRun: dryRun)
            try db.inTransaction {
                report = try Purge(SQLitePurgeDatabase(db: db), policies, now: now, dryRun: dryRun).run()
                return dryRun ? .rollback : .commit
            }
            return report
        }
        guard !dryRun else { return report }
        database.noteDatasetWrite()
        try pool.barrierWriteWithoutTransaction { db in
            try db.execute(sql: "PRAGMA incremental_vacuum")
            report.compacted = try SQLiteReadingStore.compactAfterBackfill(db)
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return report
    }
}

/// A purge's statements in SQLite.
struct SQLitePurgeDatabase: PurgeDatabase {
    let db: Database

    func rows(_ sql: String, _ arguments: [CellValue]) throws -> [[CellValue]] {
        try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue))).map { $0.databaseValues.map(CellValue.init) }
    }

    func execute(_ sql: String, _ arguments: [CellValue]) throws -> Int {
        try db.execute(sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
        return db.changesCount
    }

    var chunkHandle: String { "c.id" }

    func deleteChunk(seriesID: Int64, handle: Int64) throws { try ChunkRows.delete(db, id: handle) }

    func unpackOpenReadings(before cutoff: Int64) throws { try SQLiteOpenBuffer.unpack(db, before: cutoff) }

    var packedOpenReadings: String { "EXISTS (SELECT 1 FROM open_run r WHERE r.series_id = series.id)" }

    func holds() throws -> [LegalHold] { try SQLiteRetentionStore.holds(db) }

    func recordDestruction(_ records: [DestructionRecord]) throws { try SQLiteRetentionStore.insert(db, records) }

    func bumpDatasetGeneration() throws { try SQLiteReleaseStore.bumpDatasetGeneration(db) }
}
