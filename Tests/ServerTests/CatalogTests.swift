import Foundation
import TestSupport
import LantaarnModel
@testable import Server
import Store
import Testing

/// The catalogue, validated with pyshacl (PyPI, in .venv) against the official DCAT-AP-NL 3.0
/// shapes in ../shared and the DCAT-AP 3.0.1 (EU) constraints in Tests/Fixtures/dcat, and the
/// HTML catalogue page with its search.
struct CatalogTests {
    let http = HTTPServerTests()
    static let shapes = CKANTests.repo + "/../shared/data/dcat/dcat-ap-nl-3.0"
    static let euShapes = CKANTests.repo + "/Tests/Fixtures/dcat/dcat-ap-3.0.1/dcat-ap-SHACL-constraints.ttl"
    static let validator = CKANTests.repo + "/Tests/Fixtures/dcat/validate_catalog.py"

    static func fill(_ store: SQLiteStore) throws {
        for (name, access, theme, top) in [("luchtkwaliteit-per-wijk-uur", "PUBLIC", "Lucht", "Natuur_en_milieu"),
                                           ("geluid-per-wijk-uur", "PUBLIC", "Geluid_(thema)", "Natuur_en_milieu"),
                                           ("meldingen-teksten-week", "NON_PUBLIC", "Ruimte_en_infrastructuur", "Ruimte_en_infrastructuur")] {
            var m = DatasetAccessTests.metadata(name, access: access, reason: access == "PUBLIC" ? nil : "Vrije tekst van inwoners kan persoonsgegevens bevatten.")
            m.title = "Titel \(name) <&>"
            m.description = "Beschrijving met \"aanhalingstekens\" en een\nregelovergang."
            m.theme = "http://standaarden.overheid.nl/owms/terms/\(theme)"
            m.euTheme = ThemeVocabulary.euTheme(owms: m.theme!, topLevel: top)
            if name.hasPrefix("geluid") { m.keywords = ["geluid", "Lden"] }
            m.frequency = "http://publications.europa.eu/resource/authority/frequency/HOURLY"
            m.spatial = "GM0392"
            try store.releases.register(m)
            for hour in 0..<3 {
                let window = TimeWindow(start: 1_763_600_000_000 + Int64(hour) * 3_600_000, end: 1_763_600_000_000 + Int64(hour + 1) * 3_600_000)
                try store.releases.publish(ReleaseDraft(dataset: name, window: window, rows: [[.text("WK039201"), .integer(1)], [.text("WK039205"), .integer(2)]],
                                               rowsIn: 2, lineage: .null))
            }
        }
    }

