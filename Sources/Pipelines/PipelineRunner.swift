import Geo
import LantaarnModel
import Logging
import Store

/// Runs a pipeline over time windows and publishes one release per window.
///
/// Runs are idempotent per window: a re-run replaces that window's rows and
/// records a new release, in one transaction.
public struct PipelineRunner: Sendable {
    private let store: any ReadingStore & ReleaseStore & MeldingStore & PipelineRunLog & AnprStore
    private let boundaries: BoundaryCatalog
    private let names: [String: String]
    /// Mounting points of the sensors (the registry), for buurt and grid generalisation.
    private let positions: [String: GeoPoint]
    private let logger: Logger

    /// Creates a runner over `store`; wijk and buurt names come from `boundaries`, sensor
    /// positions (for buurt and grid squares) from `positions`.
    public init(store: any ReadingStore & ReleaseStore & MeldingStore & PipelineRunLog & AnprStore, boundaries: BoundaryCatalog,
                positions: [String: GeoPoint] = [:], logger: Logger) {
        self.store = store
        self.boundaries = boundaries
        self.names = boundaries.names
        self.positions = positions
        self.logger = logger
    }

    /// Creates a runner whose wijk names come from one boundary set.
    public init(store: any ReadingStore & ReleaseStore & MeldingStore & PipelineRunLog & AnprStore, boundaries: BoundarySet,
                positions: [String: GeoPoint] = [:], logger: Logger) {
        self.init(store: store, boundaries: BoundaryCatalog([boundaries]), positions: positions, logger: logger)
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
        m.accessReason = p.output.accessReason
        m.classification = p.output.classification
        m.disclosure = p.disclosure
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
            var windows = pipeline.calendar.windows(in: range)
            if pipeline.input == .anpr, let dropped = try store.sightingsDroppedBefore(), windows.contains(where: { $0.start < dropped }) {
                // Matched sightings are dropped for privacy, so those windows cannot be computed
                // again; their releases (if any) stand.
                logger.notice("ANPR sightings before this time were dropped after matching; earlier windows are left as they are", metadata: [
                    "pipeline.name": "\(pipeline.name)", "anpr.dropped_before": "\(ISO8601.format(milliseconds: dropped))",
                ])
                windows.removeAll { $0.start < dropped }
            }
            var batch: ReadingsBatch?
            for (i, window) in windows.enumerated() {
                if case .aggregate(let stage)? = pipeline.aggregating, !(batch?.range.contains(window.start) ?? false) {
                    // A Dutch-day bucket is its own query (days differ in length).
                    // A batch stays within one year: boundaries change on 1 January.
                    let span = stage.buckets == .dutchDay ? 0 : Self.batchSpan
                    let end = min(window.start + span, windows[windows.count - 1].end, Self.nextYear(window.start))
                    batch = try readings(pipeline, stage, TimeWindow(start: window.start, end: max(end, window.end)))
                }
                results.append(try runWindow(pipeline, window, batch, later: windows[(i + 1)...]))
                progress(i + 1, windows.count)
            }
            // Matched: the pseudonyms of the windows whose trips have all arrived are no longer
            // needed, so they go (once per run: each drop rewrites pages and truncates the WAL).
            if pipeline.input == .anpr, let done = results.map(\.window.end).filter({ $0 + pipeline.settle <= Clock.nowMilliseconds() }).max() {
                _ = try store.dropSightings(before: done) { n in
                    n == 0 ? nil : DestructionRecord(destroyedAt: Clock.nowMilliseconds(), kind: "anpr-sightings",
                                                     subject: "pseudonymised ANPR sightings matched by \(pipeline.name)",
                                                     window: TimeWindow(start: Int64.min, end: done), readings: n, policy: "until matched",
                                                     basis: pipeline.purpose)
                }
            }
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
            let outcome = try DisclosureAudit.run(store)
            try DisclosureAudit.record(outcome.reports, in: store)
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
        try store.recordRun(PipelineRunRecord(
            pipeline: p.name, versionSHA256: p.versionHash, startedAt: started, endedAt: Clock.nowMilliseconds(), range: range,
            windows: results.count, rowsIn: results.reduce(0) { $0 + $1.rowsIn }, rowsOut: results.reduce(0) { $0 + $1.rowsOut },
            outcome: error == nil ? "ok" : "failed", error: error.map { "\($0)" }))
    }

    /// How much of a readings pipeline's range is read with one store query. A chunk that
    /// spans several windows is then decoded once, not once per window.
    static let batchSpan: Int64 = 7 * 86_400_000

