import Foundation
import GRDB
import LantaarnModel

/// The SQLite side of ``ReadingAppender``: statements inside the caller's write transaction.
/// Writes go out at once (cached statements, raw binds on the hot path); ``finish()`` has
/// nothing left to send.
struct SQLiteReadingLedger: ReadingLedger {
    let db: Database
    let span: Int64

    func series(_ identities: [SeriesIdentity]) throws -> [SeriesState] {
        try identities.map { try SeriesState.load(db, $0) }
    }

    func sealedWindows(seriesID: Int64, windows: ClosedRange<Int64>) throws -> [Int64: SealedWindow] {
        var out: [Int64: SealedWindow] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT c.id, c.window_start, b.ts, c.value, c.flags FROM chunk c JOIN ts_block b ON b.id = c.ts_id
            WHERE c.series_id = ? AND c.window_start >= ? AND c.window_start <= ? ORDER BY c.window_start, c.id
            """), arguments: [seriesID, windows.lowerBound, windows.upperBound])
        while let row = try rows.next() {
            let id: Int64 = row[0], window: Int64 = row[1]
            // The blobs decoded where SQLite holds them, not copied first.
            let columns = try row.withUnsafeData(atIndex: 2) { ts in
                try row.withUnsafeData(atIndex: 3) { vs in
                    try row.withUnsafeData(atIndex: 4) { fs in
                        try ChunkColumns.decode(chunk: "\(id)", ts: ts ?? Data(), vs: vs ?? Data(), fs: fs ?? Data())
                    }
                }
            }
            if out[window] == nil {
                var sealed = SealedWindow()
                sealed.chunks = [id]
                sealed.columns = columns
                out[window] = sealed
            } else {
                out[window]!.chunks.append(id)
                out[window]!.columns.ts += columns.ts
                out[window]!.columns.vs += columns.vs
                out[window]!.columns.fs += columns.fs
            }
        }
        return out
    }

    func openReadings(seriesID: Int64, from: Int64, through: Int64) throws -> ReadingColumns {
        var held = ReadingColumns()
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT ts, value FROM open_reading WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts"),
                                       arguments: [seriesID, from, through])
        while let row = try rows.next() { held.ts.append(row[0]); held.vs.append(row[1]) }
        return held
    }

    func bufferedReadings(seriesID: Int64, before limit: Int64) throws -> ReadingColumns {
        var out = ReadingColumns()
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT ts, value, flags FROM open_reading WHERE series_id = ? AND ts < ? ORDER BY ts, id
            """), arguments: [seriesID, limit])
        while let row = try rows.next() {
            out.ts.append(row[0]); out.vs.append(row[1]); out.fs.append(UInt8(truncatingIfNeeded: row[2] as Int64))
        }
        return out
    }

    func deleteBuffered(seriesID: Int64, before limit: Int64) throws {
        try db.execute(sql: "DELETE FROM open_reading WHERE series_id = ? AND ts < ?", arguments: [seriesID, limit])
    }

    /// Buffers readings of the open window (the live-ingest hot path: raw binds).
    func insertOpen(seriesID: Int64, _ columns: ReadingColumns) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO open_reading (series_id, ts, value, flags) VALUES (?, ?, ?, ?)")
        try RawStatement.executeEach(insert, db, count: columns.ts.count) { row, k in
            row.int64(1, seriesID)
            row.int64(2, columns.ts[k])
            row.double(3, columns.vs[k])
            row.int64(4, Int64(columns.fs[k]))
        }
    }

    /// Not `Chunk`: the timestamps are encoded only when no sibling's block has them.
    func insertChunk(seriesID: Int64, window: Int64, ts: [Int64], vs: [Double], fs: [UInt8]) throws {
        let stats = ChunkStatistics(timestamps: ts, values: vs)
        let block = try timestampBlock(ts, seriesID: seriesID, window: window)
        try ChunkRows.insert(db, [seriesID, window, stats.minTimestamp, stats.maxTimestamp, stats.count, stats.minValue,
                                  stats.maxValue, stats.sum, block, Data(DecimalValueCodec.encode(vs)),
                                  Data(FlagsCodec.encode(fs))], tsID: block)
    }

    func deleteChunks(seriesID: Int64, window: Int64, _ sealed: SealedWindow) throws {
        for id in sealed.chunks { try ChunkRows.delete(db, id: id) }
    }

    func updateSeries(_ state: SeriesState) throws {
        try db.cachedStatement(sql: "UPDATE series SET sealed_until = ?, watermark = ? WHERE id = ?")
            .execute(arguments: [state.sealedUntil, state.watermark, state.id])
    }

    func publishedUntil() throws -> Int64 { try SQLiteReadingStore.publishedUntil(db) }

    func insertQuarantine(_ entries: [QuarantineEntry]) throws { try SQLiteReadingStore.insertQuarantine(db, entries) }

    func recordChanges(_ tally: ChangeTally) throws { try tally.write(db) }

    func countRewrittenChunks(_ n: Int) throws { try SQLiteReadingStore.countRewrittenChunks(db, n) }

    func finish() throws {}

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
    private func timestampBlock(_ times: [Int64], seriesID: Int64, window: Int64) throws -> Int64 {
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

extension SeriesState {
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
            result[row[0]] = SeriesInfo(sensorID: row[1], quantity: row[2], wijk: row[3], buurt: row[4])
        }
        return result
    }
}
