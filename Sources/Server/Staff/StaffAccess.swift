import Foundation
import Hummingbird
import LantaarnModel
import Store

/// Who is asking, once their bearer token checked out.
public struct StaffPrincipal: Sendable, Equatable {
    /// The account name (`admin-token` for the old shared token).
    public let name: String
    public let roles: Set<StaffRole>
    /// How they signed in, for the audit log (`token 12`, `shared admin token`); never the secret.
    public let via: String
}

/// Access to the admin API by named staff: a personal token (`lantaarn staff add`), a bearer JWT
/// from the municipality's identity provider (`admin.oidc`), or, only while no staff account
/// exists, the old shared admin token (`admin.token_file`) as a migration path. Every request that
/// reaches an admin route is recorded in the audit log, allowed or not.
public struct StaffAccess: Sendable {
    let staff: any StaffDomain
    let alerts: any AlertStore
    let oidc: OIDCVerifier?
    /// The console's sign-in through the identity provider; `nil`: personal tokens only.
    let oidcLogin: OIDCLogin?
    private let sharedToken: [UInt8]?

    /// `nil` when `sharedToken` is given but shorter than 32 characters (read it from a file, never a flag).
    public init?(staff: any StaffDomain, alerts: any AlertStore, sharedToken: String? = nil, oidc: OIDCVerifier? = nil,
                 oidcLogin: OIDCLogin? = nil) {
        self.staff = staff
        self.alerts = alerts
        self.oidc = oidc
        self.oidcLogin = oidcLogin
        if let sharedToken {
            let t = sharedToken.trimmingCharacters(in: .whitespacesAndNewlines)
            guard t.utf8.count >= 32 else { return nil }
            self.sharedToken = Array(t.utf8)
        } else {
            self.sharedToken = nil
        }
    }

    /// The principal behind the request's `Authorization: Bearer …`, if they hold one of `route`'s
    /// roles; otherwise 401 (no, unknown, expired or revoked token) or 403 (no such role). Both
    /// outcomes are audited.
    func authorize(_ request: Request, _ route: AdminRoute, now: Int64 = Clock.nowMilliseconds()) async throws -> StaffPrincipal {
        // The path as asked (a capture may be long: the entry keeps its start).
        let target = String("\(route.method) \(request.uri.path)".prefix(300))
        func deny(_ status: HTTPResponse.Status, _ actor: String, _ reason: String, _ message: String) throws -> Never {
            try staff.appendAudit(AuditDraft(at: now, actor: actor, action: "admin.request", target: target, outcome: "denied", detail: reason))
            throw APIError(status, message)
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.count > 7 else {
            try deny(.unauthorized, "anonymous", "no token", "send Authorization: Bearer with your personal token ('lantaarn staff token NAME' issues one)")
        }
        let bearer = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let principal: StaffPrincipal
        if StaffTokenText.looksLikeToken(bearer) {
            switch try staff.lookupToken(hash: StaffTokenText.hash(bearer), now: now) {
            case let .valid(member, id):
                principal = StaffPrincipal(name: member.name, roles: member.roles, via: "token \(id)")
            case let .expired(name, id):
                try deny(.unauthorized, name, "token \(id) expired", "your token has expired; ask an admin for a new one ('lantaarn staff token \(name)')")
            case let .revoked(name, id):
                try deny(.unauthorized, name, "token \(id) revoked", "this token was revoked; ask an admin for a new one")
            case let .disabled(name, id):
                try deny(.unauthorized, name, "token \(id) of a disabled account", "this account is disabled")
            case .unknown:
                try deny(.unauthorized, "anonymous", "unknown token", "unknown token; send your personal token")
            }
        } else if let oidc, bearer.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
            do {
                principal = try await oidc.principal(bearer, now: now)
            } catch let refusal as OIDCVerifier.Refusal {
                try deny(.unauthorized, "anonymous", "oidc: \(refusal)", "your sign-in token was refused: \(refusal)")
            }
        } else if let sharedToken, Self.constantTimeEqual(Array(bearer.utf8), sharedToken) {
            guard try !staff.hasActiveStaff() else {
                try deny(.unauthorized, "admin-token", "shared admin token refused: staff accounts exist",
                         "the shared admin token (admin.token_file) is no longer accepted now that staff accounts exist; "
                            + "use your personal token, and remove admin.token_file from lantaarn.yaml")
            }
            principal = StaffPrincipal(name: "admin-token", roles: Set(StaffRole.allCases), via: "shared admin token")
        } else {
            try deny(.unauthorized, "anonymous", "unknown token", "unknown token; send your personal token")
        }
        guard !principal.roles.isDisjoint(with: route.roles) else {
            let needed = StaffRole.text(route.roles).replacingOccurrences(of: ",", with: " or ")
            try deny(.forbidden, principal.name, "lacks role \(needed)",
                     "this needs the role \(needed); you have \(StaffRole.text(principal.roles))")
        }
        try staff.appendAudit(AuditDraft(at: now, actor: principal.name, action: "admin.request", target: target, outcome: "ok", detail: principal.via))
        return principal
    }

    /// Compares in time that depends only on the expected token's length.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for i in 0..<expected.count { difference |= expected[i] ^ (i < given.count ? given[i] : 0) }
        return difference == 0
    }
}

/// One route of the admin API and the roles that may use it (any one of them suffices).
public struct AdminRoute: Sendable, Hashable, CustomStringConvertible {
    public let method: HTTPRequest.Method
    public let path: String
    public let roles: Set<StaffRole>

    public var description: String { "\(method) \(path)" }
}
