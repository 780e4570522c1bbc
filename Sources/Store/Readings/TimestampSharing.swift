/// Timestamp columns of one sensor, encoded or decoded once while a unit of ``SeriesWork`` takes
/// the sensor's series of a batch one after another: a sensor's quantities mostly have the same
/// times, and comparing them costs less than encoding or decoding again. ``TimestampBlocks`` does
/// the same for the writer, with the blocks it stores.
final class TimestampEncoding {
    private var byWindow: [Int64: (times: [Int64], encoded: [UInt8])] = [:]

    /// `times` of the sensor's `window` encoded: the bytes of an earlier series with the same
    /// times, or new ones.
    func encode(_ times: [Int64], window: Int64) -> [UInt8] {
        if let known = byWindow[window], known.times == times { return known.encoded }
        let encoded = TimestampCodec.encode(times)
        byWindow[window] = (times, encoded)
        return encoded
    }
}

/// Decoded timestamp blocks of one sensor by block id (see ``TimestampEncoding``). A hit also
/// compares the encoded bytes: the store may give a deleted block's id to a new one.
final class TimestampDecoding {
    private var byBlock: [Int64: (encoded: [UInt8], times: [Int64])] = [:]

    /// `encoded` (of the chunk `chunk` names) decoded: the times of an earlier chunk with the
    /// same block, or decoded now.
    func decode(_ encoded: [UInt8], block: Int64?, chunk: String) throws -> [Int64] {
        if let block, let known = byBlock[block], known.encoded == encoded { return known.times }
        let times = try ChunkColumns.timestamps(chunk: chunk, encoded)
        if let block { byBlock[block] = (encoded, times) }
        return times
    }
}
