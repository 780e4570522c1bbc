import Foundation
import LantaarnModel
@testable import Store
import Testing

/// The SQLite-only parts of aggregates (workers) and the quantile arithmetic; the aggregate
/// figures themselves are checked on every backend by `StoreConformanceTests/AggregateConformanceTests`.
struct AggregateTests {
    @Test func largeSelectionsUseEveryCore() {
        #expect(AggregateSelection.workers(80) == min(ProcessInfo.processInfo.activeProcessorCount, 8))
        #expect(AggregateSelection.workers(3) == 1)
    }

    @Test func selectionFindsTheSameQuantilesAsSorting() {
        var rng = SystemRandomNumberGenerator()
        for n in [1, 2, 3, 10, 101, 1000] {
            for range in [3, 1000] {   // many duplicates, then few
                let values = (0..<n).map { _ in Double(Int.random(in: 0..<range, using: &rng)) }
                let qs = [0, 0.01, 0.5, 0.95, 1]
                var scratch = values
                #expect(QuantileSelection.quantiles(&scratch, qs) == qs.map { AggregateAccumulator.quantile(values.sorted(), $0) })
                var few = values
                #expect(QuantileSelection.quantiles(&few, [0.95]) == [AggregateAccumulator.quantile(values.sorted(), 0.95)])
            }
        }
    }

    @Test func quantileInterpolatesLikeQuantileCont() {
        #expect(AggregateAccumulator.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(abs(AggregateAccumulator.quantile([1, 2, 3, 4], 0.95) - 3.85) < 1e-12)   // numpy: 3.8499999999999996
        #expect(AggregateAccumulator.quantile([7], 0.95) == 7)
        #expect(AggregateAccumulator.quantile([1, 10], 0) == 1 && AggregateAccumulator.quantile([1, 10], 1) == 10)
    }
}
