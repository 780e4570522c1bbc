/// A sealed chunk as a backend stores it, not yet decoded: the appender decodes the chunks a
/// batch reaches off the writer's thread (``ReadingAppender/append(_:quarantined:source:)``).
package struct StoredChunk: Sendable {
    /// How the backend names the chunk, to replace it (SQLite: its row id; PostgreSQL: its window).
    package var id: Int64
    package var window: Int64
    /// The timestamp block the chunk shares with its sensor's other quantities (SQLite), so that
    /// the block is decoded once; `nil` where each chunk holds its own times.
    package var block: Int64?
    package var timestamps: [UInt8]
    package var values: [UInt8]
    package var flags: [UInt8]

    package init(id: Int64, window: Int64, block: Int64?, timestamps: [UInt8], values: [UInt8], flags: [UInt8]) {
        self.id = id
        self.window = window
        self.block = block
        self.timestamps = timestamps
        self.values = values
        self.flags = flags
    }
}

extension SealedWindow {
    /// Stored chunks of series `seriesID` (in window order) decoded per window start; `times`
    /// decodes each shared timestamp block once. Throws when a chunk does not decode.
    static func decode(_ chunks: [StoredChunk], of seriesID: Int64, times: TimestampDecoding?) throws -> [Int64: SealedWindow] {
        var out: [Int64: SealedWindow] = [:]
        for c in chunks {
            let name = "\(c.id) of series \(seriesID)"
            let ts = try times?.decode(c.timestamps, block: c.block, chunk: name) ?? ChunkColumns.timestamps(chunk: name, c.timestamps)
            let columns = try ChunkColumns.decode(chunk: name, times: ts, vs: c.values, fs: c.flags)
            guard out[c.window] != nil else {
                var sealed = SealedWindow()
                sealed.chunks = [c.id]
                sealed.blocks = [c.block]
                sealed.columns = columns
                out[c.window] = sealed
                continue
            }
            out[c.window]!.chunks.append(c.id)
            out[c.window]!.blocks.append(c.block)
            out[c.window]!.columns.ts += columns.ts
            out[c.window]!.columns.vs += columns.vs
            out[c.window]!.columns.fs += columns.fs
        }
        return out
    }
}
