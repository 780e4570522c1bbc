import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import LantaarnModel
import Pipelines
import Logging
import NIOCore
@testable import Server
import Store
import Testing
import TestSupport

/// Runs the real application on a free loopback port and talks HTTP to it.
struct HTTPServerTests {
    func withServer(role: ServerRole = .all, tls: TLSFiles? = nil, accessLog: Logger? = nil, headDeadline: TimeAmount = .seconds(10),
                    adminToken: String? = nil, console: Bool = false,
                    _ configure: (inout ServerDependencies) -> Void = { _ in },
                    _ body: (String, SQLiteStore) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "lantaarn-http-\(UUID().uuidString.prefix(8))"
        let store = try SQLiteStore(dataDirectory: dir)
        var deps = ServerDependencies(releases: store.releases, site: PublicSite())
        deps.observations = store.readings
        deps.admin = StaffAccess(staff: store.staff, alerts: store.meldingen, sharedToken: adminToken)
        if console {
            deps.console = ConsoleSources(desk: ApprovalDesk(staff: store.staff, holds: store.retention), holds: { try store.retention.holds() },
                                          staleWindows: { [] }, quarantine: { try store.readings.quarantine(limit: 5000) },
                                          retry: { "\($0): 0 vensters gedraaid." }, replay: { "0 berichten gecontroleerd." })
        }
        configure(&deps)
        let port = PortBox()
        var hooks = ApplicationHooks()
        hooks.headDeadline = headDeadline
        // The tests read the access log only when they hand one in.
        hooks.accessLog = accessLog ?? Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        hooks.onServerRunning = { channel in await port.set(channel.localAddress?.port ?? 0) }
        let running = try buildApplication(deps, host: "127.0.0.1", port: 0, logger: Logger(label: "test"), role: role, tls: tls,
                                           hooks: hooks)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await running.runService() }
            var p = 0
            for _ in 0..<100 where p == 0 {
                try await Task.sleep(for: .milliseconds(50))
                p = await port.value
            }
            try #require(p != 0)
            try await body("\(tls == nil ? "http" : "https")://127.0.0.1:\(p)", store)
            group.cancelAll()
        }
    }

    func get(_ url: String) async throws -> (Int, String, HTTPURLResponse) {
        let (data, response) = try await URLSession.loopback.data(from: URL(string: url)!)
        let http = response as! HTTPURLResponse
        return (http.statusCode, String(decoding: data, as: UTF8.self), http)
    }

    @Test func healthDatasetsDownloadsAndErrors() async throws {
        try await withServer { base, store in
            let (status, body, response) = try await get(base + "/-/health")
            #expect(status == 200)
            #expect(try JSONParser.parse(body)["ok"] == .bool(true))
            #expect(response.value(forHTTPHeaderField: "Content-Security-Policy")?.contains("default-src 'none'") == true)

            let meta = DatasetMetadata(name: "d", title: "T", description: "D", pipeline: "p", license: "CC0-1.0", retention: "1y",
                                       columns: [ColumnSpec(name: "wijk_code", type: .text, description: ""),
                                                 ColumnSpec(name: "n", type: .integer, description: "")])
            try store.releases.register(meta)
            // More rows than one streaming page, across two windows: the download must hold them all.
            let rows = (0..<(DatasetDownload.pageSize + 500)).map { [CellValue.text("WK0392\($0 % 21)"), .integer(Int64($0))] }
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 3_600_000), rows: rows, rowsIn: 1, lineage: .null))
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 3_600_000, end: 7_200_000),
                                           rows: [[.text("WK039201"), .integer(-1)]], rowsIn: 1, lineage: .null))

            let list = try JSONParser.parse(try await get(base + "/datasets").1)
            #expect(list["datasets"]?.arrayValue?.first?["rows"]?.numberValue == Double(rows.count + 1))

            let (csvStatus, csv, csvResponse) = try await get(base + "/datasets/d.csv")
            #expect(csvStatus == 200)
            #expect(csvResponse.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/csv") == true)
            let lines = csv.split(separator: "\r\n")
            #expect(lines.count == rows.count + 2)
            #expect(lines.first == "wijk_code,n")
            #expect(lines.last == "WK039201,-1")

            let json = try JSONParser.parse(try await get(base + "/datasets/d.json").1)
            #expect(json["row_count"]?.numberValue == Double(rows.count + 1))
            #expect(json["rows"]?.arrayValue?.count == rows.count + 1)

            // Releases: one per window, versioned, with a SHA-256; a re-run adds version 2 and becomes current.
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 3_600_000, end: 7_200_000),
                                           rows: [[.text("WK039201"), .integer(-2)]], rowsIn: 1, lineage: .null))
            let releases = try #require(try JSONParser.parse(try await get(base + "/datasets/d/releases").1)["releases"]?.arrayValue)
            #expect(releases.count == 3)
            #expect(releases.map { $0["version"]?.numberValue } == [1, 1, 2] && releases.map { $0["current"] } == [.bool(true), .bool(false), .bool(true)])
            #expect(releases.allSatisfy { $0["sha256"]?.stringValue?.count == 64 } && releases[1]["sha256"] != releases[2]["sha256"])
            #expect(try await get(base + "/datasets/nope/releases").0 == 404)
            let (missing, error, _) = try await get(base + "/datasets/nope.csv")
            #expect(missing == 404)
            let envelope = try JSONParser.parse(error)
            #expect(envelope["ok"] == .bool(false) && envelope["status"]?.numberValue == 404)
            #expect(envelope["error"]?.stringValue?.contains("nope") == true)
            #expect(try await get(base + "/datasets/d.xlsx").0 == 404)
            #expect(try await get(base + "/no/such/page").0 == 404)
        }
    }

    struct FakeMaps: BoundaryMaps {
        func available() -> [(level: String, vintage: Int)] { [("wijk", 2020)] }
        func geoJSON(level: String, vintage: Int, tolerance: Double?) -> [UInt8]? {
            guard level == "wijk", vintage == 2020 else { return nil }
            return Array(#"{"type":"FeatureCollection","tolerance":\#(tolerance ?? -1),"features":[]}"#.utf8)
        }
    }

    @Test func boundaryMapsWithCachingAndErrors() async throws {
        try await withServer({ $0.boundaryMaps = FakeMaps() }) { base, _ in
            let list = try JSONParser.parse(try await get(base + "/geo").1)
            #expect(list["boundaries"]?.arrayValue?.first?["url"]?.stringValue == "/geo/wijk/2020.geojson")
            let (status, body, response) = try await get(base + "/geo/wijk/2020.geojson?tolerance=12.5")
            #expect(status == 200 && body.contains(#""tolerance":12.5"#))
            #expect(response.value(forHTTPHeaderField: "Content-Type") == "application/geo+json")
            let etag = try #require(response.value(forHTTPHeaderField: "ETag"))
            var request = URLRequest(url: URL(string: base + "/geo/wijk/2020.geojson?tolerance=12.5")!)
            request.setValue(etag, forHTTPHeaderField: "If-None-Match")
            let (_, revalidated) = try await URLSession.loopback.data(for: request)
            #expect((revalidated as! HTTPURLResponse).statusCode == 304)
            for (path, code, text) in [("/geo/wijk/1999.geojson", 404, "no wijk boundaries of 1999"),
                                       ("/geo/wijk/2020.json", 404, "/geo/LEVEL/YEAR.geojson"),
                                       ("/geo/wijk/2020.geojson?tolerance=-1", 400, "tolerance"),
                                       ("/geo/wijk/2020.geojson?tolerance=abc", 400, "tolerance")] {
                let (s, e, _) = try await get(base + path)
                #expect(s == code, "\(path)")
                #expect(try JSONParser.parse(e)["error"]?.stringValue?.contains(text) == true, "\(path): \(e)")
            }
        }
    }

    func request(_ url: String, method: String = "GET", token: String?, body: String? = nil) async throws -> (Int, String) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { r.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.loopback.data(for: r)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    /// Alerts are read and acknowledged through the admin API only, with the bearer token.
    @Test func adminAPIAcknowledgesAlerts() async throws {
        let token = String(repeating: "k", count: 40)
        try await withServer(adminToken: token) { base, store in
            try store.meldingen.recordAlerts([MeldingAlert(weekStart: 1_709_506_800_000, wijk: "WK039201", kind: .spike, categories: "Afval",
                                                 observed: 40, expected: 8.2, tail: 1e-9, createdAt: 1)], weekStart: 1_709_506_800_000)
            #expect(try await request(base + "/admin/alerts", token: nil).0 == 401)
            #expect(try await request(base + "/admin/alerts", token: token + "x").0 == 401)
            #expect(try await request(base + "/admin/alerts", token: String(repeating: "k", count: 39)).0 == 401)
            let (status, body) = try await request(base + "/admin/alerts", token: token)
            #expect(status == 200)
            let alert = try #require(try JSONParser.parse(body)["alerts"]?.arrayValue?.first)
            #expect(alert["wijk"]?.stringValue == "WK039201" && alert["kind"]?.stringValue == "spike")
            let id = Int(alert["id"]!.numberValue!)
            let page = try await request(base + "/intern/waarschuwingen", token: token)
            #expect(page.0 == 200 && page.1.contains("WK039201") && page.1.contains("Piek"))
            #expect(try await request(base + "/admin/alerts/\(id)/acknowledge", method: "POST", token: token, body: "{}").0 == 400)
            #expect(try await request(base + "/admin/alerts/\(id)/acknowledge", method: "POST", token: token,
                                      body: #"{"by":"wijkteam-noord","note":"container geleegd"}"#).0 == 200)
            #expect(try await request(base + "/admin/alerts/\(id)/acknowledge", method: "POST", token: token,
                                      body: #"{"by":"wijkteam-noord"}"#).0 == 409)
            #expect(try JSONParser.parse(try await request(base + "/admin/alerts", token: token).1)["alerts"]?.arrayValue?.isEmpty == true)
            let all = try JSONParser.parse(try await request(base + "/admin/alerts?all=1", token: token).1)
            #expect(all["alerts"]?.arrayValue?.first?["acknowledged_by"]?.stringValue == "wijkteam-noord")
        }
        // Without a shared token and before any staff account exists, nobody gets in.
        try await withServer { base, _ in
            let (code, body) = try await request(base + "/admin/alerts", token: token)
            #expect(code == 401 && body.contains("unknown token"), "\(body)")
        }
        let scratch = try SQLiteStore(dataDirectory: NSTemporaryDirectory() + "lantaarn-admin-\(UUID().uuidString.prefix(6))")
        #expect(StaffAccess(staff: scratch.staff, alerts: scratch.meldingen, sharedToken: "short") == nil)
    }

    /// The algorithm register lists every pipeline of the repository in plain Dutch, with the
    /// human-oversight statement where a pipeline predicts or warns.
    @Test func algorithmRegister() async throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path
        let catalog = try PipelineCatalog(directory: repo + "/Pipelines")
        try await withServer({ $0.pipelines = catalog.pipelines }) { base, _ in
            let (status, html, _) = try await get(base + "/algoritmes")
            #expect(status == 200)
            for p in catalog.pipelines { #expect(html.contains(HTML.escape(p.output.title)), "\(p.name)") }
            #expect(html.contains("Menselijke tussenkomst") && html.contains("3 – voorspellend") && html.contains("Afwegingen"))
            let json = try JSONParser.parse(try await get(base + "/algoritmes.json").1)
            let list = try #require(json["algoritmes"]?.arrayValue)
            #expect(list.count == catalog.pipelines.count && list.count >= 5)
            let prognose = try #require(list.first { $0["naam"]?.stringValue == "meldingen-prognose-week" })
            #expect(prognose["menselijk_toezicht"]?.stringValue?.contains("advies") == true)
            #expect(list.first { $0["naam"]?.stringValue == "luchtkwaliteit-per-wijk-uur" }?["menselijk_toezicht"] == .null)

            // Every pipeline's entry in the national publication standard validates against its
            // JSON Schema (python-jsonschema); the page shows the same fields.
            let dir = NSTemporaryDirectory() + "lantaarn-register-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var files: [String] = []
            for p in catalog.pipelines {
                let (code, body, response) = try await get(base + "/algoritmes/\(p.name).json")
                #expect(code == 200 && response.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("application/json") == true)
                let entry = try JSONParser.parse(body)
                #expect(entry["source_id"]?.stringValue == p.name && entry["organization"]?.stringValue == "Gemeente Haarlem")
                #expect(entry["status"]?.stringValue == "In ontwikkeling", "nothing published yet")
                #expect(entry["source_link"]?.stringValue == base + "/algoritmes/\(p.name).json")
                #expect(html.contains(HTML.escape(try #require(entry["considerations"]?.stringValue))))
                files.append(dir + "/\(p.name).json")
                try body.write(toFile: files.last!, atomically: true, encoding: .utf8)
            }
            let schema = repo + "/../shared/data/standards/algoritmeregister/algoritmeregister-publicatiestandaard-v1.0.0.schema.json"
            let checked = try await runOffPool(try Tool.python(), [repo + "/Tests/Fixtures/register/validate_register.py", schema] + files, mergingErrors: true)
            let report = String(decoding: checked.output, as: UTF8.self)
            #expect(checked.status == 0 && report.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == catalog.pipelines.count, "\(report)")
            let category = try JSONParser.parse(try await get(base + "/algoritmes/reistijden-veerhaven-uur.json").1)
            #expect(category["publication_category"]?.stringValue == "Overige algoritmes (Categorie C)")
            #expect(category["data"]?.stringValue?.contains("kentekencamera") == true)
            #expect(try await get(base + "/algoritmes/bestaat-niet.json").0 == 404)
        }
    }

    @Test func pipelineStatusPage() async throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path
        let catalog = try PipelineCatalog(directory: repo + "/Pipelines")
        let failed = PipelineRunRecord(pipeline: "geluid-per-wijk-uur", versionSHA256: "x", startedAt: 1_795_341_600_000, endedAt: 1_795_341_600_120,
                                       range: TimeWindow(start: 0, end: 3_600_000), windows: 0, rowsIn: 0, rowsOut: 0, outcome: "failed",
                                       error: "database is locked")
        try await withServer({ deps in deps.pipelines = catalog.pipelines; deps.pipelineRuns = { [failed] } }) { base, _ in
            let (status, html, _) = try await get(base + "/-/pipelines")
            #expect(status == 200 && html.contains("mislukt: database is locked") && html.contains("Nog niet gedraaid"))
            for p in catalog.pipelines { #expect(html.contains(p.name)) }
        }
    }

    @Test func metricsAndIngestStatus() async throws {
        let now: Int64 = 1_795_341_600_000
        try await withServer({ deps in
            deps.metrics = { Array("# TYPE lantaarn_ingest_messages_total counter\nlantaarn_ingest_messages_total{sensor=\"a\",outcome=\"stored\"} 3\n".utf8) }
            deps.ingestStatus = {
                IngestStatus(now: now, sensors: [
                    .init(id: "a", kind: "lucht", received: 3, stored: 3, quarantined: 0, duplicates: 0, lastSeen: now - 60_000),
                    .init(id: "b<script>", kind: "geluid", received: 5, stored: 4, quarantined: 1, duplicates: 0, lastSeen: now - 7_200_000),
                    .init(id: "c", kind: "mensen", received: 0, stored: 0, quarantined: 0, duplicates: 0, lastSeen: nil),
                ])
            }
        }) { base, _ in
            let (status, text, response) = try await get(base + "/-/metrics")
            #expect(status == 200 && text.contains(#"lantaarn_ingest_messages_total{sensor="a",outcome="stored"} 3"#))
            #expect(response.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let (pageStatus, page, _) = try await get(base + "/-/ingest")
            #expect(pageStatus == 200 && page.contains("<html lang=\"nl\">"))
            #expect(page.contains("2 van de 3 sensoren stuurden het afgelopen uur niets"))
            // Never heard first, then the longest silent; the live one is not listed as silent.
            let silentList = try #require(page.components(separatedBy: "<h2>Alle sensoren</h2>").first)
            #expect(silentList.range(of: "c (mensen)")!.lowerBound < silentList.range(of: "b&lt;script&gt;")!.lowerBound)
            #expect(!silentList.contains("<li>a (lucht)"))
            #expect(!page.contains("<script>"))
        }
    }

    @Test func dashboardWithoutDataExplainsItself() async throws {
        let dashboards = try DashboardCatalog(directory: CKANTests.repo + "/Dashboards",
                                              pipelines: try PipelineCatalog(directory: CKANTests.repo + "/Pipelines").pipelines)
        try await withServer({ $0.dashboards = dashboards }) { base, _ in
            let (status, html, response) = try await get(base + "/dashboards/luchtkwaliteit")
            #expect(status == 200)
            #expect(html.contains("lang=\"nl\""))
            #expect(html.contains("Afzender: Gemeente Haarlem"))
            #expect(html.contains("nog niet gepubliceerd"))
            #expect(response.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/html") == true)
            let (missing, body, _) = try await get(base + "/dashboards/bestaat-niet")
            #expect(missing == 404 && body.contains("/dashboards lists them"))
            let (indexStatus, index, _) = try await get(base + "/dashboards")
            #expect(indexStatus == 200 && index.contains("href=\"/dashboards/meldingen\""))
        }
    }
}

actor PortBox {
    var value = 0
    func set(_ v: Int) { value = v }
}
