import GRDB
import LantaarnModel

extension SQLiteStaffStore: ApprovalStore {
    public func propose(_ p: ChangeProposal) throws -> ChangeRequest {
        try pool.write { db in
            if let same = try Row.fetchOne(db, sql: "\(Self.changeColumns) WHERE kind = ? AND target = ? AND content_hash = ? AND status = 'pending'",
                                           arguments: [p.kind.rawValue, p.target, p.contentHash]) {
                return Self.change(same)
            }
            try db.execute(sql: "UPDATE change_request SET status = 'superseded' WHERE kind = ? AND target = ? AND status = 'pending'",
                           arguments: [p.kind.rawValue, p.target])
            try db.execute(sql: """
                INSERT INTO change_request (kind, target, content_hash, proposed_by, proposed_at, summary, diff, preview, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')
                """, arguments: [p.kind.rawValue, p.target, p.contentHash, p.proposedBy, p.proposedAt, p.summary, p.diff, p.preview])
            return ChangeRequest(id: db.lastInsertedRowID, proposal: p, status: .pending, decidedBy: nil, decidedAt: nil, reason: nil)
        }
    }

    public func changes(status: ChangeStatus?, kind: ChangeKind?, limit: Int) throws -> [ChangeRequest] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.changeColumns) WHERE (? IS NULL OR status = ?) AND (? IS NULL OR kind = ?) ORDER BY id DESC LIMIT ?",
                             arguments: [status?.rawValue, status?.rawValue, kind?.rawValue, kind?.rawValue, limit]).map(Self.change)
        }
    }

    public func change(id: Int64) throws -> ChangeRequest? {
        try pool.read { db in try Row.fetchOne(db, sql: "\(Self.changeColumns) WHERE id = ?", arguments: [id]).map(Self.change) }
    }

    public func decide(id: Int64, approve: Bool, by: String, roles: Set<StaffRole>, at: Int64, reason: String) throws -> ChangeRequest {
        let reason = try ChangeRequest.checkedReason(reason)
        return try pool.write { db in
            guard var change = try Row.fetchOne(db, sql: "\(Self.changeColumns) WHERE id = ?", arguments: [id]).map(Self.change) else {
                throw ApprovalError.noSuchChange(id)
            }
            try change.checkDecision(by: by, roles: roles)
            change.status = approve ? .approved : .rejected
            (change.decidedBy, change.decidedAt, change.reason) = (by, at, reason)
            try db.execute(sql: "UPDATE change_request SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?",
                           arguments: [change.status.rawValue, by, at, reason, id])
            return change
        }
    }

    public func approvedContent(kind: ChangeKind) throws -> [String: [(hash: String, at: Int64)]] {
        try pool.read { db in
            var result: [String: [(hash: String, at: Int64)]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT target, content_hash, decided_at FROM change_request WHERE kind = ? AND status = 'approved' ORDER BY decided_at, id
                """, arguments: [kind.rawValue]) {
                result[row[0], default: []].append((row[1], row[2]))
            }
            return result
        }
    }

    static let changeColumns = """
        SELECT id, kind, target, content_hash, proposed_by, proposed_at, summary, diff, preview, status, decided_by, decided_at, reason
        FROM change_request
        """

    static func change(_ row: Row) -> ChangeRequest {
        ChangeRequest(id: row[0], proposal: ChangeProposal(kind: ChangeKind(rawValue: row[1]) ?? .pipeline, target: row[2], contentHash: row[3],
                                                          proposedBy: row[4], proposedAt: row[5], summary: row[6], diff: row[7], preview: row[8]),
                      status: ChangeStatus(rawValue: row[9]) ?? .pending, decidedBy: row[10], decidedAt: row[11], reason: row[12])
    }
}

extension SQLiteStaffStore: StaffSessionStore {
    public func openSession(_ s: StaffSession, hash: String) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO staff_session (hash, staff, roles, token_id, via, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [hash, s.staff, StaffRole.text(s.roles), s.tokenID, s.via, s.csrf, s.createdAt, s.expiresAt])
        }
    }

    public func session(hash: String, now: Int64) throws -> StaffSession? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.staff, s.roles, s.token_id, s.via, s.csrf, s.created_at, s.expires_at, m.roles, m.disabled_at, t.expires_at, t.revoked_at
                FROM staff_session s LEFT JOIN staff m ON m.name = s.staff LEFT JOIN staff_token t ON t.id = s.token_id
                WHERE s.hash = ? AND s.ended_at IS NULL
                """, arguments: [hash]) else { return nil }
            let session = StaffSession(staff: row[0], roles: (try? StaffRole.parse(row[1]).get()) ?? [], tokenID: row[2], via: row[3], csrf: row[4],
                                       createdAt: row[5], expiresAt: row[6])
            return session.usable(now: now, accountRoles: row[7], accountDisabledAt: row[8], tokenExpiresAt: row[9], tokenRevokedAt: row[10])
        }
    }

    public func closeSession(hash: String, at: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE staff_session SET ended_at = ? WHERE hash = ? AND ended_at IS NULL", arguments: [at, hash])
        }
    }
}
