import LantaarnModel

/// The narrow interface to stored readings. Callers never see SQL, so the
/// internals (row table now, columnar chunks later, PostgreSQL for scale-out)
/// can change without touching them.
public protocol ReadingStore: Sendable {
    /// Commits readings, quarantine entries and the log offset in one transaction.
    /// Readings older than their series' sealed window are merged into its chunks; a reading
    /// the store already holds is counted as a duplicate, one at a stored time with another
    /// value is quarantined as a conflict.
    @discardableResult
    func append(_ batch: IngestBatch) throws -> AppendResult

    /// Seals every window that closed (end + lateness) by wall-clock `now`, also for
    /// series that stopped reporting. Returns how many readings moved into chunks.
    @discardableResult
    func sealExpired(now: Int64) throws -> Int

    /// The log offset committed last for `source` (0 when none).
    func committedOffset(source: String) throws -> Int64

    /// Calls `visit` for each reading of the selected quantities in `window`, in time order.
    func scan(quantities: Set<String>, window: TimeWindow, _ visit: (Reading) throws -> Void) throws

    /// Time-bucketed aggregates (count, sum, mean, min, max, energetic mean, exact quantiles).
    func aggregate(_ query: AggregateQuery) throws -> [AggregateRow]

    /// Number of stored readings (all series).
    func readingCount() throws -> Int

    /// Quarantined messages, newest first.
    func quarantine(limit: Int) throws -> [QuarantineEntry]

    /// Quarantined messages with an id above `id`, oldest first (for replay).
    func quarantine(after id: Int64, limit: Int) throws -> [QuarantineEntry]

    /// One quarantined message.
    func quarantineEntry(id: Int64) throws -> QuarantineEntry?

    /// Replaces quarantine entry `id` by what validating it again gave, in one transaction:
    /// the entry goes, `readings` are stored as `append` would, and what is still rejected
    /// is quarantined anew with its current reason.
    @discardableResult
    func replayQuarantine(id: Int64, readings: [Reading], quarantined: [QuarantineEntry]) throws -> AppendResult

    /// A file completely loaded before, by the SHA-256 of its content.
    func ingestedFile(sha256: String) throws -> IngestedFile?

    /// Records that a file is completely loaded.
    func recordIngestedFile(_ file: IngestedFile) throws
}

/// A file `lantaarn ingest` loaded completely.
public struct IngestedFile: Sendable, Equatable {
    public var sha256: String
    public var name: String
    public var bytes: Int64
    public var rows: Int
    public var readings: Int
    public var quarantined: Int
    public var completedAt: Int64

    public init(sha256: String, name: String, bytes: Int64, rows: Int, readings: Int, quarantined: Int, completedAt: Int64) {
        self.sha256 = sha256
        self.name = name
        self.bytes = bytes
        self.rows = rows
        self.readings = readings
        self.quarantined = quarantined
        self.completedAt = completedAt
    }
}

/// What ``ReadingStore/append(_:)`` did with a batch's readings.
public struct AppendResult: Sendable, Equatable {
    /// Readings stored (the backfilled ones included).
    public var stored: Int
    /// Of `stored`, readings merged into sealed chunks (older than their series' sealed horizon).
    public var backfilled: Int
    /// Readings the store already held (same series, time and value): not stored again.
    public var duplicates: Int
    /// Readings at a time the series holds another value for: quarantined, the stored value stays.
    public var conflicts: Int
    /// `conflicts` per sensor id.
    public var conflictsBySensor: [String: Int]

    public init(stored: Int = 0, backfilled: Int = 0, duplicates: Int = 0, conflicts: Int = 0, conflictsBySensor: [String: Int] = [:]) {
        self.stored = stored
        self.backfilled = backfilled
        self.duplicates = duplicates
        self.conflicts = conflicts
        self.conflictsBySensor = conflictsBySensor
    }
}
