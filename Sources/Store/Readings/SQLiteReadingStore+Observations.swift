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

    /// Streams the open readings in the query's order, so a page of the newest readings reads a
    /// page from the (series_id, ts) index, not every open reading of the day (a sensor that
    /// sends every 10 s has 8,640).
    func openReadings(ids: [Int64], window: TimeWindow, descending: Bool, _ visit: (ObservationWalk.Raw) throws -> Bool) throws -> Bool {
        let order = descending ? "ts DESC, id DESC" : "ts, id"
        let rows = try Row.fetchCursor(db, sql: """
            SELECT ts, value, flags, series_id FROM open_reading WHERE series_id IN (\(ids.map(String.init).joined(separator: ","))) AND ts >= ? AND ts < ?
            ORDER BY \(order)
            """, arguments: [window.start, window.end])
        while let row = try rows.next() {
            if try !visit((row[0], row[1], UInt8(truncatingIfNeeded: row[2] as Int64), row[3])) { return false }
        }
        return true
    }
}
