import Foundation
import GRDB
import LantaarnModel

/// Identifies a stored series: sensor × quantity × wijk × buurt (`''`: unknown). A sensor that
/// moves, or whose area a new boundary vintage changes, starts a new series.
struct SeriesIdentity: Hashable {
    var sensorID: String
    var quantity: String
    var wijk: String
    var buurt: String

    init(sensorID: String, quantity: String, wijk: String, buurt: String = "") {
        self.sensorID = sensorID
        self.quantity = quantity
        self.wijk = wijk
        self.buurt = buurt
    }

    init(_ r: Reading) {
        sensorID = r.series.sensorID
        quantity = r.series.quantity
        wijk = r.wijk?.rawValue ?? ""
        buurt = r.buurt ?? ""
    }
}

/// What scans and aggregates need of a series.
struct SeriesInfo {
    var series: SeriesKey
    var wijk: WijkCode?
    var buurt: String?
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
        // Cached statements: this runs for every series of every ingest batch.
        let select = try db.cachedStatement(sql: "SELECT id, sealed_until, watermark FROM series WHERE sensor_id = ? AND quantity = ? AND wijk = ? AND buurt = ?")
        if let row = try Row.fetchOne(select, arguments: [s.sensorID, s.quantity, s.wijk, s.buurt]) {
            return SeriesState(id: row[0], sealedUntil: row[1], watermark: row[2])
        }
        try db.execute(sql: "INSERT INTO series (sensor_id, quantity, wijk, buurt, sealed_until, watermark) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [s.sensorID, s.quantity, s.wijk, s.buurt, Int64.min, Int64.min])
        return SeriesState(id: db.lastInsertedRowID, sealedUntil: Int64.min, watermark: Int64.min)
    }

    /// Series of the given quantities, keyed by id, with the values scans need.
    static func all(_ db: Database, quantities: Set<String>) throws -> [Int64: SeriesInfo] {
        let placeholders = Array(repeating: "?", count: quantities.count).joined(separator: ",")
        var result: [Int64: SeriesInfo] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, sensor_id, quantity, wijk, buurt FROM series WHERE quantity IN (\(placeholders))",
                                    arguments: StatementArguments(quantities.sorted())) {
            let wijk: String = row[3], buurt: String = row[4]
            result[row[0]] = SeriesInfo(series: SeriesKey(sensorID: row[1], quantity: row[2]), wijk: WijkCode(wijk), buurt: buurt.isEmpty ? nil : buurt)
        }
        return result
    }
}

extension SQLiteReadingStore {
    /// Stores the readings at `positions` (one series, none older than its sealed horizon) and
    /// seals every window the new watermark closes, inside the caller's transaction, so
    /// sealing is atomic with the batch and its log offset.
    ///
    /// Readings in windows that this batch closes go straight into chunks, merged with
    /// any buffered readings of those windows; only the rest is written to the open
    /// buffer. A backfill therefore never touches the buffer, which keeps bulk loads fast.
    func store(_ db: Database, _ readings: [Reading], at positions: [Int], into state: inout SeriesState) throws {
        let limit = policy.sealLimit(watermark: state.watermark)
        // Columns, not Reading copies: a bulk load passes millions of readings through here.
        var ts: [Int64] = [], vs: [Double] = [], fs: [UInt8] = []
        var open = Columns()
        if limit > state.sealedUntil {
            // Buffered readings first: for equal timestamps, earlier arrivals stay first.
            let buffered = try Row.fetchCursor(db, sql: """
                SELECT ts, value, flags FROM open_reading WHERE series_id = ? AND ts < ? ORDER BY ts, id
                """, arguments: [state.id, limit])
            while let row = try buffered.next() {
                ts.append(row[0]); vs.append(row[1]); fs.append(UInt8(truncatingIfNeeded: row[2] as Int64))
            }
        }
        let bufferedCount = ts.count
        ts.reserveCapacity(bufferedCount + positions.count)
        vs.reserveCapacity(bufferedCount + positions.count)
        fs.reserveCapacity(bufferedCount + positions.count)
        for p in positions {
            let t = readings[p].timestamp, v = readings[p].value, f = readings[p].flags.rawValue
            if t < limit {
                ts.append(t); vs.append(v); fs.append(f)
            } else {
                open.ts.append(t); open.vs.append(v); open.fs.append(f)
            }
        }
        if limit > state.sealedUntil {
            if !zip(ts, ts.dropFirst()).allSatisfy({ $0 <= $1 }) {
                // Stable by time: equal timestamps keep buffer order, then arrival order.
                let order = ts.indices.sorted { (ts[$0], $0) < (ts[$1], $1) }
                (ts, vs, fs) = (order.map { ts[$0] }, order.map { vs[$0] }, order.map { fs[$0] })
            }
            try writeChunks(db, seriesID: state.id, ts: ts, vs: vs, fs: fs)
            if bufferedCount > 0 {
                try db.execute(sql: "DELETE FROM open_reading WHERE series_id = ? AND ts < ?", arguments: [state.id, limit])
            }
            state.sealedUntil = limit
        }
        if !open.ts.isEmpty { try insertOpen(db, seriesID: state.id, open) }
        try db.cachedStatement(sql: "UPDATE series SET sealed_until = ?, watermark = ? WHERE id = ?")
            .execute(arguments: [state.sealedUntil, state.watermark, state.id])
    }

