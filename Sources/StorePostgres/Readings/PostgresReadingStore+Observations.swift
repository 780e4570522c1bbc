import Foundation
import LantaarnModel
import PostgresNIO
import Store

extension PostgresReadingStore: ObservationStore {
    public func observations(_ query: ObservationQuery) throws -> (readings: [Reading], next: ObservationCursor?) {
        try database.withSession { try ObservationWalk.page(query, PGObservationSource(session: $0), span: policy.span) }
    }

    public func observationCount(_ query: ObservationQuery) throws -> Int {
        try database.withSession { try ObservationWalk.count(query, PGObservationSource(session: $0), span: policy.span) }
    }

    public func observationSpan(sensorID: String, quantity: String) throws -> TimeWindow? {
        try database.withSession { session in
            let ids = try PGObservationSource(session: session).series(sensorID: sensorID, quantity: quantity).keys.sorted()
            guard !ids.isEmpty else { return nil }
            let (lo, hi) = try session.query("""
                SELECT least((SELECT min(min_ts) FROM chunk WHERE series_id = ANY(\(ids)::bigint[])),
                             (SELECT min(ts) FROM open_reading WHERE series_id = ANY(\(ids)::bigint[]))),
                       greatest((SELECT max(max_ts) FROM chunk WHERE series_id = ANY(\(ids)::bigint[])),
                                (SELECT max(ts) FROM open_reading WHERE series_id = ANY(\(ids)::bigint[])))
                """).first!.decode((Int64?, Int64?).self)
            guard let lo, let hi else { return nil }
            return TimeWindow(start: lo, end: hi)
        }
    }
}

/// An observation walk's reads in PostgreSQL, on one session. Chunks come in the same order as
/// SQLite's (window, then series), so equal timestamps of two series keep the same order.
struct PGObservationSource: ObservationSource {
    let session: PGSession

    func series(sensorID: String, quantity: String) throws -> [Int64: WijkCode?] {
        var out: [Int64: WijkCode?] = [:]
        for row in try session.query("SELECT id, wijk FROM series WHERE sensor_id = \(sensorID) AND quantity = \(quantity)") {
            let (id, wijk) = try row.decode((Int64, String).self)
            out[id] = WijkCode(wijk)
        }
        return out
    }

    func chunks(ids: [Int64], window: TimeWindow, descending: Bool,
                _ visit: (Int64, ChunkStatistics, () throws -> ReadingColumns) throws -> Bool) throws {
        for row in try session.query("""
            SELECT series_id, count, min_ts, max_ts, min_value, max_value, sum, ts, value, flags FROM chunk
            WHERE series_id = ANY(\(ids)::bigint[]) AND max_ts >= \(window.start) AND min_ts < \(window.end)
            ORDER BY window_start \(unescaped: descending ? "DESC" : ""), series_id
            """) {
            let id = try row.makeRandomAccess()[0].decode(Int64.self)
            let stats = try ChunkStatistics.decode(row, from: 1)
            let more = try visit(id, stats) {
                let cells = row.makeRandomAccess()
                return try ChunkColumns.decode(chunk: "of series \(id) at \(stats.minTimestamp)", ts: try cells[7].decode(Data.self),
                                               vs: try cells[8].decode(Data.self), fs: try cells[9].decode(Data.self))
            }
            if !more { return }
        }
    }

    func openReadings(ids: [Int64], window: TimeWindow, descending: Bool, _ visit: (ObservationWalk.Raw) throws -> Bool) throws -> Bool {
        for row in try session.query("""
            SELECT ts, value, flags, series_id FROM open_reading
            WHERE series_id = ANY(\(ids)::bigint[]) AND ts >= \(window.start) AND ts < \(window.end)
            ORDER BY \(unescaped: descending ? "ts DESC, id DESC" : "ts, id")
            """) {
            let (ts, value, flags, series) = try row.decode((Int64, Double, Int16, Int64).self)
            if try !visit((ts, value, UInt8(truncatingIfNeeded: flags), series)) { return false }
        }
        return true
    }
}
