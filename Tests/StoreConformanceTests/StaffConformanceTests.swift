import Foundation
import LantaarnModel
import Store
import StorePostgres
import TestSupport
import Testing

/// Staff accounts, personal tokens and the hash-chained audit log, on both backends.
struct StaffConformanceTests {
    static let now = ISO8601.parse("2026-12-01T09:00:00Z")!
    static let day: Int64 = 86_400_000

    /// Accounts and tokens: names and roles checked, a token found by its hash while valid, and
    /// refused once expired, revoked, or its account disabled; an unknown hash is unknown.
    @Test(arguments: Backend.allCases)
    func accountsAndTokens(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        #expect(try !store.staff.hasActiveStaff())
        try store.staff.addStaff(StaffMember(name: "j.devries", roles: [.datateam, .approver], createdAt: Self.now))
        try store.staff.addStaff(StaffMember(name: "a.bakker", roles: [.admin], createdAt: Self.now))
        #expect(throws: StaffError.exists("j.devries")) { try store.staff.addStaff(StaffMember(name: "j.devries", roles: [.admin], createdAt: 0)) }
        #expect(throws: StaffError.invalidName("Jan de Vries")) { try store.staff.addStaff(StaffMember(name: "Jan de Vries", roles: [.admin], createdAt: 0)) }
        #expect(try store.staff.hasActiveStaff())
        #expect(try store.staff.staff().map(\.name) == ["a.bakker", "j.devries"])

        let valid = try store.staff.addToken(staff: "j.devries", hash: "h1", createdAt: Self.now, expiresAt: Self.now + 90 * Self.day)
        let short = try store.staff.addToken(staff: "j.devries", hash: "h2", createdAt: Self.now, expiresAt: Self.now + Self.day)
        let other = try store.staff.addToken(staff: "a.bakker", hash: "h3", createdAt: Self.now, expiresAt: Self.now + 90 * Self.day)
        #expect(throws: StaffError.noSuchStaff("nobody")) { try store.staff.addToken(staff: "nobody", hash: "h4", createdAt: 0, expiresAt: 1) }
        let member = try #require(store.staff.staff().first { $0.name == "j.devries" })
        #expect(try store.staff.lookupToken(hash: "h1", now: Self.now + 1) == .valid(member, tokenID: valid.id))
        #expect(try store.staff.lookupToken(hash: "h2", now: Self.now + Self.day) == .expired(staff: "j.devries", tokenID: short.id))
        #expect(try store.staff.lookupToken(hash: "nope", now: Self.now) == .unknown)
        #expect(try store.staff.revokeToken(id: valid.id, at: Self.now + 2))
        #expect(try !store.staff.revokeToken(id: valid.id, at: Self.now + 3), "revoked once")
        #expect(throws: StaffError.noSuchToken(999)) { try store.staff.revokeToken(id: 999, at: 0) }
        #expect(try store.staff.lookupToken(hash: "h1", now: Self.now + 4) == .revoked(staff: "j.devries", tokenID: valid.id))
        #expect(try store.staff.tokens(staff: "j.devries").map(\.id) == [short.id, valid.id])
        #expect(try store.staff.tokens(staff: nil).count == 3)

        try store.staff.setRoles("a.bakker", roles: [.admin, .privacy])
        #expect(try store.staff.staff().first { $0.name == "a.bakker" }?.roles == [.admin, .privacy])
        try store.staff.disableStaff("a.bakker", at: Self.now + 5)
        #expect(try store.staff.lookupToken(hash: "h3", now: Self.now + 6) == .disabled(staff: "a.bakker", tokenID: other.id))
        #expect(try store.staff.tokens(staff: "a.bakker").first?.revokedAt == Self.now + 5, "disabling revokes the tokens")
        #expect(throws: StaffError.noSuchStaff("a.bakker")) { try store.staff.setRoles("a.bakker", roles: [.admin]) }
        #expect(throws: StaffError.noSuchStaff("a.bakker")) { try store.staff.addToken(staff: "a.bakker", hash: "h5", createdAt: 0, expiresAt: 1) }
    }

    static func drafts() -> [AuditDraft] {
        (1...6).map { (i: Int) -> AuditDraft in
            let actor: String = i % 2 == 0 ? "j.devries" : "cli:root"
            let action: String = i <= 2 ? "staff.add" : "token.revoke"
            let outcome: String = i == 5 ? "denied" : "ok"
            let at: Int64 = now + Int64(i) * 1000
            return AuditDraft(at: at, actor: actor, action: action, target: "item \(i)", outcome: outcome, detail: "d\(i)")
        }
    }