    /// Start of the year after the one holding `t` (UTC).
    static func nextYear(_ t: Int64) -> Int64 {
        BoundaryCatalog.start(ofVintage: (Int(ISO8601.format(milliseconds: t).prefix(4)) ?? 1970) + 1)
    }

    /// One store query's worth of a readings pipeline: aggregate rows per window start, Lden
    /// values when asked for, and the names of buurten or grid squares.
    struct ReadingsBatch {
        var range: TimeWindow
        var rows: [Int64: [AggregateRow]]
        var lden: [AggregateStage.LdenKey: Double]
        var areaNames: [String: String]
        var boundaries: String
    }

    private func readings(_ p: PipelineDefinition, _ stage: AggregateStage, _ range: TimeWindow) throws -> ReadingsBatch {
        let (areas, areaNames, used) = try place(p, stage.space, at: range.start)
        var query = stage.query(quantities: Set(p.quantities), window: range, areas: areas)
        for f in p.filters { f.narrow(&query) }
        let rows = Dictionary(grouping: try store.aggregate(query)) { p.calendar.floor($0.bucketStart) }
        return ReadingsBatch(range: range, rows: rows, lden: try stage.lden(store, query: query, gemeente: p.output.spatial),
                             areaNames: areaNames, boundaries: used)
    }

    /// The buurt or grid square of each sensor at `t`, their names, and the boundaries used.
    /// Wijk and gemeente need none: readings carry their wijk from ingest.
    private func place(_ p: PipelineDefinition, _ space: GeneraliseStage.Space, at t: Int64) throws
        -> (areas: [String: String], names: [String: String], boundaries: String) {
        switch space {
        case .wijk:
            return ([:], [:], boundaries.set(.wijk, at: t).map { "wijk \($0.vintage)" } ?? "none")
        case .gemeente:
            return ([:], [:], "none")
        case .buurt:
            guard let set = boundaries.set(.buurt, at: t) else {
                throw PipelineError(file: p.file, path: "stages", reason: "generalise to buurt needs buurt boundaries for \(ISO8601.format(milliseconds: t).prefix(4)): import them with 'lantaarn geo import FILE --level buurt'")
            }
            try requirePositions(p)
            let areas = positions.compactMapValues { set.locate($0)?.code }
            let names = Dictionary(areas.values.map { ($0, set.area(code: $0)?.name ?? $0) }, uniquingKeysWith: { a, _ in a })
            return (areas, names, "buurt \(set.vintage)")
        case .grid(let metres):
            try requirePositions(p)
            let squares = positions.compactMapValues { CBSGridSquare($0, size: metres) }
            let names = Dictionary(squares.values.map { ($0.code, $0.dutch) }, uniquingKeysWith: { a, _ in a })
            return (squares.mapValues(\.code), names, "CBS-vierkanten van \(metres) m (RD New)")
        }
    }

    private func requirePositions(_ p: PipelineDefinition) throws {
        guard positions.isEmpty else { return }
        throw PipelineError(file: p.file, path: "stages", reason: "placing readings in a buurt or grid square needs the sensors' positions; none are registered (Sensors/*.yaml)")
    }

