import ArgumentParser
import Foundation
import Hummingbird
import Ingest
import LantaarnModel
import Logging
import MQTTClient
import Pipelines
import Server
import ServiceLifecycle

/// `lantaarn serve`: subscriber, ingest consumer, scheduler and HTTP server in one process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run ingest, the pipeline scheduler and the HTTP server.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Broker URL, mqtt://HOST:PORT or mqtts://HOST:PORT (default mqtt://127.0.0.1:1883; env LANTAARN_MQTT).")
    var mqtt: String?

    @Option(name: .long, help: "Broker username.")
    var mqttUsername: String?

    @Option(name: .long, help: "File whose first line is the broker password.")
    var mqttPasswordFile: String?

    @Option(name: .long, help: "PEM file of the CA that signed the broker's certificate (mqtts://).")
    var mqttCaFile: String?

    @Option(name: .long, help: "PEM client certificate, with --mqtt-key-file.")
    var mqttCertFile: String?

    @Option(name: .long, help: "PEM client key, with --mqtt-cert-file.")
    var mqttKeyFile: String?

    @Option(name: .long, help: "Shared-subscription group ($share/GROUP/...): several nodes split one stream.")
    var mqttSharedGroup: String?

    @Option(name: .long, help: "This node's share K/N of the sensor topics, by a stable hash of the sensor id, for brokers without shared subscriptions.")
    var ingestPartition: String?

    @Option(name: .long, help: "Uncommitted ingest log at which the MQTT subscriber pauses, e.g. 1GB (config ingest.log_limit).")
    var ingestLogLimit: String?

    @Option(name: .long, help: "HTTP listen address HOST:PORT (default 127.0.0.1:8080; env LANTAARN_LISTEN).")
    var listen: String?

    @Option(name: .long, help: "What this node runs, comma-separated: ingest, scheduler, http (default all three).")
    var roles: String = "ingest,scheduler,http"

    @Flag(name: .long, help: "Also run the sensor simulator and run pipelines every 5 minutes.")
    var demo = false

    @Option(name: .long, help: "Demo simulator rate in readings messages per second.")
    var demoRate: Double = 20

    func run() async throws {
        var settings = try common.settings()
        if let mqtt { settings.mqttURL = mqtt }
        if let v = mqttUsername { settings.mqttSecurity.username = v }
        if let v = mqttPasswordFile { settings.mqttSecurity.password = try ConfigFile.secret(v, "--mqtt-password-file") }
        if let v = mqttCaFile { settings.mqttSecurity.caFile = v }
        if let v = mqttCertFile { settings.mqttSecurity.certFile = v }
        if let v = mqttKeyFile { settings.mqttSecurity.keyFile = v }
        if let v = mqttSharedGroup { settings.mqttSharedGroup = try ConfigFile.sharedGroup(v) }
        if let v = ingestPartition {
            guard let partition = IngestPartition(v) else {
                throw CLIError("--ingest-partition: '\(v)' is not K/N (node K of N, counting from 0), e.g. 0/3")
            }
            guard settings.mqttSharedGroup == nil else {
                throw CLIError("--ingest-partition splits the topics for brokers without shared subscriptions; use it or --mqtt-shared-group, not both")
            }
            settings.ingestPartition = partition
        }
        if let v = ingestLogLimit { settings.ingestLogLimit = try ConfigFile.byteSize(v, "--ingest-log-limit") }
        if let listen { settings.listen = listen }
        let runtime = try Runtime(settings: settings)
        let roles = try NodeRoles(roles)
        let node = try Node(runtime: runtime, options: Node.Options(roles: roles, demo: demo, demoRate: demoRate))
        let logger = runtime.logger
        let group = ServiceGroup(configuration: .init(services: node.services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        logger.info("Lantaarn is starting", metadata: ["http.url": "\(node.httpURL)", "mqtt.broker": "\(node.endpoint)",
                                                       "data.dir": "\(settings.dataDirectory)", "store": "\(runtime.store.location)",
                                                       "node.roles": "\(roles)", "node.id": "\(settings.nodeID)"])
        if roles.contains(.http) {
            Console.line("Lantaarn draait. Dashboards: \(node.httpURL)/dashboards")
            Console.line("Open data: \(node.httpURL)/datasets   Health: \(node.httpURL)/-/health")
            if let admin = node.adminURL { Console.line("Admin API: \(admin)/admin/alerts") }
        } else {
            Console.line("Lantaarn draait (\(roles)).")
        }
        try await group.run()
        logger.info("Lantaarn stopped; everything received is committed")
    }
}
