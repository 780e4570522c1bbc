import Foundation
import Ingest
import LantaarnModel
import Pipelines
import Server
import Store

/// The parts of a purge, each respecting the legal holds that cover it (``LegalHold`` lists which):
/// - records (readings, datasets, meldingen, quarantine, audit entries) past their retention go
///   only under an approved destruction list (``DestructionLists``);
/// - unmatched ANPR sightings, committed ingest-log segments, pseudonym keys and the kept
///   downloads of datasets that lost rows are technical copies and keys, destroyed on time
///   without a list.
/// Shared by `lantaarn purge` and the purge in `serve`, which on a shared store splits it: the
/// store's part on the scheduler leader, the node's own files on every node. What the store destroys is logged
/// in the same transaction; a file or key is logged just before it goes, so a crash in between
/// leaves a record of what was about to go, never a silent deletion.
struct RetentionRun {
    let runtime: Runtime
    let catalog: PipelineCatalog

    struct Outcome {
        var report: PurgeReport
        var segments: [IngestLogReader.RemovedSegment]
        var keysDestroyed = 0
        var sightingsDropped = 0
        /// Files a hold kept: ingest-log segments and pseudonym keys, with the hold.
        var heldFiles: [(what: String, hold: LegalHold)] = []
        var downloadsCleared: [String] = []
        /// Audit-log entries destroyed under the audit log's retention.
        var auditEntries = 0

        /// Adds what another part of the purge did.
        mutating func merge(_ other: Outcome) {
            report.destroyed += other.report.destroyed
            report.held += other.report.held
            segments += other.segments
            keysDestroyed += other.keysDestroyed
            sightingsDropped += other.sightingsDropped
            heldFiles += other.heldFiles
            downloadsCleared += other.downloadsCleared
            auditEntries += other.auditEntries
        }
    }

    /// Everything past its retention by the policies in force (`lantaarn.yaml` and the pipelines).
    func policies() -> RetentionPolicies {
        RetentionPolicies(readings: runtime.settings.readingsRetention, datasets: catalog.datasetRetention,
                          meldingen: runtime.settings.meldingenRetention, meldingText: runtime.settings.meldingTextRetention,
                          quarantine: runtime.settings.ingestLogRetention)
    }

    /// The records the store keeps under destruction lists: readings, dataset rows, meldingen,
    /// quarantine, and (with `audit`, up to its cut-off) the audit log's oldest entries. A dry run
    /// is what a list drawn up at `now` names; otherwise only an approved list calls this, with
    /// ``RetentionPolicies/only`` set to what it names.
    func purgeRecords(_ policies: RetentionPolicies, audit: RetentionPolicy?, dryRun: Bool, now: Int64) throws -> Outcome {
        var outcome = Outcome(report: try runtime.store.retention.purge(policies, now: now, dryRun: dryRun), segments: [])
        // The audit log's oldest entries; the newest of them stays as the anchor the chain goes on from.
        if let audit {
            outcome.auditEntries = try runtime.store.staff.purgeAudit(before: now - audit.keep, dryRun: dryRun) { n, through in
                DestructionRecord(destroyedAt: now, kind: "audit", subject: "audit log entries up to \(through.seq) (last hash \(through.hash))",
                                  window: TimeWindow(start: Int64.min, end: now - audit.keep), readings: n,
                                  policy: audit.description, basis: audit.basis)
            }
        }
        return outcome
    }

    /// Pseudonymised ANPR sightings a travel-time run has not matched within two days: they go
    /// without a list (AVG: kept no longer than the pipeline needs them; they are no records).
    /// Once per deployment, like the store's other purges.
    func purgeSightings(now: Int64, into outcome: inout Outcome) throws {
        let cutoff = now - 2 * 86_400_000
        // The record is written in the same transaction as the deletion; a hold on a camera keeps its sightings.
        outcome.sightingsDropped = try runtime.store.anpr.dropSightings(before: cutoff) { n in
            n == 0 ? nil : DestructionRecord(
                destroyedAt: now, kind: "anpr-sightings", subject: "pseudonymised ANPR sightings not matched within 2 days",
                window: TimeWindow(start: Int64.min, end: cutoff), readings: n,
                policy: "keep 2d", basis: "AVG art. 5(1)(e): kept no longer than the travel-time pipeline needs them")
        }
    }

