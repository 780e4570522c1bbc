import LantaarnModel
import Pipelines
import Store

/// `/-/pipelines`: every pipeline with its schedule and its latest runs (when, which windows,
/// rows in and out, and the error of a failed run), for the data team.
struct PipelineStatusPage {
    let site: PublicSite
    let pipelines: [PipelineDefinition]
    let runs: [PipelineRunRecord]

    func render() -> String {
        var body = """
        <h1>Pipelines</h1>
        <p>Elke pipeline met zijn schema en de laatste keren dat hij draaide. Een mislukte run wordt
        opnieuw geprobeerd: na 1, 2, 4 minuten en zo verder, tot hooguit een uur ertussen.</p>
        """
        for p in pipelines.sorted(by: { $0.name < $1.name }) {
            let mine = runs.filter { $0.pipeline == p.name }.prefix(10)
            body += "<section><h2>\(HTML.escape(p.name))</h2><p>Schema '\(HTML.escape(p.schedule.description))', versie \(HTML.escape(p.version)), uitkomst <a href=\"/datasets/\(HTML.escape(p.output.dataset))/releases\">\(HTML.escape(p.output.dataset))</a>.</p>"
            if mine.isEmpty {
                body += "<p>Nog niet gedraaid.</p></section>"
                continue
            }
            body += "<table><caption>Laatste runs van \(HTML.escape(p.name))</caption><thead><tr><th scope=\"col\">Begin</th><th scope=\"col\">Duur</th><th scope=\"col\">Vensters</th><th scope=\"col\">Erin</th><th scope=\"col\">Eruit</th><th scope=\"col\">Uitkomst</th></tr></thead><tbody>"
            for r in mine {
                let outcome = r.outcome == "ok" ? "gelukt" : "mislukt: \(HTML.escape(r.error ?? ""))"
                body += "<tr><td>\(HTML.escape(ISO8601.format(milliseconds: r.startedAt)))</td><td>\(r.endedAt - r.startedAt) ms</td><td>\(r.windows) (\(HTML.escape(ISO8601.format(milliseconds: r.range.start))) – \(HTML.escape(ISO8601.format(milliseconds: r.range.end))))</td><td>\(r.rowsIn)</td><td>\(r.rowsOut)</td><td>\(outcome)</td></tr>"
            }
            body += "</tbody></table></section>"
        }
        return PageLayout(site: site).render(title: "Pipelines", body: body)
    }
}
