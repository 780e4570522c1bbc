import Foundation
import GRDB
import LantaarnModel

extension SQLiteReadingStore: ReadingReassignment {
    /// Moves the readings each move covers into the series of their new wijk, all in one
    /// transaction, and records every move that changed something in `wijk_reassignment` (and,
    /// for readings already published, as changes: their windows become stale).
    /// Whole chunks are relabelled; a chunk that straddles the window is split. Returns
    /// the number of readings moved. With `dryRun`, counts what would move and changes nothing.
    public func reassignWijk(_ moves: [WijkMove], vintage: Int, now: Int64 = Clock.nowMilliseconds(), dryRun: Bool = false,
                             progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Int {
        var total = 0
        try pool.writeWithoutTransaction { db in
            try db.inTransaction {
                total = try self.reassign(db, moves, vintage: vintage, now: now, progress: progress)
                return dryRun ? .rollback : .commit
            }
        }
        return total
    }

    private func reassign(_ db: Database, _ moves: [WijkMove], vintage: Int, now: Int64,
                          progress: ((_ done: Int, _ total: Int) -> Void)?) throws -> Int {
        var total = 0
        var changes = ChangeTally()
        let publishedUntil = try Self.publishedUntil(db)
        for (i, move) in moves.enumerated() {
            let moved = try reassign(db, move, publishedUntil: publishedUntil, changes: &changes)
            if moved > 0 {
                try db.execute(sql: """
                    INSERT INTO wijk_reassignment (reassigned_at, vintage, sensor_id, window_start, window_end, to_wijk, readings)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [now, vintage, move.sensorID, move.window.start, move.window.end,
                                     move.wijk?.rawValue ?? "", moved])
            }
            total += moved
            progress?(i + 1, moves.count)
        }
        try changes.write(db, at: now)
        return total
    }

    /// Moves one sensor's readings; those before `publishedUntil` are tallied as changes (the
    /// windows they were published in now count them in another wijk).
    private func reassign(_ db: Database, _ move: WijkMove, publishedUntil: Int64, changes: inout ChangeTally) throws -> Int {
        let (target, targetBuurt) = (move.wijk?.rawValue ?? "", move.buurt ?? "")
        let (start, end) = (move.window.start, move.window.end)
        var moved = 0
        for source in try Row.fetchAll(db, sql: """
            SELECT id, quantity, sealed_until, watermark FROM series WHERE sensor_id = ? AND NOT (wijk = ? AND buurt = ?)
            """, arguments: [move.sensorID, target, targetBuurt]) {
            let from: Int64 = source[0], quantity: String = source[1]
            var to = try SeriesState.load(db, SeriesIdentity(sensorID: move.sensorID, quantity: quantity, wijk: target, buurt: targetBuurt))

            func tally(_ ts: some Sequence<Int64>) {
                for t in ts where t < publishedUntil { changes.add(quantity, at: t, .moved) }
            }
            // Chunks wholly inside the window change series.
            let whole = try Row.fetchCursor(db, sql: """
                SELECT c.count, b.ts FROM chunk c JOIN ts_block b ON b.id = c.ts_id WHERE c.series_id = ? AND c.min_ts >= ? AND c.max_ts < ?
                """, arguments: [from, start, end])
            while let row = try whole.next() {
                moved += row[0] as Int
                if start < publishedUntil {
                    tally(try (row[1] as Data).withUnsafeBytes { try TimestampCodec.decode($0) })
                }
            }
            try db.execute(sql: "UPDATE chunk SET series_id = ? WHERE series_id = ? AND min_ts >= ? AND max_ts < ?",
                           arguments: [to.id, from, start, end])

            // Chunks that straddle an edge of the window are split.
            for chunk in try Row.fetchAll(db, sql: """
                SELECT c.id, b.ts, c.value, c.flags FROM chunk c JOIN ts_block b ON b.id = c.ts_id
                WHERE c.series_id = ? AND c.max_ts >= ? AND c.min_ts < ?
                """, arguments: [from, start, end]) {
                let ts = try (chunk[1] as Data).withUnsafeBytes { try TimestampCodec.decode($0) }
                let vs = try (chunk[2] as Data).withUnsafeBytes { try DecimalValueCodec.decode($0) }
                let fs = try (chunk[3] as Data).withUnsafeBytes { try FlagsCodec.decode($0) }
                let inside = ts.indices.filter { ts[$0] >= start && ts[$0] < end }
                let outside = ts.indices.filter { ts[$0] < start || ts[$0] >= end }
                try ChunkRows.delete(db, id: chunk[0])
                if !outside.isEmpty {
                    try appender(db).writeChunks(seriesID: from, ReadingColumns(ts: outside.map { ts[$0] }, vs: outside.map { vs[$0] }, fs: outside.map { fs[$0] }))
                }
                if !inside.isEmpty {
                    try appender(db).writeChunks(seriesID: to.id, ReadingColumns(ts: inside.map { ts[$0] }, vs: inside.map { vs[$0] }, fs: inside.map { fs[$0] }))
                }
                moved += inside.count
                tally(inside.map { ts[$0] })
            }

            // Buffered readings: single rows, both series' (so each series' rows still precede its runs).
            try SQLiteOpenBuffer.unpack(db, seriesID: from)
            try SQLiteOpenBuffer.unpack(db, seriesID: to.id)
            tally(try Int64.fetchAll(db, sql: "SELECT ts FROM open_reading WHERE series_id = ? AND ts >= ? AND ts < ? AND ts < ?",
                                     arguments: [from, start, end, publishedUntil]))
            try db.execute(sql: "UPDATE open_reading SET series_id = ? WHERE series_id = ? AND ts >= ? AND ts < ?",
                           arguments: [to.id, from, start, end])
            moved += db.changesCount

            // The target series is sealed as far as the source was and has seen its readings.
            to.sealedUntil = max(to.sealedUntil, source[2] as Int64)
            to.watermark = max(to.watermark, source[3] as Int64)
            try db.execute(sql: "UPDATE series SET sealed_until = ?, watermark = ? WHERE id = ?",
                           arguments: [to.sealedUntil, to.watermark, to.id])
            try db.execute(sql: """
                DELETE FROM series WHERE id IN (?, ?) AND NOT EXISTS (SELECT 1 FROM chunk c WHERE c.series_id = series.id)
                AND NOT EXISTS (SELECT 1 FROM open_reading o WHERE o.series_id = series.id)
                AND NOT EXISTS (SELECT 1 FROM open_run r WHERE r.series_id = series.id)
                """, arguments: [from, to.id])
        }
        return moved
    }
}
