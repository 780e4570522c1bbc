import Foundation
import LantaarnModel
import Store
import Testing

/// Raw readings of one series a page at a time, as SensorThings reads them: sealed chunks and
/// open readings in one time order, both directions, filters, equal timestamps, counts.
struct ObservationConformanceTests {
    static let base: Int64 = 1_763_596_800_000   // 2025-11-20T00:00:00Z
    static let minute: Int64 = 60_000

    /// Three days of readings every 10 minutes (sealed into day chunks), a reading twice at one
    /// time, another series and another sensor that must not show up, and open readings of today.
    static func store(_ backend: Backend) throws -> (StoreUnderTest, [Reading]) {
        let store = try StoreUnderTest(backend)
        let key = SeriesKey(sensorID: "s1", quantity: "pm25")
        var mine: [Reading] = []
        var other: [Reading] = []
        for i in 0..<(3 * 144) {
            let ts = base + Int64(i) * 10 * minute
            mine.append(Reading(series: key, timestamp: ts, value: Double(i % 50), wijk: WijkCode("WK039201")))
            other.append(Reading(series: SeriesKey(sensorID: "s1", quantity: "pm10"), timestamp: ts, value: 1, wijk: WijkCode("WK039201")))
            other.append(Reading(series: SeriesKey(sensorID: "s2", quantity: "pm25"), timestamp: ts, value: 2, wijk: WijkCode("WK039201")))
        }
        // The same time twice (a second wijk after a boundary change, say): both are kept, in order.
        mine.append(Reading(series: key, timestamp: base + 100 * 10 * minute, value: 99, wijk: WijkCode("WK039202")))
        try store.readings.append(IngestBatch(readings: mine + other, quarantined: [], source: "test", offset: 1))
        try store.readings.sealExpired(now: base + 3 * 86_400_000 + 3 * 3_600_000)
        let open = (0..<5).map { Reading(series: key, timestamp: base + 3 * 86_400_000 + 4 * 3_600_000 + Int64($0) * minute, value: 7, wijk: WijkCode("WK039201")) }
        try store.readings.append(IngestBatch(readings: open, quarantined: [], source: "test", offset: 2))
        let all = (mine + open).enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
        return (store, all)
    }

    static func pages(_ store: StoreUnderTest, _ base: ObservationQuery) throws -> [Reading] {
        var q = base
        var out: [Reading] = []
        while true {
            let page = try store.readings.observations(q)
            #expect(page.readings.count <= q.limit)
            out += page.readings
            guard let next = page.next else { return out }
            q.after = next
        }
    }

    @Test(arguments: Backend.allCases)
    func pagesVisitEveryReadingOnceInTimeOrder(_ backend: Backend) throws {
        let (store, all) = try Self.store(backend)
        defer { store.close() }
        var q = ObservationQuery(sensorID: "s1", quantity: "pm25")
        q.limit = 37
        let ascending = try Self.pages(store, q)
        #expect(ascending.map(\.timestamp) == all.map(\.timestamp) && ascending.map(\.value) == all.map(\.value))
        q.descending = true
        let descending = try Self.pages(store, q)
        #expect(descending.map(\.timestamp) == all.reversed().map(\.timestamp))
        #expect(descending.count == all.count)
        // A page boundary between the two readings of one time loses neither.
        let twice = all.firstIndex { $0.value == 99 }!
        q.descending = false
        q.limit = twice   // the page ends on the first of the pair
        #expect(try Self.pages(store, q).count == all.count)
        #expect(try store.readings.observationCount(q) == all.count)
        #expect(try store.readings.observationSpan(sensorID: "s1", quantity: "pm25") == TimeWindow(start: all.first!.timestamp, end: all.last!.timestamp))
        #expect(try store.readings.observationSpan(sensorID: "s9", quantity: "pm25") == nil)
    }

    @Test(arguments: Backend.allCases)
    func windowValuesAndSkip(_ backend: Backend) throws {
        let (store, all) = try Self.store(backend)
        defer { store.close() }
        var q = ObservationQuery(sensorID: "s1", quantity: "pm25")
        q.window = TimeWindow(start: Self.base + 86_400_000, end: Self.base + 2 * 86_400_000 + 30 * Self.minute)
        var range = ObservationQuery.ValueRange()
        range.lower = 10
        range.lowerInclusive = false
        range.upper = 20
        q.values = range
        q.limit = 1000
        let expected = all.filter { q.window.contains($0.timestamp) && $0.value > 10 && $0.value <= 20 }
        #expect(!expected.isEmpty)
        #expect(try store.readings.observations(q).readings == expected)
        #expect(try store.readings.observationCount(q) == expected.count)
        q.skip = 5
        q.limit = 3
        #expect(try store.readings.observations(q).readings == Array(expected[5..<8]))
        // Open readings (the newest, not sealed yet) answer time filters too.
        q = ObservationQuery(sensorID: "s1", quantity: "pm25")
        q.window = TimeWindow(start: Self.base + 3 * 86_400_000, end: .max / 2)
        #expect(try store.readings.observations(q).readings.count == 5)
    }

    /// Open readings (not sealed yet) are streamed from the index in the query's order, in pages of
    /// any size; when the sensor moved wijk (two series) before its day was sealed, equal
    /// timestamps of the two keep arrival order (reversed when descending). (One series holds one
    /// value per time: another value at a stored time is a conflict, see ChunkStoreTests.)
    @Test(arguments: Backend.allCases)
    func openReadingsWithEqualTimesPageInOrder(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let key = SeriesKey(sensorID: "s1", quantity: "pm25")
        let first = (0..<30).map { i in
            Reading(series: key, timestamp: Self.base + Int64(i) * Self.minute / 3, value: Double(i), wijk: WijkCode("WK039201"))
        }
        try store.readings.append(IngestBatch(readings: first, quarantined: [], source: "test", offset: 1))
        var q = ObservationQuery(sensorID: "s1", quantity: "pm25")
        for limit in [1, 2, 4, 30, 100] {
            q.limit = limit
            q.descending = false
            #expect(try Self.pages(store, q).map(\.value) == first.map(\.value))
            q.descending = true
            #expect(try Self.pages(store, q).map(\.value) == first.reversed().map(\.value))
        }
        // Later readings from another wijk, some at times the first series has too.
        let moved = (0..<12).map { i in
            Reading(series: key, timestamp: Self.base + Int64(5 + i) * Self.minute / 3, value: Double(100 + i), wijk: WijkCode("WK039202"))
        }
        try store.readings.append(IngestBatch(readings: moved, quarantined: [], source: "test", offset: 2))
        let all = (first + moved).enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
        for limit in [1, 3, 7, 100] {
            q.limit = limit
            q.descending = false
            #expect(try Self.pages(store, q).map(\.value) == all.map(\.value))
            q.descending = true
            #expect(try Self.pages(store, q).map(\.value) == all.reversed().map(\.value))
        }
        #expect(try store.readings.observationCount(q) == all.count)
    }
}
