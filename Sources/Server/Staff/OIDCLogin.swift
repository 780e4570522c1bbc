import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LantaarnModel

/// The console's sign-in through the municipality's identity provider: the OpenID Connect
/// authorization-code flow with PKCE (S256), a `state` and a `nonce` bound to the browser by a
/// short-lived cookie. The ID token it gets back is checked like a bearer JWT (``OIDCVerifier``:
/// signature against the JWKS, `iss`, `exp`, `nbf`), with the client id as audience and the nonce.
public actor OIDCLogin {
    let configuration: OIDCConfiguration
    let clientID: String
    private let idTokens: OIDCVerifier
    private let fetch: @Sendable (String) async throws -> Data
    private let post: @Sendable (String, [(String, String)]) async throws -> Data
    private var endpoints: (authorization: String, token: String)?

    /// `nil` when no client id is configured. `fetch` and `post` default to HTTPS requests with a
    /// 10 s timeout; the tests are the identity provider.
    public init?(_ configuration: OIDCConfiguration, fetch: (@Sendable (String) async throws -> Data)? = nil,
                 post: (@Sendable (String, [(String, String)]) async throws -> Data)? = nil) {
        guard let clientID = configuration.clientID, !clientID.isEmpty else { return nil }
        self.configuration = configuration
        self.clientID = clientID
        var idConfiguration = configuration
        idConfiguration.audience = clientID
        let get = fetch ?? OIDCVerifier.get
        idTokens = OIDCVerifier(idConfiguration, fetch: get)
        self.fetch = get
        self.post = post ?? Self.postForm
    }

    /// What the browser keeps between leaving for the identity provider and coming back.
    public struct Transaction: Sendable, Equatable {
        public var state: String
        public var verifier: String
        public var nonce: String

        /// The cookie value: three hex values joined by dots.
        public var cookie: String { "\(state).\(verifier).\(nonce)" }

        public init?(cookie: String) {
            let parts = cookie.split(separator: ".").map(String.init)
            guard parts.count == 3, parts.allSatisfy({ $0.count == 64 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
            (state, verifier, nonce) = (parts[0], parts[1], parts[2])
        }

        init(state: String, verifier: String, nonce: String) {
            (self.state, self.verifier, self.nonce) = (state, verifier, nonce)
        }
    }

    /// Where to send the browser, and the transaction to keep in its cookie.
    public func start(redirect: String, random: () -> String) async throws -> (location: String, transaction: Transaction) {
        let t = Transaction(state: random(), verifier: random(), nonce: random())
        let (authorization, _) = try await discover()
        var query = URLComponents(string: authorization)!
        query.queryItems = (query.queryItems ?? []) + [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: clientID),
            URLQueryItem(name: "redirect_uri", value: redirect), URLQueryItem(name: "scope", value: "openid profile"),
            URLQueryItem(name: "state", value: t.state), URLQueryItem(name: "nonce", value: t.nonce),
            URLQueryItem(name: "code_challenge", value: Self.challenge(t.verifier)), URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        // '+' in a query value is a space to most servers: encode it.
        query.percentEncodedQuery = query.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return (query.string!, t)
    }

    /// Exchanges `code` for an ID token (with the PKCE verifier) and checks it; the person it names.
    public func finish(code: String, redirect: String, transaction t: Transaction, now: Int64) async throws -> StaffPrincipal {
        let (_, tokenEndpoint) = try await discover()
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("client_id", clientID),
                    ("code_verifier", t.verifier)]
        if let secret = configuration.clientSecret { form.append(("client_secret", secret)) }
        let answer: JSONValue
        do {
            answer = try JSONParser.parse(Array(try await post(tokenEndpoint, form)))
        } catch let refusal as OIDCVerifier.Refusal {
            throw refusal
        } catch is JSONParseError {
            throw OIDCVerifier.Refusal.keySet("the token endpoint did not answer with JSON")
        } catch {
            throw OIDCVerifier.Refusal.keySet("the token endpoint cannot be reached")
        }
        guard let idToken = answer["id_token"]?.stringValue else {
            let why = answer["error"]?.stringValue.map { "the identity provider refused: \($0.prefix(80))" } ?? "no ID token in the answer"
            throw OIDCVerifier.Refusal.claim(why)
        }
        return try await idTokens.principal(idToken, now: now, nonce: t.nonce)
    }

    /// The authorization and token endpoints, from the issuer's discovery document (once).
    private func discover() async throws -> (String, String) {
        if let endpoints { return endpoints }
        let base = configuration.issuer.hasSuffix("/") ? String(configuration.issuer.dropLast()) : configuration.issuer
        let d: JSONValue
        do {
            d = try JSONParser.parse(Array(try await fetch(base + "/.well-known/openid-configuration")))
        } catch let refusal as OIDCVerifier.Refusal {
            throw refusal
        } catch {
            throw OIDCVerifier.Refusal.keySet("the discovery document cannot be read")
        }
        guard let a = d["authorization_endpoint"]?.stringValue, let t = d["token_endpoint"]?.stringValue,
              URL(string: a)?.host != nil, URL(string: t)?.host != nil else {
            throw OIDCVerifier.Refusal.keySet("the discovery document has no authorization_endpoint or token_endpoint")
        }
        endpoints = (a, t)
        return (a, t)
    }

    /// The S256 code challenge: base64url of the SHA-256 of the verifier, without padding.
    static func challenge(_ verifier: String) -> String {
        let hex = Array(SHA256.hex(Array(verifier.utf8)).utf8)
        let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// POST of a form with a 10 s timeout; HTTPS only, except on the loopback interface.
    static func postForm(_ url: String, _ fields: [(String, String)]) async throws -> Data {
        guard let u = URL(string: url), u.scheme == "https" || (u.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(u.host ?? "")) else {
            throw OIDCVerifier.Refusal.keySet("'\(url.prefix(100))' is not an https URL")
        }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var request = URLRequest(url: u)
        request.httpMethod = "POST"
        request.timeoutInterval = 10
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&").utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        return data
    }
}
