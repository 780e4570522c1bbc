import Foundation
import LantaarnModel
import Store

/// Keys for pseudonyms, one per period (a Dutch week), kept as files in the data directory
/// with permissions 0600. A pseudonym is HMAC-SHA256(key of the period, value): the same value
/// gets the same pseudonym within a period and an unrelated one in the next. When a period's
/// retention has passed its key is destroyed, and with it every way back from its pseudonyms;
/// the destruction is logged.
public final class PseudonymKeyring: @unchecked Sendable {   // file access is serialised by `lock`
    public let directory: String
    private let lock = NSLock()

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// The pseudonym of `value` at `timestamp` (hex, 32 characters: 128 bits).
    public func pseudonym(_ value: String, at timestamp: Int64) throws -> String {
        let mac = HMACSHA256.mac(key: try key(for: DutchTime.weekStart(timestamp)), message: Array(value.utf8))
        return SHA256.hexString(mac.prefix(16))
    }

    /// The key of the period starting at `periodStart`, created (32 random bytes, 0600) on first use.
    func key(for periodStart: Int64) throws -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        let path = file(periodStart)
        if let data = FileManager.default.contents(atPath: path), data.count == 32 { return [UInt8](data) }
        var rng = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        guard FileManager.default.createFile(atPath: path, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw StoreError("cannot write the pseudonym key in \(directory); check that the data directory is writable")
        }
        return key
    }

    private func file(_ periodStart: Int64) -> String { "\(directory)/pseudonym-\(periodStart).key" }

    /// Destroys the keys of periods that ended more than `retention` before `now`, except those
    /// `held` says a legal hold covers (given the key's week), and returns what was logged.
    /// `willDestroy` gets each record before its key goes, so a crash in between leaves a
    /// record of what was about to go, never a silent destruction.
    public func destroyExpired(now: Int64, retention: RetentionPolicy, held: (TimeWindow) -> Bool = { _ in false },
                               willDestroy: (DestructionRecord) throws -> Void = { _ in }) throws -> [DestructionRecord] {
        lock.lock()
        defer { lock.unlock() }
        var records: [DestructionRecord] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard name.hasPrefix("pseudonym-"), name.hasSuffix(".key"),
                  let start = Int64(name.dropFirst("pseudonym-".count).dropLast(".key".count)) else { continue }
            let end = DutchTime.weekStart(start + 8 * 86_400_000)
            guard end + retention.keep <= now, !held(TimeWindow(start: start, end: end)) else { continue }
            let path = "\(directory)/\(name)"
            let record = DestructionRecord(destroyedAt: now, kind: "pseudonym-key", subject: "week of \(ISO8601.format(milliseconds: start + DutchTime.offset(utcMilliseconds: start)).prefix(10))",
                                           window: TimeWindow(start: start, end: end), readings: 1,
                                           policy: retention.description, basis: retention.basis)
            try willDestroy(record)
            // Overwrite before unlinking, so the key's bytes do not linger in the file system's free blocks.
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.write(Data(repeating: 0, count: 32))
                try? handle.synchronize()
                try? handle.close()
            }
            try FileManager.default.removeItem(atPath: path)
            records.append(record)
        }
        return records.sorted { $0.window.start < $1.window.start }
    }
}
