import Foundation
import Geo
@testable import Ingest
import LantaarnModel
import Logging
import Store
import TestSupport
import Testing

/// Quarantines are logged as a rate: a sensor's first at once, then at most one line a minute per
/// sensor, each saying how many, why and where to look; unregistered topics are never named.
struct QuarantineLogTests {
    @Test func firstAtOnceThenOnceAMinutePerSensor() {
        var log = QuarantineLog()
        log.record(sensor: "a", reason: "pm25 812 is above 500", at: 0)
        #expect(log.due(now: 0) == [.init(sensor: "a", values: 1, period: 0, first: true, reason: "pm25 812 is above 500")])
        for t in stride(from: Int64(1_000), to: 60_000, by: 1_000) {
            log.record(sensor: "a", reason: "pm25 \(t) is above 500", at: t)
            #expect(log.due(now: t).isEmpty)
        }
        let minute = log.due(now: 60_000)
        #expect(minute == [.init(sensor: "a", values: 59, period: 60_000, first: false, reason: "pm25 1000 is above 500")])
        #expect(log.due(now: 200_000).isEmpty, "nothing new, nothing logged")
        log.record(sensor: "a", reason: "x", at: 200_000)
        #expect(log.due(now: 200_000).map(\.values) == [1], "a minute after the last line: at once")
    }

    @Test func sensorsAreCountedApartAndUnregisteredTopicsAreNotNamed() {
        var log = QuarantineLog()
        log.record(sensor: "a", reason: "r", count: 3, at: 0)
        log.record(sensor: nil, reason: "unknown sensor 'jan@example.org' on topic x/jan@example.org", at: 0)
        let lines = log.due(now: 0)
        #expect(lines.map(\.sensor) == ["a", QuarantineLog.unregistered])
        #expect(lines.map(\.values) == [3, 1])
        #expect(!lines.contains { $0.reason.contains("example.org") || $0.sensor.contains("example.org") })
        log.record(sensor: "a", reason: String(repeating: "x", count: 500), at: 1)
        #expect(log.due(now: 2).isEmpty)
        let flushed = log.due(now: 2, flush: true)
        #expect(flushed.count == 1 && flushed[0].reason.count == QuarantineLog.reasonLength + 1)
    }

    /// Thousands of rejected values in many batches give one line for the sensor, not one per batch.
    @Test func theConsumerLogsARateNotEveryBatch() throws {
        let dir = try scratchDirectory("quarantine-log")
        let store = try SQLiteStore(dataDirectory: dir + "/db")
        let writer = try IngestLogWriter(directory: dir + "/log")
        let received: Int64 = 1_795_360_000_000   // after every reading's own time
        for i in 0..<(3 * IngestConsumer.batchSize) {
            let payload = #"{"ts":\#(1_795_341_000 + i),"values":{"pm25":\#(i % 10 == 0 ? 9999 : 12)}}"#
            try writer.append(origin: "lantaarn/sensors/air/readings", payload: Array(payload.utf8), receivedAt: received)
        }
        let capture = LogCapture()
        let consumer = try IngestConsumer(source: "mqtt", logDirectory: dir + "/log", writer: writer, store: store.readings,
                                          validator: ReadingValidator(registry: try LossAccountingTests.registry()),
                                          logger: Logger(label: "test") { _ in capture })
        var offset: Int64 = 0
        while try consumer.step(from: &offset) > 0 { consumer.logQuarantines(now: Clock.nowMilliseconds()) }
        consumer.logQuarantines(now: Clock.nowMilliseconds(), flush: true)
        let lines = capture.text.split(separator: "\n").filter { $0.contains("went to quarantine") }
        #expect(lines.count == 2, "the first at once, the rest in one line: \(lines)")
        #expect(lines.first?.contains("sensor air: 500 readings or messages went to quarantine instead of the store") == true,
                "the first batch's: \(lines)")
        #expect(lines.first?.contains("once a minute at most") == true, "\(lines)")
        #expect(lines.last?.contains("sensor air: 1000 readings or messages went to quarantine in the last") == true, "\(lines)")
        #expect(lines.allSatisfy { $0.contains("lantaarn quarantine list") && $0.contains("pm25 = 9999") }, "\(lines)")
        #expect(try store.readings.readingCount() == 13_500)
    }
}
