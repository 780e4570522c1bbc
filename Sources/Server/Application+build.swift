import Hummingbird
import HummingbirdCore
import NIOCore
import HummingbirdTLS
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
    /// The admin API for named staff; `nil`: off on every listener.
    public var admin: StaffAccess?
    /// The staff console (`/beheer`) on the admin listener; `nil`: off (it also needs ``admin``).
    public var console: ConsoleSources?
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
    /// The public address (`server.public_url`, e.g. `https://data.haarlem.nl`) for absolute
    /// URIs in the catalogue, CKAN and SensorThings; `nil`: the address the client used.
    public var publicURL: String?
    /// Whether this listener speaks HTTPS (absolute URIs then start with https).
    public var tls = false
    /// Rendered answers of the busiest pages, kept until published data changes.
    public var responses: ResponseCache
    /// Retention of raw inputs, for the privacy statement.
    public var privacy = PrivacyFacts()
    /// Per-client limit on the query API; `nil`: unlimited (benchmarks).
    public var rateLimiter: RateLimiter? = RateLimiter(perSecond: 20, burst: 100)
    /// The public dashboards (`Dashboards/*.yaml`).
    public var dashboards = DashboardCatalog(dashboards: [])

    public init(releases: any ReleaseStore, site: PublicSite,
                healthDetails: @escaping @Sendable () -> [(String, JSONValue)] = { [] },
                metrics: @escaping @Sendable () -> [UInt8] = { [] },
                ingestStatus: @escaping @Sendable () -> IngestStatus = { IngestStatus(now: 0, sensors: []) },
                boundaryMaps: any BoundaryMaps = NoBoundaryMaps(), admin: StaffAccess? = nil,
                pipelines: [PipelineDefinition] = [], pipelineRuns: @escaping @Sendable () -> [PipelineRunRecord] = { [] },
                exports: ExportCache? = nil) {
        self.releases = releases
        self.responses = ResponseCache(releases: releases)
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

/// Which routes a listener serves: all of them, or, with separate listeners, the public ones
/// on one address and the admin API (`/admin/…`, `/intern/…`) on another.
public enum ServerRole: String, Sendable {
    case all, publicOnly, adminOnly
}

/// A certificate chain and private key (PEM files) for HTTPS.
public struct TLSFiles: Sendable {
    public var certificate: String
    public var key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}

extension ServerDependencies {
    /// The server's own address, for absolute URIs: the configured public URL, else the host
    /// the client asked for (only host characters kept) with this listener's scheme.
    func baseURL(_ request: Request) -> String {
        if let publicURL { return publicURL }
        let host = request.head.authority.flatMap { h in h.allSatisfy { $0.isLetter || $0.isNumber || ".:-[]".contains($0) } ? h : nil }
        return "\(tls ? "https" : (request.head.scheme ?? "http"))://\(host ?? "localhost")"
    }
}

/// The router of one listener; shared by `serve` and the tests.
public func buildRouter(_ deps: ServerDependencies, role: ServerRole = .all, tls: Bool = false,
                        accessLog: Logger? = nil) -> Router<LantaarnRequestContext> {
    var deps = deps
    deps.tls = tls
    let router = Router(context: LantaarnRequestContext.self)
    // Security headers outermost, so error envelopes carry them too; the access log sees the final status.
    router.add(middleware: SecurityHeadersMiddleware(hsts: tls))
    if let accessLog { router.add(middleware: AccessLogMiddleware(logger: accessLog)) }
    router.add(middleware: ErrorEnvelopeMiddleware())
    router.add(middleware: RequestGuardMiddleware())
    if role != .publicOnly {
        AdminRoutes(deps: deps).register(on: router)
        ConsoleRoutes(deps: deps).register(on: router)
    }
    if role == .adminOnly {
        SystemRoutes.health(deps, on: router)
        return router
    }
    SystemRoutes(deps: deps).register(on: router)
    CatalogRoutes(deps: deps).register(on: router)
    DatasetRoutes(deps: deps).register(on: router)
    QueryRoutes(deps: deps).register(on: router)
    SensorThingsRoutes(deps: deps).register(on: router)
    DashboardRoutes(deps: deps).register(on: router)
    GeoRoutes(deps: deps).register(on: router)
    AlgorithmRegisterRoutes(deps: deps).register(on: router)
    CKANRoutes(deps: deps).register(on: router)
    PolicyPageRoutes(deps: deps).register(on: router)
    return router
}

/// What a caller may change of how a listener is built; `serve` takes the defaults, the tests
/// set what they check (a port chosen by the system and reported, a short head deadline, their
/// own access log).
public struct ApplicationHooks: Sendable {
    /// Where the access log goes; `nil`: the application's logger.
    public var accessLog: Logger?
    /// How long a request head may take (see ``lantaarnHTTP1(headDeadline:idleTimeout:)``).
    public var headDeadline: TimeAmount = .seconds(10)
    /// Called with the listening channel once the server accepts connections (with port 0, the
    /// channel's local address has the port the system chose).
    public var onServerRunning: @Sendable (any Channel) async -> Void = { _ in }

    public init() {}
}

/// The HTTP application of one listener, ready to run as a service; HTTPS (with HSTS) when
/// `tls` names a certificate and key.
public func buildApplication(_ deps: ServerDependencies, host: String, port: Int, logger: Logger,
                             role: ServerRole = .all, tls: TLSFiles? = nil,
                             hooks: ApplicationHooks = ApplicationHooks()) throws -> some ApplicationProtocol {
    let router = buildRouter(deps, role: role, tls: tls != nil, accessLog: hooks.accessLog ?? logger)
    let configuration = ApplicationConfiguration(address: .hostname(host, port: port), serverName: "lantaarn")
    let http1 = lantaarnHTTP1(headDeadline: hooks.headDeadline)
    let server: HTTPServerBuilder = try tls.map { try .tls(http1, tlsConfiguration: try TLSSetup.configuration($0)) } ?? http1
    return Application(router: router, server: server, configuration: configuration,
                       onServerRunning: hooks.onServerRunning, logger: logger)
}

/// HTTP/1.1 as every listener serves it: a request head must arrive within `headDeadline` of the
/// connection opening or the previous response (slowloris), and a connection with no traffic at
/// all is closed after `idleTimeout`. Headers are limited by the decoder (80 KiB) and targets by
/// the request guard.
public func lantaarnHTTP1(headDeadline: TimeAmount = .seconds(10), idleTimeout: TimeAmount = .seconds(75)) -> HTTPServerBuilder {
    .http1(configuration: .init(additionalChannelHandlers: [RequestHeadDeadline(deadline: headDeadline)], idleTimeout: idleTimeout))
}