    @Test func catalogueValidatesUnderDCATAPNLAndEUShapes() async throws {
        let python = try Tool.python()
        try #require(FileManager.default.fileExists(atPath: Self.shapes + "/geonovum-nl30_dcat-ap-nl-SHACL.ttl"), "the shapes are in ../shared/data/dcat")
        try await http.withServer({ $0.boundaryMaps = DownloadTests.HaarlemMaps() }) { base, store in
            try Self.fill(store)
            let dir = NSTemporaryDirectory() + "lantaarn-dcat-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let formats = ExportFormat.allCases.count + 1   // the downloads and the query API
            let expected = "{\"luchtkwaliteit-per-wijk-uur\": \(formats), \"geluid-per-wijk-uur\": \(formats), \"meldingen-teksten-week\": 0}"
            for (path, format, type) in [("/catalog.ttl", "turtle", "text/turtle"), ("/catalog.jsonld", "json-ld", "application/ld+json")] {
                let (code, body, response) = try await http.get(base + path)
                #expect(code == 200 && (response.value(forHTTPHeaderField: "Content-Type") ?? "").hasPrefix(type))
                let file = dir + "/catalog." + format
                try body.write(toFile: file, atomically: true, encoding: .utf8)
                // Every wijk location has a bounding box and centroid in Haarlem (4.64 E, 52.38 N).
                let result = try await runOffPool(python, [Self.validator, file, format, Self.shapes, Self.euShapes, expected, "4.64,52.38"],
                                                  mergingErrors: true)
                let output = String(decoding: result.output, as: UTF8.self)
                #expect(result.status == 0 && output.contains("DCAT-AP-NL 3.0: 0 violations") && output.contains("DCAT-AP 3.0.1: 0 violations"),
                        "\(path): \(output.suffix(4000))")
                print("\(path): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            let ttl = try await http.get(base + "/catalog.ttl").1
            try ttl.write(toFile: NSTemporaryDirectory() + "lantaarn-last-catalog.ttl", atomically: true, encoding: .utf8)
            #expect(ttl.contains("\"WK039205\"") && ttl.contains("Vrije tekst van inwoners") && ttl.contains("mailto:opendata@haarlem.nl"))
            #expect(ttl.contains("<\(base)/openapi.json>"))
            #expect(ttl.contains("<http://publications.europa.eu/resource/authority/data-theme/ENVI>") && ttl.contains("\"Milieu\"@nl"))
            #expect(ttl.contains("dcat:keyword \"geluid\"@nl") && ttl.contains("dcat:keyword \"Lucht\"@nl"))
        }
    }

    @Test func shapesCatchABrokenCatalogue() async throws {
        // The validator is not a rubber stamp: a dataset without publisher, theme or contact fails.
        let python = try Tool.python()
        let file = NSTemporaryDirectory() + "lantaarn-dcat-broken-\(UUID().uuidString.prefix(8)).ttl"
        try """
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix dct: <http://purl.org/dc/terms/> .
        <http://x/catalog> a dcat:Catalog ; dcat:dataset <http://x/datasets/d> .
        <http://x/datasets/d> a dcat:Dataset ; dct:title "d"@nl .
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await runOffPool(python, [Self.validator, file, "turtle", Self.shapes, Self.euShapes, "{\"d\": 0}"],
                                          mergingErrors: true)
        let output = String(decoding: result.output, as: UTF8.self)
        #expect(result.status != 0 && output.contains("DCAT-AP-NL 3.0:") && output.contains("violations"), "\(output.suffix(2000))")
    }

    @Test func euShapesCatchWhatTheDutchOnesLetPass() async throws {
        // The catalogue as it was before DCAT-AP 3.0.1: a media type and a theme without their
        // class and label pass DCAT-AP-NL 3.0 but not the EU profile.
        let python = try Tool.python()
        var catalogue = ""
        try await http.withServer { base, store in
            try Self.fill(store)
            catalogue = try await http.get(base + "/catalog.ttl").1
        }
        let broken = catalogue.replacingOccurrences(of: " a dct:MediaType", with: " a dct:Standard")
            .replacingOccurrences(of: "skos:prefLabel \"Lucht\"@nl", with: "skos:notation \"Lucht\"")
        #expect(broken != catalogue)
        let file = NSTemporaryDirectory() + "lantaarn-dcat-eu-\(UUID().uuidString.prefix(8)).ttl"
        try broken.write(toFile: file, atomically: true, encoding: .utf8)
        let formats = ExportFormat.allCases.count + 1
        let expected = "{\"luchtkwaliteit-per-wijk-uur\": \(formats), \"geluid-per-wijk-uur\": \(formats), \"meldingen-teksten-week\": 0}"
        let result = try await runOffPool(python, [Self.validator, file, "turtle", Self.shapes, Self.euShapes, expected], mergingErrors: true)
        let output = String(decoding: result.output, as: UTF8.self)
        #expect(result.status != 0 && !output.contains("DCAT-AP-NL 3.0:") && output.contains("DCAT-AP 3.0.1:")
                && output.contains("ClassConstraintComponent") && output.contains("MinCountConstraintComponent"), "\(output.suffix(3000))")
    }

    @Test func htmlCatalogueWithSearch() async throws {
        try await http.withServer { base, store in
            try Self.fill(store)
            func page(_ query: String) async throws -> (Int, String) {
                let result = try await runOffPool(Tool("curl"), ["-s", "-g", "-H", "Accept: text/html,application/xhtml+xml", "-w", "\n%{http_code}", base + "/datasets" + query])
                let text = String(decoding: result.output, as: UTF8.self)
                let status = Int(text.split(separator: "\n").last ?? "") ?? 0
                return (status, text)
            }
            let (code, all) = try await page("")
            #expect(code == 200 && all.contains("<html lang=\"nl\">") && all.contains("3 datasets."))
            #expect(all.contains("Titel luchtkwaliteit-per-wijk-uur &lt;&amp;&gt;") && !all.contains("<&>"))
            #expect(all.contains("Niet openbaar.</strong> Reden: Vrije tekst van inwoners"))
            #expect(all.contains("href=\"/datasets/geluid-per-wijk-uur.csv\"") && !all.contains("href=\"/datasets/meldingen-teksten-week.csv\""))
            let (_, found) = try await page("?q=geluid")
            #expect(found.contains("1 van de 3 datasets") && found.contains("id=\"geluid-per-wijk-uur\"") && !found.contains("id=\"luchtkwaliteit-per-wijk-uur\""))
            let (_, none) = try await page("?q=%3Cscript%3E")
            #expect(none.contains("0 van de 3") && none.contains("&lt;script&gt;") && !none.contains("<script>"))
            #expect(try await page("?q=%FF").0 == 400)
            // Clients that do not ask for HTML keep getting the JSON list.
            let json = try JSONParser.parse(try await http.get(base + "/datasets").1)
            #expect(json["datasets"]?.arrayValue?.count == 3)
            #expect(try JSONParser.parse(try await http.get(base + "/datasets.json").1)["datasets"]?.arrayValue?.count == 3)
        }
    }
}
