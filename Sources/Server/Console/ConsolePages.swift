import Foundation
import HTTPTypes
import Hummingbird
import LantaarnModel
import Store

/// The console's pages and forms (see ``ConsoleRoutes``), in Dutch at B1.
struct ConsolePages: Sendable {
    let deps: ServerDependencies
    let access: StaffAccess
    let sources: ConsoleSources
    var sessions: ConsoleSessions { ConsoleSessions(staff: access.staff) }

    typealias Call = ConsoleRoutes.Call

    func page(status: HTTPResponse.Status = .ok, session: StaffSession?, title: String, body: String,
              cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: status, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: ConsoleLayout(site: deps.site, session: session).render(title: title, body: body))))
    }

    func audit(_ call: Call, _ action: String, _ target: String, _ outcome: String, _ detail: String) throws {
        try access.staff.appendAudit(AuditDraft(at: call.now, actor: call.session?.staff ?? "anonymous", action: action,
                                                target: String(target.prefix(300)), outcome: outcome, detail: String(detail.prefix(300))))
    }

    func csrfField(_ call: Call) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(call.who.csrf))\">"
    }

    func handlers() -> [String: ConsoleRoutes.Handler] {
        [
            "GET /beheer/inloggen": { call in loginForm(call, status: .ok, message: nil) },
            "POST /beheer/inloggen": { call in try login(call) },
            "GET /beheer/oidc": { call in try await oidcStart(call) },
            "GET /beheer/oidc/terug": { call in try await oidcReturn(call) },
            "GET /beheer/stijl.css": { _ in
                Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "private, max-age=3600"],
                         body: .init(byteBuffer: ByteBuffer(string: Stylesheet.css(colour: deps.site.colour) + Self.extraCSS)))
            },
            "POST /beheer/uitloggen": { call in
                try sessions.staff.closeSession(hash: call.sessionHash!, at: call.now)
                try audit(call, "console.logout", "session", "ok", "")
                return page(session: nil, title: "Uitgelogd", body: "<p>U bent uitgelogd.</p><p><a href=\"/beheer/inloggen\">Opnieuw inloggen</a></p>",
                            cookies: [ConsoleSessions.clearCookieHeader(ConsoleSessions.sessionCookie)])
            },
            "GET /beheer": { call in try overview(call) },
            "GET /beheer/wijzigingen": { call in try changes(call) },
            "GET /beheer/wijzigingen/:id": { call in try change(call) },
            "POST /beheer/wijzigingen/:id/besluit": { call in try decide(call) },
            "GET /beheer/pijplijnen": { call in try pipelines(call) },
            "POST /beheer/pijplijnen/:name/opnieuw": { call in
                let name = try call.context.parameters.require("name")
                return try act(call, "pipeline.retry", name, title: "Opnieuw gedraaid", back: ("/beheer/pijplijnen", "Terug naar de pijplijnen")) {
                    try sources.retry(name)
                }
            },
            "GET /beheer/quarantaine": { call in try quarantine(call) },
            "POST /beheer/quarantaine/opnieuw": { call in
                try act(call, "quarantine.replay", "all", title: "Quarantaine opnieuw gecontroleerd", back: ("/beheer/quarantaine", "Terug naar de quarantaine")) {
                    try sources.replay()
                }
            },
            "GET /beheer/sensoren": { call in silentSensors(call) },
            "GET /beheer/bewaarplicht": { call in try holds(call) },
            "POST /beheer/bewaarplicht/:id/opheffen": { call in try proposeLift(call) },
            "GET /beheer/audit": { call in try auditLog(call) },
        ]
    }

    // MARK: helpers

    /// Runs an action of the console, audited with what it did (or why it failed), and shows it.
    func act(_ call: Call, _ action: String, _ target: String, title: String, back: (String, String),
             _ body: () throws -> String) throws -> Response {
        let link = "<p><a href=\"\(back.0)\">\(HTML.escape(back.1))</a></p>"
        do {
            let done = try body()
            try audit(call, action, target, "ok", done)
            return page(session: call.who, title: title, body: "<p>\(HTML.escape(done))</p>" + link)
        } catch {
            try audit(call, action, target, "failed", "\(error)")
            return page(status: .conflict, session: call.who, title: "Niet gelukt",
                        body: "<p>Dit ging mis: \(HTML.escape("\(error)"))</p>" + link)
        }
    }

    /// The newest run of each pipeline, when it failed.
    static func failing(_ runs: [PipelineRunRecord]) -> [PipelineRunRecord] {
        var seen = Set<String>()
        return runs.sorted { $0.startedAt > $1.startedAt }.filter { seen.insert($0.pipeline).inserted && $0.outcome != "ok" }
    }

    static func status(_ s: ChangeStatus) -> String {
        switch s {
        case .pending: return "wacht op besluit"
        case .approved: return "goedgekeurd"
        case .rejected: return "afgewezen"
        case .superseded: return "vervangen door een nieuwer voorstel"
        }
    }

    static func dutch(_ e: ApprovalError) -> String {
        switch e {
        case .ownChange: return "U heeft deze wijziging zelf voorgesteld. Een andere medewerker moet erover besluiten."
        case .lacksRole(_, let needed): return "Hiervoor is de rol \(StaffRole.text(needed).replacingOccurrences(of: ",", with: " of ")) nodig."
        case .notPending: return "Over deze wijziging is al besloten."
        case .noReason: return "Schrijf op waarom (minstens 5 tekens). Dat wordt bij het besluit bewaard."
        case .noSuchChange: return "Deze wijziging bestaat niet."
        case .noSuchHold: return "Deze bewaarplicht bestaat niet."
        case .identityRequired: return "Log in met uw eigen account."
        }
    }

    static let extraCSS = """

    .menu { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
    .uitloggen p { margin: 0.5rem 0; }
    pre { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 30rem; overflow: auto; border: 1px solid #767676; padding: 0.5rem; }
    .fout { border-left: 4px solid #b00020; padding-left: 0.5rem; }
    .verborgen { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    dt { font-weight: bold; }
    td, dd, code { overflow-wrap: anywhere; }
    textarea, input { max-width: 100%; box-sizing: border-box; }
    pre:focus-visible, textarea:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; box-shadow: 0 0 0 6px #ffdd00; }
    """
}
