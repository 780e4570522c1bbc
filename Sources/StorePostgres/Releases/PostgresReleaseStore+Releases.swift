import Foundation
import LantaarnModel
import PostgresNIO
import Store

extension PostgresReleaseStore: ReleaseStore {
    /// The channel every dataset change is announced on (`NOTIFY`), with the new generation as
    /// payload: HTTP nodes listen to drop their caches.
    public static let generationChannel = "lantaarn_dataset_generation"

    public func register(_ metadata: DatasetMetadata) throws {
        let json = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self)
        try database.transaction { session in
            try session.query("""
                INSERT INTO dataset (name, metadata, updated_at) VALUES (\(metadata.name), \(json), \(Clock.nowMilliseconds()))
                ON CONFLICT (name) DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at
                """)
            try Self.bumpDatasetGeneration(session)
        }
        noteDatasetWrite()
    }

    public var localDatasetWrites: Int64 { datasetWrites.load(ordering: .acquiring) }

    func noteDatasetWrite() { datasetWrites.add(1, ordering: .releasing) }

    /// The generation announced by `NOTIFY` (``PGGenerationListener``); by query while no listener
    /// is up, and once after each change by this process (its own notification may still be on
    /// the way: its change must show at once).
    public func storedDatasetGeneration() throws -> Int64 {
        let local = localDatasetWrites
        if generationQueriedAt.load(ordering: .acquiring) == local, let announced = listener.generation() { return announced }
        listener.startIfNeeded(current: queriedGeneration)
        let stored = try queriedGeneration()
        listener.raise(to: stored)
        generationQueriedAt.store(local, ordering: .releasing)
        return stored
    }

    private func queriedGeneration() throws -> Int64 {
        try database.withSession { session in
            try session.query("SELECT value FROM store_meta WHERE key = 'dataset_generation'").first?.decode(Int64.self) ?? 0
        }
    }

    /// Counts a change to published datasets inside the writing transaction, and announces it
    /// (delivered when the transaction commits).
    static func bumpDatasetGeneration(_ session: PGSession) throws {
        try session.query("""
            WITH g AS (
                INSERT INTO store_meta (key, value) VALUES ('dataset_generation', 1)
                ON CONFLICT (key) DO UPDATE SET value = store_meta.value + 1 RETURNING value)
            SELECT pg_notify(\(generationChannel), value::text) FROM g
            """)
    }

    @discardableResult
    public func publish(_ draft: ReleaseDraft) throws -> Int64 {
        defer { noteDatasetWrite() }
        let cells = draft.rows.map(StoredRow.encode)
        let lineage = JSONWriter.string(draft.lineage)
        let sha = ReleaseHash.of(cells: cells, lineage: lineage)
        return try database.transaction { session in
            // The dataset row is locked: two schedulers publishing one window take turns.
            guard !(try session.query("SELECT 1 FROM dataset WHERE name = \(draft.dataset) FOR UPDATE").isEmpty) else {
                throw PostgresStoreError("dataset '\(draft.dataset)' is not registered; register its metadata before publishing")
            }
            // The superseded release keeps its rows (releases are immutable); only the current
            // rows of the window are replaced.
            try session.query("""
                INSERT INTO release_row (release_id, seq, cells)
                SELECT release_id, seq, cells FROM dataset_row WHERE dataset = \(draft.dataset) AND window_start = \(draft.window.start)
                """)
            let replaced = try session.query("""
                DELETE FROM dataset_row WHERE dataset = \(draft.dataset) AND window_start = \(draft.window.start) RETURNING 1
                """).count
            let version = try session.query("""
                SELECT count(*) FROM release WHERE dataset = \(draft.dataset) AND window_start = \(draft.window.start)
                """).first!.decode(Int64.self) + 1
            let changesThrough = try draft.changesThrough ?? Self.changeMark(session)
            let releaseID = try session.query("""
                INSERT INTO release (dataset, window_start, window_end, created_at, rows_in, rows_out, lineage, version, sha256, changes_through)
                VALUES (\(draft.dataset), \(draft.window.start), \(draft.window.end), \(Clock.nowMilliseconds()), \(Int64(draft.rowsIn)),
                        \(Int64(draft.rows.count)), \(lineage), \(Int32(version)), \(sha), \(changesThrough))
                RETURNING id
                """).first!.decode(Int64.self)
            if !cells.isEmpty {
                try session.query("""
                    INSERT INTO dataset_row (dataset, window_start, seq, release_id, cells)
                    SELECT \(draft.dataset), \(draft.window.start), s - 1, \(releaseID), c
                    FROM unnest(\(cells)::text[]) WITH ORDINALITY AS u(c, s)
                    """)
            }
            try session.query("UPDATE dataset SET row_count = row_count + \(Int64(cells.count - replaced)) WHERE name = \(draft.dataset)")
            try Self.bumpDatasetGeneration(session)
            return releaseID
        }
    }

    private static let releaseColumns = """
        SELECT r.id, r.window_start, r.window_end, r.created_at, r.rows_in, r.rows_out, r.version, r.sha256, r.lineage,
          r.id = (SELECT max(id) FROM release x WHERE x.dataset = r.dataset AND x.window_start = r.window_start), r.dataset
        FROM release r
        """

    private func records(_ condition: PostgresQuery) throws -> [ReleaseRecord] {
        try database.withSession { session in
            try session.query(PostgresQuery(unsafeSQL: Self.releaseColumns + " " + condition.sql, binds: condition.binds)).map { row in
                let (id, start, end, created, rowsIn, rowsOut, version, sha, lineage, current, dataset) =
                    try row.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int32, String, String, Bool, String).self)
                return ReleaseRecord(id: id, window: TimeWindow(start: start, end: end), createdAt: created, rowsIn: Int(rowsIn),
                                     rowsOut: Int(rowsOut), version: Int(version), sha256: sha, lineage: lineage, current: current,
                                     dataset: dataset)
            }
        }
    }

    public func releases(dataset: String) throws -> [ReleaseRecord] {
        try records("WHERE r.dataset = \(dataset) ORDER BY r.window_start, r.id")
    }

    public func release(id: Int64) throws -> ReleaseRecord? {
        try records("WHERE r.id = \(id)").first
    }

    public func releaseRows(_ release: ReleaseRecord, after seq: Int?, limit: Int) throws -> (rows: [[CellValue]], next: Int?) {
        var rows: [[CellValue]] = []
        let next = try encodedReleaseRows(release, after: seq, limit: limit) { rows.append(try StoredRow.cells($0)) }
        return (rows, next)
    }

    public func encodedReleaseRows(_ release: ReleaseRecord, after seq: Int?, limit: Int,
                                   _ visit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Int? {
        let after = Int32(clamping: seq ?? -1), count = Int64(clamping: limit)
        let query: PostgresQuery = release.current
            ? """
              SELECT window_start, seq, cells FROM dataset_row WHERE dataset = \(release.dataset) AND window_start = \(release.window.start)
                AND release_id = \(release.id) AND seq > \(after) ORDER BY seq LIMIT \(count)
              """
            : "SELECT 0::bigint, seq, cells FROM release_row WHERE release_id = \(release.id) AND seq > \(after) ORDER BY seq LIMIT \(count)"
        let last = try visitRows(query, limit: limit, visit)
        return last.count == limit ? last.seq : nil
    }

    /// Hands each row's cells (`SELECT window_start, seq, cells`) to `visit`; returns the count and last position.
    private func visitRows(_ query: PostgresQuery, limit: Int, _ visit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws
        -> (count: Int, windowStart: Int64, seq: Int) {
        try database.withSession { session in
            var last = (count: 0, windowStart: Int64(0), seq: 0)
            for row in try session.query(query) {
                var (windowStart, seq, cells) = try row.decode((Int64, Int32, String).self)
                try cells.withUTF8 { try visit($0) }
                last = (last.count + 1, windowStart, Int(seq))
            }
            return last
        }
    }

    public func rowsKept(_ release: ReleaseRecord) throws -> Bool {
        guard !release.current, release.rowsOut > 0 else { return true }
        return try database.withSession { session in
            try !session.query("SELECT 1 FROM release_row WHERE release_id = \(release.id) LIMIT 1").isEmpty
        }
    }

    public func verify(_ release: ReleaseRecord) throws -> Bool {
        var hash = ReleaseHash()
        _ = try encodedReleaseRows(release, after: nil, limit: Int(Int32.max)) { hash.add(row: $0) }
        return hash.rows == release.rowsOut && hash.finish(lineage: release.lineage) == release.sha256
    }

    public func datasets() throws -> [DatasetSummary] {
        try datasetNames().compactMap { try dataset(named: $0) }
    }

    public func datasetNames() throws -> [String] {
        try database.withSession { session in
            try session.query("SELECT name FROM dataset ORDER BY name").map { try $0.decode(String.self) }
        }
    }

    public func dataset(named name: String) throws -> DatasetSummary? {
        try database.withSession { session in
            guard let row = try session.query("SELECT metadata, row_count FROM dataset WHERE name = \(name)").first else { return nil }
            let (json, rowCount) = try row.decode((String, Int64).self)
            let metadata = try JSONDecoder().decode(DatasetMetadata.self, from: Data(json.utf8))
            let r = try session.query("""
                SELECT count(*), max(created_at), min(window_start), max(window_end), max(id), min(created_at) FROM release WHERE dataset = \(name)
                """).first!
            let (count, updated, start, end, latest, issued) = try r.decode((Int64, Int64?, Int64?, Int64?, Int64?, Int64?).self)
            var summary = DatasetSummary(metadata: metadata, rowCount: Int(rowCount), releaseCount: Int(count), updatedAt: updated,
                                         latestReleaseID: latest, coverage: start.flatMap { s in end.map { TimeWindow(start: s, end: $0) } })
            summary.issuedAt = issued
            return summary
        }
    }

    public func rows(dataset: String, after cursor: RowCursor?, limit: Int) throws -> (rows: [[CellValue]], next: RowCursor?) {
        var rows: [[CellValue]] = []
        let next = try encodedRows(dataset: dataset, after: cursor, limit: limit) { rows.append(try StoredRow.cells($0)) }
        return (rows, next)
    }

    public func encodedRows(dataset: String, after cursor: RowCursor?, limit: Int,
                            _ visit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> RowCursor? {
        let c = cursor ?? RowCursor(windowStart: .min, seq: -1)
        let last = try visitRows("""
            SELECT window_start, seq, cells FROM dataset_row
            WHERE dataset = \(dataset) AND (window_start, seq) > (\(c.windowStart), \(Int32(clamping: c.seq)))
            ORDER BY window_start, seq LIMIT \(Int64(clamping: limit))
            """, limit: limit, visit)
        return last.count == limit ? RowCursor(windowStart: last.windowStart, seq: last.seq) : nil
    }

    public func windowStart(dataset: String, coveringNewestRows rows: Int) throws -> Int64? {
        try database.withSession { session in
            try session.query("""
                SELECT window_start FROM dataset_row WHERE dataset = \(dataset) ORDER BY window_start DESC, seq DESC LIMIT 1 OFFSET \(Int64(rows))
                """).first?.decode(Int64.self)
        }
    }

    public func latestWindowEnd(dataset: String) throws -> Int64? {
        try database.withSession { session in
            try session.query("SELECT max(window_end) FROM release WHERE dataset = \(dataset)").first?.decode(Int64?.self)
        }
    }

    public func recordDisclosureReport(dataset: String, report: String) throws {
        // The catalogue page shows the report: a new one is a change its cache must see.
        defer { noteDatasetWrite() }
        try database.transaction { session in
            try session.query("""
                INSERT INTO disclosure_report (dataset, audited_at, report) VALUES (\(dataset), \(Clock.nowMilliseconds()), \(report))
                ON CONFLICT (dataset) DO UPDATE SET audited_at = excluded.audited_at, report = excluded.report
                """)
            try Self.bumpDatasetGeneration(session)
        }
    }

    public func disclosureReport(dataset: String) throws -> (report: String, auditedAt: Int64)? {
        try database.withSession { session in
            try session.query("SELECT report, audited_at FROM disclosure_report WHERE dataset = \(dataset)").first
                .map { try $0.decode((String, Int64).self) }
        }
    }
}
