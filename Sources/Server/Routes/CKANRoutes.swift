import Foundation
import Hummingbird
import LantaarnModel
import Store

/// The part of CKAN's Action API that harvesters use (data.overheid.nl harvests through CKAN):
/// `package_list`, `package_show?id=`, `package_search?q=&rows=&start=` and
/// `organization_list`, under `/api/3/action/` and `/api/action/` (the path the `ckanapi`
/// client uses), by GET with query parameters or POST with a JSON body.
///
/// Answers use CKAN's own envelope (`{"help", "success", "result"}`, errors as
/// `{"success": false, "error": {"__type", "message"}}`), not Lantaarn's, so CKAN clients
/// work unmodified. A dataset that is not public is a package without resources, with its
/// reason in `extras`.
struct CKANRoutes {
    let deps: ServerDependencies
    /// Largest `rows` of `package_search`.
    static let maxRows = 1000

    func register(on router: Router<LantaarnRequestContext>) {
        for prefix in ["/api/3/action", "/api/action"] {
            router.get("\(prefix)/:action") { request, context in
                try await answer(request, context, parameters: Self.query(request))
            }
            router.post("\(prefix)/:action") { request, context in
                let body = try await request.body.collect(upTo: 65_536)
                var parameters = Self.query(request)
                if body.readableBytes > 0 {
                    guard case .object(let fields)? = try? JSONParser.parse(Array(body.readableBytesView)) else {
                        return Self.error(.badRequest, "Validation Error", "send the parameters as a JSON object")
                    }
                    for (key, value) in fields {
                        switch value {
                        case .string(let s): parameters[key] = s
                        case .number(let n): parameters[key] = n == n.rounded() ? String(Int64(n)) : String(n)
                        case .bool(let b): parameters[key] = String(b)
                        default: continue
                        }
                    }
                }
                return try await answer(request, context, parameters: parameters)
            }
        }
    }

    private static func query(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { out[String(key)] = String(value) }
        return out
    }

    /// CKAN's boolean values.
    static let booleans = ["true": true, "false": false, "True": true, "False": false, "1": true, "0": false, "yes": true, "no": false]

    static func boolean(_ text: String) -> Bool? { booleans[text] }

    private func answer(_ request: Request, _ context: LantaarnRequestContext, parameters: [String: String]) async throws -> Response {
        let action = try context.parameters.require("action")
        let base = deps.baseURL(request)
        let help = "\(base)/api/3/action/help_show?name=\(action)"
        // Paging parameters are checked whichever action is asked, as CKAN's validators do.
        guard let rows = Int(parameters["rows"] ?? "10"), (0...Self.maxRows).contains(rows),
              let start = Int(parameters["start"] ?? "0"), start >= 0 else {
            return Self.error(.conflict, "Validation Error", "rows must be 0 to \(Self.maxRows) and start 0 or more")
        }
        guard let allFields = Self.boolean(parameters["all_fields"] ?? "false") else {
            return Self.error(.conflict, "Validation Error", "all_fields must be true or false")
        }
        switch action {
        case "package_list":
            return Self.success(help, .array(try deps.releases.datasetNames().map(JSONValue.string)))
        case "package_show":
            guard let id = parameters["id"] ?? parameters["name"] else {
                return Self.error(.conflict, "Validation Error", "Missing value: id")
            }
            guard let summary = try deps.releases.dataset(named: id) else {
                return Self.error(.notFound, "Not Found Error", "Not found: no dataset '\(id.prefix(100))'")
            }
            return Self.success(help, package(summary, base: base))
        case "package_search":
            let hits = CatalogPage.matching(try deps.releases.datasets(), query: parameters["q"] ?? "")
            let page = hits.dropFirst(start).prefix(rows).map { package($0, base: base) }
            return Self.success(help, .object([
                ("count", .number(Double(hits.count))), ("sort", .string("name asc")), ("facets", .object([])),
                ("search_facets", .object([])), ("results", .array(Array(page))),
            ]))
        case "organization_list":
            let full = allFields
            return Self.success(help, .array([full ? organization : .string(organizationName)]))
        default:
            return Self.error(.badRequest, "Validation Error",
                              "Action name not known: \(action.prefix(60)); this server answers package_list, package_show, package_search and organization_list")
        }
    }

