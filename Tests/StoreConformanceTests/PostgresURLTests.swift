import Foundation
import Logging
import Store
@testable import StorePostgres
import Testing
import TestSupport

struct PostgresURLTests {
    @Test func multiHostWithReadWrite() throws {
        let url = try PostgresURL("postgresql://lantaarn:ge%40heim@db1.gemeente.nl,db2.gemeente.nl:5433/lantaarn?target_session_attrs=read-write")
        #expect(url.hosts == [.init(name: "db1.gemeente.nl", port: 5432), .init(name: "db2.gemeente.nl", port: 5433)])
        #expect(url.user == "lantaarn" && url.password == "ge@heim" && url.database == "lantaarn" && url.requiresReadWrite)
        #expect(url.redacted == "postgresql://lantaarn:***@db1.gemeente.nl:5432,db2.gemeente.nl:5433/lantaarn?target_session_attrs=read-write")
        #expect(!url.redacted.contains("heim"))
    }

    @Test(arguments: [
        ("mysql://u@h/d", "does not start with postgresql://"),
        ("postgresql://u@h", "no database name"),
        ("postgresql://h/d", "no user name"),
        ("postgresql://u@h:99999/d", "port '99999'"),
        ("postgresql://u@h/d?target_session_attrs=standby", "target_session_attrs 'standby'"),
        ("postgresql://u@h/d?application_name=x", "parameter 'application_name' is not supported"),
    ])
    func badURLsSayWhatIsWrong(_ text: String, _ expected: String) {
        #expect {
            try PostgresURL(text)
        } throws: { error in
            let message = "\(error)"
            return message.contains(expected) && message.contains("Expected postgresql://")
        }
    }

    /// A dead first host is skipped: the store connects to the next one (what a failover list is for),
    /// and a URL with no live host says which hosts failed, without the password.
    @Test func aDeadHostIsSkipped() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let dead = freeLoopbackPort()
        let store = try PostgresStore(url: "postgresql://lantaarn:secret@127.0.0.1:\(dead),127.0.0.1:\(server.port)/lantaarn?target_session_attrs=read-write")
        #expect(try store.boundaries.boundarySets().isEmpty)
        #expect {
            try PostgresStore(url: "postgresql://lantaarn:secret@127.0.0.1:\(dead)/lantaarn")
        } throws: { error in
            let message = "\(error)"
            return message.contains("cannot connect to postgresql://lantaarn:***@127.0.0.1:\(dead)/lantaarn") && !message.contains("secret")
        }
    }

    /// Opening the store again migrates nothing twice; a schema from a newer version is refused.
    @Test func migrationsRunOnceAndRefuseANewerSchema() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        _ = try PostgresStore(url: server.url)
        let again = try PostgresStore(url: server.url)
        try again.boundaries.saveBoundarySet(BoundaryStoreConformanceTests.set("wijk", 2024, codes: ["WK036300"]))
        #expect(try PostgresStore(url: server.url).boundaries.boundarySets().count == 1)
        let database = try PGDatabase(url: try PostgresURL(server.url), logger: Logger(label: "test"))
        try database.withSession { try $0.query("INSERT INTO lantaarn_migration (identifier) VALUES ('v999-from-the-future')") }
        #expect {
            try PostgresStore(url: server.url)
        } throws: { "\($0)".contains("migration 'v999-from-the-future'") && "\($0)".contains("newer version") }
    }
}

/// A primary with a streaming standby, as NOTES-environment.md measured: the store follows a failover.
struct PostgresFailoverTests {
    static func record(_ n: Int) -> DestructionRecord {
        DestructionRecord(destroyedAt: Int64(n), kind: "readings", subject: "s/pm25", window: .init(start: 0, end: 1), readings: n,
                          policy: "keep 5y", basis: "Selectielijst 2020")
    }

    @Test func theStoreFollowsThePromotedStandby() async throws {
        let primary = try PostgresServer()
        defer { primary.stop() }
        // Migrated before the standby copies it, so the standby has the schema.
        let direct = try PGDatabase(url: try PostgresURL(primary.url), logger: Logger(label: "test"))
        let standby = try PostgresServer(standbyOf: primary)
        defer { standby.stop() }

        // The standby is listed first: read-only, so it is skipped for the primary.
        let store = try PostgresStore(url: "postgresql://lantaarn@127.0.0.1:\(standby.port),127.0.0.1:\(primary.port)/lantaarn?target_session_attrs=read-write")
        try store.retention.recordDestruction([Self.record(1)])
        // Wait until the standby has replayed everything the primary wrote.
        let written = try direct.withSession { try $0.query("SELECT pg_current_wal_lsn()::text").first!.decode(String.self) }
        #expect(await waitUntil(timeout: 20) {
            (try? direct.withSession { s in
                try s.query("SELECT count(*) FROM pg_stat_replication WHERE replay_lsn >= \(written)::pg_lsn").first!.decode(Int.self)
            }) == 1
        })

        primary.crash()
        try standby.promote()
        // The store's connection to the old primary is gone; the next calls find the promoted standby.
        #expect(await waitUntil(timeout: 20) { (try? store.retention.recordDestruction([Self.record(2)])) != nil })
        #expect(try store.retention.destructionLog().map(\.readings) == [1, 2])
    }
}
