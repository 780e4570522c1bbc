import Foundation
import HTTPTypes
import Hummingbird
import LantaarnModel
import Store

/// Signing in to the console: the personal token, or the identity provider (authorization code
/// with PKCE, ``OIDCLogin``).
extension ConsolePages {
    func loginForm(_ call: Call, status: HTTPResponse.Status, message: String?) -> Response {
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

    func login(_ call: Call) throws -> Response {
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

    func oidcRedirect(_ call: Call, _ login: OIDCLogin) -> String {
        login.configuration.redirectURL ?? deps.baseURL(call.request) + "/beheer/oidc/terug"
    }

    /// Sends the browser to the identity provider (authorization code with PKCE).
    func oidcStart(_ call: Call) async throws -> Response {
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
    func oidcReturn(_ call: Call) async throws -> Response {
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
            return try refuse(.unauthorized, "oidc: \(refusal)", "Het inloggen via de identiteitsprovider is niet gelukt. Probeer het opnieuw. Blijft het misgaan? Meld het bij uw beheerder; de reden staat in het auditlog.")
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
}
