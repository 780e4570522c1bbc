import Prometheus
import Synchronization

/// What became of one received message. Every message ends as exactly one of these, so
/// received = stored + quarantined + duplicate, per sensor and per topic.
public enum MessageOutcome: String, Sendable, CaseIterable {
    /// Accepted: at least one value went to storage, or nothing in it was rejected (a
    /// vendor frame with only fields the sensor ignores).
    case stored
    /// Nothing in it was usable; its reasons and raw bytes are in quarantine.
    case quarantined
    /// The network delivered the same frame twice; the copy was dropped.
    case duplicate
}

/// Running counters of what the ingest path received, stored, quarantined and dropped, per
/// sensor and per topic, mirrored into a Prometheus registry for `GET /-/metrics`.
///
/// Labels are bounded: a sensor label is a registered sensor id or `unknown`; a topic label is
/// a registered topic, or an unknown topic while fewer than ``maxUnknownTopics`` have been
/// seen, then `other`. Payloads never reach a label.
public final class IngestStats: Sendable {
    /// Counters of one sensor or topic.
    public struct Counters: Sendable, Equatable {
        public var received = 0
        public var stored = 0
        public var quarantined = 0
        public var duplicates = 0
        /// Values accepted for storage, quarantined, and dropped as fields no quantity takes.
        public var valuesStored = 0
        public var valuesQuarantined = 0
        public var valuesIgnored = 0
        /// Receive time of the newest message, epoch milliseconds.
        public var lastSeen: Int64?

        public init() {}

        mutating func count(_ m: Message) {
            received += 1
            switch m.outcome {
            case .stored: stored += 1
            case .quarantined: quarantined += 1
            case .duplicate: duplicates += 1
            }
            valuesStored += m.valuesStored
            valuesQuarantined += m.valuesQuarantined
            valuesIgnored += m.valuesIgnored
            lastSeen = max(lastSeen ?? m.receivedAt, m.receivedAt)
        }

        mutating func add(_ other: Counters) {
            received += other.received
            stored += other.stored
            quarantined += other.quarantined
            duplicates += other.duplicates
            valuesStored += other.valuesStored
            valuesQuarantined += other.valuesQuarantined
            valuesIgnored += other.valuesIgnored
            if let seen = other.lastSeen { lastSeen = max(lastSeen ?? seen, seen) }
        }
    }

    /// A consistent copy of the counters.
    public struct Snapshot: Sendable, Equatable {
        public var messages = 0
        /// Readings the store kept.
        public var readings = 0
        /// Values quarantined by validation or as conflicts by the store.
        public var quarantined = 0
        public var duplicates = 0
        /// Values at a time the store holds another value for (quarantined; the stored value stays).
        public var conflicts = 0
        public var withoutWijk = 0
        public var damagedSegments = 0
        public var committedOffset: Int64 = 0
        public var bySensor: [String: Counters] = [:]
        public var byTopic: [String: Counters] = [:]
    }

    /// One received message, as the consumer saw it.
    public struct Message: Sendable {
        public var sensorID: String?
        public var topic: String
        public var outcome: MessageOutcome
        public var valuesStored: Int
        public var valuesQuarantined: Int
        public var valuesIgnored: Int
        public var receivedAt: Int64
    }

    public static let maxUnknownTopics = 50
    public let registry: PrometheusCollectorRegistry

    private struct State {
        var snapshot = Snapshot()
        var counters: [String: Counter] = [:]
        var gauges: [String: Gauge] = [:]
        var unknownTopics: Set<String> = []
    }

    private let state = Mutex(State())

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Current values.
    public var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// What the store and the log reported for one committed batch.
    struct BatchTotals {
        var readings: Int
        var quarantined: Int
        var conflicts: Int
        var withoutWijk: Int
        var damaged: Int
        var offset: Int64
    }

