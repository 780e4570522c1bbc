import GRDB
import LantaarnModel

extension SQLiteReleaseStore: PipelineRunLog {
    public func recordRun(_ run: PipelineRunRecord) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO pipeline_run (pipeline, version_sha256, started_at, ended_at, window_start, window_end, windows, rows_in,
                rows_out, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.pipeline, run.versionSHA256, run.startedAt, run.endedAt, run.range.start, run.range.end,
                                 run.windows, run.rowsIn, run.rowsOut, run.outcome, run.error])
        }
    }

    public func pipelineRuns(limit: Int) throws -> [PipelineRunRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT pipeline, version_sha256, started_at, ended_at, window_start, window_end, windows, rows_in, rows_out, outcome, error
                FROM pipeline_run ORDER BY id DESC LIMIT ?
                """, arguments: [limit]).map {
                PipelineRunRecord(pipeline: $0[0], versionSHA256: $0[1], startedAt: $0[2], endedAt: $0[3],
                                  range: TimeWindow(start: $0[4], end: $0[5]), windows: $0[6], rowsIn: $0[7], rowsOut: $0[8],
                                  outcome: $0[9], error: $0[10])
            }
        }
    }
}

extension SQLiteReleaseStore: PipelineVersionArchive {
    /// Archives a definition text unless this exact version (by SHA-256) is already kept.
    /// Returns true when it was new.
    @discardableResult
    public func archivePipelineVersion(_ v: PipelineVersionRecord) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO pipeline_version (pipeline, sha256, version, definition, first_seen) VALUES (?, ?, ?, ?, ?)
                """, arguments: [v.pipeline, v.sha256, v.version, v.definition, v.firstSeen])
            return db.changesCount == 1
        }
    }

    /// Every archived version of `pipeline`, oldest first.
    public func pipelineVersions(_ pipeline: String) throws -> [PipelineVersionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT pipeline, sha256, version, definition, first_seen FROM pipeline_version WHERE pipeline = ? ORDER BY first_seen, sha256
                """, arguments: [pipeline]).map {
                PipelineVersionRecord(pipeline: $0[0], sha256: $0[1], version: $0[2], definition: $0[3], firstSeen: $0[4])
            }
        }
    }
}
