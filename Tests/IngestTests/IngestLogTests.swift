import Foundation
@testable import Ingest
import Testing
import Synchronization

func scratchDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "lantaarn-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every payload in the log in `dir` up to `end`, read `batch` records at a time; no damage expected.
func payloads(in dir: String, end: Int64, batch: Int) throws -> [String] {
    let reader = try IngestLogReader(directory: dir)
    var offset: Int64 = 0, got: [String] = []
    while offset < end {
        let read = try reader.read(from: offset, end: end, maxRecords: batch)
        #expect(read.damage.isEmpty)
        got += read.entries.map { String(decoding: $0.record.payload, as: UTF8.self) }
        offset = read.nextOffset
    }
    return got
}

struct IngestLogTests {
    @Test func appendThenReadEverythingInOrder() throws {
        let dir = try scratchDirectory("log")
        let writer = try IngestLogWriter(directory: dir, segmentBytes: 4096)   // small: forces rolling
        for i in 0..<500 {
            try writer.append(origin: "lantaarn/sensors/s\(i % 3)/readings", payload: Array("payload \(i)".utf8), receivedAt: Int64(i))
        }
        #expect(try payloads(in: dir, end: writer.end, batch: 37) == (0..<500).map { "payload \($0)" })
        #expect(try SegmentDirectory(path: dir).bases().count > 5)
    }

    /// A log keeps the identity it was created with; the same folder wiped and started again is a
    /// new log with a new identity, so its offsets in the store are kept apart from the old log's.
    /// A log from before identities keeps its bare name as key.
    @Test func aLogStartedAgainInAWipedFolderHasANewIdentity() throws {
        let dir = try scratchDirectory("identity")
        var first = ""
        do {
            let writer = try IngestLogWriter(directory: dir)
            first = writer.identity
            try writer.append(origin: "o", payload: Array("a".utf8), receivedAt: 1)
        }
        #expect(first.count == 12)
        #expect(try IngestLogWriter(directory: dir).identity == first, "reopened: the same log")
        #expect(try IngestLogReader(directory: dir).identity == first)
        #expect(IngestLogReader.sourceKey(name: "mqtt-n1", identity: first) == "mqtt-n1@\(first)")
        try FileManager.default.removeItem(atPath: dir)
        let again = try IngestLogWriter(directory: dir).identity
        #expect(again.count == 12 && again != first, "wiped and started again: a new log")

        let legacy = try scratchDirectory("identity-legacy")
        do { try IngestLogWriter(directory: legacy).append(origin: "o", payload: Array("a".utf8), receivedAt: 1) }
        try FileManager.default.removeItem(atPath: legacy + "/identity")
        #expect(try IngestLogWriter(directory: legacy).identity == "")
        #expect(IngestLogReader.sourceKey(name: "mqtt", identity: "") == "mqtt")
    }

    /// A crash in the middle of a write leaves a partial record; reopening cuts it off and appends after the last good one.
    @Test func tornTailIsRepairedOnOpen() throws {
        let dir = try scratchDirectory("torn")
        var end: Int64 = 0
        do {
            let writer = try IngestLogWriter(directory: dir)
            try writer.append(origin: "t", payload: [1, 2, 3], receivedAt: 1)
            end = writer.end
        }
        let file = try SegmentDirectory(path: dir).file(base: 0)
        let handle = try #require(FileHandle(forWritingAtPath: file))
        handle.seekToEndOfFile()
        handle.write(Data([40, 0, 0, 0, 9, 9]))   // header of a 40-byte record, then nothing
        try handle.close()
        let writer = try IngestLogWriter(directory: dir)
        #expect(writer.end == end)
        try writer.append(origin: "t", payload: [4], receivedAt: 2)
        let batch = try IngestLogReader(directory: dir).read(from: 0, end: writer.end, maxRecords: 10)
        #expect(batch.entries.map(\.record.payload) == [[1, 2, 3], [4]])
    }

