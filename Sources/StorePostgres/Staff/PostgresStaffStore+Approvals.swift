import LantaarnModel
import PostgresNIO
import Store

extension PostgresStaffStore: ApprovalStore {
    public func propose(_ p: ChangeProposal) throws -> ChangeRequest {
        try database.transaction { session in
            // Proposals for one target are filed one at a time (the pending one is found or superseded).
            try session.query("SELECT pg_advisory_xact_lock(\(Self.approvalLockKey), hashtext(\(p.kind.rawValue + " " + p.target)))")
            if let same = try session.query(PostgresQuery(unsafeSQL: """
                \(Self.changeColumns) WHERE kind = $1 AND target = $2 AND content_hash = $3 AND status = 'pending'
                """, binds: Self.binds(p.kind.rawValue, p.target, p.contentHash))).first {
                return try Self.change(same)
            }
            try session.query("""
                UPDATE change_request SET status = 'superseded' WHERE kind = \(p.kind.rawValue) AND target = \(p.target) AND status = 'pending'
                """)
            let id = try session.query("""
                INSERT INTO change_request (kind, target, content_hash, proposed_by, proposed_at, summary, diff, preview, status)
                VALUES (\(p.kind.rawValue), \(p.target), \(p.contentHash), \(p.proposedBy), \(p.proposedAt), \(p.summary), \(p.diff), \(p.preview), 'pending')
                RETURNING id
                """).first!.decode(Int64.self)
            return ChangeRequest(id: id, proposal: p, status: .pending, decidedBy: nil, decidedAt: nil, reason: nil)
        }
    }

    public func changes(status: ChangeStatus?, kind: ChangeKind?, limit: Int) throws -> [ChangeRequest] {
        try database.withSession { session in
            var b = PostgresBindings()
            b.append(status?.rawValue)
            b.append(kind?.rawValue)
            b.append(Int64(limit))
            return try session.query(PostgresQuery(unsafeSQL: """
                \(Self.changeColumns) WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2) ORDER BY id DESC LIMIT $3
                """, binds: b)).map(Self.change)
        }
    }

    public func change(id: Int64) throws -> ChangeRequest? {
        try database.withSession { session in
            var b = PostgresBindings()
            b.append(id)
            return try session.query(PostgresQuery(unsafeSQL: "\(Self.changeColumns) WHERE id = $1", binds: b)).first.map(Self.change)
        }
    }

    public func decide(id: Int64, approve: Bool, by: String, roles: Set<StaffRole>, at: Int64, reason: String) throws -> ChangeRequest {
        let reason = try ChangeRequest.checkedReason(reason)
        return try database.transaction { session in
            var b = PostgresBindings()
            b.append(id)
            guard var change = try session.query(PostgresQuery(unsafeSQL: "\(Self.changeColumns) WHERE id = $1 FOR UPDATE", binds: b))
                .first.map(Self.change) else { throw ApprovalError.noSuchChange(id) }
            try change.checkDecision(by: by, roles: roles)
            change.status = approve ? .approved : .rejected
            (change.decidedBy, change.decidedAt, change.reason) = (by, at, reason)
            try session.query("""
                UPDATE change_request SET status = \(change.status.rawValue), decided_by = \(by), decided_at = \(at), reason = \(reason) WHERE id = \(id)
                """)
            return change
        }
    }

    public func approvedContent(kind: ChangeKind) throws -> [String: [(hash: String, at: Int64)]] {
        try database.withSession { session in
            var result: [String: [(hash: String, at: Int64)]] = [:]
            for row in try session.query("""
                SELECT target, content_hash, decided_at FROM change_request WHERE kind = \(kind.rawValue) AND status = 'approved' ORDER BY decided_at, id
                """) {
                let (target, hash, at) = try row.decode((String, String, Int64).self)
                result[target, default: []].append((hash, at))
            }
            return result
        }
    }

    /// First key of the lock that files proposals for one target at a time.
    static let approvalLockKey: Int32 = 0x6C61_6E74

    static let changeColumns = """
        SELECT id, kind, target, content_hash, proposed_by, proposed_at, summary, diff, preview, status, decided_by, decided_at, reason
        FROM change_request
        """

    static func binds(_ texts: String...) -> PostgresBindings {
        var b = PostgresBindings()
        for t in texts { b.append(t) }
        return b
    }

    static func change(_ row: PostgresRow) throws -> ChangeRequest {
        let (id, kind, target, hash, by, at, summary, diff, preview, status, decidedBy, decidedAt, reason) =
            try row.decode((Int64, String, String, String, String, Int64, String, String, String, String, String?, Int64?, String?).self)
        return ChangeRequest(id: id, proposal: ChangeProposal(kind: ChangeKind(rawValue: kind) ?? .pipeline, target: target, contentHash: hash,
                                                              proposedBy: by, proposedAt: at, summary: summary, diff: diff, preview: preview),
                             status: ChangeStatus(rawValue: status) ?? .pending, decidedBy: decidedBy, decidedAt: decidedAt, reason: reason)
    }
}

extension PostgresStaffStore: StaffSessionStore {
    public func openSession(_ s: StaffSession, hash: String) throws {
        try database.transaction { session in
            try session.query("""
                INSERT INTO staff_session (hash, staff, roles, token_id, via, csrf, created_at, expires_at)
                VALUES (\(hash), \(s.staff), \(StaffRole.text(s.roles)), \(s.tokenID), \(s.via), \(s.csrf), \(s.createdAt), \(s.expiresAt))
                """)
        }
    }

    public func session(hash: String, now: Int64) throws -> StaffSession? {
        try database.withSession { session in
            guard let row = try session.query("""
                SELECT s.staff, s.roles, s.token_id, s.via, s.csrf, s.created_at, s.expires_at, m.roles, m.disabled_at, t.expires_at, t.revoked_at
                FROM staff_session s LEFT JOIN staff m ON m.name = s.staff LEFT JOIN staff_token t ON t.id = s.token_id
                WHERE s.hash = \(hash) AND s.ended_at IS NULL
                """).first else { return nil }
            let (staff, roles, tokenID, via, csrf, created, expires, accountRoles, disabled, tokenExpires, revoked) =
                try row.decode((String, String, Int64?, String, String, Int64, Int64, String?, Int64?, Int64?, Int64?).self)
            let s = StaffSession(staff: staff, roles: (try? StaffRole.parse(roles).get()) ?? [], tokenID: tokenID, via: via, csrf: csrf,
                                 createdAt: created, expiresAt: expires)
            return s.usable(now: now, accountRoles: accountRoles, accountDisabledAt: disabled, tokenExpiresAt: tokenExpires, tokenRevokedAt: revoked)
        }
    }

    public func closeSession(hash: String, at: Int64) throws {
        try database.transaction { session in
            try session.query("UPDATE staff_session SET ended_at = \(at) WHERE hash = \(hash) AND ended_at IS NULL")
        }
    }
}
