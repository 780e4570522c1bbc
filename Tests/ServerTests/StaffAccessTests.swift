import Foundation
import Hummingbird
import JWTKit
import LantaarnModel
@testable import Server
import Store
import Testing

/// The admin API by role: every route of the router under `/admin` and `/intern`, asked by a
/// member of staff of every role (with a personal token and with a JWT from the identity
/// provider) and with every kind of bad token (none, expired, revoked, disabled, unknown; JWTs
/// for another audience, with a wrong signature, expired, `alg: none`), answers as its role table
/// says; every request is in the audit log, which never holds a token.
struct StaffAccessTests {
    let http = HTTPServerTests()

    /// A route's path with its captures filled in.
    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: ":id", with: "1").replacingOccurrences(of: ":file", with: "niet-bestaand.csv")
    }

    @Test func everyAdminRouteByEveryRoleAndEveryBadToken() async throws {
        // The table covers the router: no admin route is left out of the matrix.
        let router = buildRouter(ServerDependencies(releases: try SQLiteStore(dataDirectory: NSTemporaryDirectory() + "lantaarn-matrix-\(UUID().uuidString.prefix(6))").releases,
                                                    site: PublicSite()))
        let routed = Set(router.routes.map(\.description).filter { $0.contains(" /admin") || $0.contains(" /intern") })
        let tabled = Set(AdminRoutes.table.map { "\($0.method) \(RouterPath($0.path))" })
        #expect(routed == tabled && !routed.isEmpty, "router \(routed.sorted()), table \(tabled.sorted())")

        // An identity provider too: an EC key published in its JWKS (served by the fetch hook).
        let published = ES256PrivateKey(), foreign = ES256PrivateKey()
        let p = published.parameters!
        let jwks = #"{"keys":[{"kty":"EC","use":"sig","alg":"ES256","crv":"P-256","kid":"ec-1","x":"\#(p.x)","y":"\#(p.y)"}]}"#
        var oidc = OIDCConfiguration(issuer: "https://idp.gemeente.test", audience: "api://lantaarn")
        oidc.jwksURL = "https://idp.gemeente.test/jwks"
        let verifier = OIDCVerifier(oidc, fetch: { _ in Data(jwks.utf8) })
        let signer = JWTKeyCollection(), forger = JWTKeyCollection()
        await signer.add(ecdsa: published, kid: "ec-1")
        await forger.add(ecdsa: foreign, kid: "ec-1")
        let seconds = Int(Date().timeIntervalSince1970)
        func jwt(_ roles: [String], by keys: JWTKeyCollection? = nil, aud: String = "api://lantaarn", exp: Int? = nil) async throws -> String {
            let exp = exp ?? seconds + 3600
            return try await (keys ?? signer).sign(OIDCTests.Claims(iss: oidc.issuer, aud: [aud], exp: exp, nbf: nil, sub: "s", preferred_username: "idp-\(roles.joined())",
                                                 roles: roles), kid: "ec-1")
        }
        var jwts: [StaffRole: String] = [:]
        for role in StaffRole.allCases { jwts[role] = try await jwt([role.rawValue]) }
        let everything = StaffRole.allCases.map(\.rawValue)
        let badJWTs: [(String, String?)] = [
            ("a JWT for another audience", try await jwt(everything, aud: "api://iets-anders")),
            ("a JWT with a wrong signature", try await jwt(everything, by: forger)),
            ("an expired JWT", try await jwt(everything, exp: seconds - 3600)),
            ("a JWT with alg none", "eyJhbGciOiJub25lIiwia2lkIjoiZWMtMSJ9." + OIDCTests.base64url(Data(
                #"{"iss":"https://idp.gemeente.test","aud":"api://lantaarn","exp":\#(seconds + 600),"sub":"s","roles":["admin"]}"#.utf8)) + "."),
        ]

        try await http.withServer({ deps in deps.admin = StaffAccess(staff: deps.admin!.staff, alerts: deps.admin!.alerts, oidc: verifier) }) { base, store in
            let now = Clock.nowMilliseconds()
            var tokens: [StaffRole: String] = [:]
            func account(_ name: String, _ roles: Set<StaffRole>, expires: Int64 = now + 86_400_000) throws -> (String, StaffToken) {
                if try !store.staff.staff().contains(where: { $0.name == name }) {
                    try store.staff.addStaff(StaffMember(name: name, roles: roles, createdAt: now))
                }
                let token = StaffTokenText.generate()
                return (token, try store.staff.addToken(staff: name, hash: StaffTokenText.hash(token), createdAt: now, expiresAt: expires))
            }
            for role in StaffRole.allCases { tokens[role] = try account("only-\(role.rawValue)", [role]).0 }
            let (expired, _) = try account("all-expired", Set(StaffRole.allCases), expires: now - 1)
            let (revoked, revokedToken) = try account("all-revoked", Set(StaffRole.allCases))
            _ = try store.staff.revokeToken(id: revokedToken.id, at: now)
            let (disabled, _) = try account("all-disabled", Set(StaffRole.allCases))
            try store.staff.disableStaff("all-disabled", at: now)
            let bad: [(String, String?)] = [("no token", nil), ("expired", expired), ("revoked", revoked), ("disabled account", disabled),
                                           ("unknown", StaffTokenText.generate()), ("not a token", "abc")] + badJWTs

            var requests = 0
            for route in AdminRoutes.table {
                let url = base + Self.concrete(route.path)
                let method = route.method.rawValue
                let body: String? = route.method == .post ? "{}" : nil
                // Every role, with a personal token and with a JWT from the identity provider.
                for role in StaffRole.allCases {
                    for (via, token) in [("token", tokens[role]), ("JWT", jwts[role])] {
                        let (status, answer) = try await http.request(url, method: method, token: token, body: body)
                        requests += 1
                        if route.roles.contains(role) {
                            #expect(status != 401 && status != 403, "\(route) as \(role) by \(via): \(status) \(answer)")
                        } else {
                            #expect(status == 403 && answer.contains("needs the role"), "\(route) as \(role) by \(via): \(status) \(answer)")
                        }
                    }
                }
                for (label, token) in bad {
                    let (status, answer) = try await http.request(url, method: method, token: token, body: body)
                    requests += 1
                    #expect(status == 401, "\(route) with \(label): \(status) \(answer)")
                }
            }
            // Every request is in the audit log, allowed or denied, and the chain holds.
            let entries = try store.staff.auditEntries(AuditFilter(action: "admin.request", limit: 10_000))
            #expect(entries.count == requests)
            #expect(entries.filter { $0.draft.outcome == "ok" }.count == 2 * AdminRoutes.table.reduce(0) { $0 + $1.roles.count })
            #expect(entries.contains { $0.draft.actor == "idp-archivist" && $0.draft.outcome == "ok" && $0.draft.detail == "oidc key ec-1" })
            #expect(entries.contains { $0.draft.actor == "anonymous" && $0.draft.detail.contains("audience") })
            #expect(entries.contains { $0.draft.actor == "all-expired" && $0.draft.detail.contains("expired") })
            #expect(entries.contains { $0.draft.actor == "only-datateam" && $0.draft.outcome == "denied" && $0.draft.target == "GET /admin/audit" })
            let secrets = Array(tokens.values) + [expired, revoked, disabled] + jwts.values.map { String($0.split(separator: ".")[2]) }
            for e in entries {
                let text = "\(e.draft)"
                #expect(!secrets.contains { text.contains($0) || text.contains(String($0.dropFirst(4).prefix(16))) }, "a token in \(text)")
            }
            #expect(try AuditChain.verify(store.staff).problems.isEmpty)

            // The audit log over the API: admin and privacy only, filtered.
            let (status, body) = try await http.request(base + "/admin/audit?actor=only-archivist&outcome=denied&limit=3", token: tokens[.privacy])
            let listed = try JSONParser.parse(body)["entries"]?.arrayValue ?? []
            #expect(status == 200 && listed.count == 3
                    && listed.allSatisfy { $0["actor"]?.stringValue == "only-archivist" && $0["outcome"]?.stringValue == "denied" }, "\(body)")
            #expect(try await http.request(base + "/admin/audit?since=gisteren", token: tokens[.admin]).0 == 400)
            let me = try JSONParser.parse(try await http.request(base + "/admin/whoami", token: tokens[.archivist]).1)
            #expect(me["name"]?.stringValue == "only-archivist" && me["roles"]?.arrayValue == [.string("archivist")])
        }
    }

    /// The old shared admin token is a migration path: it works while no staff account exists
    /// and is refused, with what to do instead, from the first account on.
    @Test func theSharedTokenWorksOnlyUntilStaffExist() async throws {
        let shared = String(repeating: "s", count: 40)
        try await http.withServer(adminToken: shared) { base, store in
            #expect(try await http.request(base + "/admin/whoami", token: shared).0 == 200)
            try store.staff.addStaff(StaffMember(name: "a.bakker", roles: [.admin], createdAt: Clock.nowMilliseconds()))
            let (status, body) = try await http.request(base + "/admin/whoami", token: shared)
            #expect(status == 401 && body.contains("no longer accepted now that staff accounts exist"), "\(body)")
            #expect(try store.staff.auditEntries(AuditFilter(actor: "admin-token")).map(\.draft.outcome) == ["denied", "ok"])
        }
    }
}