    @Test func damagedRecordIsSkippedAndReported() throws {
        let dir = try scratchDirectory("damage")
        let writer = try IngestLogWriter(directory: dir, segmentBytes: 64)
        for i in 0..<4 { try writer.append(origin: "t", payload: Array(repeating: UInt8(i), count: 40), receivedAt: 0) }
        let bases = try SegmentDirectory(path: dir).bases()
        #expect(bases.count == 4)
        // Flip a payload byte in the second segment: its CRC no longer matches.
        let file = try SegmentDirectory(path: dir).file(base: bases[1])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: file))
        let batch = try IngestLogReader(directory: dir).read(from: 0, end: writer.end, maxRecords: 10)
        #expect(batch.entries.map { $0.record.payload[0] } == [0, 2, 3])
        #expect(batch.damage.count == 1)
        #expect(batch.nextOffset == writer.end)
    }

    @Test func secondWriterOnTheSameLogIsRefused() throws {
        let dir = try scratchDirectory("lock")
        let first = try IngestLogWriter(directory: dir)
        #expect(throws: IngestLogError.self) { try IngestLogWriter(directory: dir) }
        _ = first
    }

    /// Found by the canary suite: a quiet log kept one segment for ever, and trim never deletes
    /// the newest, so raw input outlived its retention. Segments now roll by age and on reopening.
    @Test func segmentsRollByAgeAndOnReopeningSoRawInputCanExpire() throws {
        let dir = try scratchDirectory("age")
        do {
            let writer = try IngestLogWriter(directory: dir, segmentMilliseconds: 1_000)
            for t in [0, 400, 999, 1_000, 1_500, 5_000] as [Int64] {
                try writer.append(origin: "t", payload: Array("at \(t)".utf8), receivedAt: t)
            }
            // 0-999 | 1000-1500 | 5000
            #expect(try SegmentDirectory(path: dir).bases().count == 3)
        }
        let writer = try IngestLogWriter(directory: dir)
        #expect(try SegmentDirectory(path: dir).bases().count == 4, "a new run starts a new segment")
        try writer.append(origin: "t", payload: Array("later".utf8), receivedAt: 9_000)
        #expect(try payloads(in: dir, end: writer.end, batch: 10) == ["at 0", "at 400", "at 999", "at 1000", "at 1500", "at 5000", "later"])
        let removed = try IngestLogReader(directory: dir).trim(committed: writer.end, olderThan: Int64.max)
        #expect(removed.map(\.records) == [3, 2, 1], "every segment of the earlier run can go")
    }

    @Test func trimKeepsUncommittedAndNewestSegments() throws {
        let dir = try scratchDirectory("trim")
        let writer = try IngestLogWriter(directory: dir, segmentBytes: 64)
        for _ in 0..<5 { try writer.append(origin: "t", payload: Array(repeating: 7, count: 40), receivedAt: 0) }
        let reader = try IngestLogReader(directory: dir)
        let bases = try SegmentDirectory(path: dir).bases()
        let removed = try reader.trim(committed: bases[2], olderThan: Int64.max)
        #expect(removed.map(\.records) == [1, 1])
        #expect(try SegmentDirectory(path: dir).bases() == Array(bases.dropFirst(2)))
        // Reading from a deleted offset resumes at the oldest kept segment.
        let batch = try reader.read(from: 0, end: writer.end, maxRecords: 10)
        #expect(batch.entries.count == 3)
    }
}

