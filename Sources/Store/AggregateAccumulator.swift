import Foundation

/// Running totals for one aggregate row. Chunk statistics merge in without
/// decompression; single values are added when the chunk had to be decoded.
struct AggregateAccumulator {
    var count = 0
    var sum = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    var energy = 0.0
    var values: [Double] = []

    @inline(__always)
    mutating func add(_ v: Double, keepValue: Bool, energetic: Bool) {
        count += 1
        sum += v
        if v < min { min = v }
        if v > max { max = v }
        if energetic { energy += pow(10, v / 10) }
        if keepValue { values.append(v) }
    }

    /// Folds another accumulator in (values are appended, energy added).
    mutating func merge(_ o: AggregateAccumulator) {
        guard o.count > 0 else { return }
        merge(count: o.count, sum: o.sum, min: o.min, max: o.max)
        energy += o.energy
        values.append(contentsOf: o.values)
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
