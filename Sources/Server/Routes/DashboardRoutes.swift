import Hummingbird

/// Public dashboards (HTML, Dutch, no external assets).
struct DashboardRoutes {
    let deps: ServerDependencies

    func register(on router: Router<LantaarnRequestContext>) {
        router.get("/") { _, _ -> Response in
            Response(status: .found, headers: [.location: "/dashboards/luchtkwaliteit"])
        }
        router.get("/dashboards/luchtkwaliteit") { _, _ -> Response in
            let html = try AirQualityDashboard(releases: deps.releases, site: deps.site).render()
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }
}
