import Foundation
import JWTKit
import LantaarnModel
@testable import Server
import Store
import Synchronization
import Testing

/// Signing in to the console through the identity provider (authorization code with PKCE): the
/// test is the identity provider (discovery, JWKS, token endpoint). A valid sign-in opens a
/// session with the roles of the ID token; a wrong state, an ID token for another audience, with
/// a wrong signature, `alg: none`, expired, with another nonce, a code exchanged with the wrong
/// PKCE verifier, a refusal by the provider, or no Lantaarn role opens none.
struct ConsoleOIDCTests {
    let http = HTTPServerTests()

    struct IDClaims: JWTPayload {
        var iss: String
        var aud: [String]
        var exp: Int
        var sub: String
        var preferred_username: String
        var roles: [String]
        var nonce: String
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// What the identity provider's token endpoint answers, set by the test before each sign-in.
    enum Answer: Sendable { case valid, audience, foreignKey, algNone, expired, nonce, noRoles, refuse }

    @Test func signingInThroughTheIdentityProvider() async throws {
        let issuer = "https://idp.gemeente.test"
        let published = ES256PrivateKey(), foreign = ES256PrivateKey()
        let p = published.parameters!
        let jwks = #"{"keys":[{"kty":"EC","use":"sig","alg":"ES256","crv":"P-256","kid":"ec-1","x":"\#(p.x)","y":"\#(p.y)"}]}"#
        let discovery = #"{"issuer":"\#(issuer)","authorization_endpoint":"\#(issuer)/authorize","token_endpoint":"\#(issuer)/token","jwks_uri":"\#(issuer)/jwks"}"#
        let signer = JWTKeyCollection(), forger = JWTKeyCollection()
        await signer.add(ecdsa: published, kid: "ec-1")
        await forger.add(ecdsa: foreign, kid: "ec-1")
        // The provider's state: the next answer, the challenge and nonce of the last authorization request, codes exchanged.
        let provider = Mutex<(answer: Answer, challenge: String, nonce: String, forms: [[String: String]])>((.valid, "", "", []))
        var config = OIDCConfiguration(issuer: issuer, audience: "api://lantaarn")
        config.clientID = "lantaarn-beheer"
        let made = OIDCLogin(config, fetch: { url in
            Data((url.hasSuffix("/jwks") ? jwks : discovery).utf8)
        }, post: { url, fields in
            #expect(url == issuer + "/token")
            let form = Dictionary(fields, uniquingKeysWith: { a, _ in a })
            let (answer, challenge, nonce) = provider.withLock { s in
                s.forms.append(form)
                return (s.answer, s.challenge, s.nonce)
            }
            // PKCE: the code is exchanged only with the verifier whose S256 hash was sent first.
            guard form["code_verifier"].map(OIDCLogin.challenge) == challenge, form["grant_type"] == "authorization_code",
                  form["client_id"] == "lantaarn-beheer", answer != .refuse else {
                return Data(#"{"error":"invalid_grant"}"#.utf8)
            }
            let seconds = Int(Date().timeIntervalSince1970)
            let claims = IDClaims(iss: issuer, aud: [answer == .audience ? "api://lantaarn" : "lantaarn-beheer"],
                                  exp: answer == .expired ? seconds - 3600 : seconds + 600, sub: "s-1", preferred_username: "k.jansen",
                                  roles: answer == .noRoles ? ["Medewerker"] : ["approver", "privacy"], nonce: answer == .nonce ? String(repeating: "0", count: 64) : nonce)
            let token: String
            if answer == .algNone {
                token = "eyJhbGciOiJub25lIiwia2lkIjoiZWMtMSJ9." + OIDCTests.base64url(try JSONEncoder().encode(claims)) + "."
            } else {
                token = try await (answer == .foreignKey ? forger : signer).sign(claims, kid: "ec-1")
            }
            return Data(#"{"id_token":"\#(token)","token_type":"Bearer"}"#.utf8)
        })
        let login = try #require(made)

        try await http.withServer(console: true, { deps in
            deps.admin = StaffAccess(staff: deps.admin!.staff, alerts: deps.admin!.alerts, oidcLogin: login)
        }) { base, store in
            let client = ConsoleClient()
            #expect(try await client.send(base + "/beheer/inloggen").body.contains("href=\"/beheer/oidc\""))
            /// Leaves for the provider and comes back with a code; the answer of the return address.
            func signIn(_ answer: Answer, state: ((String) -> String)? = nil, cookie: Bool = true, error: Bool = false) async throws -> ConsoleClient.Answer {
                let start = try await client.send(base + "/beheer/oidc")
                #expect(start.status == 303)
                let location = try #require(start.headers["location"].flatMap { URLComponents(string: $0) })
                let items = Dictionary((location.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
                #expect(location.path == "/authorize" && items["response_type"] == "code" && items["code_challenge_method"] == "S256"
                        && items["client_id"] == "lantaarn-beheer" && items["redirect_uri"] == base + "/beheer/oidc/terug", "\(location)")
                let transaction = try #require(start.cookie("lantaarn_oidc"))
                #expect(start.setCookies.first { $0.hasPrefix("lantaarn_oidc=") }?.contains("HttpOnly; SameSite=Lax") == true)
                provider.withLock { $0 = (answer, items["code_challenge"] ?? "", items["nonce"] ?? "", $0.forms) }
                let s = state?(items["state"]!) ?? items["state"]!
                let query = error ? "error=access_denied&state=\(s)" : "code=code-1&state=\(s)"
                return try await client.send(base + "/beheer/oidc/terug?" + query, cookies: cookie ? ["lantaarn_oidc": transaction] : [:])
            }

            let ok = try await signIn(.valid)
            #expect(ok.status == 200 && ok.body.contains("ingelogd als k.jansen"), "\(ok.status) \(ok.body)")
            let cookie = try #require(ok.cookie(ConsoleSessions.sessionCookie))
            #expect(ok.setCookies.first { $0.hasPrefix(ConsoleSessions.sessionCookie + "=") }?.contains("Secure; HttpOnly; SameSite=Strict") == true)
            let home = try await client.send(base + "/beheer", cookies: [ConsoleSessions.sessionCookie: cookie])
            #expect(home.status == 200 && home.body.contains("Ingelogd als k.jansen (approver, privacy)"))
            // The roles of the token decide: the audit log (privacy) yes, the quarantine replay (datateam) no.
            #expect(try await client.send(base + "/beheer/audit", cookies: [ConsoleSessions.sessionCookie: cookie]).status == 200)
            let csrf = try #require(ConsoleClient.csrf(in: home.body))
            #expect(try await client.send(base + "/beheer/quarantaine/opnieuw", method: "POST", cookies: [ConsoleSessions.sessionCookie: cookie],
                                          form: ["csrf": csrf]).status == 403)
            #expect(provider.withLock { $0.forms.last?["code_verifier"]?.count } == 64)

            let refused: [(String, Answer, ((String) -> String)?, Bool, Bool, Int)] = [
                ("another state", .valid, { _ in String(repeating: "f", count: 64) }, true, false, 403),
                ("no transaction cookie", .valid, nil, false, false, 403),
                ("an ID token for another audience", .audience, nil, true, false, 401),
                ("a wrong signature", .foreignKey, nil, true, false, 401),
                ("alg none", .algNone, nil, true, false, 401),
                ("an expired ID token", .expired, nil, true, false, 401),
                ("another nonce", .nonce, nil, true, false, 401),
                ("the provider refuses the code", .refuse, nil, true, false, 401),
                ("the provider refuses the sign-in", .valid, nil, true, true, 401),
                ("no Lantaarn role", .noRoles, nil, true, false, 403),
            ]
            for (label, answer, state, cookie, error, status) in refused {
                let r = try await signIn(answer, state: state, cookie: cookie, error: error)
                #expect(r.status == status && r.cookie(ConsoleSessions.sessionCookie) == nil, "\(label): \(r.status) \(r.body)")
            }
            let entries = try store.staff.auditEntries(AuditFilter(action: "console.login", limit: 100))
            #expect(entries.filter { $0.draft.outcome == "ok" }.map(\.draft.actor) == ["k.jansen"])
            #expect(entries.filter { $0.draft.outcome == "denied" }.count == refused.count)
            #expect(entries.contains { $0.draft.detail.contains("nonce") } && entries.contains { $0.draft.detail.contains("audience") })
            for e in entries { #expect(!"\(e.draft)".contains("code-1") && !"\(e.draft)".contains("eyJ"), "a secret in \(e.draft)") }
        }
    }
}