    /// The SQL that puts `entry` back as it was.
    static func insert(_ e: AuditEntry) -> String {
        func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        let d = e.draft
        return "INSERT INTO audit_entry (seq, at, actor, action, target, outcome, detail, previous, hash) VALUES "
            + "(\(e.seq), \(d.at), \(q(d.actor)), \(q(d.action)), \(q(d.target)), \(q(d.outcome)), \(q(d.detail)), \(q(e.previous)), \(q(e.hash)))"
    }

    /// `audit verify` passes on an untouched log and finds an edited entry, a deleted entry,
    /// swapped entries, a cut-off tail (with a checkpoint) and a chain recomputed from an
    /// edited entry on (with a checkpoint). Tampering goes through the database's own client,
    /// after dropping the triggers that keep the log append-only (which refuse it first).
    @Test(arguments: Backend.allCases)
    func theChainFindsEveryKindOfTampering(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        for d in Self.drafts() { try store.staff.appendAudit(d) }
        let entries = try store.staff.auditEntries(after: 0, limit: 100)
        #expect(entries.map(\.seq) == [1, 2, 3, 4, 5, 6] && entries[0].previous == AuditChain.genesis)
        #expect(zip(entries.dropFirst(), entries).allSatisfy { $0.previous == $1.hash })
        let clean = try AuditChain.verify(store.staff)
        #expect(clean.problems.isEmpty && clean.entries == 6)
        let checkpoint = try #require(clean.last)
        #expect(checkpoint == AuditChain.Checkpoint(seq: 6, hash: entries[5].hash))
        #expect(AuditChain.Checkpoint(text: checkpoint.text) == checkpoint)
        #expect(try AuditChain.verify(store.staff, checkpoint: checkpoint).problems.isEmpty)

        #expect(throws: (any Error).self) { try store.tamper("UPDATE audit_entry SET target = 'x' WHERE seq = 3") }
        #expect(throws: (any Error).self) { try store.tamper("DELETE FROM audit_entry WHERE seq = 3") }
        try store.tamper(backend == .sqlite ? "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete;"
                                            : "DROP TRIGGER audit_entry_append_only ON audit_entry")
        func restore() throws {
            try store.tamper("DELETE FROM audit_entry; " + entries.map { Self.insert($0) + ";" }.joined(separator: " "))
            #expect(try AuditChain.verify(store.staff, checkpoint: checkpoint).problems.isEmpty, "restored")
        }

        try store.tamper("UPDATE audit_entry SET target = 'item 33' WHERE seq = 3")
        #expect(try AuditChain.verify(store.staff).problems == [.changed(seq: 3)])
        try restore()

        try store.tamper("DELETE FROM audit_entry WHERE seq = 4")
        #expect(try AuditChain.verify(store.staff).problems == [.missing(after: 3, next: 5)])
        try restore()

        // Swapped: entry 2's fields and hashes under number 3 and the other way round.
        try store.tamper("DELETE FROM audit_entry WHERE seq IN (2, 3); "
            + Self.insert(AuditEntry(seq: 2, draft: entries[2].draft, previous: entries[2].previous, hash: entries[2].hash)) + "; "
            + Self.insert(AuditEntry(seq: 3, draft: entries[1].draft, previous: entries[1].previous, hash: entries[1].hash)))
        let swapped = try AuditChain.verify(store.staff).problems
        #expect(swapped == [.changed(seq: 2), .changed(seq: 3), .unlinked(seq: 4)], "\(swapped)")
        try restore()

        // A cut-off tail leaves a valid chain: only the checkpoint, kept elsewhere, shows it.
        try store.tamper("DELETE FROM audit_entry WHERE seq >= 5")
        #expect(try AuditChain.verify(store.staff).problems.isEmpty)
        #expect(try AuditChain.verify(store.staff, checkpoint: checkpoint).problems == [.checkpoint(seq: 6, found: nil)])
        try restore()

        // Entry 3 edited and every later hash recomputed: a valid chain, but not the checkpoint's.
        var forged: [AuditEntry] = Array(entries.prefix(2))
        for e in entries.dropFirst(2) {
            var d = e.draft
            if e.seq == 3 { d.outcome = "denied" }
            forged.append(AuditEntry.chained(after: (forged.last!.seq, forged.last!.hash), d))
        }
        try store.tamper("DELETE FROM audit_entry WHERE seq >= 3; " + forged.dropFirst(2).map { Self.insert($0) + ";" }.joined(separator: " "))
        #expect(try AuditChain.verify(store.staff).problems.isEmpty)
        #expect(try AuditChain.verify(store.staff, checkpoint: checkpoint).problems.count == 1)
        try restore()
    }

