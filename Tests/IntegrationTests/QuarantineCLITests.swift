import Foundation
import TestSupport
import Ingest
import LantaarnModel
import Store
import Testing

/// `lantaarn quarantine list|show|replay` through the real binary: fix Sensors/, replay.
@Suite(.serialized)
struct QuarantineCLITests {
    @Test func fixTheRegistryThenReplay() async throws {
        let dir = try TestEnvironment.scratch("quarantine-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sensors = dir + "/Sensors"
        try FileManager.default.createDirectory(atPath: sensors, withIntermediateDirectories: true)
        func registry(_ quantities: String) throws {
            try "sensors:\n  - {id: lp1, lamppost: L-1, kind: lucht, lat: 52.38119, lon: 4.63746, quantities: {\(quantities)}}\n"
                .write(toFile: sensors + "/s.yaml", atomically: true, encoding: .utf8)
        }
        try registry(#"pm25: {unit: "µg/m³", min: 0, max: 500}"#)
        do {
            let writer = try IngestLogWriter(directory: dir + "/data/ingest-log/mqtt")
            try writer.append(origin: "lantaarn/sensors/lp1/readings", payload: Array(#"{"ts":"2026-11-22T10:00:00Z","values":{"pm25":12,"no2":31.5}}"#.utf8),
                              receivedAt: ISO8601.parse("2026-11-22T10:00:05Z")!)
        }
        let common = ["--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", TestEnvironment.repoRoot + "/Pipelines"]
        let bin = TestEnvironment.lantaarn
        let missing = try await runCommand(bin, ["ingest", "drain", "--source", "mqtt-elders"] + common)
        #expect(missing.status != 0 && missing.error.contains("there is no ingest log 'mqtt-elders'"), "\(missing.error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/ingest-log/mqtt-elders"), "a wrong name makes no log")
        #expect(try await runCommand(bin, ["ingest", "drain", "--source", "mqtt"] + common).status == 0)
        let list = try await runCommand(bin, ["quarantine", "list"] + common)
        #expect(list.output.contains("1\t2026-11-22T10:00:05") && list.output.contains("'no2' is not registered"), "\(list.output)")
        #expect(!list.output.contains("31.5"))   // the list never shows payloads
        let show = try await runCommand(bin, ["quarantine", "show", "1"] + common)
        #expect(show.output.contains("value:       no2 at 2026-11-22T10:00:00") && show.output.contains(#""no2":31.5"#), "\(show.output)")
        #expect(try await runCommand(bin, ["quarantine", "show", "99"] + common).error.contains("does not exist"))

        try registry(#"pm25: {unit: "µg/m³", min: 0, max: 500}, no2: {unit: "µg/m³", min: 0, max: 400}"#)
        let dry = try await runCommand(bin, ["quarantine", "replay", "--dry-run"] + common)
        #expect(dry.output.contains("1 entries examined; 1 would be resolved (1 readings stored, 0 stored values replaced)"), "\(dry.output) \(dry.error)")
        let replay = try await runCommand(bin, ["quarantine", "replay"] + common)
        #expect(replay.output.contains("1 were resolved (1 readings stored, 0 stored values replaced), 0 still rejected"), "\(replay.output) \(replay.error)")
        let store = try SQLiteStore(dataDirectory: dir + "/data")
        #expect(try store.readings.readingCount() == 2 && store.readings.quarantine(limit: 5).isEmpty)
    }
}
