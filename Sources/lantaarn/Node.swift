import Foundation
import Hummingbird
import Ingest
import LantaarnModel
import Logging
import MQTTClient
import Pipelines
import Server
import ServiceLifecycle

/// The composition root: every service of one `serve` node, built from its settings and roles,
/// in the order they start (and, reversed, stop). `serve` and `serve --demo` run it; the
/// integration tests start `lantaarn serve`, so they run exactly this wiring, and the HTTP tests
/// build their listener with the same `buildApplication`.
struct Node {
    struct Options {
        var roles: NodeRoles
        /// Also the sensor simulator, a generated history and pipelines every 5 minutes.
        var demo = false
        var demoRate = 20.0
    }

    let services: [ServiceGroupConfiguration.ServiceConfiguration]
    /// The public listener's address, when this node serves HTTP.
    let httpURL: String
    /// The admin listener's address, when it has its own.
    let adminURL: String?
    let endpoint: MQTTEndpoint

    init(runtime: Runtime, options: Options) throws {
        let settings = runtime.settings
        let logger = runtime.logger
        endpoint = try MQTTEndpoint(url: settings.mqttURL)
        try settings.mqttSecurity.validate(for: endpoint)
        let address = try ListenAddress(settings.listen)
        let adminAddress = try settings.adminListen.map(ListenAddress.init)
        let registry = try runtime.registry()
        // Under four-eyes, the approved versions (the scheduler asks again every round).
        let (catalog, waiting) = try runtime.pipelinesInForce()
        for w in waiting {
            logger.warning("pipeline file not approved; \(w.inForce == nil ? "it does not run" : "its approved version runs")",
                           metadata: ["pipeline.name": "\(w.onDisk.name)", "hint": "lantaarn pipeline propose \(w.onDisk.name)"])
        }
        if options.demo {
            // A fresh demo starts with history, so every dashboard has something to show.
            let history = DemoHistory(runtime: runtime)
            if try history.isNeeded() {
                Console.line("Demo: een geschiedenis van metingen en meldingen wordt aangemaakt (eenmalig)...")
                try history.load(now: Clock.nowMilliseconds()) { logger.info("\($0)") }
            }
        }
        let roles = options.roles
        // Shutdown runs in reverse order: HTTP and scheduler stop first, then the subscriber,
        // and the consumer last so it drains everything acknowledged.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var ingest: IngestServices?
        if roles.contains(.ingest) {
            let built = try IngestServices(runtime: runtime, registry: registry, endpoint: endpoint)
            services += built.services
            ingest = built
        }
        if roles.contains(.scheduler) {
            services.append(.init(service: PipelineScheduler(
                catalog: ApprovedPipelineSource(directory: settings.pipelineDirectory, approvals: runtime.pipelineApprovals,
                                                initial: catalog.pipelines, logger: logger),
                runner: runtime.runner(),
                cadence: options.demo ? .every(.seconds(300), initialDelay: .seconds(20)) : .cron,
                catchUp: options.demo ? 25 * TimeBucket.hour : settings.schedulerCatchUp,
                lateness: options.demo ? 25 * TimeBucket.hour : settings.schedulerLateness,
                recomputeAfter: settings.recomputeAfter, lease: runtime.store.schedulerLease, logger: logger)))
        }
        // Scheduled copies of the SQLite store (PostgreSQL is copied with pg_dump).
        if roles.contains(.scheduler), let schedule = settings.backupSchedule {
            guard runtime.store.sqlite != nil else {
                throw CLIError("config backup: the store is PostgreSQL; schedule pg_dump instead (docs/scale-out.md), and remove backup: from lantaarn.yaml")
            }
            services.append(.init(service: BackupService(copy: StoreCopy(settings: settings, store: runtime.store), schedule: schedule, logger: logger)))
        }
        // Every node purges what it keeps on its own disk; the store's purge is the scheduler's.
        services.append(.init(service: PurgeService(runtime: runtime, catalog: catalog, purgesStore: roles.contains(.scheduler),
                                                    logger: logger)))
        let tls = settings.tlsCertificate.flatMap { cert in settings.tlsKey.map { TLSFiles(certificate: cert, key: $0) } }
        let scheme = tls == nil ? "http" : "https"
        if roles.contains(.http) {
            let deps = try Self.serverDependencies(runtime: runtime, registry: registry, catalog: catalog, ingest: ingest)
            services.append(.init(service: try buildApplication(deps, host: address.host, port: address.port, logger: logger,
                                                                role: adminAddress == nil ? .all : .publicOnly, tls: tls)))
            if let adminAddress {
                services.append(.init(service: try buildApplication(deps, host: adminAddress.host, port: adminAddress.port,
                                                                    logger: logger, role: .adminOnly, tls: tls)))
            }
        }
        services.append(.init(service: MemoryTrimService()))
        if options.demo {
            services.append(.init(service: DemoSimulatorService(endpoint: endpoint, registry: registry, rate: options.demoRate,
                                                                backlogHours: 0, logger: logger)))
        }
        self.services = services
        httpURL = "\(scheme)://\(address.host):\(address.port)"
        adminURL = adminAddress.map { "\(scheme)://\($0.host):\($0.port)" }
    }