    /// `gemeente-haarlem`.
    private var organizationName: String {
        String(deps.site.municipality.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    private var organization: JSONValue {
        .object([("id", .string(organizationName)), ("name", .string(organizationName)), ("title", .string(deps.site.municipality)),
                 ("type", .string("organization")), ("state", .string("active")), ("is_organization", .bool(true)),
                 ("description", .string("Open data van \(deps.site.municipality)"))])
    }

    private func package(_ s: DatasetSummary, base: String) -> JSONValue {
        let m = s.metadata
        let modified = s.updatedAt.map(Self.ckanTime) ?? "1970-01-01T00:00:00.000000"
        var extras: [(String, String?)] = [("theme", m.theme), ("frequency", m.frequency), ("spatial", m.spatial),
                                           ("access_rights", m.accessRights), ("classification", m.classification),
                                           ("retention", m.retention), ("pipeline", m.pipeline)]
        if !m.isPublic { extras.append(("access_reason", m.accessReason ?? "geen reden vastgelegd")) }
        if let c = s.coverage {
            extras += [("temporal_start", ISO8601.format(milliseconds: c.start)), ("temporal_end", ISO8601.format(milliseconds: c.end))]
        }
        let resources: [JSONValue] = m.isPublic ? ExportFormat.allCases.map { f in
            .object([("id", .string("\(m.name)-\(f.rawValue)")), ("package_id", .string(m.name)),
                     ("name", .string("\(m.title) (\(f.rawValue.uppercased()))")), ("format", .string(f.rawValue.uppercased())),
                     ("mimetype", .string(String(f.contentType.prefix { $0 != ";" }))), ("url", .string("\(base)/datasets/\(m.name).\(f.rawValue)")),
                     ("description", .string("Alle rijen van de laatste versie, volledig")), ("last_modified", .string(modified)),
                     ("state", .string("active"))])
        } : []
        return .object([
            ("id", .string(m.name)), ("name", .string(m.name)), ("title", .string(m.title)), ("notes", .string(m.description)),
            ("type", .string("dataset")), ("state", .string("active")), ("private", .bool(false)),
            ("license_id", .string(m.license)), ("license_title", .string(m.license)),
            ("url", .string("\(base)/datasets/\(m.name)/releases")),
            ("metadata_created", .string(modified)), ("metadata_modified", .string(modified)),
            ("owner_org", .string(organizationName)), ("organization", organization),
            ("maintainer", .string(deps.site.municipality)), ("maintainer_email", .string(deps.site.contactEmail)),
            ("author", .string(deps.site.municipality)),
            ("tags", .array([])), ("groups", .array([])),
            ("extras", .array(extras.compactMap { k, v in v.map { .object([("key", .string(k)), ("value", .string($0))]) } })),
            ("num_resources", .number(Double(resources.count))), ("resources", .array(resources)),
        ])
    }

    /// CKAN writes times as `2026-11-23T10:00:00.000000` (UTC, no zone).
    static func ckanTime(_ ms: Int64) -> String {
        String(ISO8601.format(milliseconds: TimeBucket.floor(ms, size: 1000)).dropLast()) + ".000000"
    }

    private static func success(_ help: String, _ result: JSONValue) -> Response {
        json(.ok, .object([("help", .string(help)), ("success", .bool(true)), ("result", result)]))
    }

    private static func error(_ status: HTTPResponse.Status, _ type: String, _ message: String) -> Response {
        json(status, .object([("help", .string("")), ("success", .bool(false)),
                              ("error", .object([("__type", .string(type)), ("message", .string(message))]))]))
    }

    private static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(value))))
    }
}
