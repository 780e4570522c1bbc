import Foundation
import Geo
import LantaarnModel
@testable import Pipelines
import Store
import TestSupport
import Testing

/// Four-eyes on pipeline versions (issue 30): the scheduler runs only approved definitions,
/// pinned by hash; an unapproved change leaves the approved version publishing; an approved one
/// runs from the next window on; nobody approves their own change.
struct FourEyesTests {
    static let base = ISO8601.parse("2026-11-20T00:00:00Z")!
    static let name = "luchtkwaliteit-per-wijk-uur"

    struct Setup {
        let store: SQLiteStore
        let directory: String
        let file: String
        let runner: PipelineRunner
        let approvals: PipelineApprovals
        let desk: ApprovalDesk
        let source: ApprovedPipelineSource

        init(_ label: String) throws {
            let root = try scratchDirectory(label)
            store = try SQLiteStore(dataDirectory: root + "/data")
            directory = root + "/Pipelines"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: repoRoot + "/Pipelines/mappings", toPath: directory + "/mappings")
            file = directory + "/\(FourEyesTests.name).yaml"
            try FileManager.default.copyItem(atPath: repoRoot + "/Pipelines/\(FourEyesTests.name).yaml", toPath: file)
            runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
            approvals = PipelineApprovals(approvals: store.staff, staff: store.staff, archive: store.releases)
            desk = ApprovalDesk(staff: store.staff, holds: store.retention)
            source = ApprovedPipelineSource(directory: directory, approvals: approvals, initial: [], logger: .init(label: "t"))
        }

        /// The file as it is now, archived the way every command archives what it reads.
        func onDisk() throws -> PipelineDefinition {
            let p = try PipelineDefinition.load(path: file)
            _ = try store.releases.archivePipelineVersion(PipelineVersionRecord(
                pipeline: p.name, sha256: p.versionHash, version: p.version,
                definition: try String(contentsOfFile: file, encoding: .utf8), firstSeen: Clock.nowMilliseconds()))
            return p
        }

        func propose(by who: String, roles: Set<StaffRole>) throws -> ChangeRequest {
            let p = try onDisk()
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let old = try approvals.inForce(p.name).map { (try PipelineDefinition.load(path: file, contents: Data($0.definition.utf8)), $0.definition) }
            let proposal = PipelineChange.proposal(p, definition: text, inForce: old, datasetExists: try store.releases.dataset(named: p.output.dataset) != nil,
                                                   note: "test", preview: try runner.preview(p, now: FourEyesTests.base + 2 * TimeBucket.hour).text(),
                                                   by: who, at: Clock.nowMilliseconds())
            return try desk.propose(proposal, roles: roles)
        }

        /// Publishes `hour` (after base) with the pipeline in force; returns the release's definition hash.
        func publish(hour: Int64) throws -> String? {
            guard let p = source.currentPipelines().first(where: { $0.name == FourEyesTests.name }) else { return nil }
            let w = TimeWindow(start: FourEyesTests.base + hour * TimeBucket.hour, end: FourEyesTests.base + (hour + 1) * TimeBucket.hour)
            let results = try runner.run(p, over: w)
            let id = try #require(results.first).releaseID
            let release = try #require(try store.releases.release(id: id))
            return try JSONParser.parse(release.lineage)["version_sha256"]?.stringValue
        }

