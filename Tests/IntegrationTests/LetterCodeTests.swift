import Foundation
import Ingest
import LantaarnModel
import Store
import TestSupport
import Testing

/// Amsterdam's CBS codes carry letters (`WK0363AD`, `BU0363AD03`). An Amsterdam-style boundary
/// file in RD New, with the codes in a property of its own, imports and locates, and the codes
/// travel everywhere a code goes: sensors, readings, meldingen, pipelines (a wijk filter, wijk
/// and buurt rows, the gemeente), legal holds, the row filter of the HTTP API, the catalogue,
/// the boundaries served and a dashboard's map.
@Suite(.serialized)
struct LetterCodeTests {
    /// Two wijken side by side around the Dam (RD New metres), each one buurt.
    static let areas = [("WK0363AD", "BU0363AD03", "Oude Zijde", 118_000, 121_000), ("wk0363ae", "BU0363AE01", "Nieuwmarkt", 121_000, 124_000)]

    static func boundaryFile(level: String) -> String {
        let features = areas.map { wijk, buurt, name, x0, x1 in
            let ring = "[[\(x0),485000],[\(x1),485000],[\(x1),490000],[\(x0),490000],[\(x0),485000]]"
            return #"{"type":"Feature","properties":{"ams_code":"\#(level == "wijk" ? wijk : buurt)","naam":"\#(name)"},"geometry":{"type":"Polygon","coordinates":[\#(ring)]}}"#
        }
        return #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":[\#(features.joined(separator: ","))]}"#
    }

    @Test func amsterdamCodesTravelEverywhere() async throws {
        let dir = try TestEnvironment.scratch("letters")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = TestEnvironment.repoRoot
        let fm = FileManager.default
        for folder in ["Sensors", "Pipelines"] { try fm.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true) }
        try fm.copyItem(atPath: repo + "/Pipelines/mappings", toPath: dir + "/Pipelines/mappings")
        // The repository's pipelines, for Amsterdam; the air one keeps one wijk (written in lower case).
        for name in ["luchtkwaliteit-per-wijk-uur", "meldingen-per-wijk-week"] {
            var text = try String(contentsOfFile: repo + "/Pipelines/\(name).yaml", encoding: .utf8).replacingOccurrences(of: "GM0392", with: "GM0363")
            if name.hasPrefix("lucht") {
                text = text.replacingOccurrences(of: "stages:\n", with: "stages:\n  - filter: {wijken: [wk0363ad]}\n")
                let buurt = text.replacingOccurrences(of: "space: wijk", with: "space: buurt")
                    .replacingOccurrences(of: "luchtkwaliteit-per-wijk-uur", with: "luchtkwaliteit-per-buurt-uur")
                    .replacingOccurrences(of: "  - filter: {wijken: [wk0363ad]}\n", with: "")
                try buurt.write(toFile: dir + "/Pipelines/luchtkwaliteit-per-buurt-uur.yaml", atomically: true, encoding: .utf8)
            }
            try text.write(toFile: dir + "/Pipelines/\(name).yaml", atomically: true, encoding: .utf8)
        }
        // One sensor in each wijk (lon 4.87 and 4.92 at lat 52.37: about 1.2 km either side of x = 121,000).
        try """
        sensors:
          - {id: ams-ad, lamppost: A-1, kind: lucht, lat: 52.37, lon: 4.87, quantities: {pm25: {unit: "µg/m³", min: 0, max: 500}}}
          - {id: ams-ae, lamppost: A-2, kind: lucht, lat: 52.37, lon: 4.92, quantities: {pm25: {unit: "µg/m³", min: 0, max: 500}}}
        """.write(toFile: dir + "/Sensors/s.yaml", atomically: true, encoding: .utf8)
        let common = ["--data-dir", dir + "/data", "--sensors", dir + "/Sensors", "--pipelines", dir + "/Pipelines",
                      "--dashboards", repo + "/Dashboards"]
        let bin = TestEnvironment.lantaarn

