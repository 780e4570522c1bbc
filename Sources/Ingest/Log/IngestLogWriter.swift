import Foundation
import LantaarnModel
import Synchronization

/// Appends raw messages to the ingest log.
///
/// `append` does one `write(2)` per record (`stage` and `flush` one per burst), so once
/// it returns the bytes are in the OS page cache and survive a crash of this process (kill -9). A periodic
/// ``syncIfDue()`` (`fdatasync`) bounds what a power loss can take.
public final class IngestLogWriter: Sendable {
    /// Segments roll over past this size.
    public static let defaultSegmentBytes: Int64 = 64 << 20
    /// ... and once their first record is this old (receive time), so that retention can
    /// destroy raw input however little arrives: trim never deletes the newest segment.
    public static let defaultSegmentMilliseconds: Int64 = 3_600_000

    private let directory: SegmentDirectory
    private let segmentBytes: Int64
    private let segmentMilliseconds: Int64
    private let syncInterval: Int64
    private let state: Mutex<WriterState>
    /// Held for the writer's lifetime: one writer per log, across processes.
    private let lockFD: Int32
    private let endOffset = Atomic<Int64>(0)
    /// The log's identity (see ``IngestLogReader/sourceKey(name:identity:)``).
    public let identity: String
    /// Offset up to which the consumer has committed records to the store.
    private let consumedOffset = Atomic<Int64>(0)

    struct WriterState {
        var fd: Int32
        var base: Int64
        var position: Int64
        var lastSync: Int64
        var dirty: Bool
        var buffer: [UInt8]
        /// Receive time of the segment's first record (meaningless while it is empty).
        var segmentStarted: Int64 = 0
    }

