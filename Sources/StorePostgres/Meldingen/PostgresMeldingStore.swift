import LantaarnModel
import PostgresNIO
import Store

/// Meldingen openbare ruimte in PostgreSQL: meldingen with their status history, loaded files,
/// and the alerts pipelines raise on them.
public final class PostgresMeldingStore: Sendable {
    let database: PGDatabase

    init(_ database: PGDatabase) { self.database = database }

    static let columns = """
        id, source, source_id, category, bor_meld, hoofdcategorie, created_at, closed_at, is_open, lat, lon,
        gemeente, wijk, buurt, channel, scrubbed_text
        """

    /// Meldingen matching `condition` (over `$1`, `$2`), oldest first, with their history.
    private func meldingen(where condition: String, _ a: Int64, _ b: Int64) throws -> [Melding] {
        try database.withSession { session in
            var binds = PostgresBindings()
            binds.append(a)
            binds.append(b)
            var out: [Melding] = [], ids: [Int64] = []
            for row in try session.query(PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM melding WHERE \(condition) ORDER BY created_at, id",
                                                       binds: binds)) {
                let (id, source, sourceID, category, borMeld, hoofdcategorie, createdAt, closedAt, isOpen) =
                    try row.decode((Int64, String, String, String, Int?, String?, Int64, Int64?, Bool).self)
                let cells = row.makeRandomAccess()
                var m = Melding(source: source, sourceID: sourceID, category: category, createdAt: createdAt, isOpen: isOpen)
                (m.borMeld, m.hoofdcategorie, m.closedAt) = (borMeld, hoofdcategorie, closedAt)
                m.latitude = try cells[9].decode(Double?.self)
                m.longitude = try cells[10].decode(Double?.self)
                m.gemeente = try cells[11].decode(String?.self)
                m.wijk = try cells[12].decode(String?.self)
                m.buurt = try cells[13].decode(String?.self)
                m.channel = try cells[14].decode(String?.self)
                m.scrubbedText = try cells[15].decode(String?.self)
                ids.append(id)
                out.append(m)
            }
            for (i, id) in ids.enumerated() {
                out[i].history = try session.query("SELECT at, state, closes FROM melding_status WHERE melding_id = \(id) ORDER BY at, id").map { row in
                    let (at, state, closes) = try row.decode((Int64, String, Bool).self)
                    return Melding.StatusChange(at: at, state: state, closes: closes)
                }
            }
            return out
        }
    }
}

extension PostgresMeldingStore: MeldingStore {
    public func meldingen(overlapping window: TimeWindow) throws -> [Melding] {
        try meldingen(where: "created_at < $1 AND (closed_at IS NULL OR closed_at >= $2)", window.end, window.start)
    }

    public func meldingen(createdIn window: TimeWindow) throws -> [Melding] {
        try meldingen(where: "created_at >= $1 AND created_at < $2", window.start, window.end)
    }
}

extension PostgresMeldingStore: MeldingArchive {
    public func meldingFile(sha256: String) throws -> MeldingFileRecord? {
        try database.withSession { session in
            try session.query("SELECT sha256, name, format, meldingen, report, completed_at FROM melding_file WHERE sha256 = \(sha256)").first.map { row in
                let (sha, name, format, count, report, completedAt) = try row.decode((String, String, String, Int, String, Int64).self)
                return MeldingFileRecord(sha256: sha, name: name, format: format, meldingen: count, report: report, completedAt: completedAt)
            }
        }
    }

    public func meldingCreatedAt(source: String, sourceID: String) throws -> Int64? {
        try database.withSession { session in
            try session.query("SELECT created_at FROM melding WHERE source = \(source) AND source_id = \(sourceID)").first?.decode(Int64.self)
        }
    }

