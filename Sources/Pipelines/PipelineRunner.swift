import Geo
import LantaarnModel
import Logging
import Store

/// Runs a pipeline over time windows and publishes one release per window.
///
/// Runs are idempotent per window: a re-run replaces that window's rows and
/// records a new release, in one transaction.
public struct PipelineRunner: Sendable {
    let stores: PipelineStores
    let boundaries: BoundaryCatalog
    /// Mounting points of the sensors (the registry), for buurt and grid generalisation.
    let positions: [String: GeoPoint]
    let logger: Logger

    /// Creates a runner over `stores`; wijk and buurt names come from `boundaries`, sensor
    /// positions (for buurt and grid squares) from `positions`.
    public init(stores: PipelineStores, boundaries: BoundaryCatalog,
                positions: [String: GeoPoint] = [:], logger: Logger) {
        self.stores = stores
        self.boundaries = boundaries
        self.positions = positions
        self.logger = logger
    }

    /// Creates a runner whose wijk names come from one boundary set.
    public init(stores: PipelineStores, boundaries: BoundarySet,
                positions: [String: GeoPoint] = [:], logger: Logger) {
        self.init(stores: stores, boundaries: BoundaryCatalog([boundaries]), positions: positions, logger: logger)
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
        m.euTheme = p.output.euTheme
        m.keywords = p.output.keywords.isEmpty ? nil : p.output.keywords
        m.frequency = p.output.frequency
        m.spatial = p.output.spatial
        m.accessRights = p.output.accessRights
        m.accessReason = p.output.accessReason
        m.classification = p.output.classification
        m.disclosure = p.disclosure
        return m
    }

