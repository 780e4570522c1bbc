import LantaarnModel

/// The narrow interface to published datasets and their releases.
public protocol ReleaseStore: Sendable {
    /// Creates or updates a dataset's metadata.
    func register(_ metadata: DatasetMetadata) throws

    /// Publishes one window of a dataset: replaces that window's rows and records
    /// the release, atomically. Returns the new release id.
    @discardableResult
    func publish(_ draft: ReleaseDraft) throws -> Int64

    /// All datasets with their current size and latest release.
    func datasets() throws -> [DatasetSummary]

    /// Names of all datasets (cheap; no row counts).
    func datasetNames() throws -> [String]

    /// One dataset's summary, or `nil` when unknown.
    func dataset(named name: String) throws -> DatasetSummary?

    /// A page of the dataset's current rows in (window, seq) order, after `cursor`.
    func rows(dataset: String, after cursor: RowCursor?, limit: Int) throws -> (rows: [[CellValue]], next: RowCursor?)

    /// The same page as stored (see ``StoredRow``), each row handed to `visit` without copying;
    /// returns where the next page starts, `nil` after the last. The export fast path.
    func encodedRows(dataset: String, after cursor: RowCursor?, limit: Int,
                     _ visit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> RowCursor?

    /// One page of the dataset's current rows matching the query's filters, in its order,
    /// with facet counts; throws ``RowQueryError/timeLimit(milliseconds:)`` when it runs too long.
    func queryRows(dataset: String, _ query: RowQuery) throws -> RowQueryPage

    /// The start of the oldest window among the newest `rows` current rows (`nil` when the
    /// dataset holds fewer): lets costly summaries look at a recent, bounded slice.
    func windowStart(dataset: String, coveringNewestRows rows: Int) throws -> Int64?

    /// End of the latest published window of `dataset`, or `nil` before the first release.
    func latestWindowEnd(dataset: String) throws -> Int64?

    /// Every release of `dataset`, oldest window first, with version and SHA-256.
    func releases(dataset: String) throws -> [ReleaseRecord]

    /// One release by id, or `nil` when unknown (or destroyed under its retention).
    func release(id: Int64) throws -> ReleaseRecord?

    /// A page of one release's rows, as published, whether or not a re-run has since
    /// superseded it; `next` is the last seq when more may follow.
    func releaseRows(_ release: ReleaseRecord, after seq: Int?, limit: Int) throws -> (rows: [[CellValue]], next: Int?)

    /// The same page as stored, each row handed to `visit` without copying; returns the last
    /// seq when more may follow.
    func encodedReleaseRows(_ release: ReleaseRecord, after seq: Int?, limit: Int,
                            _ visit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Int?

    /// Whether a release's rows are stored: always, except for releases superseded before
    /// superseded rows were kept (migration v14).
    func rowsKept(_ release: ReleaseRecord) throws -> Bool

    /// Whether a release's stored rows and lineage still hash to its recorded SHA-256.
    func verify(_ release: ReleaseRecord) throws -> Bool

    /// Keeps the last disclosure audit of a dataset (its report as JSON).
    func recordDisclosureReport(dataset: String, report: String) throws

    /// The last disclosure audit of a dataset, as JSON, and when it ran.
    func disclosureReport(dataset: String) throws -> (report: String, auditedAt: Int64)?

    /// Changes to datasets committed by this process: cheap, and up to date at once.
    var localDatasetWrites: Int64 { get }

    /// The stored dataset generation: it changes with every register, publish and purge by
    /// any process (a query; read it seldom).
    func storedDatasetGeneration() throws -> Int64
}

/// One published release: which window, which version of it, what it held, its SHA-256
/// (over its rows and lineage) and whether it is the window's current one.
public struct ReleaseRecord: Sendable, Equatable {
    public var id: Int64
    public var window: TimeWindow
    public var createdAt: Int64
    public var rowsIn: Int
    public var rowsOut: Int
    public var version: Int
    public var sha256: String
    /// The lineage JSON as published.
    public var lineage: String
    public var current: Bool
    public var dataset: String

    package init(id: Int64, window: TimeWindow, createdAt: Int64, rowsIn: Int, rowsOut: Int, version: Int, sha256: String, lineage: String,
                 current: Bool, dataset: String) {
        (self.id, self.window, self.createdAt, self.rowsIn, self.rowsOut) = (id, window, createdAt, rowsIn, rowsOut)
        (self.version, self.sha256, self.lineage, self.current, self.dataset) = (version, sha256, lineage, current, dataset)
    }
}

/// What a pipeline run hands to ``ReleaseStore/publish(_:)``.
public struct ReleaseDraft: Sendable {
    public var dataset: String
    public var window: TimeWindow
    public var rows: [[CellValue]]
    /// Input rows the pipeline read.
    public var rowsIn: Int
    /// Lineage record (pipeline, version hash, window, stages and parameters) as JSON.
    public var lineage: JSONValue
    /// The last data change (``StaleWindowLog/changeMark()``) stored before the run read its
    /// input; `nil`: the last one at publishing.
    public var changesThrough: Int64?

    public init(dataset: String, window: TimeWindow, rows: [[CellValue]], rowsIn: Int, lineage: JSONValue, changesThrough: Int64? = nil) {
        self.dataset = dataset
        self.window = window
        self.rows = rows
        self.rowsIn = rowsIn
        self.lineage = lineage
        self.changesThrough = changesThrough
    }
}

/// A dataset as listed in the catalogue.
public struct DatasetSummary: Sendable {
    public var metadata: DatasetMetadata
    /// Rows currently published (all windows).
    public var rowCount: Int
    /// Number of releases recorded.
    public var releaseCount: Int
    /// When the newest release was created, epoch milliseconds.
    public var updatedAt: Int64?
    /// Id of the newest release (changes with every run).
    public var latestReleaseID: Int64?
    /// Time span covered by the published windows.
    public var coverage: TimeWindow?
    /// When the oldest release still kept was made, epoch milliseconds.
    public var issuedAt: Int64?

    package init(metadata: DatasetMetadata, rowCount: Int, releaseCount: Int, updatedAt: Int64?, latestReleaseID: Int64?,
                 coverage: TimeWindow?, issuedAt: Int64? = nil) {
        (self.metadata, self.rowCount, self.releaseCount, self.updatedAt) = (metadata, rowCount, releaseCount, updatedAt)
        (self.latestReleaseID, self.coverage, self.issuedAt) = (latestReleaseID, coverage, issuedAt)
    }
}

/// Opaque position in a dataset's row order, for streaming and keyset paging.
public struct RowCursor: Sendable, Hashable {
    public var windowStart: Int64
    public var seq: Int

    public init(windowStart: Int64, seq: Int) {
        self.windowStart = windowStart
        self.seq = seq
    }
}
