import GRDB
import LantaarnModel

extension SQLiteStore: ObservationStore {
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
            let ids = try Self.series(db, sensorID: sensorID, quantity: quantity).keys
            guard !ids.isEmpty else { return nil }
            let list = ids.map(String.init).joined(separator: ",")
            let row = try Row.fetchOne(db, sql: """
                SELECT min(lo), max(hi) FROM (
                  SELECT min(min_ts) AS lo, max(max_ts) AS hi FROM chunk WHERE series_id IN (\(list))
                  UNION ALL SELECT min(ts), max(ts) FROM open_reading WHERE series_id IN (\(list)))
                """)
            guard let lo: Int64 = row?[0], let hi: Int64 = row?[1] else { return nil }
            return TimeWindow(start: lo, end: hi)
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
            /// Emits one batch of readings already in the query's order; false to stop.
            func emit(_ batch: [Raw]) throws -> Bool {
                for r in batch {
                    guard window.contains(r.ts), query.values?.contains(r.value) ?? true else { continue }
                    if sameTime.timestamp == r.ts { sameTime.count += 1 } else { sameTime = (r.ts, 0) }
                    if let after = query.after {
                        if query.descending ? r.ts > after.timestamp : r.ts < after.timestamp { continue }
                        if r.ts == after.timestamp, sameTime.count < after.atTimestamp { continue }
                    }
                    let reading = Reading(series: series, timestamp: r.ts, value: r.value, wijk: wijkBySeries[r.series] ?? nil,
                                          flags: QualityFlags(rawValue: r.flags))
                    if try !visit(reading, sameTime.count) { return false }
                }
                return true
            }
            func sorted(_ batch: [Raw]) -> [Raw] {
                // Stable, so equal timestamps keep their stored order (reversed when descending).
                let ascending = batch.enumerated().sorted { ($0.element.ts, $0.offset) < ($1.element.ts, $1.offset) }.map(\.element)
                return query.descending ? ascending.reversed() : ascending
            }
            func openReadings() throws -> [Raw] {
                try Row.fetchAll(db, sql: """
                    SELECT ts, value, flags, series_id FROM open_reading WHERE series_id IN (\(ids.map(String.init).joined(separator: ","))) AND ts >= ? AND ts < ?
                    ORDER BY ts, id
                    """, arguments: [window.start, window.end]).map { ($0[0], $0[1], UInt8(truncatingIfNeeded: $0[2] as Int64), $0[3]) }
            }
            if query.descending, try !emit(sorted(try openReadings())) { return }
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
            if !query.descending { _ = try emit(sorted(try openReadings())) }
        }
    }
}