    /// The audit log's own retention: the purge destroys the oldest entries (a prefix of the
    /// chain), keeps the newest of them as the anchor, records the destruction, and the chain
    /// verifies from the anchor on; outside the purge the log stays append-only.
    @Test(arguments: Backend.allCases)
    func retentionDestroysAPrefixAndTheChainGoesOnFromItsAnchor(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        for d in Self.drafts() { try store.staff.appendAudit(d) }
        let entries = try store.staff.auditEntries(after: 0, limit: 100)
        let record = { (n: Int, through: AuditChain.Checkpoint) in
            DestructionRecord(destroyedAt: Self.now + 10_000, kind: "audit", subject: "audit log entries up to \(through.seq)",
                              window: TimeWindow(start: Int64.min, end: Self.now + 3500), readings: n, policy: "keep 7y", basis: "BIO")
        }
        #expect(try store.staff.purgeAudit(before: Self.now + 3500, dryRun: true, record: record) == 3)
        #expect(try store.staff.auditEntries(after: 0, limit: 100).count == 6 && store.staff.auditAnchor() == nil, "a dry run destroys nothing")
        #expect(try store.staff.purgeAudit(before: Self.now + 3500, dryRun: false, record: record) == 3)
        #expect(try store.staff.auditAnchor() == AuditChain.Checkpoint(seq: 3, hash: entries[2].hash))
        #expect(try store.staff.auditEntries(after: 0, limit: 100).map(\.seq) == [4, 5, 6])
        #expect(try store.retention.destructionLog().contains { $0.kind == "audit" && $0.readings == 3 && $0.subject == "audit log entries up to 3" })
        #expect(try store.staff.purgeAudit(before: Self.now + 3500, dryRun: false, record: record) == 0, "nothing older is left")
        try store.staff.appendAudit(AuditDraft(at: Self.now + 9000, actor: "a.bakker", action: "staff.add", target: "x"))
        let report = try AuditChain.verify(store.staff, checkpoint: AuditChain.Checkpoint(seq: 5, hash: entries[4].hash))
        #expect(report.problems.isEmpty && report.entries == 4 && report.last?.seq == 7, "\(report.problems)")
        #expect(try AuditChain.verify(store.staff, checkpoint: AuditChain.Checkpoint(seq: 2, hash: entries[1].hash)).problems.isEmpty,
                "a checkpoint of a destroyed entry")
        #expect(throws: (any Error).self) { try store.tamper("DELETE FROM audit_entry WHERE seq = 4") }
        try store.tamper(backend == .sqlite ? "DROP TRIGGER audit_entry_no_delete" : "DROP TRIGGER audit_entry_append_only ON audit_entry")
        try store.tamper("DELETE FROM audit_entry WHERE seq = 4")
        #expect(try AuditChain.verify(store.staff).problems == [.missing(after: 3, next: 5)])
    }

    /// Filters pick by actor, action (or a prefix ending in '.'), outcome and time, newest first.
    @Test(arguments: Backend.allCases)
    func filters(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        for d in Self.drafts() { try store.staff.appendAudit(d) }
        #expect(try store.staff.auditEntries(AuditFilter()).map(\.seq) == [6, 5, 4, 3, 2, 1])
        #expect(try store.staff.auditEntries(AuditFilter(actor: "j.devries")).map(\.seq) == [6, 4, 2])
        #expect(try store.staff.auditEntries(AuditFilter(action: "token.")).map(\.seq) == [6, 5, 4, 3])
        #expect(try store.staff.auditEntries(AuditFilter(action: "staff.add")).map(\.seq) == [2, 1])
        #expect(try store.staff.auditEntries(AuditFilter(action: "staff.")).map(\.seq) == [2, 1])
        #expect(try store.staff.auditEntries(AuditFilter(action: "staff")).isEmpty, "a bare word is an exact action")
        #expect(try store.staff.auditEntries(AuditFilter(outcome: "denied")).map(\.seq) == [5])
        #expect(try store.staff.auditEntries(AuditFilter(since: Self.now + 3000, until: Self.now + 5000)).map(\.seq) == [4, 3])
        #expect(try store.staff.auditEntries(AuditFilter(limit: 2)).map(\.seq) == [6, 5])
        #expect(try store.staff.auditEntries(AuditFilter(actor: "x' OR '1'='1")).isEmpty)
    }

    /// Two store objects on one database (two nodes) append at once: one chain, no gaps, no forks.
    @Test(arguments: Backend.allCases)
    func twoNodesAppendingAtOnceMakeOneChain(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let second = try store.secondConnection()
        let logs: [any AuditLog] = [store.staff, second]
        DispatchQueue.concurrentPerform(iterations: 2) { node in
            for i in 0..<60 {
                _ = try? logs[node].appendAudit(AuditDraft(at: Self.now + Int64(i), actor: "node\(node)", action: "admin.request", target: "/admin/x"))
            }
        }
        let report = try AuditChain.verify(store.staff, page: 7)
        #expect(report.problems.isEmpty && report.entries == 120, "\(report.problems)")
    }
}
