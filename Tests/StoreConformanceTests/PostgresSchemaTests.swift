import Foundation
import Logging
import Testing
import TestSupport
@testable import StorePostgres

/// What only the PostgreSQL schema has: monthly chunk partitions and a database-enforced
/// append-only destruction log.
struct PostgresSchemaTests {
    @Test func chunksArePartitionedByMonthCreatedOnDemand() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let database = try PGDatabase(url: try PostgresURL(server.url), logger: Logger(label: "test"))
        let march = PGChunkPartitions.month(of: 1_772_409_600_000 + 5 * 86_400_000)   // 2026-03-06
        #expect(march.name == "chunk_y2026m03" && march.start == 1_772_323_200_000 && march.end == 1_775_001_600_000)
        let december = PGChunkPartitions.month(of: 1_767_139_200_000)   // 2025-12-31
        #expect(december.name == "chunk_y2025m12" && december.end == 1_767_225_600_000)
        try database.transaction { session in
            try PGChunkPartitions.ensure(session, windowStart: march.start + 1)
            try PGChunkPartitions.ensure(session, windowStart: march.start + 2)   // twice: nothing happens
            try session.execute("INSERT INTO series (sensor_id, quantity, sealed_until, watermark) VALUES ('s', 'pm25', 0, 0)")
            try session.query("""
                INSERT INTO chunk (series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum, ts, value, flags)
                SELECT id, \(march.start + 86_400_000), 0, 0, 0, 0, 0, 0, '', '', '' FROM series
                """)
        }
        try database.withSession { session in
            #expect(try session.query("SELECT partstrat::text FROM pg_partitioned_table WHERE partrelid = 'chunk'::regclass").first?.decode(String.self) == "r")
            let partitions = try session.query("SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'chunk'::regclass")
            #expect(try partitions.map { try $0.decode(String.self) } == ["chunk_y2026m03"])
            #expect(try session.query("SELECT count(*) FROM chunk_y2026m03").first?.decode(Int.self) == 1)
            // A chunk for a month without its partition is refused, not silently put elsewhere.
            #expect(throws: PostgresStoreError.self) {
                try session.query("""
                    INSERT INTO chunk (series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum, ts, value, flags)
                    SELECT id, \(december.start), 0, 0, 0, 0, 0, 0, '', '', '' FROM series
                    """)
            }
        }
    }

    @Test func theDestructionLogIsAppendOnly() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let store = try PostgresStore(url: server.url)
        try store.retention.recordDestruction([.init(destroyedAt: 1, kind: "readings", subject: "s/pm25", window: .init(start: 0, end: 1),
                                                 readings: 3, policy: "keep 5y", basis: "Selectielijst")])
        let database = try PGDatabase(url: try PostgresURL(server.url), logger: Logger(label: "test"))
        for statement in ["UPDATE destruction_log SET readings = 0", "DELETE FROM destruction_log", "TRUNCATE destruction_log"] {
            #expect { try database.withSession { try $0.execute(statement) } } throws: { "\($0)".contains("append-only") }
        }
        #expect(try store.retention.destructionLog().count == 1)
    }
}
