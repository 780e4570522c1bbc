import Ingest
import LantaarnModel
import MQTTClient
import ServiceLifecycle

/// An ingest node's services: the MQTT subscriber writing this node's ingest log, the consumer
/// committing it to the store, the watched inbox and the scheduled HTTP pulls.
struct IngestServices {
    /// What the HTTP listeners of the same node report of ingest.
    struct Probe: Sendable {
        let stats: IngestStats
        let writer: IngestLogWriter
        let subscriber: MQTTIngestService

        /// The `ingest` object of `/-/health`.
        func health() -> JSONValue {
            let s = stats.snapshot
            return .object([
                ("messages", .number(Double(s.messages))), ("readings", .number(Double(s.readings))),
                ("quarantined", .number(Double(s.quarantined))), ("duplicates", .number(Double(s.duplicates))),
                ("without_wijk", .number(Double(s.withoutWijk))), ("committed_offset", .number(Double(s.committedOffset))),
                ("backlog_bytes", .number(Double(writer.backlog))),
                ("mqtt_connected", .bool(subscriber.isConnected)), ("paused", .bool(subscriber.isPaused)),
            ])
        }
    }

    let probe: Probe
    let services: [ServiceGroupConfiguration.ServiceConfiguration]

    init(runtime: Runtime, registry: SensorRegistry, endpoint: MQTTEndpoint) throws {
        let settings = runtime.settings
        let logger = runtime.logger
        let log = try MQTTIngestLog(settings: settings)
        let validator = runtime.validator(registry: registry)
        let consumer = try IngestConsumer(source: log.source, logDirectory: log.directory, writer: log.writer, store: runtime.store.readings,
                                      validator: validator, logger: logger)
        let subscriber = MQTTIngestService(endpoint: endpoint, clientID: "lantaarn-" + settings.nodeID,
                                       topics: MQTTIngestService.topics(for: registry, sharedGroup: settings.mqttSharedGroup,
                                                                        partition: settings.ingestPartition),
                                       security: settings.mqttSecurity, backlogLimit: settings.ingestLogLimit, ackAfter: settings.ackAfter,
                                       writer: log.writer, logger: logger)
        let files = FileIngest(store: runtime.store.readings, validator: validator)
        var meldingen: MeldingIngest?
        do { meldingen = try runtime.meldingIngest() } catch {
            logger.warning("meldingen files in the inbox will not be loaded", metadata: ["error": "\(error)"])
        }
        let inbox = try Inbox(folder: settings.inbox, ingest: files, meldingen: meldingen, logger: logger)
        let pulls = PullSchedule(sources: settings.ingestPulls,
                                 pull: HTTPPull(ingest: files, dataDirectory: settings.dataDirectory), logger: logger)
        services = [.init(service: consumer), .init(service: subscriber), .init(service: inbox), .init(service: pulls)]
        probe = Probe(stats: consumer.stats, writer: log.writer, subscriber: subscriber)
    }
}

/// An ingest log of this node (by default its MQTT log): its folder, its writer, and the key of its committed offset in
/// the store (which carries the log's identity, so a wiped and restarted log starts at 0).
struct MQTTIngestLog {
    let directory: String
    let writer: IngestLogWriter
    let source: String

    /// The log `name` (default: this node's MQTT log).
    init(settings: Settings, name: String? = nil) throws {
        let name = name ?? settings.mqttLogName
        directory = settings.ingestLogDirectory(name: name)
        writer = try IngestLogWriter(directory: directory)
        source = IngestLogReader.sourceKey(name: name, identity: writer.identity)
    }
}
