import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JWTKit
import LantaarnModel
import Store

/// The municipality's identity provider (Entra ID, Keycloak, any OIDC issuer), as `lantaarn.yaml`
/// names it under `admin.oidc`.
public struct OIDCConfiguration: Sendable, Equatable {
    /// The `iss` every token must carry, e.g. `https://login.microsoftonline.com/TENANT/v2.0`.
    public var issuer: String
    /// The `aud` every token must include (the id Lantaarn is registered under).
    public var audience: String
    /// The claim holding the roles (an array of strings, or one string split at spaces and commas).
    public var rolesClaim = "roles"
    /// The claim naming the person (else `sub`).
    public var nameClaim = "preferred_username"
    /// The key set; `nil`: from the issuer's discovery document.
    public var jwksURL: String?
    /// How far `exp` and `nbf` may be off (ms).
    public var clockSkew: Int64 = 60_000
    /// The console's sign-in (authorization code with PKCE): the client id Lantaarn is registered
    /// under at the identity provider (the `aud` of its ID tokens); `nil`: no sign-in through it.
    public var clientID: String?
    /// The client secret of a confidential client; `nil`: a public client (PKCE alone).
    public var clientSecret: String?
    /// Where the identity provider sends the browser back (`…/beheer/oidc/terug`, registered
    /// there); `nil`: this server's address as the browser used it.
    public var redirectURL: String?

    public init(issuer: String, audience: String) {
        self.issuer = issuer
        self.audience = audience
    }
}

