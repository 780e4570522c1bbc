import LantaarnModel
import PostgresNIO
import Store

/// Staff accounts, tokens and the audit log in PostgreSQL.
public final class PostgresStaffStore: Sendable {
    let database: PGDatabase

    init(_ database: PGDatabase) { self.database = database }

    /// Key of the transaction lock that chains audit entries one at a time across nodes.
    static let auditLockKey: Int64 = 0x6C61_6E74_6175_6474
}

extension PostgresStaffStore: StaffStore {
    public func addStaff(_ member: StaffMember) throws {
        guard StaffMember.isValidName(member.name) else { throw StaffError.invalidName(member.name) }
        guard !member.roles.isEmpty else { throw StaffError.noRoles }
        try database.transaction { session in
            let inserted = try session.query("""
                INSERT INTO staff (name, roles, created_at) VALUES (\(member.name), \(StaffRole.text(member.roles)), \(member.createdAt))
                ON CONFLICT (name) DO NOTHING RETURNING 1
                """)
            guard !inserted.isEmpty else { throw StaffError.exists(member.name) }
        }
    }

    public func setRoles(_ name: String, roles: Set<StaffRole>) throws {
        guard !roles.isEmpty else { throw StaffError.noRoles }
        try database.transaction { session in
            let changed = try session.query("""
                UPDATE staff SET roles = \(StaffRole.text(roles)) WHERE name = \(name) AND disabled_at IS NULL RETURNING 1
                """)
            guard changed.count == 1 else { throw StaffError.noSuchStaff(name) }
        }
    }

    public func disableStaff(_ name: String, at: Int64) throws {
        try database.transaction { session in
            let changed = try session.query("UPDATE staff SET disabled_at = \(at) WHERE name = \(name) AND disabled_at IS NULL RETURNING 1")
            guard changed.count == 1 else { throw StaffError.noSuchStaff(name) }
            try session.query("UPDATE staff_token SET revoked_at = \(at) WHERE staff = \(name) AND revoked_at IS NULL")
        }
    }

    public func staff() throws -> [StaffMember] {
        try database.withSession { session in
            try session.query("SELECT name, roles, created_at, disabled_at FROM staff ORDER BY name COLLATE \"C\"").map { row in
                let (name, roles, created, disabled) = try row.decode((String, String, Int64, Int64?).self)
                return StaffMember(name: name, roles: (try? StaffRole.parse(roles).get()) ?? [], createdAt: created, disabledAt: disabled)
            }
        }
    }

    public func addToken(staff: String, hash: String, createdAt: Int64, expiresAt: Int64) throws -> StaffToken {
        try database.transaction { session in
            guard try !session.query("SELECT 1 FROM staff WHERE name = \(staff) AND disabled_at IS NULL FOR UPDATE").isEmpty else {
                throw StaffError.noSuchStaff(staff)
            }
            let id = try session.query("""
                INSERT INTO staff_token (staff, hash, created_at, expires_at) VALUES (\(staff), \(hash), \(createdAt), \(expiresAt)) RETURNING id
                """).first!.decode(Int64.self)
            return StaffToken(id: id, staff: staff, createdAt: createdAt, expiresAt: expiresAt, revokedAt: nil)
        }
    }

    public func revokeToken(id: Int64, at: Int64) throws -> Bool {
        try database.transaction { session in
            guard try !session.query("SELECT 1 FROM staff_token WHERE id = \(id) FOR UPDATE").isEmpty else { throw StaffError.noSuchToken(id) }
            return try session.query("UPDATE staff_token SET revoked_at = \(at) WHERE id = \(id) AND revoked_at IS NULL RETURNING 1").count == 1
        }
    }

    public func tokens(staff: String?) throws -> [StaffToken] {
        try database.withSession { session in
            try session.query("""
                SELECT id, staff, created_at, expires_at, revoked_at FROM staff_token
                WHERE \(staff)::text IS NULL OR staff = \(staff) ORDER BY id DESC
                """).map { row in
                let (id, name, created, expires, revoked) = try row.decode((Int64, String, Int64, Int64, Int64?).self)
                return StaffToken(id: id, staff: name, createdAt: created, expiresAt: expires, revokedAt: revoked)
            }
        }
    }

