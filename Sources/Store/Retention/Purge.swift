import LantaarnModel

/// The statements a purge needs of one backend, inside its transaction. SQL is written once, in
/// the dialect both SQLite and PostgreSQL read, with `?` for every value.
package protocol PurgeDatabase {
    /// The rows of a query; each value as a cell (`.integer`, `.number`, `.text` or `.null`).
    func rows(_ sql: String, _ arguments: [CellValue]) throws -> [[CellValue]]

    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [CellValue]) throws -> Int

    /// The column (of chunk `c`) that names a chunk to ``deleteChunk(seriesID:handle:)``.
    var chunkHandle: String { get }

    /// Deletes one sealed chunk.
    func deleteChunk(seriesID: Int64, handle: Int64) throws

    /// Makes the open readings from before `cutoff` rows of `open_reading`, which the statements
    /// below work on (SQLite keeps the open buffer in packed runs; PostgreSQL in rows).
    func unpackOpenReadings(before cutoff: Int64) throws

    /// A condition on `series` that holds while the series has open readings outside
    /// `open_reading` (SQLite: in runs), `FALSE` where there are none.
    var packedOpenReadings: String { get }

    /// Every legal hold.
    func holds() throws -> [LegalHold]

    /// Appends to the destruction log.
    func recordDestruction(_ records: [DestructionRecord]) throws

    /// Counts (and, where the backend can, announces) a change to published datasets.
    func bumpDatasetGeneration() throws
}

