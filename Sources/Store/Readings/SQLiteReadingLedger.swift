import Foundation
import GRDB
import LantaarnModel

/// The SQLite side of ``ReadingAppender``: statements inside the caller's write transaction.
/// Writes go out at once (cached statements, raw binds on the hot path); ``finish()`` has
/// nothing left to send.
struct SQLiteReadingLedger: ReadingLedger {
    let db: Database
    let span: Int64
    /// Timestamp blocks a chunk of this append may share, by window.
    private let blocks = TimestampBlocks()

    func series(_ identities: [SeriesIdentity]) throws -> [SeriesState] {
        try identities.map { identity in
            let state = try SeriesState.load(db, identity)
            blocks.noteSensor(identity.sensorID, of: state.id)
            return state
        }
    }

    func storedChunks(seriesID: Int64, windows: ClosedRange<Int64>) throws -> [StoredChunk] {
        var out: [StoredChunk] = []
        // Raw reads: the writer reads every overlapping window of a backfill, and GRDB's rows
        // cost as much as the copies. The blobs are copied where SQLite holds them.
        try RawStatement.forEachRow(db.cachedStatement(sql: """
            SELECT c.id, c.window_start, c.ts_id, b.ts, c.value, c.flags FROM chunk c JOIN ts_block b ON b.id = c.ts_id
            WHERE c.series_id = ?1 AND c.window_start >= ?2 AND c.window_start <= ?3 ORDER BY c.window_start, c.id
            """), db, bind: { $0.int64(1, seriesID); $0.int64(2, windows.lowerBound); $0.int64(3, windows.upperBound) }) { row in
            out.append(StoredChunk(id: row.int64(0), window: row.int64(1), block: row.int64(2),
                                   timestamps: [UInt8](row.blob(3)), values: [UInt8](row.blob(4)), flags: [UInt8](row.blob(5))))
        }
        return out
    }

    func openReadings(seriesID: Int64, from: Int64, through: Int64) throws -> ReadingColumns {
        guard from <= through else { return ReadingColumns() }
        return try SQLiteOpenBuffer.readings(db, seriesID: seriesID, times: from...through, timeOrder: true)
    }

    func bufferedReadings(seriesID: Int64, before limit: Int64) throws -> ReadingColumns {
        guard limit > Int64.min else { return ReadingColumns() }
        return try SQLiteOpenBuffer.readings(db, seriesID: seriesID, times: Int64.min...(limit - 1), timeOrder: true)
    }

    func deleteBuffered(seriesID: Int64, before limit: Int64) throws {
        try SQLiteOpenBuffer.delete(db, seriesID: seriesID, before: limit)
    }

    /// Buffers readings of the open window (the live-ingest hot path: one packed run).
    func insertOpen(seriesID: Int64, _ columns: ReadingColumns) throws {
        try SQLiteOpenBuffer.insert(db, seriesID: seriesID, columns)
    }

    func insertChunk(seriesID: Int64, window: Int64, _ chunk: EncodedChunk) throws {
        try ChunkRows.insert(db, seriesID: seriesID, window: window, try columns(seriesID: seriesID, window: window, chunk))
    }

    func deleteChunks(seriesID: Int64, window: Int64, _ sealed: SealedWindow) throws {
        for id in sealed.chunks { blocks.forget(try ChunkRows.delete(db, id: id)) }
    }

    /// The window's first chunk row is rewritten in place and the others deleted: an UPDATE
    /// that keeps the row's series and window leaves two of the table's three indexes alone,
    /// where a DELETE and an INSERT change all of them.
    func replaceChunks(seriesID: Int64, window: Int64, _ sealed: SealedWindow, with chunk: EncodedChunk) throws {
        guard let first = sealed.chunks.first else { return try insertChunk(seriesID: seriesID, window: window, chunk) }
        for id in sealed.chunks.dropFirst() { blocks.forget(try ChunkRows.delete(db, id: id)) }
        blocks.forget(try ChunkRows.update(db, id: first, previous: sealed.blocks.first ?? nil, try columns(seriesID: seriesID, window: window, chunk)))
    }