    /// Times, values and flags of readings of one series.
    struct Columns {
        var ts: [Int64] = []
        var vs: [Double] = []
        var fs: [UInt8] = []
    }

    /// Buffers readings of the open window (the live-ingest hot path: raw binds).
    private func insertOpen(_ db: Database, seriesID: Int64, _ columns: Columns) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO open_reading (series_id, ts, value, flags) VALUES (?, ?, ?, ?)")
        try RawStatement.executeEach(insert, db, count: columns.ts.count) { row, k in
            row.int64(1, seriesID)
            row.int64(2, columns.ts[k])
            row.double(3, columns.vs[k])
            row.int64(4, Int64(columns.fs[k]))
        }
    }

    @discardableResult
    public func sealExpired(now: Int64) throws -> Int {
        let limit = policy.sealLimit(watermark: now)
        return try pool.write { db in
            var moved = 0
            for row in try Row.fetchAll(db, sql: """
                SELECT id, sealed_until, watermark, (SELECT count(*) FROM open_reading o WHERE o.series_id = series.id AND o.ts < ?)
                FROM series WHERE sealed_until < ?
                """, arguments: [limit, limit]) {
                var state = SeriesState(id: row[0], sealedUntil: row[1], watermark: row[2])
                let buffered: Int = row[3]
                // Sealing as if a reading at `now` had arrived; the stored watermark stays the newest reading.
                let watermark = state.watermark
                state.watermark = max(watermark, now)
                try store(db, [], at: [], into: &state)
                if state.watermark != watermark {
                    try db.execute(sql: "UPDATE series SET watermark = ? WHERE id = ?", arguments: [watermark, state.id])
                }
                moved += buffered
            }
            return moved
        }
    }

    /// Cuts time-sorted columns into one chunk per window and inserts them.
    func writeChunks(_ db: Database, seriesID: Int64, ts: [Int64], vs: [Double], fs: [UInt8]) throws {
        var k = 0
        while k < ts.count {
            let window = TimeBucket.floor(ts[k], size: policy.span)
            var end = k
            while end < ts.count, TimeBucket.floor(ts[end], size: policy.span) == window { end += 1 }
            // Not `Chunk`: the timestamps are encoded only when no sibling's block has them.
            let times = Array(ts[k..<end]), values = Array(vs[k..<end])
            let stats = ChunkStatistics(timestamps: times, values: values)
            let block = try timestampBlock(db, times, seriesID: seriesID, window: window)
            try ChunkRows.insert(db, [seriesID, window, stats.minTimestamp, stats.maxTimestamp, stats.count, stats.minValue,
                                      stats.maxValue, stats.sum, block, Data(DecimalValueCodec.encode(values)),
                                      Data(FlagsCodec.encode(Array(fs[k..<end])))], tsID: block)
            k = end
        }
    }

    /// Timestamp blocks of the other series of a series' sensor in one window. CROSS JOIN fixes
    /// the order: the sensor's few series first, then their chunk of this window. The other
    /// order scans every chunk of the window, which grows with the fleet.
    static let siblingBlocksSQL = """
        SELECT b.id, b.ts, c.count FROM series s CROSS JOIN chunk c CROSS JOIN ts_block b
        WHERE s.sensor_id = (SELECT sensor_id FROM series WHERE id = ?) AND s.id != ?
        AND c.window_start = ? AND c.series_id = s.id AND b.id = c.ts_id
        """

    /// The id of a timestamp block holding exactly these times: one that another quantity of the
    /// same sensor already stored for this window (readings that arrived together), or a new one.
    /// A sibling's block is decoded and compared, which costs less than encoding: the second
    /// quantity of a sensor encodes no timestamps.
    private func timestampBlock(_ db: Database, _ times: [Int64], seriesID: Int64, window: Int64) throws -> Int64 {
        let siblings = try db.cachedStatement(sql: Self.siblingBlocksSQL)
        let rows = try Row.fetchCursor(siblings, arguments: [seriesID, seriesID, window])
        while let row = try rows.next() {
            // A sibling with another number of readings cannot have these times (backfill
            // rewrites one quantity before the other): not decoded.
            guard row[2] as Int == times.count else { continue }
            let same = try row.withUnsafeData(atIndex: 1) { data -> Bool in
                guard let data, let decoded = try? data.withUnsafeBytes({ try TimestampCodec.decode($0) }) else { return false }
                return decoded == times
            }
            if same { return row[0] }
        }
        try db.cachedStatement(sql: "INSERT INTO ts_block (ts) VALUES (?)").execute(arguments: [Data(TimestampCodec.encode(times))])
        return db.lastInsertedRowID
    }
}