/// Destroys readings, dataset rows, meldingen and quarantined input past their retention, except
/// what a legal hold covers, and reports every destruction (the caller logs it in the same
/// transaction). The same rules on every backend.
///
/// Readings are destroyed per sealed chunk once the whole chunk has expired (so up to one chunk
/// span after the retention), open-buffer readings one by one.
package struct Purge<Database: PurgeDatabase> {
    let db: Database
    let policies: RetentionPolicies
    let now: Int64
    let dryRun: Bool

    package init(_ db: Database, _ policies: RetentionPolicies, now: Int64, dryRun: Bool) {
        self.db = db
        self.policies = policies
        self.now = now
        self.dryRun = dryRun
    }

    /// Runs the purge and, unless a dry run, records what it destroyed and forgets data changes
    /// that can make nothing stale any more.
    package func run() throws -> PurgeReport {
        var report = PurgeReport(dryRun: dryRun)
        let holds = try db.holds()
        try purgeReadings(policies.readings, holds: holds, into: &report)
        for (name, policy) in policies.datasets.sorted(by: { $0.key < $1.key }) where policies.includes("dataset", name) {
            try purgeDataset(name, policy, holds: holds, into: &report)
        }
        try purgeMeldingen(holds: holds, into: &report)
        if let policy = policies.quarantine { try purgeQuarantine(policy, holds: holds, into: &report) }
        if !dryRun {
            try db.recordDestruction(report.destroyed)
            try db.execute(Self.pruneChangesSQL, [.integer(8 * 86_400_000)])
        }
        return report
    }

    /// Deletes the changes no current release still predates: every release over their 15
    /// minutes has seen them (or there is none). They can make nothing stale any more.
    package static var pruneChangesSQL: String {
        """
        DELETE FROM data_change WHERE NOT EXISTS (
            SELECT 1 FROM release r
            WHERE r.window_start <= data_change.bucket AND r.window_start > data_change.bucket - ? AND r.window_end > data_change.bucket
              AND r.changes_through < data_change.id
              AND NOT EXISTS (SELECT 1 FROM release n WHERE n.dataset = r.dataset AND n.window_start = r.window_start AND n.id > r.id))
        """
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

    /// Per hold of `kinds`, how many rows `candidates` (a query with `?` for each of `arguments`,
    /// selecting rows aliased `x`) holds that the hold covers.
    private func countHeld(_ holds: [LegalHold], kinds: [LegalHold.Kind: String], from candidates: String, arguments: [CellValue],
                           time: String, end: String? = nil, into report: inout PurgeReport) throws {
        for hold in holds {
            guard let column = kinds[hold.kind] else { continue }
            let n = try db.rows("SELECT count(*) FROM \(candidates) AND \(column) = ? AND ? <= \(end ?? time) AND ? > \(time)",
                                arguments + [.text(hold.subject), .integer(hold.window.start), .integer(hold.window.end)])
            Self.kept(n.first?.first?.int ?? 0, by: hold, into: &report)
        }
    }

    private func record(_ kind: String, _ subject: String, _ start: Int64, _ end: Int64, _ count: Int, _ policy: RetentionPolicy,
                        into report: inout PurgeReport) {
        report.destroyed.append(DestructionRecord(destroyedAt: now, kind: kind, subject: subject, window: TimeWindow(start: start, end: end),
                                                  readings: count, policy: policy.description, basis: policy.basis))
    }

    private func purgeReadings(_ policy: RetentionPolicy, holds: [LegalHold], into report: inout PurgeReport) throws {
        let cutoff = now - policy.keep
        var destroyed: [String: Span] = [:]
        var held: [Int64: Int] = [:]
        for row in try db.rows("""
            SELECT \(db.chunkHandle), s.sensor_id, s.quantity, c.min_ts, c.max_ts, c.count, s.wijk, s.id FROM chunk c JOIN series s ON s.id = c.series_id
            WHERE c.max_ts < ? ORDER BY s.id, c.window_start
            """, [.integer(cutoff)]) {
            let (sensor, minTs, maxTs, count, wijk) = (row[1].text, row[3].int64, row[4].int64, row[5].int, row[6].text)
            guard policies.includes("readings", "\(sensor)/\(row[2].text)") else { continue }
            if let hold = LegalHold.first(holds, covering: [(.sensor, sensor), (.wijk, wijk.isEmpty ? nil : wijk)], start: minTs, end: maxTs) {
                held[hold.id, default: 0] += count
                continue
            }
            destroyed["\(sensor)/\(row[2].text)", default: Span()].add(minTs, maxTs + 1, count)
            if !dryRun { try db.deleteChunk(seriesID: row[7].int64, handle: row[0].int64) }
        }
        // Open-buffer readings: destroy those outside every hold on their sensor.
        try db.unpackOpenReadings(before: cutoff)
        let heldFilter = LegalHold.sqlCovered([(.sensor, "s.sensor_id"), (.wijk, "s.wijk")], time: "o.ts")
        var openSeries: [Int64] = []
        for row in try db.rows("""
            SELECT s.sensor_id, s.quantity, min(o.ts), max(o.ts), count(*), s.id FROM open_reading o JOIN series s ON s.id = o.series_id
            WHERE o.ts < ? AND NOT \(heldFilter) GROUP BY s.id, s.sensor_id, s.quantity
            """, [.integer(cutoff)]) where policies.includes("readings", "\(row[0].text)/\(row[1].text)") {
            destroyed["\(row[0].text)/\(row[1].text)", default: Span()].add(row[2].int64, row[3].int64 + 1, row[4].int)
            openSeries.append(row[5].int64)
        }
        for hold in holds {
            guard let column = [LegalHold.Kind.sensor: "s.sensor_id", .wijk: "s.wijk"][hold.kind] else { continue }
            for row in try db.rows("""
                SELECT s.sensor_id, s.quantity, count(*) FROM open_reading o JOIN series s ON s.id = o.series_id
                WHERE o.ts < ? AND \(column) = ? AND o.ts >= ? AND o.ts < ? GROUP BY s.id, s.sensor_id, s.quantity
                """, [.integer(cutoff), .text(hold.subject), .integer(hold.window.start), .integer(hold.window.end)])
            where policies.includes("readings", "\(row[0].text)/\(row[1].text)") {
                held[hold.id, default: 0] += row[2].int
            }
        }
        if !dryRun {
            for series in openSeries {
                try db.execute("""
                    DELETE FROM open_reading WHERE id IN (SELECT o.id FROM open_reading o JOIN series s ON s.id = o.series_id
                    WHERE o.series_id = ? AND o.ts < ? AND NOT \(heldFilter))
                    """, [.integer(series), .integer(cutoff)])
            }
            // A series with nothing left goes too, so not even its sensor id remains.
            try db.execute("""
                DELETE FROM series WHERE NOT EXISTS (SELECT 1 FROM chunk c WHERE c.series_id = series.id)
                AND NOT EXISTS (SELECT 1 FROM open_reading o WHERE o.series_id = series.id) AND NOT (\(db.packedOpenReadings))
                """, [])
        }
        for (subject, span) in destroyed.sorted(by: { $0.key < $1.key }) {
            record("readings", subject, span.start, span.end, span.count, policy, into: &report)
        }
        for hold in holds { if let n = held[hold.id] { report.held.append((hold, n)) } }
    }

    /// Closed meldingen past their retention (with their status history), per source, and
    /// scrubbed text past the text retention; those a hold on their wijk or hoofdcategorie covers
    /// (from report to closing) stay.
    private func purgeMeldingen(holds: [LegalHold], into report: inout PurgeReport) throws {
        let subjects: [(kind: LegalHold.Kind, column: String)] = [(.wijk, "x.wijk"), (.category, "x.hoofdcategorie")]
        let kinds: [LegalHold.Kind: String] = [.wijk: "x.wijk", .category: "x.hoofdcategorie"]
        let openEnd = "coalesce(x.closed_at, \(Int64.max))"
        let held = LegalHold.sqlCovered(subjects, time: "x.created_at", end: openEnd)
        if let policy = policies.meldingen {
            let cutoff = now - policy.keep
            for row in try db.rows("""
                SELECT source, min(created_at), max(closed_at), count(*) FROM melding x WHERE closed_at < ? AND NOT \(held)
                GROUP BY source ORDER BY source
                """, [.integer(cutoff)]) where policies.includes("meldingen", "meldingen/\(row[0].text)") {
                let (minCreated, maxClosed) = (row[1].int64, row[2].int64)
                record("meldingen", "meldingen/\(row[0].text)", min(minCreated, maxClosed), maxClosed + 1, row[3].int, policy, into: &report)
            }
            let (sources, sourceArguments) = subjectFilter(RetentionPolicies.key("meldingen", "meldingen/"), column: "x.source")
            try countHeld(holds, kinds: kinds, from: "melding x WHERE x.closed_at < ?\(sources)", arguments: [.integer(cutoff)] + sourceArguments,
                          time: "x.created_at", end: openEnd, into: &report)
            if !dryRun {
                let doomed = "SELECT x.id FROM melding x WHERE x.closed_at < ? AND NOT \(held)\(sources)"
                try db.execute("DELETE FROM melding_status WHERE melding_id IN (\(doomed))", [.integer(cutoff)] + sourceArguments)
                try db.execute("DELETE FROM melding WHERE id IN (\(doomed))", [.integer(cutoff)] + sourceArguments)
            }
        }
        if let policy = policies.meldingText, policies.includes("melding-text", "meldingen/text") {
            let cutoff = now - policy.keep
            // Not the text of meldingen destroyed above (a dry run has not deleted them).
            let gone = policies.meldingen.map { now - $0.keep } ?? Int64.min
            let texts = "melding x WHERE x.created_at < ? AND x.scrubbed_text IS NOT NULL"
            if let row = try db.rows("""
                SELECT min(created_at), max(created_at), count(*) FROM \(texts) AND NOT coalesce(x.closed_at < ?, false) AND NOT \(held)
                """, [.integer(cutoff), .integer(gone)]).first, row[2].int > 0 {
                record("melding-text", "meldingen/text", row[0].int64, row[1].int64 + 1, row[2].int, policy, into: &report)
                if !dryRun {
                    try db.execute("UPDATE melding SET scrubbed_text = NULL WHERE id IN (SELECT x.id FROM \(texts) AND NOT \(held))",
                                   [.integer(cutoff)])
                }
            }
            if policies.meldingen == nil {
                try countHeld(holds, kinds: kinds, from: texts, arguments: [.integer(cutoff)], time: "x.created_at", end: openEnd, into: &report)
            }
        }
    }

    /// Quarantined raw input received before the retention cut-off, per source; what a hold on
    /// the sensor it named covers stays.
    private func purgeQuarantine(_ policy: RetentionPolicy, holds: [LegalHold], into report: inout PurgeReport) throws {
        let cutoff = now - policy.keep
        let held = LegalHold.sqlCovered([(.sensor, "x.sensor_id")], time: "x.received_at")
        for row in try db.rows("""
            SELECT source, min(received_at), max(received_at), count(*) FROM quarantine x WHERE received_at < ? AND NOT \(held)
            GROUP BY source ORDER BY source
            """, [.integer(cutoff)]) where policies.includes("quarantine", "quarantine/\(row[0].text)") {
            record("quarantine", "quarantine/\(row[0].text)", row[1].int64, row[2].int64 + 1, row[3].int, policy, into: &report)
        }
        let (sources, sourceArguments) = subjectFilter(RetentionPolicies.key("quarantine", "quarantine/"), column: "x.source")
        try countHeld(holds, kinds: [.sensor: "x.sensor_id"], from: "quarantine x WHERE x.received_at < ?\(sources)",
                      arguments: [.integer(cutoff)] + sourceArguments, time: "x.received_at", into: &report)
        if !dryRun {
            try db.execute("DELETE FROM quarantine WHERE id IN (SELECT x.id FROM quarantine x WHERE x.received_at < ? AND NOT \(held)\(sources))",
                           [.integer(cutoff)] + sourceArguments)
        }
    }

    /// With ``RetentionPolicies/only``, the SQL condition (` AND column IN (…)`) and its arguments
    /// that keep to the named sources (the entries starting with `prefix`); without it, nothing.
    private func subjectFilter(_ prefix: String, column: String) -> (String, [CellValue]) {
        guard let only = policies.only else { return ("", []) }
        let names = only.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
        guard !names.isEmpty else { return (" AND 1 = 0", []) }
        return (" AND \(column) IN (\(names.map { _ in "?" }.joined(separator: ", ")))", names.map(CellValue.text))
    }

    /// A window's releases with the rows kept for the superseded ones.
    private func deleteReleases(_ name: String, windowStart start: Int64) throws {
        try db.execute("DELETE FROM release_row WHERE release_id IN (SELECT id FROM release WHERE dataset = ? AND window_start = ?)",
                       [.text(name), .integer(start)])
        try db.execute("DELETE FROM release WHERE dataset = ? AND window_start = ?", [.text(name), .integer(start)])
        try db.bumpDatasetGeneration()
    }

    private func purgeDataset(_ name: String, _ policy: RetentionPolicy, holds: [LegalHold], into report: inout PurgeReport) throws {
        let cutoff = now - policy.keep
        var span = Span()
        for row in try db.rows("""
            SELECT r.window_start, max(rel.window_end), count(*) FROM dataset_row r JOIN release rel ON rel.id = r.release_id
            WHERE r.dataset = ? GROUP BY r.window_start HAVING max(rel.window_end) <= ?
            """, [.text(name), .integer(cutoff)]) {
            let (start, end, count) = (row[0].int64, row[1].int64, row[2].int)
            if let hold = holds.first(where: { $0.covers(.dataset, name, start: start, end: end - 1) }) {
                Self.kept(count, by: hold, into: &report)
                continue
            }
            span.add(start, end, count)
            if !dryRun {
                let gone = try db.execute("DELETE FROM dataset_row WHERE dataset = ? AND window_start = ?", [.text(name), .integer(start)])
                try db.execute("UPDATE dataset SET row_count = row_count - ? WHERE name = ?", [.integer(Int64(gone)), .text(name)])
                try deleteReleases(name, windowStart: start)
            }
        }
        // Releases of windows that published no rows: their lineage goes with the data.
        for row in try db.rows("""
            SELECT window_start, max(window_end) FROM release rel WHERE dataset = ? AND window_end <= ?
            AND NOT EXISTS (SELECT 1 FROM dataset_row r WHERE r.dataset = rel.dataset AND r.window_start = rel.window_start)
            GROUP BY window_start
            """, [.text(name), .integer(cutoff)]) {
            let (start, end) = (row[0].int64, row[1].int64)
            guard !holds.contains(where: { $0.covers(.dataset, name, start: start, end: end - 1) }) else { continue }
            span.add(start, end, 0)
            if !dryRun { try deleteReleases(name, windowStart: start) }
        }
        if span.start <= span.end { record("dataset", name, span.start, span.end, span.count, policy, into: &report) }
    }
}

private extension CellValue {
    var int64: Int64 {
        switch self {
        case .integer(let n): n
        case .number(let d): Int64(d)
        case .text(let s): Int64(s) ?? 0
        case .null: 0
        }
    }

    var int: Int { Int(int64) }

    var text: String {
        switch self {
        case .text(let s): s
        case .integer(let n): String(n)
        case .number(let d): String(d)
        case .null: ""
        }
    }
}
