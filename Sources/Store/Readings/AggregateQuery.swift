import LantaarnModel

/// A time-bucketed aggregate over a set of series.
public struct AggregateQuery: Sendable, Hashable {
    /// How rows are grouped besides time bucket and quantity.
    public enum Grouping: Sendable, Hashable {
        /// Per CBS wijk; readings outside every wijk form a group with `group == nil`.
        case wijk
        /// Per sensor.
        case sensor
        /// All selected series together.
        case none
        /// By a label per sensor (a grid cell); sensors without a label form the `nil` group.
        case sensorLabel([String: String])
        /// Per CBS buurt as stored with each reading (its sensor's buurt at the reading's time);
        /// readings stored without a buurt (before buurt boundaries were imported) take the
        /// buurt `fallback` gives their sensor.
        case buurt(fallback: [String: String])
    }

    /// Quantities to include (e.g. `pm25`).
    public var quantities: Set<String>
    /// Only these sensors, when set.
    public var sensors: Set<String>?
    /// Only these wijken, when set.
    public var wijken: Set<WijkCode>?
    public var window: TimeWindow
    /// Bucket length, milliseconds.
    public var bucket: Int64
    /// Buckets start at `origin + k·bucket` (0: aligned to the epoch). A Dutch day of 23 or
    /// 25 hours is one bucket of its own length starting at its local midnight.
    public var origin: Int64
    public var grouping: Grouping
    /// Needs every value, so chunks are decompressed: energetic mean for dB quantities.
    public var energeticMean: Bool
    /// Exact quantiles to compute (0...1), interpolated like DuckDB's `quantile_cont`.
    public var quantiles: [Double]

    public init(quantities: Set<String>, sensors: Set<String>? = nil, wijken: Set<WijkCode>? = nil, window: TimeWindow,
                bucket: Int64, origin: Int64 = 0, grouping: Grouping = .wijk, energeticMean: Bool = false, quantiles: [Double] = []) {
        precondition(bucket > 0, "bucket must be positive")
        self.origin = origin
        self.quantities = quantities
        self.sensors = sensors
        self.wijken = wijken
        self.window = window
        self.bucket = bucket
        self.grouping = grouping
        self.energeticMean = energeticMean
        self.quantiles = quantiles
    }

    /// The group a series falls in: its wijk, its sensor, its sensor's label; `nil` outside
    /// every wijk, without a label, or without grouping.
    public func group(sensorID: String, wijk: WijkCode?, buurt: String? = nil) -> String? {
        switch grouping {
        case .wijk: wijk?.rawValue
        case .buurt(let fallback): buurt ?? fallback[sensorID]
        case .sensor: sensorID
        case .none: nil
        case .sensorLabel(let labels): labels[sensorID]
        }
    }

    /// Start of the bucket holding `t`.
    @inline(__always) public func bucketStart(_ t: Int64) -> Int64 { buckets.start(t) }

    /// The buckets' places in time alone: what a loop over chunks or hours captures, instead of
    /// the whole query (whose sets and dictionaries a capture copies and releases each time).
    package var buckets: BucketGrid { BucketGrid(origin: origin, size: bucket) }

    /// True when every requested figure can come from chunk statistics alone.
    package var statisticsSuffice: Bool { !energeticMean && quantiles.isEmpty }
}

/// One bucket × group × quantity of an aggregate.
public struct AggregateRow: Sendable, Hashable {
    public var bucketStart: Int64
    /// Wijk code or sensor id, by the query's grouping; `nil` for "no wijk" or `.none`.
    public var group: String?
    public var quantity: String
    public var count: Int
    public var sum: Double
    public var min: Double
    public var max: Double
    /// 10·log10(mean(10^(L/10))), when requested.
    public var energeticMean: Double?
    /// Requested quantiles in query order.
    public var quantiles: [Double]

    public var mean: Double { sum / Double(count) }

    public init(bucketStart: Int64, group: String?, quantity: String, count: Int, sum: Double, min: Double, max: Double,
                energeticMean: Double?, quantiles: [Double]) {
        self.bucketStart = bucketStart
        self.group = group
        self.quantity = quantity
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
        self.energeticMean = energeticMean
        self.quantiles = quantiles
    }
}

/// Buckets of `size` milliseconds starting at `origin + k·size`.
package struct BucketGrid: Sendable {
    package var origin: Int64
    package var size: Int64

    /// Start of the bucket holding `t`.
    @inline(__always) package func start(_ t: Int64) -> Int64 {
        origin &+ TimeBucket.floor(t &- origin, size: size)
    }
}
