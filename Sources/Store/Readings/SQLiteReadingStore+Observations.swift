import GRDB
import LantaarnModel

extension SQLiteReadingStore: ObservationStore {
    public func observations(_ query: ObservationQuery) throws -> (readings: [Reading], next: ObservationCursor?) {
        try pool.read { db in try ObservationWalk.page(query, SQLiteObservationSource(db: db, span: policy.span), span: policy.span) }
    }

    public func observationCount(_ query: ObservationQuery) throws -> Int {
        try pool.read { db in try ObservationWalk.count(query, SQLiteObservationSource(db: db, span: policy.span), span: policy.span) }
    }

    public func observationSpan(sensorID: String, quantity: String) throws -> TimeWindow? {
        try pool.read { db in
            var span: TimeWindow?
            for id in try SQLiteObservationSource(db: db, span: policy.span).series(sensorID: sensorID, quantity: quantity).keys {
                // A series' first and last chunk (by window) hold its earliest and latest sealed
                // readings.
                let row = try Row.fetchOne(db, sql: """
                    SELECT (SELECT min_ts FROM chunk WHERE series_id = ?1 ORDER BY window_start, min_ts LIMIT 1),
                           (SELECT max_ts FROM chunk WHERE series_id = ?1 ORDER BY window_start DESC, max_ts DESC LIMIT 1)
                    """, arguments: [id])
                let open = try SQLiteOpenBuffer.span(db, seriesID: id)
                guard let lo = [row?[0], open?.first].compactMap({ $0 }).min(),
                      let hi = [row?[1], open?.last].compactMap({ $0 }).max() else { continue }
                span = TimeWindow(start: min(lo, span?.start ?? lo), end: max(hi, span?.end ?? hi))
            }
            return span
        }
    }
}

/// An observation walk's reads in SQLite, inside one read transaction.
struct SQLiteObservationSource: ObservationSource {
    let db: Database
    /// The store's chunk span.
    let span: Int64

    func series(sensorID: String, quantity: String) throws -> [Int64: WijkCode?] {
        var out: [Int64: WijkCode?] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, wijk FROM series WHERE sensor_id = ? AND quantity = ?", arguments: [sensorID, quantity]) {
            out[row[0]] = WijkCode(row[1] as String)
        }
        return out
    }

    func chunks(ids: [Int64], window: TimeWindow, descending: Bool,
                _ visit: (Int64, ChunkStatistics, () throws -> ReadingColumns) throws -> Bool) throws {
        var chunks = try ChunkCursor(db, seriesIDs: ids, window: window, span: span, descending: descending)
        while try chunks.next() {
            let header = chunks.header
            let more = try visit(header.seriesID, header.statistics) {
                ReadingColumns(ts: try chunks.timestamps(), vs: try chunks.values(), fs: try chunks.flags())
            }
            if !more { return }
        }
    }

    /// Hands over the window's open readings in the query's order: (time, arrival), or its
    /// reverse. The buffer holds packed runs in arrival order, which decode fast enough to sort
    /// a day's (a sensor that sends every 10 s has 8,640).
    func openReadings(ids: [Int64], window: TimeWindow, descending: Bool, _ visit: (ObservationWalk.Raw) throws -> Bool) throws -> Bool {
        guard window.end > window.start else { return true }
        var held: [ObservationWalk.Raw] = []
        try SQLiteOpenBuffer.forEach(db, seriesIDs: ids, times: window.start...(window.end - 1)) { id, ts, value, flags in
            held.append((ts, value, flags, id))
        }
        let order = held.indices.sorted { (held[$0].0, $0) < (held[$1].0, $1) }
        for k in descending ? Array(order.reversed()) : order {
            if try !visit(held[k]) { return false }
        }
        return true
    }
}
