import LantaarnModel

/// Proposing and deciding four-eyes changes, the same from the command line and the console:
/// each step is audited, and an approved change takes effect here when it is not the
/// scheduler's to pick up (lifting a hold). A pipeline version takes effect when the scheduler
/// next asks which versions are approved.
public struct ApprovalDesk: Sendable {
    let staff: any StaffDomain
    let holds: any LegalHoldStore

    public init(staff: any StaffDomain, holds: any LegalHoldStore) {
        self.staff = staff
        self.holds = holds
    }

    /// Whether four-eyes applies: a staff account exists (before that, changes take effect as made).
    public func inForce() throws -> Bool { try !staff.staff().isEmpty }

    /// Files `proposal` for `who`, who must hold one of the kind's proposer roles.
    public func propose(_ proposal: ChangeProposal, roles: Set<StaffRole>) throws -> ChangeRequest {
        let target = "change \(proposal.kind.rawValue) \(proposal.target)"
        do {
            guard !roles.isDisjoint(with: proposal.kind.proposers) else {
                throw ApprovalError.lacksRole(proposal.proposedBy, needed: proposal.kind.proposers)
            }
            let change = try staff.propose(proposal)
            try staff.appendAudit(AuditDraft(at: proposal.proposedAt, actor: proposal.proposedBy, action: "approval.propose",
                                             target: "\(target) (\(change.id))", outcome: "ok", detail: "sha256 \(proposal.contentHash.prefix(12))"))
            return change
        } catch {
            _ = try? staff.appendAudit(AuditDraft(at: proposal.proposedAt, actor: proposal.proposedBy, action: "approval.propose",
                                                  target: target, outcome: "failed", detail: String("\(error)".prefix(300))))
            throw error
        }
    }

    /// Proposes lifting hold `id`.
    public func proposeHoldLift(_ id: Int64, by: String, roles: Set<StaffRole>, note: String, at: Int64) throws -> ChangeRequest {
        guard let hold = try holds.holds().first(where: { $0.id == id }) else {
            throw ApprovalError.noSuchHold(id)
        }
        let note = try ChangeRequest.checkedReason(note)
        let summary = "Bewaarplicht #\(id) opheffen (\(hold.kind.rawValue) \(hold.subject), \(hold.window)). "
            + "Daarna mag de opschoning deze gegevens vernietigen als hun bewaartermijn voorbij is. Toelichting: \(note)"
        return try propose(ChangeProposal(kind: .holdLift, target: String(id), contentHash: SHA256.hex(Array("hold \(id)".utf8)),
                                          proposedBy: by, proposedAt: at, summary: summary,
                                          diff: "- hold #\(id) \(hold.kind.rawValue) \(hold.subject) \(hold.window): \(hold.reason)"), roles: roles)
    }

    /// Approves or rejects change `id` as `who` (never its proposer), audited, and applies an
    /// approved hold lift at once.
    public func decide(_ id: Int64, approve: Bool, by who: String, roles: Set<StaffRole>, reason: String, at: Int64) throws -> ChangeRequest {
        let action = approve ? "approval.approve" : "approval.reject"
        do {
            let change = try staff.decide(id: id, approve: approve, by: who, roles: roles, at: at, reason: reason)
            if approve, change.proposal.kind == .holdLift, let hold = Int64(change.proposal.target) {
                try holds.removeHold(id: hold)
            }
            try staff.appendAudit(AuditDraft(at: at, actor: who, action: action, target: "change \(id) \(change.proposal.kind.rawValue) \(change.proposal.target)",
                                             outcome: "ok", detail: String("proposed by \(change.proposal.proposedBy); \(change.reason ?? "")".prefix(300))))
            return change
        } catch {
            _ = try? staff.appendAudit(AuditDraft(at: at, actor: who, action: action, target: "change \(id)", outcome: "denied",
                                                  detail: String("\(error)".prefix(300))))
            throw error
        }
    }
}
