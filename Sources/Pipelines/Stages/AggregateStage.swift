import LantaarnModel
import Store

/// Aggregates readings per area × time bucket × quantity; the area and the bucket come from
/// the `generalise` stage before it.
///
/// `energetic_mean` is the mean for decibel quantities: 10·log10(mean(10^(L/10))),
/// because sound energy, not its logarithm, averages. `p50`, `p90` (any `pNN`) are exact
/// quantiles, interpolated like DuckDB's `quantile_cont`.
public struct AggregateStage: Stage, Hashable {
    static let kind = "aggregate"
    static let inputs: Set<PipelineDefinition.Input.Kind> = [.readings]
    static let fields: [String: YAMLSourceMap.Schema] = ["functions": .any]

    /// Functions the stage can compute.
    public enum Function: Sendable, Hashable {
        case count, sum, mean, min, max
        case energeticMean
        /// Day-evening-night level over the bucket (a day): readings in their Dutch local period.
        case lden
        /// The p-th percentile (1...99).
        case quantile(Int)

        static let named: [String: Function] = ["count": .count, "sum": .sum, "mean": .mean, "min": .min, "max": .max,
                                               "energetic_mean": .energeticMean, "lden": .lden]

        /// The YAML name.
        public var name: String {
            if case .quantile(let p) = self { return "p\(p)" }
            return Self.named.first { $0.value == self }!.key
        }

        /// Parses a YAML name (`mean`, `p90`).
        public init?(name: String) {
            if let f = Self.named[name] { self = f; return }
            guard name.hasPrefix("p"), let p = Int(name.dropFirst()), (1...99).contains(p), name == "p\(p)" else { return nil }
            self = .quantile(p)
        }

        /// Output column name (Dutch, as published).
        var column: String {
            switch self {
            case .count: return "aantal"
            case .sum: return "som"
            case .mean: return "gemiddelde"
            case .min: return "minimum"
            case .max: return "maximum"
            case .energeticMean: return "energetisch_gemiddelde"
            case .lden: return "lden"
            case .quantile(let p): return "p\(p)"
            }
        }

        var columnDescription: String {
            switch self {
            case .count: return "Aantal metingen in deze periode"
            case .sum: return "Som van de metingen"
            case .mean: return "Gemiddelde van de metingen"
            case .min: return "Laagste meting"
            case .max: return "Hoogste meting"
            case .energeticMean: return "Energetisch gemiddelde in dB: 10·log10(gemiddelde van 10^(L/10))"
            case .lden: return "Lden in dB: dag (7-19 uur), avond (19-23 uur, +5 dB) en nacht (23-7 uur, +10 dB) samen, Nederlandse tijd"
            case .quantile(let p): return "\(p) procent van de metingen was gelijk aan of lager dan dit getal"
            }
        }
    }

    /// Bucket length in milliseconds (from the generalise stage); a day is a Dutch day.
    public var bucket: Int64
    /// Area rows are grouped by (from the generalise stage).
    public var space: GeneraliseStage.Space
    /// Functions, in output order.
    public var functions: [Function]

    struct Raw: Decodable {
        var functions: [String]
    }

    static func refusal(for input: PipelineDefinition.Input) -> String {
        "aggregate works on readings; \(input.name) pipelines use their own stage (meldingen, travel_time)"
    }

    init(_ raw: Raw, context: StageParseContext) throws {
        guard let generalise = context.earlier(GeneraliseStage.self) else {
            throw context.fail(nil, "say first how coarse place and time become: add '- generalise: {space: wijk, time: 1h}' before aggregate")
        }
        var functions: [Function] = []
        for (i, name) in raw.functions.enumerated() {
            guard let f = Function(name: name) else {
                throw context.fail("functions[\(i)]", "unknown function '\(name)'; use one of \(Function.named.keys.sorted().joined(separator: ", ")) or a percentile such as p50 or p90")
            }
            guard !functions.contains(f) else {
                throw context.fail("functions[\(i)]", "'\(name)' is listed twice")
            }
            functions.append(f)
        }
        guard !functions.isEmpty else {
            throw context.fail("functions", "name at least one function")
        }
        if functions.contains(.lden), generalise.time != 86_400_000 {
            throw context.fail("functions", "lden is a day level: generalise time to 1d (and use window 1d)")
        }
        self.init(bucket: generalise.time, space: generalise.space, functions: functions)
    }

    /// Creates a stage directly (tests, code-defined pipelines).
    public init(bucket: Int64, space: GeneraliseStage.Space = .wijk, functions: [Function]) {
        self.bucket = bucket
        self.space = space
        self.functions = functions
    }

    /// How time is cut into buckets: a day bucket is the Dutch calendar day, so Lden's night
    /// runs from 23:00 to 07:00 local time within it.
    public var buckets: WindowCalendar { .of(length: bucket) }

    var quantiles: [Double] {
        functions.compactMap { if case .quantile(let p) = $0 { Double(p) / 100 } else { nil } }
    }

