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

/// Every version of every pipeline definition that ran, as an archival record.
public protocol PipelineVersionArchive: Sendable {
    /// Keeps `v` unless that exact definition is kept already; returns whether it was new.
    func archivePipelineVersion(_ v: PipelineVersionRecord) throws -> Bool
    /// Every kept version of `pipeline`, oldest first.
    func pipelineVersions(_ pipeline: String) throws -> [PipelineVersionRecord]
}
