import LantaarnModel
import PostgresNIO
import Store

extension PostgresRetentionStore: RetentionStore {
    /// Destroys what is past its retention (see ``Purge``, the same rules as SQLite), except what
    /// a legal hold covers, and records every destruction in the append-only log, in one
    /// transaction (a dry run is rolled back). Afterwards the tables it deleted from are vacuumed,
    /// so the deleted rows leave their pages and indexes at once rather than at autovacuum's
    /// next round.
    public func purge(_ policies: RetentionPolicies, now: Int64 = Clock.nowMilliseconds(), dryRun: Bool) throws -> PurgeReport {
        let report = try database.transaction(commit: !dryRun) { session in
            try Purge(PGPurgeDatabase(session: session), policies, now: now, dryRun: dryRun).run()
        }
        if !dryRun, !report.destroyed.isEmpty {
            try database.withSession { session in
                try session.execute("VACUUM chunk, open_reading, series, melding, melding_status, quarantine, dataset_row, release_row, release, data_change")
            }
        }
        return report
    }
}

/// A purge's statements in PostgreSQL: `?` placeholders become `$1`, `$2`, ...
struct PGPurgeDatabase: PurgeDatabase {
    let session: PGSession

    private func query(_ sql: String, _ arguments: [CellValue]) throws -> [PostgresRow] {
        var numbered = "", k = 0
        for c in sql {
            if c == "?" { k += 1; numbered += "$\(k)" } else { numbered.append(c) }
        }
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch a {
            case .integer(let n): binds.append(n)
            case .number(let d): binds.append(d)
            case .text(let s): binds.append(s)
            case .null: binds.appendNull()
            }
        }
        return try session.query(PostgresQuery(unsafeSQL: numbered, binds: binds))
    }

    func rows(_ sql: String, _ arguments: [CellValue]) throws -> [[CellValue]] {
        try query(sql, arguments).map { row in
            try row.map { cell -> CellValue in
                switch cell.dataType {
                case .int2, .int4, .int8: return try cell.decode(Int64?.self).map(CellValue.integer) ?? .null
                case .float4, .float8: return try cell.decode(Double?.self).map(CellValue.number) ?? .null
                case .bool: return try cell.decode(Bool?.self).map { .integer($0 ? 1 : 0) } ?? .null
                default: return try cell.decode(String?.self).map(CellValue.text) ?? .null
                }
            }
        }
    }

    func execute(_ sql: String, _ arguments: [CellValue]) throws -> Int {
        // A statement's changed rows: counted by RETURNING, which every purge statement allows.
        try query(sql + " RETURNING 1", arguments).count
    }

    var chunkHandle: String { "c.window_start" }

    func deleteChunk(seriesID: Int64, handle: Int64) throws {
        try session.query("DELETE FROM chunk WHERE series_id = \(seriesID) AND window_start = \(handle)")
    }

    /// PostgreSQL's open buffer is rows already.
    func unpackOpenReadings(before cutoff: Int64) throws {}

    var packedOpenReadings: String { "FALSE" }

    func holds() throws -> [LegalHold] { try PostgresRetentionStore.holds(session) }

    func recordDestruction(_ records: [DestructionRecord]) throws { try PostgresRetentionStore.insert(session, records) }

    func bumpDatasetGeneration() throws { try PostgresReleaseStore.bumpDatasetGeneration(session) }
}
