import Foundation
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LantaarnModel
@testable import Server
import Store
import Testing

/// Releases stay downloadable as published after a re-run, and datasets that are not public
/// are listed with their reason but served only through the admin API.
struct DatasetAccessTests {
    let http = HTTPServerTests()

    static func metadata(_ name: String, access: String = "PUBLIC", reason: String? = nil) -> DatasetMetadata {
        var m = DatasetMetadata(name: name, title: "T", description: "D", pipeline: "p", license: "CC0-1.0", retention: "1y",
                                columns: [ColumnSpec(name: "wijk_code", type: .text, description: ""),
                                          ColumnSpec(name: "n", type: .integer, description: "")])
        m.accessRights = "http://publications.europa.eu/resource/authority/access-right/\(access)"
        m.accessReason = reason
        return m
    }

    @Test func supersededReleasesStayAsPublished() async throws {
        try await http.withServer { base, store in
            try store.releases.register(Self.metadata("d"))
            let window = TimeWindow(start: 0, end: 3_600_000)
            // The first release spans more than one streaming page.
            let old = (0..<(DatasetDownload.pageSize + 7)).map { [CellValue.text("WK039201"), .integer(Int64($0))] }
            // An earlier pipeline version named the second column differently (the lineage records it).
            let first = try store.releases.publish(ReleaseDraft(dataset: "d", window: window, rows: old, rowsIn: 9, lineage: .object([
                ("run", .number(1)), ("columns", .array([.string("wijk_code"), .string("aantal")])),
            ])))
            let second = try store.releases.publish(ReleaseDraft(dataset: "d", window: window, rows: [[.text("WK039201"), .integer(42)]], rowsIn: 9,
                                                        lineage: .object([("run", .number(2))])))
            let releases = try store.releases.releases(dataset: "d")
            #expect(releases.map(\.id) == [first, second] && releases.map(\.current) == [false, true])
            #expect(try releases.allSatisfy { try store.releases.verify($0) }, "both releases still hash to their recorded SHA-256")

            let (status, csv, response) = try await http.get(base + "/datasets/d/releases/\(first).csv")
            #expect(status == 200 && response.value(forHTTPHeaderField: "Cache-Control")?.contains("immutable") == true)
            let lines = csv.split(separator: "\r\n")
            #expect(lines.count == old.count + 1 && lines[1] == "WK039201,0" && lines.last == "WK039201,\(old.count - 1)")
            #expect(lines.first == "wijk_code,aantal", "the release's own columns")
            let json = try JSONParser.parse(try await http.get(base + "/datasets/d/releases/\(second).json").1)
            #expect(json["rows"]?.arrayValue?.count == 1)
            // The current download holds only the new release.
            #expect(try await http.get(base + "/datasets/d.csv").1.split(separator: "\r\n") == ["wijk_code,n", "WK039201,42"])
            let listed = try JSONParser.parse(try await http.get(base + "/datasets/d/releases").1)["releases"]?.arrayValue ?? []
            #expect(listed.first?["downloads"]?["csv"]?.stringValue == "/datasets/d/releases/\(first).csv")

            for bad in ["\(first)", "\(first).xml", "x.csv", "999.csv"] {
                let (code, body, _) = try await http.get(base + "/datasets/d/releases/\(bad)")
                #expect(code == 404 && body.contains("releases lists them"), "\(bad): \(code) \(body)")
            }
            // A release superseded before superseded rows were kept (an older data directory): 410, not an empty file.
            let deleted = try await runOffPool(Tool("sqlite3"), [store.path, "DELETE FROM release_row WHERE release_id = \(first)"], mergingErrors: true)
            #expect(deleted.status == 0, "\(String(decoding: deleted.output, as: UTF8.self))")
            let (goneCode, goneBody, _) = try await http.get(base + "/datasets/d/releases/\(first).csv")
            #expect(goneCode == 410 && goneBody.contains("before Lantaarn kept superseded releases"), "\(goneBody)")
            #expect(try !store.releases.rowsKept(releases[0]) && store.releases.rowsKept(releases[1]))
            // A release id of another dataset is not found under this one.
            try store.releases.register(Self.metadata("e"))
            let other = try store.releases.publish(ReleaseDraft(dataset: "e", window: window, rows: [], rowsIn: 0, lineage: .null))
            #expect(try await http.get(base + "/datasets/d/releases/\(other).csv").0 == 404)
        }
    }

    @Test func closedDatasetsAreListedWithTheirReasonOnly() async throws {
        let token = String(repeating: "t", count: 40)
        try await http.withServer(adminToken: token) { base, store in
            try store.releases.register(Self.metadata("open"))
            try store.releases.register(Self.metadata("dicht", access: "NON_PUBLIC", reason: "Vrije tekst van bewoners."))
            for name in ["open", "dicht"] {
                try store.releases.publish(ReleaseDraft(dataset: name, window: TimeWindow(start: 0, end: 1), rows: [[.text("WK039201"), .integer(1)]],
                                               rowsIn: 1, lineage: .null))
            }
            let list = try JSONParser.parse(try await http.get(base + "/datasets").1)["datasets"]?.arrayValue ?? []
            let closed = try #require(list.first { $0["name"]?.stringValue == "dicht" })
            #expect(closed["public"] == .bool(false) && closed["downloads"] == nil)
            #expect(closed["access_reason"]?.stringValue == "Vrije tekst van bewoners.")
            #expect(list.first { $0["name"]?.stringValue == "open" }?["downloads"] != nil)

            let id = try #require(try store.releases.releases(dataset: "dicht").first?.id)
            for path in ["/datasets/dicht.csv", "/datasets/dicht.json", "/datasets/dicht/releases/\(id).csv"] {
                let (code, body, _) = try await http.get(base + path)
                #expect(code == 403 && body.contains("is not public: Vrije tekst van bewoners.") && !body.contains("WK039201"), "\(path): \(body)")
            }
            #expect(try await http.request(base + "/admin/datasets/dicht.csv", token: nil).0 == 401)
            let (code, csv) = try await http.request(base + "/admin/datasets/dicht.csv", token: token)
            #expect(code == 200 && csv.contains("WK039201,1"))
            #expect(try await http.request(base + "/admin/datasets/nope.csv", token: token).0 == 404)
        }
    }
}