        func edit(_ change: (String) -> String) throws {
            try change(try String(contentsOfFile: file, encoding: .utf8)).write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    static func readings(hours: Int) -> [Reading] {
        (0..<(hours * 60)).map { i in
            Reading(series: SeriesKey(sensorID: "a", quantity: "pm25"), timestamp: base + Int64(i) * 60_000, value: Double(i % 10), wijk: WijkCode("WK039201"))
        }
    }

    @Test func anUnapprovedChangeDoesNotRunAndAnApprovedOneRunsFromTheNextWindowOn() throws {
        let s = try Setup("four-eyes-pipeline")
        _ = try s.store.readings.append(IngestBatch(readings: Self.readings(hours: 4), quarantined: [], source: "t", offset: 1))
        // No staff: every file runs as it is (a demo, a single person).
        #expect(s.source.currentPipelines().map(\.name) == [Self.name])
        let now = Clock.nowMilliseconds()
        try s.store.staff.addStaff(StaffMember(name: "ann", roles: [.datateam], createdAt: now))
        try s.store.staff.addStaff(StaffMember(name: "bob", roles: [.approver], createdAt: now))
        try s.store.staff.addStaff(StaffMember(name: "cas", roles: [.datateam, .approver], createdAt: now))
        // Staff exist and this version was never seen before: it does not run until approved.
        #expect(s.source.currentPipelines().isEmpty)
        #expect(try s.publish(hour: 0) == nil)
        let v1 = try s.propose(by: "ann", roles: [.datateam])
        #expect(v1.proposal.summary.contains("nieuwe openbare dataset"), "\(v1.proposal.summary)")
        #expect(v1.proposal.preview.contains("Nieuwe versie: 1 rijen uit 60 invoerrijen"), "\(v1.proposal.preview)")
        _ = try s.desk.decide(v1.id, approve: true, by: "bob", roles: [.approver], reason: "first version checked", at: Clock.nowMilliseconds())
        let hash1 = try s.onDisk().versionHash
        #expect(try s.publish(hour: 0) == hash1)

        // The data team changes the file: it waits, and the approved version keeps publishing.
        try s.edit { $0.replacingOccurrences(of: "version: \"1.0.0\"", with: "version: \"1.1.0\"")
            .replacingOccurrences(of: "functions: [count, mean, min, max]", with: "functions: [count, mean]") }
        let hash2 = try s.onDisk().versionHash
        #expect(hash2 != hash1)
        #expect(s.source.currentPipelines().map(\.versionHash) == [hash1])
        #expect(try s.publish(hour: 1) == hash1, "the unapproved change does not run")
        let v2 = try s.propose(by: "cas", roles: [.datateam, .approver])
        #expect(v2.proposal.diff.contains("- version: \"1.0.0\"") && v2.proposal.diff.contains("+       functions: [count, mean]"), "\(v2.proposal.diff)")
        #expect(v2.proposal.diff.contains("…") && !v2.proposal.diff.contains("license:"), "only the changes with context: \(v2.proposal.diff)")
        #expect(v2.proposal.preview.contains("Huidige publicatie"), "the preview sits next to the current release: \(v2.proposal.preview)")
        // The author cannot approve it, even holding the approver role; a datateam member cannot either.
        #expect(throws: ApprovalError.ownChange(v2.id, "cas")) {
            try s.desk.decide(v2.id, approve: true, by: "cas", roles: [.datateam, .approver], reason: "my own change", at: Clock.nowMilliseconds())
        }
        #expect(throws: ApprovalError.lacksRole("ann", needed: [.approver])) {
            try s.desk.decide(v2.id, approve: true, by: "ann", roles: [.datateam], reason: "not my role", at: Clock.nowMilliseconds())
        }
        #expect(try s.publish(hour: 2) == hash1)
        _ = try s.desk.decide(v2.id, approve: true, by: "bob", roles: [.approver], reason: "preview checked", at: Clock.nowMilliseconds())
        // Approved: from the next window on; what was published stays as it was.
        #expect(s.source.currentPipelines().map(\.versionHash) == [hash2])
        #expect(try s.publish(hour: 3) == hash2)
        let published = try s.store.releases.releases(dataset: Self.name).filter(\.current).sorted { $0.window.start < $1.window.start }
        #expect(try published.map { try JSONParser.parse($0.lineage)["version_sha256"]?.stringValue } == [hash1, hash1, hash1, hash2])

        // A broken edit on disk stops nothing: the approved version keeps running.
        try s.edit { $0 + "\nnot: [valid" }
        #expect(s.source.currentPipelines().map(\.versionHash) == [hash2])
        // The audit log has every proposal and decision, refused ones too.
        let audit = try s.store.staff.auditEntries(AuditFilter(action: "approval.", limit: 50))
        #expect(audit.filter { $0.draft.outcome == "denied" }.count == 2)
        #expect(audit.filter { $0.draft.action == "approval.approve" && $0.draft.outcome == "ok" }.map(\.draft.actor) == ["bob", "bob"])
    }

    /// Adding the first account stops nothing that ran: versions seen before four-eyes began count
    /// as approved; the scheduler round runs them.
    @Test func versionsInUseBeforeTheFirstAccountKeepRunning() throws {
        let s = try Setup("four-eyes-grandfathered")
        let p = try s.onDisk()
        Thread.sleep(forTimeInterval: 0.01)
        try s.store.staff.addStaff(StaffMember(name: "ann", roles: [.datateam], createdAt: Clock.nowMilliseconds()))
        #expect(s.source.currentPipelines().map(\.versionHash) == [p.versionHash])
        try s.edit { $0.replacingOccurrences(of: "version: \"1.0.0\"", with: "version: \"1.0.1\"") }
        _ = try s.onDisk()
        #expect(s.source.currentPipelines().map(\.versionHash) == [p.versionHash], "a later edit waits")
        // Lifting a hold is four-eyes too: proposed by one archivist, approved by another, then lifted.
        let hold = try s.store.retention.addHold(kind: .sensor, subject: "a", window: TimeWindow(start: 0, end: 1), reason: "case 1")
        let lift = try s.desk.proposeHoldLift(hold, by: "dirk", roles: [.archivist], note: "case 1 closed", at: 1)
        #expect(try s.store.retention.holds().count == 1, "proposing lifts nothing")
        #expect(throws: ApprovalError.ownChange(lift.id, "dirk")) {
            try s.desk.decide(lift.id, approve: true, by: "dirk", roles: [.archivist], reason: "closed anyway", at: 2)
        }
        #expect(throws: ApprovalError.lacksRole("ann", needed: [.archivist, .privacy])) {
            try s.desk.decide(lift.id, approve: true, by: "ann", roles: [.datateam, .approver], reason: "closed anyway", at: 2)
        }
        _ = try s.desk.decide(lift.id, approve: true, by: "eva", roles: [.privacy], reason: "case 1 closed, checked", at: 3)
        #expect(try s.store.retention.holds().isEmpty)
    }
}
