import Foundation
import LantaarnModel

/// Running totals for one aggregate row. Chunk statistics merge in without
/// decompression; single values are added when the chunk had to be decoded.
/// Trivially copyable, so the hot loop does no reference counting.
struct AggregateAccumulator {
    var count = 0
    var sum = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    var energy = 0.0

    @inline(__always)
    mutating func add(_ v: Double, energetic: Bool) {
        count += 1
        sum += v
        if v < min { min = v }
        if v > max { max = v }
        if energetic { energy += pow(10, v / 10) }
    }

    /// Folds another accumulator in.
    mutating func merge(_ o: AggregateAccumulator) {
        guard o.count > 0 else { return }
        merge(count: o.count, sum: o.sum, min: o.min, max: o.max)
        energy += o.energy
    }

    mutating func merge(count c: Int, sum s: Double, min lo: Double, max hi: Double) {
        count += c
        sum += s
        if lo < min { min = lo }
        if hi > max { max = hi }
    }

    /// Exact quantile with linear interpolation between order statistics (type 7,
    /// as DuckDB's `quantile_cont` and numpy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}

/// Exact quantiles without a full sort: each needs one or two order statistics, found by
/// selection (quickselect, expected linear time). Reorders `values`.
enum QuantileSelection {
    static func quantiles(_ values: inout [Double], _ qs: [Double]) -> [Double] {
        guard !values.isEmpty else { return qs.map { _ in .nan } }
        if qs.count > 4 {
            values.sort()
            return qs.map { AggregateAccumulator.quantile(values, $0) }
        }
        return values.withUnsafeMutableBufferPointer { v in
            qs.map { q in
                let position = q * Double(v.count - 1)
                let lower = Int(position.rounded(.down)), fraction = position - Double(lower)
                let low = select(v, lower)
                guard lower + 1 < v.count, fraction > 0 else { return low }
                // Everything after `lower` is ≥ it now: the next order statistic is their minimum.
                var high = Double.infinity
                for k in (lower + 1)..<v.count where v[k] < high { high = v[k] }
                return low + (high - low) * fraction
            }
        }
    }

    /// The k-th smallest value; afterwards v[..<k] ≤ v[k] ≤ v[(k+1)...].
    static func select(_ v: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var lo = 0, hi = v.count - 1
        while lo < hi {
            // Median of three as the pivot, then a Hoare partition.
            let mid = lo + (hi - lo) / 2
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[mid] { v.swapAt(hi, mid) }
            let pivot = v[mid]
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { break }
        }
        return v[k]
    }
}

/// The groups of an aggregate being computed: bucket × group × quantity, by small integer
/// ids, each with its accumulator and, for quantiles, its values. When the window has a
/// bounded number of buckets the groups sit in a dense array (no hashing in the hot loop);
/// otherwise in a dictionary.
package struct AggregateTable {
    struct Key: Hashable, Comparable {
        var bucket: Int64
        var group: Int32
        var quantity: Int32

        static func < (a: Key, b: Key) -> Bool { (a.bucket, a.group, a.quantity) < (b.bucket, b.group, b.quantity) }
    }

    /// Dense layout: bucket index × group × quantity.
    struct Layout {
        var origin: Int64
        var bucket: Int64
        var buckets: Int
        var groups: Int
        var quantities: Int
        /// Above this many slots the dictionary is used.
        static let maxSlots = 1 << 19

        /// `origin`: start of the bucket holding the window's start.
        init?(window: TimeWindow, origin: Int64, bucket: Int64, groups: Int, quantities: Int) {
            self.origin = origin
            let (span, overflow) = window.end.subtractingReportingOverflow(origin)
            guard !overflow, span / bucket < Int64(Self.maxSlots) else { return nil }
            buckets = Int((span + bucket - 1) / bucket)
            self.bucket = bucket
            self.groups = groups
            self.quantities = quantities
            guard buckets * groups * quantities <= Self.maxSlots else { return nil }
        }

        @inline(__always) func index(_ k: Key) -> Int {
            (Int((k.bucket - origin) / bucket) * groups + Int(k.group)) * quantities + Int(k.quantity)
        }

        func key(_ index: Int) -> Key {
            Key(bucket: origin + Int64(index / (groups * quantities)) * bucket, group: Int32(index / quantities % groups),
                quantity: Int32(index % quantities))
        }
    }

    let keepsValues: Bool
    private let layout: Layout?
    private var slots: [Key: Int] = [:]
    private var keys: [Key] = []
    private var accumulators: [AggregateAccumulator]
    private var values: [[Double]]

    init(keepsValues: Bool, layout: Layout?) {
        self.keepsValues = keepsValues
        self.layout = layout
        let n = layout.map { $0.buckets * $0.groups * $0.quantities } ?? 0
        accumulators = Array(repeating: AggregateAccumulator(), count: n)
        values = keepsValues ? Array(repeating: [], count: n) : []
    }

    @inline(__always) mutating func slot(_ key: Key) -> Int {
        if let layout { return layout.index(key) }
        if let s = slots[key] { return s }
        let s = keys.count
        slots[key] = s
        keys.append(key)
        accumulators.append(AggregateAccumulator())
        if keepsValues { values.append([]) }
        return s
    }

    mutating func add(_ key: Key, _ acc: AggregateAccumulator, values more: ArraySlice<Double> = []) {
        let s = slot(key)
        accumulators[s].merge(acc)
        if keepsValues { values[s].append(contentsOf: more) }
    }

    @inline(__always) mutating func merge(_ acc: AggregateAccumulator, into slot: Int) {
        accumulators[slot].merge(acc)
    }

    /// Folds a chunk's hours (each inside one bucket) into the rows of `series`.
    mutating func merge(_ hours: UnsafeBufferPointer<SubWindowSummary.Slot>, series: AggregateSelection.Series, _ buckets: BucketGrid) {
        if let layout {
            accumulators.withUnsafeMutableBufferPointer { rows in
                for h in hours { rows[layout.index(series.key(buckets.start(h.first)))].merge(count: h.count, sum: h.sum, min: h.min, max: h.max) }
            }
            return
        }
        for h in hours { accumulators[slot(series.key(buckets.start(h.first)))].merge(count: h.count, sum: h.sum, min: h.min, max: h.max) }
    }

    /// Keeps a run of values for quantiles; a group's first run reserves room for `expected`.
    @inline(__always) mutating func keep(_ run: UnsafeBufferPointer<Double>, in slot: Int, expected: Int) {
        if values[slot].capacity == 0 { values[slot].reserveCapacity(Swift.max(expected, run.count)) }
        values[slot].append(contentsOf: run)
    }

    /// The non-empty groups in key order, each with its values to reorder in place: the table
    /// gives them up (a copy of every kept value otherwise, for the selection to reorder).
    mutating func drain(_ body: (Key, AggregateAccumulator, inout [Double]) -> Void) {
        var none: [Double] = []
        let order = layout == nil ? keys.indices.sorted(by: { keys[$0] < keys[$1] }) : Array(accumulators.indices)
        for k in order where accumulators[k].count > 0 {
            let key = layout?.key(k) ?? keys[k]
            if keepsValues { body(key, accumulators[k], &values[k]) } else { body(key, accumulators[k], &none) }
        }
        values = []
    }

    /// Folds in a table computed over other series (which gives up its values).
    package mutating func merge(_ other: consuming AggregateTable) {
        var other = other
        other.drain { key, acc, vs in add(key, acc, values: vs[...]) }
    }
}
