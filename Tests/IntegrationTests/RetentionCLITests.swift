import Foundation
import TestSupport
import Ingest
import LantaarnModel
import Store
import Testing

/// `lantaarn hold` and `lantaarn purge` through the real binary.
@Suite(.serialized)
struct RetentionCLITests {
    @Test func purgeRespectsHoldsAndLogsDestruction() throws {
        let dir = try TestEnvironment.scratch("retention")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sensors = dir + "/Sensors"
        try FileManager.default.createDirectory(atPath: sensors, withIntermediateDirectories: true)
        try """
        sensors:
          - {id: oud, lamppost: O-1, kind: lucht, lat: 52.38119, lon: 4.63746, quantities: {pm25: {unit: "µg/m³", min: 0, max: 500}}}
        """.write(toFile: sensors + "/s.yaml", atomically: true, encoding: .utf8)
        try "retention:\n  readings: {keep: 5y, basis: \"Selectielijst gemeenten 2020, 11.1\"}\n"
            .write(toFile: dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
        // 2019: past the 5-year retention. 2026: recent. One reading an hour.
        let old = ISO8601.parse("2019-03-01T00:00:00Z")! / 1000, recent = ISO8601.parse("2026-11-01T00:00:00Z")! / 1000
        do {
            let writer = try IngestLogWriter(directory: dir + "/data/ingest-log/mqtt")
            for start in [old, recent] {
                for h in 0..<(10 * 24) {
                    try writer.append(origin: "lantaarn/sensors/oud/readings",
                                      payload: Array(#"{"ts":\#(start + Int64(h) * 3600),"values":{"pm25":\#(h % 40)}}"#.utf8),
                                      receivedAt: Clock.nowMilliseconds())
                }
            }
        }
        let common = ["--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", TestEnvironment.repoRoot + "/Pipelines",
                      "--config", dir + "/lantaarn.yaml"]
        let bin = TestEnvironment.lantaarn
        #expect(try runCommand(bin, ["ingest", "drain"] + common).status == 0)
        let hold = try runCommand(bin, ["hold", "add", "--sensor", "oud", "--from", "2019-03-03T00:00:00Z", "--to", "2019-03-04T00:00:00Z",
                                        "--reason", "WOO-verzoek 2026-118"] + common)
        #expect(hold.output.contains("legal hold #1"), "\(hold.output) \(hold.error)")
        #expect(try runCommand(bin, ["hold", "list"] + common).output.contains("WOO-verzoek 2026-118"))

        let dry = try runCommand(bin, ["purge", "--dry-run"] + common)
        #expect(dry.status == 0, "\(dry.error)")
        #expect(dry.output.contains("would destroy 216 readings of oud/pm25"), "\(dry.output)")
        #expect(dry.output.contains("kept 24 by legal hold #1"))

        // A pseudonym key of a week long past, and one of this week.
        try FileManager.default.createDirectory(atPath: dir + "/data/keys", withIntermediateDirectories: true)
        let oldWeek = ISO8601.parse("2026-10-04T23:00:00Z")!, thisWeek = DutchTime.weekStart(Clock.nowMilliseconds())
        for week in [oldWeek, thisWeek] {
            FileManager.default.createFile(atPath: dir + "/data/keys/pseudonym-\(week).key", contents: Data(repeating: 7, count: 32),
                                           attributes: [.posixPermissions: 0o600])
        }
        let purge = try runCommand(bin, ["purge"] + common)
        #expect(purge.output.contains("destroyed 216 readings of oud/pm25"), "\(purge.output) \(purge.error)")
        #expect(purge.output.contains("destroyed 1 pseudonym key(s) past their retention"), "\(purge.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/data/keys") == ["pseudonym-\(thisWeek).key"])
        let log = try runCommand(bin, ["purge", "log"] + common)
        #expect(log.output.contains("readings\toud/pm25"))
        #expect(log.output.contains("pseudonym-key\tweek of 2026-10-05"), "\(log.output)")
        #expect(log.output.contains("Selectielijst gemeenten 2020, 11.1"))

        let store = try SQLiteStore(dataDirectory: dir + "/data")
        #expect(try store.readingCount() == 240 + 24)
        #expect(try runCommand(bin, ["hold", "remove", "1"] + common).status == 0)
        #expect(try runCommand(bin, ["hold", "remove", "1"] + common).status != 0)
    }
}