    /// Stores a file's meldingen and its record in one transaction: all or nothing. An update
    /// of a melding that is not stored fails the whole file.
    public func saveMeldingen(_ writes: [MeldingWrite], file: MeldingFileRecord) throws -> MeldingWriteResult {
        try database.transaction { session in
            var result = MeldingWriteResult()
            for (i, write) in writes.enumerated() {
                let m = write.melding
                var id = try session.query("SELECT id FROM melding WHERE source = \(m.source) AND source_id = \(m.sourceID)").first?.decode(Int64.self)
                if write.isUpdate {
                    guard let existing = id else {
                        throw StoreError("\(file.name): item \(i) updates \(m.source) melding \(m.sourceID), which is not stored; load the melding first")
                    }
                    if let lat = m.latitude, let lon = m.longitude {
                        try session.query("""
                            UPDATE melding SET lat = \(lat), lon = \(lon), gemeente = \(m.gemeente), wijk = \(m.wijk), buurt = \(m.buurt),
                            updated_at = \(file.completedAt) WHERE id = \(existing)
                            """)
                    }
                    result.updated += 1
                } else if let existing = id {
                    try session.query("""
                        UPDATE melding SET category = \(m.category), bor_meld = \(m.borMeld), hoofdcategorie = \(m.hoofdcategorie),
                        created_at = \(m.createdAt), lat = \(m.latitude), lon = \(m.longitude), gemeente = \(m.gemeente), wijk = \(m.wijk),
                        buurt = \(m.buurt), channel = \(m.channel), scrubbed_text = coalesce(\(m.scrubbedText), scrubbed_text),
                        updated_at = \(file.completedAt) WHERE id = \(existing)
                        """)
                    result.updated += 1
                } else {
                    id = try session.query("""
                        INSERT INTO melding (source, source_id, category, bor_meld, hoofdcategorie, created_at, is_open, lat, lon,
                        gemeente, wijk, buurt, channel, scrubbed_text, updated_at)
                        VALUES (\(m.source), \(m.sourceID), \(m.category), \(m.borMeld), \(m.hoofdcategorie), \(m.createdAt), true,
                        \(m.latitude), \(m.longitude), \(m.gemeente), \(m.wijk), \(m.buurt), \(m.channel), \(m.scrubbedText),
                        \(file.completedAt)) RETURNING id
                        """).first?.decode(Int64.self)
                    result.inserted += 1
                }
                guard let meldingID = id else { throw StoreError("\(file.name): item \(i) was not stored") }
                for change in m.history {
                    result.statusChanges += try session.query("""
                        INSERT INTO melding_status (melding_id, at, state, closes) VALUES (\(meldingID), \(change.at), \(change.state), \(change.closes))
                        ON CONFLICT DO NOTHING RETURNING 1
                        """).count
                }
                // Open or closed by the latest status change.
                try session.query("""
                    UPDATE melding SET
                      is_open = coalesce((SELECT NOT closes FROM melding_status WHERE melding_id = \(meldingID) ORDER BY at DESC, id DESC LIMIT 1), true),
                      closed_at = (SELECT CASE WHEN closes THEN at END FROM melding_status WHERE melding_id = \(meldingID) ORDER BY at DESC, id DESC LIMIT 1)
                    WHERE id = \(meldingID)
                    """)
            }
            try session.query("""
                INSERT INTO melding_file (sha256, name, format, meldingen, report, completed_at)
                VALUES (\(file.sha256), \(file.name), \(file.format), \(file.meldingen), \(file.report), \(file.completedAt))
                """)
            return result
        }
    }
}

extension PostgresMeldingStore: AlertStore {
    public func recordAlerts(_ alerts: [MeldingAlert], weekStart: Int64) throws {
        try database.transaction { session in
            for a in alerts {
                try session.query("""
                    INSERT INTO melding_alert (week_start, wijk, kind, categories, observed, expected, tail, created_at)
                    VALUES (\(weekStart), \(a.wijk), \(a.kind.rawValue), \(a.categories), \(a.observed), \(a.expected), \(a.tail), \(a.createdAt))
                    ON CONFLICT (week_start, wijk, kind, categories) DO UPDATE SET observed = excluded.observed,
                      expected = excluded.expected, tail = excluded.tail
                    """)
            }
        }
    }

    public func alerts(includeAcknowledged: Bool) throws -> [MeldingAlert] {
        try database.withSession { session in
            try session.query(PostgresQuery(unsafeSQL: """
                SELECT id, week_start, wijk, kind, categories, observed, expected, tail, created_at, acknowledged_at, acknowledged_by, note
                FROM melding_alert \(includeAcknowledged ? "" : "WHERE acknowledged_at IS NULL") ORDER BY week_start DESC, wijk, id
                """)).map { row in
                let (id, weekStart, wijk, kind, categories, observed, expected, tail, createdAt, acknowledgedAt, acknowledgedBy, note) =
                    try row.decode((Int64, Int64, String, String, String, Int, Double, Double, Int64, Int64?, String?, String?).self)
                var a = MeldingAlert(weekStart: weekStart, wijk: wijk, kind: MeldingAlert.Kind(rawValue: kind) ?? .spike, categories: categories,
                                     observed: observed, expected: expected, tail: tail, createdAt: createdAt)
                (a.id, a.acknowledgedAt, a.acknowledgedBy, a.note) = (id, acknowledgedAt, acknowledgedBy, note)
                return a
            }
        }
    }

    public func acknowledgeAlert(id: Int64, by: String, note: String?, at: Int64) throws -> Bool {
        try database.withSession { session in
            try session.query("""
                UPDATE melding_alert SET acknowledged_at = \(at), acknowledged_by = \(by), note = \(note)
                WHERE id = \(id) AND acknowledged_at IS NULL RETURNING id
                """).count == 1
        }
    }
}
