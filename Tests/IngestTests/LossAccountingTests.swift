import Foundation
import Geo
@testable import Ingest
import LantaarnModel
import Store
import Testing

/// Every received message is stored, quarantined or a duplicate, per sensor and per topic,
/// and the Prometheus exposition says the same.
struct LossAccountingTests {
    static let ttnTopic = "v3/hlm@ttn/devices/ws302/up"

    static func registry() throws -> SensorRegistry {
        let air = Sensor(id: "air", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "lantaarn/sensors/air/readings",
                         kind: "lucht", quantities: ["pm25": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1)])
        let noise = Sensor(id: "noise", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: ttnTopic, kind: "geluid",
                           quantities: ["laeq": QuantitySpec(unit: "dB(A)", minimum: 20, maximum: 140, resolution: 0.1, field: "LAeq")],
                           codec: "ttn-v3/milesight-ws302")
        return SensorRegistry(sensors: [air, noise], boundaries: try DefaultBoundaries.haarlemWijken())
    }

    static func uplink(fcnt: Int, at time: String) -> String {
        #"{"end_device_ids":{"device_id":"ws302"},"uplink_message":{"f_port":85,"f_cnt":\#(fcnt),"frm_payload":"AXVkBVsFPwLaAWoC","received_at":"\#(time)"}}"#
    }

    @Test func receivedIsStoredPlusQuarantinedPlusDuplicates() throws {
        let dir = try scratchDirectory("loss")
        let store = try SQLiteStore(dataDirectory: dir + "/db")
        let writer = try IngestLogWriter(directory: dir + "/log")
        let received: Int64 = 1_795_341_700_000
        let messages: [(String, String)] = [
            ("lantaarn/sensors/air/readings", #"{"ts":"2026-11-22T10:00:00Z","values":{"pm25":12}}"#),          // stored
            ("lantaarn/sensors/air/readings", #"{"ts":"2026-11-22T10:01:00Z","values":{"pm25":12,"o3":4}}"#),   // stored, 1 value quarantined
            ("lantaarn/sensors/air/readings", #"{"ts":"2026-11-22T10:02:00Z","values":{"pm25":9999}}"#),        // quarantined
            ("lantaarn/sensors/air/readings", "not json"),                                                      // quarantined
            ("lantaarn/sensors/ghost/readings", #"{"ts":"2026-11-22T10:00:00Z","values":{"pm25":1}}"#),         // unknown sensor
            (Self.ttnTopic, Self.uplink(fcnt: 7, at: "2026-11-22T10:00:00Z")),                                  // stored
            (Self.ttnTopic, Self.uplink(fcnt: 7, at: "2026-11-22T10:00:00Z")),                                  // duplicate
            (Self.ttnTopic, Self.uplink(fcnt: 7, at: "2026-11-22T11:00:00Z")),                                  // counter reset: stored
        ]
        for (topic, payload) in messages { try writer.append(origin: topic, payload: Array(payload.utf8), receivedAt: received) }
        let consumer = try IngestConsumer(source: "mqtt", logDirectory: dir + "/log", writer: writer, store: store.readings,
                                          validator: ReadingValidator(registry: try Self.registry()), logger: .init(label: "test"))
        var offset: Int64 = 0
        while try consumer.step(from: &offset) > 0 {}
        let s = consumer.stats.snapshot
        #expect(s.messages == messages.count && s.duplicates == 1)
        let air = try #require(s.bySensor["air"]), noise = try #require(s.bySensor["noise"]), unknown = try #require(s.bySensor["unknown"])
        #expect(air.received == 4 && air.stored == 2 && air.quarantined == 2 && air.duplicates == 0)
        #expect(air.valuesStored == 2 && air.valuesQuarantined == 3 && air.valuesIgnored == 0 && air.lastSeen == received)
        #expect(noise.received == 3 && noise.stored == 2 && noise.duplicates == 1 && noise.valuesIgnored == 6)
        #expect(unknown.received == 1 && unknown.quarantined == 1)
        for c in Array(s.bySensor.values) + Array(s.byTopic.values) {
            #expect(c.received == c.stored + c.quarantined + c.duplicates)
        }
        #expect(s.byTopic["lantaarn/sensors/ghost/readings"]?.quarantined == 1)
        #expect(try store.readings.readingCount() == 4)   // two pm25, two laeq: the duplicate is not stored

        let text = String(decoding: consumer.stats.registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"lantaarn_ingest_messages_total{sensor="noise",outcome="duplicate"} 1"#))
        #expect(text.contains(#"lantaarn_ingest_messages_total{sensor="air",outcome="quarantined"} 2"#))
        #expect(text.contains(#"lantaarn_ingest_values_total{sensor="noise",outcome="ignored"} 6"#))
        #expect(text.contains(#"lantaarn_sensor_last_seen_timestamp_seconds{sensor="air"} 1795341700"#))
        #expect(!text.contains("9999") && !text.contains("not json"))   // payloads never reach the metrics
    }

    /// Killed after writing a message to the log but before the PUBACK: the broker sends it
    /// again to the next process, which must recognise the copy of an already committed message.
    @Test func redeliveryAfterRestartIsADuplicate() throws {
        let dir = try scratchDirectory("redeliver")
        let store = try SQLiteStore(dataDirectory: dir + "/db")
        let topic = "lantaarn/sensors/air/readings"
        let timed = (0..<3).map { #"{"ts":"2026-11-22T10:0\#($0):00Z","values":{"pm25":\#($0 + 5)}}"# }
        var offset: Int64 = 0
        do {
            let writer = try IngestLogWriter(directory: dir + "/log")
            for payload in timed { try writer.append(origin: topic, payload: Array(payload.utf8), receivedAt: 1_795_341_700_000) }
            let first = try IngestConsumer(source: "mqtt", logDirectory: dir + "/log", writer: writer, store: store.readings,
                                           validator: ReadingValidator(registry: try Self.registry()), logger: .init(label: "test"))
            while try first.step(from: &offset) > 0 {}
            #expect(try store.readings.readingCount() == 3)
        }
        // The next process: the broker redelivers the last two messages, then a new one arrives.
        let writer = try IngestLogWriter(directory: dir + "/log")
        let fresh = #"{"ts":"2026-11-22T10:03:00Z","values":{"pm25":7}}"#
        for payload in [timed[1], timed[2], fresh] { try writer.append(origin: topic, payload: Array(payload.utf8), receivedAt: 1_795_341_701_000) }
        let second = try IngestConsumer(source: "mqtt", logDirectory: dir + "/log", writer: writer, store: store.readings,
                                        validator: ReadingValidator(registry: try Self.registry()), logger: .init(label: "test"))
        offset = try store.readings.committedOffset(source: "mqtt")
        try second.rememberCommitted(before: offset)
        while try second.step(from: &offset) > 0 {}
        let s = second.stats.snapshot
        #expect(s.messages == 3 && s.duplicates == 2)
        #expect(try store.readings.readingCount() == 4)
    }

    @Test func unknownTopicsAreBoundedInLabels() {
        let stats = IngestStats()
        let messages = (0..<(IngestStats.maxUnknownTopics + 20)).map { k in
            IngestStats.Message(sensorID: nil, topic: "spam/\(k)", outcome: .quarantined, valuesStored: 0, valuesQuarantined: 1,
                                valuesIgnored: 0, receivedAt: 1)
        }
        stats.record(messages)
        let s = stats.snapshot
        #expect(s.byTopic.count == IngestStats.maxUnknownTopics + 1 && s.byTopic["other"]?.received == 20)
    }

    /// A commit that fails (a full disk) is retried; the messages of the failed batch must not
    /// then be taken for copies of themselves (make verify's disk-full phase lost 27 that way).
    @Test func aFailedCommitIsRetriedWithoutLosingItsMessages() throws {
        let dir = try scratchDirectory("fullstore")
        let store = FailingStore(try SQLiteStore(dataDirectory: dir + "/db").readings, failFirst: 2)
        let topic = "lantaarn/sensors/air/readings"
        let writer = try IngestLogWriter(directory: dir + "/log")
        for k in 0..<5 {
            try writer.append(origin: topic, payload: Array(#"{"ts":"2026-11-22T10:0\#(k):00Z","values":{"pm25":\#(k + 5)}}"#.utf8),
                              receivedAt: 1_795_341_700_000)
        }
        let consumer = try IngestConsumer(source: "mqtt", logDirectory: dir + "/log", writer: writer, store: store,
                                          validator: ReadingValidator(registry: try Self.registry()), logger: .init(label: "test"))
        var offset: Int64 = 0
        for _ in 0..<2 { #expect(throws: (any Error).self) { try consumer.step(from: &offset) } }
        #expect(offset == 0)
        while try consumer.step(from: &offset) > 0 {}
        #expect(try store.inner.readingCount() == 5)
        #expect(consumer.stats.snapshot.duplicates == 0)
    }
}
