import LantaarnModel
import Store

/// Aggregates readings per wijk × time bucket × quantity.
///
/// `energetic_mean` is the mean for decibel quantities: 10·log10(mean(10^(L/10))),
/// because sound energy, not its logarithm, averages.
public struct AggregateStage: Sendable, Hashable {
    /// Functions the stage can compute; the raw value is the YAML name.
    public enum Function: String, Sendable, Hashable, CaseIterable {
        case count, sum, mean, min, max
        case energeticMean = "energetic_mean"
        /// Day-evening-night level over the bucket (a day): readings in their Dutch local period.
        case lden

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
            }
        }
    }

    /// Bucket length in milliseconds.
    public var bucket: Int64
    /// Functions, in output order.
    public var functions: [Function]

    struct Raw: Decodable {
        var group_by: [String]
        var bucket: String
        var functions: [String]
    }

    init(_ raw: Raw, window: Int64, file: String, path: String) throws {
        guard raw.group_by == ["wijk"] else {
            throw PipelineError(file: file, path: "\(path).group_by", reason: "only [wijk] is supported for now")
        }
        guard let bucket = DurationText.milliseconds(raw.bucket), bucket > 0, window % bucket == 0 else {
            throw PipelineError(file: file, path: "\(path).bucket", reason: "use a duration that divides the input window, such as 1h")
        }
        if raw.functions.contains("lden"), bucket != 86_400_000 {
            throw PipelineError(file: file, path: "\(path).bucket", reason: "lden is a day level: use bucket 1d (and window 1d)")
        }
        var functions: [Function] = []
        for (i, name) in raw.functions.enumerated() {
            guard let f = Function(rawValue: name) else {
                throw PipelineError(file: file, path: "\(path).functions[\(i)]",
                                    reason: "unknown function '\(name)'; use one of \(Function.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            functions.append(f)
        }
        guard !functions.isEmpty else {
            throw PipelineError(file: file, path: "\(path).functions", reason: "name at least one function")
        }
        self.bucket = bucket
        self.functions = functions
    }

    /// Creates a stage directly (tests, code-defined pipelines).
    public init(bucket: Int64, functions: [Function]) {
        self.bucket = bucket
        self.functions = functions
    }

    /// Columns of the output rows.
    public var columns: [ColumnSpec] {
        [
            ColumnSpec(name: "wijk_code", type: .text, description: "CBS-code van de wijk"),
            ColumnSpec(name: "wijk_naam", type: .text, description: "Naam van de wijk"),
            ColumnSpec(name: "periode_start", type: .timestamp, description: "Begin van de periode (UTC)"),
            ColumnSpec(name: "periode_eind", type: .timestamp, description: "Einde van de periode (UTC, niet inbegrepen)"),
            ColumnSpec(name: "grootheid", type: .text, description: "Wat er gemeten is, bijvoorbeeld pm25"),
        ] + functions.map {
            ColumnSpec(name: $0.column, type: $0 == .count ? .integer : .number, description: $0.columnDescription)
        }
    }

    /// Where an Lden value belongs.
    public struct LdenKey: Hashable, Sendable {
        public var wijk: String, quantity: String, bucket: Int64
    }

    /// Lden per wijk, quantity and bucket, from the window's readings (only when asked for).
    public func lden(_ store: any ReadingStore, quantities: Set<String>, window: TimeWindow) throws -> [LdenKey: Double] {
        guard functions.contains(.lden) else { return [:] }
        var levels: [LdenKey: [(timestamp: Int64, level: Double)]] = [:]
        try store.scan(quantities: quantities, window: window) { r in
            guard let wijk = r.wijk else { return }
            levels[LdenKey(wijk: wijk.rawValue, quantity: r.series.quantity, bucket: TimeBucket.floor(r.timestamp, size: bucket)), default: []]
                .append((r.timestamp, r.value))
        }
        return levels.compactMapValues { Acoustics.lden($0)?.lden }
    }

    /// The store query for one window of this stage.
    public func query(quantities: Set<String>, window: TimeWindow) -> AggregateQuery {
        AggregateQuery(quantities: quantities, window: window, bucket: bucket, grouping: .wijk,
                       energeticMean: functions.contains(.energeticMean))
    }

    /// Output rows (period, wijk, quantity order) from the store's aggregate rows.
    /// Rows without a wijk are left out; callers count them.
    public func rows(_ aggregates: [AggregateRow], lden: [LdenKey: Double] = [:], wijkName: (String) -> String) -> [[CellValue]] {
        aggregates.compactMap { a -> [CellValue]? in
            guard let wijk = a.group else { return nil }
            var row: [CellValue] = [
                .text(wijk), .text(wijkName(wijk)),
                .text(ISO8601.format(milliseconds: a.bucketStart)),
                .text(ISO8601.format(milliseconds: a.bucketStart + bucket)),
                .text(a.quantity),
            ]
            for f in functions {
                switch f {
                case .count: row.append(.integer(Int64(a.count)))
                case .sum: row.append(.number(a.sum))
                case .mean: row.append(.number(a.mean))
                case .min: row.append(.number(a.min))
                case .max: row.append(.number(a.max))
                case .energeticMean: row.append(a.energeticMean.map(CellValue.number) ?? .null)
                case .lden: row.append(lden[LdenKey(wijk: wijk, quantity: a.quantity, bucket: a.bucketStart)].map { .number(($0 * 100).rounded() / 100) } ?? .null)
                }
            }
            return row
        }
    }
}
