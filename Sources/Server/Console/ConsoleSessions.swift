import Foundation
import Hummingbird
import LantaarnModel
import Store

/// Console sign-in state: the session cookie (a random 256-bit value; the store keeps only its
/// SHA-256), the anti-forgery token every form carries, and the short-lived cookie that binds
/// the sign-in form to the browser that asked for it (against login CSRF).
struct ConsoleSessions: Sendable {
    let staff: any StaffDomain
    /// How long a session lasts at most (a token session also ends with its token).
    static let lifetime: Int64 = 8 * 3_600_000

    static let sessionCookie = "lantaarn_sessie"
    static let loginCookie = "lantaarn_inlog"

    /// A fresh random value, 256 bits as hex.
    static func random() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", g.next() as UInt64) }.joined()
    }

    /// `Set-Cookie` for the session: Secure, HttpOnly, SameSite=Strict, scoped to the console.
    static func sessionCookieHeader(_ value: String, maxAge: Int64) -> String {
        "\(sessionCookie)=\(value); Path=/beheer; Max-Age=\(maxAge); Secure; HttpOnly; SameSite=Strict"
    }

    static func clearCookieHeader(_ name: String) -> String {
        "\(name)=; Path=/beheer; Max-Age=0; Secure; HttpOnly; SameSite=Strict"
    }

    /// The value of cookie `name` in the request, if any.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }

    /// The signed-in session of the request, if its cookie names a usable one.
    func session(_ request: Request, now: Int64) throws -> (session: StaffSession, hash: String)? {
        guard let value = Self.cookie(Self.sessionCookie, in: request), value.count == 64,
              value.allSatisfy(\.isHexDigit) else { return nil }
        let hash = SHA256.hex(Array(value.utf8))
        return try staff.session(hash: hash, now: now).map { ($0, hash) }
    }

    /// Opens a session for `principal`; returns the cookie value.
    func open(_ principal: StaffPrincipal, tokenID: Int64?, until: Int64, now: Int64) throws -> String {
        let value = Self.random()
        try staff.openSession(StaffSession(staff: principal.name, roles: principal.roles, tokenID: tokenID, via: principal.via,
                                           csrf: Self.random(), createdAt: now, expiresAt: min(until, now + Self.lifetime)),
                              hash: SHA256.hex(Array(value.utf8)))
        return value
    }

    /// Compares in time that depends only on the expected value's length.
    static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given else { return false }
        return StaffAccess.constantTimeEqual(Array(given.utf8), Array(expected.utf8))
    }
}

/// The fields of an `application/x-www-form-urlencoded` body.
struct FormFields {
    private var fields: [String: String] = [:]

    init(_ request: Request) async throws {
        let body = try await request.body.collect(upTo: 65_536)
        let text = String(decoding: body.readableBytesView, as: UTF8.self)
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = try? PercentDecoding.decode(kv[0], plusAsSpace: true).get() else { continue }
            fields[key] = kv.count > 1 ? (try? PercentDecoding.decode(kv[1], plusAsSpace: true).get()) ?? "" : ""
        }
    }

    subscript(_ key: String) -> String? { fields[key] }
}
