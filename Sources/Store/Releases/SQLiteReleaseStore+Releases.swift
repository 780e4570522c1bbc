import Foundation
import GRDB
import LantaarnModel

extension SQLiteReleaseStore: ReleaseStore {
    public func register(_ metadata: DatasetMetadata) throws {
        let json = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self)
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO dataset (name, metadata, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at
                """, arguments: [metadata.name, json, Clock.nowMilliseconds()])
            try Self.bumpDatasetGeneration(db)
        }
        database.noteDatasetWrite()
    }

    public var localDatasetWrites: Int64 { database.datasetWrites.load(ordering: .acquiring) }

    public func storedDatasetGeneration() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'dataset_generation'") ?? 0 }
    }

    /// Counts a change to published datasets, inside the writing transaction.
    static func bumpDatasetGeneration(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO store_meta (key, value) VALUES ('dataset_generation', 1)
            ON CONFLICT(key) DO UPDATE SET value = value + 1
            """)
    }

    @discardableResult
    public func publish(_ draft: ReleaseDraft) throws -> Int64 {
        defer { database.noteDatasetWrite() }
        return try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM dataset WHERE name = ?", arguments: [draft.dataset]) == true else {
                throw StoreError("dataset '\(draft.dataset)' is not registered; register its metadata before publishing")
            }
            // The superseded release keeps its rows (releases are immutable); only the current
            // rows of the window are replaced.
            try db.execute(sql: """
                INSERT INTO release_row (release_id, seq, cells)
                SELECT release_id, seq, cells FROM dataset_row WHERE dataset = ? AND window_start = ?
                """, arguments: [draft.dataset, draft.window.start])
            try db.execute(sql: "DELETE FROM dataset_row WHERE dataset = ? AND window_start = ?",
                           arguments: [draft.dataset, draft.window.start])
            let replaced = db.changesCount
            let cells = draft.rows.map(CellCoding.encode)
            let lineage = JSONWriter.string(draft.lineage)
            let sha = ReleaseHash.of(cells: cells, lineage: lineage)
            let version = (try Int.fetchOne(db, sql: "SELECT count(*) FROM release WHERE dataset = ? AND window_start = ?",
                                            arguments: [draft.dataset, draft.window.start]) ?? 0) + 1
            let changesThrough = try draft.changesThrough ?? Self.changeMark(db)
            try db.execute(sql: """
                INSERT INTO release (dataset, window_start, window_end, created_at, rows_in, rows_out, lineage, version, sha256, changes_through)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [draft.dataset, draft.window.start, draft.window.end, Clock.nowMilliseconds(),
                                 draft.rowsIn, draft.rows.count, lineage, version, sha, changesThrough])
            let releaseID = db.lastInsertedRowID
            let insert = try db.cachedStatement(sql: "INSERT INTO dataset_row (dataset, window_start, seq, release_id, cells) VALUES (?, ?, ?, ?, ?)")
            for (seq, encoded) in cells.enumerated() {
                try insert.execute(arguments: [draft.dataset, draft.window.start, seq, releaseID, encoded])
            }
            try db.execute(sql: "UPDATE dataset SET row_count = row_count + ? WHERE name = ?",
                           arguments: [cells.count - replaced, draft.dataset])
            try Self.bumpDatasetGeneration(db)
            return releaseID
        }
    }

    private static let releaseColumns = """
        SELECT r.id, r.window_start, r.window_end, r.created_at, r.rows_in, r.rows_out, r.version, r.sha256, r.lineage,
          r.id = (SELECT max(id) FROM release x WHERE x.dataset = r.dataset AND x.window_start = r.window_start), r.dataset
        FROM release r
        """

    private static func record(_ row: Row) -> ReleaseRecord {
        ReleaseRecord(id: row[0], window: TimeWindow(start: row[1], end: row[2]), createdAt: row[3], rowsIn: row[4], rowsOut: row[5],
                      version: row[6], sha256: row[7], lineage: row[8], current: row[9], dataset: row[10])
    }

    public func releases(dataset: String) throws -> [ReleaseRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: Self.releaseColumns + " WHERE r.dataset = ? ORDER BY r.window_start, r.id",
                             arguments: [dataset]).map(Self.record)
        }
    }

    public func release(id: Int64) throws -> ReleaseRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: Self.releaseColumns + " WHERE r.id = ?", arguments: [id]).map(Self.record)
        }
    }

    public func releaseRows(_ release: ReleaseRecord, after seq: Int?, limit: Int) throws -> (rows: [[CellValue]], next: Int?) {
        var rows: [[CellValue]] = []
        let next = try encodedReleaseRows(release, after: seq, limit: limit) { rows.append(try CellCoding.decode($0)) }
        return (rows, next)
    }

    public func encodedReleaseRows(_ release: ReleaseRecord, after seq: Int?, limit: Int,
                                   _ visit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Int? {
        try sequentialRead { db in
            let statement = release.current
                ? try db.cachedStatement(sql: """
                    SELECT 0, seq, cells FROM dataset_row WHERE dataset = ? AND window_start = ? AND release_id = ? AND seq > ?
                    ORDER BY seq LIMIT ?
                    """)
                : try db.cachedStatement(sql: "SELECT 0, seq, cells FROM release_row WHERE release_id = ? AND seq > ? ORDER BY seq LIMIT ?")
            try statement.setArguments(release.current
                ? [release.dataset, release.window.start, release.id, seq ?? -1, limit]
                : [release.id, seq ?? -1, limit])
            let last = try Self.step(statement, db, limit: limit, visit)
            return last.count == limit ? last.seq : nil
        }
    }

    /// A read transaction for sequential reads of whole datasets (exports): through SQLite's
    /// page cache rather than the memory map the aggregates use, so an export neither maps the
    /// file into the process (its resident memory stays flat) nor pays a page fault per page.
    private func sequentialRead<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read { db in
            try db.execute(sql: "PRAGMA mmap_size = 0")
            defer { try? db.execute(sql: "PRAGMA mmap_size = \(StoreDatabase.mmapSize)") }
            return try body(db)
        }
    }

    /// Steps a `SELECT window_start, seq, cells` statement on its raw handle, handing each
    /// row's cells to `visit` without copying them into a String (the export hot path: GRDB's
    /// row decoding costs more than the transcoding). Returns the count and last position.
    private static func step(_ statement: Statement, _ db: Database, limit: Int, _ visit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws
        -> (count: Int, windowStart: Int64, seq: Int) {
        var last = (count: 0, windowStart: Int64(0), seq: 0)
        try RawStatement.forEachRow(statement, db) { row in
            try visit(row.bytes(2))
            last.count += 1
            // Only the page's last row is a cursor.
            if last.count == limit { (last.windowStart, last.seq) = (row.int64(0), Int(row.int64(1))) }
        }
        return last
    }

    public func rowsKept(_ release: ReleaseRecord) throws -> Bool {
        guard !release.current, release.rowsOut > 0 else { return true }
        return try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM release_row WHERE release_id = ? LIMIT 1", arguments: [release.id]) == true
        }
    }

    public func verify(_ release: ReleaseRecord) throws -> Bool {
        var hash = ReleaseHash()
        _ = try encodedReleaseRows(release, after: nil, limit: Int.max) { hash.add(row: $0) }
        let rows = hash.rows
        return rows == release.rowsOut && hash.finish(lineage: release.lineage) == release.sha256
    }

    public func datasets() throws -> [DatasetSummary] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM dataset ORDER BY name").compactMap { try summary(db, $0) }
        }
    }

    public func datasetNames() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM dataset ORDER BY name") }
    }

    public func dataset(named name: String) throws -> DatasetSummary? {
        try pool.read { db in try summary(db, name) }
    }

    private func summary(_ db: Database, _ name: String) throws -> DatasetSummary? {
        guard let json = try String.fetchOne(db, sql: "SELECT metadata FROM dataset WHERE name = ?", arguments: [name]) else {
            return nil
        }
        let metadata = try JSONDecoder().decode(DatasetMetadata.self, from: Data(json.utf8))
        let rowCount = try Int.fetchOne(db, sql: "SELECT row_count FROM dataset WHERE name = ?", arguments: [name]) ?? 0
        let r = try Row.fetchOne(db, sql: """
            SELECT count(*), max(created_at), min(window_start), max(window_end), max(id), min(created_at) FROM release WHERE dataset = ?
            """, arguments: [name])
        let count: Int = r?[0] ?? 0
        let start: Int64? = r?[2], end: Int64? = r?[3]
        var summary = DatasetSummary(metadata: metadata, rowCount: rowCount, releaseCount: count, updatedAt: r?[1], latestReleaseID: r?[4],
                                     coverage: start.flatMap { s in end.map { TimeWindow(start: s, end: $0) } })
        summary.issuedAt = r?[5]
        return summary
    }

    public func rows(dataset: String, after cursor: RowCursor?, limit: Int) throws -> (rows: [[CellValue]], next: RowCursor?) {
        var rows: [[CellValue]] = []
        let next = try encodedRows(dataset: dataset, after: cursor, limit: limit) { rows.append(try CellCoding.decode($0)) }
        return (rows, next)
    }

    public func encodedRows(dataset: String, after cursor: RowCursor?, limit: Int,
                            _ visit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> RowCursor? {
        try sequentialRead { db in
            let c = cursor ?? RowCursor(windowStart: .min, seq: -1)
            let statement = try db.cachedStatement(sql: """
                SELECT window_start, seq, cells FROM dataset_row
                WHERE dataset = ? AND (window_start, seq) > (?, ?)
                ORDER BY window_start, seq LIMIT ?
                """)
            try statement.setArguments([dataset, c.windowStart, c.seq, limit])
            let last = try Self.step(statement, db, limit: limit, visit)
            return last.count == limit ? RowCursor(windowStart: last.windowStart, seq: last.seq) : nil
        }
    }

    public func windowStart(dataset: String, coveringNewestRows rows: Int) throws -> Int64? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT window_start FROM dataset_row WHERE dataset = ? ORDER BY window_start DESC, seq DESC LIMIT 1 OFFSET ?
                """, arguments: [dataset, rows])
        }
    }

    public func latestWindowEnd(dataset: String) throws -> Int64? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT max(window_end) FROM release WHERE dataset = ?", arguments: [dataset])
        }
    }

    public func recordDisclosureReport(dataset: String, report: String) throws {
        // The catalogue page shows the report: a new one is a change its cache must see.
        defer { database.noteDatasetWrite() }
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO disclosure_report (dataset, audited_at, report) VALUES (?, ?, ?)
                ON CONFLICT(dataset) DO UPDATE SET audited_at = excluded.audited_at, report = excluded.report
                """, arguments: [dataset, Clock.nowMilliseconds(), report])
            try Self.bumpDatasetGeneration(db)
        }
    }

    public func disclosureReport(dataset: String) throws -> (report: String, auditedAt: Int64)? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT report, audited_at FROM disclosure_report WHERE dataset = ?", arguments: [dataset])
                .map { ($0[0], $0[1]) }
        }
    }
}
