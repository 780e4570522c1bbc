import LantaarnModel
import Logging
import MQTTClient
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Bridges the MQTT subscriber to the ingest log: every delivered message is staged,
/// and each burst is written with one `write(2)` before any of its PUBACKs is sent.
///
/// Backpressure: when the consumer falls behind, the log grows on disk up to
/// `backlogLimit` bytes; past that the subscriber pauses (stops reading from the broker,
/// which keeps the unacknowledged messages of our persistent session) until the
/// consumer has caught up below the limit. Nothing is dropped.
public final class MQTTIngestService: Service, Sendable {
    /// Topic filter for all Lantaarn sensors.
    public static let sensorTopics = "lantaarn/sensors/+/readings"
    /// Default ingest-log backlog at which the subscriber pauses: 1 GiB.
    public static let defaultBacklogLimit: Int64 = 1 << 30

    private let subscriber: MQTTSubscriber
    private let writer: IngestLogWriter
    private let logger: Logger
    private let backpressure: IngestBackpressure

    /// The topic filters to subscribe to for `registry`: Lantaarn's own filter plus every sensor
    /// topic it does not cover (The Things Stack devices, SenML gateways), each prefixed with
    /// `$share/GROUP/` when several Lantaarn nodes split one stream. With a `partition` (brokers
    /// without shared subscriptions), the registered sensors' own topics this node's share holds,
    /// by a stable hash of the sensor id (of the topic, for a topic that names no single sensor);
    /// messages of sensors not in the registry then reach no node.
    public static func topics(for registry: SensorRegistry, sharedGroup: String? = nil, partition: IngestPartition? = nil) -> [String] {
        if let partition {
            return Set(registry.sensors.values.map(\.topic).filter { topic in
                partition.owns(ReadingValidator.sensorID(fromTopic: topic) ?? topic)
            }).sorted()
        }
        let own = registry.sensors.values.map(\.topic).filter { ReadingValidator.sensorID(fromTopic: $0) == nil }
        let filters = [sensorTopics] + Set(own).sorted()
        guard let sharedGroup else { return filters }
        return filters.map { "$share/\(sharedGroup)/\($0)" }
    }

    /// Creates the service; it connects when run.
    public init(endpoint: MQTTEndpoint, clientID: String, topics: [String] = [sensorTopics], security: MQTTSecurity = MQTTSecurity(),
                backlogLimit: Int64 = defaultBacklogLimit, ackAfter: AckPoint = .log, writer: IngestLogWriter, logger: Logger) {
        self.writer = writer
        self.logger = logger
        let backpressure = IngestBackpressure(limit: backlogLimit, logger: logger)
        self.backpressure = backpressure
        let log = logger
        self.subscriber = MQTTSubscriber(endpoint: endpoint, clientID: clientID, topics: topics,
                                         cleanSession: false, security: security, logger: logger,
                                         beforeAcknowledge: {
                                             Self.retrying(logger: log) { try writer.flush() }
                                             if ackAfter == .store { writer.awaitCommit() }
                                         }) { message in
            backpressure.waitForRoom(writer)
            Self.retrying(logger: log) {
                try writer.stage(origin: message.topic, payload: message.payload, receivedAt: Clock.nowMilliseconds())
            }
        }
    }

    /// When a QoS 1 message is acknowledged to the broker.
    public enum AckPoint: String, Sendable {
        /// Once it is in this node's ingest log on disk (the default): the log is the durable
        /// buffer, the store commit follows.
        case log
        /// Only once the store has committed it, for nodes without durable local disk: a node
        /// that dies before the commit has acknowledged nothing, so the broker delivers it again.
        case store
    }

    /// Runs `write` until it succeeds, e.g. while the disk is full. Blocking here pauses
    /// delivery: the broker keeps the unacknowledged messages of our persistent session.
    private static func retrying(logger: Logger, _ write: () throws -> Void) {
        var warned: Int64 = 0, pausedSince: Int64?
        while true {
            do {
                try write()
                if let since = pausedSince {
                    logger.notice("ingest resumed: the ingest log accepts writes again",
                                  metadata: ["ingest.paused_seconds": "\((Clock.nowMilliseconds() - since) / 1000)"])
                }
                return
            } catch {
                let now = Clock.nowMilliseconds()
                if pausedSince == nil { pausedSince = now }
                if now - warned > 10_000 {
                    warned = now
                    logger.critical("ingest paused: cannot write the ingest log; the broker keeps unacknowledged messages",
                                    metadata: ["error": "\(error)"])
                }
                usleep(200_000)
            }
        }
    }

    /// Messages delivered so far.
    public var delivered: Int { subscriber.delivered }

    /// True while connected to the broker.
    public var isConnected: Bool { subscriber.isConnected }

    /// True while the subscriber waits for the consumer (backpressure).
    public var isPaused: Bool { backpressure.isPaused }

    public func run() async throws {
        try subscriber.start()
        // Bound the power-loss window: fdatasync the log at its configured interval.
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            writer.syncIfDue()
            try? await Task.sleep(for: .milliseconds(50))
        }
        subscriber.stop()
        writer.sync()
        logger.info("MQTT subscriber stopped", metadata: ["mqtt.delivered": "\(subscriber.delivered)"])
    }
}
