import Geo
import LantaarnModel
import Store

/// How the aggregate stage reads readings: the store aggregates per area and bucket, several
/// windows per query.
extension AggregateStage: AggregatingStage {
    static let publishes = StagePublication.readingStatistics

    func run(input: StageInput, window: TimeWindow) throws -> StageOutput {
        output(input, window, try readings(input, window))
    }

    /// A week of windows is read with one store query, so a chunk that spans several windows
    /// is decoded once, not once per window. A Dutch-day bucket is its own query (days differ
    /// in length), and a batch stays within one year: boundaries change on 1 January.
    func run(input: StageInput, windows: [TimeWindow], each: (TimeWindow, StageOutput) throws -> Void) throws {
        var batch: ReadingsBatch?
        for window in windows {
            if batch == nil || !batch!.range.contains(window.start) {
                let span = buckets == .dutchDay ? 0 : Self.batchSpan
                let end = min(window.start + span, windows[windows.count - 1].end, Self.nextYear(window.start))
                batch = try readings(input, TimeWindow(start: window.start, end: max(end, window.end)))
            }
            try each(window, output(input, window, batch!))
        }
    }

    /// How much of a pipeline's range one store query reads.
    static let batchSpan: Int64 = 7 * 86_400_000

    /// Start of the year after the one holding `t` (UTC).
    static func nextYear(_ t: Int64) -> Int64 {
        BoundaryCatalog.start(ofVintage: (Int(ISO8601.format(milliseconds: t).prefix(4)) ?? 1970) + 1)
    }

    /// One store query's worth: aggregate rows per window start, Lden values when asked for,
    /// and the names of buurten or grid squares.
    struct ReadingsBatch {
        var range: TimeWindow
        var rows: [Int64: [AggregateRow]]
        var lden: [LdenKey: Double]
        var areaNames: [String: String]
        var boundaries: String
    }

    private func output(_ input: StageInput, _ window: TimeWindow, _ batch: ReadingsBatch) -> StageOutput {
        let aggregates = batch.rows[window.start] ?? []
        let wijkName = input.wijkName(at: window.start)
        let cells = rows(aggregates, lden: batch.lden, gemeente: input.gemeente, suppress: input.pipeline.suppress,
                         areaName: { batch.areaNames[$0] ?? wijkName($0) })
        return StageOutput(rows: cells, rowsIn: aggregates.reduce(0) { $0 + $1.count },
                           withoutWijk: space == .gemeente ? 0 : aggregates.filter { $0.group == nil }.reduce(0) { $0 + $1.count },
                           lineage: [("boundaries", .string(batch.boundaries))])
    }

    private func readings(_ input: StageInput, _ range: TimeWindow) throws -> ReadingsBatch {
        let p = input.pipeline
        let (areas, areaNames, used) = try place(input, at: range.start)
        var query = query(quantities: Set(p.quantities), window: range, areas: areas)
        for f in input.filters { f.narrow(&query) }
        let rows = Dictionary(grouping: try input.stores.readings.aggregate(query)) { p.calendar.floor($0.bucketStart) }
        return ReadingsBatch(range: range, rows: rows, lden: try lden(input.stores.readings, query: query, gemeente: input.gemeente),
                             areaNames: areaNames, boundaries: used)
    }

    /// The buurt or grid square of each sensor at `t`, their names, and the boundaries used.
    /// Wijk and gemeente need none: readings carry their wijk from ingest.
    private func place(_ input: StageInput, at t: Int64) throws -> (areas: [String: String], names: [String: String], boundaries: String) {
        let file = input.pipeline.file
        switch space {
        case .wijk:
            return ([:], [:], input.boundaries.set(.wijk, at: t).map { "wijk \($0.vintage)" } ?? "none")
        case .gemeente:
            return ([:], [:], "none")
        case .buurt:
            guard let set = input.boundaries.set(.buurt, at: t) else {
                throw PipelineError(file: file, path: "stages", reason: "generalise to buurt needs buurt boundaries for \(ISO8601.format(milliseconds: t).prefix(4)): import them with 'lantaarn geo import FILE --level buurt'")
            }
            // Readings carry their buurt from ingest (where the sensor hung then); the sensors'
            // current positions only place readings stored before buurt boundaries existed.
            let areas = input.positions.compactMapValues { set.locate($0)?.code }
            var names = Dictionary(set.areas.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            for list in input.boundaries.sets[.buurt] ?? [] { for a in list.areas where names[a.code] == nil { names[a.code] = a.name } }
            return (areas, names, "buurt \(set.vintage)")
        case .grid(let metres):
            let squares = try positions(input).compactMapValues { CBSGridSquare($0, size: metres) }
            let names = Dictionary(squares.values.map { ($0.code, $0.dutch) }, uniquingKeysWith: { a, _ in a })
            return (squares.mapValues(\.code), names, "CBS-vierkanten van \(metres) m (RD New)")
        }
    }

    private func positions(_ input: StageInput) throws -> [String: GeoPoint] {
        guard input.positions.isEmpty else { return input.positions }
        throw PipelineError(file: input.pipeline.file, path: "stages", reason: "placing readings in a grid square needs the sensors' positions; none are registered (Sensors/*.yaml)")
    }
}