    public func lookupToken(hash: String, now: Int64) throws -> TokenLookup {
        try database.withSession { session in
            guard let row = try session.query("""
                SELECT t.id, t.expires_at, t.revoked_at, s.name, s.roles, s.created_at, s.disabled_at
                FROM staff_token t JOIN staff s ON s.name = t.staff WHERE t.hash = \(hash)
                """).first else { return .unknown }
            let (id, expires, revoked, name, roles, created, disabled) = try row.decode((Int64, Int64, Int64?, String, String, Int64, Int64?).self)
            let member = StaffMember(name: name, roles: (try? StaffRole.parse(roles).get()) ?? [], createdAt: created, disabledAt: disabled)
            return TokenLookup.classify(member, tokenID: id, expiresAt: expires, revokedAt: revoked, now: now)
        }
    }
}

extension PostgresStaffStore: AuditLog {
    public func appendAudit(_ draft: AuditDraft) throws -> AuditEntry {
        try database.transaction { session in
            // One entry at a time across every node: each links to the newest before it.
            try session.query("SELECT pg_advisory_xact_lock(\(Self.auditLockKey))")
            let last = try session.query("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").first
                .map { try $0.decode((Int64, String).self) }
            let entry = AuditEntry.chained(after: last.map { (seq: $0.0, hash: $0.1) }, draft)
            try session.query("""
                INSERT INTO audit_entry (seq, at, actor, action, target, outcome, detail, previous, hash)
                VALUES (\(entry.seq), \(draft.at), \(draft.actor), \(draft.action), \(draft.target), \(draft.outcome), \(draft.detail),
                        \(entry.previous), \(entry.hash))
                """)
            return entry
        }
    }

    public func auditEntries(after seq: Int64, limit: Int) throws -> [AuditEntry] {
        try database.withSession { session in
            try session.query(PostgresQuery(unsafeSQL: "\(Self.auditColumns) WHERE seq > $1 ORDER BY seq LIMIT $2", binds: {
                var b = PostgresBindings()
                b.append(seq)
                b.append(Int64(limit))
                return b
            }())).map(Self.entry)
        }
    }

    public func auditEntries(_ filter: AuditFilter) throws -> [AuditEntry] {
        let (condition, binds) = AuditFilterSQL.condition(filter, placeholder: { "$\($0)" })
        var b = PostgresBindings()
        for bind in binds {
            switch bind {
            case .text(let s): b.append(s)
            case .integer(let i): b.append(i)
            }
        }
        b.append(Int64(filter.limit))
        let sql = "\(Self.auditColumns) WHERE \(condition) ORDER BY seq DESC LIMIT $\(binds.count + 1)"
        return try database.withSession { session in
            try session.query(PostgresQuery(unsafeSQL: sql, binds: b)).map(Self.entry)
        }
    }

    public func auditAnchor() throws -> AuditChain.Checkpoint? {
        try database.withSession { session in
            try session.query("SELECT seq, hash FROM audit_anchor WHERE id = 1").first
                .map { let (seq, hash) = try $0.decode((Int64, String).self); return AuditChain.Checkpoint(seq: seq, hash: hash) }
        }
    }

    public func purgeAudit(before: Int64, dryRun: Bool, record: (Int, AuditChain.Checkpoint) -> DestructionRecord) throws -> Int {
        try database.transaction { session in
            // No entry is appended meanwhile (the same lock as appendAudit).
            try session.query("SELECT pg_advisory_xact_lock(\(Self.auditLockKey))")
            guard let newest = try session.query("""
                SELECT seq, hash FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry WHERE at < \(before))
                """).first else { return 0 }
            let (seq, hash) = try newest.decode((Int64, String).self)
            let through = AuditChain.Checkpoint(seq: seq, hash: hash)
            let count = try session.query("SELECT count(*) FROM audit_entry WHERE seq <= \(seq)").first!.decode(Int64.self)
            guard !dryRun else { return Int(count) }
            try session.execute("SET LOCAL lantaarn.audit_purge = 'on'")
            try session.query("DELETE FROM audit_entry WHERE seq <= \(seq)")
            try session.execute("SET LOCAL lantaarn.audit_purge = 'off'")
            try session.query("""
                INSERT INTO audit_anchor (id, seq, hash) VALUES (1, \(seq), \(hash))
                ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
                """)
            try PostgresRetentionStore.insert(session, [record(Int(count), through)])
            return Int(count)
        }
    }

    static let auditColumns = "SELECT seq, at, actor, action, target, outcome, detail, previous, hash FROM audit_entry"

    static func entry(_ row: PostgresRow) throws -> AuditEntry {
        let (seq, at, actor, action, target, outcome, detail, previous, hash) =
            try row.decode((Int64, Int64, String, String, String, String, String, String, String).self)
        return AuditEntry(seq: seq, draft: AuditDraft(at: at, actor: actor, action: action, target: target, outcome: outcome, detail: detail),
                          previous: previous, hash: hash)
    }
}
