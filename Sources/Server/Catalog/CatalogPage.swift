import Foundation
import LantaarnModel
import Pipelines
import Store

/// `/datasets` for people (HTML, plain Dutch): every dataset with what it holds, how fresh it
/// is, its downloads and query link, or why it is closed; a search form (`?q=`) that works
/// without JavaScript.
struct CatalogPage {
    let site: PublicSite

    /// Datasets whose name, title, description or theme contain every word of `query`
    /// (the catalogue page, `/datasets.json` and CKAN's `package_search`; Solr's match-all
    /// `*:*` and `*` mean no word).
    static func matching(_ datasets: [DatasetSummary], query: String) -> [DatasetSummary] {
        let words = query.lowercased().split(whereSeparator: { $0.isWhitespace || $0 == "+" }).filter { $0 != "*:*" && $0 != "*" }
        return datasets.filter { s in
            let m = s.metadata
            let text = [m.name, m.title, m.description, m.theme ?? ""].joined(separator: " ").lowercased()
            return words.allSatisfy { text.contains($0) }
        }
    }

    /// The last disclosure audit of each dataset (`lantaarn datasets audit`), by name, with when it ran.
    var reports: [String: (report: DisclosureReport, auditedAt: Int64)] = [:]

    /// The stored disclosure reports of `datasets`.
    static func reports(_ datasets: [DatasetSummary], store: any ReleaseStore) -> [String: (report: DisclosureReport, auditedAt: Int64)] {
        var out: [String: (DisclosureReport, Int64)] = [:]
        for d in datasets {
            guard let stored = try? store.disclosureReport(dataset: d.metadata.name),
                  let report = try? JSONDecoder().decode(DisclosureReport.self, from: Data(stored.report.utf8)) else { continue }
            out[d.metadata.name] = (report, stored.auditedAt)
        }
        return out
    }

    func render(_ datasets: [DatasetSummary], query: String) -> String {
        let hits = Self.matching(datasets, query: query)
        var body = """
        <h1>Open data</h1>
        <p>\(HTML.escape(site.municipality)) maakt van metingen van sensoren en van meldingen open data. U mag alles gebruiken.
        Persoonsgegevens zitten er niet in. Sommige datasets zijn niet openbaar; dan staat erbij waarom.</p>
        <form method="get" action="/datasets" role="search">
        <label for="zoek">Zoek een dataset</label>
        <input id="zoek" name="q" type="search" value="\(HTML.escape(query))">
        <button type="submit">Zoeken</button>
        </form>
        <p>Voor computers: <a href="/catalog.ttl">catalogus in DCAT-AP-NL (Turtle)</a>, <a href="/catalog.jsonld">in JSON-LD</a>,
        <a href="/datasets.json">lijst in JSON</a> en <a href="/openapi.json">beschrijving van de API</a>.</p>
        """
        body += query.isEmpty
            ? "<p>\(hits.count) datasets.</p>\n"
            : "<p role=\"status\">\(hits.count) van de \(datasets.count) datasets passen bij “\(HTML.escape(query))”.</p>\n"
        for s in hits { body += section(s) }
        return PageLayout(site: site).render(title: "Open data", body: body)
    }

    private func section(_ s: DatasetSummary) -> String {
        let m = s.metadata
        var out = "<section id=\"\(HTML.escape(m.name))\">\n<h2>\(HTML.escape(m.title))</h2>\n<p>\(HTML.escape(m.description))</p>\n<dl>\n"
        if let updated = s.updatedAt {
            out += "<dt>Bijgewerkt</dt><dd>\(HTML.escape(LocalTime.dateTime(updated)))</dd>\n"
        }
        if let c = s.coverage {
            out += "<dt>Periode</dt><dd>\(HTML.escape(LocalTime.date(c.start))) tot \(HTML.escape(LocalTime.date(c.end)))</dd>\n"
        }
        out += "<dt>Rijen</dt><dd>\(s.rowCount)</dd>\n"
        out += "<dt>Gemaakt door</dt><dd><a href=\"/algoritmes#alg-\(HTML.escape(m.pipeline))\">rekenregel \(HTML.escape(m.pipeline))</a></dd>\n"
        out += "<dt>Licentie</dt><dd>\(HTML.escape(m.license))</dd>\n"
        if let privacy = privacy(m) { out += "<dt>Privacy</dt><dd>\(privacy)</dd>\n" }
        out += "</dl>\n"
        guard m.isPublic else {
            return out + "<p><strong>Niet openbaar.</strong> Reden: \(HTML.escape(m.accessReason ?? "geen reden vastgelegd"))</p>\n</section>\n"
        }
        let label = HTML.escape(m.title)
        out += "<p>Downloaden: "
        out += ExportFormat.allCases.map {
            "<a href=\"/datasets/\(HTML.escape(m.name)).\($0.rawValue)\" aria-label=\"\(label) als \($0.rawValue.uppercased())\">\($0.rawValue.uppercased())</a>"
        }.joined(separator: " · ")
        out += "</p>\n<p><a href=\"/datasets/\(HTML.escape(m.name))/rows.json\">Zoeken en filteren (API)</a> · "
        out += "<a href=\"/datasets/\(HTML.escape(m.name))/releases\">alle versies</a> · "
        out += "<a href=\"/datasets/\(HTML.escape(m.name))\(CSVWMetadata.suffix)\">beschrijving van de kolommen</a></p>\n</section>\n"
        return out
    }

    /// What the last disclosure audit found, in plain Dutch, without any held-back number.
    private func privacy(_ m: DatasetMetadata) -> String? {
        guard let spec = m.disclosure else { return nil }
        if !spec.counts.contains(where: \.isProtected) {
            return "De aantallen tellen metingen van sensoren, geen mensen. Daarom laten we er niets uit weg."
        }
        guard let (r, at) = reports[m.name] else {
            return "Aantallen kleiner dan \(spec.k) laten we weg, en ook de getallen waarmee je ze zou kunnen uitrekenen. De controle daarvan is nog niet gedaan."
        }
        var text = "Van de \(r.cells) aantallen laten we er \(r.suppressed) weg: ze zijn kleiner dan \(r.k), of je zou er met de andere getallen een klein aantal mee kunnen uitrekenen. "
        if let smallest = r.smallestInterval {
            text += "Ook wie alle getallen van alle datasets samen gebruikt, kan een weggelaten aantal niet preciezer bepalen dan tussen twee getallen die \(smallest) of meer uit elkaar liggen (de grens is \(r.protection)). "
        } else if r.suppressed > 0 {
            text += "Uit de andere getallen is van een weggelaten aantal geen bovengrens af te leiden. "
        }
        if r.exposed > 0 {
            text += "Let op: bij de laatste controle waren \(r.exposed) weggelaten aantallen te precies uit te rekenen. De gemeente lost dit op. "
        }
        return HTML.escape(text + "Gecontroleerd op \(LocalTime.dateTime(at)).")
    }
}
