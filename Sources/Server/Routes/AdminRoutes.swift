import Foundation
import Hummingbird
import LantaarnModel
import Store

/// The admin API, for named staff with a role (``StaffAccess``): early-warning alerts for people
/// to look at and acknowledge (`GET /admin/alerts[?all=1]`, `POST /admin/alerts/{id}/acknowledge`
/// with `{"note": "..."}`, the internal page `GET /intern/waarschuwingen`), datasets that are not
/// public (`GET /admin/datasets/{name}.csv|.json`), the audit log (`GET /admin/audit`) and
/// `GET /admin/whoami`. Nothing here acts on an alert: acknowledging records who looked, when,
/// and a note. Every route is in ``table`` with its roles; registering goes through it.
struct AdminRoutes {
    let deps: ServerDependencies

    typealias Handler = @Sendable (StaffPrincipal, Request, LantaarnRequestContext) async throws -> Response

    /// Every admin route and who may use it.
    static let table: [AdminRoute] = [
        AdminRoute(method: .get, path: "/admin/whoami", roles: Set(StaffRole.allCases)),
        AdminRoute(method: .get, path: "/admin/alerts", roles: [.datateam, .privacy, .admin]),
        AdminRoute(method: .post, path: "/admin/alerts/:id/acknowledge", roles: [.datateam, .privacy]),
        AdminRoute(method: .get, path: "/admin/datasets/:file", roles: [.datateam, .privacy, .archivist]),
        AdminRoute(method: .get, path: "/admin/audit", roles: [.admin, .privacy]),
        AdminRoute(method: .get, path: "/intern/waarschuwingen", roles: [.datateam, .privacy, .admin]),
    ]

    func register(on router: Router<LantaarnRequestContext>) {
        let handlers = self.handlers()
        for route in Self.table {
            guard let handler = handlers[route.description] else { preconditionFailure("admin route \(route) has no handler") }
            router.on(RouterPath(route.path), method: route.method) { [deps] request, context in
                guard let access = deps.admin else {
                    throw APIError(.notFound, "the admin API is off on this listener")
                }
                return try await handler(try await access.authorize(request, route), request, context)
            }
        }
    }