    /// What this node keeps on its own disk: its ingest log's committed segments, its pseudonym
    /// keys, and kept downloads written before a purge (on any node) destroyed rows of their
    /// dataset. Every node runs it, so nothing past its retention lives on where the store's
    /// purge does not reach.
    func purgeNodeLocal(now: Int64, into outcome: inout Outcome) throws {
        let holds = try runtime.store.retention.holds()
        // Kept downloads of datasets that lost rows hold them: they go too (serve makes them
        // again); the others stay.
        var lastDestroyed: [String: Int64] = [:]
        for record in try runtime.store.retention.destructionLog() where record.kind == "dataset" {
            lastDestroyed[record.subject] = max(lastDestroyed[record.subject] ?? .min, record.destroyedAt)
        }
        let stale = ExportCache.stale(directory: runtime.exportsDirectory, destroyedAt: lastDestroyed)
        try runtime.store.retention.recordDestruction(stale.sorted().map {
            DestructionRecord(destroyedAt: now, kind: "kept-download", subject: $0, window: TimeWindow(start: Int64.min, end: now), readings: 0,
                              policy: "with the rows it holds (node \(runtime.settings.nodeID))", basis: "a copy of destroyed rows is destroyed with them")
        })
        ExportCache.clear(directory: runtime.exportsDirectory, destroyedAt: lastDestroyed)
        outcome.downloadsCleared = stale.sorted()
        let policy = runtime.settings.ingestLogRetention
        let root = (runtime.settings.dataDirectory as NSString).appendingPathComponent("ingest-log")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root))?.sorted() ?? [] {
            let reader = try IngestLogReader(directory: (root as NSString).appendingPathComponent(name))
            // The offset is the one committed from this very log (its key carries the log's identity).
            let committed = try runtime.store.readings.committedOffset(source: IngestLogReader.sourceKey(name: name, identity: reader.identity))
            // A segment mixes sensors: any hold on a sensor or wijk over its time range keeps it.
            outcome.segments += try reader.trim(committed: committed, olderThan: now - policy.keep, keep: { segment in
                guard let hold = holds.first(where: { ($0.kind == .sensor || $0.kind == .wijk)
                    && $0.window.start <= segment.lastReceived && $0.window.end > segment.firstReceived }) else { return false }
                outcome.heldFiles.append(("ingest-log segment \(name)/\(segment.file)", hold))
                return true
            }, willRemove: { segment in
                try runtime.store.retention.recordDestruction([DestructionRecord(
                    destroyedAt: now, kind: "ingest-log", subject: "\(name)/\(segment.file)",
                    window: TimeWindow(start: segment.firstReceived, end: max(segment.firstReceived, segment.lastReceived + 1)),
                    readings: segment.records, policy: policy.description, basis: policy.basis)])
                Self.faultPause()
            })
        }
        // Pseudonym keys: once a week's key is gone, its pseudonyms lead back to nobody.
        let keys = (runtime.settings.dataDirectory as NSString).appendingPathComponent("keys")
        if FileManager.default.fileExists(atPath: keys) {
            // A hold on a camera of an ANPR pipeline keeps the keys of the weeks it covers.
            let cameras = Set(catalog.pipelines.flatMap { $0.travelTime?.routes.flatMap { [$0.from, $0.to] } ?? [] })
            let destroyed = try runtime.keyring().destroyExpired(now: now, retention: runtime.settings.pseudonymKeyRetention, held: { week in
                guard let hold = holds.first(where: { $0.kind == .sensor && cameras.contains($0.subject) && $0.covers(.sensor, $0.subject, start: week.start, end: week.end - 1) })
                else { return false }
                outcome.heldFiles.append(("pseudonym key of \(ISO8601.format(milliseconds: week.start).prefix(10))", hold))
                return true
            }, willDestroy: { try runtime.store.retention.recordDestruction([$0]); Self.faultPause() })
            outcome.keysDestroyed += destroyed.count
        }
    }

    /// Fault injection for the crash test (RetentionCLITests): with
    /// `LANTAARN_FAULT_PAUSE_BEFORE_DELETE_MS`, waits that long between recording a file's
    /// destruction and deleting it, so a test can kill the process exactly there.
    static func faultPause() {
        guard let ms = ProcessInfo.processInfo.environment["LANTAARN_FAULT_PAUSE_BEFORE_DELETE_MS"].flatMap(UInt32.init) else { return }
        usleep(ms * 1000)
    }

    static let nothing = "nothing has passed its retention"

    /// Human-readable summary lines (no personal data: series, dataset names and counts only).
    static func lines(_ o: Outcome) -> [String] {
        var out: [String] = []
        let verb = o.report.dryRun ? "would destroy" : "destroyed"
        for r in o.report.destroyed {
            let noun = ["dataset": "rows", "meldingen": "meldingen", "melding-text": "texts", "quarantine": "quarantined messages"][r.kind] ?? "readings"
            out.append("\(verb) \(r.readings) \(noun) of \(r.subject) "
                + "\(ISO8601.format(milliseconds: r.window.start))…\(ISO8601.format(milliseconds: r.window.end)) (\(r.policy); \(r.basis))")
        }
        for (hold, n) in o.report.held {
            out.append("kept \(n) by legal hold #\(hold.id) on \(hold.kind.rawValue) \(hold.subject): \(hold.reason)")
        }
        for s in o.segments { out.append("destroyed ingest-log segment \(s.file) (\(s.records) messages)") }
        if o.sightingsDropped > 0 { out.append("destroyed \(o.sightingsDropped) unmatched ANPR sightings older than 2 days") }
        if o.keysDestroyed > 0 { out.append("destroyed \(o.keysDestroyed) pseudonym key(s) past their retention") }
        if o.auditEntries > 0 { out.append("\(verb) \(o.auditEntries) audit log entries past their retention") }
        for f in o.heldFiles { out.append("kept \(f.what) by legal hold #\(f.hold.id) on \(f.hold.kind.rawValue) \(f.hold.subject): \(f.hold.reason)") }
        for d in o.downloadsCleared { out.append("destroyed the kept download of \(d) (it held destroyed rows)") }
        if out.isEmpty { out.append(nothing) }
        if let c = o.report.compacted {
            out.append("compacted the store after backfills: \(c.before / 1_048_576) MB -> \(c.after / 1_048_576) MB")
        }
        return out
    }
}
