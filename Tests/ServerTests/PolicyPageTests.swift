import Foundation
import LantaarnModel
import Pipelines
@testable import Server
import Store
import Testing

/// `/privacy` and `/proclaimer`: Dutch, generated from the pipelines and the configured
/// retention, with the municipality's name, logo and contact from the configuration.
struct PolicyPageTests {
    let http = HTTPServerTests()

    @Test func privacyStatementAndProclaimerFromTheRegister() async throws {
        let catalog = try PipelineCatalog(directory: CKANTests.repo + "/Pipelines")
        let logo = NSTemporaryDirectory() + "lantaarn-logo-\(UUID().uuidString.prefix(8)).svg"
        let svg = #"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#
        try svg.write(toFile: logo, atomically: true, encoding: .utf8)
        try await http.withServer({ deps in
            deps.pipelines = catalog.pipelines
            deps.site = PublicSite(municipality: "Gemeente Zandvoort", contactEmail: "data@zandvoort.nl", phone: "14 023",
                                   address: "Postbus 2, 2040 AA Zandvoort", privacyOfficer: "fg@zandvoort.nl", logoFile: logo)
            var facts = PrivacyFacts()
            facts.readings = .init(keep: "5y", basis: "Selectielijst 2020, categorie 1.1")
            facts.pseudonymKeys = .init(keep: "7d", basis: "AVG art. 5")
            deps.privacy = facts
        }) { base, _ in
            let (status, html, response) = try await http.get(base + "/privacy")
            #expect(status == 200 && response.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(html.contains("<html lang=\"nl\">") && html.contains("Privacyverklaring"))
            for text in ["Gemeente Zandvoort", "data@zandvoort.nl", "14 023", "Postbus 2, 2040 AA Zandvoort", "fg@zandvoort.nl",
                         "geen cookies", "5 jaar (grondslag: Selectielijst 2020, categorie 1.1)", "1 week na die week",
                         "Autoriteit Persoonsgegevens", "src=\"/static/logo.svg\" alt=\"Logo Gemeente Zandvoort\""] {
                #expect(html.contains(text), "\(text)")
            }
            // One annex per application, each pipeline under the input it reads, with its purpose and output.
            for title in ["Sensoren op lantaarnpalen", "Meldingen openbare ruimte", "Reistijden uit kentekencamera", "Deze website"] {
                #expect(html.contains(title), "\(title)")
            }
            for p in catalog.pipelines {
                #expect(html.contains("href=\"/algoritmes#alg-\(p.name)\"") && html.contains(HTML.escape(p.purpose)), "\(p.name)")
            }
            let register = try await http.get(base + "/algoritmes").1
            #expect(catalog.pipelines.allSatisfy { register.contains("id=\"alg-\($0.name)\"") })

            let proclaimer = try await http.get(base + "/proclaimer")
            #expect(proclaimer.0 == 200 && proclaimer.1.contains("Proclaimer") && proclaimer.1.contains("Gemeente Zandvoort")
                    && proclaimer.1.contains("geen rechten ontlenen") && proclaimer.1.contains("data@zandvoort.nl"))
            // Every page's footer names the sender and links both pages.
            let page = try await http.get(base + "/algoritmes").1
            #expect(page.contains("Afzender: Gemeente Zandvoort") && page.contains("href=\"/privacy\"") && page.contains("href=\"/proclaimer\""))
            let (logoStatus, body, logoResponse) = try await http.get(base + "/static/logo.svg")
            #expect(logoStatus == 200 && body == svg && logoResponse.value(forHTTPHeaderField: "Content-Type") == "image/svg+xml")
            #expect(try await http.get(base + "/static/logo.png").0 == 404)
        }
    }
}
