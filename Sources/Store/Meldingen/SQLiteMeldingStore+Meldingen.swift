import Foundation
import GRDB
import LantaarnModel

extension SQLiteMeldingStore: MeldingArchive {
    /// The record of a meldingen file loaded before, if any.
    public func meldingFile(sha256: String) throws -> MeldingFileRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT sha256, name, format, meldingen, report, completed_at FROM melding_file WHERE sha256 = ?",
                             arguments: [sha256]).map {
                MeldingFileRecord(sha256: $0[0], name: $0[1], format: $0[2], meldingen: $0[3], report: $0[4], completedAt: $0[5])
            }
        }
    }

    /// When a stored melding was reported (for assigning an updated position), if it is stored.
    public func meldingCreatedAt(source: String, sourceID: String) throws -> Int64? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT created_at FROM melding WHERE source = ? AND source_id = ?", arguments: [source, sourceID])
        }
    }

    /// Stores a file's meldingen and its record in one transaction: all or nothing. An update
    /// of a melding that is not stored fails the whole file.
    public func saveMeldingen(_ writes: [MeldingWrite], file: MeldingFileRecord) throws -> MeldingWriteResult {
        try pool.write { db in
            var result = MeldingWriteResult()
            let find = try db.cachedStatement(sql: "SELECT id FROM melding WHERE source = ? AND source_id = ?")
            for (i, write) in writes.enumerated() {
                let m = write.melding
                var id = try Int64.fetchOne(find, arguments: [m.source, m.sourceID])
                if write.isUpdate {
                    guard let existing = id else {
                        throw StoreError("\(file.name): item \(i) updates \(m.source) melding \(m.sourceID), which is not stored; load the melding first")
                    }
                    if let lat = m.latitude, let lon = m.longitude {
                        try db.execute(sql: """
                            UPDATE melding SET lat = ?, lon = ?, gemeente = ?, wijk = ?, buurt = ?, updated_at = ? WHERE id = ?
                            """, arguments: [lat, lon, m.gemeente, m.wijk, m.buurt, file.completedAt, existing])
                    }
                    result.updated += 1
                } else if let existing = id {
                    try db.execute(sql: """
                        UPDATE melding SET category = ?, bor_meld = ?, hoofdcategorie = ?, created_at = ?, lat = ?, lon = ?, gemeente = ?,
                        wijk = ?, buurt = ?, channel = ?, scrubbed_text = coalesce(?, scrubbed_text), updated_at = ? WHERE id = ?
                        """, arguments: [m.category, m.borMeld, m.hoofdcategorie, m.createdAt, m.latitude, m.longitude, m.gemeente,
                                         m.wijk, m.buurt, m.channel, m.scrubbedText, file.completedAt, existing])
                    result.updated += 1
                } else {
                    try db.execute(sql: """
                        INSERT INTO melding (source, source_id, category, bor_meld, hoofdcategorie, created_at, is_open, lat, lon,
                        gemeente, wijk, buurt, channel, scrubbed_text, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [m.source, m.sourceID, m.category, m.borMeld, m.hoofdcategorie, m.createdAt, m.latitude,
                                         m.longitude, m.gemeente, m.wijk, m.buurt, m.channel, m.scrubbedText, file.completedAt])
                    id = db.lastInsertedRowID
                    result.inserted += 1
                }
                let meldingID = id!
                for change in m.history {
                    try db.execute(sql: "INSERT OR IGNORE INTO melding_status (melding_id, at, state, closes) VALUES (?, ?, ?, ?)",
                                   arguments: [meldingID, change.at, change.state, change.closes])
                    result.statusChanges += db.changesCount
                }
                // Open or closed by the latest status change.
                try db.execute(sql: """
                    UPDATE melding SET
                      is_open = coalesce((SELECT 1 - closes FROM melding_status WHERE melding_id = ?1 ORDER BY at DESC, rowid DESC LIMIT 1), 1),
                      closed_at = (SELECT CASE closes WHEN 1 THEN at END FROM melding_status WHERE melding_id = ?1 ORDER BY at DESC, rowid DESC LIMIT 1)
                    WHERE id = ?1
                    """, arguments: [meldingID])
            }
            try db.execute(sql: """
                INSERT INTO melding_file (sha256, name, format, meldingen, report, completed_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [file.sha256, file.name, file.format, file.meldingen, file.report, file.completedAt])
            return result
        }
    }

    /// Stored meldingen created in `window`, oldest first, with their status history.
    public func meldingen(createdIn window: TimeWindow) throws -> [Melding] {
        try meldingen(where: "created_at >= ? AND created_at < ?", [window.start, window.end])
    }

    private func meldingen(where condition: String, _ arguments: StatementArguments) throws -> [Melding] {
        try pool.read { db in
            var out: [Melding] = []
            var ids: [Int64] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT id, source, source_id, category, bor_meld, hoofdcategorie, created_at, closed_at, is_open, lat, lon,
                gemeente, wijk, buurt, channel, scrubbed_text FROM melding WHERE \(condition) ORDER BY created_at, id
                """, arguments: arguments) {
                var m = Melding(source: row[1], sourceID: row[2], category: row[3], createdAt: row[6], isOpen: row[8])
                m.borMeld = row[4]
                m.hoofdcategorie = row[5]
                m.closedAt = row[7]
                m.latitude = row[9]
                m.longitude = row[10]
                m.gemeente = row[11]
                m.wijk = row[12]
                m.buurt = row[13]
                m.channel = row[14]
                m.scrubbedText = row[15]
                ids.append(row[0])
                out.append(m)
            }
            let history = try db.cachedStatement(sql: "SELECT at, state, closes FROM melding_status WHERE melding_id = ? ORDER BY at, rowid")
            for (i, id) in ids.enumerated() {
                out[i].history = try Row.fetchAll(history, arguments: [id]).map { Melding.StatusChange(at: $0[0], state: $0[1], closes: $0[2]) }
            }
            return out
        }
    }
}

extension SQLiteMeldingStore: MeldingStore {
    public func meldingen(overlapping window: TimeWindow) throws -> [Melding] {
        try meldingen(where: "created_at < ? AND (closed_at IS NULL OR closed_at >= ?)", [window.end, window.start])
    }
}
