import LantaarnModel

/// One staff action as the caller describes it; the audit log numbers and chains it.
/// Never put citizens' personal data or a secret (token, JWT, password) in any field.
public struct AuditDraft: Sendable, Equatable {
    /// When, epoch milliseconds.
    public var at: Int64
    /// Who: an account name, `cli:<os user>` for the command line, or `anonymous`.
    public var actor: String
    /// What, as `domain.verb`: `staff.add`, `token.revoke`, `admin.request`, `hold.remove`, ...
    public var action: String
    /// On what: a route, dataset, hold id, account name.
    public var target: String
    /// `ok`, `denied` (refused for want of a role or token) or `failed`.
    public var outcome: String
    /// A short note (a role used, a reason given); no personal data.
    public var detail: String

    public init(at: Int64, actor: String, action: String, target: String, outcome: String = "ok", detail: String = "") {
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.detail = detail
    }
}

/// An entry of the hash-chained audit log.
public struct AuditEntry: Sendable, Equatable {
    /// 1, 2, 3, ... without gaps.
    public var seq: Int64
    public var draft: AuditDraft
    /// SHA-256 (hex) of the entry before (64 zeros before the first).
    public var previous: String
    /// SHA-256 (hex) of `previous` and this entry's fields.
    public var hash: String

    public init(seq: Int64, draft: AuditDraft, previous: String, hash: String) {
        self.seq = seq
        self.draft = draft
        self.previous = previous
        self.hash = hash
    }

    /// The entry that follows `previous` (nil: the first) with `draft`'s fields.
    public static func chained(after previous: (seq: Int64, hash: String)?, _ draft: AuditDraft) -> AuditEntry {
        let seq = (previous?.seq ?? 0) + 1
        let before = previous?.hash ?? AuditChain.genesis
        return AuditEntry(seq: seq, draft: draft, previous: before, hash: AuditChain.hash(seq: seq, draft, previous: before))
    }
}

/// Which entries to list, newest first.
public struct AuditFilter: Sendable {
    public var actor: String?
    /// An action, or a prefix ending in `.` (`token.` lists every token action).
    public var action: String?
    public var outcome: String?
    public var since: Int64?
    public var until: Int64?
    public var limit: Int

    public init(actor: String? = nil, action: String? = nil, outcome: String? = nil, since: Int64? = nil, until: Int64? = nil,
                limit: Int = 100) {
        self.actor = actor
        self.action = action
        self.outcome = outcome
        self.since = since
        self.until = until
        self.limit = limit
    }
}

/// The append-only, hash-chained log of staff actions (BIO: logging of every change).
public protocol AuditLog: Sendable {
    /// Appends one entry after the newest, in one transaction (entries from several nodes are
    /// chained one at a time).
    @discardableResult
    func appendAudit(_ draft: AuditDraft) throws -> AuditEntry
    /// Entries with `seq > after`, oldest first, at most `limit` (for verification).
    func auditEntries(after seq: Int64, limit: Int) throws -> [AuditEntry]
    /// Entries matching `filter`, newest first.
    func auditEntries(_ filter: AuditFilter) throws -> [AuditEntry]
    /// The newest entry destroyed under the audit log's retention (its number and hash); the
    /// chain goes on from it. `nil` while nothing was destroyed.
    func auditAnchor() throws -> AuditChain.Checkpoint?
    /// Destroys the entries older than `before` (always a prefix of the chain: every entry up to
    /// the newest that old), keeps the newest of them as the anchor, and records the destruction
    /// `record` makes of how many went and the anchor, in one transaction. Returns how many went
    /// (a dry run only counts).
    @discardableResult
    func purgeAudit(before: Int64, dryRun: Bool, record: (Int, AuditChain.Checkpoint) -> DestructionRecord) throws -> Int
}
