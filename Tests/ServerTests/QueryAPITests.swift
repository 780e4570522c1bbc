import Foundation
import TestSupport
import LantaarnModel
@testable import Server
import Store
import Testing

/// `/datasets/{name}/rows.json` over HTTP: filters, paging, facets, one error envelope, the
/// limits, and `/openapi.json` checked by schemathesis (PyPI, in .venv).
struct QueryAPITests {
    let http = HTTPServerTests()

    static func metadata(_ name: String, access: String = "PUBLIC") -> DatasetMetadata {
        var m = DatasetMetadata(name: name, title: "Titel \(name)", description: "D", pipeline: "p", license: "CC0-1.0", retention: "1y",
                                columns: [ColumnSpec(name: "wijk_code", type: .text, description: "Wijk"),
                                          ColumnSpec(name: "periode_start", type: .timestamp, description: "Begin"),
                                          ColumnSpec(name: "pm25", type: .number, unit: "µg/m³", description: "Fijnstof"),
                                          ColumnSpec(name: "aantal", type: .integer, description: "Metingen")])
        m.accessRights = "http://publications.europa.eu/resource/authority/access-right/\(access)"
        if access != "PUBLIC" { m.accessReason = "Vrije tekst." }
        return m
    }

    static func publish(_ store: SQLiteStore, _ name: String, rows: Int) throws {
        try store.releases.register(metadata(name))
        let data: [[CellValue]] = (0..<rows).map { (i: Int) -> [CellValue] in
            let wijk = CellValue.text(["WK039201", "WK039202", "WK039203", "WK039204"][i % 4])
            let start = CellValue.text(ISO8601.format(milliseconds: 1_763_600_000_000 + Int64(i / 4) * 3_600_000))
            let pm25: CellValue = i % 10 == 9 ? .null : .number(Double(i % 23) + 0.25)
            return [wijk, start, pm25, .integer(Int64(i % 6))]
        }
        try store.releases.publish(ReleaseDraft(dataset: name, window: TimeWindow(start: 0, end: 1), rows: data, rowsIn: rows, lineage: .null))
    }

    func rows(_ url: String) async throws -> (Int, JSONValue) {
        let (code, body, _) = try await http.get(url)
        return (code, try JSONParser.parse(body))
    }

