import Hummingbird
import LantaarnModel

/// `/openapi.json`, `/-/health`, `/-/metrics`, `/-/ingest`, `/-/pipelines` and other system pages.
struct SystemRoutes {
    let deps: ServerDependencies

    func register(on router: Router<LantaarnRequestContext>) {
        Self.health(deps, on: router)
        router.get("/openapi.json") { request, _ -> Response in
            try deps.responses.respond(request, key: "openapi") {
                let document = OpenAPIDocument.document(try deps.releases.datasets(), site: deps.site, rateLimiter: deps.rateLimiter,
                                                        dashboards: deps.dashboards.dashboards.map(\.name))
                return ([.contentType: "application/json; charset=utf-8"], ByteBuffer(string: JSONWriter.string(document)))
            }
        }
        router.get("/-/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: deps.metrics())))
        }
        router.get("/-/ingest") { _, _ -> Response in
            let html = IngestStatusPage(site: deps.site, status: deps.ingestStatus()).render()
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        router.get("/-/pipelines") { _, _ -> Response in
            let html = PipelineStatusPage(site: deps.site, pipelines: deps.pipelines, runs: deps.pipelineRuns()).render()
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        router.get("/static/lantaarn.css") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Stylesheet.css(colour: deps.site.colour))))
        }
    }

    /// `/-/health`, on every listener.
    static func health(_ deps: ServerDependencies, on router: Router<LantaarnRequestContext>) {
        router.get("/-/health") { _, _ -> Response in
            let fields: [(String, JSONValue)] = [
                ("ok", .bool(true)),
                ("status", .string("ok")),
                ("datasets", .number(Double(try deps.releases.datasetNames().count))),
            ] + deps.healthDetails()
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(.object(fields)))))
        }
    }
}
