import LantaarnModel

/// What a member of staff may do (BIO: role-based access, separation of duties). A person may
/// hold several roles, but never approves their own change.
public enum StaffRole: String, CaseIterable, Sendable, Comparable {
    /// Authors pipelines, dashboards and sensors; runs backfills; replays quarantine.
    case datateam
    /// Approves publication and pipeline versions.
    case approver
    /// Retention, destruction lists, legal holds, archive export.
    case archivist
    /// The purpose register, holds, disclosure reports; reads the audit log.
    case privacy
    /// Accounts and settings; reads the audit log.
    case admin

    public static func < (a: StaffRole, b: StaffRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Roles from `datateam,approver`; `nil` with the offending name when one is not a role.
    public static func parse(_ text: String) -> Result<Set<StaffRole>, StaffError> {
        var roles = Set<StaffRole>()
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            guard let role = StaffRole(rawValue: part) else { return .failure(.unknownRole(String(part.prefix(40)))) }
            roles.insert(role)
        }
        return roles.isEmpty ? .failure(.noRoles) : .success(roles)
    }

    /// `datateam,approver`, in the order of `allCases`.
    public static func text(_ roles: Set<StaffRole>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: ",")
    }
}

/// A named member of staff.
public struct StaffMember: Sendable, Equatable {
    /// A short account name (letters, digits, `.`, `-`, `_`), unique; it is what the audit log shows.
    public var name: String
    public var roles: Set<StaffRole>
    public var createdAt: Int64
    /// When the account was disabled (its tokens stop working); `nil` while active.
    public var disabledAt: Int64?

    public init(name: String, roles: Set<StaffRole>, createdAt: Int64, disabledAt: Int64? = nil) {
        self.name = name
        self.roles = roles
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }

    /// Whether `name` is a valid account name: 2 to 64 of letters, digits, `.`, `-`, `_`, `@`.
    public static func isValidName(_ name: String) -> Bool {
        (2...64).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_@".contains($0)) }
    }
}

/// A personal API token, stored only as its SHA-256.
public struct StaffToken: Sendable, Equatable {
    public var id: Int64
    public var staff: String
    public var createdAt: Int64
    public var expiresAt: Int64
    public var revokedAt: Int64?

    public init(id: Int64, staff: String, createdAt: Int64, expiresAt: Int64, revokedAt: Int64?) {
        self.id = id
        self.staff = staff
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// What a presented token turns out to be.
public enum TokenLookup: Sendable, Equatable {
    case valid(StaffMember, tokenID: Int64)
    case expired(staff: String, tokenID: Int64)
    case revoked(staff: String, tokenID: Int64)
    /// The account of the token is disabled.
    case disabled(staff: String, tokenID: Int64)
    case unknown
}

/// Staff accounts that cannot be made or changed, with what to do instead.
public enum StaffError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknownRole(String)
    case noRoles
    case invalidName(String)
    case exists(String)
    case noSuchStaff(String)
    case noSuchToken(Int64)

    public var description: String {
        switch self {
        case .unknownRole(let r):
            return "'\(r)' is not a role; use a comma-separated list of \(StaffRole.allCases.map(\.rawValue).joined(separator: ", "))"
        case .noRoles: return "name at least one role: \(StaffRole.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidName(let n):
            return "'\(n.prefix(70))' is not an account name; use 2 to 64 letters, digits, '.', '-', '_' or '@' (for example j.devries)"
        case .exists(let n): return "there is already a member of staff '\(n)'; 'lantaarn staff list' shows them"
        case .noSuchStaff(let n): return "there is no member of staff '\(n.prefix(70))'; 'lantaarn staff list' shows them"
        case .noSuchToken(let id): return "there is no token \(id); 'lantaarn staff list --tokens' shows them"
        }
    }
}

extension TokenLookup {
    /// The verdict on a stored token, the same on every backend: a disabled account, then a
    /// revoked token, then an expired one, refuse it.
    package static func classify(_ member: StaffMember, tokenID: Int64, expiresAt: Int64, revokedAt: Int64?, now: Int64) -> TokenLookup {
        if member.disabledAt != nil { return .disabled(staff: member.name, tokenID: tokenID) }
        if revokedAt != nil { return .revoked(staff: member.name, tokenID: tokenID) }
        if expiresAt <= now { return .expired(staff: member.name, tokenID: tokenID) }
        return .valid(member, tokenID: tokenID)
    }
}
