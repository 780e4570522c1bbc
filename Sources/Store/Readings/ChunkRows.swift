import Foundation
import GRDB

/// Inserting and deleting chunk rows with the reference count of their shared
/// timestamp block kept in step.
///
/// This was a pair of triggers until issue 28. A statement that fires a trigger may fail halfway,
/// so SQLite keeps a statement journal for it: a copy of every page the statement changes (16 KiB
/// each) written to a temporary file. Backfill rewrites a chunk per window, and the journal wrote
/// 1.6 KB per backfilled reading (3.3 GB for 2 M readings into a 33 MB file). Single-row
/// statements without triggers need no such journal.
enum ChunkRows {
    /// A chunk's columns after `series_id` and `window_start`, in ``insert(_:seriesID:window:_:)``'s order.
    struct Columns {
        var statistics: ChunkStatistics
        var block: TimestampBlock
        var values: Data
        var flags: Data
    }

    /// Which timestamp block a chunk points at: one just inserted with its first reference
    /// taken, or an existing one (a sibling's) that needs one more.
    struct TimestampBlock: Equatable {
        var id: Int64
        var isNew: Bool
    }

    /// Inserts one chunk and takes a reference on its timestamp block. Raw binds: a backfill
    /// writes a chunk per window it touches.
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
                    row.int64(9, c.block.id); row.blob(10, values); row.blob(11, flags)
                }
            }
        }
        if !c.block.isNew { try retain(db, block: c.block.id) }
    }

    /// Deletes one chunk and releases its timestamp block. Returns the block when that deleted it.
    @discardableResult
    static func delete(_ db: Database, id: Int64) throws -> Int64? {
        var block: Int64?
        try RawStatement.forEachRow(db.cachedStatement(sql: "DELETE FROM chunk WHERE id = ? RETURNING ts_id"), db, bind: { $0.int64(1, id) }) {
            block = $0.int64(0)
        }
        guard let block else { return nil }
        return try release(db, block: block) ? block : nil
    }

    private static func retain(_ db: Database, block: Int64) throws {
        try execute(db, "UPDATE ts_block SET refs = refs + 1 WHERE id = ?", block)
    }

    private static func execute(_ db: Database, _ sql: String, _ id: Int64) throws {
        try RawStatement.executeEach(db.cachedStatement(sql: sql), db, count: 1) { row, _ in row.int64(1, id) }
    }

    /// Drops a reference: the last one deletes the block (returns true), another only counts down.
    private static func release(_ db: Database, block: Int64) throws -> Bool {
        try execute(db, "DELETE FROM ts_block WHERE id = ? AND refs <= 1", block)
        guard db.changesCount == 0 else { return true }
        try execute(db, "UPDATE ts_block SET refs = refs - 1 WHERE id = ?", block)
        return false
    }
}
