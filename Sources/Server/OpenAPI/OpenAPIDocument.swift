import LantaarnModel
import Store

/// `/openapi.json`: an OpenAPI 3.1 description of every public endpoint, generated at request
/// time from the datasets there are, so each dataset's query API lists its own columns as typed
/// filter parameters. Downloads and HTML pages are described by their media types.
enum OpenAPIDocument {
    static func document(_ datasets: [DatasetSummary], site: PublicSite, rateLimiter: RateLimiter?, dashboards: [String] = []) -> JSONValue {
        let open = datasets.filter(\.metadata.isPublic)
        var paths: [(String, JSONValue)] = [
            ("/", get("Home page", html, tag: "pages")),
            ("/openapi.json", get("This description (OpenAPI 3.1)", json(.object([("type", .string("object"))])), tag: "meta")),
            ("/datasets", get("Every dataset: an HTML page with search (?q=) for browsers that ask for text/html, else the JSON list",
                              responses([("200", .object([("description", .string("OK")), ("content", .object([
                                  ("application/json", .object([("schema", ref("DatasetList"))])),
                                  ("text/html", .object([("schema", .object([("type", .string("string"))]))])),
                              ]))])), ("400", errorResponse)]),
                              tag: "datasets", parameters: [queryParameter("q", .object([("type", .string("string"))]), "Words to search for (HTML page)")])),
            ("/datasets.json", get("Every dataset with its metadata, columns, releases and download links; closed datasets with their reason",
                                   responses([("200", json(ref("DatasetList"))), ("400", errorResponse)]), tag: "datasets",
                                   parameters: [queryParameter("q", .object([("type", .string("string"))]), "Words that must all occur")])),
            ("/catalog.ttl", get("DCAT-AP-NL 3.0 catalogue (Turtle)", content("text/turtle", .object([("type", .string("string"))])), tag: "catalogue")),
            ("/catalog.jsonld", get("DCAT-AP-NL 3.0 catalogue (JSON-LD)", content("application/ld+json", .object([("type", .string("object"))])),
                                    tag: "catalogue")),
            ("/datasets/{file}", get("Download a dataset's current rows, complete and streamed (CSV, JSON, NDJSON, GeoJSON), or its CSVW metadata",
                                     downloads(notFound: true), tag: "datasets",
                                     parameters: [pathParameter("file", enumValues: open.flatMap { d in
                                         ExportFormat.allCases.map { "\(d.metadata.name).\($0.rawValue)" } + ["\(d.metadata.name)\(CSVWMetadata.suffix)"]
                                     }), separatorParameter])),
            ("/datasets/{name}/releases", get("Every release of a dataset: window, version, SHA-256, lineage",
                                              responses([("200", json(.object([("type", .string("object"))]))), ("404", errorResponse)]),
                                              tag: "datasets", parameters: [pathParameter("name", enumValues: datasets.map(\.metadata.name))])),
            ("/datasets/{name}/releases/{file}", get("Download one release as it was published",
                                                     downloads(notFound: true, gone: true), tag: "datasets",
                                                     parameters: [pathParameter("name", enumValues: open.map(\.metadata.name)),
                                                                  pathParameter("file", pattern: "^[0-9]+\\.(csv|json|ndjson|geojson)$"),
                                                                  separatorParameter])),
            ("/api/3/action/{action}", get("CKAN Action API subset, for harvesters", ckanResponses, tag: "ckan",
                                           parameters: ckanParameters)),
            ("/geo", get("The boundary maps there are", json(.object([("type", .string("object"))])), tag: "geo")),
            ("/geo/{level}/{file}", get("Boundaries of one level and year as GeoJSON, optionally simplified",
                                        responses([("200", content("application/geo+json", .object([("type", .string("object"))]))),
                                                   ("304", .object([("description", .string("Not modified"))])),
                                                   ("400", errorResponse), ("404", errorResponse)]),
                                        tag: "geo",
                                        parameters: [pathParameter("level", enumValues: ["gemeente", "wijk", "buurt"]),
                                                     pathParameter("file", pattern: "^[0-9]{4}\\.geojson$"),
                                                     queryParameter("tolerance", .object([("type", .string("number")), ("minimum", .number(0)),
                                                                                          ("maximum", .number(GeoRoutes.maxTolerance))]),
                                                                    "Simplification tolerance in metres")])),
            ("/sta/v1.1", get("OGC SensorThings API v1.1 (read-only subset): the service root", json(.object([("type", .string("object"))])),
                              tag: "sensorthings")),
            ("/sta/v1.1/{segment}", get("A SensorThings collection (Things, Locations, Sensors, ObservedProperties, Datastreams, Observations) or one entity, e.g. Things('ID')",
                                        staResponses, tag: "sensorthings", parameters: [pathParameter("segment", enumValues: [])] + staParameters)),
            ("/sta/v1.1/{segment}/{navigation}", get("Entities related to one entity, e.g. Datastreams('ID')/Observations",
                                                     staResponses, tag: "sensorthings",
                                                     parameters: [pathParameter("segment", enumValues: []), pathParameter("navigation", enumValues: [])] + staParameters)),
            ("/algoritmes", get("Algorithm register (HTML)", html, tag: "pages")),
            ("/privacy", get("Privacy statement with an annex per application (HTML)", html, tag: "pages")),
            ("/proclaimer", get("Proclaimer (HTML)", html, tag: "pages")),
            ("/algoritmes.json", get("Algorithm register", json(.object([("type", .string("object"))])), tag: "pages")),
            ("/algoritmes/{file}", get("One algorithm's entry in the national algorithm register (publicatiestandaard 1.0.0)",
                                       responses([("200", content("application/json", .object([("type", .string("object"))]))),
                                                  ("404", errorResponse)]),
                                       tag: "pages", parameters: [pathParameter("file", pattern: "^[a-z0-9-]+\\.json$")])),
            ("/dashboards", get("The dashboards (HTML)", html, tag: "pages")),
            ("/dashboards/{name}", get("One dashboard: charts, maps and tables of published datasets (HTML)",
                                       responses([("200", content("text/html", .object([("type", .string("string"))]))),
                                                  ("304", .object([("description", .string("Not modified"))])), ("404", errorResponse)]),
                                       tag: "pages", parameters: [pathParameter("name", enumValues: dashboards)])),
            ("/-/health", get("Health and ingest counters", json(.object([("type", .string("object"))])), tag: "meta")),
            ("/-/metrics", get("Prometheus metrics", content("text/plain", .object([("type", .string("string"))])), tag: "meta")),
            ("/-/ingest", get("Ingest status per sensor (HTML)", html, tag: "meta")),
            ("/-/pipelines", get("Newest pipeline runs (HTML)", html, tag: "meta")),
        ]
        for d in open {
            paths.append(("/datasets/\(d.metadata.name)/rows.json", rowsOperation(d.metadata)))
        }
        paths.sort { $0.0 < $1.0 }
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([
                ("title", .string("Lantaarn open data – \(site.municipality)")),
                ("version", .string("1")),
                ("description", .string("""
                    Open data of \(site.municipality): every public dataset as a complete download and through a query API. \
                    Query limits: at most \(RowQueryRequest.maxSize) rows per page (default \(RowQueryRequest.defaultSize)), \
                    \(RowQueryRequest.timeLimitMilliseconds) ms per query, \(RowQueryRequest.maxFacets) facets, \
                    \(RowQueryRequest.maxInValues) values per __in, query strings up to \(QueryString.maxLength) bytes; \
                    \(rateLimiter.map { "A client may make \(Int($0.burst)) queries at once and \($0.perSecondText) per second (then 429 with Retry-After). " } ?? "")\
                    Errors share one envelope: {"ok": false, "error": "...", "status": N}.
                    """)),
                ("contact", .object([("name", .string(site.municipality)), ("email", .string(site.contactEmail))])),
            ])),
            ("paths", .object(paths)),
            ("components", .object([("schemas", .object([
                ("Error", .object([
                    ("type", .string("object")), ("required", .array(["ok", "error", "status"].map(JSONValue.string))),
                    ("properties", .object([("ok", .object([("const", .bool(false))])), ("error", .object([("type", .string("string"))])),
                                            ("status", .object([("type", .string("integer"))]))])),
                ])),
                ("DatasetList", .object([
                    ("type", .string("object")), ("required", .array(["ok", "publisher", "datasets"].map(JSONValue.string))),
                    ("properties", .object([("ok", .object([("const", .bool(true))])), ("publisher", .object([("type", .string("string"))])),
                                            ("datasets", .object([("type", .string("array")), ("items", .object([
                                                ("type", .string("object")), ("required", .array(["name", "title", "public"].map(JSONValue.string))),
                                            ]))]))])),
                ])),
            ]))])),
        ])
    }

    // MARK: the query API of one dataset

    private static func rowsOperation(_ m: DatasetMetadata) -> JSONValue {
        var parameters: [JSONValue] = []
        for c in m.columns {
            let value = valueSchema(c.type)
            let about = c.description + (c.unit.map { " (\($0))" } ?? "")
            parameters.append(queryParameter(c.name, value, "Equals: \(about)"))
            for op in ["gt", "gte", "lt", "lte"] {
                parameters.append(queryParameter("\(c.name)__\(op)", value, "\(op) comparison on \(c.name)"))
            }
            parameters.append(queryParameter("\(c.name)__in", .object([("type", .string("string")), ("minLength", .number(1))]),
                                             "One of these comma-separated values (at most \(RowQueryRequest.maxInValues))"))
            parameters.append(queryParameter("\(c.name)__contains", .object([("type", .string("string"))]),
                                             "Contains this text (case-insensitive)"))
            parameters.append(queryParameter("\(c.name)__isnull", enumSchema(["1", "0", "true", "false"]), "1: empty, 0: not empty"))
        }
        let names = m.columns.map(\.name)
        parameters += [
            queryParameter("_size", .object([("type", .string("integer")), ("minimum", .number(1)),
                                             ("maximum", .number(Double(RowQueryRequest.maxSize))),
                                             ("default", .number(Double(RowQueryRequest.defaultSize)))]), "Rows per page"),
            queryParameter("_sort", enumSchema(names + names.map { "-" + $0 }), "Sort by this column; a leading - sorts descending"),
            queryParameter("_sort_desc", enumSchema(names), "Sort by this column, descending"),
            queryParameter("_next", .object([("type", .string("string")), ("minLength", .number(1))]),
                           "Token from the previous page's `next`; keep the other parameters unchanged"),
            .object([("name", .string("_facet")), ("in", .string("query")), ("style", .string("form")), ("explode", .bool(true)),
                     ("description", .string("Count the distinct values of these columns (at most \(RowQueryRequest.maxFacets))")),
                     ("schema", .object([("type", .string("array")), ("maxItems", .number(Double(RowQueryRequest.maxFacets))),
                                         ("items", enumSchema(names))]))]),
            queryParameter("_shape", enumSchema(["objects", "arrays"]), "Rows as objects (default) or arrays"),
        ]
        let row: JSONValue = .object([
            ("type", .string("object")),
            ("properties", .object(m.columns.map { ($0.name, nullable(valueSchema($0.type))) })),
        ])
        let page: JSONValue = .object([
            ("type", .string("object")),
            ("required", .array(["ok", "dataset", "columns", "rows", "count", "next", "next_url", "limits"].map(JSONValue.string))),
            ("properties", .object([
                ("ok", .object([("const", .bool(true))])),
                ("dataset", .object([("const", .string(m.name))])),
                ("columns", .object([("type", .string("array"))])),
                ("rows", .object([("type", .string("array")), ("items", .object([("anyOf", .array([row, .object([("type", .string("array"))])]))]))])),
                ("count", .object([("type", .string("integer")), ("minimum", .number(0))])),
                ("next", .object([("type", .array([.string("string"), .string("null")]))])),
                ("next_url", .object([("type", .array([.string("string"), .string("null")]))])),
                ("facets", .object([("type", .string("object"))])),
                ("limits", .object([("type", .string("object"))])),
            ])),
        ])
        return .object([("get", .object([
            ("summary", .string("Query \(m.title)")),
            ("operationId", .string("rows_\(m.name.replacingOccurrences(of: "-", with: "_"))")),
            ("tags", .array([.string("query")])),
            ("parameters", .array(parameters)),
            ("responses", responses([("200", json(page)), ("400", errorResponse), ("414", errorResponse), ("429", errorResponse)])),
        ]))])
    }

    private static func valueSchema(_ type: ColumnType) -> JSONValue {
        switch type {
        case .integer, .number: .object([("type", .string("number"))])
        case .text, .timestamp: .object([("type", .string("string"))])
        }
    }

    private static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .string(let t)? = schema["type"] else { return schema }
        return .object([("type", .array([.string(t), .string("null")]))])
    }

    // MARK: building blocks

    /// A GET operation; `answer` is either one 200 response (content) or the whole responses object.
    private static func get(_ summary: String, _ answer: JSONValue, tag: String, parameters: [JSONValue] = []) -> JSONValue {
        let responses: JSONValue = answer["description"] != nil ? Self.responses([("200", answer)]) : answer
        var operation: [(String, JSONValue)] = [("summary", .string(summary)), ("tags", .array([.string(tag)]))]
        if !parameters.isEmpty { operation.append(("parameters", .array(parameters))) }
        operation.append(("responses", responses))
        return .object([("get", .object(operation))])
    }

    private static func responses(_ list: [(String, JSONValue)]) -> JSONValue { .object(list) }

    private static func content(_ type: String, _ schema: JSONValue) -> JSONValue {
        .object([("description", .string("OK")), ("content", .object([(type, .object([("schema", schema)]))]))])
    }

    private static func json(_ schema: JSONValue) -> JSONValue { content("application/json", schema) }

    private static var html: JSONValue { content("text/html", .object([("type", .string("string"))])) }

    private static func ref(_ name: String) -> JSONValue { .object([("$ref", .string("#/components/schemas/\(name)"))]) }

    private static var errorResponse: JSONValue {
        .object([("description", .string("Error: what was wrong and what to do")),
                 ("content", .object([("application/json", .object([("schema", ref("Error"))]))]))])
    }

    private static func downloads(notFound: Bool, gone: Bool = false) -> JSONValue {
        let any: JSONValue = .object([("schema", .object([]))])
        var list: [(String, JSONValue)] = [
            ("200", .object([("description", .string("The complete download")),
                             ("content", .object(["text/csv", "application/json", "application/x-ndjson", "application/geo+json",
                                                  "application/vnd.apache.parquet", "application/csvm+json"].map { ($0, any) }))])),
            ("206", .object([("description", .string("Part of a kept download (Range)"))])),
            ("304", .object([("description", .string("Not modified"))])),
            ("400", errorResponse), ("403", errorResponse), ("416", errorResponse),
        ]
        if notFound { list.append(("404", errorResponse)) }
        if gone { list.append(("410", errorResponse)) }
        return responses(list)
    }

    private static var separatorParameter: JSONValue {
        queryParameter("_sep", enumSchema([",", ";"]), "CSV separator; ; also writes decimal commas (Dutch Excel)")
    }

    private static var staResponses: JSONValue {
        responses([("200", json(.object([("type", .string("object"))]))), ("400", errorResponse), ("404", errorResponse),
                   ("414", errorResponse), ("429", errorResponse)])
    }

    private static var staParameters: [JSONValue] {
        [
            queryParameter("$top", .object([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(Double(STAOptions.maxTop)))]),
                           "Entities per page (default \(STAOptions.defaultTop))"),
            queryParameter("$skip", .object([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(Double(STAOptions.maxSkip)))]),
                           "Entities passed over"),
            queryParameter("$count", enumSchema(["true", "false"]), "Also give @iot.count"),
            queryParameter("$orderby", .object([("type", .string("string"))]), "PROPERTY [asc|desc], comma-separated; observations: phenomenonTime"),
            queryParameter("$filter", .object([("type", .string("string"))]),
                           "OData comparisons (eq ne gt ge lt le) joined with and, or, not (at most \(STAFilter.maxLength) characters); observations: phenomenonTime, resultTime and result joined with and"),
            queryParameter("$expand", .object([("type", .string("string"))]), "One level of related entities, e.g. Datastreams"),
            queryParameter("$select", .object([("type", .string("string"))]), "Properties to keep, comma-separated"),
            queryParameter("$skiptoken", .object([("type", .string("string"))]), "Position token from @iot.nextLink"),
        ]
    }

    private static var ckanParameters: [JSONValue] {
        [
            pathParameter("action", enumValues: ["package_list", "package_show", "package_search", "organization_list"]),
            queryParameter("id", .object([("type", .string("string"))]), "package_show: the dataset name"),
            queryParameter("q", .object([("type", .string("string"))]), "package_search: words that must all occur"),
            queryParameter("rows", .object([("type", .string("integer")), ("minimum", .number(0)),
                                            ("maximum", .number(Double(CKANRoutes.maxRows)))]), "package_search: page size"),
            queryParameter("start", .object([("type", .string("integer")), ("minimum", .number(0))]), "package_search: offset"),
            queryParameter("all_fields", enumSchema(CKANRoutes.booleans.keys.sorted()), "organization_list: full records"),
        ]
    }

    private static var ckanResponses: JSONValue {
        let envelope: JSONValue = .object([("type", .string("object")), ("required", .array([.string("success")])),
                                           ("properties", .object([("success", .object([("type", .string("boolean"))]))]))])
        return responses([("200", json(envelope)), ("400", json(envelope)), ("404", json(envelope)), ("409", json(envelope))])
    }

    private static func enumSchema(_ values: [String]) -> JSONValue {
        .object([("type", .string("string")), ("enum", .array(values.map(JSONValue.string)))])
    }

    private static func pathParameter(_ name: String, enumValues: [String]) -> JSONValue {
        .object([("name", .string(name)), ("in", .string("path")), ("required", .bool(true)),
                 ("schema", enumValues.isEmpty ? .object([("type", .string("string"))]) : enumSchema(enumValues))])
    }

    private static func pathParameter(_ name: String, pattern: String) -> JSONValue {
        .object([("name", .string(name)), ("in", .string("path")), ("required", .bool(true)),
                 ("schema", .object([("type", .string("string")), ("pattern", .string(pattern))]))])
    }

    private static func queryParameter(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
        .object([("name", .string(name)), ("in", .string("query")), ("description", .string(description)), ("schema", schema)])
    }
}
