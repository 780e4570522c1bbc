import Foundation
import LantaarnModel
import Store
import Testing

func scratchDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "lantaarn-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

struct SQLiteStoreTests {
    func reading(_ sensor: String, _ q: String, _ ts: Int64, _ v: Double, _ wijk: String? = "WK039201") -> Reading {
        Reading(series: SeriesKey(sensorID: sensor, quantity: q), timestamp: ts, value: v, wijk: wijk.flatMap(WijkCode.init))
    }

    /// The file stays sound after appends (what an append commits is checked on every backend by
    /// `StoreConformanceTests/ReadingStoreConformanceTests`).
    @Test func theFileIsSoundAfterAppends() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("store"))
        try store.readings.append(IngestBatch(readings: [reading("s", "pm25", 2000, 1.5), reading("s", "pm25", 1000, 2.5, nil)],
                                     quarantined: [], source: "mqtt", offset: 123))
        #expect(try store.integrityCheck() == ["ok"])
    }

    /// Two handles on one file behave like `serve` and `pipeline run` in separate processes.
    @Test func twoHandlesOnOneDataDirectory() throws {
        let dir = try scratchDirectory("shared")
        let a = try SQLiteStore(dataDirectory: dir), b = try SQLiteStore(dataDirectory: dir)
        try a.readings.append(IngestBatch(readings: [reading("s", "pm25", 1, 1)], quarantined: [], source: "mqtt", offset: 10))
        #expect(try b.readings.readingCount() == 1)
        try b.readings.append(IngestBatch(readings: [reading("s", "pm25", 2, 1)], quarantined: [], source: "file", offset: 5))
        #expect(try a.readings.committedOffset(source: "file") == 5)
        #expect(try a.readings.committedOffset(source: "mqtt") == 10)
    }
}
