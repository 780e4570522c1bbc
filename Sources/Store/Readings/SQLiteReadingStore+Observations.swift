import GRDB
import LantaarnModel

extension SQLiteReadingStore: ObservationStore {
    public func observations(_ query: ObservationQuery) throws -> (readings: [Reading], next: ObservationCursor?) {
        var page: [(reading: Reading, atTimestamp: Int)] = []
        var skipped = 0
        try walk(query) { reading, atTimestamp in
            if skipped < query.skip { skipped += 1; return true }
            page.append((reading, atTimestamp))
            return page.count <= query.limit
        }
        guard page.count > query.limit else { return (page.map(\.reading), nil) }
        page.removeLast()
        let last = page[page.count - 1]
        return (page.map(\.reading), ObservationCursor(timestamp: last.reading.timestamp, atTimestamp: last.atTimestamp + 1))
    }

    public func observationCount(_ query: ObservationQuery) throws -> Int {
        var q = query
        q.after = nil
        q.skip = 0
        var count = 0
        try walk(q) { _, _ in count += 1; return true }
        return count
    }

    public func observationSpan(sensorID: String, quantity: String) throws -> TimeWindow? {
        try pool.read { db in
            var span: TimeWindow?
            for id in try Self.series(db, sensorID: sensorID, quantity: quantity).keys {
                // One min() or max() per SELECT: SQLite then reads it from the first or last index
                // entry; asking for both in one SELECT scans every row (every open reading of the
                // day). A series' first and last chunk (by window) hold its earliest and latest
                // sealed readings.
                let row = try Row.fetchOne(db, sql: """
                    SELECT (SELECT min_ts FROM chunk WHERE series_id = ?1 ORDER BY window_start, min_ts LIMIT 1),
                           (SELECT max_ts FROM chunk WHERE series_id = ?1 ORDER BY window_start DESC, max_ts DESC LIMIT 1),
                           (SELECT min(ts) FROM open_reading WHERE series_id = ?1),
                           (SELECT max(ts) FROM open_reading WHERE series_id = ?1)
                    """, arguments: [id])
                let bounds: [Int64?] = (0..<4).map { row?[$0] }
                guard let lo = [bounds[0], bounds[2]].compactMap({ $0 }).min(),
                      let hi = [bounds[1], bounds[3]].compactMap({ $0 }).max() else { continue }
                span = TimeWindow(start: min(lo, span?.start ?? lo), end: max(hi, span?.end ?? hi))
            }
            return span
        }
    }

    /// The series of a sensor's quantity (one per wijk it has been in), with that wijk.
    private static func series(_ db: Database, sensorID: String, quantity: String) throws -> [Int64: WijkCode?] {
        var out: [Int64: WijkCode?] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, wijk FROM series WHERE sensor_id = ? AND quantity = ?", arguments: [sensorID, quantity]) {
            out[row[0]] = WijkCode(row[1] as String)
        }
        return out
    }

    /// One stored reading before it becomes a ``Reading``.
    private typealias Raw = (ts: Int64, value: Double, flags: UInt8, series: Int64)

    /// Visits the query's readings in its order, after its cursor, within its window and
    /// value range, with how many readings of the same timestamp came before each; stops when
    /// `visit` returns false. Sealed chunks are read a window at a time (decoded only when they
    /// overlap the range), open readings come after them (they are the newest).
    private func walk(_ query: ObservationQuery, _ visit: (Reading, Int) throws -> Bool) throws {
        try pool.read { db in
            let wijkBySeries = try Self.series(db, sensorID: query.sensorID, quantity: query.quantity)
            let ids = wijkBySeries.keys.sorted()
            guard !ids.isEmpty, query.window.end > query.window.start else { return }
            var window = query.window
            if let after = query.after {
                if query.descending { window.end = min(window.end, after.timestamp + 1) } else { window.start = max(window.start, after.timestamp) }
            }
            guard window.end > window.start else { return }
            let series = SeriesKey(sensorID: query.sensorID, quantity: query.quantity)
            var sameTime = (timestamp: Int64.min, count: 0)
            /// Emits one reading in the query's order; false to stop.
            func emit(_ r: Raw) throws -> Bool {
                guard window.contains(r.ts), query.values?.contains(r.value) ?? true else { return true }
                if sameTime.timestamp == r.ts { sameTime.count += 1 } else { sameTime = (r.ts, 0) }
                if let after = query.after {
                    if query.descending ? r.ts > after.timestamp : r.ts < after.timestamp { return true }
                    if r.ts == after.timestamp, sameTime.count < after.atTimestamp { return true }
                }
                let reading = Reading(series: series, timestamp: r.ts, value: r.value, wijk: wijkBySeries[r.series] ?? nil,
                                      flags: QualityFlags(rawValue: r.flags))
                return try visit(reading, sameTime.count)
            }
            /// Emits one batch of readings already in the query's order; false to stop.
            func emit(_ batch: [Raw]) throws -> Bool {
                for r in batch where try !emit(r) { return false }
                return true
            }
            func sorted(_ batch: [Raw]) -> [Raw] {
                // Stable, so equal timestamps keep their stored order (reversed when descending).
                let ascending = batch.enumerated().sorted { ($0.element.ts, $0.offset) < ($1.element.ts, $1.offset) }.map(\.element)
                return query.descending ? ascending.reversed() : ascending
            }
            /// Streams the open (not yet sealed) readings in the query's order, so a page of the
            /// newest readings reads a page from the (series_id, ts) index, not every open
            /// reading of the day (a sensor that sends every 10 s has 8,640); false to stop.
            /// Equal timestamps keep their stored order (`id`), reversed when descending.
            func emitOpenReadings() throws -> Bool {
                let order = query.descending ? "ts DESC, id DESC" : "ts, id"
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT ts, value, flags, series_id FROM open_reading WHERE series_id IN (\(ids.map(String.init).joined(separator: ","))) AND ts >= ? AND ts < ?
                    ORDER BY \(order)
                    """, arguments: [window.start, window.end])
                while let row = try rows.next() {
                    if try !emit((row[0], row[1], UInt8(truncatingIfNeeded: row[2] as Int64), row[3])) { return false }
                }
                return true
            }
            if query.descending, try !emitOpenReadings() { return }
            // Chunks of one window (several when a sensor moved between wijken) are merged.
            var chunks = try ChunkCursor(db, seriesIDs: ids, window: window, span: policy.span, descending: query.descending)
            var pending: [Raw] = []
            var pendingWindow: Int64?
            while try chunks.next() {
                let start = TimeBucket.floor(chunks.header.minTimestamp, size: policy.span)
                if let value = query.values, let lower = value.lower, chunks.header.maxValue < lower { continue }
                if let value = query.values, let upper = value.upper, chunks.header.minValue > upper { continue }
                if pendingWindow != start, !pending.isEmpty {
                    if try !emit(sorted(pending)) { return }
                    pending = []
                }
                pendingWindow = start
                let ts = try chunks.timestamps(), vs = try chunks.values(), fs = try chunks.flags()
                for k in ts.indices { pending.append((ts[k], vs[k], fs[k], chunks.header.seriesID)) }
            }
            if !pending.isEmpty, try !emit(sorted(pending)) { return }
            if !query.descending { _ = try emitOpenReadings() }
        }
    }
}
