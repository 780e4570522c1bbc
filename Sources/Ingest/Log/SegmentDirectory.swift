import Foundation

/// The folder holding ingest-log segments. A segment's file name is its
/// starting offset (20 digits) plus `.log`, so the global offset of any record
/// is the segment's base plus its position inside the file.
struct SegmentDirectory: Sendable {
    let path: String

    init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Base offsets of all segments, ascending.
    func bases() throws -> [Int64] {
        try FileManager.default.contentsOfDirectory(atPath: path)
            .compactMap { name -> Int64? in
                guard name.hasSuffix(".log"), name.count == 24 else { return nil }
                return Int64(name.prefix(20))
            }
            .sorted()
    }

    func file(base: Int64) -> String {
        let digits = String(base)
        return path + "/" + String(repeating: "0", count: 20 - digits.count) + digits + ".log"
    }

    /// Size in bytes of the segment starting at `base`.
    func size(base: Int64) -> Int64 {
        let attrs = try? FileManager.default.attributesOfItem(atPath: file(base: base))
        return (attrs?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// The log's identity: written when the log is created (no segment yet) and never changed,
    /// so a log started afresh in the same folder (a wiped data directory) is told apart from
    /// the one before it. A log made before identities existed has none (empty).
    var identity: String {
        ((try? String(contentsOfFile: identityFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private var identityFile: String { path + "/identity" }

    /// Gives a log without segments a new identity; a log with segments keeps the one it has.
    func establishIdentity() throws {
        guard try bases().isEmpty else { return }
        let fresh = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        try String(fresh).write(toFile: identityFile, atomically: true, encoding: .utf8)
    }

    /// Last modification time of a segment, epoch milliseconds.
    func modified(base: Int64) -> Int64 {
        let attrs = try? FileManager.default.attributesOfItem(atPath: file(base: base))
        let date = attrs?[.modificationDate] as? Date ?? Date()
        return Int64(date.timeIntervalSince1970 * 1000)
    }
}
