import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A browser-like client for the console tests: keeps no cookies of its own (the test says which
/// to send), never follows redirects, and returns the response headers.
final class ConsoleClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    struct Answer {
        let status: Int
        let body: String
        let headers: [String: String]
        /// Every `Set-Cookie` header, whole.
        let setCookies: [String]

        /// The value a `Set-Cookie` gives cookie `name`.
        func cookie(_ name: String) -> String? {
            setCookies.compactMap { c -> String? in
                guard c.hasPrefix(name + "=") else { return nil }
                return String(c.dropFirst(name.count + 1).prefix { $0 != ";" })
            }.first
        }
    }

    private lazy var session: URLSession = {
        let config = URLSessionConfiguration.ephemeral
        config.httpShouldSetCookies = false
        config.httpCookieAcceptPolicy = .never
        config.httpCookieStorage = nil
        // As `URLSession.loopback` (TestSupport): a CI-loaded test process can stall past 60 s.
        config.timeoutIntervalForRequest = 600
        config.timeoutIntervalForResource = 900
        return URLSession(configuration: config, delegate: self, delegateQueue: nil)
    }()

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func send(_ url: String, method: String = "GET", cookies: [String: String] = [:], form: [String: String]? = nil) async throws -> Answer {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        if !cookies.isEmpty { r.setValue(cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie") }
        if let form {
            r.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            r.httpBody = Data(form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
        }
        let (data, response) = try await session.data(for: r)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        // Foundation joins repeated Set-Cookie headers with ", "; cookies here never hold a comma.
        let cookies = headers["set-cookie"].map { $0.components(separatedBy: ", ").filter { $0.contains("=") } } ?? []
        return Answer(status: http.statusCode, body: String(decoding: data, as: UTF8.self), headers: headers, setCookies: cookies)
    }

    /// Signs in with `token` as a browser would: the form (and its binding cookie), then the post.
    func signIn(_ base: String, token: String) async throws -> Answer {
        let form = try await send(base + "/beheer/inloggen")
        let binding = form.cookie("lantaarn_inlog") ?? ""
        return try await send(base + "/beheer/inloggen", method: "POST", cookies: ["lantaarn_inlog": binding],
                              form: ["inlog": binding, "token": token])
    }

    /// The anti-forgery token in a page's forms.
    static func csrf(in page: String) -> String? {
        guard let r = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[r.upperBound...].prefix { $0 != "\"" })
    }
}
