import Foundation
import GRDB

/// Inserting and deleting chunk rows, and deleting a shared timestamp block with the last chunk
/// that points at it. The chunks pointing at a block are found by the `chunk_ts` index; a
/// reference count kept beside them (until v29) cost an UPDATE for every chunk that took a
/// block and for every one that left it.
///
/// That count was kept by a pair of triggers until issue 28. A statement that fires a trigger
/// may fail halfway, so SQLite keeps a statement journal for it: a copy of every page the
/// statement changes (16 KiB each) written to a temporary file. Backfill rewrites a chunk per
/// window, and the journal wrote 1.6 KB per backfilled reading (3.3 GB for 2 M readings into a
/// 33 MB file). Single-row statements without triggers need no such journal.
enum ChunkRows {
    /// A chunk's columns after `series_id` and `window_start`.
    struct Columns {
        var statistics: ChunkStatistics
        /// The timestamp block it points at.
        var block: Int64
        var values: Data
        var flags: Data
    }

    /// Inserts one chunk. Raw binds: a backfill writes a chunk per window it touches.
    static func insert(_ db: Database, seriesID: Int64, window: Int64, _ c: Columns) throws {
        let s = c.statistics
        let statement = try db.cachedStatement(sql: """
            INSERT INTO chunk (series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum, ts_id, value, flags)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try c.values.withUnsafeBytes { values in
            try c.flags.withUnsafeBytes { flags in
                try RawStatement.executeEach(statement, db, count: 1) { row, _ in
                    row.int64(1, seriesID); row.int64(2, window); row.int64(3, s.minTimestamp); row.int64(4, s.maxTimestamp)
                    row.int64(5, Int64(s.count)); row.double(6, s.minValue); row.double(7, s.maxValue); row.double(8, s.sum)
                    row.int64(9, c.block); row.blob(10, values); row.blob(11, flags)
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
        var block: Int64?
        try RawStatement.forEachRow(db.cachedStatement(sql: "SELECT ts_id FROM chunk WHERE id = ?"), db, bind: { $0.int64(1, id) }) {
            block = $0.int64(0)
        }
        guard let block else { return nil }
        try RawStatement.executeEach(db.cachedStatement(sql: "DELETE FROM chunk WHERE id = ?"), db, count: 1) { row, _ in row.int64(1, id) }
        try RawStatement.executeEach(db.cachedStatement(sql: "DELETE FROM ts_block WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM chunk WHERE ts_id = ?1)"),
                                     db, count: 1) { row, _ in row.int64(1, block) }
        return db.changesCount > 0 ? block : nil
    }
}
