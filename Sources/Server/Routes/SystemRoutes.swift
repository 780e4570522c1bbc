import Hummingbird
import LantaarnModel

/// `/-/health`, `/-/metrics`, `/-/ingest`, `/-/pipelines` and other system pages.
struct SystemRoutes {
    let deps: ServerDependencies

    func register(on router: Router<BasicRequestContext>) {
        router.get("/-/health") { _, _ -> Response in
            let fields: [(String, JSONValue)] = [
                ("ok", .bool(true)),
                ("status", .string("ok")),
                ("datasets", .number(Double(try deps.releases.datasetNames().count))),
            ] + deps.healthDetails()
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(.object(fields)))))
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
                     body: .init(byteBuffer: ByteBuffer(string: Stylesheet.css)))
        }
    }
}
