import Foundation
import TestSupport
import Ingest
import LantaarnModel
import Store
import Testing

/// `lantaarn geo import|locate|list` through the real binary: vintages at ingest, history
/// kept unless `--reassign`, clear errors for bad files.
@Suite(.serialized)
struct GeoCLITests {
    static let boundaries = TestEnvironment.repoRoot + "/../shared/data/boundaries"

    @Test func vintagesAtIngestAndReassign() async throws {
        let dir = try TestEnvironment.scratch("geo")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sensors = dir + "/Sensors"
        try FileManager.default.createDirectory(atPath: sensors, withIntermediateDirectories: true)
        // At Paviljoen Welgelegen: CBS 2014 wijk WK039204, municipal 2020 wijk WK039202.
        try """
        sensors:
          - {id: welgelegen, lamppost: W-1, kind: lucht, lat: 52.37389, lon: 4.63389, quantities: {pm25: {unit: "µg/m³", min: 0, max: 500}}}
        """.write(toFile: sensors + "/s.yaml", atomically: true, encoding: .utf8)
        let common = ["--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", TestEnvironment.repoRoot + "/Pipelines"]
        let bin = TestEnvironment.lantaarn

        let cbs = try await runCommand(bin, ["geo", "import", Self.boundaries + "/cbs_wijk_2014_haarlem_GM0392.geojson", "--level", "wijk", "--vintage", "2014"] + common)
        #expect(cbs.status == 0, "\(cbs.error)")
        #expect(cbs.output.contains("9 wijk areas of vintage 2014") && cbs.output.contains("code from 'statcode'"), "\(cbs.output)")
        let municipal = try await runCommand(bin, ["geo", "import", Self.boundaries + "/haarlem_wijken.geojson", "--level", "wijk", "--vintage", "2020",
                                             "--gemeente", "GM0392"] + common)
        #expect(municipal.output.contains("21 local numbers expanded to CBS codes"), "\(municipal.output) \(municipal.error)")
        #expect(try await runCommand(bin, ["geo", "import", Self.boundaries + "/cbs_gemeente_2015_selected.geojson", "--level", "gemeente",
                                     "--vintage", "2015"] + common).status == 0)

        let old = try await runCommand(bin, ["geo", "locate", "52.37389", "4.63389", "--at", "2016-01-01"] + common)
        #expect(old.output.contains("WK039204") && old.output.contains("wijk 2014") && old.output.contains("GM0392"), "\(old.output)")
        let now = try await runCommand(bin, ["geo", "locate", "52.37389", "4.63389"] + common)
        #expect(now.output.contains("WK039202") && now.output.contains("Haarlemmerhoutkwartier"), "\(now.output)")
        let outside = try await runCommand(bin, ["geo", "locate", "52.37302", "4.89244"] + common)
        #expect(outside.output.contains("unknown") && outside.output.contains("GM0363"), "\(outside.output)")
        let swapped = try await runCommand(bin, ["geo", "locate", "4.63389", "52.37389"] + common)
        #expect(swapped.status != 0 && swapped.error.contains("latitude first"), "\(swapped.error)")
        #expect(try await runCommand(bin, ["geo", "list"] + common).output.split(separator: "\n").count == 3)
        let check = try await runCommand(bin, ["sensors", "check"] + common)
        #expect(check.output.contains("welgelegen") && check.output.contains("GM0392 WK039202 -"), "\(check.output) \(check.error)")
        #expect(check.output.contains("1 sensors; 0 outside every wijk"))

        // Readings of 2019 and 2026, each assigned with the boundaries of its own date.
        let y2019 = ISO8601.parse("2019-06-01T00:00:00Z")! / 1000, y2026 = ISO8601.parse("2026-11-01T00:00:00Z")! / 1000
        do {
            let writer = try IngestLogWriter(directory: dir + "/data/ingest-log/mqtt")
            for start in [y2019, y2026] {
                for h in 0..<48 {
                    try writer.append(origin: "lantaarn/sensors/welgelegen/readings",
                                      payload: Array(#"{"ts":\#(start + Int64(h) * 3600),"values":{"pm25":\#(h)}}"#.utf8),
                                      receivedAt: (start + Int64(h) * 3600) * 1000)   // received when measured: 2019 is past the default 5-year retention
                }
            }
        }
        #expect(try await runCommand(bin, ["ingest", "drain"] + common).status == 0)
        #expect(try wijken(dir) == ["2019:WK039204": 48, "2026:WK039202": 48])

        // A new vintage from 2025: stored readings keep their wijk unless asked.
        let args = ["geo", "import", Self.boundaries + "/cbs_wijk_2014_haarlem_GM0392.geojson", "--level", "wijk", "--vintage", "2025"] + common
        let kept = try await runCommand(bin, args)
        #expect(kept.output.contains("48 stored readings dated from 2025-01-01 on keep the wijk"), "\(kept.output)")
        #expect(try wijken(dir) == ["2019:WK039204": 48, "2026:WK039202": 48])
        let moved = try await runCommand(bin, args + ["--reassign"])
        #expect(moved.output.contains("moved 48 stored readings"), "\(moved.output) \(moved.error)")
        #expect(try wijken(dir) == ["2019:WK039204": 48, "2026:WK039204": 48])
    }

    @Test func badFilesGetClearErrors() async throws {
        let dir = try TestEnvironment.scratch("geo-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/bad.geojson"
        try #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"statcode":"WK039201"},"geometry":{"type":"Polygon","coordinates":[[[4.6,52.3],[4.61,52.3],[4.61,52.31],[4.6,52.3]]]}},{"type":"Feature","properties":{"statcode":"WK039202"},"geometry":{"type":"Polygon","coordinates":[[[4.6,52.3],[4.61,52.3],[4.61,52.31],[4.6,52.31]]]}}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let common = ["--data-dir", dir + "/data"]
        let r = try await runCommand(TestEnvironment.lantaarn, ["geo", "import", file, "--level", "wijk", "--vintage", "2024"] + common)
        #expect(r.status != 0)
        #expect(r.error.contains("bad.geojson: feature 1: polygon 0 ring 0 of WK039202 is not closed"), "\(r.error)")
        let list = try await runCommand(TestEnvironment.lantaarn, ["geo", "list"] + common)
        #expect(list.output.contains("no boundaries imported"), "nothing half-imported: \(list.output)")
        let level = try await runCommand(TestEnvironment.lantaarn, ["geo", "import", file, "--level", "stadsdeel", "--vintage", "2024"] + common)
        #expect(level.status != 0 && level.error.contains("gemeente, wijk or buurt"))
    }

    /// Stored readings per "year:wijk".
    func wijken(_ dir: String) throws -> [String: Int] {
        let store = try SQLiteStore(dataDirectory: dir + "/data")
        var out: [String: Int] = [:]
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max)) { r in
            out["\(ISO8601.format(milliseconds: r.timestamp).prefix(4)):\(r.wijk?.rawValue ?? "")", default: 0] += 1
        }
        return out
    }
}