    /// A sensor's quantities that shared a timestamp block and are merged with the same new times
    /// (a backfill of the sensor) keep sharing it: the block is rewritten in place and each chunk
    /// row keeps pointing at it. That writes one block and leaves the `chunk_ts` index alone,
    /// where one series after another writes a new block, moves every chunk to it and deletes
    /// the old one. Only when no other chunk points at the block; otherwise series by series.
    func replaceWindow(_ window: Int64, _ rewrites: [WindowRewrite]) throws {
        guard rewrites.count > 1, let times = rewrites.first?.chunk.times, let block = rewrites[0].old.blocks.first ?? nil,
              rewrites.allSatisfy({ $0.old.chunks.count == 1 && $0.old.blocks == [block] && $0.chunk.times == times }),
              try ChunkRows.referrers(of: block, db) == rewrites.count else {
            for r in rewrites { try replaceChunks(seriesID: r.seriesID, window: window, r.old, with: r.chunk) }
            return
        }
        try ChunkRows.rewrite(db, block: block, rewrites[0].chunk.encodedTimestamps)
        blocks.rewrote(block, times: times)
        for r in rewrites {
            try ChunkRows.update(db, id: r.old.chunks[0], keepingBlock: ChunkRows.Columns(r.chunk, block: block))
        }
    }

    /// The row's columns: the timestamps are stored (and encoded, if the chunk has them not
    /// yet) only when no sibling's block has them.
    private func columns(seriesID: Int64, window: Int64, _ chunk: EncodedChunk) throws -> ChunkRows.Columns {
        ChunkRows.Columns(chunk, block: try timestampBlock(chunk, seriesID: seriesID, window: window))
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

    /// Timestamp blocks (ids and counts) of the other series of a series' sensor in a span of windows. CROSS JOIN
    /// fixes the order: the sensor's few series first, then their chunks of these windows. The
    /// other order scans every chunk of the windows, which grows with the fleet.
    static let siblingBlocksSQL = """
        SELECT c.window_start, c.ts_id, c.count FROM series s CROSS JOIN chunk c
        WHERE s.sensor_id = (SELECT sensor_id FROM series WHERE id = ?) AND s.id != ?
        AND c.series_id = s.id AND c.window_start >= ? AND c.window_start < ?
        """

    /// A timestamp block holding exactly these times: one this append wrote for another quantity
    /// of the window, one that another quantity of the same sensor already stored for it
    /// (readings that arrived together), or a new one. The second quantity of a sensor encodes
    /// no timestamps: comparing with a sibling's block costs less than encoding.
    private func timestampBlock(_ chunk: EncodedChunk, seriesID: Int64, window: Int64) throws -> Int64 {
        let times = chunk.times
        let sensor = try sensor(of: seriesID)
        if !blocks.siblingsRead(of: seriesID, cover: window) {
            // The siblings' blocks of this and the next windows in one query: an append writes a
            // series' windows in time order, and a query per window cost more than its answer.
            let ahead = span > Int64.max / TimestampBlocks.readAhead ? Int64.max : TimestampBlocks.readAhead * span
            let end = window <= Int64.max - ahead ? window + ahead : Int64.max
            let rows = try Row.fetchCursor(db.cachedStatement(sql: Self.siblingBlocksSQL), arguments: [seriesID, seriesID, window, end])
            while let row = try rows.next() {
                blocks.add(sensor: sensor, window: row[0], id: row[1], count: row[2])
            }
            blocks.noteSiblingsRead(of: seriesID, windows: window..<end)
        }
        if let shared = blocks.find(times, sensor: sensor, window: window, load: storedTimes) { return shared }
        try db.cachedStatement(sql: "INSERT INTO ts_block (ts) VALUES (?)").execute(arguments: [Data(chunk.encodedTimestamps)])
        let id = db.lastInsertedRowID
        blocks.add(sensor: sensor, window: window, id: id, times: times)
        return id
    }

    /// The times of stored block `id`.
    private func storedTimes(_ id: Int64) throws -> [Int64] {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT ts FROM ts_block WHERE id = ?"), arguments: [id])
        return try row?.withUnsafeData(atIndex: 0) { try ($0 ?? Data()).withUnsafeBytes { try TimestampCodec.decode($0) } } ?? []
    }

    /// The sensor of a series: known from ``series(_:)`` on an append, read once otherwise.
    private func sensor(of seriesID: Int64) throws -> String {
        if let known = blocks.sensor(of: seriesID) { return known }
        let sensor = try String.fetchOne(db.cachedStatement(sql: "SELECT sensor_id FROM series WHERE id = ?"), arguments: [seriesID]) ?? ""
        blocks.noteSensor(sensor, of: seriesID)
        return sensor
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
