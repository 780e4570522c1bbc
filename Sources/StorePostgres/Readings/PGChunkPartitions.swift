import Foundation
import PostgresNIO

/// The monthly partitions of `chunk` (by `window_start`, UTC months). A month's partition is
/// created before its first chunk, under an advisory lock so two nodes do not race.
enum PGChunkPartitions {
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
}
