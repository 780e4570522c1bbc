import GRDB
import LantaarnModel

extension SQLiteRetentionStore {
    /// Destroys readings and dataset rows past their retention, except what a legal
    /// hold covers, and records every destruction in the append-only log, all in one
    /// transaction. Afterwards free pages are vacuumed and the WAL truncated, so
    /// destroyed values do not linger in the files (`secure_delete` zeroes them).
    ///
    /// Readings are destroyed per sealed chunk once the whole chunk has expired (so up
    /// to one chunk span after the retention), open-buffer readings one by one.
    public func purge(_ policies: RetentionPolicies, now: Int64 = Clock.nowMilliseconds(), dryRun: Bool) throws -> PurgeReport {
        var report = PurgeReport(dryRun: dryRun)
        let work = { (db: Database) throws in
            let holds = try Self.holds(db)
            try self.purgeReadings(db, policies.readings, now: now, holds: holds, dryRun: dryRun, into: &report)
            for (name, policy) in policies.datasets.sorted(by: { $0.key < $1.key }) {
                try self.purgeDataset(db, name, policy, now: now, holds: holds, dryRun: dryRun, into: &report)
            }
            try self.purgeMeldingen(db, policies, now: now, holds: holds, dryRun: dryRun, into: &report)
            if let policy = policies.quarantine {
                try self.purgeQuarantine(db, policy, now: now, holds: holds, dryRun: dryRun, into: &report)
            }
            if !dryRun {
                try Self.insert(db, report.destroyed)
                _ = try SQLiteReleaseStore.pruneChanges(db)
            }
        }
        if dryRun {
            try pool.read(work)
        } else {
            try pool.write(work)
            database.noteDatasetWrite()
            try pool.barrierWriteWithoutTransaction { db in
                try db.execute(sql: "PRAGMA incremental_vacuum")
                report.compacted = try SQLiteReadingStore.compactAfterBackfill(db)
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        return report
    }

    private struct Span {
        var start = Int64.max, end = Int64.min, count = 0
        mutating func add(_ s: Int64, _ e: Int64, _ n: Int) { start = min(start, s); end = max(end, e); count += n }
    }

    /// Adds what `hold` kept to the report.
    private static func kept(_ n: Int, by hold: LegalHold, into report: inout PurgeReport) {
        guard n > 0 else { return }
        if let i = report.held.firstIndex(where: { $0.hold.id == hold.id }) { report.held[i].readings += n } else { report.held.append((hold, n)) }
    }

    /// Per hold of `kinds`, how many rows `candidates` (a query with `?` for each of
    /// `arguments`, selecting rows aliased `x`) holds that the hold covers.
    private static func countHeld(_ db: Database, _ holds: [LegalHold], kinds: [LegalHold.Kind: String], from candidates: String,
                                  arguments: [any DatabaseValueConvertible], time: String, end: String? = nil,
                                  into report: inout PurgeReport) throws {
        for hold in holds {
            guard let column = kinds[hold.kind] else { continue }
            let n = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM \(candidates) AND \(column) = ? AND ? <= \(end ?? time) AND ? > \(time)
                """, arguments: StatementArguments(arguments + [hold.subject, hold.window.start, hold.window.end])) ?? 0
            kept(n, by: hold, into: &report)
        }
    }

    private func purgeReadings(_ db: Database, _ policy: RetentionPolicy, now: Int64, holds: [LegalHold], dryRun: Bool,
                               into report: inout PurgeReport) throws {
        let cutoff = now - policy.keep
        var destroyed: [String: Span] = [:]
        var held: [Int64: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT c.id, s.sensor_id, s.quantity, c.min_ts, c.max_ts, c.count, s.wijk FROM chunk c JOIN series s ON s.id = c.series_id
            WHERE c.max_ts < ? ORDER BY c.id
            """, arguments: [cutoff]) {
            let sensor: String = row[1], minTs: Int64 = row[3], maxTs: Int64 = row[4], count: Int = row[5], wijk: String = row[6]
            if let hold = LegalHold.first(holds, covering: [(.sensor, sensor), (.wijk, wijk.isEmpty ? nil : wijk)], start: minTs, end: maxTs) {
                held[hold.id, default: 0] += count
                continue
            }
            destroyed["\(sensor)/\(row[2] as String)", default: Span()].add(minTs, maxTs + 1, count)
            if !dryRun { try ChunkRows.delete(db, id: row[0]) }
        }
        // Open-buffer readings: destroy those outside every hold on their sensor.
        let heldFilter = LegalHold.sqlCovered([(.sensor, "s.sensor_id"), (.wijk, "s.wijk")], time: "o.ts")
        for row in try Row.fetchAll(db, sql: """
            SELECT s.sensor_id, s.quantity, min(o.ts), max(o.ts), count(*) FROM open_reading o JOIN series s ON s.id = o.series_id
            WHERE o.ts < ? AND NOT \(heldFilter) GROUP BY s.id
            """, arguments: [cutoff]) {
            destroyed["\(row[0] as String)/\(row[1] as String)", default: Span()].add(row[2], (row[3] as Int64) + 1, row[4])
        }
        for hold in holds {
            let column = [LegalHold.Kind.sensor: "s.sensor_id", .wijk: "s.wijk"][hold.kind]
            guard let column else { continue }
            let n = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM open_reading o JOIN series s ON s.id = o.series_id
                WHERE o.ts < ? AND \(column) = ? AND o.ts >= ? AND o.ts < ?
                """, arguments: [cutoff, hold.subject, hold.window.start, hold.window.end]) ?? 0
            if n > 0 { held[hold.id, default: 0] += n }
        }
        if !dryRun {
            try db.execute(sql: """
                DELETE FROM open_reading WHERE id IN (SELECT o.id FROM open_reading o JOIN series s ON s.id = o.series_id
                WHERE o.ts < ? AND NOT \(heldFilter))
                """, arguments: [cutoff])
            // A series with nothing left goes too, so not even its sensor id remains.
            try db.execute(sql: """
                DELETE FROM series WHERE NOT EXISTS (SELECT 1 FROM chunk c WHERE c.series_id = series.id)
                AND NOT EXISTS (SELECT 1 FROM open_reading o WHERE o.series_id = series.id)
                """)
        }
        for (subject, span) in destroyed.sorted(by: { $0.key < $1.key }) {
            report.destroyed.append(DestructionRecord(destroyedAt: now, kind: "readings", subject: subject,
                                                      window: TimeWindow(start: span.start, end: span.end), readings: span.count,
                                                      policy: policy.description, basis: policy.basis))
        }
        for hold in holds { if let n = held[hold.id] { report.held.append((hold, n)) } }
    }

    /// Closed meldingen past their retention (with their status history), per source, and
    /// scrubbed text past the text retention; those a hold on their wijk or hoofdcategorie covers
    /// (from report to closing) stay.
    private func purgeMeldingen(_ db: Database, _ policies: RetentionPolicies, now: Int64, holds: [LegalHold], dryRun: Bool,
                                into report: inout PurgeReport) throws {
        let subjects: [(kind: LegalHold.Kind, column: String)] = [(.wijk, "x.wijk"), (.category, "x.hoofdcategorie")]
        let kinds: [LegalHold.Kind: String] = [.wijk: "x.wijk", .category: "x.hoofdcategorie"]
        let openEnd = "coalesce(x.closed_at, \(Int64.max))"
        let held = LegalHold.sqlCovered(subjects, time: "x.created_at", end: openEnd)
        if let policy = policies.meldingen {
            let cutoff = now - policy.keep
            for row in try Row.fetchAll(db, sql: """
                SELECT source, min(created_at), max(closed_at), count(*) FROM melding x WHERE closed_at < ? AND NOT \(held)
                GROUP BY source ORDER BY source
                """, arguments: [cutoff]) {
                let maxClosed: Int64 = row[2]
                let minCreated: Int64 = row[1]
                report.destroyed.append(DestructionRecord(destroyedAt: now, kind: "meldingen", subject: "meldingen/\(row[0] as String)",
                                                          window: TimeWindow(start: min(minCreated, maxClosed), end: maxClosed + 1),
                                                          readings: row[3], policy: policy.description, basis: policy.basis))
            }
            try Self.countHeld(db, holds, kinds: kinds, from: "melding x WHERE x.closed_at < ?", arguments: [cutoff],
                               time: "x.created_at", end: openEnd, into: &report)
            if !dryRun {
                let doomed = "SELECT x.id FROM melding x WHERE x.closed_at < ? AND NOT \(held)"
                try db.execute(sql: "DELETE FROM melding_status WHERE melding_id IN (\(doomed))", arguments: [cutoff])
                try db.execute(sql: "DELETE FROM melding WHERE id IN (\(doomed))", arguments: [cutoff])
            }
        }
        if let policy = policies.meldingText {
            let cutoff = now - policy.keep
            // Not the text of meldingen destroyed above (a dry run has not deleted them).
            let gone = policies.meldingen.map { now - $0.keep } ?? Int64.min
            let texts = "melding x WHERE x.created_at < ? AND x.scrubbed_text IS NOT NULL"
            if let row = try Row.fetchOne(db, sql: """
                SELECT min(created_at), max(created_at), count(*) FROM \(texts) AND NOT coalesce(x.closed_at < ?, 0) AND NOT \(held)
                """, arguments: [cutoff, gone]), (row[2] as Int) > 0 {
                let first: Int64 = row[0], last: Int64 = row[1]
                report.destroyed.append(DestructionRecord(destroyedAt: now, kind: "melding-text", subject: "meldingen/text",
                                                          window: TimeWindow(start: first, end: last + 1), readings: row[2],
                                                          policy: policy.description, basis: policy.basis))
                if !dryRun {
                    try db.execute(sql: "UPDATE melding SET scrubbed_text = NULL WHERE id IN (SELECT x.id FROM \(texts) AND NOT \(held))",
                                   arguments: [cutoff])
                }
            }
            if policies.meldingen == nil {
                try Self.countHeld(db, holds, kinds: kinds, from: texts, arguments: [cutoff], time: "x.created_at", end: openEnd, into: &report)
            }
        }
    }

    /// Quarantined raw input received before the retention cut-off, per source; what a hold on
    /// the sensor it named covers stays.
    private func purgeQuarantine(_ db: Database, _ policy: RetentionPolicy, now: Int64, holds: [LegalHold], dryRun: Bool,
                                 into report: inout PurgeReport) throws {
        let cutoff = now - policy.keep
        let held = LegalHold.sqlCovered([(.sensor, "x.sensor_id")], time: "x.received_at")
        for row in try Row.fetchAll(db, sql: """
            SELECT source, min(received_at), max(received_at), count(*) FROM quarantine x WHERE received_at < ? AND NOT \(held)
            GROUP BY source ORDER BY source
            """, arguments: [cutoff]) {
            let first: Int64 = row[1], last: Int64 = row[2]
            report.destroyed.append(DestructionRecord(destroyedAt: now, kind: "quarantine", subject: "quarantine/\(row[0] as String)",
                                                      window: TimeWindow(start: first, end: last + 1), readings: row[3],
                                                      policy: policy.description, basis: policy.basis))
        }
        try Self.countHeld(db, holds, kinds: [.sensor: "x.sensor_id"], from: "quarantine x WHERE x.received_at < ?", arguments: [cutoff],
                           time: "x.received_at", into: &report)
        if !dryRun { try db.execute(sql: "DELETE FROM quarantine WHERE id IN (SELECT x.id FROM quarantine x WHERE x.received_at < ? AND NOT \(held))", arguments: [cutoff]) }
    }

    /// A window's releases with the rows kept for the superseded ones.
    private func deleteReleases(_ db: Database, _ name: String, windowStart start: Int64) throws {
        try db.execute(sql: """
            DELETE FROM release_row WHERE release_id IN (SELECT id FROM release WHERE dataset = ? AND window_start = ?)
            """, arguments: [name, start])
        try db.execute(sql: "DELETE FROM release WHERE dataset = ? AND window_start = ?", arguments: [name, start])
        try SQLiteReleaseStore.bumpDatasetGeneration(db)
    }

    private func purgeDataset(_ db: Database, _ name: String, _ policy: RetentionPolicy, now: Int64, holds: [LegalHold],
                              dryRun: Bool, into report: inout PurgeReport) throws {
        let cutoff = now - policy.keep
        var span = Span()
        for row in try Row.fetchAll(db, sql: """
            SELECT r.window_start, max(rel.window_end), count(*) FROM dataset_row r JOIN release rel ON rel.id = r.release_id
            WHERE r.dataset = ? GROUP BY r.window_start HAVING max(rel.window_end) <= ?
            """, arguments: [name, cutoff]) {
            let start: Int64 = row[0], end: Int64 = row[1], count: Int = row[2]
            if let hold = holds.first(where: { $0.covers(.dataset, name, start: start, end: end - 1) }) {
                Self.kept(count, by: hold, into: &report)
                continue
            }
            span.add(start, end, count)
            if !dryRun {
                try db.execute(sql: "DELETE FROM dataset_row WHERE dataset = ? AND window_start = ?", arguments: [name, start])
                try db.execute(sql: "UPDATE dataset SET row_count = row_count - ? WHERE name = ?", arguments: [db.changesCount, name])
                try deleteReleases(db, name, windowStart: start)
            }
        }
        // Releases of windows that published no rows: their lineage goes with the data.
        for row in try Row.fetchAll(db, sql: """
            SELECT window_start, max(window_end) FROM release rel WHERE dataset = ? AND window_end <= ?
            AND NOT EXISTS (SELECT 1 FROM dataset_row r WHERE r.dataset = rel.dataset AND r.window_start = rel.window_start)
            GROUP BY window_start
            """, arguments: [name, cutoff]) {
            let start: Int64 = row[0], end: Int64 = row[1]
            guard !holds.contains(where: { $0.covers(.dataset, name, start: start, end: end - 1) }) else { continue }
            span.add(start, end, 0)
            if !dryRun { try deleteReleases(db, name, windowStart: start) }
        }
        if span.start <= span.end {
            report.destroyed.append(DestructionRecord(destroyedAt: now, kind: "dataset", subject: name,
                                                      window: TimeWindow(start: span.start, end: span.end), readings: span.count,
                                                      policy: policy.description, basis: policy.basis))
        }
    }
}