    /// Opens the log in `directory`, repairing a torn record at the tail of the last segment.
    /// - Parameter syncIntervalMilliseconds: how often `fdatasync` runs at most (0 = after every record).
    /// A writer opened on a log whose last segment holds records starts a new segment, so the
    /// records of an earlier run can be trimmed once committed and expired.
    public init(directory path: String, segmentBytes: Int64 = defaultSegmentBytes,
                segmentMilliseconds: Int64 = defaultSegmentMilliseconds, syncIntervalMilliseconds: Int64 = 100) throws {
        directory = try SegmentDirectory(path: path)
        let lockPath = path + "/writer.lock"
        lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw IngestLogError.io("open", lockPath, errno) }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            close(lockFD)
            throw IngestLogError.locked(path)
        }
        do { try directory.establishIdentity() } catch {
            close(lockFD)
            throw IngestLogError.io("write the identity of", path, errno)
        }
        identity = directory.identity
        self.segmentBytes = segmentBytes
        self.segmentMilliseconds = segmentMilliseconds
        syncInterval = syncIntervalMilliseconds
        let base = try directory.bases().last ?? 0
        let valid = try Self.validLength(of: directory.file(base: base))
        let fd = open(directory.file(base: base), O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let e = errno
            close(lockFD)
            throw IngestLogError.io("open", directory.file(base: base), e)
        }
        // Cut a torn tail only when there is one: truncating also stamps the segment as written
        // now, which would hold back its retention.
        var info = stat()
        let torn = fstat(fd, &info) != 0 || Int64(info.st_size) != valid
        if (torn && ftruncate(fd, off_t(valid)) != 0) || lseek(fd, off_t(valid), SEEK_SET) < 0 {
            let e = errno
            close(fd)
            close(lockFD)
            throw IngestLogError.io("truncate torn tail of", directory.file(base: base), e)
        }
        state = Mutex(WriterState(fd: fd, base: base, position: valid, lastSync: Clock.nowMilliseconds(),
                                  dirty: false, buffer: []))
        endOffset.store(base + valid, ordering: .releasing)
        consumedOffset.store(base + valid, ordering: .releasing)
        if valid > 0 { try state.withLock { try roll(&$0) } }
    }

    deinit {
        state.withLock { s in
            if s.dirty { fdatasync(s.fd) }
            close(s.fd)
        }
        close(lockFD)   // releases the flock
    }

    /// Global offset just past the last complete record; readers never read beyond it.
    public var end: Int64 { endOffset.load(ordering: .acquiring) }

    /// Records that the consumer has committed everything before `offset` (see ``backlog``).
    public func markConsumed(_ offset: Int64) {
        consumedOffset.store(offset, ordering: .releasing)
    }

    /// Offset up to which the consumer has committed to the store.
    public var consumed: Int64 { consumedOffset.load(ordering: .acquiring) }

    /// Whether the subscriber is waiting for the consumer's commit before it acknowledges
    /// (`ack_after: store`), so the consumer should not wait for a bigger batch.
    public var commitAwaited: Bool { awaitingCommit.load(ordering: .relaxed) }
    private let awaitingCommit = Atomic<Bool>(false)

    /// Blocks until the consumer has committed everything written so far (`ack_after: store`).
    public func awaitCommit() {
        let target = end
        guard consumed < target else { return }
        awaitingCommit.store(true, ordering: .relaxed)
        defer { awaitingCommit.store(false, ordering: .relaxed) }
        while consumed < target { usleep(100) }
    }

    /// Bytes written but not yet committed to the store: how far the consumer is behind.
    public var backlog: Int64 { max(0, end - consumedOffset.load(ordering: .acquiring)) }

    /// Appends one message. Returns when the record is in the page cache; when it throws, the
    /// message is not in the log (a retry does not write it twice).
    public func append(origin: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer, receivedAt: Int64) throws {
        try state.withLock { s in
            try stageLocked(&s, origin: origin, payload: payload, receivedAt: receivedAt)
            let staged = s.buffer.count
            do {
                try flushLocked(&s)
            } catch {
                s.buffer.removeSubrange(staged - Int(Self.recordSize(origin: origin, payload: payload))..<staged)
                throw error
            }
        }
    }

    private static func recordSize(origin: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer) -> Int64 {
        Int64(LogRecord.headerSize + 8 + 2 + min(origin.count, Int(UInt16.max)) + payload.count)
    }

    /// Adds one message to a burst that ``flush()`` writes with a single `write(2)`. Staged
    /// records are invisible to readers and not yet safe: acknowledge them only after `flush`.
    public func stage(origin: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer, receivedAt: Int64) throws {
        try state.withLock { s in try stageLocked(&s, origin: origin, payload: payload, receivedAt: receivedAt) }
    }

    /// Writes the staged records; when it returns they are in the page cache.
    public func flush() throws {
        try state.withLock { s in try flushLocked(&s) }
    }

    private func stageLocked(_ s: inout WriterState, origin: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer,
                             receivedAt: Int64) throws {
        let size = Self.recordSize(origin: origin, payload: payload)
        // A record never straddles segments: write what is staged, then roll.
        let used = s.position + Int64(s.buffer.count)
        if used > 0, used + size > segmentBytes || receivedAt - s.segmentStarted >= segmentMilliseconds {
            try flushLocked(&s)
            if s.position > 0 { try roll(&s) }
        }
        if s.position + Int64(s.buffer.count) == 0 { s.segmentStarted = receivedAt }
        LogRecord.encode(receivedAt: receivedAt, origin: origin, payload: payload, into: &s.buffer)
    }

    private func flushLocked(_ s: inout WriterState) throws {
        guard !s.buffer.isEmpty else { return }
        try s.buffer.withUnsafeBytes { buf in
            var written = 0
            while written < buf.count {
                let n = write(s.fd, buf.baseAddress! + written, buf.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    let e = errno
                    // Cut a partial write so the log stays parseable; the records stay staged for a retry.
                    _ = ftruncate(s.fd, off_t(s.position))
                    _ = lseek(s.fd, off_t(s.position), SEEK_SET)
                    throw IngestLogError.io("append to", directory.file(base: s.base), e)
                }
                written += n
            }
        }
        s.position += Int64(s.buffer.count)
        s.buffer.removeAll(keepingCapacity: true)
        s.dirty = true
        endOffset.store(s.base + s.position, ordering: .releasing)
        if syncInterval == 0 { syncLocked(&s) }
    }

    /// Convenience for callers holding Swift values (file ingesters, tests).
    public func append(origin: String, payload: [UInt8], receivedAt: Int64) throws {
        var o = origin
        try o.withUTF8 { ob in
            try payload.withUnsafeBytes { pb in try append(origin: ob, payload: pb, receivedAt: receivedAt) }
        }
    }

    /// Runs `fdatasync` when the interval has passed and there is unsynced data.
    public func syncIfDue() {
        state.withLock { s in
            if s.dirty, Clock.nowMilliseconds() - s.lastSync >= syncInterval { syncLocked(&s) }
        }
    }

    /// Forces `fdatasync` now (used at shutdown).
    public func sync() {
        state.withLock { s in if s.dirty { syncLocked(&s) } }
    }

    private func syncLocked(_ s: inout WriterState) {
        fdatasync(s.fd)
        s.dirty = false
        s.lastSync = Clock.nowMilliseconds()
    }

    private func roll(_ s: inout WriterState) throws {
        syncLocked(&s)
        close(s.fd)
        let newBase = s.base + s.position
        let fd = open(directory.file(base: newBase), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw IngestLogError.io("create segment", directory.file(base: newBase), errno) }
        s.fd = fd
        s.base = newBase
        s.position = 0
    }

    /// Length of the prefix of `file` made of complete, intact records.
    static func validLength(of file: String) throws -> Int64 {
        guard let data = FileManager.default.contents(atPath: file) else { return 0 }
        return data.withUnsafeBytes { buf in
            var pos = 0
            while pos < buf.count {
                guard case .record(_, let size) = LogRecord.decode(UnsafeRawBufferPointer(rebasing: buf[pos...])) else { break }
                pos += size
            }
            return Int64(pos)
        }
    }
}

/// Ingest-log failures: the operation, the file and the system error.
public enum IngestLogError: Error, CustomStringConvertible, Sendable {
    case io(String, String, Int32)
    case damaged(file: String, offset: Int64, reason: String)
    case locked(String)

    public var description: String {
        switch self {
        case let .io(op, file, code):
            return "cannot \(op) \(file): \(String(cString: strerror(code))). Check free disk space and permissions of the data directory."
        case .locked(let path):
            return "another Lantaarn process is writing the ingest log in \(path); stop it or use another --data-dir"
        case let .damaged(file, offset, reason):
            return "ingest log \(file) is damaged at offset \(offset) (\(reason)); the rest of that segment is skipped and counted"
        }
    }
}