struct IngestLogLookbackTests {
    /// `records(before:count:)` returns the newest records before an offset, across a segment boundary.
    @Test func recordsBeforeAnOffsetComeNewestLastAcrossSegments() throws {
        let dir = try scratchDirectory("lookback")
        let writer = try IngestLogWriter(directory: dir, segmentBytes: 2048)
        var offsets: [Int64] = []
        for i in 0..<300 {
            offsets.append(writer.end)
            try writer.append(origin: "t", payload: Array("m\(i)".utf8), receivedAt: Int64(i))
        }
        let reader = try IngestLogReader(directory: dir)
        let text = { (records: [LogRecord]) in records.map { String(decoding: $0.payload, as: UTF8.self) } }
        #expect(text(try reader.records(before: offsets[200], count: 5)) == (195..<200).map { "m\($0)" })
        #expect(text(try reader.records(before: writer.end, count: 3)) == ["m297", "m298", "m299"])
        #expect(text(try reader.records(before: offsets[2], count: 10)) == ["m0", "m1"])
        #expect(try reader.records(before: 0, count: 10).isEmpty)
        // Just after a segment start, the predecessor segment supplies the rest.
        let bases = try SegmentDirectory(path: dir).bases()
        let second = try #require(bases.dropFirst().first)
        let k = try #require(offsets.firstIndex(of: second))
        #expect(text(try reader.records(before: offsets[k + 1], count: 4)) == ((k - 3)...k).map { "m\($0)" })
    }

    /// Staged records are invisible until the burst is flushed with one write, and never straddle a segment.
    @Test func stagedBurstsBecomeVisibleOnFlush() throws {
        let dir = try scratchDirectory("stage")
        let writer = try IngestLogWriter(directory: dir, segmentBytes: 1024)
        func stage(_ text: String) throws {
            var t = "t"
            try t.withUTF8 { o in try Array(text.utf8).withUnsafeBytes { try writer.stage(origin: o, payload: $0, receivedAt: 1) } }
        }
        for i in 0..<10 { try stage("staged \(i)") }
        #expect(writer.end == 0)
        try writer.flush()
        #expect(writer.end > 0)
        for i in 10..<100 { try stage("staged \(i)") }   // crosses segment boundaries while staging
        try writer.flush()
        #expect(try payloads(in: dir, end: writer.end, batch: 1000) == (0..<100).map { "staged \($0)" })
        #expect(try SegmentDirectory(path: dir).bases().count > 2)
    }

    /// The backlog is what was written and not yet committed; it drives backpressure.
    @Test func backlogIsWrittenMinusConsumed() throws {
        let writer = try IngestLogWriter(directory: try scratchDirectory("backlog"))
        #expect(writer.backlog == 0)
        try writer.append(origin: "t", payload: [UInt8](repeating: 1, count: 1000), receivedAt: 1)
        let first = writer.end
        try writer.append(origin: "t", payload: [UInt8](repeating: 2, count: 1000), receivedAt: 2)
        #expect(writer.backlog == writer.end)
        writer.markConsumed(first)
        #expect(writer.backlog == writer.end - first)
        writer.markConsumed(writer.end)
        #expect(writer.backlog == 0)
    }

    /// The subscriber's thread blocks while the backlog is over the limit and resumes once the consumer commits.
    @Test func backpressureBlocksUntilTheConsumerCatchesUp() async throws {
        let writer = try IngestLogWriter(directory: try scratchDirectory("pause"))
        let pressure = IngestBackpressure(limit: 1500, logger: .init(label: "test"))
        try writer.append(origin: "t", payload: [UInt8](repeating: 1, count: 1000), receivedAt: 1)
        pressure.waitForRoom(writer)   // under the limit: returns at once
        #expect(!pressure.isPaused)
        try writer.append(origin: "t", payload: [UInt8](repeating: 2, count: 1000), receivedAt: 2)
        let returned = Atomic<Bool>(false)
        let thread = Thread { pressure.waitForRoom(writer); returned.store(true, ordering: .releasing) }
        thread.start()
        try await Task.sleep(for: .milliseconds(300))
        #expect(pressure.isPaused && !returned.load(ordering: .acquiring))
        writer.markConsumed(writer.end)
        for _ in 0..<100 where !returned.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(returned.load(ordering: .acquiring) && !pressure.isPaused)
    }
}

struct CRC32Tests {
    /// Bit by bit, as the polynomial defines it.
    func reference(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    @Test func matchesZlibAndTheBitwiseDefinitionAtEveryLength() {
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926, "zlib's check value")
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == reference(bytes), "length \(length)")
            // Unaligned starts too.
            let shifted = [0x5A] + bytes
            #expect(shifted.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[1...])) } == reference(bytes))
        }
    }
}
