import Foundation
import Geo
@testable import Ingest
import LantaarnModel
import Store
import Testing

struct QualityTrackerTests {
    static let spec = QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1, spikeStep: 50, stuckAfter: 3, interval: 60_000)

    func reading(_ minute: Int64, _ value: Double, sensor: String = "a") -> Reading {
        Reading(series: SeriesKey(sensorID: sensor, quantity: "pm25"), timestamp: 1_795_341_600_000 + minute * 60_000, value: value, wijk: nil)
    }

    @Test func marksSpikesStuckValuesAndGaps() {
        var t = QualityTracker()
        let marks = [reading(0, 10), reading(1, 12), reading(2, 90), reading(3, 20), reading(4, 20), reading(5, 20), reading(6, 20),
                     reading(20, 21), reading(19, 500), reading(21, 21)].map { t.flags(for: $0, spec: Self.spec) }
        #expect(marks == [[], [], [.spike], [.spike], [], [.stuck], [.stuck], [.afterGap], [], []])
        // Series are independent, and a quantity without checks is never marked.
        #expect(t.flags(for: reading(22, 400, sensor: "b"), spec: Self.spec) == [])
        let plain = QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1)
        #expect(t.flags(for: reading(23, 0), spec: plain) == [])
    }

    @Test func aRolledBackBatchIsJudgedAgainAsTheFirstTime() {
        var t = QualityTracker()
        #expect(t.flags(for: reading(0, 10), spec: Self.spec) == [])
        let batch = [reading(1, 300), reading(2, 300), reading(3, 300), reading(0, 10, sensor: "new")]
        t.begin()
        let first = batch.map { t.flags(for: $0, spec: Self.spec) }
        t.rollback()
        t.begin()
        let retried = batch.map { t.flags(for: $0, spec: Self.spec) }
        t.commit()
        #expect(first == [[.spike], [], [.stuck], []])
        #expect(retried == first)
        // Committed changes stay: the next reading follows the batch, and a rollback with no
        // batch open changes nothing.
        t.rollback()
        #expect(t.flags(for: reading(4, 300), spec: Self.spec) == [.stuck])
    }

    @Test func flagsSurviveTheOpenBufferAndTheChunks() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("flags"), policy: ChunkPolicy(span: TimeBucket.hour, lateness: 0))
        var readings = (0..<120).map { m in reading(Int64(m), Double(m % 7)) }
        readings[5].flags = .spike
        readings[100].flags = [.stuck, .afterGap]
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))   // first hour sealed, second buffered
        var seen: [Reading] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { seen.append($0) }
        #expect(seen.map(\.flags) == readings.map(\.flags))
        try store.readings.sealExpired(now: 1_795_341_600_000 + 3 * TimeBucket.hour)
        seen = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { seen.append($0) }
        #expect(seen.map(\.flags) == readings.map(\.flags))
    }
}

struct QualityThroughTheConsumerTests {
    /// The pm25 marks `store` holds after a consumer (over `store`) took one air sensor's readings,
    /// a minute apart, from the ingest log; the consumer's first `failures` steps must throw.
    func marks(_ values: [Int], store: any ReadingStore, failures: Int = 0, in dir: String) throws -> [QualityFlags] {
        let air = Sensor(id: "air", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "lantaarn/sensors/air/readings", kind: "lucht",
                         quantities: ["pm25": QualityTrackerTests.spec])
        let registry = SensorRegistry(sensors: [air], boundaries: try DefaultBoundaries.haarlemWijken())
        let writer = try IngestLogWriter(directory: dir + "/log")
        for (minute, value) in values.enumerated() {
            try writer.append(origin: "lantaarn/sensors/air/readings",
                              payload: Array(#"{"ts":\#(1_795_341_600 + minute * 60),"values":{"pm25":\#(value)}}"#.utf8),
                              receivedAt: 1_795_341_800_000)
        }
        let consumer = try IngestConsumer(source: "mqtt", logDirectory: dir + "/log", writer: writer, store: store,
                                          validator: ReadingValidator(registry: registry), logger: .init(label: "test"))
        var offset: Int64 = 0
        for _ in 0..<failures { #expect(throws: FailingStore.Crash.self) { try consumer.step(from: &offset) } }
        while try consumer.step(from: &offset) > 0 {}
        var flags: [QualityFlags] = []
        try store.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { flags.append($0.flags) }
        return flags
    }

    @Test func consumerStoresMarkedReadings() throws {
        let dir = try scratchDirectory("quality-consumer")
        #expect(try marks([10, 300, 301], store: try SQLiteStore(dataDirectory: dir + "/db").readings, in: dir) == [[], [.spike], []])
    }

    /// A commit that fails (a full disk) is retried with the same readings; they must get the
    /// marks they would have had without the failure (before, the retry compared the readings
    /// with themselves and the spike was lost).
    @Test func aRetriedBatchGetsTheSameMarks() throws {
        let dir = try scratchDirectory("quality-retry")
        let store = FailingStore(try SQLiteStore(dataDirectory: dir + "/db").readings, failFirst: 2)
        #expect(try marks([10, 300, 300, 300], store: store, failures: 2, in: dir) == [[], [.spike], [], [.stuck]])
    }
}
