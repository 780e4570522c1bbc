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
        let logger = runtime.logger
        let endpoint = try MQTTEndpoint(url: settings.mqttURL)
        try settings.mqttSecurity.validate(for: endpoint)
        let address = try ListenAddress(settings.listen)
        let registry = try runtime.registry()
        let catalog = try runtime.pipelines()

        let roles = try NodeRoles(roles)
        let logDirectory = settings.ingestLogDirectory(source: settings.mqttSource)
        let writer = try IngestLogWriter(directory: logDirectory)
        let validator = runtime.validator(registry: registry)
        let consumer = try IngestConsumer(source: settings.mqttSource, logDirectory: logDirectory, writer: writer, store: runtime.store.readings,
                                          validator: validator, logger: logger)
        if demo {
            // A fresh demo starts with history, so every dashboard has something to show.
            let history = DemoHistory(runtime: runtime)
            if try history.isNeeded() {
                Console.line("Demo: een geschiedenis van metingen en meldingen wordt aangemaakt (eenmalig)...")
                try history.load(now: Clock.nowMilliseconds()) { logger.info("\($0)") }
            }
        }
        let clientID = "lantaarn-" + settings.nodeID
        let subscriber = MQTTIngestService(endpoint: endpoint, clientID: clientID,
                                           topics: MQTTIngestService.topics(for: registry, sharedGroup: settings.mqttSharedGroup,
                                                                                           partition: settings.ingestPartition),
                                           security: settings.mqttSecurity, backlogLimit: settings.ingestLogLimit, ackAfter: settings.ackAfter,
                                           writer: writer, logger: logger)
        let scheduler = PipelineScheduler(
            catalog: catalog, runner: runtime.runner(),
            cadence: demo ? .every(.seconds(300), initialDelay: .seconds(20)) : .cron,
            catchUp: demo ? 25 * TimeBucket.hour : settings.schedulerCatchUp,
            lateness: demo ? 25 * TimeBucket.hour : settings.schedulerLateness,
            recomputeAfter: settings.recomputeAfter, lease: runtime.store.schedulerLease, logger: logger)
        var admin: AdminAccess?
        if let file = settings.adminTokenFile {
            guard let access = AdminAccess(token: try ConfigFile.secret(file, "admin.token_file"), alerts: runtime.store.meldingen) else {
                throw CLIError("admin.token_file: the token in '\(file)' must be at least 32 characters (for example: openssl rand -hex 32)")
            }
            admin = access
        }
        let stats = consumer.stats
        let sensors = registry.sensors.values.map { ($0.id, $0.kind) }
        var deps = ServerDependencies(
            releases: runtime.store.releases, site: PublicSite(municipality: settings.municipality, contactEmail: settings.contactEmail,
                                                      phone: settings.sitePhone, address: settings.siteAddress,
                                                      privacyOfficer: settings.privacyOfficer, logoFile: settings.logoFile,
                                                      colour: settings.siteColour),
            healthDetails: {
                let s = stats.snapshot
                return [("ingest", .object([
                    ("messages", .number(Double(s.messages))), ("readings", .number(Double(s.readings))),
                    ("quarantined", .number(Double(s.quarantined))), ("duplicates", .number(Double(s.duplicates))),
                    ("without_wijk", .number(Double(s.withoutWijk))), ("committed_offset", .number(Double(s.committedOffset))),
                    ("backlog_bytes", .number(Double(writer.backlog))),
                    ("mqtt_connected", .bool(subscriber.isConnected)), ("paused", .bool(subscriber.isPaused)),
                ]))]
            },
            metrics: { stats.registry.emitToBuffer() },
            ingestStatus: {
                let s = stats.snapshot
                return IngestStatus(now: Clock.nowMilliseconds(), sensors: sensors.map { id, kind in
                    let c = s.bySensor[id] ?? IngestStats.Counters()
                    return IngestStatus.Sensor(id: id, kind: kind, received: c.received, stored: c.stored, quarantined: c.quarantined,
                                               duplicates: c.duplicates, lastSeen: c.lastSeen)
                })
            },
            boundaryMaps: GeoMaps(catalog: runtime.boundaries, defaultTolerance: settings.mapTolerance),
            admin: admin, pipelines: catalog.pipelines,
            pipelineRuns: { [store = runtime.store] in (try? store.releases.pipelineRuns(limit: 500)) ?? [] })
        deps.exports = ExportCache(directory: runtime.exportsDirectory)
        deps.sensors = Array(registry.sensors.values)
        deps.observations = runtime.store.readings
        deps.rateLimiter = settings.rateLimit.map { RateLimiter(perSecond: $0.perSecond, burst: $0.burst) }
        deps.privacy = settings.privacyFacts
        deps.publicURL = settings.publicURL
        deps.dashboards = dashboards(settings: settings, pipelines: catalog.pipelines, logger: logger)
        let tls = settings.tlsCertificate.flatMap { cert in settings.tlsKey.map { TLSFiles(certificate: cert, key: $0) } }
        let adminAddress = try settings.adminListen.map(ListenAddress.init)
        let app = try buildApplication(deps, host: address.host, port: address.port, logger: logger,
                                       role: adminAddress == nil ? .all : .publicOnly, tls: tls)
        let adminApp = try adminAddress.map { try buildApplication(deps, host: $0.host, port: $0.port, logger: logger, role: .adminOnly, tls: tls) }

        // Shutdown runs in reverse order: HTTP and scheduler stop first, then the
        // subscriber, and the consumer last so it drains everything acknowledged.
        let files = FileIngest(store: runtime.store.readings, validator: validator)
        var meldingen: MeldingIngest?
        do { meldingen = try runtime.meldingIngest() } catch {
            logger.warning("meldingen files in the inbox will not be loaded", metadata: ["error": "\(error)"])
        }
        let inbox = try Inbox(folder: settings.inbox, ingest: files, meldingen: meldingen, logger: logger)
        let pulls = PullSchedule(sources: settings.ingestPulls,
                                 pull: HTTPPull(ingest: files, dataDirectory: settings.dataDirectory), logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if roles.contains(.ingest) {
            services += [.init(service: consumer), .init(service: subscriber), .init(service: inbox), .init(service: pulls)]
        }
        if roles.contains(.scheduler) {
            services += [.init(service: scheduler), .init(service: PurgeService(runtime: runtime, catalog: catalog, logger: logger))]
        }
        if roles.contains(.http) {
            services.append(.init(service: app))
            if let adminApp { services.append(.init(service: adminApp)) }
        }
        services.append(.init(service: MemoryTrimService()))
        if demo {
            let simulator = DemoSimulatorService(endpoint: endpoint, registry: registry, rate: demoRate,
                                                 backlogHours: 0, logger: logger)
            services.append(.init(service: simulator))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        let url = "\(tls == nil ? "http" : "https")://\(address.host):\(address.port)"
        logger.info("Lantaarn is starting", metadata: ["http.url": "\(url)", "mqtt.broker": "\(endpoint)",
                                                       "data.dir": "\(settings.dataDirectory)", "store": "\(runtime.store.location)",
                                                       "node.roles": "\(roles)", "node.id": "\(settings.nodeID)"])
        Console.line("Lantaarn draait. Dashboards: \(url)/dashboards")
        Console.line("Open data: \(url)/datasets   Health: \(url)/-/health")
        if let adminAddress { Console.line("Admin API: \(tls == nil ? "http" : "https")://\(adminAddress.host):\(adminAddress.port)/admin/alerts") }
        try await group.run()
        logger.info("Lantaarn stopped; everything received is committed")
    }

    /// The dashboards that check out; a wrong file is logged and left out, so that a typo on a
    /// public page never stops ingest. A dashboard whose datasets no pipeline here publishes is
    /// shown (another process may publish them; pages show only published, public datasets).
    private func dashboards(settings: Settings, pipelines: [PipelineDefinition], logger: Logger) -> DashboardCatalog {
        do {
            var good: [DashboardDefinition] = []
            for (_, result) in try DashboardCatalog.check(directory: settings.dashboardDirectory, pipelines: pipelines) {
                switch result {
                case .success(let d): good.append(d)
                case .failure(let problems):
                    if let d = problems.dashboard {
                        good.append(d)
                        logger.notice("dashboard shows datasets that no pipeline here publishes", metadata: ["dashboard": "\(d.name)"])
                        continue
                    }
                    for e in problems.errors { logger.error("dashboard left out; fix it and check with 'lantaarn dashboards check'", metadata: ["error": "\(e)"]) }
                }
            }
            return DashboardCatalog(dashboards: good)
        } catch {
            logger.warning("no dashboards", metadata: ["error": "\(error)"])
            return DashboardCatalog(dashboards: [])
        }
    }
}
