import Synchronization

/// Running counters of what the ingest path accepted and rejected.
/// Every message is accounted for: accepted readings, quarantined values, damaged log bytes.
public final class IngestStats: Sendable {
    private let counters = Mutex(Snapshot())

    /// A consistent copy of the counters.
    public struct Snapshot: Sendable, Equatable {
        public var messages = 0
        public var readings = 0
        public var quarantined = 0
        public var withoutWijk = 0
        public var damagedSegments = 0
        public var committedOffset: Int64 = 0
    }

    public init() {}

    /// Current values.
    public var snapshot: Snapshot { counters.withLock { $0 } }

    func record(messages: Int, readings: Int, quarantined: Int, withoutWijk: Int, damaged: Int, offset: Int64) {
        counters.withLock {
            $0.messages += messages
            $0.readings += readings
            $0.quarantined += quarantined
            $0.withoutWijk += withoutWijk
            $0.damagedSegments += damaged
            $0.committedOffset = offset
        }
    }
}
