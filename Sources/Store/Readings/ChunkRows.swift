import Foundation
import GRDB

/// Inserting, rewriting and deleting chunk rows, and deleting a shared timestamp block with the
/// last chunk that points at it. The chunks pointing at a block are found by the `chunk_ts` index; a
/// reference count kept beside them (until v29) cost an UPDATE for every chunk that took a
/// block and for every one that left it.
///
/// That count was kept by a pair of triggers until issue 28. A statement that fires a trigger
/// may fail halfway, so SQLite keeps a statement journal for it: a copy of every page the
/// statement changes (16 KiB each) written to a temporary file. Backfill rewrites a chunk per
/// window, and the journal wrote 1.6 KB per backfilled reading (3.3 GB for 2 M readings into a
/// 33 MB file). Single-row statements without triggers need no such journal, as long as no
/// check in them may abort after a write (see ``update(_:id:_:)``).
enum ChunkRows {
    /// A chunk's columns after `series_id` and `window_start`.
    struct Columns {
        var statistics: ChunkStatistics
        /// The timestamp block it points at.
        var block: Int64
        var values: [UInt8]
        var flags: [UInt8]
        /// Statistics per hour (``SubWindowSummary``), `NULL` for a chunk within one hour.
        var summary: [UInt8]?

        init(_ chunk: EncodedChunk, block: Int64) {
            (statistics, self.block, values, flags, summary) = (chunk.statistics, block, chunk.values, chunk.flags, chunk.summary)
        }
    }

    /// Inserts one chunk. Raw binds: a backfill writes a chunk per window it touches.
    static func insert(_ db: Database, seriesID: Int64, window: Int64, _ c: Columns) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO chunk (min_ts, max_ts, count, min_value, max_value, sum, ts_id, value, flags, summary, series_id, window_start)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
            """)
        try execute(statement, db, c) { row in
            row.int64(11, seriesID); row.int64(12, window)
        }
    }

    /// Rewrites chunk `id` with new columns (its series and window stay), and deletes the block
    /// it pointed at (`previous`, read first when not given) when that was another one and no
    /// other chunk points at it. Returns the block when it was deleted.
    ///
    /// `OR FAIL`, like the deferred key on `ts_id` (v30), keeps this statement free of a statement
    /// journal: an UPDATE of a foreign key column counts as one that may change several rows, and
    /// its NOT NULL checks would otherwise make SQLite copy every page it changes first. One row
    /// fails before it is written, so FAIL and the default ABORT leave the same state.
    @discardableResult
    static func update(_ db: Database, id: Int64, previous: Int64? = nil, _ c: Columns) throws -> Int64? {
        let old = try previous ?? block(of: id, db)
        let statement = try db.cachedStatement(sql: """
            UPDATE OR FAIL chunk SET min_ts = ?1, max_ts = ?2, count = ?3, min_value = ?4, max_value = ?5, sum = ?6, ts_id = ?7,
            value = ?8, flags = ?9, summary = ?10 WHERE id = ?11
            """)
        try execute(statement, db, c) { $0.int64(11, id) }
        guard let old, old != c.block else { return nil }
        return try deleteUnused(block: old, db)
    }

    /// Rewrites chunk `id` with new columns that point at the block it points at already
    /// (`c.block`): `ts_id` is left out of the statement, so its index is not touched.
    static func update(_ db: Database, id: Int64, keepingBlock c: Columns) throws {
        let statement = try db.cachedStatement(sql: """
            UPDATE OR FAIL chunk SET min_ts = ?1, max_ts = ?2, count = ?3, min_value = ?4, max_value = ?5, sum = ?6,
            value = ?8, flags = ?9, summary = ?10 WHERE id = ?11 AND ts_id = ?7
            """)
        try execute(statement, db, c) { $0.int64(11, id) }
        guard db.changesCount == 1 else { throw StoreError("chunk \(id) changed while its window was rewritten (it no longer points at timestamp block \(c.block)); the batch is rolled back, retry it") }
    }

    /// Replaces the times of timestamp block `block` (every chunk pointing at it takes them).
    static func rewrite(_ db: Database, block: Int64, _ encoded: [UInt8]) throws {
        try encoded.withUnsafeBytes { bytes in
            try RawStatement.executeEach(db.cachedStatement(sql: "UPDATE ts_block SET ts = ?1 WHERE id = ?2"), db, count: 1) { row, _ in
                row.blob(1, bytes); row.int64(2, block)
            }
        }
    }

    /// How many chunks point at timestamp block `block`.
    static func referrers(of block: Int64, _ db: Database) throws -> Int {
        var count = 0
        try RawStatement.forEachRow(db.cachedStatement(sql: "SELECT count(*) FROM chunk WHERE ts_id = ?"), db, bind: { $0.int64(1, block) }) {
            count = Int($0.int64(0))
        }
        return count
    }

    /// Runs `statement` once with the chunk's columns bound as `?1` to `?10` (statistics, block,
    /// values, flags, summary) and `more` binding the rest.
    private static func execute(_ statement: Statement, _ db: Database, _ c: Columns, _ more: (RawStatement.Bindings) -> Void) throws {
        let s = c.statistics
        try c.values.withUnsafeBytes { values in
            try c.flags.withUnsafeBytes { flags in
                try (c.summary ?? []).withUnsafeBytes { summary in
                    try RawStatement.executeEach(statement, db, count: 1) { row, _ in
                        row.int64(1, s.minTimestamp); row.int64(2, s.maxTimestamp); row.int64(3, Int64(s.count))
                        row.double(4, s.minValue); row.double(5, s.maxValue); row.double(6, s.sum)
                        row.int64(7, c.block); row.blob(8, values); row.blob(9, flags)
                        if c.summary == nil { row.null(10) } else { row.blob(10, summary) }
                        more(row)
                    }
                }
            }
        }
    }

    /// Deletes one chunk, and its timestamp block when no other chunk points at it. Returns the
    /// block when it was deleted.
    @discardableResult
    static func delete(_ db: Database, id: Int64) throws -> Int64? {
        // Not `DELETE … RETURNING ts_id`: SQLite gathers RETURNING rows in an ephemeral table,
        // and opening and closing one cost more than this delete's own work.
        guard let block = try block(of: id, db) else { return nil }
        try RawStatement.executeEach(db.cachedStatement(sql: "DELETE FROM chunk WHERE id = ?"), db, count: 1) { row, _ in row.int64(1, id) }
        return try deleteUnused(block: block, db)
    }

    /// The timestamp block chunk `id` points at; `nil` when there is no such chunk.
    private static func block(of id: Int64, _ db: Database) throws -> Int64? {
        var block: Int64?
        try RawStatement.forEachRow(db.cachedStatement(sql: "SELECT ts_id FROM chunk WHERE id = ?"), db, bind: { $0.int64(1, id) }) {
            block = $0.int64(0)
        }
        return block
    }

    /// Deletes timestamp block `block` when no chunk points at it; returns it then.
    private static func deleteUnused(block: Int64, _ db: Database) throws -> Int64? {
        try RawStatement.executeEach(db.cachedStatement(sql: "DELETE FROM ts_block WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM chunk WHERE ts_id = ?1)"),
                                     db, count: 1) { row, _ in row.int64(1, block) }
        return db.changesCount > 0 ? block : nil
    }
}
