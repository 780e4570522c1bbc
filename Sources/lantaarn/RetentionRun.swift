import Foundation
import Ingest
import LantaarnModel
import Pipelines
import Server
import Store

/// One purge: readings and datasets past their retention (legal holds respected),
/// then committed ingest-log segments. Shared by `lantaarn purge` and the daily purge in `serve`.
struct RetentionRun {
    let runtime: Runtime
    let catalog: PipelineCatalog

    struct Outcome {
        var report: PurgeReport
        var segments: [IngestLogReader.RemovedSegment]
        var keysDestroyed = 0
        var sightingsDropped = 0
    }

    func run(dryRun: Bool, now: Int64 = Clock.nowMilliseconds()) throws -> Outcome {
        let policies = RetentionPolicies(readings: runtime.settings.readingsRetention, datasets: catalog.datasetRetention,
                                         meldingen: runtime.settings.meldingenRetention, meldingText: runtime.settings.meldingTextRetention,
                                         quarantine: runtime.settings.ingestLogRetention)
        let report = try runtime.store.purge(policies, now: now, dryRun: dryRun)
        var segments: [IngestLogReader.RemovedSegment] = []
        var keysDestroyed = 0
        var sightingsDropped = 0
        if !dryRun {
            // Kept downloads may hold rows just destroyed: they go too (serve makes them again).
            ExportCache.clear(directory: runtime.exportsDirectory)
            // ANPR sightings a travel-time run has not matched within two days go anyway.
            let cutoff = now - 2 * 86_400_000
            sightingsDropped = try runtime.store.dropSightings(before: cutoff)
            if sightingsDropped > 0 {
                try runtime.store.recordDestruction([DestructionRecord(
                    destroyedAt: now, kind: "anpr-sightings", subject: "pseudonymised ANPR sightings not matched within 2 days",
                    window: TimeWindow(start: Int64.min, end: cutoff), readings: sightingsDropped,
                    policy: "keep 2d", basis: "AVG art. 5(1)(e): kept no longer than the travel-time pipeline needs them")])
            }
            let policy = runtime.settings.ingestLogRetention
            let root = (runtime.settings.dataDirectory as NSString).appendingPathComponent("ingest-log")
            for source in (try? FileManager.default.contentsOfDirectory(atPath: root))?.sorted() ?? [] {
                let reader = try IngestLogReader(directory: (root as NSString).appendingPathComponent(source))
                let removed = try reader.trim(committed: try runtime.store.committedOffset(source: source), olderThan: now - policy.keep)
                try runtime.store.recordDestruction(removed.map {
                    DestructionRecord(destroyedAt: now, kind: "ingest-log", subject: "\(source)/\($0.file)",
                                      window: TimeWindow(start: $0.firstReceived, end: max($0.firstReceived, $0.lastReceived + 1)),
                                      readings: $0.records, policy: policy.description, basis: policy.basis)
                })
                segments += removed
            }
            // Pseudonym keys: once a week's key is gone, its pseudonyms lead back to nobody.
            let keys = (runtime.settings.dataDirectory as NSString).appendingPathComponent("keys")
            if FileManager.default.fileExists(atPath: keys) {
                let destroyed = try runtime.keyring().destroyExpired(now: now, retention: runtime.settings.pseudonymKeyRetention)
                try runtime.store.recordDestruction(destroyed)
                keysDestroyed = destroyed.count
            }
        }
        return Outcome(report: report, segments: segments, keysDestroyed: keysDestroyed, sightingsDropped: sightingsDropped)
    }

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
        if out.isEmpty { out.append("nothing has passed its retention") }
        return out
    }
}
