import Foundation
import GRDB
import LantaarnModel
@testable import Store
import Testing

/// Closed meldingen go after their retention, open ones stay; kept text goes after its own.
struct MeldingPurgeTests {
    @Test func closedMeldingenAndTextPastRetention() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("melding-purge"))
        let year: Int64 = 365 * 86_400_000
        let now = ISO8601.parse("2026-11-23T00:00:00Z")!
        func m(_ id: String, created: Int64, closed: Int64?, text: String?) -> MeldingWrite {
            var x = Melding(source: "signalen", sourceID: id, category: "c", createdAt: created)
            x.scrubbedText = text
            x.history = [Melding.StatusChange(at: created, state: "m", closes: false)]
            if let closed { x.history.append(Melding.StatusChange(at: closed, state: "o", closes: true)) }
            return MeldingWrite(x)
        }
        _ = try store.meldingen.saveMeldingen([
            m("old-closed", created: now - 7 * year, closed: now - 6 * year, text: "x [e-mail]"),
            m("old-open", created: now - 7 * year, closed: nil, text: nil),
            m("recent", created: now - 2 * year, closed: now - year, text: "y"),
        ], file: MeldingFileRecord(sha256: "f", name: "f", format: "f", meldingen: 3, report: "", completedAt: 0))
        let policies = RetentionPolicies(readings: RetentionPolicy(keep: "5y", basis: "b")!, datasets: [:],
                                         meldingen: RetentionPolicy(keep: "5y", basis: "Selectielijst 2020")!,
                                         meldingText: RetentionPolicy(keep: "1y", basis: "intern")!)
        let dry = try store.retention.purge(policies, now: now, dryRun: true)
        #expect(dry.destroyed.map(\.kind) == ["meldingen", "melding-text"])
        #expect(try store.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max)).count == 3)
        let report = try store.retention.purge(policies, now: now, dryRun: false)
        #expect(report.destroyed.first { $0.kind == "meldingen" }?.readings == 1)
        #expect(report.destroyed.first { $0.kind == "melding-text" }?.readings == 1, "the destroyed melding's text is not counted twice")
        #expect(dry.destroyed.map(\.readings) == report.destroyed.map(\.readings))
        let left = try store.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max))
        #expect(left.map(\.sourceID).sorted() == ["old-open", "recent"])
        #expect(left.allSatisfy { $0.scrubbedText == nil })
        let statuses = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM melding_status")! }
        #expect(statuses == 3, "the destroyed melding's history went with it")
    }
}
