import PostgresNIO

/// Migrations of the PostgreSQL schema, in the one order every store applies them. Each domain
/// keeps its own statements (`PGBoundariesSchema`, ...); a released migration is never edited.
/// Nodes that start together migrate one at a time (an advisory lock), in one transaction each.
enum PGSchema {
    typealias Migration = (identifier: String, statements: [String])

    static let migrations: [Migration] = [
        ("v1-store-meta", ["CREATE TABLE store_meta (key text PRIMARY KEY, value bigint NOT NULL)"]),
        ("v2-boundaries", PGBoundariesSchema.v2Boundaries),
        ("v3-readings", PGReadingsSchema.v3Readings),
        ("v4-releases", PGReleasesSchema.v4Releases),
        ("v5-meldingen", PGMeldingenSchema.v5Meldingen),
        ("v6-anpr", PGAnprSchema.v6Anpr),
        ("v7-retention", PGRetentionSchema.v7Retention),
        ("v8-open-reading-key", PGReadingsSchema.v8OpenReadingKey),
        ("v9-staff", PGStaffSchema.v9Staff),
        ("v10-audit-retention", PGStaffSchema.v10AuditRetention),
        ("v11-approvals", PGStaffSchema.v11Approvals),
        ("v12-chunk-summary", PGReadingsSchema.v12ChunkSummary),
    ]

    /// Key of the advisory lock that serialises migrations across nodes ("lantaarn" in ASCII).
    static let lockKey: Int64 = 0x6C61_6E74_6161_726E

    static func migrate(_ database: PGDatabase) throws {
        // Nothing to do when every migration is applied: checked without writing, so a node
        // whose first host is a read-only standby, or one of many starting together, passes.
        let upToDate = try database.withSession { session -> Bool in
            guard try session.query("SELECT to_regclass('lantaarn_migration') IS NOT NULL").first?.decode(Bool.self) == true else { return false }
            let applied = Set(try session.query("SELECT identifier FROM lantaarn_migration").map { try $0.decode(String.self) })
            return applied == Set(migrations.map(\.identifier))
        }
        guard !upToDate else { return }
        try database.transaction { session in
            try session.query("SELECT pg_advisory_xact_lock(\(lockKey))")
            try session.execute("CREATE TABLE IF NOT EXISTS lantaarn_migration (identifier text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            let applied = Set(try session.query("SELECT identifier FROM lantaarn_migration").map { try $0.decode(String.self) })
            let known = Set(migrations.map(\.identifier))
            if let unknown = applied.subtracting(known).sorted().first {
                throw PostgresStoreError("""
                    the database has migration '\(unknown)', which this Lantaarn version does not know: \
                    it was set up by a newer version. Run that version, or restore a backup made before the upgrade.
                    """)
            }
            for migration in migrations where !applied.contains(migration.identifier) {
                for statement in migration.statements { try session.execute(statement) }
                try session.query("INSERT INTO lantaarn_migration (identifier) VALUES (\(migration.identifier))")
            }
        }
    }
}
