import Hummingbird
import LantaarnModel

/// Public dashboards (HTML, Dutch, no external assets), rendered once per data generation
/// (and at most every ten minutes, for the freshness warning) and then served from memory.
struct DashboardRoutes {
    let deps: ServerDependencies
    /// How long a rendered page may say "now" before it is rendered again.
    static let freshnessStep: Int64 = 600_000

    func register(on router: Router<LantaarnRequestContext>) {
        router.get("/") { _, _ -> Response in
            Response(status: .found, headers: [.location: "/dashboards"])
        }
        router.get("/dashboards") { request, _ -> Response in
            try deps.responses.respond(request, key: "dashboards") {
                (Self.htmlHeaders, ByteBuffer(string: DashboardIndexPage(catalog: deps.dashboards, site: deps.site).render()))
            }
        }
        router.get("/dashboards/:name") { request, context -> Response in
            let name = try context.parameters.require("name")
            guard let dashboard = deps.dashboards.dashboard(named: name) else {
                throw APIError(.notFound, "no dashboard '\(name)'; /dashboards lists them")
            }
            let now = Clock.nowMilliseconds()
            return try deps.responses.respond(request, key: "dashboard/\(name)", variant: "\(now / Self.freshnessStep)") {
                let page = try DashboardPage(dashboard: dashboard, releases: deps.releases, maps: deps.boundaryMaps, site: deps.site, now: now).render()
                return (Self.htmlHeaders, ByteBuffer(string: page))
            }
        }
    }

    static let htmlHeaders: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"]
}