    @Test func filtersPagingFacetsAndErrors() async throws {
        try await http.withServer { base, store in
            try Self.publish(store, "lucht", rows: 250)
            let url = base + "/datasets/lucht/rows.json"
            // Paging through a filtered, sorted query by next_url gives every matching row once.
            var next: String? = "/datasets/lucht/rows.json?wijk_code__in=WK039201,WK039203&pm25__gte=5&_sort=-pm25&_size=7"
            var seen: [Double] = []
            var pages = 0
            while let path = next {
                let (code, page) = try await rows(base + path)
                #expect(code == 200)
                for row in page["rows"]?.arrayValue ?? [] {
                    #expect(["WK039201", "WK039203"].contains(row["wijk_code"]?.stringValue ?? ""))
                    seen.append(row["pm25"]?.numberValue ?? -1)
                }
                next = page["next_url"]?.stringValue
                pages += 1
            }
            let matching: [Int] = (0..<250).filter { (i: Int) -> Bool in (i % 4 == 0 || i % 4 == 2) && i % 10 != 9 }
            let values: [Double] = matching.map { (i: Int) -> Double in Double(i % 23) + 0.25 }
            let expected: [Double] = values.filter { $0 >= 5 }.sorted(by: >)
            #expect(seen == expected && pages == (expected.count + 6) / 7)

            // Each operator, and facets.
            #expect(try await rows(url + "?aantal=3&_size=1000").1["count"]?.numberValue == 42)
            #expect(try await rows(url + "?pm25__isnull=1").1["count"]?.numberValue == 25)
            let below1: Int = (0..<250).filter { (i: Int) -> Bool in i % 23 == 0 && i % 10 != 9 }.count
            #expect(try await rows(url + "?pm25__lt=1&pm25__isnull=0&_size=1000").1["count"]?.numberValue == Double(below1))
            #expect(try await rows(url + "?wijk_code__contains=9204&_size=1000").1["count"]?.numberValue == 62)
            #expect(try await rows(url + "?periode_start__gte=2025-11-22T00:00:00Z&_size=1000").1["count"]?.numberValue ?? 0 > 0)
            let faceted = try await rows(url + "?_facet=wijk_code&_facet=aantal&aantal__lte=1&_shape=arrays&_size=2").1
            let wijken = faceted["facets"]?["wijk_code"]?["values"]?.arrayValue ?? []
            #expect(wijken.count == 4 && wijken.compactMap { $0["count"]?.numberValue }.reduce(0, +) == 84)
            #expect(faceted["rows"]?.arrayValue?.first?.arrayValue?.count == 4)
            #expect(faceted["limits"]?["max_size"]?.numberValue == 1000)

            // SQL metacharacters are values like any other: 200 with no rows.
            for value in ["'%20OR%201=1%20--", "%22;DROP%20TABLE%20dataset_row;--", "%25", "_", "%5C"] {
                let (code, page) = try await rows(url + "?wijk_code=\(value)")
                #expect(code == 200 && page["count"]?.numberValue == 0, "\(value)")
            }
            #expect(try await rows(url + "?wijk_code__contains=%27").1["count"]?.numberValue == 0)

            // Every mistake: 4xx with the one envelope, naming what to do.
            for (query, status, words) in [
                ("nope=1", 400, "no column 'nope'"), ("pm25__like=1", 400, "unknown operator"), ("pm25=abc", 400, "holds numbers"),
                ("pm25=nan", 400, "holds numbers"), ("_size=0", 400, "_size"), ("_size=1001", 400, "_size"), ("_sort=nope", 400, "no column"),
                ("_sort=", 400, "no column"), ("wijk_code__in=", 400, "comma-separated"), ("_next=garbage", 400, "_next"), ("_bogus=1", 400, "unknown parameter"),
                ("pm25__isnull=maybe", 400, "isnull"), ("wijk_code=%FF%FE", 400, "UTF-8"),
                // SQLite would read a bound text only up to a NUL: "\0' OR 1=1" matched every row (found by make verify).
                ("wijk_code__contains=%00%27%20OR%201=1", 400, "NUL"),
                ("_shape=xml", 400, "_shape"), ("_size=1&_size=2", 400, "once"),
                ("wijk_code=" + String(repeating: "a", count: 5000), 414, "longer than"),
            ] {
                let (code, body, _) = try await http.get(url + "?" + query)
                let error = try JSONParser.parse(body)
                #expect(code == status && error["ok"] == .bool(false) && error["status"]?.numberValue == Double(status)
                        && (error["error"]?.stringValue ?? "").contains(words), "\(query): \(code) \(body)")
            }
            // URLSession mends a malformed escape before sending it; curl sends it as written.
            let malformed = try await DownloadTests.curl(["-g", "-w", "%{http_code}", url + "?wijk_code=%zz"])
            #expect(String(decoding: malformed.output, as: UTF8.self).hasSuffix("percent-escape; write a % as %25, other bytes as %XX\",\"status\":400}400"))
            // A _next token refuses other filters or another sort.
            let first = try await rows(url + "?_size=5&_sort=pm25").1
            let token = try #require(first["next"]?.stringValue)
            let (code, body, _) = try await http.get(url + "?_size=5&_sort=aantal&_next=\(token)")
            #expect(code == 400 && body.contains("other filters or another sort"))
            #expect(try await rows(url + "?_size=5&_sort=pm25&_next=\(token)").0 == 200)
            #expect(try await http.get(base + "/datasets/nope/rows.json").0 == 404)
        }
    }

    @Test func closedDatasetsAndRateLimit() async throws {
        try await http.withServer({ $0.rateLimiter = RateLimiter(perSecond: 0.001, burst: 3) }) { base, store in
            try store.releases.register(Self.metadata("dicht", access: "NON_PUBLIC"))
            let (code, body, _) = try await http.get(base + "/datasets/dicht/rows.json")
            #expect(code == 403 && body.contains("Vrije tekst."))
            var statuses: [Int] = []
            var retryAfter: String?
            for _ in 0..<6 {
                let (code, _, response) = try await http.get(base + "/datasets/dicht/rows.json")
                statuses.append(code)
                if code == 429 { retryAfter = response.value(forHTTPHeaderField: "Retry-After") }
            }
            #expect(statuses.contains(429) && retryAfter.flatMap(Int.init) ?? 0 >= 1, "\(statuses)")
        }
    }

    /// schemathesis generates requests from `/openapi.json`, valid and invalid, and checks
    /// every answer against it: no 5xx, documented status codes, content types and schemas.
    @Test func schemathesisFindsNoServerErrorsOrSchemaViolations() async throws {
        let tool = try Tool("schemathesis")
        try await http.withServer({ $0.rateLimiter = nil; $0.boundaryMaps = HTTPServerTests.FakeMaps(); $0.sensors = SensorThingsTests.sensors }) { base, store in
            try Self.publish(store, "lucht", rows: 120)
            _ = try SensorThingsTests.fill(store)
            try store.releases.register(Self.metadata("dicht", access: "NON_PUBLIC"))
            let spec = try JSONParser.parse(try await http.get(base + "/openapi.json").1)
            #expect(spec["openapi"]?.stringValue == "3.1.0")
            #expect(spec["paths"]?["/datasets/lucht/rows.json"] != nil && spec["paths"]?["/datasets/dicht/rows.json"] == nil)
            let result = try await runOffPool(tool, [
                "run", base + "/openapi.json", "--url", base,
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection",
                "--max-examples", "25", "--seed", "1", "--no-color", "--suppress-health-check", "all",
                // A correctness check, not a speed one: under a full parallel run an answer can
                // wait for a thread longer than schemathesis's default 10 s.
                "--request-timeout", "60",
            ], mergingErrors: true)
            let output = String(decoding: result.output, as: UTF8.self)
            let failures = output.range(of: "FAILURES").map { String(output[$0.lowerBound...].prefix(8000)) } ?? String(output.suffix(6000))
            #expect(result.status == 0, "\(failures)")
        }
    }
}
