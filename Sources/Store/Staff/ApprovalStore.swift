/// Four-eyes change requests: proposed by one member of staff, decided by another.
public protocol ApprovalStore: Sendable {
    /// Stores a proposal as pending. A pending request for the same kind, target and content is
    /// returned as it is (proposing twice files one request); other pending requests for the same
    /// kind and target become `superseded`.
    func propose(_ proposal: ChangeProposal) throws -> ChangeRequest
    /// Requests, newest first; `status` `nil`: every status.
    func changes(status: ChangeStatus?, kind: ChangeKind?, limit: Int) throws -> [ChangeRequest]
    func change(id: Int64) throws -> ChangeRequest?
    /// Approves or rejects a pending request, after ``ChangeRequest/checkDecision(by:roles:)``
    /// in the same transaction. Throws ``ApprovalError``.
    func decide(id: Int64, approve: Bool, by: String, roles: Set<StaffRole>, at: Int64, reason: String) throws -> ChangeRequest
    /// The approved content hashes of `kind`, per target, with when each was approved (oldest first).
    func approvedContent(kind: ChangeKind) throws -> [String: [(hash: String, at: Int64)]]
}