    /// What the HTTP listeners serve; ingest counters when this node also ingests.
    private static func serverDependencies(runtime: Runtime, registry: SensorRegistry, catalog: PipelineCatalog,
                                           ingest: IngestServices?) throws -> ServerDependencies {
        let settings = runtime.settings
        // Named staff with personal tokens ('lantaarn staff add'); the old shared token only until the first account exists.
        let shared = try settings.adminTokenFile.map { try ConfigFile.secret($0, "admin.token_file") }
        guard let admin = StaffAccess(staff: runtime.store.staff, alerts: runtime.store.meldingen, sharedToken: shared,
                                      oidc: settings.oidc.map { OIDCVerifier($0) }, oidcLogin: settings.oidc.flatMap { OIDCLogin($0) }) else {
            throw CLIError("admin.token_file: the token in '\(settings.adminTokenFile ?? "")' must be at least 32 characters (for example: openssl rand -hex 32)")
        }
        if shared != nil, try runtime.store.staff.hasActiveStaff() {
            runtime.logger.warning("admin.token_file is set but staff accounts exist: the shared admin token is refused; remove it from lantaarn.yaml")
        }
        let sensors = registry.sensors.values.map { ($0.id, $0.kind) }
        let probe = ingest?.probe
        let site = PublicSite(municipality: settings.municipality, contactEmail: settings.contactEmail, phone: settings.sitePhone,
                              address: settings.siteAddress, privacyOfficer: settings.privacyOfficer, logoFile: settings.logoFile,
                              colour: settings.siteColour)
        var deps = ServerDependencies(
            releases: runtime.store.releases, site: site,
            healthDetails: { probe.map { [("ingest", $0.health())] } ?? [] },
            metrics: { probe?.stats.registry.emitToBuffer() ?? [] },
            ingestStatus: {
                let s = probe?.stats.snapshot
                return IngestStatus(now: Clock.nowMilliseconds(), sensors: sensors.map { id, kind in
                    let c = s?.bySensor[id] ?? IngestStats.Counters()
                    return IngestStatus.Sensor(id: id, kind: kind, received: c.received, stored: c.stored, quarantined: c.quarantined,
                                               duplicates: c.duplicates, lastSeen: c.lastSeen)
                })
            },
            boundaryMaps: GeoMaps(catalog: runtime.boundaries, defaultTolerance: settings.mapTolerance),
            admin: admin, pipelines: catalog.pipelines,
            pipelineRuns: { [store = runtime.store] in (try? store.releases.pipelineRuns(limit: 500)) ?? [] })
        deps.exports = ExportCache(directory: runtime.exportsDirectory)
        deps.console = runtime.consoleSources()
        deps.console?.ingestsHere = ingest != nil
        deps.sensors = Array(registry.sensors.values)
        deps.observations = runtime.store.readings
        deps.rateLimiter = settings.rateLimit.map { RateLimiter(perSecond: $0.perSecond, burst: $0.burst) }
        deps.privacy = settings.privacyFacts
        deps.publicURL = settings.publicURL
        deps.dashboards = dashboards(settings: settings, pipelines: catalog.pipelines, logger: runtime.logger)
        return deps
    }

    /// The dashboards that check out; a wrong file is logged and left out, so that a typo on a
    /// public page never stops ingest. A dashboard whose datasets no pipeline here publishes is
    /// shown (another process may publish them; pages show only published, public datasets).
    private static func dashboards(settings: Settings, pipelines: [PipelineDefinition], logger: Logger) -> DashboardCatalog {
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
