import GRDB
import LantaarnModel

/// One pipeline run as recorded.
public struct PipelineRunRecord: Sendable, Equatable {
    public var pipeline: String
    public var versionSHA256: String
    public var startedAt: Int64
    public var endedAt: Int64
    public var range: TimeWindow
    public var windows: Int
    public var rowsIn: Int
    public var rowsOut: Int
    /// `ok` or `failed`.
    public var outcome: String
    /// What went wrong (no personal data: store and pipeline errors never carry any).
    public var error: String?

    public init(pipeline: String, versionSHA256: String, startedAt: Int64, endedAt: Int64, range: TimeWindow, windows: Int,
                rowsIn: Int, rowsOut: Int, outcome: String, error: String?) {
        self.pipeline = pipeline
        self.versionSHA256 = versionSHA256
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.range = range
        self.windows = windows
        self.rowsIn = rowsIn
        self.rowsOut = rowsOut
        self.outcome = outcome
        self.error = error
    }
}

/// The record of pipeline runs (`/-/pipelines`).
public protocol PipelineRunLog: Sendable {
    func recordRun(_ run: PipelineRunRecord) throws
    /// The newest runs, newest first.
    func pipelineRuns(limit: Int) throws -> [PipelineRunRecord]
}

extension SQLiteStore: PipelineRunLog {
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

/// One archived version of a pipeline definition.
public struct PipelineVersionRecord: Sendable, Equatable {
    public var pipeline: String
    public var sha256: String
    public var version: String
    public var definition: String
    public var firstSeen: Int64

    public init(pipeline: String, sha256: String, version: String, definition: String, firstSeen: Int64) {
        self.pipeline = pipeline
        self.sha256 = sha256
        self.version = version
        self.definition = definition
        self.firstSeen = firstSeen
    }
}

extension SQLiteStore {
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
