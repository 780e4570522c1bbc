import Foundation
import Ingest
import LantaarnModel
import Store

/// When and where `serve` makes copies of the store (`backup: {to, every, keep}`).
struct BackupSchedule: Equatable {
    var directory: String
    /// Milliseconds between copies.
    var every: Int64
    /// How many copies to keep (the oldest are removed).
    var keep: Int
}

/// An online copy of the SQLite store that holds every message acknowledged before it began:
/// with `ack_after: log` a message is acknowledged once it is in this node's ingest log, so the
/// copy waits until the store has taken in every log up to where it was written at the start.
struct StoreCopy {
    let settings: Settings
    let store: StoreBackend

    enum Failure: Error, CustomStringConvertible {
        case postgres
        case behind([String])

        var description: String {
            switch self {
            case .postgres:
                return "the store is PostgreSQL: copy it with pg_dump -Fc (or pgBackRest for point-in-time recovery), see docs/scale-out.md"
            case .behind(let logs):
                return "the store has not yet taken in what the ingest log(s) \(logs.joined(separator: ", ")) hold; "
                    + "start 'lantaarn serve' (it drains them) and try again, or pass --skip-undrained to copy the store as it is"
            }
        }
    }

    /// Ingest logs in the data directory whose written data the store has not yet committed,
    /// each with its end as of now.
    func undrained() throws -> [(name: String, end: Int64, source: String)] {
        let root = (settings.dataDirectory as NSString).appendingPathComponent("ingest-log")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return try names.sorted().compactMap { name in
            let reader = try IngestLogReader(directory: (root as NSString).appendingPathComponent(name))
            let end = try reader.writtenEnd()
            let source = IngestLogReader.sourceKey(name: name, identity: reader.identity)
            return try store.readings.committedOffset(source: source) < end ? (name, end, source) : nil
        }
    }

    /// Waits (up to `timeout`) until the store has committed every ingest log up to its end as of
    /// the call; returns the logs still behind.
    func waitForIngest(timeout: Duration) async throws -> [String] {
        var pending = try undrained()
        let deadline = ContinuousClock.now + timeout
        while !pending.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            pending = try pending.filter { try store.readings.committedOffset(source: $0.source) < $0.end }
        }
        return pending.map(\.name)
    }

    /// Makes the copy at `path`: waits for the ingest logs (unless `skipUndrained`), copies, checks.
    func make(to path: String, wait: Duration, skipUndrained: Bool) async throws -> StoreBackup.Summary {
        guard let sqlite = store.sqlite else { throw Failure.postgres }
        let behind = try await waitForIngest(timeout: wait)
        if !behind.isEmpty && !skipUndrained { throw Failure.behind(behind) }
        return try StoreBackup.copy(sqlite, to: path)
    }
}
