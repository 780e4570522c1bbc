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

    /// Inserts one chunk and takes a reference on its timestamp block.
    static func insert(_ db: Database, seriesID: Int64, window: Int64, _ c: Columns) throws {
        let s = c.statistics
        try db.cachedStatement(sql: """
            INSERT INTO chunk (series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum, ts_id, value, flags)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [seriesID, window, s.minTimestamp, s.maxTimestamp, s.count, s.minValue, s.maxValue, s.sum,
                                     c.block.id, c.values, c.flags])
        if !c.block.isNew { try retain(db, block: c.block.id) }
    }

    /// Deletes one chunk and releases its timestamp block. Returns the block when that deleted it.
    @discardableResult
    static func delete(_ db: Database, id: Int64) throws -> Int64? {
        guard let tsID = try Int64.fetchOne(db.cachedStatement(sql: "DELETE FROM chunk WHERE id = ? RETURNING ts_id"), arguments: [id]) else { return nil }
        return try release(db, block: tsID) ? tsID : nil
    }

    private static func retain(_ db: Database, block: Int64) throws {
        try db.cachedStatement(sql: "UPDATE ts_block SET refs = refs + 1 WHERE id = ?").execute(arguments: [block])
    }

    /// Drops a reference: the last one deletes the block (returns true), another only counts down.
    private static func release(_ db: Database, block: Int64) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM ts_block WHERE id = ? AND refs <= 1").execute(arguments: [block])
        guard db.changesCount == 0 else { return true }
        try db.cachedStatement(sql: "UPDATE ts_block SET refs = refs - 1 WHERE id = ?").execute(arguments: [block])
        return false
    }
}
