import Foundation
import Logging
import Store
import Testing
import TestSupport
@testable import StorePostgres

/// One scheduler at a time: the PostgreSQL lease is held by one node; when that node's session
/// ends (its process died, or it shut down) another candidate takes it at its next check.
struct SchedulerLeaseTests {
    @Test func oneLeaderAtATimeAndATakeoverWhenItsSessionEnds() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let nodes = try (0..<3).map { _ in try PostgresStore(url: server.url).schedulerLease }
        #expect(nodes[0].acquire())
        #expect(!nodes[1].acquire() && !nodes[2].acquire())
        #expect(nodes[0].acquire(), "the leader keeps it")

        // The leader's process dies: its backend goes (terminated from outside, as when the
        // connection drops). The next candidate to ask takes over; the old leader is a candidate.
        let admin = try PGDatabase(url: try PostgresURL(server.url), logger: Logger(label: "test"))
        let terminated = try admin.withSession { s in
            try s.query("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = \(PostgresSchedulerLease.key)
                """).first!.decode(Int.self)
        }
        #expect(terminated == 1)
        // The standby takes over at one of its next checks. Counted in checks, not seconds: each
        // check blocks on PostgreSQL (so it runs on a dispatch thread), and in a full parallel
        // run the test's own task can wait minutes for a thread, which says nothing of the lease.
        var checks = 0
        var tookOver = false
        while !tookOver, checks < 100 {
            checks += 1
            let candidate = nodes[1]
            tookOver = try await offPool { candidate.acquire() }
            if !tookOver { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(tookOver && checks <= 20, "took over: \(tookOver), after \(checks) checks")
        #expect(!nodes[0].acquire() && !nodes[2].acquire())

        // A leader that shuts down gives the lease up at once.
        nodes[1].release()
        #expect(nodes[2].acquire())
        #expect(!nodes[0].acquire() && !nodes[1].acquire())
    }

    @Test func aSingleNodeAlwaysLeads() {
        #expect(SingleNodeLease().acquire())
    }
}
