import Foundation

/// Reads records from the ingest log, starting at a committed offset.
public struct IngestLogReader: Sendable {
    private let directory: SegmentDirectory

    /// Opens the log folder for reading.
    public init(directory path: String) throws {
        directory = try SegmentDirectory(path: path)
    }

    /// The log's identity: empty for a log made before identities existed.
    public var identity: String { directory.identity }

    /// The offset just past the last byte written so far (0 for an empty log).
    public func writtenEnd() throws -> Int64 {
        guard let last = try directory.bases().last else { return 0 }
        return last + directory.size(base: last)
    }

    /// The key under which the store keeps the committed offset of the log `name` (its folder
    /// in `ingest-log/`). It carries the log's identity, so the offset of a log that was wiped
    /// and started again at 0 is never taken for the new log's (which would skip, or trim,
    /// records not yet stored). A log without identity keeps its old key, the bare name.
    public static func sourceKey(name: String, identity: String) -> String {
        identity.isEmpty ? name : "\(name)@\(identity)"
    }

    /// One record and the offset just past it.
    public struct Entry: Sendable {
        public var record: LogRecord
        /// Offset to commit once this record is stored.
        public var nextOffset: Int64
    }

    /// Result of one read.
    public struct Batch: Sendable {
        public var entries: [Entry]
        /// Where the next read starts (past skipped damage too).
        public var nextOffset: Int64
        /// Damage found and skipped, for the log and metrics.
        public var damage: [IngestLogError]
    }

    /// Reads up to `maxRecords` complete records in `[offset, end)`.
    /// An offset inside a deleted segment resumes at the oldest kept segment.
    public func read(from offset: Int64, end: Int64, maxRecords: Int, maxBytes: Int = 8 << 20) throws -> Batch {
        var entries: [Entry] = []
        var damage: [IngestLogError] = []
        var current = offset
        var chunkBytes = maxBytes
        let bases = try directory.bases()
        if let first = bases.first, current < first { current = first }
        while entries.count < maxRecords, current < end {
            guard let base = bases.last(where: { $0 <= current }) else { break }
            let segmentEnd = min(bases.first(where: { $0 > base }) ?? end, end)
            let file = directory.file(base: base)
            let remaining = segmentEnd - current
            if remaining <= 0 { current = segmentEnd; continue }
            let limit = Int(min(Int64(chunkBytes), remaining))
            let chunk = try Self.readChunk(file: file, at: current - base, count: limit)
            var pos = 0
            var incomplete = false
            var damaged: String?
            chunk.withUnsafeBytes { buf in
                while entries.count < maxRecords, pos < buf.count {
                    switch LogRecord.decode(UnsafeRawBufferPointer(rebasing: buf[pos...])) {
                    case .record(let record, let size):
                        pos += size
                        entries.append(Entry(record: record, nextOffset: current + Int64(pos)))
                    case .incomplete:
                        incomplete = true
                        return
                    case .damaged(let reason):
                        damaged = reason
                        return
                    }
                }
            }
            if let reason = damaged {
                damage.append(.damaged(file: file, offset: current + Int64(pos), reason: reason))
                current = segmentEnd   // the rest of the segment cannot be framed; skip it
                continue
            }
            current += Int64(pos)
            guard incomplete, pos == 0 else { continue }
            if Int64(limit) < remaining, chunkBytes < LogRecord.headerSize + LogRecord.maxBodySize {
                chunkBytes = LogRecord.headerSize + LogRecord.maxBodySize   // one record larger than a chunk
                continue
            }
            damage.append(.damaged(file: file, offset: current, reason: "record runs past the end of the segment"))
            current = segmentEnd
        }
        return Batch(entries: entries, nextOffset: current, damage: damage)
    }

    /// The last `count` records before `offset` (oldest first), read from the segment that holds
    /// them, and its predecessor when `offset` is near a segment start. Used at startup to
    /// remember what was already committed, so a redelivered copy is recognised.
    public func records(before offset: Int64, count: Int) throws -> [LogRecord] {
        let bases = try directory.bases()
        guard count > 0, let index = bases.lastIndex(where: { $0 < offset }) else { return [] }
        var start = bases[index]
        if offset - start < Int64(count) * 256, index > 0 { start = bases[index - 1] }
        var ring: [LogRecord] = []
        ring.reserveCapacity(count)
        var next = 0
        var position = start
        while position < offset {
            let batch = try read(from: position, end: offset, maxRecords: 65_536)
            guard batch.nextOffset > position else { break }
            for entry in batch.entries {
                if ring.count < count { ring.append(entry.record) } else { ring[next] = entry.record }
                next = (next + 1) % count
            }
            position = batch.nextOffset
        }
        return ring.count < count ? ring : Array(ring[next...] + ring[..<next])
    }

    private static func readChunk(file: String, at position: Int64, count: Int) throws -> [UInt8] {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IngestLogError.io("open", file, errno) }
        defer { close(fd) }
        // Uninitialised: a batch reads up to 8 MB, and zeroing it first cost a visible share.
        var failure: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var got = 0
            while got < count {
                let n = pread(fd, buffer.baseAddress! + got, count - got, off_t(position) + off_t(got))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                got += n
            }
            initialized = got
        }
        if failure != 0 { throw IngestLogError.io("read", file, failure) }
        return out
    }

    /// A segment removed by ``trim(committed:olderThan:)``.
    public struct RemovedSegment: Sendable, Equatable {
        public var file: String
        public var records: Int
        /// Receive times of the first and last record, epoch ms (0 when empty).
        public var firstReceived: Int64
        public var lastReceived: Int64
    }

    /// Deletes segments that end at or before `committed` and were last written
    /// before `olderThan` (epoch ms), except those `keep` returns true for (a legal hold on
    /// their time range). `willRemove` is called before each file goes (to record it first, so
    /// a crash in between leaves a record, never a silent deletion). The newest segment is
    /// always kept.
    @discardableResult
    public func trim(committed: Int64, olderThan: Int64, keep: (RemovedSegment) -> Bool = { _ in false },
                     willRemove: (RemovedSegment) throws -> Void = { _ in }) throws -> [RemovedSegment] {
        let bases = try directory.bases()
        var removed: [RemovedSegment] = []
        for (i, base) in bases.enumerated() where i + 1 < bases.count {
            let segmentEnd = bases[i + 1]
            guard segmentEnd <= committed, directory.modified(base: base) < olderThan else { continue }
            let file = directory.file(base: base)
            var entry = RemovedSegment(file: (file as NSString).lastPathComponent, records: 0, firstReceived: 0, lastReceived: 0)
            let batch = try read(from: base, end: segmentEnd, maxRecords: .max)
            entry.records = batch.entries.count
            entry.firstReceived = batch.entries.first?.record.receivedAt ?? 0
            entry.lastReceived = batch.entries.last?.record.receivedAt ?? 0
            if keep(entry) { continue }
            try willRemove(entry)
            try FileManager.default.removeItem(atPath: file)
            removed.append(entry)
        }
        return removed
    }
}
