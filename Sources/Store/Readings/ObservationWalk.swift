import LantaarnModel

/// Where an observation walk reads a sensor's quantity from: its series, its sealed chunks and
/// its open buffer. One per backend, inside one read transaction.
package protocol ObservationSource {
    /// The series of a sensor's quantity (one per wijk it has been in), with that wijk.
    func series(sensorID: String, quantity: String) throws -> [Int64: WijkCode?]

    /// Calls `visit` with each chunk of `ids` that has a reading in `window`, in window order
    /// (newest first when `descending`): its series, its summary and how to decode it. Stops when
    /// `visit` returns false.
    func chunks(ids: [Int64], window: TimeWindow, descending: Bool,
                _ visit: (_ seriesID: Int64, _ summary: ChunkStatistics, _ decode: () throws -> ReadingColumns) throws -> Bool) throws

    /// Calls `visit` with each open reading of `ids` in `window`, by (time, arrival), reversed
    /// when `descending`; stops when it returns false. Returns false when it stopped.
    func openReadings(ids: [Int64], window: TimeWindow, descending: Bool, _ visit: (ObservationWalk.Raw) throws -> Bool) throws -> Bool
}

/// The readings of one sensor's quantity in a query's order, for the observations API (paged
/// with a cursor), the same for every backend.
package enum ObservationWalk {
    /// One stored reading before it becomes a ``Reading``.
    package typealias Raw = (ts: Int64, value: Double, flags: UInt8, series: Int64)

    /// One page of the query's readings, and where the next starts.
    package static func page(_ query: ObservationQuery, _ source: some ObservationSource, span: Int64) throws
        -> (readings: [Reading], next: ObservationCursor?) {
        var page: [(reading: Reading, atTimestamp: Int)] = []
        var skipped = 0
        try walk(query, source, span: span) { reading, atTimestamp in
            if skipped < query.skip { skipped += 1; return true }
            page.append((reading, atTimestamp))
            return page.count <= query.limit
        }
        guard page.count > query.limit else { return (page.map(\.reading), nil) }
        page.removeLast()
        let last = page[page.count - 1]
        return (page.map(\.reading), ObservationCursor(timestamp: last.reading.timestamp, atTimestamp: last.atTimestamp + 1))
    }

    /// How many readings the query selects, regardless of its cursor and skip.
    package static func count(_ query: ObservationQuery, _ source: some ObservationSource, span: Int64) throws -> Int {
        var q = query
        q.after = nil
        q.skip = 0
        var count = 0
        try walk(q, source, span: span) { _, _ in count += 1; return true }
        return count
    }

    /// Visits the query's readings in its order, after its cursor, within its window and value
    /// range, with how many readings of the same timestamp came before each; stops when `visit`
    /// returns false. Sealed chunks are read a window at a time (decoded only when they overlap
    /// the value range), open readings come after them (they are the newest).
    static func walk(_ query: ObservationQuery, _ source: some ObservationSource, span: Int64, _ visit: (Reading, Int) throws -> Bool) throws {
        let wijkBySeries = try source.series(sensorID: query.sensorID, quantity: query.quantity)
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
        /// Emits one window's readings in the query's order: stable, so equal timestamps keep
        /// their stored order (reversed when descending); false to stop.
        func emit(window batch: [Raw]) throws -> Bool {
            let ascending = batch.enumerated().sorted { ($0.element.ts, $0.offset) < ($1.element.ts, $1.offset) }.map(\.element)
            for r in query.descending ? ascending.reversed() : ascending where try !emit(r) { return false }
            return true
        }
        if query.descending, try !source.openReadings(ids: ids, window: window, descending: true, emit) { return }
        // Chunks of one window (several when a sensor moved between wijken) are merged.
        var pending: [Raw] = []
        var pendingWindow: Int64?
        var stopped = false
        try source.chunks(ids: ids, window: window, descending: query.descending) { seriesID, summary, decode in
            let start = TimeBucket.floor(summary.minTimestamp, size: span)
            if let value = query.values, let lower = value.lower, summary.maxValue < lower { return true }
            if let value = query.values, let upper = value.upper, summary.minValue > upper { return true }
            if pendingWindow != start, !pending.isEmpty {
                if try !emit(window: pending) { stopped = true; return false }
                pending = []
            }
            pendingWindow = start
            let c = try decode()
            for k in c.ts.indices { pending.append((c.ts[k], c.vs[k], c.fs[k], seriesID)) }
            return true
        }
        if stopped { return }
        if !pending.isEmpty, try !emit(window: pending) { return }
        if !query.descending { _ = try source.openReadings(ids: ids, window: window, descending: false, emit) }
    }
}
