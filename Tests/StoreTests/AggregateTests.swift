import Foundation
import LantaarnModel
@testable import Store
import Testing

struct AggregateTests {
    static let base = ISO8601.parse("2026-11-20T00:00:00Z")!
    static let minute: Int64 = 60_000

    /// Two sensors in two wijken over 6 hours, one reading a minute, half sealed in chunks.
    func store() throws -> (SQLiteStore, [Reading]) {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("agg"), policy: ChunkPolicy(span: TimeBucket.hour, lateness: 150 * Self.minute))
        var readings: [Reading] = []
        for m in 0..<360 {
            let t = Self.base + Int64(m) * Self.minute
            readings.append(Reading(series: SeriesKey(sensorID: "a", quantity: "laeq"), timestamp: t, value: 40 + Double(m % 23) * 1.5, wijk: WijkCode("WK039201")))
            readings.append(Reading(series: SeriesKey(sensorID: "b", quantity: "laeq"), timestamp: t, value: 55 + Double(m % 7) / 10, wijk: WijkCode("WK039202")))
        }
        readings.append(Reading(series: SeriesKey(sensorID: "c", quantity: "laeq"), timestamp: Self.base, value: 99, wijk: nil))
        try store.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        return (store, readings)
    }

    /// Straightforward reference: the same figures computed from the raw readings.
    func reference(_ readings: [Reading], window: TimeWindow, bucket: Int64, q: [Double]) -> [String: (Int, Double, Double, Double, Double, [Double])] {
        var groups: [String: [Double]] = [:]
        for r in readings where window.contains(r.timestamp) {
            groups["\(TimeBucket.floor(r.timestamp, size: bucket))|\(r.wijk?.rawValue ?? "-")", default: []].append(r.value)
        }
        return groups.mapValues { vs in
            let sorted = vs.sorted()
            let energy = 10 * log10(vs.map { pow(10, $0 / 10) }.reduce(0, +) / Double(vs.count))
            return (vs.count, vs.reduce(0, +), sorted.first!, sorted.last!, energy, q.map { AggregateAccumulator.quantile(sorted, $0) })
        }
    }

    @Test(arguments: [(TimeBucket.hour, false), (TimeBucket.hour, true), (15 * minute, true), (3 * TimeBucket.hour, false), (7 * minute, false)])
    func matchesTheRawComputation(bucket: Int64, withValues: Bool) throws {
        let (store, readings) = try store()
        let window = TimeWindow(start: Self.base + 30 * Self.minute, end: Self.base + 330 * Self.minute)
        let qs = withValues ? [0.5, 0.95] : []
        let rows = try store.aggregate(AggregateQuery(quantities: ["laeq"], window: window, bucket: bucket, grouping: .wijk,
                                                      energeticMean: withValues, quantiles: qs))
        let expected = reference(readings, window: window, bucket: bucket, q: qs)
        #expect(rows.count == expected.count)
        for row in rows {
            let e = try #require(expected["\(row.bucketStart)|\(row.group ?? "-")"])
            #expect(row.count == e.0)
            #expect(abs(row.sum - e.1) < 1e-6)
            #expect(row.min == e.2 && row.max == e.3)
            if withValues {
                #expect(abs(row.energeticMean! - e.4) < 1e-9)
                #expect(row.quantiles == e.5)
            } else {
                #expect(row.energeticMean == nil && row.quantiles.isEmpty)
            }
        }
    }

    @Test func groupingAndFilters() throws {
        let (store, _) = try store()
        let day = TimeWindow(start: Self.base, end: Self.base + 86_400_000)
        let bySensor = try store.aggregate(AggregateQuery(quantities: ["laeq"], window: day, bucket: 86_400_000, grouping: .sensor))
        #expect(bySensor.map(\.group) == ["a", "b", "c"])
        #expect(bySensor.map(\.count) == [360, 360, 1])
        let oneWijk = try store.aggregate(AggregateQuery(quantities: ["laeq"], wijken: [WijkCode("WK039202")!], window: day, bucket: 86_400_000))
        #expect(oneWijk.map(\.group) == ["WK039202"])
        let all = try store.aggregate(AggregateQuery(quantities: ["laeq"], sensors: ["a", "c"], window: day, bucket: 86_400_000, grouping: .none))
        #expect(all.count == 1 && all[0].count == 361 && all[0].max == 99)
        #expect(try store.aggregate(AggregateQuery(quantities: ["pm25"], window: day, bucket: 86_400_000)).isEmpty)
    }

    @Test func quantileInterpolatesLikeQuantileCont() {
        #expect(AggregateAccumulator.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(abs(AggregateAccumulator.quantile([1, 2, 3, 4], 0.95) - 3.85) < 1e-12)   // numpy: 3.8499999999999996
        #expect(AggregateAccumulator.quantile([7], 0.95) == 7)
        #expect(AggregateAccumulator.quantile([1, 10], 0) == 1 && AggregateAccumulator.quantile([1, 10], 1) == 10)
    }
}
