import Foundation
import LantaarnModel
import Store

/// A destruction list (vernietigingslijst): what the records' retention says may be destroyed
/// at one moment (the peilmoment), item by item, with the basis of each and what legal holds
/// exempt. It is stored as a four-eyes change request of kind `destruction`: the target is the
/// peilmoment, the diff names each item on a `- ` line (machine-readable, tab-separated), the
/// preview says it in Dutch, and the content hash pins the items (what, which range, under
/// which policy and basis), not their counts, which late data may still change.
struct DestructionList {
    /// One thing the list names: a series, a dataset, a source of meldingen or quarantine, the
    /// audit log; everything of it measured (or published, received) before `end`.
    struct Item: Equatable {
        var kind: String
        var subject: String
        var start: Int64
        var end: Int64
        var count: Int
        var policy: String
        var basis: String

        /// `- kind<TAB>subject<TAB>start…end<TAB>count<TAB>policy<TAB>basis`
        var line: String {
            "- \(kind)\t\(subject)\t\(Self.time(start))…\(ISO8601.format(milliseconds: end))\t\(count)\t\(policy)\t\(basis)"
        }

        init(kind: String, subject: String, start: Int64, end: Int64, count: Int, policy: String, basis: String) {
            (self.kind, self.subject, self.start, self.end, self.count, self.policy, self.basis) = (kind, subject, start, end, count, policy, basis)
        }

        init(_ r: DestructionRecord) {
            self.init(kind: r.kind, subject: r.subject, start: r.window.start, end: r.window.end, count: r.readings, policy: r.policy, basis: r.basis)
        }

        /// Reads a `- ` line back; `nil` for any other line.
        init?(line: String) {
            guard line.hasPrefix("- ") else { return nil }
            let f = line.dropFirst(2).split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 6, let dots = f[2].range(of: "…"), let end = ISO8601.parse(String(f[2][dots.upperBound...])),
                  let count = Int(f[3]) else { return nil }
            let start = String(f[2][..<dots.lowerBound])
            self.init(kind: f[0], subject: f[1], start: start.isEmpty ? Int64.min : ISO8601.parse(start) ?? Int64.min, end: end,
                      count: count, policy: f[4], basis: f[5])
        }

        static func time(_ t: Int64) -> String { t == Int64.min ? "" : ISO8601.format(milliseconds: t) }

        /// What the content hash pins: everything but the count and the range's start.
        var pinned: String { "\(kind)\t\(subject)\t\(end)\t\(policy)\t\(basis)" }
    }

    var peilmoment: Int64
    /// The dry run of the records' purge at the peilmoment that the list is drawn from (what
    /// `purge --dry-run` prints, too).
    var drawn: RetentionRun.Outcome
    /// The audit log's retention, for the audit item.
    var audit: RetentionPolicy

    /// One item per record the dry run would destroy, and one for the audit log's oldest entries.
    var items: [Item] {
        drawn.report.destroyed.map(Item.init) + (drawn.auditEntries > 0 ? [
            Item(kind: "audit", subject: "audit log", start: Int64.min, end: peilmoment - audit.keep, count: drawn.auditEntries,
                 policy: audit.description, basis: audit.basis),
        ] : [])
    }

    /// Holds that keep data the list would otherwise name, with how much.
    var held: [(hold: LegalHold, readings: Int)] { drawn.report.held }

    var isEmpty: Bool { drawn.report.destroyed.isEmpty && drawn.auditEntries == 0 }

    /// The list as the policies in force say it at `at` (a dry run of the records' purge).
    static func draw(_ run: RetentionRun, at: Int64) throws -> DestructionList {
        let audit = run.runtime.settings.auditRetention
        return DestructionList(peilmoment: at, drawn: try run.purgeRecords(run.policies(), audit: audit, dryRun: true, now: at), audit: audit)
    }

    /// The subject of the destruction log's record that list `id` was carried out.
    static func logSubject(_ id: Int64) -> String { "vernietigingslijst #\(id)" }

    /// SHA-256 of the pinned items: approval pins exactly these.
    var contentHash: String { SHA256.hex(Array(([ISO8601.format(milliseconds: peilmoment)] + items.map(\.pinned)).joined(separator: "\n").utf8)) }

    /// The `- ` lines, one per item.
    var diff: String { items.map(\.line).joined(separator: "\n") }

    static let nouns = ["readings": "metingen", "dataset": "rijen", "meldingen": "meldingen", "melding-text": "teksten van meldingen",
                        "quarantine": "apart gezette berichten", "audit": "regels uit het auditlog"]

    /// The list in plain Dutch, for the console and `approvals show`.
    var preview: String {
        var out = ["Peilmoment: \(ISO8601.format(milliseconds: peilmoment)). Te vernietigen, per onderdeel:"]
        for i in items {
            out.append("• \(i.count) \(Self.nouns[i.kind] ?? i.kind) van \(i.subject), van vóór \(ISO8601.format(milliseconds: i.end)) (\(i.policy); \(i.basis))")
        }
        if !held.isEmpty {
            out.append("Uitgezonderd (bewaarplicht, wordt niet vernietigd):")
            for h in held { out.append("• \(h.readings) door bewaarplicht #\(h.hold.id) op \(h.hold.kind.rawValue) \(h.hold.subject): \(h.hold.reason)") }
        }
        return out.joined(separator: "\n")
    }

    /// A B1 summary: how much, and what happens next.
    var summary: String {
        let total = items.reduce(0) { $0 + $1.count }, kept = held.reduce(0) { $0 + $1.readings }
        return "Vernietigingslijst op peilmoment \(ISO8601.format(milliseconds: peilmoment).prefix(10)): \(items.count) onderdelen, samen \(total) gegevens "
            + "waarvan de bewaartermijn voorbij is." + (kept > 0 ? " \(kept) blijven bewaard door een bewaarplicht." : "")
            + " Pas na goedkeuring door een archivaris worden ze vernietigd; de lijst en de goedkeuring blijven altijd bewaard."
    }

    /// The proposal that files this list.
    func proposal(by: String, at: Int64) -> ChangeProposal {
        ChangeProposal(kind: .destruction, target: ISO8601.format(milliseconds: peilmoment), contentHash: contentHash, proposedBy: by,
                       proposedAt: at, summary: summary, diff: diff, preview: preview)
    }
}