/// Checks bearer JWTs against the issuer's JWKS with jwt-kit: the signature (RSA, RSA-PSS or
/// ECDSA only, so neither `none` nor an HMAC key made of a public key passes), `iss`, `aud`,
/// `exp` and `nbf` with clock skew. A token signed with a key id it has not seen makes it fetch
/// the key set again (key rotation), at most once per `refetchInterval`.
public actor OIDCVerifier {
    public let configuration: OIDCConfiguration
    private let fetch: @Sendable (String) async throws -> Data
    private let refetchInterval: Int64
    private var keys = JWTKeyCollection()
    private var kids: Set<String> = []
    private var fetchedAt: Int64?

    static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]

    /// - Parameter fetch: GET of a URL (default: URLSession with a 10 s timeout); the tests serve their own.
    public init(_ configuration: OIDCConfiguration, refetchInterval: Int64 = 60_000,
                fetch: (@Sendable (String) async throws -> Data)? = nil) {
        self.configuration = configuration
        self.refetchInterval = refetchInterval
        self.fetch = fetch ?? Self.get
    }

    /// Why a token was refused; the description is for the caller and never holds the token.
    public enum Refusal: Error, CustomStringConvertible, Equatable {
        case malformed(String)
        case unknownKey
        case signature
        case claim(String)
        case keySet(String)

        public var description: String {
            switch self {
            case .malformed(let why): return "not a usable token: \(why)"
            case .unknownKey: return "signed with a key the identity provider does not publish"
            case .signature: return "the signature does not check out"
            case .claim(let why): return why
            case .keySet(let why): return "the identity provider's keys cannot be fetched: \(why)"
            }
        }
    }

    /// The person a valid token names, with the roles of its roles claim that Lantaarn knows.
    /// `nonce`: the value an ID token must carry (the console's sign-in), `nil` for bearer tokens.
    public func principal(_ token: String, now: Int64, nonce: String? = nil) async throws -> StaffPrincipal {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.json(parts[0]), let payload = Self.json(parts[1]) else {
            throw Refusal.malformed("expected three base64url parts")
        }
        guard let alg = header["alg"]?.stringValue, Self.algorithms.contains(alg) else {
            throw Refusal.malformed("algorithm '\(header["alg"]?.stringValue ?? "none")' is not accepted")
        }
        guard let kid = header["kid"]?.stringValue, !kid.isEmpty else { throw Refusal.malformed("no key id (kid)") }
        if !kids.contains(kid), fetchedAt.map({ now - $0 >= refetchInterval }) ?? true {
            try await refresh(now: now)
        }
        guard kids.contains(kid) else { throw Refusal.unknownKey }
        do {
            _ = try await keys.verify(token, as: SignatureOnly.self)
        } catch {
            throw Refusal.signature
        }
        if let nonce, payload["nonce"]?.stringValue != nonce { throw Refusal.claim("the sign-in does not match this browser (nonce)") }
        return try claims(payload, now: now, kid: kid)
    }

    private func claims(_ p: JSONValue, now: Int64, kid: String) throws -> StaffPrincipal {
        let c = configuration
        guard p["iss"]?.stringValue == c.issuer else { throw Refusal.claim("issued by another issuer than \(c.issuer)") }
        let audiences = p["aud"]?.arrayValue?.compactMap(\.stringValue) ?? p["aud"]?.stringValue.map { [$0] } ?? []
        guard audiences.contains(c.audience) else { throw Refusal.claim("not meant for this audience (\(c.audience))") }
        guard let exp = p["exp"]?.numberValue else { throw Refusal.claim("no expiry (exp)") }
        guard now < Int64(exp * 1000) + c.clockSkew else { throw Refusal.claim("expired; sign in again") }
        if let nbf = p["nbf"]?.numberValue, now + c.clockSkew < Int64(nbf * 1000) {
            throw Refusal.claim("not valid yet (nbf); check the clocks")
        }
        let claimed = p[c.rolesClaim]?.arrayValue?.compactMap(\.stringValue)
            ?? p[c.rolesClaim]?.stringValue.map { $0.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) } ?? []
        guard let name = (p[c.nameClaim]?.stringValue ?? p["sub"]?.stringValue).map({ String($0.prefix(64)) }), !name.isEmpty else {
            throw Refusal.claim("no \(c.nameClaim) or sub claim naming the person")
        }
        return StaffPrincipal(name: name, roles: Set(claimed.compactMap(StaffRole.init)), via: "oidc key \(kid.prefix(40))")
    }

    /// Fetches the key set (through discovery when no URL is configured) and keeps its signing keys.
    private func refresh(now: Int64) async throws {
        fetchedAt = now
        do {
            var url = configuration.jwksURL
            if url == nil {
                let base = configuration.issuer.hasSuffix("/") ? String(configuration.issuer.dropLast()) : configuration.issuer
                let discovery = try JSONParser.parse(Array(try await fetch(base + "/.well-known/openid-configuration")))
                guard let uri = discovery["jwks_uri"]?.stringValue else { throw Refusal.keySet("the discovery document has no jwks_uri") }
                url = uri
            }
            let set = try JSONParser.parse(Array(try await fetch(url!)))
            let fresh = JWTKeyCollection()
            var found: Set<String> = []
            for key in set["keys"]?.arrayValue ?? [] {
                // Encryption keys and keys jwt-kit cannot use are left out; the rest verify.
                guard key["use"]?.stringValue != "enc", let kid = key["kid"]?.stringValue,
                      let jwk = try? JSONDecoder().decode(JWK.self, from: Data(JSONWriter.string(key).utf8)),
                      (try? await fresh.add(jwk: jwk)) != nil else { continue }
                found.insert(kid)
            }
            keys = fresh
            kids = found
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal.keySet("\(error)")
        }
    }

    /// A base64url part as JSON.
    static func json(_ part: Substring) -> JSONValue? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return try? JSONParser.parse(Array(data))
    }

    /// GET with a 10 s timeout; HTTPS only, except on the loopback interface.
    static func get(_ url: String) async throws -> Data {
        guard let u = URL(string: url), u.scheme == "https" || (u.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(u.host ?? "")) else {
            throw Refusal.keySet("'\(url.prefix(100))' is not an https URL")
        }
        var request = URLRequest(url: u)
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            throw Refusal.keySet("\(url.prefix(100)) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        return data
    }
}

/// jwt-kit checks the signature; the claims are checked by ``OIDCVerifier`` (with the configured
/// names and clock skew), so nothing is decoded here.
struct SignatureOnly: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
