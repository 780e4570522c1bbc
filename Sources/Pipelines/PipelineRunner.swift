import Geo
import LantaarnModel
import Logging
import Store

/// Runs a pipeline over time windows and publishes one release per window.
///
/// Runs are idempotent per window: a re-run replaces that window's rows and
/// records a new release, in one transaction.
public struct PipelineRunner: Sendable {
    private let store: any ReadingStore & ReleaseStore & MeldingStore & PipelineRunLog
    private let boundaries: BoundaryCatalog
    private let names: [String: String]
    private let logger: Logger

    /// Creates a runner over `store`; wijk names come from `boundaries`.
    public init(store: any ReadingStore & ReleaseStore & MeldingStore & PipelineRunLog, boundaries: BoundaryCatalog, logger: Logger) {
        self.store = store
        self.boundaries = boundaries
        self.names = boundaries.names
        self.logger = logger
    }

    /// Creates a runner whose wijk names come from one boundary set.
    public init(store: any ReadingStore & ReleaseStore & MeldingStore & PipelineRunLog, boundaries: BoundarySet, logger: Logger) {
        self.init(store: store, boundaries: BoundaryCatalog([boundaries]), logger: logger)
    }

    /// What one window's run produced.
    public struct WindowResult: Sendable {
        public var window: TimeWindow
        public var releaseID: Int64
        public var rowsIn: Int
        public var rowsOut: Int
        public var withoutWijk: Int
    }

    /// The dataset metadata a pipeline publishes under.
    public static func metadata(for p: PipelineDefinition) -> DatasetMetadata {
        var m = DatasetMetadata(name: p.output.dataset, title: p.output.title, description: p.output.description,
                                pipeline: p.name, license: p.output.license, retention: p.output.retention.text,
                                columns: p.columns)
        m.theme = p.output.theme
        m.frequency = p.output.frequency
        m.spatial = p.output.spatial
        m.accessRights = p.output.accessRights
        m.classification = p.output.classification
        return m
    }

