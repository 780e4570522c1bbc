import Foundation
import GRDB
import LantaarnModel

/// Walks the sealed chunks of some series that overlap a time window, in (window, series)
/// order. Every chunk's statistics come for free; its columns are decoded only when asked
/// for. The quantities of one sensor usually share a timestamp block and sit next to each
/// other in this order, so the last decoded block is kept and reused.
struct ChunkCursor {
    @dynamicMemberLookup
    struct Header {
        var seriesID: Int64
        var timestampBlock: Int64
        var statistics: ChunkStatistics

        subscript<T>(dynamicMember path: KeyPath<ChunkStatistics, T>) -> T { statistics[keyPath: path] }
    }

    private let rows: GRDB.RowCursor
    private let blockStatement: Statement
    /// Reads a chunk's values by id, when the walk leaves the blobs out.
    private let valueStatement: Statement?
    private var row: Row?
    private(set) var header = Header(seriesID: 0, timestampBlock: 0, statistics: ChunkStatistics(
        count: 0, minTimestamp: 0, maxTimestamp: 0, minValue: 0, maxValue: 0, sum: 0))
    /// The current chunk's statistics per hour (``SubWindowSummary``), `nil` when it has none;
    /// one buffer reused from chunk to chunk.
    private(set) var summary: [UInt8]?
    private var summaryBuffer: [UInt8] = []
    private var cachedBlock: Int64?
    private var cachedTimestamps: [Int64] = []

    /// Chunks of `seriesIDs` with a reading in `window`; `span` is the store's chunk span.
    /// `descending` asks for window order (oldest or newest first); `nil` leaves it to SQLite.
    /// Without `blobs` the walk reads each chunk's statistics and summary only, and a chunk's
    /// values are read by its id when asked for (an aggregate the summaries mostly answer: the
    /// blobs are most of a row, and SQLite copies what a row hands out).
    init(_ db: Database, seriesIDs: some Collection<Int64>, window: TimeWindow, span: Int64, descending: Bool? = nil, blobs: Bool = true) throws {
        let ids = seriesIDs.map(String.init).joined(separator: ",")
        let order = descending.map { $0 ? " ORDER BY window_start DESC, series_id" : " ORDER BY window_start, series_id" } ?? ""
        rows = try Row.fetchCursor(db, sql: """
            SELECT series_id, count, min_ts, max_ts, min_value, max_value, sum, ts_id, \(blobs ? "value, flags" : "id, NULL"), summary FROM chunk
            WHERE series_id IN (\(ids)) AND window_start > ? AND window_start < ? AND max_ts >= ? AND min_ts < ?
            """ + order, arguments: [window.start &- span, window.end, window.start, window.end])
        blockStatement = try db.cachedStatement(sql: "SELECT ts FROM ts_block WHERE id = ?")
        valueStatement = blobs ? nil : try db.cachedStatement(sql: "SELECT value FROM chunk WHERE id = ?")
    }

    /// Moves to the next chunk; false at the end.
    mutating func next() throws -> Bool {
        guard let row = try rows.next() else { self.row = nil; return false }
        self.row = row
        header = Header(seriesID: row[0], timestampBlock: row[7], statistics: ChunkStatistics(
            count: row[1], minTimestamp: row[2], maxTimestamp: row[3], minValue: row[4], maxValue: row[5], sum: row[6]))
        summary = nil
        try row.withUnsafeData(atIndex: 10) { data in
            guard let data else { return }
            summaryBuffer.removeAll(keepingCapacity: true)
            data.withUnsafeBytes { summaryBuffer.append(contentsOf: $0) }
            summary = summaryBuffer
        }
        return true
    }

    /// The current chunk's timestamps, in order.
    mutating func timestamps() throws -> [Int64] {
        if cachedBlock != header.timestampBlock {
            guard let data = try Data.fetchOne(blockStatement, arguments: [header.timestampBlock]) else {
                throw ChunkCodecError("timestamp block \(header.timestampBlock) is missing")
            }
            cachedTimestamps = try data.withUnsafeBytes { bytes throws(ChunkCodecError) in try TimestampCodec.decode(bytes) }
            cachedBlock = header.timestampBlock
        }
        guard cachedTimestamps.count == header.count else {
            throw ChunkCodecError("timestamp block holds \(cachedTimestamps.count) timestamps for a chunk of \(header.count)")
        }
        return cachedTimestamps
    }

    /// The current chunk's values, in timestamp order.
    func values() throws -> [Double] {
        try column(8, "value") { bytes throws(ChunkCodecError) in try DecimalValueCodec.decode(bytes) }
    }

    /// The current chunk's quality flags, in timestamp order (a walk with its blobs only).
    func flags() throws -> [UInt8] {
        try column(9, "flags") { bytes throws(ChunkCodecError) in try FlagsCodec.decode(bytes) }
    }

    /// Decodes the blob in column `index` of the current chunk (its values by the chunk's id in
    /// that column, when the walk leaves the blobs out) and checks it holds `count` entries.
    private func column<T>(_ index: Int, _ name: String,
                           _ decode: (UnsafeRawBufferPointer) throws(ChunkCodecError) -> [T]) throws -> [T] {
        guard let row else { throw ChunkCodecError("no current chunk") }
        func decodeBlob(_ blob: Data?) throws -> [T] {
            guard let blob else { throw ChunkCodecError("chunk without a \(name) blob") }
            return try blob.withUnsafeBytes { bytes throws(ChunkCodecError) in try decode(bytes) }
        }
        let decoded: [T]
        if let valueStatement {
            guard index == 8, let id: Int64 = row[8] else { throw ChunkCodecError("the chunk walk left the \(name) blob out") }
            decoded = try decodeBlob(try Data.fetchOne(valueStatement, arguments: [id]))
        } else {
            decoded = try row.withUnsafeData(atIndex: index, decodeBlob)
        }
        guard decoded.count == header.count else {
            throw ChunkCodecError("\(name) blob holds \(decoded.count) entries for a chunk of \(header.count)")
        }
        return decoded
    }
}
