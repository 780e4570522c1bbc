import Foundation
import GRDB
import LantaarnModel

/// Identifies a stored series: sensor × quantity × wijk (a sensor that moves starts a new series).
struct SeriesIdentity: Hashable {
    var sensorID: String
    var quantity: String
    var wijk: String

    init(_ r: Reading) {
        sensorID = r.series.sensorID
        quantity = r.series.quantity
        wijk = r.wijk?.rawValue ?? ""
    }
}

/// A series row: where its sealed chunks end and the newest timestamp seen.
struct SeriesState {
    var id: Int64
    /// Readings before this lie in sealed chunks; later arrivals for them are refused.
    var sealedUntil: Int64
    /// Newest reading timestamp seen.
    var watermark: Int64

    /// Loads the series, creating it on first use.
    static func load(_ db: Database, _ s: SeriesIdentity) throws -> SeriesState {
        if let row = try Row.fetchOne(db, sql: """
            SELECT id, sealed_until, watermark FROM series WHERE sensor_id = ? AND quantity = ? AND wijk = ?
            """, arguments: [s.sensorID, s.quantity, s.wijk]) {
            return SeriesState(id: row[0], sealedUntil: row[1], watermark: row[2])
        }
        try db.execute(sql: "INSERT INTO series (sensor_id, quantity, wijk, sealed_until, watermark) VALUES (?, ?, ?, ?, ?)",
                       arguments: [s.sensorID, s.quantity, s.wijk, Int64.min, Int64.min])
        return SeriesState(id: db.lastInsertedRowID, sealedUntil: Int64.min, watermark: Int64.min)
    }

    /// Series of the given quantities, keyed by id, with the values scans need.
    static func all(_ db: Database, quantities: Set<String>) throws -> [Int64: (series: SeriesKey, wijk: WijkCode?)] {
        let placeholders = Array(repeating: "?", count: quantities.count).joined(separator: ",")
        var result: [Int64: (series: SeriesKey, wijk: WijkCode?)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, sensor_id, quantity, wijk FROM series WHERE quantity IN (\(placeholders))",
                                    arguments: StatementArguments(quantities.sorted())) {
            let wijk: String = row[3]
            result[row[0]] = (SeriesKey(sensorID: row[1], quantity: row[2]), WijkCode(wijk))
        }
        return result
    }
}

extension SQLiteStore {
    /// Moves every open reading of `state`'s series in windows that can no longer
    /// receive readings into compressed chunks, one per window, inside the caller's
    /// transaction (so sealing is atomic with the batch and its log offset).
    func seal(_ db: Database, _ state: SeriesState) throws {
        let limit = policy.sealLimit(watermark: state.watermark)
        guard limit > state.sealedUntil else {
            try db.execute(sql: "UPDATE series SET watermark = ? WHERE id = ?", arguments: [state.watermark, state.id])
            return
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT ts, value, flags FROM open_reading WHERE series_id = ? AND ts < ? ORDER BY ts, id
            """, arguments: [state.id, limit])
        var k = 0
        while k < rows.count {
            let window = TimeBucket.floor(rows[k][0], size: policy.span)
            var ts: [Int64] = [], vs: [Double] = [], fs: [UInt8] = []
            while k < rows.count, TimeBucket.floor(rows[k][0] as Int64, size: policy.span) == window {
                ts.append(rows[k][0]); vs.append(rows[k][1]); fs.append(UInt8(truncatingIfNeeded: rows[k][2] as Int64))
                k += 1
            }
            let chunk = Chunk(timestamps: ts, values: vs, flags: fs)
            try db.execute(sql: """
                INSERT INTO chunk (series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum, ts, value, flags)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [state.id, window, chunk.minTimestamp, chunk.maxTimestamp, chunk.count, chunk.minValue,
                                 chunk.maxValue, chunk.sum, Data(chunk.timestamps), Data(chunk.values), Data(chunk.flags)])
        }
        try db.execute(sql: "DELETE FROM open_reading WHERE series_id = ? AND ts < ?", arguments: [state.id, limit])
        try db.execute(sql: "UPDATE series SET sealed_until = ?, watermark = ? WHERE id = ?",
                       arguments: [limit, state.watermark, state.id])
    }
}
