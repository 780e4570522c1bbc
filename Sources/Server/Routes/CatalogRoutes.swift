import Hummingbird
import LantaarnModel
import Store

/// The catalogue: `/catalog.ttl` and `/catalog.jsonld` (DCAT-AP-NL 3.0, for harvesters such as
/// data.overheid.nl), `/datasets.json` (the list as JSON), and `/datasets` as an HTML page
/// with search for people, or as JSON for clients that do not ask for HTML.
struct CatalogRoutes {
    let deps: ServerDependencies
    /// Area codes listed per dataset in its spatial coverage, at most.
    static let maxAreas = 2_000
    /// Rows the spatial coverage of a large dataset is taken from.
    static let recentRows = 200_000

    func register(on router: Router<LantaarnRequestContext>) {
        // The catalogue's URIs come from the request's host, so it is part of the cache key.
        router.get("/catalog.ttl") { request, _ -> Response in
            try deps.responses.respond(request, key: "ttl|" + deps.baseURL(request)) {
                ([.contentType: "text/turtle; charset=utf-8", .cacheControl: "public, max-age=300"],
                 ByteBuffer(string: try graph(request).turtle()))
            }
        }
        router.get("/catalog.jsonld") { request, _ -> Response in
            try deps.responses.respond(request, key: "jsonld|" + deps.baseURL(request)) {
                ([.contentType: "application/ld+json", .cacheControl: "public, max-age=300"],
                 ByteBuffer(string: JSONWriter.string(try graph(request).jsonLD())))
            }
        }
        router.get("/datasets.json") { request, _ -> Response in
            let query = try Self.search(request)
            return try deps.responses.respond(request, key: "list|" + query) { try listJSON(query) }
        }
        router.get("/datasets") { request, _ -> Response in
            let query = try Self.search(request)
            guard Self.wantsHTML(request) else {
                var response = try deps.responses.respond(request, key: "list|" + query) { try listJSON(query) }
                response.headers[.vary] = "Accept"
                return response
            }
            return try deps.responses.respond(request, key: "page|" + query) {
                ([.contentType: "text/html; charset=utf-8", .vary: "Accept"],
                 ByteBuffer(string: try Self.catalogPage(deps).render(try deps.releases.datasets(), query: query)))
            }
        }
    }

    /// The catalogue page with each dataset's last disclosure report.
    static func catalogPage(_ deps: ServerDependencies) throws -> CatalogPage {
        var page = CatalogPage(site: deps.site)
        page.reports = CatalogPage.reports(try deps.releases.datasets(), store: deps.releases)
        return page
    }

    /// Browsers ask for HTML first; curl, harvesters and scripts get JSON.
    static func wantsHTML(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        let html = accept.range(of: "text/html")?.lowerBound
        let json = accept.range(of: "application/json")?.lowerBound
        return html != nil && (json == nil || html! < json!)
    }

    /// `?q=`: words that must all occur (at most 200 characters).
    private static func search(_ request: Request) throws -> String {
        String((try QueryString(request.uri.query).value("q") ?? "").prefix(200))
    }

    private func listJSON(_ query: String) throws -> (headers: HTTPFields, body: ByteBuffer) {
        let list = CatalogPage.matching(try deps.releases.datasets(), query: query).map(DatasetRoutes.summaryJSON)
        let body = JSONWriter.string(.object([("ok", .bool(true)), ("publisher", .string(deps.site.municipality)),
                                              ("datasets", .array(list))]))
        return ([.contentType: "application/json; charset=utf-8"], ByteBuffer(string: body))
    }

    private func graph(_ request: Request) throws -> RDFGraph {
        let entries = try deps.releases.datasets().map { summary -> DCATCatalog.Entry in
            DCATCatalog.Entry(summary: summary, areas: try areas(summary))
        }
        let levels = Set(entries.flatMap { $0.areas.map(\.level) } + (entries.contains { $0.summary.metadata.spatial != nil } ? ["gemeente"] : []))
        let extents = AreaExtents.load(levels: levels, maps: deps.boundaryMaps)
        return DCATCatalog(site: deps.site, base: deps.baseURL(request), extents: extents).graph(entries)
    }

    /// The area codes a dataset's current rows name (spatial coverage). Counting them over
    /// every row can take seconds for tens of millions of rows: after 2 s they are counted over
    /// the windows of the newest 200,000 rows instead (and should that also run out of time,
    /// the catalogue lists the gemeente only). The catalogue is rendered once per dataset
    /// generation.
    private func areas(_ summary: DatasetSummary) throws -> [(level: String, code: String)] {
        let columns = AreaGeometries.areaColumns(summary.metadata.columns)
        guard !columns.isEmpty, summary.rowCount > 0 else { return [] }
        var query = RowQuery()
        query.limit = 1
        query.facets = columns.map(\.index)
        query.facetLimit = Self.maxAreas
        query.timeLimitMilliseconds = 2_000
        var facets: [(column: Int, values: [(value: CellValue, count: Int)], truncated: Bool)]
        do {
            facets = try deps.releases.queryRows(dataset: summary.metadata.name, query).facets
        } catch RowQueryError.timeLimit {
            query.windowsFrom = try deps.releases.windowStart(dataset: summary.metadata.name, coveringNewestRows: Self.recentRows)
            do {
                facets = try deps.releases.queryRows(dataset: summary.metadata.name, query).facets
            } catch RowQueryError.timeLimit {
                return []
            }
        }
        var out: [(level: String, code: String)] = []
        for (facet, column) in zip(facets, columns) {
            let codes = facet.values.compactMap { if case .text(let code) = $0.value { code } else { nil } }.sorted()
            out += codes.map { (column.level, $0) }
        }
        return out
    }
}
