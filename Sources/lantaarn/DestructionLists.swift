import Foundation
import LantaarnModel
import Store

/// Destruction under approved lists (Archiefwet): the purge draws up a list of what is past its
/// retention, an archivist approves it (four-eyes, through the approvals; before the first
/// staff account, `lantaarn purge approve LIST --by NAME`), and only then is it carried out,
/// destroying exactly what it names and nothing a legal hold covers. The list (a change
/// request), its approval and the destruction log are never purged.
struct DestructionLists {
    let run: RetentionRun

    /// Who draws up the lists the purge makes by itself.
    static let drafter = "lantaarn:opschoning"
    /// The destruction log's kind for "list N was carried out".
    static let carriedOutKind = "destruction-list"

    var store: StoreBackend { run.runtime.store }

    /// Every destruction list, newest first.
    func lists(limit: Int = 1000) throws -> [ChangeRequest] {
        try store.staff.changes(status: nil, kind: .destruction, limit: limit)
    }

    /// The ids of lists carried out, from the destruction log.
    func carriedOut() throws -> Set<Int64> {
        Set(try store.retention.destructionLog().filter { $0.kind == Self.carriedOutKind }.compactMap {
            Int64($0.subject.dropFirst(DestructionList.logSubject(0).count - 1))
        })
    }

    /// What ``propose(now:)`` did: the list waiting for approval (filed now, or earlier), or
    /// none when nothing outside the holds is past its retention.
    struct Proposal {
        var change: ChangeRequest?
        var list: DestructionList
        var new: Bool
    }

    /// Draws up a list at `now` and files it for approval, unless nothing is due or a list
    /// already waits for a decision (that one is returned, not a second).
    func propose(now: Int64) throws -> Proposal {
        if let waiting = try store.staff.changes(status: .pending, kind: .destruction, limit: 1).first,
           let at = ISO8601.parse(waiting.proposal.target) {
            return Proposal(change: waiting, list: try DestructionList.draw(run, at: at), new: false)
        }
        let list = try DestructionList.draw(run, at: now)
        guard !list.isEmpty else { return Proposal(change: nil, list: list, new: false) }
        let change = try store.approvalDesk.propose(list.proposal(by: Self.drafter, at: now), roles: [.archivist])
        return Proposal(change: change, list: list, new: true)
    }

    /// Carries out every approved list not carried out yet, oldest first. A list that cannot be
    /// carried out (its retention changed since) is reported with why, and stops neither the
    /// others nor the rest of the purge.
    func carryOutApproved(now: Int64) throws -> [(change: ChangeRequest, outcome: Result<RetentionRun.Outcome, any Error>)] {
        let done = try carriedOut()
        return try lists().filter { $0.status == .approved && !done.contains($0.id) }.sorted { $0.id < $1.id }.map { change in
            (change, Result { try carryOut(change, now: now) })
        }
    }

    /// Carries out approved list `change`: per item it names, what its policy destroys at the
    /// list's peilmoment, except what a hold covers now; then logs the list as carried out. A
    /// list whose items' retention has changed since is refused: it would no longer destroy
    /// what was approved.
    func carryOut(_ change: ChangeRequest, now: Int64) throws -> RetentionRun.Outcome {
        guard change.proposal.kind == .destruction, change.status == .approved, let at = ISO8601.parse(change.proposal.target) else {
            throw CLIError("change \(change.id) is not an approved destruction list (\(change.proposal.kind.rawValue), \(change.status.rawValue))")
        }
        let items = change.proposal.diff.split(separator: "\n").compactMap { DestructionList.Item(line: String($0)) }
        let all = run.policies()
        let audit = run.runtime.settings.auditRetention
        let stamp = "\(DestructionList.logSubject(change.id)), goedgekeurd door \(change.decidedBy ?? "?") op \(ISO8601.format(milliseconds: change.decidedAt ?? now).prefix(10))"
        func current(_ item: DestructionList.Item) -> RetentionPolicy? {
            switch item.kind {
            case "readings": all.readings
            case "dataset": all.datasets[item.subject]
            case "meldingen": all.meldingen
            case "melding-text": all.meldingText
            case "quarantine": all.quarantine
            case "audit": audit
            default: nil
            }
        }
        for item in items {
            guard let policy = current(item), policy.description == item.policy, policy.basis == item.basis else {
                throw CLIError("destruction list \(change.id): the retention of \(item.subject) has changed since the list was drawn up "
                    + "(it said \(item.policy)); it is not carried out. Draw up a new list with 'lantaarn purge'")
            }
        }
        func stamped(_ p: RetentionPolicy?) -> RetentionPolicy? {
            p.map { RetentionPolicy(milliseconds: $0.keep, text: $0.text, basis: "\($0.basis); \(stamp)") }
        }
        var policies = RetentionPolicies(readings: stamped(all.readings)!, datasets: all.datasets.compactMapValues(stamped),
                                         meldingen: stamped(all.meldingen), meldingText: stamped(all.meldingText),
                                         quarantine: stamped(all.quarantine))
        policies.only = Set(items.filter { $0.kind != "audit" }.map { RetentionPolicies.key($0.kind, $0.subject) })
        let outcome = try run.purgeRecords(policies, audit: items.contains { $0.kind == "audit" } ? stamped(audit) : nil, dryRun: false, now: at)
        let listed = items.reduce(0) { $0 + $1.count }, destroyed = outcome.report.total + outcome.auditEntries
        try store.retention.recordDestruction([DestructionRecord(
            destroyedAt: now, kind: Self.carriedOutKind, subject: DestructionList.logSubject(change.id),
            window: TimeWindow(start: items.map(\.start).filter { $0 != Int64.min }.min() ?? at, end: at), readings: destroyed,
            policy: "listed \(listed), destroyed \(destroyed)", basis: "approved by \(change.decidedBy ?? "?"): \(change.reason ?? "")")])
        return outcome
    }
}
