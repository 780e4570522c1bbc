import Foundation
import LantaarnModel
import Logging
import ServiceLifecycle
import Store

/// Scheduled copies of the SQLite store inside `serve` (`backup: {to: DIR, every: 24h, keep: 7}`):
/// `lantaarn-<UTC time>.sqlite` in DIR, the first one `every` after start, the oldest removed
/// beyond `keep`. Only copies this process's own file, so on a node with the scheduler role.
struct BackupService: Service {
    let copy: StoreCopy
    let schedule: BackupSchedule
    let logger: Logger

    static let prefix = "lantaarn-"
    static let suffix = ".sqlite"

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(schedule.every)) }
            } catch {
                return
            }
            do {
                try await once(now: Clock.nowMilliseconds())
            } catch {
                logger.error("scheduled backup failed; trying again at the next one", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One copy, then the oldest beyond `keep` removed.
    func once(now: Int64) async throws {
        try FileManager.default.createDirectory(atPath: schedule.directory, withIntermediateDirectories: true)
        let stamp = ISO8601.format(milliseconds: now).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
            .replacingOccurrences(of: ".", with: "")
        let path = (schedule.directory as NSString).appendingPathComponent(Self.prefix + stamp + Self.suffix)
        let summary = try await copy.store.audited("backup.make", target: String(path.prefix(300)),
                                                   summary: { (s: StoreBackup.Summary) in "\(s.bytes) bytes, \(s.readings) readings (scheduled)" }) {
            try await copy.make(to: path, wait: .seconds(60), skipUndrained: true)
        }
        let copies = try FileManager.default.contentsOfDirectory(atPath: schedule.directory)
            .filter { $0.hasPrefix(Self.prefix) && $0.hasSuffix(Self.suffix) }.sorted()
        for old in copies.dropLast(schedule.keep) {
            try FileManager.default.removeItem(atPath: (schedule.directory as NSString).appendingPathComponent(old))
        }
        logger.info("backup made", metadata: ["backup.file": "\(path)", "backup.bytes": "\(summary.bytes)",
                                              "backup.readings": "\(summary.readings)", "backup.kept": "\(min(copies.count, schedule.keep))"])
    }
}

extension BackupService: CustomStringConvertible {
    var description: String { "BackupService" }
}
