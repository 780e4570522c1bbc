import LantaarnModel

/// A change that takes effect only after a second person with the right role approves it
/// (four-eyes; BIO separation of duties).
public enum ChangeKind: String, CaseIterable, Sendable {
    /// A new or changed pipeline definition, pinned by the SHA-256 of its file. This also covers a
    /// new public dataset and a dataset made public again: datasets are published by pipelines,
    /// and the summary says when a version makes one public.
    case pipeline
    /// Lifting a legal hold.
    case holdLift = "hold.lift"
    /// A destruction list (vernietigingslijst).
    case destruction

    /// Who may approve a change of this kind (any one of these roles; never the proposer).
    public var approvers: Set<StaffRole> {
        switch self {
        case .pipeline: return [.approver]
        case .holdLift: return [.archivist, .privacy]
        case .destruction: return [.archivist]
        }
    }

    /// Who may propose one.
    public var proposers: Set<StaffRole> {
        switch self {
        case .pipeline: return [.datateam]
        case .holdLift: return [.archivist, .privacy]
        case .destruction: return [.archivist]
        }
    }

    /// The Dutch name shown in the console.
    public var dutch: String {
        switch self {
        case .pipeline: return "Pijplijnversie"
        case .holdLift: return "Bewaarplicht opheffen"
        case .destruction: return "Vernietigingslijst"
        }
    }
}

/// Where a change request stands.
public enum ChangeStatus: String, CaseIterable, Sendable {
    case pending, approved, rejected
    /// A newer proposal for the same target came in before this one was decided.
    case superseded
}

/// A proposed change, before it is stored.
public struct ChangeProposal: Sendable, Equatable {
    public var kind: ChangeKind
    /// What it changes: a pipeline name, a hold id, a destruction list id.
    public var target: String
    /// The SHA-256 of what is to take effect (a pipeline file); approval pins exactly this.
    public var contentHash: String
    public var proposedBy: String
    public var proposedAt: Int64
    /// A short Dutch summary (B1) of what changes and why.
    public var summary: String
    /// A unified diff against what is in force now (empty for a first version or a hold).
    public var diff: String
    /// What the change would do, computed without publishing (a pipeline: its output for the
    /// latest closed window next to the current release, with the disclosure figures).
    public var preview: String

    public init(kind: ChangeKind, target: String, contentHash: String, proposedBy: String, proposedAt: Int64,
                summary: String, diff: String = "", preview: String = "") {
        self.kind = kind
        self.target = target
        self.contentHash = contentHash
        self.proposedBy = proposedBy
        self.proposedAt = proposedAt
        self.summary = summary
        self.diff = diff
        self.preview = preview
    }
}

/// A stored change request and its decision.
public struct ChangeRequest: Sendable, Equatable {
    public var id: Int64
    public var proposal: ChangeProposal
    public var status: ChangeStatus
    public var decidedBy: String?
    public var decidedAt: Int64?
    /// Why it was approved or rejected (required with either).
    public var reason: String?

    public init(id: Int64, proposal: ChangeProposal, status: ChangeStatus, decidedBy: String?, decidedAt: Int64?, reason: String?) {
        self.id = id
        self.proposal = proposal
        self.status = status
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.reason = reason
    }
}

/// A decision that cannot be made, with what to do instead.
public enum ApprovalError: Error, CustomStringConvertible, Equatable, Sendable {
    case noSuchChange(Int64)
    case notPending(Int64, ChangeStatus)
    /// Four-eyes: the proposer may not decide their own change.
    case ownChange(Int64, String)
    case lacksRole(String, needed: Set<StaffRole>)
    case noReason
    case noSuchHold(Int64)
    case identityRequired(String)

    public var description: String {
        switch self {
        case .noSuchChange(let id): return "there is no change \(id); 'lantaarn approvals list' shows them"
        case .notPending(let id, let s): return "change \(id) is \(s.rawValue), not pending; only a pending change can be decided"
        case .ownChange(let id, let who):
            return "\(who) proposed change \(id) and so may not decide it (four-eyes); another member of staff with the role must"
        case .lacksRole(let who, let needed):
            return "\(who) lacks the role for this: it needs \(StaffRole.text(needed).replacingOccurrences(of: ",", with: " or "))"
        case .noSuchHold(let id): return "there is no legal hold \(id); 'lantaarn hold list' shows them"
        case .noReason: return "give a reason of at least 5 characters (--reason to decide, --note to propose); it is kept with the change"
        case .identityRequired(let what):
            return "\(what) needs a named member of staff (four-eyes): give your personal token with --token-file FILE or LANTAARN_TOKEN_FILE"
        }
    }
}

extension ChangeRequest {
    /// Checks that `who` (holding `roles`) may decide this change: it is pending, `who` did not
    /// propose it, and holds one of the kind's approver roles. Every backend calls this inside
    /// the transaction that records the decision.
    package func checkDecision(by who: String, roles: Set<StaffRole>) throws {
        guard status == .pending else { throw ApprovalError.notPending(id, status) }
        guard who != proposal.proposedBy else { throw ApprovalError.ownChange(id, who) }
        guard !roles.isDisjoint(with: proposal.kind.approvers) else { throw ApprovalError.lacksRole(who, needed: proposal.kind.approvers) }
    }

    /// A reason worth keeping: trimmed, 5 to 1000 characters.
    package static func checkedReason(_ reason: String) throws -> String {
        let r = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard r.count >= 5 else { throw ApprovalError.noReason }
        return String(r.prefix(1000))
    }
}