    /// `later`: the windows this run publishes after this one.
    private func runWindow(_ p: PipelineDefinition, _ window: TimeWindow, _ batch: ReadingsBatch?, later: ArraySlice<TimeWindow>) throws -> WindowResult {
        let wijken = boundaries.set(.wijk, at: window.start)
        let name = { (code: String) in wijken?.area(code: code)?.name ?? names[code] ?? code }
        var extra: [(String, JSONValue)] = []
        var rows: [[CellValue]], rowsIn: Int, withoutWijk: Int
        switch p.aggregating {
        case .aggregate(let stage)?:
            let batch = try batch ?? readings(p, stage, window)
            let aggregates = batch.rows[window.start] ?? []
            rows = stage.rows(aggregates, lden: batch.lden, gemeente: p.output.spatial, suppress: p.suppress,
                              areaName: { batch.areaNames[$0] ?? name($0) })
            rowsIn = aggregates.reduce(0) { $0 + $1.count }
            withoutWijk = stage.space == .gemeente ? 0 : aggregates.filter { $0.group == nil }.reduce(0) { $0 + $1.count }
            extra.append(("boundaries", .string(batch.boundaries)))
        case .meldingen(let stage)?:
            let meldingen = try store.meldingen(overlapping: window).filter(keeps(p))
            (rows, withoutWijk) = stage.rows(meldingen, window: window, gemeente: p.output.spatial, wijkName: name)
            rowsIn = meldingen.filter { window.contains($0.createdAt) }.count
            extra.append(("boundaries", .string("assigned at ingest, by each melding's own date")))
        case .meldingenForecast(let stage)?:
            let weeks = stage.weeks(endingWith: window)
            let meldingen = try store.meldingen(createdIn: TimeWindow(start: weeks[0].start, end: window.end)).filter(keeps(p))
            let (forecasts, alerts) = stage.run(meldingen, window: window, now: Clock.nowMilliseconds(), wijkName: name)
            try store.recordAlerts(alerts, weekStart: window.start)
            (rows, rowsIn) = (forecasts, meldingen.count)
            withoutWijk = meldingen.filter { $0.wijk == nil }.count
            extra.append(("alerts_recorded", .number(Double(alerts.count))))
        case .meldingenText(let stage)?:
            let meldingen = try store.meldingen(createdIn: window).filter(keeps(p))
            (rows, withoutWijk) = stage.rows(meldingen, window: window, wijkName: name)
            rowsIn = meldingen.count
            extra.append(("without_text", .number(Double(meldingen.filter { $0.wijk != nil }.count - rows.count))))
        case .meldingenTiles(let stage)?:
            let meldingen = try store.meldingen(overlapping: TimeWindow(start: window.end, end: window.end + 1)).filter(keeps(p))
            (rows, rowsIn, withoutWijk) = (stage.rows(meldingen, window: window), meldingen.count, 0)
        case .travelTime(let stage)?:
            let filters = p.filters
            let sightings = try store.sightings(in: TimeWindow(start: window.start, end: window.end + stage.maxTravel))
                .filter { s in filters.allSatisfy { $0.keeps(camera: s.camera) } }
            rows = stage.rows(sightings, departingIn: window).map(TravelTimeStage.cells)
            (rowsIn, withoutWijk) = (sightings.filter { window.contains($0.timestamp) }.count, 0)
        default:
            throw PipelineError(file: p.file, path: "stages", reason: "the pipeline has no aggregating stage")
        }
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
        return try publish(p, window, rows: rows, rowsIn: rowsIn, withoutWijk: withoutWijk, lineage: lineage(p, window, rows, rowsIn, withoutWijk, extra))
    }

    /// Holds back counts of a stage whose counts are protected against everything published
    /// (meldingen and their tiles): `nil` for the others, which protect while they compute.
    private func protect(_ p: PipelineDefinition, _ window: TimeWindow, _ rows: [[CellValue]], later: ArraySlice<TimeWindow>) throws -> ReleaseProtection.Outcome? {
        switch p.aggregating {
        case .meldingen?, .meldingenTiles?: break
        default: return nil
        }
        guard p.suppress != nil, let spec = p.disclosure else { return nil }
        return try ReleaseProtection(store: store).protect(dataset: p.output.dataset, spec: spec, columns: p.columns.map(\.name),
                                                           window: window, rows: rows, replacing: Set(later.map(\.start)), file: p.file)
    }

    /// The melding filter of the pipeline's filter stages.
    private func keeps(_ p: PipelineDefinition) -> (Melding) -> Bool {
        let filters = p.filters
        return { m in filters.allSatisfy { $0.keeps(m) } }
    }

    /// The release's lineage: pipeline, version and definition hash, window, input counts,
    /// every stage with its parameters, and the suppressed cells.
    private func lineage(_ p: PipelineDefinition, _ window: TimeWindow, _ rows: [[CellValue]], _ rowsIn: Int, _ withoutWijk: Int,
                         _ extra: [(String, JSONValue)]) -> JSONValue {
        let mark = p.columns.firstIndex { $0.name == SuppressStage.markColumn.name }
        let suppressedCells = mark.map { m in
            rows.reduce(0) { n, row in
                guard case .text("ja") = row[m] else { return n }
                return n + row.enumerated().filter { $0.offset != m && $0.element == .null }.count
            }
        } ?? 0
        return .object(Self.lineageHead(p, window) + [
            ("purpose_code", .string(p.purposeCode)),
            ("input", .string(p.input.name)),
            ("rows_in", .number(Double(rowsIn))),
            ("rows_without_wijk", .number(Double(withoutWijk))),
            ("stages", .array(p.stages.map { $0.lineage(quantities: p.quantities) })),
            ("suppressed_cells", .number(Double(suppressedCells))),
            ("columns", .array(p.columns.map { .string($0.name) })),
        ] + extra)
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
        let closedEnd = p.calendar.floor(now - p.settle)
        let horizon = p.calendar.floor(now - catchUp)
        let last = try store.latestWindowEnd(dataset: p.output.dataset) ?? horizon
        let start = max(horizon, min(last, p.calendar.floor(now - lateness)))
        guard start < closedEnd else { return nil }
        return TimeWindow(start: start, end: closedEnd)
    }
}