    /// Counts a batch of messages and, when given, what committing it reported, under one lock
    /// so a snapshot never shows the messages of a batch without its readings.
    func record(_ messages: [Message], totals: BatchTotals? = nil) {
        // Sum per sensor and per topic first: a batch holds thousands of messages from far
        // fewer sensors, and each metric update builds label keys.
        var sensors: [String: Counters] = [:], topics: [String: Counters] = [:]
        var duplicates = 0
        for m in messages {
            sensors[m.sensorID ?? "unknown", default: Counters()].count(m)
            topics[m.topic, default: Counters()].count(m)
            if m.outcome == .duplicate { duplicates += 1 }
        }
        let unknown = Set(messages.lazy.filter { $0.sensorID == nil }.map(\.topic))
        state.withLock { s in
            if let totals { record(totals, into: &s) }
            s.snapshot.messages += messages.count
            s.snapshot.duplicates += duplicates
            for (sensor, delta) in sensors {
                s.snapshot.bySensor[sensor, default: Counters()].add(delta)
                count(&s, delta, metric: "lantaarn_ingest_messages_total", label: ("sensor", sensor))
                for (outcome, n) in [("stored", delta.valuesStored), ("quarantined", delta.valuesQuarantined),
                                     ("ignored", delta.valuesIgnored)] where n > 0 {
                    counter(&s, "lantaarn_ingest_values_total", [("sensor", sensor), ("outcome", outcome)]).increment(by: Int64(n))
                }
                if sensor != "unknown", let seen = delta.lastSeen {
                    gauge(&s, "lantaarn_sensor_last_seen_timestamp_seconds", [("sensor", sensor)]).set(Double(seen) / 1000)
                }
            }
            for (original, delta) in topics {
                var topic = original
                if unknown.contains(topic), !s.unknownTopics.contains(topic) {
                    if s.unknownTopics.count < Self.maxUnknownTopics { s.unknownTopics.insert(topic) } else { topic = "other" }
                }
                s.snapshot.byTopic[topic, default: Counters()].add(delta)
                count(&s, delta, metric: "lantaarn_ingest_topic_messages_total", label: ("topic", topic))
            }
        }
    }

    /// Adds a sensor's or topic's message outcomes to `metric`.
    private func count(_ s: inout State, _ delta: Counters, metric: String, label: (String, String)) {
        for (outcome, n) in [(MessageOutcome.stored, delta.stored), (.quarantined, delta.quarantined),
                             (.duplicate, delta.duplicates)] where n > 0 {
            counter(&s, metric, [label, ("outcome", outcome.rawValue)]).increment(by: Int64(n))
        }
    }

    private func record(_ t: BatchTotals, into s: inout State) {
        s.snapshot.readings += t.readings
        s.snapshot.quarantined += t.quarantined + t.conflicts
        s.snapshot.conflicts += t.conflicts
        s.snapshot.withoutWijk += t.withoutWijk
        s.snapshot.damagedSegments += t.damaged
        s.snapshot.committedOffset = t.offset
        if t.conflicts > 0 { counter(&s, "lantaarn_ingest_values_conflicting_total", []).increment(by: Int64(t.conflicts)) }
        if t.withoutWijk > 0 { counter(&s, "lantaarn_ingest_values_without_wijk_total", []).increment(by: Int64(t.withoutWijk)) }
        if t.damaged > 0 { counter(&s, "lantaarn_ingest_log_damaged_records_total", []).increment(by: Int64(t.damaged)) }
        gauge(&s, "lantaarn_ingest_committed_offset_bytes", []).set(Double(t.offset))
    }

    private func counter(_ s: inout State, _ name: String, _ labels: [(String, String)]) -> Counter {
        let key = name + labels.map { "|\($0.1)" }.joined()
        if let c = s.counters[key] { return c }
        let c = registry.makeCounter(name: name, labels: labels, help: Self.help[name] ?? "")
        s.counters[key] = c
        return c
    }

    private func gauge(_ s: inout State, _ name: String, _ labels: [(String, String)]) -> Gauge {
        let key = name + labels.map { "|\($0.1)" }.joined()
        if let g = s.gauges[key] { return g }
        let g = registry.makeGauge(name: name, labels: labels, help: Self.help[name] ?? "")
        s.gauges[key] = g
        return g
    }

    static let help: [String: String] = [
        "lantaarn_ingest_messages_total": "Messages received per sensor, by outcome (stored, quarantined, duplicate).",
        "lantaarn_ingest_topic_messages_total": "Messages received per MQTT topic, by outcome.",
        "lantaarn_ingest_values_total": "Values per sensor, by outcome (stored, quarantined, ignored).",
        "lantaarn_ingest_values_conflicting_total": "Values at a time the store already holds another value for (quarantined; the stored value stays).",
        "lantaarn_ingest_values_without_wijk_total": "Stored values of sensors outside every known wijk.",
        "lantaarn_ingest_log_damaged_records_total": "Damaged ingest-log records skipped and reported.",
        "lantaarn_ingest_committed_offset_bytes": "Ingest-log offset committed with the data.",
        "lantaarn_sensor_last_seen_timestamp_seconds": "Receive time of the newest message per sensor.",
    ]
}
