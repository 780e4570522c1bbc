import LantaarnModel
import Logging
import MQTTClient
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Bridges the MQTT subscriber to the ingest log: every delivered message is
/// appended (one `write(2)`) before libmosquitto sends its PUBACK.
public final class MQTTIngestService: Service, Sendable {
    /// Topic filter for all Lantaarn sensors.
    public static let sensorTopics = "lantaarn/sensors/+/readings"

    private let subscriber: MQTTSubscriber
    private let writer: IngestLogWriter
    private let logger: Logger

    /// The topic filters to subscribe to for `registry`: Lantaarn's own filter plus every sensor
    /// topic it does not cover (The Things Stack devices, SenML gateways), each prefixed with
    /// `$share/GROUP/` when several Lantaarn nodes split one stream.
    public static func topics(for registry: SensorRegistry, sharedGroup: String? = nil) -> [String] {
        let own = registry.sensors.values.map(\.topic).filter { ReadingValidator.sensorID(fromTopic: $0) == nil }
        let filters = [sensorTopics] + Set(own).sorted()
        guard let sharedGroup else { return filters }
        return filters.map { "$share/\(sharedGroup)/\($0)" }
    }

    /// Creates the service; it connects when run.
    public init(endpoint: MQTTEndpoint, clientID: String, topics: [String] = [sensorTopics], security: MQTTSecurity = MQTTSecurity(),
                writer: IngestLogWriter, logger: Logger) {
        self.writer = writer
        self.logger = logger
        let log = logger
        self.subscriber = MQTTSubscriber(endpoint: endpoint, clientID: clientID, topics: topics,
                                         cleanSession: false, security: security, logger: logger) { [writer] message in
            Self.appendDurably(message, writer: writer, logger: log)
        }
    }

    /// Appends, retrying while the disk refuses (e.g. full). Blocking here pauses
    /// delivery: the broker keeps the unacknowledged messages of our persistent session.
    private static func appendDurably(_ message: MQTTMessage, writer: IngestLogWriter, logger: Logger) {
        var warned: Int64 = 0
        while true {
            do {
                try writer.append(origin: message.topic, payload: message.payload, receivedAt: Clock.nowMilliseconds())
                return
            } catch {
                let now = Clock.nowMilliseconds()
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
