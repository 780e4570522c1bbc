/// A signed-in console session. The browser holds a random cookie; the store keeps only its
/// SHA-256, so a copy of the database opens no session.
public struct StaffSession: Sendable, Equatable {
    public var staff: String
    /// For a session opened with a personal token, the account's roles as they are now (read at
    /// every request); for one opened through the identity provider, the roles its token carried.
    public var roles: Set<StaffRole>
    /// The personal token it was opened with: revoking it ends the session.
    public var tokenID: Int64?
    /// How the person signed in, for the audit log (`token 12`, `oidc key k1`).
    public var via: String
    /// The anti-forgery token every form of this session carries.
    public var csrf: String
    public var createdAt: Int64
    public var expiresAt: Int64

    public init(staff: String, roles: Set<StaffRole>, tokenID: Int64?, via: String, csrf: String, createdAt: Int64, expiresAt: Int64) {
        self.staff = staff
        self.roles = roles
        self.tokenID = tokenID
        self.via = via
        self.csrf = csrf
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Console sessions.
public protocol StaffSessionStore: Sendable {
    /// Stores a session under the SHA-256 (hex) of its cookie.
    func openSession(_ session: StaffSession, hash: String) throws
    /// The session, if it may still be used at `now`: not ended, not expired, its account active
    /// and (for a token session) its token neither revoked nor expired.
    func session(hash: String, now: Int64) throws -> StaffSession?
    /// Ends a session (signing out).
    func closeSession(hash: String, at: Int64) throws
}

extension StaffSession {
    /// The session as it may be used at `now`, the same on every backend: `nil` once expired;
    /// a token session also needs its account active (its roles are the account's now) and its
    /// token neither revoked nor expired; an identity-provider session keeps its own roles, but
    /// not past a disabled account of the same name.
    package func usable(now: Int64, accountRoles: String?, accountDisabledAt: Int64?, tokenExpiresAt: Int64?, tokenRevokedAt: Int64?) -> StaffSession? {
        guard expiresAt > now, accountDisabledAt == nil else { return nil }
        guard tokenID != nil else { return self }
        guard let accountRoles, let roles = try? StaffRole.parse(accountRoles).get(), tokenRevokedAt == nil,
              let tokenExpiresAt, tokenExpiresAt > now else { return nil }
        var s = self
        s.roles = roles
        return s
    }
}
