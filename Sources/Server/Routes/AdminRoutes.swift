import Foundation
import Hummingbird
import LantaarnModel
import Store

/// Access to the admin API: a bearer token and the alerts it manages.
public struct AdminAccess: Sendable {
    let token: [UInt8]
    let alerts: any AlertStore

    /// `token` must be at least 32 characters (read it from a file, never a flag).
    public init?(token: String, alerts: any AlertStore) {
        let t = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.utf8.count >= 32 else { return nil }
        self.token = Array(t.utf8)
        self.alerts = alerts
    }

    /// Constant-time comparison of the request's `Authorization: Bearer …` with the token.
    func allows(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.dropFirst(7).utf8)
        var difference = UInt8(given.count == token.count ? 0 : 1)
        for i in 0..<token.count { difference |= token[i] ^ (i < given.count ? given[i] : 0) }
        return difference == 0
    }
}

/// The admin API (bearer token): early-warning alerts for people to look at and acknowledge.
/// `GET /admin/alerts[?all=1]`, `POST /admin/alerts/{id}/acknowledge` with
/// `{"by": "...", "note": "..."}`, the internal page `GET /intern/waarschuwingen`, and
/// `GET /admin/datasets/{name}.csv|.json` for datasets that are not public.
/// Nothing here acts on an alert: acknowledging records who looked, when, and a note.
struct AdminRoutes {
    let deps: ServerDependencies

    func register(on router: Router<LantaarnRequestContext>) {
        router.get("/admin/alerts") { request, _ -> Response in
            let admin = try authorize(request)
            let all = request.uri.queryParameters.get("all") == "1"
            let list = try admin.alerts.alerts(includeAcknowledged: all).map(Self.json)
            return Self.json(.object([("ok", .bool(true)), ("alerts", .array(list))]))
        }
        router.post("/admin/alerts/:id/acknowledge") { request, context -> Response in
            let admin = try authorize(request)
            guard let id = Int64(try context.parameters.require("id")) else { throw APIError(.notFound, "no such alert") }
            let body = try await request.body.collect(upTo: 16_384)
            let parsed = try? JSONParser.parse(Array(body.readableBytesView))
            guard let by = parsed?["by"]?.stringValue?.trimmingCharacters(in: .whitespaces), !by.isEmpty, by.count <= 64 else {
                throw APIError(.badRequest, "send JSON {\"by\": \"who looked (at most 64 characters)\", \"note\": \"optional\"}")
            }
            let note = parsed?["note"]?.stringValue.map { String($0.prefix(1000)) }
            guard try admin.alerts.acknowledgeAlert(id: id, by: by, note: note, at: Clock.nowMilliseconds()) else {
                throw APIError(.conflict, "alert \(id) does not exist or was acknowledged before; GET /admin/alerts?all=1 lists them")
            }
            return Self.json(.object([("ok", .bool(true)), ("id", .number(Double(id)))]))
        }
        // Every dataset, public or not, for municipal staff (never cached by a proxy).
        router.get("/admin/datasets/:file") { request, context -> Response in
            _ = try authorize(request)
            let file = try context.parameters.require("file")
            guard let (name, format) = ExportFormat.split(file), let summary = try deps.releases.dataset(named: name) else {
                throw APIError(.notFound, "no dataset download '\(file)'; use /admin/datasets/NAME.csv or NAME.json (GET /datasets lists the names)")
            }
            return try await DatasetDownload.current(request, context: context, summary, format, releases: deps.releases,
                                                     publisher: deps.site.municipality, cacheControl: "no-store", maps: deps.boundaryMaps)
        }
        router.get("/intern/waarschuwingen") { request, _ -> Response in
            let admin = try authorize(request)
            let html = AlertsPage(site: deps.site, alerts: try admin.alerts.alerts(includeAcknowledged: false)).render()
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }

    private func authorize(_ request: Request) throws -> AdminAccess {
        guard let admin = deps.admin else {
            throw APIError(.notFound, "the admin API is off; set admin.token_file in lantaarn.yaml to turn it on")
        }
        guard admin.allows(request) else { throw APIError(.unauthorized, "send Authorization: Bearer with the admin token") }
        return admin
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
