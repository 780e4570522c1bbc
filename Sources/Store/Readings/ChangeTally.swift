import LantaarnModel

/// How stored readings changed under a time that may already be published.
public enum DataChangeKind: String, Sendable, CaseIterable {
    /// Readings that arrived for a time already published (backfill, late or overlapping archives).
    case arrived
    /// Stored values replaced on purpose (`lantaarn quarantine replay --replace`).
    case corrected
    /// Readings moved to another wijk or buurt (`lantaarn geo import --reassign`).
    case moved
}

/// Changes of one transaction, counted per quantity, 15 minutes and kind, written as one row
/// each. The pipelines' windows (15 minutes, hours, Dutch days and weeks) are whole buckets, so
/// a window's count is the sum of its buckets.
package struct ChangeTally {
    package static let bucket: Int64 = 15 * 60_000

    /// One row of the tally.
    package struct Entry: Hashable {
        package var quantity: String
        package var bucket: Int64
        package var kind: DataChangeKind
    }
    private var counts: [Entry: Int] = [:]

    package init() {}

    package var isEmpty: Bool { counts.isEmpty }

    package mutating func add(_ quantity: String, at timestamp: Int64, _ kind: DataChangeKind, count: Int = 1) {
        counts[Entry(quantity: quantity, bucket: TimeBucket.floor(timestamp, size: Self.bucket), kind: kind), default: 0] += count
    }

    /// The rows to record, by bucket and quantity.
    package var entries: [(entry: Entry, count: Int)] {
        counts.sorted { ($0.key.bucket, $0.key.quantity, $0.key.kind.rawValue) < ($1.key.bucket, $1.key.quantity, $1.key.kind.rawValue) }
            .map { ($0.key, $0.value) }
    }
}
