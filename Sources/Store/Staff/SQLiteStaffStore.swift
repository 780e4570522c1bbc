import GRDB
import LantaarnModel

/// Staff accounts, tokens and the audit log in SQLite.
public final class SQLiteStaffStore: SQLiteDomainStore {
    let database: StoreDatabase

    init(_ database: StoreDatabase) { self.database = database }
}

extension SQLiteStaffStore: StaffStore {
    public func addStaff(_ member: StaffMember) throws {
        guard StaffMember.isValidName(member.name) else { throw StaffError.invalidName(member.name) }
        guard !member.roles.isEmpty else { throw StaffError.noRoles }
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM staff WHERE name = ?", arguments: [member.name]) == nil else {
                throw StaffError.exists(member.name)
            }
            try db.execute(sql: "INSERT INTO staff (name, roles, created_at) VALUES (?, ?, ?)",
                           arguments: [member.name, StaffRole.text(member.roles), member.createdAt])
        }
    }

    public func setRoles(_ name: String, roles: Set<StaffRole>) throws {
        guard !roles.isEmpty else { throw StaffError.noRoles }
        try pool.write { db in
            try db.execute(sql: "UPDATE staff SET roles = ? WHERE name = ? AND disabled_at IS NULL", arguments: [StaffRole.text(roles), name])
            guard db.changesCount == 1 else { throw StaffError.noSuchStaff(name) }
        }
    }

    public func disableStaff(_ name: String, at: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE staff SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL", arguments: [at, name])
            guard db.changesCount == 1 else { throw StaffError.noSuchStaff(name) }
            try db.execute(sql: "UPDATE staff_token SET revoked_at = ? WHERE staff = ? AND revoked_at IS NULL", arguments: [at, name])
        }
    }

    public func staff() throws -> [StaffMember] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, roles, created_at, disabled_at FROM staff ORDER BY name").map(Self.member)
        }
    }

    static func member(_ row: Row) -> StaffMember {
        StaffMember(name: row[0], roles: (try? StaffRole.parse(row[1]).get()) ?? [], createdAt: row[2], disabledAt: row[3])
    }

    public func addToken(staff: String, hash: String, createdAt: Int64, expiresAt: Int64) throws -> StaffToken {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM staff WHERE name = ? AND disabled_at IS NULL", arguments: [staff]) != nil else {
                throw StaffError.noSuchStaff(staff)
            }
            try db.execute(sql: "INSERT INTO staff_token (staff, hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [staff, hash, createdAt, expiresAt])
            return StaffToken(id: db.lastInsertedRowID, staff: staff, createdAt: createdAt, expiresAt: expiresAt, revokedAt: nil)
        }
    }

    public func revokeToken(id: Int64, at: Int64) throws -> Bool {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM staff_token WHERE id = ?", arguments: [id]) != nil else {
                throw StaffError.noSuchToken(id)
            }
            try db.execute(sql: "UPDATE staff_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [at, id])
            return db.changesCount == 1
        }
    }

    public func tokens(staff: String?) throws -> [StaffToken] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, staff, created_at, expires_at, revoked_at FROM staff_token WHERE ? IS NULL OR staff = ? ORDER BY id DESC
                """, arguments: [staff, staff]).map {
                StaffToken(id: $0[0], staff: $0[1], createdAt: $0[2], expiresAt: $0[3], revokedAt: $0[4])
            }
        }
    }

    public func lookupToken(hash: String, now: Int64) throws -> TokenLookup {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT t.id, t.expires_at, t.revoked_at, s.name, s.roles, s.created_at, s.disabled_at
                FROM staff_token t JOIN staff s ON s.name = t.staff WHERE t.hash = ?
                """, arguments: [hash]) else { return .unknown }
            let member = StaffMember(name: row[3], roles: (try? StaffRole.parse(row[4]).get()) ?? [], createdAt: row[5], disabledAt: row[6])
            return TokenLookup.classify(member, tokenID: row[0], expiresAt: row[1], revokedAt: row[2], now: now)
        }
    }
}

extension SQLiteStaffStore: AuditLog {
    public func appendAudit(_ draft: AuditDraft) throws -> AuditEntry {
        try pool.write { db in
            let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
            let entry = AuditEntry.chained(after: last.map { ($0[0], $0[1]) }, draft)
            try db.execute(sql: """
                INSERT INTO audit_entry (seq, at, actor, action, target, outcome, detail, previous, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.seq, draft.at, draft.actor, draft.action, draft.target, draft.outcome, draft.detail,
                                 entry.previous, entry.hash])
            return entry
        }
    }

    public func auditEntries(after seq: Int64, limit: Int) throws -> [AuditEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.auditColumns) WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]).map(Self.entry)
        }
    }

    public func auditEntries(_ filter: AuditFilter) throws -> [AuditEntry] {
        let (condition, binds) = AuditFilterSQL.condition(filter, placeholder: { _ in "?" })
        return try pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.auditColumns) WHERE \(condition) ORDER BY seq DESC LIMIT ?",
                             arguments: StatementArguments(binds.map(\.databaseValue) + [filter.limit.databaseValue])).map(Self.entry)
        }
    }

    public func auditAnchor() throws -> AuditChain.Checkpoint? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_anchor WHERE id = 1").map { AuditChain.Checkpoint(seq: $0[0], hash: $0[1]) }
        }
    }

    public func purgeAudit(before: Int64, dryRun: Bool, record: (Int, AuditChain.Checkpoint) -> DestructionRecord) throws -> Int {
        try pool.write { db in
            guard let newest = try Row.fetchOne(db, sql: """
                SELECT seq, hash FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry WHERE at < ?)
                """, arguments: [before]) else { return 0 }
            let through = AuditChain.Checkpoint(seq: newest[0], hash: newest[1])
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_entry WHERE seq <= ?", arguments: [through.seq]) ?? 0
            guard !dryRun else { return count }
            try db.execute(sql: "INSERT OR REPLACE INTO audit_purge_gate (id, open) VALUES (1, 1)")
            try db.execute(sql: "DELETE FROM audit_entry WHERE seq <= ?", arguments: [through.seq])
            try db.execute(sql: "UPDATE audit_purge_gate SET open = 0 WHERE id = 1")
            try db.execute(sql: "INSERT OR REPLACE INTO audit_anchor (id, seq, hash) VALUES (1, ?, ?)", arguments: [through.seq, through.hash])
            try SQLiteRetentionStore.insert(db, [record(count, through)])
            return count
        }
    }

    static let auditColumns = "SELECT seq, at, actor, action, target, outcome, detail, previous, hash FROM audit_entry"

    static func entry(_ row: Row) -> AuditEntry {
        AuditEntry(seq: row[0], draft: AuditDraft(at: row[1], actor: row[2], action: row[3], target: row[4], outcome: row[5], detail: row[6]),
                   previous: row[7], hash: row[8])
    }
}

extension AuditFilterSQL.Bind {
    var databaseValue: DatabaseValue {
        switch self {
        case .text(let s): return s.databaseValue
        case .integer(let i): return i.databaseValue
        }
    }
}
