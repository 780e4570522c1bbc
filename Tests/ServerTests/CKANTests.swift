import Foundation
import LantaarnModel
@testable import Server
import Store
import Testing

/// The CKAN Action API subset, through the real `ckanapi` client (PyPI, in .venv) and by hand.
struct CKANTests {
    let http = HTTPServerTests()
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path

    /// Runs a program off the concurrency pool (the server under test streams on it).
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let p = Process()
                    p.executableURL = URL(fileURLWithPath: executable)
                    p.arguments = arguments
                    let pipe = Pipe()
                    p.standardOutput = pipe
                    p.standardError = pipe
                    try p.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    p.waitUntilExit()
                    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
                })
            }
        }
    }

    @Test func ckanapiListsAndShowsEveryDataset() async throws {
        let python = Self.repo + "/.venv/bin/python"
        try #require(FileManager.default.isExecutableFile(atPath: python), "run 'make test': it installs ckanapi into .venv")
        try await http.withServer { base, store in
            for (name, access) in [("luchtkwaliteit-per-wijk-uur", "PUBLIC"), ("geluid-per-wijk-uur", "PUBLIC"), ("meldingen-teksten-week", "NON_PUBLIC")] {
                var m = DatasetAccessTests.metadata(name, access: access, reason: access == "PUBLIC" ? nil : "Vrije tekst.")
                m.title = "Titel \(name)"
                m.theme = "Lucht"
                try store.register(m)
                try store.publish(ReleaseDraft(dataset: name, window: TimeWindow(start: 0, end: 1), rows: [[.text("WK039201"), .integer(1)]],
                                               rowsIn: 1, lineage: .null))
            }
            let formats = ExportFormat.allCases.count
            let expected = "{\"luchtkwaliteit-per-wijk-uur\": \(formats), \"geluid-per-wijk-uur\": \(formats), \"meldingen-teksten-week\": 0}"
            let result = try await Self.run(python, [Self.repo + "/Tests/Fixtures/ckan/ckanapi_client.py", base, expected])
            #expect(result.status == 0 && result.output.contains("ckanapi ok: 3 packages, gemeente-haarlem"), "\(result.output)")

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