    private func handlers() -> [String: Handler] {
        let deps = deps
        return [
            "GET /admin/whoami": { who, _, _ in
                Self.json(.object([("ok", .bool(true)), ("name", .string(who.name)),
                                   ("roles", .array(who.roles.sorted().map { .string($0.rawValue) }))]))
            },
            "GET /admin/alerts": { _, request, _ in
                let all = request.uri.queryParameters.get("all") == "1"
                let list = try deps.admin!.alerts.alerts(includeAcknowledged: all).map(Self.json)
                return Self.json(.object([("ok", .bool(true)), ("alerts", .array(list))]))
            },
            "POST /admin/alerts/:id/acknowledge": { who, request, context in
                guard let id = Int64(try context.parameters.require("id")) else { throw APIError(.notFound, "no such alert") }
                let body = try await request.body.collect(upTo: 16_384)
                let parsed = try? JSONParser.parse(Array(body.readableBytesView))
                // A named member of staff is who looked; the old shared token must say who.
                var by = who.name
                if who.name == "admin-token" {
                    guard let given = parsed?["by"]?.stringValue?.trimmingCharacters(in: .whitespaces), !given.isEmpty, given.count <= 64 else {
                        throw APIError(.badRequest, "send JSON {\"by\": \"who looked (at most 64 characters)\", \"note\": \"optional\"}")
                    }
                    by = given
                }
                let note = parsed?["note"]?.stringValue.map { String($0.prefix(1000)) }
                guard try deps.admin!.alerts.acknowledgeAlert(id: id, by: by, note: note, at: Clock.nowMilliseconds()) else {
                    throw APIError(.conflict, "alert \(id) does not exist or was acknowledged before; GET /admin/alerts?all=1 lists them")
                }
                return Self.json(.object([("ok", .bool(true)), ("id", .number(Double(id)))]))
            },
            // Every dataset, public or not, for municipal staff (never cached by a proxy).
            "GET /admin/datasets/:file": { _, request, context in
                let file = try context.parameters.require("file")
                guard let (name, format) = ExportFormat.split(file), let summary = try deps.releases.dataset(named: name) else {
                    throw APIError(.notFound, "no dataset download '\(file)'; use /admin/datasets/NAME.csv or NAME.json (GET /datasets lists the names)")
                }
                return try await DatasetDownload.current(request, context: context, summary, format, releases: deps.releases,
                                                         publisher: deps.site.municipality, cacheControl: "no-store", maps: deps.boundaryMaps)
            },
            "GET /admin/audit": { _, request, _ in
                let q = request.uri.queryParameters
                func time(_ key: String) throws -> Int64? {
                    guard let text = q.get(key) else { return nil }
                    guard let t = ISO8601.parse(text) else { throw APIError(.badRequest, "\(key) must be an ISO 8601 time, like 2026-12-01T00:00:00Z") }
                    return t
                }
                let limit = q.get("limit").flatMap(Int.init) ?? 100
                guard (1...10_000).contains(limit) else { throw APIError(.badRequest, "limit must be 1 to 10000") }
                let filter = AuditFilter(actor: q.get("actor"), action: q.get("action"), outcome: q.get("outcome"),
                                         since: try time("since"), until: try time("until"), limit: limit)
                let entries = try deps.admin!.staff.auditEntries(filter).map(Self.json)
                return Self.json(.object([("ok", .bool(true)), ("entries", .array(entries))]))
            },
            "GET /intern/waarschuwingen": { _, _, _ in
                let html = AlertsPage(site: deps.site, alerts: try deps.admin!.alerts.alerts(includeAcknowledged: false)).render()
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(string: html)))
            },
        ]
    }

    static func json(_ e: AuditEntry) -> JSONValue {
        let d = e.draft
        return .object([("seq", .number(Double(e.seq))), ("at", .string(ISO8601.format(milliseconds: d.at))), ("actor", .string(d.actor)),
                        ("action", .string(d.action)), ("target", .string(d.target)), ("outcome", .string(d.outcome)),
                        ("detail", .string(d.detail)), ("hash", .string(e.hash))])
    }

    static func json(_ a: MeldingAlert) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("id", .number(Double(a.id))), ("week_start", .string(ISO8601.format(milliseconds: a.weekStart))),
            ("wijk", .string(a.wijk)), ("kind", .string(a.kind.rawValue)), ("categories", .string(a.categories)),
            ("observed", .number(Double(a.observed))), ("expected", .number((a.expected * 10).rounded() / 10)),
            ("tail_probability", .number(a.tail)),
        ]
        if let at = a.acknowledgedAt {
            fields += [("acknowledged_at", .string(ISO8601.format(milliseconds: at))), ("acknowledged_by", .string(a.acknowledgedBy ?? "")),
                       ("note", a.note.map(JSONValue.string) ?? .null)]
        }
        return .object(fields)
    }

    static func json(_ v: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(v))))
    }
}

/// `/intern/waarschuwingen`: the open alerts, in plain Dutch, for the people who act on them.
struct AlertsPage {
    let site: PublicSite
    let alerts: [MeldingAlert]

    func render() -> String {
        var body = """
        <h1>Waarschuwingen meldingen</h1>
        <p>Hier staan wijken waar deze week veel meer meldingen binnenkwamen dan we verwachtten. Het is een advies:
        kijk of er iets aan de hand is, en zet daarna een vinkje via de beheer-API. Het systeem doet zelf niets.</p>
        """
        if alerts.isEmpty {
            body += "<p>Er zijn geen open waarschuwingen.</p>"
        } else {
            body += "<table><caption>Open waarschuwingen</caption><thead><tr><th scope=\"col\">Week</th><th scope=\"col\">Wijk</th><th scope=\"col\">Soort</th><th scope=\"col\">Categorieën</th><th scope=\"col\">Aantal</th><th scope=\"col\">Verwacht</th></tr></thead><tbody>"
            for a in alerts {
                let kind = a.kind == .stacked ? "Meerdere problemen tegelijk" : "Piek"
                body += "<tr><td>\(HTML.escape(String(ISO8601.format(milliseconds: a.weekStart).prefix(10))))</td><td>\(HTML.escape(a.wijk))</td><td>\(kind)</td><td>\(HTML.escape(a.categories))</td><td>\(a.observed)</td><td>\(String(format: "%.1f", a.expected))</td></tr>"
            }
            body += "</tbody></table>"
        }
        return PageLayout(site: site).render(title: "Waarschuwingen meldingen", body: body)
    }
}