    /// Runs `pipeline` over every window of its length in `range` (aligned to the window length).
    /// An explicit range is computed even when its last window has not closed yet.
    public func run(_ pipeline: PipelineDefinition, over range: TimeWindow,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> [WindowResult] {
        let started = Clock.nowMilliseconds()
        var results: [WindowResult] = []
        do {
            try store.register(Self.metadata(for: pipeline))
            let windows = pipeline.calendar.windows(in: range)
            for (i, window) in windows.enumerated() {
                results.append(try runWindow(pipeline, window))
                progress(i + 1, windows.count)
            }
            try record(pipeline, range, started, results, error: nil)
            return results
        } catch {
            try? record(pipeline, range, started, results, error: error)
            throw error
        }
    }

    /// Records the run (the windows done before a failure count as done: each is its own transaction).
    private func record(_ p: PipelineDefinition, _ range: TimeWindow, _ started: Int64, _ results: [WindowResult], error: (any Error)?) throws {
        try store.recordRun(PipelineRunRecord(
            pipeline: p.name, versionSHA256: p.versionHash, startedAt: started, endedAt: Clock.nowMilliseconds(), range: range,
            windows: results.count, rowsIn: results.reduce(0) { $0 + $1.rowsIn }, rowsOut: results.reduce(0) { $0 + $1.rowsOut },
            outcome: error == nil ? "ok" : "failed", error: error.map { "\($0)" }))
    }

    private func runWindow(_ p: PipelineDefinition, _ window: TimeWindow) throws -> WindowResult {
        switch p.meldingen {
        case .weekly(let stage)?: return try runMeldingenWindow(p, stage, window)
        case .forecast(let stage)?: return try runForecastWindow(p, stage, window)
        case .tiles(let stage)?:
            let meldingen = try store.meldingen(overlapping: TimeWindow(start: window.end, end: window.end + 1))
            let lineage = JSONValue.object(Self.lineageHead(p, window) + [
                ("rows_in", .number(Double(meldingen.count))),
                ("stages", .array([.object([("kind", .string("meldingen_tiles")),
                                            ("norms", .object(stage.norms.sorted { $0.key < $1.key }.map { ($0.key, .string("\($0.value)")) }))])])),
            ])
            return try publish(p, window, rows: stage.rows(meldingen, window: window), rowsIn: meldingen.count, withoutWijk: 0, lineage: lineage)
        case nil: break
        }
        let stage = p.stages[0]
        let aggregates = try store.aggregate(stage.query(quantities: Set(p.quantities), window: window))
        let wijken = boundaries.set(.wijk, at: window.start)
        let lden = try stage.lden(store, quantities: Set(p.quantities), window: window)
        let rows = stage.rows(aggregates, lden: lden) { wijken?.area(code: $0)?.name ?? names[$0] ?? $0 }
        let rowsIn = aggregates.reduce(0) { $0 + $1.count }
        let withoutWijk = aggregates.filter { $0.group == nil }.reduce(0) { $0 + $1.count }
        let lineage = JSONValue.object(Self.lineageHead(p, window) + [
            ("rows_in", .number(Double(rowsIn))),
            ("rows_without_wijk", .number(Double(withoutWijk))),
            ("boundaries", .string(wijken.map { "wijk \($0.vintage)" } ?? "none")),
            ("stages", .array([.object([
                ("kind", .string("aggregate")),
                ("group_by", .array([.string("wijk")])),
                ("bucket_ms", .number(Double(stage.bucket))),
                ("functions", .array(stage.functions.map { .string($0.rawValue) })),
            ])])),
        ])
        return try publish(p, window, rows: rows, rowsIn: rowsIn, withoutWijk: withoutWijk, lineage: lineage)
    }

    /// A week of meldingen per wijk × hoofdcategorie, small counts suppressed.
    private func runMeldingenWindow(_ p: PipelineDefinition, _ stage: MeldingenStage, _ window: TimeWindow) throws -> WindowResult {
        let meldingen = try store.meldingen(overlapping: window)
        let wijken = boundaries.set(.wijk, at: window.start)
        let (rows, withoutWijk) = stage.rows(meldingen, window: window) { wijken?.area(code: $0)?.name ?? names[$0] ?? $0 }
        let rowsIn = meldingen.filter { window.contains($0.createdAt) }.count
        let lineage = JSONValue.object(Self.lineageHead(p, window) + [
            ("rows_in", .number(Double(rowsIn))),
            ("rows_without_wijk", .number(Double(withoutWijk))),
            ("boundaries", .string("assigned at ingest, by each melding's own date")),
            ("stages", .array([.object([
                ("kind", .string("meldingen")),
                ("group_by", .array([.string("wijk"), .string("hoofdcategorie")])),
                ("suppress_below", .number(Double(stage.suppressBelow))),
            ])])),
        ])
        return try publish(p, window, rows: rows, rowsIn: rowsIn, withoutWijk: withoutWijk, lineage: lineage)
    }

    /// Forecasts from the history up to this week, and the week's alerts (stored, not published).
    private func runForecastWindow(_ p: PipelineDefinition, _ stage: MeldingenForecastStage, _ window: TimeWindow) throws -> WindowResult {
        let weeks = stage.weeks(endingWith: window)
        let meldingen = try store.meldingen(createdIn: TimeWindow(start: weeks[0].start, end: window.end))
        let wijken = boundaries.set(.wijk, at: window.start)
        let (rows, alerts) = stage.run(meldingen, window: window, now: Clock.nowMilliseconds()) {
            wijken?.area(code: $0)?.name ?? names[$0] ?? $0
        }
        try store.recordAlerts(alerts, weekStart: window.start)
        let lineage = JSONValue.object(Self.lineageHead(p, window) + [
            ("rows_in", .number(Double(meldingen.count))),
            ("rows_without_wijk", .number(Double(meldingen.filter { $0.wijk == nil }.count))),
            ("stages", .array([.object([
                ("kind", .string("meldingen_forecast")),
                ("horizon_weeks", .number(Double(stage.horizon))),
                ("history_weeks", .number(Double(stage.historyWeeks))),
                ("methods", .array([.string("seasonal-naive"), .string("poisson-seasonal")])),
                ("choice", .string("rolling-origin backtest per series; the model only where its MAE beats seasonal naive")),
                ("alerts_recorded", .number(Double(alerts.count))),
            ])])),
        ])
        return try publish(p, window, rows: rows, rowsIn: meldingen.count, withoutWijk: meldingen.filter { $0.wijk == nil }.count,
                           lineage: lineage)
    }

    /// Lineage fields every release starts with.
    private static func lineageHead(_ p: PipelineDefinition, _ window: TimeWindow) -> [(String, JSONValue)] {
        [("pipeline", .string(p.name)), ("version", .string(p.version)), ("version_sha256", .string(p.versionHash)),
         ("purpose", .string(p.purpose)), ("legal_basis", .string(p.legalBasis)),
         ("window_start", .string(ISO8601.format(milliseconds: window.start))),
         ("window_end", .string(ISO8601.format(milliseconds: window.end)))]
    }

    private func publish(_ p: PipelineDefinition, _ window: TimeWindow, rows: [[CellValue]], rowsIn: Int, withoutWijk: Int,
                         lineage: JSONValue) throws -> WindowResult {
        let id = try store.publish(ReleaseDraft(dataset: p.output.dataset, window: window, rows: rows,
                                                rowsIn: rowsIn, lineage: lineage))
        logger.debug("published release", metadata: [
            "pipeline.name": "\(p.name)", "release.id": "\(id)", "release.window": "\(window)",
            "release.rows_in": "\(rowsIn)", "release.rows_out": "\(rows.count)",
        ])
        return WindowResult(window: window, releaseID: id, rowsIn: rowsIn, rowsOut: rows.count, withoutWijk: withoutWijk)
    }

    /// Windows that have closed by `now` and still need a run: every window after the
    /// last published one (at most `catchUp` back), plus those ending within `lateness`
    /// of now, which are recomputed so late readings are included.
    public func dueWindows(_ p: PipelineDefinition, now: Int64, catchUp: Int64, lateness: Int64) throws -> TimeWindow? {
        let closedEnd = p.calendar.floor(now)
        let horizon = p.calendar.floor(now - catchUp)
        let last = try store.latestWindowEnd(dataset: p.output.dataset) ?? horizon
        let start = max(horizon, min(last, p.calendar.floor(now - lateness)))
        guard start < closedEnd else { return nil }
        return TimeWindow(start: start, end: closedEnd)
    }
}
