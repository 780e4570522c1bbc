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

    private func audit(_ call: Call, _ action: String, _ target: String, _ outcome: String, _ detail: String) throws {
        try access.staff.appendAudit(AuditDraft(at: call.now, actor: call.session?.staff ?? "anonymous", action: action,
                                                target: String(target.prefix(300)), outcome: outcome, detail: String(detail.prefix(300))))
    }

    private func csrfField(_ call: Call) -> String {
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
                do {
                    let done = try sources.retry(name)
                    try audit(call, "pipeline.retry", name, "ok", done)
                    return page(session: call.who, title: "Opnieuw gedraaid", body: "<p>\(HTML.escape(done))</p><p><a href=\"/beheer/pijplijnen\">Terug naar de pijplijnen</a></p>")
                } catch {
                    try audit(call, "pipeline.retry", name, "failed", "\(error)")
                    return page(status: .conflict, session: call.who, title: "Niet gelukt",
                                body: "<p>Het opnieuw draaien van \(HTML.escape(name)) ging mis: \(HTML.escape("\(error)"))</p><p><a href=\"/beheer/pijplijnen\">Terug</a></p>")
                }
            },
            "GET /beheer/quarantaine": { call in try quarantine(call) },
            "POST /beheer/quarantaine/opnieuw": { call in
                let done = try sources.replay()
                try audit(call, "quarantine.replay", "all", "ok", done)
                return page(session: call.who, title: "Quarantaine opnieuw gecontroleerd", body: "<p>\(HTML.escape(done))</p><p><a href=\"/beheer/quarantaine\">Terug naar de quarantaine</a></p>")
            },
            "GET /beheer/sensoren": { call in silentSensors(call) },
            "GET /beheer/bewaarplicht": { call in try holds(call) },
            "POST /beheer/bewaarplicht/:id/opheffen": { call in try proposeLift(call) },
            "GET /beheer/audit": { call in try auditLog(call) },
        ]
    }

    // MARK: signing in

    private func loginForm(_ call: Call, status: HTTPResponse.Status, message: String?) -> Response {
        let binding = ConsoleSessions.random()
        let oidc = access.oidcLogin == nil ? ""
            : "<h2>Met uw gemeente-account</h2><p><a href=\"/beheer/oidc\">Inloggen via de identiteitsprovider van de gemeente</a></p>"
        let body = """
        \(message.map { "<p class=\"fout\" role=\"alert\">\(HTML.escape($0))</p>" } ?? "")
        <p>Log in met uw persoonlijke token. U krijgt dat van een beheerder (<code>lantaarn staff token NAAM</code>).</p>
        <form method="post" action="/beheer/inloggen">
        <input type="hidden" name="inlog" value="\(binding)">
        <p><label for="token">Persoonlijk token</label><br>
        <input id="token" name="token" type="password" autocomplete="off" required size="40"></p>
        <p><button type="submit">Inloggen</button></p>
        </form>
        \(oidc)
        """
        return page(status: status, session: nil, title: "Inloggen", body: body,
                    cookies: ["\(ConsoleSessions.loginCookie)=\(binding); Path=/beheer; Max-Age=1800; Secure; HttpOnly; SameSite=Strict"])
    }

    private func login(_ call: Call) throws -> Response {
        guard let binding = ConsoleSessions.cookie(ConsoleSessions.loginCookie, in: call.request),
              ConsoleSessions.matches(call.form?["inlog"], binding) else {
            try audit(call, "console.login", "token", "denied", "sign-in form not from this browser")
            return loginForm(call, status: .forbidden, message: "Het inlogformulier is verlopen. Probeer het nog eens.")
        }
        let token = (call.form?["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard StaffTokenText.looksLikeToken(token) else {
            try audit(call, "console.login", "token", "denied", "not a token")
            return loginForm(call, status: .unauthorized, message: "Dat is geen persoonlijk token. Een token begint met lnt_.")
        }
        switch try access.staff.lookupToken(hash: StaffTokenText.hash(token), now: call.now) {
        case let .valid(member, id):
            let expires = try access.staff.tokens(staff: member.name).first { $0.id == id }?.expiresAt ?? call.now
            let value = try sessions.open(StaffPrincipal(name: member.name, roles: member.roles, via: "token \(id)"), tokenID: id, until: expires, now: call.now)
            try access.staff.appendAudit(AuditDraft(at: call.now, actor: member.name, action: "console.login", target: "token", outcome: "ok", detail: "token \(id)"))
            var headers: HTTPFields = [.location: "/beheer", .cacheControl: "no-store"]
            headers.append(HTTPField(name: .setCookie, value: ConsoleSessions.sessionCookieHeader(value, maxAge: ConsoleSessions.lifetime / 1000)))
            headers.append(HTTPField(name: .setCookie, value: ConsoleSessions.clearCookieHeader(ConsoleSessions.loginCookie)))
            return Response(status: .seeOther, headers: headers)
        case let .expired(name, id), let .revoked(name, id), let .disabled(name, id):
            try access.staff.appendAudit(AuditDraft(at: call.now, actor: name, action: "console.login", target: "token", outcome: "denied",
                                                    detail: "token \(id) expired, revoked or of a disabled account"))
            return loginForm(call, status: .unauthorized, message: "Dit token werkt niet meer (verlopen of ingetrokken). Vraag een beheerder om een nieuw token.")
        case .unknown:
            try audit(call, "console.login", "token", "denied", "unknown token")
            return loginForm(call, status: .unauthorized, message: "Dit token kennen we niet. Controleer of u het helemaal heeft overgenomen.")
        }
    }

    static let oidcCookie = "lantaarn_oidc"

    private func oidcRedirect(_ call: Call, _ login: OIDCLogin) -> String {
        login.configuration.redirectURL ?? deps.baseURL(call.request) + "/beheer/oidc/terug"
    }

    /// Sends the browser to the identity provider (authorization code with PKCE).
    private func oidcStart(_ call: Call) async throws -> Response {
        guard let login = access.oidcLogin else {
            return page(status: .notFound, session: nil, title: "Niet ingesteld", body: "<p>Inloggen via de identiteitsprovider is hier niet ingesteld. <a href=\"/beheer/inloggen\">Log in met uw token</a>.</p>")
        }
        do {
            let (location, transaction) = try await login.start(redirect: oidcRedirect(call, login), random: ConsoleSessions.random)
            var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
            // SameSite=Lax: the identity provider sends the browser back with a top-level GET from its own site.
            headers.append(HTTPField(name: .setCookie, value: "\(Self.oidcCookie)=\(transaction.cookie); Path=/beheer/oidc; Max-Age=600; Secure; HttpOnly; SameSite=Lax"))
            return Response(status: .seeOther, headers: headers)
        } catch {
            return page(status: .badGateway, session: nil, title: "Identiteitsprovider niet bereikbaar",
                        body: "<p>De identiteitsprovider van de gemeente is nu niet bereikbaar. Probeer het later nog eens, of <a href=\"/beheer/inloggen\">log in met uw token</a>.</p>")
        }
    }

    /// The identity provider's answer: the code is exchanged, the ID token checked, a session opened.
    private func oidcReturn(_ call: Call) async throws -> Response {
        guard let login = access.oidcLogin else {
            return page(status: .notFound, session: nil, title: "Niet ingesteld", body: "<p>Inloggen via de identiteitsprovider is hier niet ingesteld.</p>")
        }
        let q = call.request.uri.queryParameters
        let clear = "\(Self.oidcCookie)=; Path=/beheer/oidc; Max-Age=0; Secure; HttpOnly; SameSite=Lax"
        func refuse(_ status: HTTPResponse.Status, _ reason: String, _ message: String) throws -> Response {
            try audit(call, "console.login", "oidc", "denied", reason)
            return page(status: status, session: nil, title: "Inloggen mislukt",
                        body: "<p>\(HTML.escape(message))</p><p><a href=\"/beheer/inloggen\">Opnieuw inloggen</a></p>", cookies: [clear])
        }
        if let error = q.get("error") {
            return try refuse(.unauthorized, "identity provider: \(error.prefix(60))", "De identiteitsprovider heeft het inloggen geweigerd.")
        }
        guard let t = ConsoleSessions.cookie(Self.oidcCookie, in: call.request).flatMap({ OIDCLogin.Transaction(cookie: $0) }),
              ConsoleSessions.matches(q.get("state").map { String($0) }, t.state) else {
            return try refuse(.forbidden, "state does not match this browser", "Dit inloggen is niet in deze browser begonnen of duurde te lang. Begin opnieuw.")
        }
        guard let code = q.get("code"), !code.isEmpty, code.count <= 4096 else {
            return try refuse(.badRequest, "no code", "De identiteitsprovider gaf geen code terug. Begin opnieuw.")
        }
        let principal: StaffPrincipal
        do {
            principal = try await login.finish(code: String(code), redirect: oidcRedirect(call, login), transaction: t, now: call.now)
        } catch let refusal as OIDCVerifier.Refusal {
            return try refuse(.unauthorized, "oidc: \(refusal)", "Het inloggen is geweigerd: \(refusal)")
        }
        guard !principal.roles.isEmpty else {
            return try refuse(.forbidden, "\(principal.name): no Lantaarn role in the token", "Uw account heeft geen rol in Lantaarn. Vraag die aan bij uw beheerder.")
        }
        let value = try sessions.open(principal, tokenID: nil, until: call.now + ConsoleSessions.lifetime, now: call.now)
        try access.staff.appendAudit(AuditDraft(at: call.now, actor: principal.name, action: "console.login", target: "oidc", outcome: "ok", detail: principal.via))
        // A page, not a redirect: after the trip through the identity provider's site, the browser
        // sends the SameSite=Strict cookie only on a navigation that starts here.
        return page(session: nil, title: "Ingelogd", body: "<p>U bent ingelogd als \(HTML.escape(principal.name)).</p><p><a href=\"/beheer\">Naar het overzicht</a></p>",
                    cookies: [ConsoleSessions.sessionCookieHeader(value, maxAge: ConsoleSessions.lifetime / 1000), clear])
    }

    // MARK: overview and changes

    private func overview(_ call: Call) throws -> Response {
        let pending = try access.staff.changes(status: .pending, kind: nil, limit: 1000).count
        let failing = Self.failing(deps.pipelineRuns()).count
        let stale = try sources.staleWindows().count
        let quarantined = try sources.quarantine().count
        let silent = sources.ingestsHere ? "\(deps.ingestStatus().silent.count)" : "onbekend op deze server"
        let holds = try sources.holds().count
        let rows: [[String]] = [
            ["<a href=\"/beheer/wijzigingen\">Wijzigingen die wachten op een besluit</a>", "\(pending)"],
            ["<a href=\"/beheer/pijplijnen\">Pijplijnen waarvan de laatste run mislukte</a>", "\(failing)"],
            ["<a href=\"/beheer/pijplijnen\">Verouderde vensters (gegevens veranderd na publicatie)</a>", "\(stale)"],
            ["<a href=\"/beheer/quarantaine\">Berichten in quarantaine</a>", "\(quarantined)"],
            ["<a href=\"/beheer/sensoren\">Stille sensoren</a>", silent],
            ["<a href=\"/beheer/bewaarplicht\">Bewaarplichten</a>", "\(holds)"],
        ]
        return page(session: call.who, title: "Overzicht", body: "<p>Wat uw aandacht nodig heeft.</p>"
                    + ConsoleLayout.table("Stand van zaken", ["Onderwerp", "Aantal"], rows, empty: ""))
    }

    private func changes(_ call: Call) throws -> Response {
        func rows(_ list: [ChangeRequest]) -> [[String]] {
            list.map { c in
                ["<a href=\"/beheer/wijzigingen/\(c.id)\">#\(c.id)</a>", HTML.escape(c.proposal.kind.dutch), HTML.escape(c.proposal.target),
                 HTML.escape(c.proposal.proposedBy), HTML.escape(ConsoleLayout.time(c.proposal.proposedAt)), Self.status(c.status)
                    + (c.decidedBy.map { " door " + HTML.escape($0) } ?? "")]
            }
        }
        let pending = try access.staff.changes(status: .pending, kind: nil, limit: 200)
        let recent = try access.staff.changes(status: nil, kind: nil, limit: 50).filter { $0.status != .pending }
        let headers = ["Nummer", "Soort", "Wat", "Voorgesteld door", "Wanneer", "Stand"]
        let waiting = try sources.waiting()
        let notProposed = waiting.isEmpty ? "" : "<h2>Gewijzigde pijplijnbestanden</h2>" + ConsoleLayout.table(
            "Pijplijnen waarvan het bestand afwijkt van de goedgekeurde versie", ["Pijplijn", "Draait nu"],
            waiting.map { [HTML.escape($0.pipeline), $0.running.map { "goedgekeurde versie " + HTML.escape(String($0.prefix(12))) } ?? "niets (nog nooit goedgekeurd)"] },
            empty: "") + "<p>Stel een wijziging voor met <code>lantaarn pipeline propose NAAM</code>.</p>"
        return page(session: call.who, title: "Wijzigingen", body: """
            <p>Een wijziging gaat pas in als een tweede medewerker met de juiste rol haar goedkeurt. Niemand keurt een eigen wijziging goed.</p>
            <h2>Wachten op een besluit</h2>
            \(ConsoleLayout.table("Wijzigingen die wachten", headers, rows(pending), empty: "Er wachten geen wijzigingen."))
            \(notProposed)
            <h2>Recent besloten</h2>
            \(ConsoleLayout.table("Recent besloten wijzigingen", headers, rows(recent), empty: "Nog geen besluiten."))
            """)
    }

    private func change(_ call: Call) throws -> Response {
        guard let id = Int64(try call.context.parameters.require("id")), let c = try access.staff.change(id: id) else {
            return page(status: .notFound, session: call.who, title: "Niet gevonden", body: "<p>Deze wijziging bestaat niet. <a href=\"/beheer/wijzigingen\">Naar de wijzigingen</a></p>")
        }
        var body = """
        <p>\(HTML.escape(c.proposal.summary))</p>
        <dl>
        <dt>Soort</dt><dd>\(HTML.escape(c.proposal.kind.dutch))</dd>
        <dt>Wat</dt><dd>\(HTML.escape(c.proposal.target))</dd>
        <dt>Voorgesteld door</dt><dd>\(HTML.escape(c.proposal.proposedBy)), \(HTML.escape(ConsoleLayout.time(c.proposal.proposedAt)))</dd>
        <dt>Vingerafdruk (SHA-256)</dt><dd><code>\(HTML.escape(c.proposal.contentHash))</code></dd>
        <dt>Stand</dt><dd>\(Self.status(c.status))\(c.decidedBy.map { " door " + HTML.escape($0) + ", " + HTML.escape(ConsoleLayout.time(c.decidedAt)) + ": " + HTML.escape(c.reason ?? "") } ?? "")</dd>
        </dl>
        """
        if !c.proposal.diff.isEmpty {
            body += "<details open><summary>Wat verandert er (regels met - gaan weg, met + komen erbij)</summary><pre tabindex=\"0\">\(HTML.escape(c.proposal.diff))</pre></details>"
        }
        if !c.proposal.preview.isEmpty {
            body += "<details open><summary>Voorbeeld van de uitkomst, naast wat nu gepubliceerd is</summary><pre tabindex=\"0\">\(HTML.escape(c.proposal.preview))</pre></details>"
        }
        if c.status == .pending {
            if c.proposal.proposedBy == call.who.staff {
                body += "<p>U heeft deze wijziging zelf voorgesteld. Een andere medewerker moet erover besluiten.</p>"
            } else if call.who.roles.isDisjoint(with: c.proposal.kind.approvers) {
                body += "<p>Hierover besluit iemand met de rol \(HTML.escape(StaffRole.text(c.proposal.kind.approvers).replacingOccurrences(of: ",", with: " of "))).</p>"
            } else {
                body += """
                <h2>Besluit</h2>
                <form method="post" action="/beheer/wijzigingen/\(c.id)/besluit">
                \(csrfField(call))
                <p><label for="reden">Waarom besluit u zo? (verplicht, minstens 5 tekens)</label><br>
                <textarea id="reden" name="reden" rows="3" cols="60" required minlength="5"></textarea></p>
                <p><button type="submit" name="besluit" value="goedkeuren">Goedkeuren</button>
                <button type="submit" name="besluit" value="afwijzen">Afwijzen</button></p>
                </form>
                """
            }
        }
        return page(session: call.who, title: "Wijziging #\(c.id)", body: body)
    }

    private func decide(_ call: Call) throws -> Response {
        guard let id = Int64(try call.context.parameters.require("id")) else {
            return page(status: .notFound, session: call.who, title: "Niet gevonden", body: "<p>Deze wijziging bestaat niet.</p>")
        }
        let verdict = call.form?["besluit"]
        guard verdict == "goedkeuren" || verdict == "afwijzen" else {
            return page(status: .badRequest, session: call.who, title: "Kies een besluit", body: "<p>Kies Goedkeuren of Afwijzen. <a href=\"/beheer/wijzigingen/\(id)\">Terug</a></p>")
        }
        do {
            let c = try sources.desk.decide(id, approve: verdict == "goedkeuren", by: call.who.staff, roles: call.who.roles,
                                            reason: call.form?["reden"] ?? "", at: call.now)
            let effect = c.status == .rejected ? "Wat nu geldt, blijft gelden."
                : c.proposal.kind == .pipeline ? "De planner draait deze versie vanaf het volgende venster."
                : c.proposal.kind == .holdLift ? "De bewaarplicht is opgeheven." : "De wijziging geldt nu."
            return page(session: call.who, title: c.status == .approved ? "Goedgekeurd" : "Afgewezen",
                        body: "<p>Wijziging #\(id) is \(c.status == .approved ? "goedgekeurd" : "afgewezen"). \(effect)</p><p><a href=\"/beheer/wijzigingen\">Naar de wijzigingen</a></p>")
        } catch let e as ApprovalError {
            let status: HTTPResponse.Status
            switch e {
            case .ownChange, .lacksRole: status = .forbidden
            case .notPending: status = .conflict
            case .noSuchChange, .noSuchHold: status = .notFound
            case .noReason, .identityRequired: status = .badRequest
            }
            return page(status: status, session: call.who, title: "Niet gelukt", body: "<p>\(HTML.escape(Self.dutch(e)))</p><p><a href=\"/beheer/wijzigingen/\(id)\">Terug naar de wijziging</a></p>")
        }
    }

    // MARK: pipelines, quarantine, sensors, holds, audit

    private func pipelines(_ call: Call) throws -> Response {
        let runs = deps.pipelineRuns()
        let failing = Self.failing(runs)
        let canRetry = call.who.roles.contains(.datateam)
        let failingRows = failing.map { r -> [String] in
            [HTML.escape(r.pipeline), HTML.escape(ConsoleLayout.time(r.startedAt)), HTML.escape(String((r.error ?? "").prefix(300))),
             canRetry ? "<form method=\"post\" action=\"/beheer/pijplijnen/\(HTML.escape(r.pipeline))/opnieuw\">\(csrfField(call))<button type=\"submit\">Opnieuw draaien<span class=\"verborgen\"> \(HTML.escape(r.pipeline))</span></button></form>" : "–"]
        }
        let runRows = runs.prefix(50).map { r -> [String] in
            [HTML.escape(r.pipeline), HTML.escape(ConsoleLayout.time(r.startedAt)), "\(r.windows)", "\(r.rowsOut)", r.outcome == "ok" ? "gelukt" : "mislukt"]
        }
        let staleRows = try sources.staleWindows().map { s -> [String] in
            [HTML.escape(s.pipeline), HTML.escape(ConsoleLayout.time(s.window.window.start)), HTML.escape(ConsoleLayout.time(s.window.window.end)),
             "\(s.window.changes.values.reduce(0, +))", HTML.escape(ConsoleLayout.time(s.window.lastChangeAt))]
        }
        return page(session: call.who, title: "Pijplijnen", body: """
            <h2>Mislukt</h2>
            \(ConsoleLayout.table("Pijplijnen waarvan de laatste run mislukte", ["Pijplijn", "Gestart", "Fout", "Actie"], failingRows, empty: "Geen mislukte runs."))
            <h2>Verouderde vensters</h2>
            <p>Na publicatie kwamen er metingen bij of veranderden ze. De planner rekent deze vensters vanzelf opnieuw uit zodra de wijzigingen tot rust komen.</p>
            \(ConsoleLayout.table("Verouderde vensters", ["Pijplijn", "Van", "Tot", "Gewijzigde metingen", "Laatste wijziging"], staleRows, empty: "Geen verouderde vensters."))
            <h2>Laatste runs</h2>
            \(ConsoleLayout.table("De laatste 50 runs", ["Pijplijn", "Gestart", "Vensters", "Rijen gepubliceerd", "Uitkomst"], Array(runRows), empty: "Nog geen runs."))
            """)
    }

    private func quarantine(_ call: Call) throws -> Response {
        let entries = try sources.quarantine()
        var byReason: [String: (count: Int, latest: Int64)] = [:]
        for e in entries {
            let key = String(e.reason.prefix(160))
            let old = byReason[key] ?? (0, 0)
            byReason[key] = (old.count + 1, max(old.latest, e.receivedAt))
        }
        let rows = byReason.sorted { $0.value.count > $1.value.count }.map { [HTML.escape($0.key), "\($0.value.count)", HTML.escape(ConsoleLayout.time($0.value.latest))] }
        let replay = call.who.roles.contains(.datateam) && !entries.isEmpty ? """
            <h2>Opnieuw controleren</h2>
            <p>Heeft u de sensorlijst aangepast? Controleer dan alle berichten opnieuw. Wat nu klopt, wordt opgeslagen. Opgeslagen waarden worden niet overschreven.</p>
            <form method="post" action="/beheer/quarantaine/opnieuw">\(csrfField(call))<p><button type="submit">Alles opnieuw controleren</button></p></form>
            """ : ""
        return page(session: call.who, title: "Quarantaine", body: "<p>Berichten die we niet konden opslaan, per reden.</p>"
                    + ConsoleLayout.table("Quarantaine per reden", ["Reden", "Aantal", "Laatste"], rows, empty: "De quarantaine is leeg.") + replay)
    }

    private func silentSensors(_ call: Call) -> Response {
        guard sources.ingestsHere else {
            return page(session: call.who, title: "Stille sensoren", body: "<p>Deze server ontvangt zelf geen sensorberichten, dus weet niet welke sensoren stil zijn. Open de console op een server die berichten ontvangt (rol ingest), of kijk op <code>/-/ingest</code> daar.</p>")
        }
        let status = deps.ingestStatus()
        let rows = status.silent.map { [HTML.escape($0.id), HTML.escape($0.kind), $0.lastSeen.map { HTML.escape(ConsoleLayout.time($0)) } ?? "nooit"] }
        return page(session: call.who, title: "Stille sensoren", body: "<p>Sensoren waarvan we langer dan \(status.silentAfter / 60_000) minuten niets hoorden.</p>"
                    + ConsoleLayout.table("Stille sensoren", ["Sensor", "Soort", "Laatst gehoord"], rows, empty: "Alle sensoren zijn te horen."))
    }

    private func holds(_ call: Call) throws -> Response {
        let rows = try sources.holds().map { h -> [String] in
            [" #\(h.id)", HTML.escape(h.kind.rawValue), HTML.escape(h.subject), HTML.escape("\(h.window)"), HTML.escape(h.reason),
             """
             <form method="post" action="/beheer/bewaarplicht/\(h.id)/opheffen">\(csrfField(call))
             <label for="toelichting-\(h.id)">Waarom mag #\(h.id) eraf?</label>
             <input id="toelichting-\(h.id)" name="toelichting" required minlength="5">
             <button type="submit">Opheffen voorstellen</button></form>
             """]
        }
        return page(session: call.who, title: "Bewaarplicht", body: """
            <p>Gegevens onder een bewaarplicht worden niet vernietigd. Opheffen gaat in als een tweede archivaris of privacyfunctionaris het goedkeurt.</p>
            \(ConsoleLayout.table("Bewaarplichten", ["Nummer", "Soort", "Wat", "Periode", "Reden", "Opheffen"], rows, empty: "Er zijn geen bewaarplichten."))
            """)
    }

    private func proposeLift(_ call: Call) throws -> Response {
        guard let id = Int64(try call.context.parameters.require("id")) else {
            return page(status: .notFound, session: call.who, title: "Niet gevonden", body: "<p>Deze bewaarplicht bestaat niet.</p>")
        }
        do {
            let c = try sources.desk.proposeHoldLift(id, by: call.who.staff, roles: call.who.roles, note: call.form?["toelichting"] ?? "", at: call.now)
            return page(session: call.who, title: "Voorgesteld", body: "<p>Het opheffen van bewaarplicht #\(id) is voorgesteld als <a href=\"/beheer/wijzigingen/\(c.id)\">wijziging #\(c.id)</a>. Een andere archivaris of privacyfunctionaris besluit.</p>")
        } catch let e as ApprovalError {
            return page(status: .badRequest, session: call.who, title: "Niet gelukt", body: "<p>\(HTML.escape(Self.dutch(e)))</p><p><a href=\"/beheer/bewaarplicht\">Terug</a></p>")
        }
    }

    private func auditLog(_ call: Call) throws -> Response {
        let q = call.request.uri.queryParameters
        func text(_ key: String) -> String? { q.get(key).flatMap { $0.isEmpty ? nil : String($0.prefix(100)) } }
        func day(_ key: String) -> Int64? { text(key).flatMap { ISO8601.parse($0.count == 10 ? $0 + "T00:00:00Z" : $0) } }
        let filter = AuditFilter(actor: text("wie"), action: text("actie"), outcome: text("uitkomst"), since: day("van"), until: day("tot"), limit: 200)
        let rows = try access.staff.auditEntries(filter).map { e in
            ["\(e.seq)", HTML.escape(ConsoleLayout.time(e.draft.at)), HTML.escape(e.draft.actor), HTML.escape(e.draft.action),
             HTML.escape(e.draft.target), HTML.escape(e.draft.outcome), HTML.escape(e.draft.detail)]
        }
        func field(_ key: String, _ label: String, _ hint: String) -> String {
            "<p><label for=\"\(key)\">\(label)</label> <input id=\"\(key)\" name=\"\(key)\" value=\"\(HTML.escape(text(key) ?? ""))\" aria-describedby=\"\(key)-uitleg\"> <span id=\"\(key)-uitleg\">\(hint)</span></p>"
        }
        return page(session: call.who, title: "Auditlog", body: """
            <p>Elke handeling van medewerkers, met wie, wanneer, wat en de uitkomst. Met <code>lantaarn audit verify</code> controleert u dat niets is veranderd.</p>
            <form method="get" action="/beheer/audit">
            \(field("wie", "Wie", "accountnaam"))
            \(field("actie", "Actie", "begin van de naam, bijvoorbeeld approval."))
            \(field("uitkomst", "Uitkomst", "ok, denied of failed"))
            \(field("van", "Vanaf", "datum, bijvoorbeeld 2026-12-01"))
            \(field("tot", "Tot", "datum"))
            <p><button type="submit">Filteren</button></p>
            </form>
            \(ConsoleLayout.table("De nieuwste 200 regels", ["Nr", "Wanneer", "Wie", "Actie", "Waarop", "Uitkomst", "Toelichting"], rows, empty: "Geen regels met dit filter."))
            """)
    }

    // MARK: helpers

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
