import Foundation
import TestSupport
import LantaarnModel
@testable import Server
import Store
import Testing

/// The CKAN Action API subset, through the real `ckanapi` client (PyPI, in .venv) and by hand.
struct CKANTests {
    let http = HTTPServerTests()
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path

    @Test func ckanapiListsAndShowsEveryDataset() async throws {
        let python = try Tool.python()
        try await http.withServer { base, store in
            for (name, access) in [("luchtkwaliteit-per-wijk-uur", "PUBLIC"), ("geluid-per-wijk-uur", "PUBLIC"), ("meldingen-teksten-week", "NON_PUBLIC")] {
                var m = DatasetAccessTests.metadata(name, access: access, reason: access == "PUBLIC" ? nil : "Vrije tekst.")
                m.title = "Titel \(name)"
                m.theme = "Lucht"
                try store.releases.register(m)
                try store.releases.publish(ReleaseDraft(dataset: name, window: TimeWindow(start: 0, end: 1), rows: [[.text("WK039201"), .integer(1)]],
                                               rowsIn: 1, lineage: .null))
            }
            let formats = ExportFormat.allCases.count
            let expected = "{\"luchtkwaliteit-per-wijk-uur\": \(formats), \"geluid-per-wijk-uur\": \(formats), \"meldingen-teksten-week\": 0}"
            let result = try await runOffPool(python, [Self.repo + "/Tests/Fixtures/ckan/ckanapi_client.py", base, expected], mergingErrors: true)
            let output = String(decoding: result.output, as: UTF8.self)
            #expect(result.status == 0 && output.contains("ckanapi ok: 3 packages, gemeente-haarlem"), "\(output)")

            // By hand: the closed dataset's reason, search by word, CKAN's error envelope.
            let shown = try JSONParser.parse(try await http.get(base + "/api/3/action/package_show?id=meldingen-teksten-week").1)
            let extras = shown["result"]?["extras"]?.arrayValue ?? []
            #expect(extras.contains { $0["key"]?.stringValue == "access_reason" && $0["value"]?.stringValue == "Vrije tekst." })
            let search = try JSONParser.parse(try await http.get(base + "/api/3/action/package_search?q=geluid").1)
            #expect(search["result"]?["count"]?.numberValue == 1)
            let (code, body, _) = try await http.get(base + "/api/3/action/package_create")
            #expect(code == 400 && body.contains("\"success\":false") && body.contains("Action name not known"))
            #expect(try await http.get(base + "/api/3/action/package_search?rows=5000").0 == 409)
        }
    }
}
