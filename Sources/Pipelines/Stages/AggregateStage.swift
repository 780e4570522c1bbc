import Foundation
import LantaarnModel

/// Aggregates readings per wijk × time bucket × quantity.
///
/// `energetic_mean` is the mean for decibel quantities: 10·log10(mean(10^(L/10))),
/// because sound energy, not its logarithm, averages.
public struct AggregateStage: Sendable, Hashable {
    /// Functions the stage can compute; the raw value is the YAML name.
    public enum Function: String, Sendable, Hashable, CaseIterable {
        case count, sum, mean, min, max
        case energeticMean = "energetic_mean"

        /// Output column name (Dutch, as published).
        var column: String {
            switch self {
            case .count: return "aantal"
            case .sum: return "som"
            case .mean: return "gemiddelde"
            case .min: return "minimum"
            case .max: return "maximum"
            case .energeticMean: return "energetisch_gemiddelde"
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

    /// Running totals for one output row.
    struct Accumulator {
        var count = 0
        var sum = 0.0
        var min = Double.infinity
        var max = -Double.infinity
        var energy = 0.0

        mutating func add(_ v: Double) {
            count += 1
            sum += v
            if v < min { min = v }
            if v > max { max = v }
            energy += pow(10, v / 10)
        }
    }

    struct GroupKey: Hashable, Comparable {
        var bucketStart: Int64
        var wijk: WijkCode
        var quantity: String

        static func < (a: GroupKey, b: GroupKey) -> Bool {
            (a.bucketStart, a.wijk.rawValue, a.quantity) < (b.bucketStart, b.wijk.rawValue, b.quantity)
        }
    }

    /// Groups state while scanning one window.
    public struct Aggregation {
        let stage: AggregateStage
        var groups: [GroupKey: Accumulator] = [:]
        /// Readings skipped because their sensor lies outside every wijk.
        public private(set) var withoutWijk = 0
        /// Readings seen.
        public private(set) var rowsIn = 0

        /// Adds one reading.
        public mutating func add(_ r: Reading) {
            rowsIn += 1
            guard let wijk = r.wijk else { withoutWijk += 1; return }
            let key = GroupKey(bucketStart: TimeBucket.floor(r.timestamp, size: stage.bucket), wijk: wijk, quantity: r.series.quantity)
            groups[key, default: Accumulator()].add(r.value)
        }

        /// Output rows in (period, wijk, quantity) order.
        public func rows(wijkName: (WijkCode) -> String) -> [[CellValue]] {
            groups.keys.sorted().map { key in
                let a = groups[key]!
                var row: [CellValue] = [
                    .text(key.wijk.rawValue), .text(wijkName(key.wijk)),
                    .text(ISO8601.format(milliseconds: key.bucketStart)),
                    .text(ISO8601.format(milliseconds: key.bucketStart + stage.bucket)),
                    .text(key.quantity),
                ]
                for f in stage.functions {
                    switch f {
                    case .count: row.append(.integer(Int64(a.count)))
                    case .sum: row.append(.number(a.sum))
                    case .mean: row.append(.number(a.sum / Double(a.count)))
                    case .min: row.append(.number(a.min))
                    case .max: row.append(.number(a.max))
                    case .energeticMean: row.append(.number(10 * log10(a.energy / Double(a.count))))
                    }
                }
                return row
            }
        }
    }

    /// Starts aggregating a window.
    public func begin() -> Aggregation { Aggregation(stage: self) }
}
