import Foundation
import Hummingbird
import LantaarnModel
@testable import Server
import Store
import Testing

/// The staff console (issue 30): every console route of the router by every role and by every
/// kind of bad sign-in; the session cookie's flags; the anti-forgery token on every form; four-eyes
/// from the console (nobody approves their own change).
struct ConsoleTests {
    let http = HTTPServerTests()

    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: ":id", with: "1").replacingOccurrences(of: ":name", with: "luchtkwaliteit-per-wijk-uur")
    }

    @Test func everyConsoleRouteByEveryRoleAndEveryBadSession() async throws {
        try await http.withServer(console: true) { base, store in
            // The table covers the router: no console route is left out of the matrix.
            var deps = ServerDependencies(releases: store.releases, site: PublicSite())
            deps.admin = StaffAccess(staff: store.staff, alerts: store.meldingen)
            deps.console = ConsoleSources(desk: ApprovalDesk(staff: store.staff, holds: store.retention), holds: { [] }, staleWindows: { [] },
                                          quarantine: { [] }, retry: { _ in "" }, replay: { "" })
            let routed = Set(buildRouter(deps, role: .adminOnly).routes.map(\.description).filter { $0.contains(" /beheer") })
            let tabled = Set(ConsoleRoutes.table.map { "\($0.method) \(RouterPath($0.path))" })
            #expect(routed == tabled && routed.count == ConsoleRoutes.table.count, "router \(routed.sorted()), table \(tabled.sorted())")

            let client = ConsoleClient()
            let now = Clock.nowMilliseconds()
            func account(_ name: String, _ roles: Set<StaffRole>, expires: Int64 = now + 86_400_000) throws -> (String, StaffToken) {
                if try !store.staff.staff().contains(where: { $0.name == name }) {
                    try store.staff.addStaff(StaffMember(name: name, roles: roles, createdAt: now))
                }
                let token = StaffTokenText.generate()
                return (token, try store.staff.addToken(staff: name, hash: StaffTokenText.hash(token), createdAt: now, expiresAt: expires))
            }
            // Something to look at and act on: a pending change by someone else, a hold.
            _ = try store.staff.propose(ChangeProposal(kind: .pipeline, target: "luchtkwaliteit-per-wijk-uur", contentHash: "h", proposedBy: "iemand",
                                                       proposedAt: now, summary: "Pijplijn luchtkwaliteit: versie 1 wordt 2.", diff: "- a\n+ b"))
            try store.retention.addHold(kind: .sensor, subject: "s1", window: TimeWindow(start: 0, end: 1), reason: "zaak 1")

            // One session per role, opened through the sign-in form.
            var sessions: [StaffRole: (cookie: String, csrf: String)] = [:]
            for role in StaffRole.allCases {
                let signedIn = try await client.signIn(base, token: try account("alleen-\(role.rawValue)", [role]).0)
                #expect(signedIn.status == 303 && signedIn.headers["location"] == "/beheer", "\(signedIn.status) \(signedIn.body)")
                let cookie = try #require(signedIn.cookie(ConsoleSessions.sessionCookie))
                let home = try await client.send(base + "/beheer", cookies: [ConsoleSessions.sessionCookie: cookie])
                sessions[role] = (cookie, try #require(ConsoleClient.csrf(in: home.body)))
            }
            // Sessions that no longer work: the token revoked, the account disabled, a forged cookie.
            let (revokedToken, revoked) = try account("ingetrokken", Set(StaffRole.allCases))
            let revokedCookie = try #require(try await client.signIn(base, token: revokedToken).cookie(ConsoleSessions.sessionCookie))
            _ = try store.staff.revokeToken(id: revoked.id, at: now)
            let (disabledToken, _) = try account("uitgezet", Set(StaffRole.allCases))
            let disabledCookie = try #require(try await client.signIn(base, token: disabledToken).cookie(ConsoleSessions.sessionCookie))
            try store.staff.disableStaff("uitgezet", at: now)
            let badSessions: [(String, String?)] = [("no session", nil), ("a revoked token's session", revokedCookie),
                                                   ("a disabled account's session", disabledCookie), ("a forged cookie", String(repeating: "a", count: 64)),
                                                   ("not a cookie value", "x")]
            // Bad tokens do not sign in at all.
            let (expiredToken, _) = try account("verlopen", Set(StaffRole.allCases), expires: now - 1)
            for token in [expiredToken, revokedToken, disabledToken, StaffTokenText.generate(), "abc"] {
                let attempt = try await client.signIn(base, token: token)
                #expect(attempt.status == 401 && attempt.cookie(ConsoleSessions.sessionCookie) == nil, "\(attempt.status)")
            }

            for route in ConsoleRoutes.table where route.roles != nil && route.path != "/beheer/uitloggen" {
                let url = base + Self.concrete(route.path)
                let method = route.method.rawValue
                for role in StaffRole.allCases {
                    let s = sessions[role]!
                    let form = route.method == .post ? ["csrf": s.csrf, "reden": "getest in de matrix", "besluit": "afwijzen", "toelichting": "getest"] : nil
                    let answer = try await client.send(url, method: method, cookies: [ConsoleSessions.sessionCookie: s.cookie], form: form)
                    if route.roles!.contains(role) {
                        #expect(answer.status != 401 && answer.status != 403 || route.path.hasSuffix("/besluit"), "\(route) as \(role): \(answer.status)")
                        #expect(answer.status < 500, "\(route) as \(role): \(answer.status) \(answer.body)")
                    } else {
                        #expect(answer.status == 403 && answer.body.contains("rol"), "\(route) as \(role): \(answer.status)")
                    }
                    if route.method == .post {
                        // The same form without, or with a wrong, anti-forgery token: refused.
                        for csrf in [nil, String(repeating: "0", count: 64)] {
                            var forged = form!
                            forged["csrf"] = csrf
                            let refused = try await client.send(url, method: method, cookies: [ConsoleSessions.sessionCookie: s.cookie], form: forged)
                            #expect(refused.status == 403 && refused.body.contains("formulier"), "\(route) as \(role) without CSRF: \(refused.status)")
                        }
                    }
                }
                for (label, cookie) in badSessions {
                    let answer = try await client.send(url, method: method, cookies: cookie.map { [ConsoleSessions.sessionCookie: $0] } ?? [:],
                                                       form: route.method == .post ? ["csrf": sessions[.admin]!.csrf] : nil)
                    #expect(answer.status == 401 && answer.body.contains("inloggen"), "\(route) with \(label): \(answer.status)")
                }
            }
            // Signing out ends the session.
            let admin = sessions[.admin]!
            let out = try await client.send(base + "/beheer/uitloggen", method: "POST", cookies: [ConsoleSessions.sessionCookie: admin.cookie], form: ["csrf": admin.csrf])
            #expect(out.status == 200 && out.setCookies.contains { $0.hasPrefix(ConsoleSessions.sessionCookie + "=;") })
            #expect(try await client.send(base + "/beheer", cookies: [ConsoleSessions.sessionCookie: admin.cookie]).status == 401)

            // Refusals and sign-ins are in the audit log, which never holds a token or a cookie.
            let entries = try store.staff.auditEntries(AuditFilter(limit: 10_000))
            #expect(entries.contains { $0.draft.action == "console.login" && $0.draft.outcome == "ok" && $0.draft.actor == "alleen-approver" })
            #expect(entries.contains { $0.draft.action == "console.request" && $0.draft.detail.contains("anti-forgery") })
            let secrets = sessions.values.flatMap { [$0.cookie, $0.csrf] } + [revokedToken, disabledToken, expiredToken, revokedCookie]
            for e in entries { #expect(!secrets.contains { "\(e.draft)".contains($0) }, "a secret in \(e.draft)") }
            #expect(try AuditChain.verify(store.staff).problems.isEmpty)
        }
    }

    /// The session cookie is Secure, HttpOnly and SameSite=Strict, scoped to the console; the
    /// sign-in form is bound to the browser that asked for it.
    @Test func cookieFlagsAndSignInBinding() async throws {
        try await http.withServer(console: true) { base, store in
            try store.staff.addStaff(StaffMember(name: "ann", roles: [.datateam], createdAt: 1))
            let token = StaffTokenText.generate()
            _ = try store.staff.addToken(staff: "ann", hash: StaffTokenText.hash(token), createdAt: 1, expiresAt: Clock.nowMilliseconds() + 3_600_000)
            let client = ConsoleClient()
            let signedIn = try await client.signIn(base, token: token)
            let header = try #require(signedIn.setCookies.first { $0.hasPrefix(ConsoleSessions.sessionCookie + "=") })
            for flag in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/beheer"] { #expect(header.contains(flag), "\(header)") }
            #expect(header.contains("Max-Age=3600") || header.contains("Max-Age=28800"), "\(header)")
            // Posted without the binding cookie (a form on another site): refused.
            let unbound = try await client.send(base + "/beheer/inloggen", method: "POST", form: ["inlog": "x", "token": token])
            #expect(unbound.status == 403 && unbound.cookie(ConsoleSessions.sessionCookie) == nil)
            #expect(signedIn.headers["cache-control"] == "no-store")
        }
    }

    /// Four-eyes from the console: the author sees no decision form and is refused when posting one
    /// anyway; another approver approves with a reason; a decided change cannot be decided again.
    @Test func approvingInTheConsole() async throws {
        try await http.withServer(console: true) { base, store in
            let now = Clock.nowMilliseconds()
            var tokens: [String: String] = [:]
            for (name, roles) in [("ann", Set<StaffRole>([.datateam, .approver])), ("bob", [.approver])] {
                try store.staff.addStaff(StaffMember(name: name, roles: roles, createdAt: now))
                let t = StaffTokenText.generate()
                _ = try store.staff.addToken(staff: name, hash: StaffTokenText.hash(t), createdAt: now, expiresAt: now + 3_600_000)
                tokens[name] = t
            }
            let change = try store.staff.propose(ChangeProposal(kind: .pipeline, target: "geluid", contentHash: "h2", proposedBy: "ann", proposedAt: now,
                                                                summary: "Pijplijn geluid: versie 1 wordt 2.", diff: "- k: 5\n+ k: 10", preview: "Voorbeeld"))
            let client = ConsoleClient()
            func session(_ name: String) async throws -> (String, String) {
                let cookie = try #require(try await client.signIn(base, token: tokens[name]!).cookie(ConsoleSessions.sessionCookie))
                let page = try await client.send(base + "/beheer/wijzigingen/\(change.id)", cookies: [ConsoleSessions.sessionCookie: cookie])
                return (cookie, try #require(ConsoleClient.csrf(in: page.body)))
            }
            let (annCookie, annCSRF) = try await session("ann")
            let annPage = try await client.send(base + "/beheer/wijzigingen/\(change.id)", cookies: [ConsoleSessions.sessionCookie: annCookie])
            #expect(annPage.body.contains("zelf voorgesteld") && !annPage.body.contains("Goedkeuren</button>"))
            #expect(annPage.body.contains("- k: 5") && annPage.body.contains("<details open>"))
            let own = try await client.send(base + "/beheer/wijzigingen/\(change.id)/besluit", method: "POST",
                                            cookies: [ConsoleSessions.sessionCookie: annCookie], form: ["csrf": annCSRF, "besluit": "goedkeuren", "reden": "mijn eigen"])
            #expect(own.status == 403 && own.body.contains("zelf voorgesteld"))
            let (bobCookie, bobCSRF) = try await session("bob")
            let noReason = try await client.send(base + "/beheer/wijzigingen/\(change.id)/besluit", method: "POST",
                                                 cookies: [ConsoleSessions.sessionCookie: bobCookie], form: ["csrf": bobCSRF, "besluit": "goedkeuren", "reden": ""])
            #expect(noReason.status == 400)
            let approved = try await client.send(base + "/beheer/wijzigingen/\(change.id)/besluit", method: "POST",
                                                 cookies: [ConsoleSessions.sessionCookie: bobCookie], form: ["csrf": bobCSRF, "besluit": "goedkeuren", "reden": "voorbeeld bekeken"])
            #expect(approved.status == 200 && approved.body.contains("goedgekeurd"), "\(approved.body)")
            #expect(try store.staff.change(id: change.id)?.decidedBy == "bob")
            let again = try await client.send(base + "/beheer/wijzigingen/\(change.id)/besluit", method: "POST",
                                              cookies: [ConsoleSessions.sessionCookie: bobCookie], form: ["csrf": bobCSRF, "besluit": "afwijzen", "reden": "toch niet"])
            #expect(again.status == 409)
        }
    }
}
