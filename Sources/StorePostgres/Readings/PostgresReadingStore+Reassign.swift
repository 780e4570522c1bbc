import LantaarnModel
import PostgresNIO
import Store

extension PostgresReadingStore: ReadingReassignment {
    /// Moves the readings each move covers into the series of their new wijk and buurt, all in one
    /// transaction, and records every move that changed something in `wijk_reassignment` (and, for
    /// readings already published, as changes: their windows become stale). A chunk's readings in
    /// the window are split off and merged into the target series' chunk of that window (one chunk
    /// per series and window here). With `dryRun`, the same work is rolled back: the count is exact.
    public func reassignWijk(_ moves: [WijkMove], vintage: Int, now: Int64 = Clock.nowMilliseconds(), dryRun: Bool = false,
                             progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Int {
        try appending(commit: !dryRun) { session, appender, ledger in
            var total = 0
            var changes = ChangeTally()
            let publishedUntil = try PGReadingLedger.publishedUntil(session)
            for (i, move) in moves.enumerated() {
                let moved = try reassign(session, appender, ledger, move, publishedUntil: publishedUntil, changes: &changes)
                if moved > 0 {
                    try session.query("""
                        INSERT INTO wijk_reassignment (reassigned_at, vintage, sensor_id, window_start, window_end, to_wijk, readings)
                        VALUES (\(now), \(Int32(vintage)), \(move.sensorID), \(move.window.start), \(move.window.end),
                                \(move.wijk?.rawValue ?? ""), \(Int64(moved)))
                        """)
                }
                total += moved
                progress?(i + 1, moves.count)
            }
            try PGReadingLedger.recordChanges(session, changes, at: now)
            return total
        }
    }

    /// Moves one sensor's readings in the move's window; those before `publishedUntil` are tallied.
    private func reassign(_ session: PGSession, _ appender: ReadingAppender<PGReadingLedger>, _ ledger: PGReadingLedger, _ move: WijkMove,
                          publishedUntil: Int64, changes: inout ChangeTally) throws -> Int {
        let (target, targetBuurt) = (move.wijk?.rawValue ?? "", move.buurt ?? "")
        let (start, end) = (move.window.start, move.window.end)
        var moved = 0
        let sources = try session.query("""
            SELECT id, quantity, sealed_until, watermark FROM series WHERE sensor_id = \(move.sensorID) AND NOT (wijk = \(target) AND buurt = \(targetBuurt))
            ORDER BY id FOR UPDATE
            """).map { try $0.decode((Int64, String, Int64, Int64).self) }
        for (from, quantity, sealedUntil, watermark) in sources {
            var inside = ReadingColumns()
            // Sealed readings in the window: split off from their chunks.
            if sealedUntil > start, end > start {
                let last = min(end, sealedUntil) - 1
                let windows = TimeBucket.floor(start, size: policy.span)...TimeBucket.floor(last, size: policy.span)
                for (window, sealed) in try ledger.sealedWindows(seriesID: from, windows: windows).sorted(by: { $0.key < $1.key }) {
                    let c = sealed.columns
                    let keep = c.ts.indices.filter { c.ts[$0] < start || c.ts[$0] >= end }
                    guard keep.count < c.ts.count else { continue }
                    for k in c.ts.indices where c.ts[k] >= start && c.ts[k] < end {
                        inside.ts.append(c.ts[k]); inside.vs.append(c.vs[k]); inside.fs.append(c.fs[k])
                    }
                    try ledger.deleteChunks(seriesID: from, window: window, sealed)
                    if !keep.isEmpty {
                        try appender.writeChunks(seriesID: from, ReadingColumns(ts: keep.map { c.ts[$0] }, vs: keep.map { c.vs[$0] }, fs: keep.map { c.fs[$0] }))
                    }
                }
            }
            // Buffered readings in the window, in arrival order.
            for row in try session.query("""
                DELETE FROM open_reading WHERE series_id = \(from) AND ts >= \(start) AND ts < \(end) RETURNING ts, value, flags, id
                """).map({ try $0.decode((Int64, Double, Int16, Int64).self) }).sorted(by: { $0.3 < $1.3 }) {
                inside.ts.append(row.0); inside.vs.append(row.1); inside.fs.append(UInt8(truncatingIfNeeded: row.2))
            }
            guard !inside.ts.isEmpty else { continue }
            for t in inside.ts where t < publishedUntil { changes.add(quantity, at: t, .moved) }
            // The target series is sealed as far as the source was and has seen its readings.
            var to = try ledger.series([SeriesIdentity(sensorID: move.sensorID, quantity: quantity, wijk: target, buurt: targetBuurt)])[0]
            to.sealedUntil = max(to.sealedUntil, sealedUntil)
            to.watermark = max(to.watermark, watermark)
            try appender.merge(inside, into: to, as: SeriesKey(sensorID: move.sensorID, quantity: quantity))
            try ledger.finish()
            moved += inside.ts.count
            try session.query("""
                DELETE FROM series WHERE id = ANY(\([from, to.id])::bigint[]) AND NOT EXISTS (SELECT 1 FROM chunk c WHERE c.series_id = series.id)
                AND NOT EXISTS (SELECT 1 FROM open_reading o WHERE o.series_id = series.id)
                """)
        }
        return moved
    }
}
