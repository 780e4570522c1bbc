import Foundation
import LantaarnModel
import Store
import Testing

/// `ReadingStore.aggregate` on every backend, against the same figures computed from the raw readings.
struct AggregateConformanceTests {
    static let base = ISO8601.parse("2026-11-20T00:00:00Z")!
    static let minute: Int64 = 60_000

    /// Two sensors in two wijken over 6 hours, one reading a minute, half sealed in chunks.
    func store(_ backend: Backend) throws -> (StoreUnderTest, [Reading]) {
        let store = try StoreUnderTest(backend, policy: ChunkPolicy(span: TimeBucket.hour, lateness: 150 * Self.minute))
        var readings: [Reading] = []
        for m in 0..<360 {
            let t = Self.base + Int64(m) * Self.minute
            readings.append(Reading(series: SeriesKey(sensorID: "a", quantity: "laeq"), timestamp: t, value: 40 + Double(m % 23) * 1.5, wijk: WijkCode("WK039201")))
            readings.append(Reading(series: SeriesKey(sensorID: "b", quantity: "laeq"), timestamp: t, value: 55 + Double(m % 7) / 10, wijk: WijkCode("WK039202")))
        }
        readings.append(Reading(series: SeriesKey(sensorID: "c", quantity: "laeq"), timestamp: Self.base, value: 99, wijk: nil))
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
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
            return (vs.count, vs.reduce(0, +), sorted.first!, sorted.last!, energy, q.map { Self.quantile(sorted, $0) })
        }
    }

    @Test(arguments: Backend.allCases, [(TimeBucket.hour, false), (TimeBucket.hour, true), (15 * minute, true), (3 * TimeBucket.hour, false),
                                        (7 * minute, false)])
    func matchesTheRawComputation(_ backend: Backend, _ bucketing: (bucket: Int64, withValues: Bool)) throws {
        let (bucket, withValues) = bucketing
        let (store, readings) = try store(backend)
        defer { store.close() }
        let window = TimeWindow(start: Self.base + 30 * Self.minute, end: Self.base + 330 * Self.minute)
        let qs = withValues ? [0.5, 0.95] : []
        let rows = try store.readings.aggregate(AggregateQuery(quantities: ["laeq"], window: window, bucket: bucket, grouping: .wijk,
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

    @Test(arguments: Backend.allCases)
    func groupingAndFilters(_ backend: Backend) throws {
        let (store, _) = try store(backend)
        defer { store.close() }
        let day = TimeWindow(start: Self.base, end: Self.base + 86_400_000)
        let bySensor = try store.readings.aggregate(AggregateQuery(quantities: ["laeq"], window: day, bucket: 86_400_000, grouping: .sensor))
        #expect(bySensor.map(\.group) == ["a", "b", "c"])
        #expect(bySensor.map(\.count) == [360, 360, 1])
        let oneWijk = try store.readings.aggregate(AggregateQuery(quantities: ["laeq"], wijken: [WijkCode("WK039202")!], window: day, bucket: 86_400_000))
        #expect(oneWijk.map(\.group) == ["WK039202"])
        let all = try store.readings.aggregate(AggregateQuery(quantities: ["laeq"], sensors: ["a", "c"], window: day, bucket: 86_400_000, grouping: .none))
        #expect(all.count == 1 && all[0].count == 361 && all[0].max == 99)
        #expect(try store.readings.aggregate(AggregateQuery(quantities: ["pm25"], window: day, bucket: 86_400_000)).isEmpty)
    }

    /// Enough series to split over workers; a bounded window (dense groups) and an open one
    /// (hashed groups) give the same rows as the raw computation. By wijk the parts hold whole
    /// groups and select their own quantiles; without grouping (one group) they hold whole
    /// sensors and their values are merged first.
    @Test(arguments: Backend.allCases, [true, false])
    func manySeries(_ backend: Backend, boundedWindow: Bool) throws {
        let store = try StoreUnderTest(backend, policy: ChunkPolicy(span: TimeBucket.hour, lateness: 0))
        defer { store.close() }
        var readings: [Reading] = []
        var rng = SystemRandomNumberGenerator()
        for sensor in 0..<40 {
            let wijk = sensor % 5 == 4 ? nil : WijkCode(String(format: "WK0392%02d", sensor % 5 + 1))
            for m in stride(from: 0, to: 300, by: 1 + sensor % 3) {
                let t = Self.base + Int64(m) * Self.minute + Int64(sensor) * 1000
                for quantity in ["P1", "P2"] {
                    readings.append(Reading(series: SeriesKey(sensorID: "s\(sensor)", quantity: quantity), timestamp: t,
                                            value: Double(Int.random(in: 0..<5000, using: &rng)) / 100, wijk: wijk))
                }
            }
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        let window = boundedWindow ? TimeWindow(start: Self.base + 7 * Self.minute, end: Self.base + 290 * Self.minute)
            : TimeWindow(start: 0, end: Int64.max / 2)
        let qs = [0.05, 0.5, 0.95]
        for grouping in [AggregateQuery.Grouping.wijk, .none] {
            let rows = try store.readings.aggregate(AggregateQuery(quantities: ["P1", "P2"], window: window, bucket: TimeBucket.hour,
                                                                   grouping: grouping, quantiles: qs))
            var expected: [String: [Double]] = [:]
            for r in readings where window.contains(r.timestamp) {
                let group = grouping == .wijk ? r.wijk?.rawValue ?? "-" : "-"
                expected["\(TimeBucket.floor(r.timestamp, size: TimeBucket.hour))|\(group)|\(r.series.quantity)", default: []].append(r.value)
            }
            #expect(rows.count == expected.count)
            #expect(rows == rows.sorted { ($0.bucketStart, $0.group ?? "", $0.quantity) < ($1.bucketStart, $1.group ?? "", $1.quantity) })
            for row in rows {
                let values = try #require(expected["\(row.bucketStart)|\(row.group ?? "-")|\(row.quantity)"]).sorted()
                #expect(row.count == values.count && row.min == values.first && row.max == values.last)
                #expect(abs(row.sum - values.reduce(0, +)) < 1e-6)
                #expect(row.quantiles == qs.map { Self.quantile(values, $0) })
            }
        }
    }

    /// Day chunks carry count, sum, min and max per hour (`SubWindowSummary`). Hourly, three-hourly
    /// and Dutch-day buckets come from them; a window or bucket that cuts through an hour decodes
    /// the chunk as before. Every figure agrees with the raw computation: decimal values, values
    /// that are not decimals (stored as raw doubles), negative ones, hours without readings. With
    /// the value blobs destroyed afterwards, the hourly aggregate still answers (it decodes
    /// nothing) and a 90-minute one fails: the summaries are what answered.
    @Test(arguments: Backend.allCases)
    func hourSummariesAnswerWithoutDecoding(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend, policy: ChunkPolicy(span: 86_400_000, lateness: 0))
        defer { store.close() }
        var readings: [Reading] = []
        var rng = SystemRandomNumberGenerator()
        var level = 20.0
        for k in 0..<(3 * 24 * 24) {
            let t = Self.base + Int64(k) * 150_000 + Int64.random(in: -2_000...2_000, using: &rng)
            guard !(30 * 24..<35 * 24).contains(k) else { continue }   // five hours without readings
            level = max(-5, level + Double(Int.random(in: -8...8, using: &rng)) / 10)
            readings.append(Reading(series: SeriesKey(sensorID: "a", quantity: "pm25"), timestamp: t, value: (level * 10).rounded() / 10,
                                    wijk: WijkCode("WK039201")))
            readings.append(Reading(series: SeriesKey(sensorID: "b", quantity: "pm25"), timestamp: t + 7_000, value: level / 3,
                                    wijk: WijkCode("WK039202")))
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        _ = try store.readings.sealExpired(now: Self.base + 10 * 86_400_000)
        let days = TimeWindow(start: Self.base, end: Self.base + 3 * 86_400_000)
        let partial = TimeWindow(start: Self.base + 30 * Self.minute, end: Self.base + 58 * TimeBucket.hour + 15 * Self.minute)
        let cases: [(TimeWindow, Int64, Int64)] = [(days, TimeBucket.hour, 0), (partial, TimeBucket.hour, 0), (days, 3 * TimeBucket.hour, 0),
                                                   (days, 86_400_000, -TimeBucket.hour), (days, 90 * Self.minute, 0)]
        func check(_ window: TimeWindow, _ bucket: Int64, _ origin: Int64) throws {
            let rows = try store.readings.aggregate(AggregateQuery(quantities: ["pm25"], window: window, bucket: bucket, origin: origin))
            var expected: [String: [Double]] = [:]
            for r in readings where window.contains(r.timestamp) {
                expected["\(origin + TimeBucket.floor(r.timestamp - origin, size: bucket))|\(r.wijk!.rawValue)", default: []].append(r.value)
            }
            #expect(rows.count == expected.count, "bucket \(bucket), window \(window)")
            for row in rows {
                let values = try #require(expected["\(row.bucketStart)|\(row.group ?? "-")"])
                #expect(row.count == values.count && row.min == values.min() && row.max == values.max(), "bucket \(bucket) at \(row.bucketStart)")
                #expect(abs(row.sum - values.reduce(0, +)) < 1e-9 * max(1, abs(row.sum)), "bucket \(bucket) at \(row.bucketStart)")
            }
        }
        for (window, bucket, origin) in cases { try check(window, bucket, origin) }

        try store.tamper(backend == .sqlite ? "UPDATE chunk SET value = x'01ff'" : "UPDATE chunk SET value = decode('01ff', 'hex')")
        try check(days, TimeBucket.hour, 0)
        try check(days, 86_400_000, -TimeBucket.hour)
        #expect(throws: (any Error).self) {
            try store.readings.aggregate(AggregateQuery(quantities: ["pm25"], window: days, bucket: 90 * Self.minute))
        }
        // A damaged summary fails the query with its chunk named, rather than answer wrongly.
        try store.tamper(backend == .sqlite ? "UPDATE chunk SET summary = x'ff3c02' WHERE summary IS NOT NULL"
                                            : "UPDATE chunk SET summary = decode('ff3c02', 'hex') WHERE summary IS NOT NULL")
        let error = #expect(throws: (any Error).self) {
            try store.readings.aggregate(AggregateQuery(quantities: ["pm25"], window: days, bucket: TimeBucket.hour))
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("damaged chunk of sensor"))
    }

    /// Type 7 quantile (as DuckDB's `quantile_cont` and numpy's default), computed here independently.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
