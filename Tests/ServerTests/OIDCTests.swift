import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import JWTKit
import LantaarnModel
import Logging
@testable import Server
import Store
import Synchronization
import TestSupport
import Testing

/// Bearer JWTs from an identity provider: the test is the provider. It serves a discovery
/// document and a JWKS with an RSA and an EC key on a free loopback port, signs tokens with them
/// (and with keys it does not publish), rotates in a new key, and asks the admin API with each.
struct OIDCTests {
    let http = HTTPServerTests()

    struct Claims: JWTPayload {
        var iss: String
        var aud: [String]
        var exp: Int
        var nbf: Int?
        var sub: String
        var preferred_username: String?
        var roles: [String]

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// The identity provider: `/.well-known/openid-configuration` and `/jwks` (which the test may change).
    final class Provider: Sendable {
        let keys = Mutex<[String]>([])
        let fetches = Atomic<Int>(0)
        let port = Mutex<Int>(0)

        func jwks() -> String { "{\"keys\":[" + keys.withLock { $0.joined(separator: ",") } + "]}" }

        func run() async throws {
            let router = Router()
            router.get("/.well-known/openid-configuration") { [self] _, _ -> String in
                let p = port.withLock { $0 }
                return "{\"issuer\":\"http://127.0.0.1:\(p)\",\"jwks_uri\":\"http://127.0.0.1:\(p)/jwks\"}"
            }
            router.get("/jwks") { [self] _, _ -> String in
                fetches.add(1, ordering: .relaxed)
                return jwks()
            }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { [self] channel in port.withLock { $0 = channel.localAddress?.port ?? 0 } },
                                  logger: Logger(label: "idp", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await app.runService()
        }
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func rsaKey() async throws -> Insecure.RSA.PrivateKey {
        let dir = NSTemporaryDirectory() + "lantaarn-oidc-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let made = try await runCommand(try Tool("openssl"), ["genrsa", "-out", dir + "/rsa.pem", "2048"])
        try #require(made.status == 0, "openssl: \(made.error)")
        return try Insecure.RSA.PrivateKey(pem: try String(contentsOfFile: dir + "/rsa.pem", encoding: .utf8))
    }

    static func jwk(_ key: Insecure.RSA.PrivateKey, kid: String) throws -> String {
        let (n, e) = try key.publicKey.getKeyPrimitives()
        return #"{"kty":"RSA","use":"sig","alg":"RS256","kid":"\#(kid)","n":"\#(base64url(n))","e":"\#(base64url(e))"}"#
    }

    static func jwk(_ key: ES256PrivateKey, kid: String) -> String {
        let p = key.parameters!
        return #"{"kty":"EC","use":"sig","alg":"ES256","crv":"P-256","kid":"\#(kid)","x":"\#(p.x)","y":"\#(p.y)"}"#
    }

    @Test func tokensFromTheIdentityProviderByRoleWithRotationAndBadTokens() async throws {
        let provider = Provider()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await provider.run() }
            // Polled with Task.sleep, not a blocking wait: the provider runs on the same (busy) pool.
            var ready = false
            for _ in 0..<400 where !ready {
                try await Task.sleep(for: .milliseconds(50))
                ready = provider.port.withLock { $0 } != 0
            }
            try #require(ready, "the test's identity provider did not start")
            let issuer = "http://127.0.0.1:\(provider.port.withLock { $0 })"
            let rsa = try await Self.rsaKey(), ec = ES256PrivateKey(), rotated = ES256PrivateKey(), stranger = ES256PrivateKey()
            provider.keys.withLock { $0 = [try! Self.jwk(rsa, kid: "rsa-1"), Self.jwk(ec, kid: "ec-1"),
                                           #"{"kty":"RSA","use":"enc","kid":"enc-1","n":"AQAB","e":"AQAB"}"#] }
            let signers = JWTKeyCollection()
            await signers.add(rsa: rsa, digestAlgorithm: .sha256, kid: "rsa-1")
            await signers.add(ecdsa: ec, kid: "ec-1")
            await signers.add(ecdsa: rotated, kid: "ec-2")
            await signers.add(ecdsa: stranger, kid: "stranger")
            let strangerClaimingEC1 = JWTKeyCollection()
            await strangerClaimingEC1.add(ecdsa: stranger, kid: "ec-1")

            var configuration = OIDCConfiguration(issuer: issuer, audience: "api://lantaarn")
            configuration.clockSkew = 60_000
            let verifier = OIDCVerifier(configuration, refetchInterval: 0)
            // Times relative to the moment a token is made: under load the test runs for minutes.
            var now: Int { Int(Date().timeIntervalSince1970) }
            func claims(_ roles: [String], aud: String = "api://lantaarn", iss: String? = nil, exp: Int? = nil, nbf: Int? = nil,
                        name: String = "m.visser@haarlem.nl") -> Claims {
                Claims(iss: iss ?? issuer, aud: [aud, "other"], exp: exp ?? now + 600, nbf: nbf, sub: "8f2c", preferred_username: name, roles: roles)
            }

            try await http.withServer({ deps in deps.admin = StaffAccess(staff: deps.admin!.staff, alerts: deps.admin!.alerts, oidc: verifier) }) { base, store in
                func ask(_ path: String, _ token: String?) async throws -> (Int, String) { try await http.request(base + path, token: token) }
                // Valid tokens, RSA and EC: the person and roles of the claims.
                let viaRSA = try await signers.sign(claims(["privacy", "unknown-role"]), kid: "rsa-1")
                let me = try await ask("/admin/whoami", viaRSA)
                #expect(me.0 == 200 && me.1.contains("m.visser@haarlem.nl") && me.1.contains("privacy") && !me.1.contains("unknown-role"), "\(me)")
                #expect(try await ask("/admin/audit", viaRSA).0 == 200)
                let viaEC = try await signers.sign(claims(["datateam"], name: "k.smit"), kid: "ec-1")
                #expect(try await ask("/admin/whoami", viaEC).0 == 200)
                let forbidden = try await ask("/admin/audit", viaEC)
                #expect(forbidden.0 == 403 && forbidden.1.contains("you have datateam"), "\(forbidden)")
                // Clock skew: a minute late is still fine, two minutes is not; nbf likewise.
                #expect(try await ask("/admin/whoami", try await signers.sign(claims(["admin"], exp: now - 30), kid: "ec-1")).0 == 200)
                let late = try await ask("/admin/whoami", try await signers.sign(claims(["admin"], exp: now - 120), kid: "ec-1"))
                #expect(late.0 == 401 && late.1.contains("expired"), "\(late)")
                #expect(try await ask("/admin/whoami", try await signers.sign(claims(["admin"], nbf: now + 30), kid: "ec-1")).0 == 200)
                let early = try await ask("/admin/whoami", try await signers.sign(claims(["admin"], nbf: now + 300), kid: "ec-1"))
                #expect(early.0 == 401 && early.1.contains("not valid yet"), "\(early)")
                // Wrong audience, wrong issuer.
                let aud = try await ask("/admin/whoami", try await signers.sign(claims(["admin"], aud: "api://iets-anders"), kid: "rsa-1"))
                #expect(aud.0 == 401 && aud.1.contains("audience"), "\(aud)")
                let iss = try await ask("/admin/whoami", try await signers.sign(claims(["admin"], iss: "https://evil.example"), kid: "rsa-1"))
                #expect(iss.0 == 401 && iss.1.contains("another issuer"), "\(iss)")
                // Signed by a key the provider does not publish; or claiming a published key id.
                let unknown = try await ask("/admin/whoami", try await signers.sign(claims(["admin"]), kid: "stranger"))
                #expect(unknown.0 == 401 && unknown.1.contains("does not publish"), "\(unknown)")
                let forged = try await ask("/admin/whoami", try await strangerClaimingEC1.sign(claims(["admin"]), kid: "ec-1"))
                #expect(forged.0 == 401 && forged.1.contains("signature"), "\(forged)")
                // alg none, and HS256 with the RSA public key as the secret (key confusion).
                let body = Self.base64url(Data(#"{"iss":"\#(issuer)","aud":"api://lantaarn","exp":\#(now + 600),"sub":"x","roles":["admin"]}"#.utf8))
                let none = Self.base64url(Data(#"{"alg":"none","kid":"rsa-1"}"#.utf8)) + "." + body + "."
                let noneAnswer = try await ask("/admin/whoami", none)
                #expect(noneAnswer.0 == 401 && noneAnswer.1.contains("not accepted"), "\(noneAnswer)")
                let hmac = JWTKeyCollection()
                await hmac.add(hmac: HMACKey(from: rsa.publicKey.pemRepresentation), digestAlgorithm: .sha256, kid: "rsa-1")
                #expect(try await ask("/admin/whoami", try await hmac.sign(claims(["admin"]), kid: "rsa-1")).0 == 401)
                #expect(try await ask("/admin/whoami", "a.b").0 == 401)

                // Rotation: the provider publishes a new key; a token signed with it is accepted after one fetch.
                let before = provider.fetches.load(ordering: .relaxed)
                provider.keys.withLock { $0.append(Self.jwk(rotated, kid: "ec-2")) }
                #expect(try await ask("/admin/whoami", try await signers.sign(claims(["archivist"]), kid: "ec-2")).0 == 200)
                #expect(provider.fetches.load(ordering: .relaxed) == before + 1)
                #expect(try await ask("/admin/whoami", try await signers.sign(claims(["archivist"]), kid: "ec-2")).0 == 200)
                #expect(provider.fetches.load(ordering: .relaxed) == before + 1, "a known key needs no fetch")

                // The audit log names the person, never the token.
                let entries = try store.staff.auditEntries(AuditFilter(limit: 1000))
                #expect(entries.contains { $0.draft.actor == "m.visser@haarlem.nl" && $0.draft.outcome == "ok" && $0.draft.detail == "oidc key rsa-1" })
                #expect(entries.contains { $0.draft.actor == "anonymous" && $0.draft.detail.contains("does not publish") })
                #expect(!entries.contains { "\($0.draft)".contains(viaRSA.split(separator: ".")[2].prefix(20)) })
            }
            group.cancelAll()
        }
    }
}
