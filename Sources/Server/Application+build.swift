import Hummingbird
import LantaarnModel
import Pipelines
import Logging
import Store

/// Everything the HTTP surface needs, handed in by the executable.
public struct ServerDependencies: Sendable {
    public var releases: any ReleaseStore
    public var site: PublicSite
    /// Extra fields for `/-/health` (ingest counters, ...), gathered at request time.
    public var healthDetails: @Sendable () -> [(String, JSONValue)]
    /// `GET /-/metrics`: Prometheus text exposition, rendered at request time.
    public var metrics: @Sendable () -> [UInt8]
    /// `GET /-/ingest`: every registered sensor with its counters, at request time.
    public var ingestStatus: @Sendable () -> IngestStatus
    /// `GET /geo/...`: simplified boundaries for dashboards.
    public var boundaryMaps: any BoundaryMaps
    /// The admin API; `nil` (off) unless a token is configured.
    public var admin: AdminAccess?
    /// The pipelines, for the algorithm register (`/algoritmes`) and `/-/pipelines`.
    public var pipelines: [PipelineDefinition]
    /// `GET /-/pipelines`: the newest pipeline runs, at request time.
    public var pipelineRuns: @Sendable () -> [PipelineRunRecord]
    /// Completed downloads on disk (lengths, digests, ranges); `nil`: every download streams.
    public var exports: ExportCache?
    /// The sensors of the registry (SensorThings serves the public ones).
    public var sensors: [Sensor] = []
    /// Raw readings for SensorThings; `nil`: SensorThings answers 404.
    public var observations: (any ObservationStore)?
    /// Per-client limit on the query API; `nil`: unlimited (benchmarks).
    public var rateLimiter: RateLimiter? = RateLimiter(perSecond: 20, burst: 100)

    public init(releases: any ReleaseStore, site: PublicSite,
                healthDetails: @escaping @Sendable () -> [(String, JSONValue)] = { [] },
                metrics: @escaping @Sendable () -> [UInt8] = { [] },
                ingestStatus: @escaping @Sendable () -> IngestStatus = { IngestStatus(now: 0, sensors: []) },
                boundaryMaps: any BoundaryMaps = NoBoundaryMaps(), admin: AdminAccess? = nil,
                pipelines: [PipelineDefinition] = [], pipelineRuns: @escaping @Sendable () -> [PipelineRunRecord] = { [] },
                exports: ExportCache? = nil) {
        self.releases = releases
        self.exports = exports
        self.pipelines = pipelines
        self.pipelineRuns = pipelineRuns
        self.boundaryMaps = boundaryMaps
        self.admin = admin
        self.site = site
        self.healthDetails = healthDetails
        self.metrics = metrics
        self.ingestStatus = ingestStatus
    }
}

/// The router with every public route; shared by `serve` and the tests.
public func buildRouter(_ deps: ServerDependencies) -> Router<LantaarnRequestContext> {
    let router = Router(context: LantaarnRequestContext.self)
    // Security headers outermost, so error envelopes carry them too.
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ErrorEnvelopeMiddleware())
    SystemRoutes(deps: deps).register(on: router)
    CatalogRoutes(deps: deps).register(on: router)
    DatasetRoutes(deps: deps).register(on: router)
    QueryRoutes(deps: deps).register(on: router)
    SensorThingsRoutes(deps: deps).register(on: router)
    DashboardRoutes(deps: deps).register(on: router)
    GeoRoutes(deps: deps).register(on: router)
    AdminRoutes(deps: deps).register(on: router)
    AlgorithmRegisterRoutes(deps: deps).register(on: router)
    CKANRoutes(deps: deps).register(on: router)
    return router
}

/// The HTTP application, ready to run as a service.
public func buildApplication(_ deps: ServerDependencies, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
    Application(router: buildRouter(deps),
                configuration: .init(address: .hostname(host, port: port), serverName: "lantaarn"),
                logger: logger)
}
