import Hummingbird
import LantaarnModel
import Store

/// `/datasets/{name}/rows.json`: the query API over a public dataset's current rows. Filters
/// `col__op=value`, `_sort`, `_size`, keyset paging with `_next`, and `_facet` counts; limits
/// in ``RowQueryRequest``, described in `/openapi.json`. Rate-limited per client.
struct QueryRoutes {
    let deps: ServerDependencies

    func register(on router: Router<LantaarnRequestContext>) {
        router.get("/datasets/:file/rows.json") { request, context -> Response in
            if let refusal = deps.rateLimiter?.refusal(context.remoteAddress) { return refusal }
            let name = try context.parameters.require("file")
            return try deps.responses.respond(request, key: "rows|" + request.uri.description) {
                try page(request, name: name)
            }
        }
    }

    /// One page of the query API, rendered.
    private func page(_ request: Request, name: String) throws -> (headers: HTTPFields, body: ByteBuffer) {
        let summary = try DatasetRoutes.publicDataset(name, releases: deps.releases)
        let parameters = try QueryString(request.uri.query)
        let columns = summary.metadata.columns
        let parsed = try RowQueryRequest(parameters, columns: columns)
        let shape = try parameters.value("_shape") ?? "objects"
        guard shape == "objects" || shape == "arrays" else {
            throw APIError(.badRequest, "'_shape' is objects (the default) or arrays")
        }
        let page: RowQueryPage
        do {
            page = try deps.releases.queryRows(dataset: name, parsed.query)
        } catch RowQueryError.timeLimit(let ms) {
            throw APIError(.badRequest, "the query took longer than its limit of \(ms) ms and was stopped; add a filter, drop the sort or a facet, or download the whole dataset as CSV")
        }
        var fields: [(String, JSONValue)] = [
            ("ok", .bool(true)), ("dataset", .string(name)),
            ("columns", .array(columns.map { c in
                .object([("name", .string(c.name)), ("type", .string(c.type.rawValue))] + (c.unit.map { [("unit", .string($0))] } ?? []))
            })),
            ("rows", .array(page.rows.map { shape == "arrays" ? .array($0.map(Self.json)) : Self.object($0, columns) })),
            ("count", .number(Double(page.rows.count))),
        ]
        if let next = page.next {
            let token = RowQueryRequest.token(next, sortKey: parsed.sortKey, filterKey: parsed.filterKey)
            let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("_next=") }
            fields.append(("next", .string(token)))
            fields.append(("next_url", .string("/datasets/\(name)/rows.json?" + (kept + ["_next=" + token[...]]).joined(separator: "&"))))
        } else {
            fields += [("next", .null), ("next_url", .null)]
        }
        if !page.facets.isEmpty {
            fields.append(("facets", .object(page.facets.map { facet in
                (columns[facet.column].name, .object([
                    ("values", .array(facet.values.map { .object([("value", Self.json($0.value)), ("count", .number(Double($0.count)))]) })),
                    ("truncated", .bool(facet.truncated)),
                ]))
            })))
        }
        fields.append(("limits", .object([("max_size", .number(Double(RowQueryRequest.maxSize))),
                                           ("time_limit_ms", .number(Double(RowQueryRequest.timeLimitMilliseconds)))])))
        return ([.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=60"],
                ByteBuffer(string: JSONWriter.string(.object(fields))))
    }

    /// A cell as a JSON value (rows, facet values, `_next` tokens).
    static func json(_ cell: CellValue) -> JSONValue {
        switch cell {
        case .text(let s): .string(s)
        case .integer(let n): .number(Double(n))
        case .number(let d): .number(d)
        case .null: .null
        }
    }

    private static func object(_ row: [CellValue], _ columns: [ColumnSpec]) -> JSONValue {
        .object(columns.enumerated().map { i, c in (c.name, i < row.count ? json(row[i]) : .null) })
    }
}
