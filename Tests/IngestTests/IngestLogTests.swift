import Foundation
@testable import Ingest
import Testing

func scratchDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "lantaarn-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

struct IngestLogTests {
    @Test func appendThenReadEverythingInOrder() throws {
        let dir = try scratchDirectory("log")
        let writer = try IngestLogWriter(directory: dir, segmentBytes: 4096)   // small: forces rolling
        for i in 0..<500 {
            try writer.append(origin: "lantaarn/sensors/s\(i % 3)/readings", payload: Array("payload \(i)".utf8), receivedAt: Int64(i))
        }
        let reader = try IngestLogReader(directory: dir)
        var offset: Int64 = 0
        var got: [String] = []
        while offset < writer.end {
            let batch = try reader.read(from: offset, end: writer.end, maxRecords: 37)
            #expect(batch.damage.isEmpty)
            got += batch.entries.map { String(decoding: $0.record.payload, as: UTF8.self) }
            offset = batch.nextOffset
        }
        #expect(got == (0..<500).map { "payload \($0)" })
        #expect(try SegmentDirectory(path: dir).bases().count > 5)
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
