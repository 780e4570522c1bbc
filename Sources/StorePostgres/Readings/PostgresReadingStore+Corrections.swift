import LantaarnModel
import PostgresNIO
import Store

extension PostgresReadingStore: ReadingCorrections {
    public func correct(_ reading: Reading, quarantineID: Int64, note: String) throws -> ReadingCorrection? {
        let now = Clock.nowMilliseconds()
        return try appending { session, appender, _ -> ReadingCorrection? in
            guard !(try session.query("SELECT 1 FROM quarantine WHERE id = \(quarantineID) FOR UPDATE").isEmpty) else {
                throw PostgresStoreError("quarantine entry \(quarantineID) does not exist (replayed already?)")
            }
            // The value may lie in any wijk's series of the sensor (a reassignment moves readings).
            let seriesIDs = try session.query("""
                SELECT id FROM series WHERE sensor_id = \(reading.series.sensorID) AND quantity = \(reading.series.quantity) ORDER BY id FOR UPDATE
                """).map { try $0.decode(Int64.self) }
            var old: Double?
            for id in seriesIDs where old == nil {
                old = try Self.replaceOpenValue(session, seriesID: id, at: reading.timestamp, with: reading.value)
                    ?? appender.replaceSealedValue(seriesID: id, at: reading.timestamp, with: reading.value)
            }
            guard let old else { return nil }
            let id = try session.query("""
                INSERT INTO reading_correction (corrected_at, sensor_id, quantity, ts, old_value, new_value, note)
                VALUES (\(now), \(reading.series.sensorID), \(reading.series.quantity), \(reading.timestamp), \(old), \(reading.value), \(note))
                RETURNING id
                """).first!.decode(Int64.self)
            try session.query("DELETE FROM quarantine WHERE id = \(quarantineID)")
            if reading.timestamp < (try PGReadingLedger.publishedUntil(session)) {
                var changes = ChangeTally()
                changes.add(reading.series.quantity, at: reading.timestamp, .corrected)
                try PGReadingLedger.recordChanges(session, changes, at: now)
            }
            return ReadingCorrection(id: id, correctedAt: now, series: reading.series, timestamp: reading.timestamp,
                                     oldValue: old, newValue: reading.value, note: note)
        }
    }

    /// Replaces the first open reading of the series at `ts`; its old value, `nil` when none.
    private static func replaceOpenValue(_ session: PGSession, seriesID: Int64, at ts: Int64, with value: Double) throws -> Double? {
        try session.query("""
            WITH first AS (SELECT id, value FROM open_reading WHERE series_id = \(seriesID) AND ts = \(ts) ORDER BY id LIMIT 1),
                 changed AS (UPDATE open_reading o SET value = \(value) FROM first WHERE o.series_id = \(seriesID) AND o.ts = \(ts) AND o.id = first.id)
            SELECT value FROM first
            """).first?.decode(Double.self)
    }

    public func corrections(limit: Int) throws -> [ReadingCorrection] {
        try database.withSession { session in
            try session.query("""
                SELECT id, corrected_at, sensor_id, quantity, ts, old_value, new_value, note FROM reading_correction
                ORDER BY id DESC LIMIT \(Int64(limit))
                """).map { row in
                let (id, at, sensor, quantity, ts, old, new, note) = try row.decode((Int64, Int64, String, String, Int64, Double, Double, String).self)
                return ReadingCorrection(id: id, correctedAt: at, series: SeriesKey(sensorID: sensor, quantity: quantity), timestamp: ts,
                                         oldValue: old, newValue: new, note: note)
            }
        }
    }
}
