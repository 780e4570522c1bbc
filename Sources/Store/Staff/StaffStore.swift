import LantaarnModel

/// Named staff, their roles and their personal tokens (stored only as SHA-256 hashes).
public protocol StaffStore: Sendable {
    /// Adds an active member of staff; throws ``StaffError/exists(_:)`` for a taken name.
    func addStaff(_ member: StaffMember) throws
    /// Replaces the roles of an active member.
    func setRoles(_ name: String, roles: Set<StaffRole>) throws
    /// Disables an account: its tokens stop working at once. The account stays, so the audit
    /// log's names keep meaning something.
    func disableStaff(_ name: String, at: Int64) throws
    /// Every account, active and disabled, by name.
    func staff() throws -> [StaffMember]
    /// Issues a token for an active member: `hash` is the SHA-256 (hex) of the token itself.
    func addToken(staff: String, hash: String, createdAt: Int64, expiresAt: Int64) throws -> StaffToken
    /// Revokes a token; false when it was revoked before.
    @discardableResult
    func revokeToken(id: Int64, at: Int64) throws -> Bool
    /// Tokens of `staff` (every member's when `nil`), newest first.
    func tokens(staff: String?) throws -> [StaffToken]
    /// The member a token (by its SHA-256) belongs to, if it may be used at `now`.
    func lookupToken(hash: String, now: Int64) throws -> TokenLookup
}

extension StaffStore {
    /// Whether any account is active (then the old single admin token is refused).
    public func hasActiveStaff() throws -> Bool {
        try staff().contains { $0.disabledAt == nil }
    }
}

/// Everything about staff one backend keeps: accounts and tokens, the audit log, four-eyes
/// change requests and console sessions.
public typealias StaffDomain = StaffStore & AuditLog & ApprovalStore & StaffSessionStore
