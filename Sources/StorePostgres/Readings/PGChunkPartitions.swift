import Foundation
import PostgresNIO
import Synchronization

/// The monthly partitions of `chunk` (by `window_start`, UTC months). A month's partition is
/// created before its first chunk, under an advisory lock so two nodes do not race. Months seen
/// to exist are remembered, so a batch of chunks costs no DDL.
final class PGChunkPartitions: Sendable {
    private let known = Mutex<Set<String>>([])

    init() {}

    /// Name and bounds (milliseconds, end exclusive) of the month holding `windowStart`.
    static func month(of windowStart: Int64) -> (name: String, start: Int64, end: Int64) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: Double(windowStart) / 1000)
        let parts = calendar.dateComponents([.year, .month], from: date)
        let first = calendar.date(from: parts)!
        let next = calendar.date(byAdding: .month, value: 1, to: first)!
        let name = String(format: "chunk_y%04dm%02d", parts.year!, parts.month!)
        return (name, Int64((first.timeIntervalSince1970 * 1000).rounded()), Int64((next.timeIntervalSince1970 * 1000).rounded()))
    }

    /// Creates the partition of `windowStart`'s month unless it exists, in the caller's transaction.
    static func ensure(_ session: PGSession, windowStart: Int64) throws {
        let month = month(of: windowStart)
        try session.query("SELECT pg_advisory_xact_lock(\(PGSchema.lockKey &+ month.start))")
        try session.execute("""
            CREATE TABLE IF NOT EXISTS \(month.name) PARTITION OF chunk FOR VALUES FROM (\(month.start)) TO (\(month.end))
            """)
    }

    /// Ensures the months of `windowStarts` not known to exist; returns the names it ensured,
    /// to ``remember(_:)`` once the transaction committed.
    func ensure(_ session: PGSession, windowStarts: some Sequence<Int64>) throws -> [String] {
        var months: [String: Int64] = [:]
        for start in windowStarts { months[Self.month(of: start).name] = start }
        let missing = known.withLock { known in months.filter { !known.contains($0.key) } }
        for (_, start) in missing.sorted(by: { $0.value < $1.value }) { try Self.ensure(session, windowStart: start) }
        return Array(missing.keys)
    }

    func remember(_ names: [String]) {
        guard !names.isEmpty else { return }
        known.withLock { $0.formUnion(names) }
    }
}