        // Import: RD New, the codes in 'ams_code', one of them in lower case.
        for level in ["wijk", "buurt"] {
            let file = dir + "/\(level).geojson"
            try Self.boundaryFile(level: level).write(toFile: file, atomically: true, encoding: .utf8)
            let r = try await runCommand(bin, ["geo", "import", file, "--level", level, "--vintage", "2024", "--code-field", "ams_code"] + common)
            #expect(r.status == 0 && r.output.contains("2 \(level) areas of vintage 2024"), "\(r.output) \(r.error)")
        }
        let gemeente = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"statcode":"GM0363","statnaam":"Amsterdam"},"geometry":{"type":"Polygon","coordinates":[[[118000,485000],[124000,485000],[124000,490000],[118000,490000],[118000,485000]]]}}]}"#
        try gemeente.write(toFile: dir + "/gemeente.geojson", atomically: true, encoding: .utf8)
        #expect(try await runCommand(bin, ["geo", "import", dir + "/gemeente.geojson", "--level", "gemeente", "--vintage", "2024"] + common).status == 0)
        let wrong = try await runCommand(bin, ["geo", "import", dir + "/wijk.geojson", "--level", "buurt", "--vintage", "2024", "--code-field", "ams_code"] + common)
        #expect(wrong.status != 0 && wrong.error.contains("'WK0363AD' is not a CBS buurt code (BU, the gemeente's 4 digits and 4 digits or capital letters"),
                "\(wrong.error)")

        let located = try await runCommand(bin, ["geo", "locate", "52.37", "4.87"] + common)
        #expect(located.output.contains("GM0363") && located.output.contains("WK0363AD") && located.output.contains("BU0363AD03"), "\(located.output)")
        let check = try await runCommand(bin, ["sensors", "check"] + common)
        #expect(check.output.contains("GM0363 WK0363AD BU0363AD03") && check.output.contains("GM0363 WK0363AE BU0363AE01"), "\(check.output) \(check.error)")

        // Readings of the last hours, placed in their wijk at ingest.
        let now = Clock.nowMilliseconds()
        let hour = now / 3_600_000 * 3_600_000 - 3 * 3_600_000
        do {
            let writer = try IngestLogWriter(directory: dir + "/data/ingest-log/mqtt")
            for sensor in ["ams-ad", "ams-ae"] {
                for m in 0..<60 {
                    try writer.append(origin: "lantaarn/sensors/\(sensor)/readings",
                                      payload: Array(#"{"ts":\#(hour / 1000 + Int64(m) * 60),"values":{"pm25":\#(5 + m % 7)}}"#.utf8),
                                      receivedAt: now)
                }
            }
        }
        #expect(try await runCommand(bin, ["ingest", "drain"] + common).status == 0)
        do {
            let store = try SQLiteStore(dataDirectory: dir + "/data")
            var wijken: [String: Int] = [:]
            try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: hour, end: hour + 3_600_000)) { wijken[$0.wijk?.rawValue ?? "-", default: 0] += 1 }
            #expect(wijken == ["WK0363AD": 60, "WK0363AE": 60])
        }
        // Meldingen reported in Oude Zijde: placed there, counted in its row and the gemeente's.
        let signals = (1...6).map { i in
            #"{"id":\#(i),"text":"Lamp kapot","category":{"sub_category":"/signals/v1/public/terms/categories/wegen-verkeer-straatmeubilair/sub_categories/straatverlichting-openbare-klok"},"location":{"geometrie":{"type":"Point","coordinates":[4.87,52.37]}},"created_at":"2026-11-1\#(i)T10:00:00+01:00","source":"online"}"#
        }
        try ("[" + signals.joined(separator: ",") + "]").write(toFile: dir + "/signals.json", atomically: true, encoding: .utf8)
        let meldingen = try await runCommand(bin, ["ingest", dir + "/signals.json", "--format", "signalen"] + common)
        #expect(meldingen.status == 0 && meldingen.output.contains("outside every wijk or without a position: 0"), "\(meldingen.output) \(meldingen.error)")

        let from = ISO8601.format(milliseconds: hour), to = ISO8601.format(milliseconds: hour + 3_600_000)
        for (name, start, end) in [("luchtkwaliteit-per-wijk-uur", from, to), ("luchtkwaliteit-per-buurt-uur", from, to),
                                   ("meldingen-per-wijk-week", "2026-11-09T00:00:00Z", "2026-11-23T00:00:00Z")] {
            let r = try await runCommand(bin, ["pipeline", "run", name, "--from", start, "--to", end] + common)
            #expect(r.status == 0, "\(name): \(r.output) \(r.error)")
        }
        // Holds name the wijk as CBS writes it, whatever the case typed.
        let hold = try await runCommand(bin, ["hold", "add", "--wijk", "wk0363ad", "--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z",
                                        "--reason", "WOO-2026-12"] + common)
        #expect(hold.status == 0 && hold.output.contains("on wijk WK0363AD"), "\(hold.output) \(hold.error)")
        let badHold = try await runCommand(bin, ["hold", "add", "--wijk", "WK0363A", "--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z",
                                           "--reason", "x"] + common)
        #expect(badHold.status != 0 && badHold.error.contains("not a CBS wijk code"), "\(badHold.error)")

        let port = freeLoopbackPort()
        let serve = try ChildProcess(bin, ["serve", "--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"] + common,
                                     stderrFile: dir + "/serve.err")
        defer { serve.stop(signal: SIGKILL) }
        #expect(await waitUntil(timeout: 30) { isListening(port) }, "serve did not start: \(serve.stderrText)")
        let base = "http://127.0.0.1:\(port)"
        let air = try await httpGet(base + "/datasets/luchtkwaliteit-per-wijk-uur.csv").body
        #expect(air.contains("WK0363AD,Oude Zijde") && !air.contains("WK0363AE"), "the filter keeps one wijk: \(air)")
        let buurten = try await httpGet(base + "/datasets/luchtkwaliteit-per-buurt-uur.csv").body
        #expect(buurten.contains("BU0363AD03,Oude Zijde") && buurten.contains("BU0363AE01,Nieuwmarkt"), "\(buurten)")
        let rows = try await httpGet(base + "/datasets/meldingen-per-wijk-week/rows.json?wijk_code=WK0363AD")
        #expect(rows.status == 200 && rows.body.contains("\"WK0363AD\"") && !rows.body.contains("\"GM0363\""), "\(rows.body)")
        let city = try await httpGet(base + "/datasets/meldingen-per-wijk-week/rows.json?wijk_code=GM0363&hoofdcategorie=alle")
        #expect(city.body.contains("\"GM0363\""), "\(city.body)")
        let catalogue = try await httpGet(base + "/catalog.ttl").body
        for code in ["geo#gemeente-GM0363", "geo#wijk-WK0363AD", "geo#buurt-BU0363AE01"] {
            #expect(catalogue.contains(code), "catalogue has no \(code)")
        }
        let shapes = try await httpGet(base + "/geo/buurt/2024.geojson").body
        #expect(shapes.contains("BU0363AD03") && shapes.contains("BU0363AE01"), "\(shapes.prefix(300))")
        let dashboard = try await httpGet(base + "/dashboards/luchtkwaliteit")
        #expect(dashboard.status == 200 && dashboard.body.contains("Oude Zijde"), "\(dashboard.body.prefix(500))")
    }
}