    /// Runs `pipeline` over every window of its length in `range` (aligned to the window length).
    /// An explicit range is computed even when its last window has not closed yet.
    public func run(_ pipeline: PipelineDefinition, over range: TimeWindow,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> [WindowResult] {
        try run(pipeline, windows: pipeline.calendar.windows(in: range), range: range, reasons: [:], progress: progress)
    }

    /// The published windows of `p` whose readings changed after their release (a backfill, a
    /// correction, a wijk reassignment). ANPR windows are never stale: their sightings are gone
    /// by design. Meldingen pipelines are not tracked (yet): re-run them with `pipeline backfill`.
    public func staleWindows(_ p: PipelineDefinition) throws -> [StaleWindow] {
        guard case .readings(let quantities) = p.input else { return [] }
        return try stores.releases.staleWindows(dataset: p.output.dataset, quantities: Set(quantities))
    }

    /// Computes `stale` windows of `p` again, each once, as new releases whose lineage says why
    /// (`recomputed_because`).
    public func recompute(_ p: PipelineDefinition, _ stale: [StaleWindow],
                          progress: (Int, Int) -> Void = { _, _ in }) throws -> [WindowResult] {
        guard !stale.isEmpty else { return [] }
        var reasons: [Int64: String] = [:]
        var windows: [TimeWindow] = []
        // A release's window is one of the calendar's, unless the pipeline's window length changed since.
        for s in stale.sorted(by: { $0.window.start < $1.window.start }) {
            for w in p.calendar.windows(in: s.window) where reasons[w.start] == nil {
                reasons[w.start] = s.reason
                windows.append(w)
            }
        }
        return try run(p, windows: windows, range: TimeWindow(start: windows[0].start, end: windows[windows.count - 1].end),
                       reasons: reasons, progress: progress)
    }

    /// Runs `windows` (in time order) of `pipeline`; `range` is what the run record names,
    /// `reasons` why a window is computed again.
    private func run(_ pipeline: PipelineDefinition, windows planned: [TimeWindow], range: TimeWindow, reasons: [Int64: String],
                     progress: (Int, Int) -> Void) throws -> [WindowResult] {
        let started = Clock.nowMilliseconds()
        var results: [WindowResult] = []
        do {
            guard let stage = pipeline.aggregating else {
                throw PipelineError(file: pipeline.file, path: "stages", reason: "the pipeline has no aggregating stage")
            }
            try stores.releases.register(Self.metadata(for: pipeline))
            // Read before any input: a change stored while the run reads counts as after it.
            let changesThrough = try stores.releases.changeMark()
            let input = StageInput(stores: stores, pipeline: pipeline, boundaries: boundaries, positions: positions, logger: logger)
            let windows = try stage.computable(planned, input: input)
            try stage.run(input: input, windows: windows) { window, output in
                results.append(try publish(pipeline, window, output, later: windows[(results.count + 1)...],
                                           changesThrough: changesThrough, reason: reasons[window.start]))
                progress(results.count, windows.count)
            }
            try stage.finish(results.map(\.window), input: input)
            try record(pipeline, range, started, results, error: nil)
            return results
        } catch {
            try? record(pipeline, range, started, results, error: error)
            throw error
        }
    }

    /// The full disclosure audit, kept as each dataset's report (its public page shows it), after
    /// runs of `p` that published protected counts (the scheduler and the demo call it; a
    /// `pipeline run` leaves it to `lantaarn datasets audit`). Publishing already checked every
    /// new cell; a finding here (a contradiction left by changed data) is logged, not thrown.
    public func refreshDisclosureReports(after p: PipelineDefinition) {
        guard p.disclosure?.counts.contains(where: \.isProtected) == true else { return }
        do {
            let outcome = try DisclosureAudit.run(stores.releases)
            try DisclosureAudit.record(outcome.reports, in: stores.releases)
            if !outcome.exposed.isEmpty || !outcome.broken.isEmpty {
                logger.warning("disclosure audit: held-back counts too narrow or relations contradicted; run 'lantaarn datasets audit' for the cells", metadata: [
                    "pipeline.name": "\(p.name)", "disclosure.exposed": "\(outcome.exposed.count)", "disclosure.broken": "\(outcome.broken.count)",
                ])
            }
        } catch {
            logger.warning("disclosure audit failed", metadata: ["pipeline.name": "\(p.name)", "error": "\(error)"])
        }
    }

    /// Records the run (the windows done before a failure count as done: each is its own transaction).
    private func record(_ p: PipelineDefinition, _ range: TimeWindow, _ started: Int64, _ results: [WindowResult], error: (any Error)?) throws {
        try stores.releases.recordRun(PipelineRunRecord(
            pipeline: p.name, versionSHA256: p.versionHash, startedAt: started, endedAt: Clock.nowMilliseconds(), range: range,
            windows: results.count, rowsIn: results.reduce(0) { $0 + $1.rowsIn }, rowsOut: results.reduce(0) { $0 + $1.rowsOut },
            outcome: error == nil ? "ok" : "failed", error: error.map { "\($0)" }))
    }

    /// Protects a window's rows and publishes them with their lineage. `later`: the windows
    /// this run publishes after this one; `reason`: why the window is computed again.
    private func publish(_ p: PipelineDefinition, _ window: TimeWindow, _ output: StageOutput, later: ArraySlice<TimeWindow>,
                         changesThrough: Int64, reason: String?) throws -> WindowResult {
        var (rows, extra) = (output.rows, output.lineage)
        if let reason { extra.append(("recomputed_because", .string(reason))) }
        if let protected = try protect(p, window, rows, later: later) {
            rows = protected.rows
            extra.append(("protection", .object([
                ("k", .number(Double(p.suppress?.k ?? 0))), ("protection", .number(Double(p.suppress?.protection ?? 0))),
                ("held_primary", .number(Double(protected.primary))), ("held_complementary", .number(Double(protected.complementary))),
                ("audit_rounds", .number(Double(protected.rounds))), ("linear_programmes", .number(Double(protected.programmes))),
                ("against", .string("every public release of namespace \(p.disclosureNamespace)")),
                ("relations_left_out", protected.relationsLeftOut.map(JSONValue.string) ?? .null),
            ])))
            if let left = protected.relationsLeftOut {
                logger.warning("published releases no longer add up with the new numbers (the data changed since); relations left out of the disclosure check; publish the affected windows again and run 'lantaarn datasets audit'", metadata: [
                    "pipeline.name": "\(p.name)", "release.window": "\(window)", "disclosure.left_out": "\(left)",
                ])
            }
        }
        let lineage = lineage(p, window, rows, output.rowsIn, output.withoutWijk, extra)
        let id = try stores.releases.publish(ReleaseDraft(dataset: p.output.dataset, window: window, rows: rows, rowsIn: output.rowsIn,
                                                lineage: lineage, changesThrough: changesThrough))
        logger.debug("published release", metadata: [
            "pipeline.name": "\(p.name)", "release.id": "\(id)", "release.window": "\(window)",
            "release.rows_in": "\(output.rowsIn)", "release.rows_out": "\(rows.count)",
        ])
        return WindowResult(window: window, releaseID: id, rowsIn: output.rowsIn, rowsOut: rows.count, withoutWijk: output.withoutWijk)
    }

    /// Holds back counts of a stage whose counts are protected against everything published
    /// (meldingen and their tiles): `nil` for the others, which protect while they compute.
    func protect(_ p: PipelineDefinition, _ window: TimeWindow, _ rows: [[CellValue]], later: ArraySlice<TimeWindow>) throws -> ReleaseProtection.Outcome? {
        guard let stage = p.aggregating, type(of: stage).protectedAgainstPublished, p.suppress != nil, let spec = p.disclosure else { return nil }
        return try ReleaseProtection(store: stores.releases).protect(dataset: p.output.dataset, spec: spec, columns: p.columns.map(\.name),
                                                           window: window, rows: rows, replacing: Set(later.map(\.start)), file: p.file)
    }

    /// The release's lineage: pipeline, version and definition hash, window, input counts,
    /// every stage with its parameters, and the suppressed cells.
    private func lineage(_ p: PipelineDefinition, _ window: TimeWindow, _ rows: [[CellValue]], _ rowsIn: Int, _ withoutWijk: Int,
                         _ extra: [(String, JSONValue)]) -> JSONValue {
        let suppressedCells = Self.suppressedCells(p, rows)
        return .object(Self.lineageHead(p, window) + [
            ("purpose_code", .string(p.purposeCode)),
            ("input", .string(p.input.name)),
            ("rows_in", .number(Double(rowsIn))),
            ("rows_without_wijk", .number(Double(withoutWijk))),
            ("stages", .array(p.stages.map(\.lineage))),
            ("suppressed_cells", .number(Double(suppressedCells))),
            ("columns", .array(p.columns.map { .string($0.name) })),
        ] + extra)
    }

    /// Cells left empty by suppression: the empty cells of rows marked `onderdrukt: ja`.
    static func suppressedCells(_ p: PipelineDefinition, _ rows: [[CellValue]]) -> Int {
        guard let m = p.columns.firstIndex(where: { $0.name == SuppressStage.markColumn.name }) else { return 0 }
        return rows.reduce(0) { n, row in
            guard case .text("ja") = row[m] else { return n }
            return n + row.enumerated().filter { $0.offset != m && $0.element == .null }.count
        }
    }

    /// Lineage fields every release starts with.
    private static func lineageHead(_ p: PipelineDefinition, _ window: TimeWindow) -> [(String, JSONValue)] {
        [("pipeline", .string(p.name)), ("version", .string(p.version)), ("version_sha256", .string(p.versionHash)),
         ("purpose", .string(p.purpose)), ("legal_basis", .string(p.legalBasis)),
         ("window_start", .string(ISO8601.format(milliseconds: window.start))),
         ("window_end", .string(ISO8601.format(milliseconds: window.end)))]
    }

    /// Windows that have closed by `now` and still need a run: every window after the
    /// last published one (at most `catchUp` back), plus those ending within `lateness`
    /// of now, which are recomputed so late readings are included.
    public func dueWindows(_ p: PipelineDefinition, now: Int64, catchUp: Int64, lateness: Int64) throws -> TimeWindow? {
        let closedEnd = p.calendar.floor(now - p.settle)
        let horizon = p.calendar.floor(now - catchUp)
        let last = try stores.releases.latestWindowEnd(dataset: p.output.dataset) ?? horizon
        let start = max(horizon, min(last, p.calendar.floor(now - lateness)))
        guard start < closedEnd else { return nil }
        return TimeWindow(start: start, end: closedEnd)
    }
}