    /// Columns of the output rows; `onderdrukt` when a suppress stage follows.
    public func columns(suppressed: Bool) -> [ColumnSpec] {
        let area = space.name
        return [
            ColumnSpec(name: "\(area)_code", type: .text, description: space.codeDescription),
            ColumnSpec(name: "\(area)_naam", type: .text, description: space.nameDescription),
            ColumnSpec(name: "periode_start", type: .timestamp, description: "Begin van de periode (UTC)"),
            ColumnSpec(name: "periode_eind", type: .timestamp, description: "Einde van de periode (UTC, niet inbegrepen)"),
            ColumnSpec(name: "grootheid", type: .text, description: "Wat er gemeten is, bijvoorbeeld pm25"),
        ] + functions.map {
            ColumnSpec(name: $0.column, type: $0 == .count ? .integer : .number, description: $0.columnDescription)
        } + (suppressed ? [SuppressStage.markColumn] : [])
    }

    /// The count column counts sensor readings, not people: marked so, and not protected (the
    /// k check skips it, saying why).
    func disclosure(namespace: String, gemeente: String) -> DisclosureSpec? {
        guard functions.contains(.count) else { return nil }
        return DisclosureSpec(namespace: namespace, k: 1, protection: 0,
                              keys: ["\(space.name)_code": space.name, "grootheid": "grootheid"],
                              counts: [.init(column: Function.count.column, statistic: "metingen.aantal", time: "periode_start", of: "metingen")],
                              relations: [], method: "geen: het aantal telt metingen van sensoren, geen mensen of meldingen")
    }

    /// Where an Lden value belongs.
    public struct LdenKey: Hashable, Sendable {
        public var wijk: String, quantity: String, bucket: Int64
    }

    /// Lden per area, quantity and bucket, from the readings `query` selects (only when asked for).
    public func lden(_ store: any ReadingStore, query: AggregateQuery, gemeente: String = "") throws -> [LdenKey: Double] {
        guard functions.contains(.lden) else { return [:] }
        var levels: [LdenKey: [(timestamp: Int64, level: Double)]] = [:]
        try store.scan(quantities: query.quantities, window: query.window) { r in
            if let sensors = query.sensors, !sensors.contains(r.series.sensorID) { return }
            if let wijken = query.wijken, !(r.wijk.map(wijken.contains) ?? false) { return }
            guard let area = space == .gemeente ? gemeente : query.group(sensorID: r.series.sensorID, wijk: r.wijk, buurt: r.buurt) else { return }
            levels[LdenKey(wijk: area, quantity: r.series.quantity, bucket: query.bucketStart(r.timestamp)), default: []]
                .append((r.timestamp, r.value))
        }
        return levels.compactMapValues { Acoustics.lden($0)?.lden }
    }

    /// The store query for `window` (one Dutch day exactly, when the bucket is a day: the
    /// bucket is then that day, 23 to 25 hours from its local midnight). `areas` gives the
    /// buurt or grid square of each sensor (the runner places them).
    public func query(quantities: Set<String>, window: TimeWindow, areas: [String: String] = [:]) -> AggregateQuery {
        let (size, origin) = buckets == .dutchDay ? (window.end - window.start, window.start) : (bucket, 0)
        let grouping: AggregateQuery.Grouping = switch space {
        case .wijk: .wijk
        case .gemeente: .none
        case .buurt: .buurt(fallback: areas)
        case .grid: .sensorLabel(areas)
        }
        return AggregateQuery(quantities: quantities, window: window, bucket: size, origin: origin, grouping: grouping,
                              energeticMean: functions.contains(.energeticMean), quantiles: quantiles)
    }

    /// Output rows (period, area, quantity order) from the store's aggregate rows. With
    /// `suppress`, a row counting fewer than k readings keeps its place but not its figures.
    /// Rows outside every area are left out of the output; callers count them.
    public func rows(_ aggregates: [AggregateRow], lden: [LdenKey: Double] = [:], gemeente: String = "",
                     suppress: SuppressStage? = nil, areaName: (String) -> String) -> [[CellValue]] {
        aggregates.compactMap { a -> [CellValue]? in
            guard let area = space == .gemeente ? gemeente : a.group else { return nil }
            var row: [CellValue] = [
                .text(area), .text(areaName(area)),
                .text(ISO8601.format(milliseconds: a.bucketStart)),
                .text(ISO8601.format(milliseconds: buckets.next(a.bucketStart))),
                .text(a.quantity),
            ]
            if let suppress, a.count < suppress.k {
                return row + functions.map { _ in CellValue.null } + [.text("ja")]
            }
            var q = 0
            for f in functions {
                switch f {
                case .count: row.append(.integer(Int64(suppress?.rounded(a.count) ?? a.count)))
                case .sum: row.append(.number(a.sum))
                case .mean: row.append(.number(a.mean))
                case .min: row.append(.number(a.min))
                case .max: row.append(.number(a.max))
                case .energeticMean: row.append(a.energeticMean.map(CellValue.number) ?? .null)
                case .lden: row.append(lden[LdenKey(wijk: area, quantity: a.quantity, bucket: a.bucketStart)].map { .number(($0 * 100).rounded() / 100) } ?? .null)
                case .quantile:
                    row.append(q < a.quantiles.count ? .number(a.quantiles[q]) : .null)
                    q += 1
                }
            }
            return row + (suppress == nil ? [] : [.text("nee")])
        }
    }

    var parameters: [(String, JSONValue)] {
        [("functions", .array(functions.map { .string($0.name) }))]
    }

    func dutch(quantities: [String]) -> String {
        "Berekent per \(space.dutch) per \(DurationText.dutch(bucket)) uit de metingen van \(quantities.joined(separator: ", ")): \(functions.map(\.column).joined(separator: ", "))."
    }
}
