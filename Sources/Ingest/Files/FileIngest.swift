import Foundation
import LantaarnModel
import Store

/// `lantaarn ingest FILE`: loads a sensor archive into the store.
///
/// - Formats, recognised by content: the Sensor.Community archive CSV, NDJSON in the
///   Lantaarn format with a `"sensor"` member, and SenML (one pack per line, or one per file).
/// - Idempotent by SHA-256: a file loaded completely before is skipped.
/// - Resumable: batches are committed with the byte offset reached (ingest source
///   `file:SHA256`), so an interrupted load continues after the last committed line and
///   stores nothing twice.
/// - A bad row goes to quarantine with `name:line` and its reason; the good rows land.
public struct FileIngest: Sendable {
    public let store: any ReadingStore
    public let validator: ReadingValidator
    /// Readings per committed batch. Large batches let whole days go straight into chunks
    /// instead of through the open buffer (the store seals a window only once a batch passes it).
    public var batchReadings = 1_000_000

    public init(store: any ReadingStore, validator: ReadingValidator) {
        self.store = store
        self.validator = validator
    }

    public struct Report: Sendable, Equatable {
        public var name: String
        public var sha256: String
        public var format: String
        /// Rows, readings stored and values quarantined in this run (after a resume: since it).
        public var rows = 0
        public var readings = 0
        public var quarantined = 0
        /// Of `readings`, those merged into sealed chunks (older than their series' sealed horizon).
        public var backfilled = 0
        /// Readings already stored (same series, time and value): not stored again.
        public var duplicates = 0
        /// Of `quarantined`, readings at a stored time with another value (the stored one stays).
        public var conflicts = 0
        /// Byte offset the load resumed from (0: from the start).
        public var resumedAt: Int64 = 0
        /// Set when the file was loaded completely before; nothing was done.
        public var alreadyLoaded: IngestedFile?
    }

    /// Progress: bytes done, total bytes, rows so far.
    public typealias Progress = (_ done: Int64, _ total: Int64, _ rows: Int) -> Void

    public func ingest(path: String, progress: Progress = { _, _, _ in }) throws -> Report {
        let name = (path as NSString).lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw FileIngestError("\(path): cannot read the file (\(error.localizedDescription))")
        }
        return try data.withUnsafeBytes { bytes in
            var hash = SHA256()
            hash.update(raw: bytes)
            let sha = hash.finalize().map { String(format: "%02x", $0) }.joined()
            return try ingest(bytes, name: name, sha256: sha, progress: progress)
        }
    }

    func ingest(_ bytes: UnsafeRawBufferPointer, name: String, sha256: String, progress: Progress) throws -> Report {
        var report = Report(name: name, sha256: sha256, format: "")
        if let done = try store.ingestedFile(sha256: sha256) {
            report.alreadyLoaded = done
            return report
        }
        guard !bytes.isEmpty else { throw FileIngestError("\(name): the file is empty") }
        let firstEnd = Self.lineEnd(bytes, from: 0)
        let first = UnsafeRawBufferPointer(rebasing: bytes[0..<firstEnd])
        guard case (var rows, let format)? = FileFormats.detect(first, validator: validator) else {
            throw FileIngestError("\(name): not a recognised format; line 1 is not a Sensor.Community CSV header (sensor_id;…;timestamp;…), a JSON object (NDJSON) or the start of a SenML pack ([…])")
        }
        report.format = format
        let source = "file:" + sha256
        var offset = Int(try store.committedOffset(source: source))
        report.resumedAt = Int64(offset)
        var lineNumber = 1
        if offset == 0 {
            if !rows.headerIsData { offset = min(bytes.count, firstEnd + 1) ; lineNumber = 2 }
        } else {
            for i in 0..<offset where bytes[i] == 0x0A { lineNumber += 1 }
        }
        let now = Clock.nowMilliseconds()
        var batch = RowOutcome()
        batch.readings.reserveCapacity(batchReadings + 64)   // reused: no regrowth, no fresh pages per batch
        var lastProgress = Int64(0)
        while offset < bytes.count {
            // A whole-file document (a pretty-printed SenML pack) is one row.
            let end = rows.wholeFile ? bytes.count : Self.lineEnd(bytes, from: offset)
            let line = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
                rows.row(line, origin: { "\(name):\(lineNumber)" }, receivedAt: now, into: &batch)
                report.rows += 1
            }
            offset = min(bytes.count, end + 1)
            lineNumber += 1
            if batch.readings.count >= batchReadings || offset == bytes.count {
                let result = try store.append(IngestBatch(readings: batch.readings, quarantined: batch.quarantined, source: source,
                                                          offset: Int64(offset)))
                report.readings += result.stored
                report.quarantined += batch.quarantined.count + result.conflicts
                report.backfilled += result.backfilled
                report.duplicates += result.duplicates
                report.conflicts += result.conflicts
                batch.readings.removeAll(keepingCapacity: true)
                batch.quarantined.removeAll()
            }
            if Int64(offset) - lastProgress >= 1 << 20 || offset == bytes.count {
                lastProgress = Int64(offset)
                progress(Int64(offset), Int64(bytes.count), report.rows)
            }
        }
        try store.recordIngestedFile(IngestedFile(sha256: sha256, name: name, bytes: Int64(bytes.count), rows: report.rows,
                                                  readings: report.readings, quarantined: report.quarantined, completedAt: now))
        return report
    }

    /// Index of the next newline at or after `from`, or the end of the file.
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        guard from < bytes.count, let base = bytes.baseAddress,
              let hit = memchr(base + from, 0x0A, bytes.count - from) else { return bytes.count }
        return base.distance(to: UnsafeRawPointer(hit))
    }
}

/// A file could not be loaded: which file, what is wrong.
public struct FileIngestError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
