import Foundation
import GRDB
import LantaarnModel

extension SQLiteReadingStore: ReadingCorrections {
    public func correct(_ reading: Reading, quarantineID: Int64, note: String) throws -> ReadingCorrection? {
        let now = Clock.nowMilliseconds()
        return try pool.write { db -> ReadingCorrection? in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM quarantine WHERE id = ?", arguments: [quarantineID]) == true else {
                throw StoreError("quarantine entry \(quarantineID) does not exist (replayed already?)")
            }
            // The value may lie in any wijk's series of the sensor (a reassignment moves readings).
            let seriesIDs = try Int64.fetchAll(db, sql: "SELECT id FROM series WHERE sensor_id = ? AND quantity = ?",
                                               arguments: [reading.series.sensorID, reading.series.quantity])
            var old: Double?
            for id in seriesIDs where old == nil { old = try replaceValue(db, seriesID: id, at: reading.timestamp, with: reading.value) }
            guard let old else { return nil }
            try db.execute(sql: """
                INSERT INTO reading_correction (corrected_at, sensor_id, quantity, ts, old_value, new_value, note) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [now, reading.series.sensorID, reading.series.quantity, reading.timestamp, old, reading.value, note])
            let id = db.lastInsertedRowID
            try db.execute(sql: "DELETE FROM quarantine WHERE id = ?", arguments: [quarantineID])
            if reading.timestamp < (try Self.publishedUntil(db)) {
                var changes = ChangeTally()
                changes.add(reading.series.quantity, at: reading.timestamp, .corrected)
                try changes.write(db, at: now)
            }
            return ReadingCorrection(id: id, correctedAt: now, series: reading.series, timestamp: reading.timestamp,
                                     oldValue: old, newValue: reading.value, note: note)
        }
    }

    /// Replaces the value of series `seriesID` at `ts` (the first, if a sensor sent several):
    /// in the open buffer, or in its sealed window (see ``ReadingAppender/replaceSealedValue(seriesID:at:with:)``).
    /// Returns the old value, `nil` when the series holds none at `ts`.
    private func replaceValue(_ db: Database, seriesID: Int64, at ts: Int64, with value: Double) throws -> Double? {
        if let old = try SQLiteOpenBuffer.replaceFirst(db, seriesID: seriesID, at: ts, with: value) { return old }
        return try appender(db).replaceSealedValue(seriesID: seriesID, at: ts, with: value)
    }

    public func corrections(limit: Int) throws -> [ReadingCorrection] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, corrected_at, sensor_id, quantity, ts, old_value, new_value, note FROM reading_correction ORDER BY id DESC LIMIT ?
                """, arguments: [limit]).map { row in
                ReadingCorrection(id: row[0], correctedAt: row[1], series: SeriesKey(sensorID: row[2], quantity: row[3]), timestamp: row[4],
                                  oldValue: row[5], newValue: row[6], note: row[7])
            }
        }
    }
}
