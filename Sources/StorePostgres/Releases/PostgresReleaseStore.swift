import LantaarnModel
import Logging
import PostgresNIO
import Store
import Synchronization

/// Datasets and releases in PostgreSQL: their rows (the same stored form and hash as SQLite),
/// row queries, stale windows, the pipeline run log and the archive of pipeline versions.
public final class PostgresReleaseStore: Sendable {
    let database: PGDatabase
    /// Dataset changes committed by this process.
    let datasetWrites = Atomic<Int64>(0)
    /// Dataset changes announced by any node.
    let listener: PGGenerationListener
    /// `datasetWrites` when the generation was last read by query.
    let generationQueriedAt = Atomic<Int64>(-1)

    init(_ database: PGDatabase, logger: Logger) {
        self.database = database
        listener = PGGenerationListener(database, logger: logger)
    }
}

extension PostgresReleaseStore: PipelineRunLog {
    public func recordRun(_ run: PipelineRunRecord) throws {
        try database.withSession { session in
            try session.query("""
                INSERT INTO pipeline_run (pipeline, version_sha256, started_at, ended_at, window_start, window_end, windows, rows_in,
                rows_out, outcome, error) VALUES (\(run.pipeline), \(run.versionSHA256), \(run.startedAt), \(run.endedAt),
                \(run.range.start), \(run.range.end), \(run.windows), \(run.rowsIn), \(run.rowsOut), \(run.outcome), \(run.error))
                """)
        }
    }

    public func pipelineRuns(limit: Int) throws -> [PipelineRunRecord] {
        try database.withSession { session in
            try session.query("""
                SELECT pipeline, version_sha256, started_at, ended_at, window_start, window_end, windows, rows_in, rows_out, outcome, error
                FROM pipeline_run ORDER BY id DESC LIMIT \(limit)
                """).map { row in
                let (pipeline, sha, started, ended, start, end, windows, rowsIn, rowsOut, outcome, error) =
                    try row.decode((String, String, Int64, Int64, Int64, Int64, Int, Int, Int, String, String?).self)
                return PipelineRunRecord(pipeline: pipeline, versionSHA256: sha, startedAt: started, endedAt: ended,
                                         range: TimeWindow(start: start, end: max(start, end)), windows: windows, rowsIn: rowsIn,
                                         rowsOut: rowsOut, outcome: outcome, error: error)
            }
        }
    }
}

extension PostgresReleaseStore: PipelineVersionArchive {
    @discardableResult
    public func archivePipelineVersion(_ v: PipelineVersionRecord) throws -> Bool {
        try database.withSession { session in
            try !session.query("""
                INSERT INTO pipeline_version (pipeline, sha256, version, definition, first_seen)
                VALUES (\(v.pipeline), \(v.sha256), \(v.version), \(v.definition), \(v.firstSeen)) ON CONFLICT DO NOTHING RETURNING 1
                """).isEmpty
        }
    }

    public func pipelineVersions(_ pipeline: String) throws -> [PipelineVersionRecord] {
        try database.withSession { session in
            try session.query("""
                SELECT pipeline, sha256, version, definition, first_seen FROM pipeline_version WHERE pipeline = \(pipeline)
                ORDER BY first_seen, sha256
                """).map { row in
                let (pipeline, sha, version, definition, firstSeen) = try row.decode((String, String, String, String, Int64).self)
                return PipelineVersionRecord(pipeline: pipeline, sha256: sha, version: version, definition: definition, firstSeen: firstSeen)
            }
        }
    }
}
