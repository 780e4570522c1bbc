import Hummingbird
import LantaarnModel
import Pipelines

/// `/algoritmes` (a plain Dutch page) and `/algoritmes.json`: every pipeline with its purpose,
/// legal basis, maturity level, stages in plain Dutch, owner, version, and the human-oversight
/// statement for forecasts and alerts.
struct AlgorithmRegisterRoutes {
    let deps: ServerDependencies

    func register(on router: Router<LantaarnRequestContext>) {
        router.get("/algoritmes.json") { _, _ -> Response in
            let list = deps.pipelines.sorted { $0.name < $1.name }.map(Self.json)
            let body = JSONWriter.string(.object([("ok", .bool(true)), ("publisher", .string(deps.site.municipality)),
                                                  ("algoritmes", .array(list))]))
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/algoritmes") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: page())))
        }
    }

    static func json(_ p: PipelineDefinition) -> JSONValue {
        .object([
            ("naam", .string(p.name)), ("versie", .string(p.version)), ("versie_sha256", .string(p.versionHash)),
            ("eigenaar", .string(p.owner)), ("doel", .string(p.purpose)), ("wettelijke_grondslag", .string(p.legalBasis)),
            ("volwassenheidsniveau", .number(Double(p.maturityLevel))), ("volwassenheid", .string(p.maturityText)),
            ("stappen", .array(p.stagesText.map(JSONValue.string))),
            ("menselijk_toezicht", p.oversightText.map(JSONValue.string) ?? .null),
            ("dataset", .string("/datasets/\(p.output.dataset).csv")), ("schema", .string(p.schedule.description)),
        ])
    }

    private func page() -> String {
        var body = """
        <h1>Algoritmes</h1>
        <p>Hier staat elke rekenregel waarmee de gemeente sensorgegevens en meldingen omzet in open data:
        waarvoor, op welke grond, en wat er precies gebeurt. Geen enkele regel neemt zelf besluiten over mensen.</p>
        """
        for p in deps.pipelines.sorted(by: { $0.name < $1.name }) {
            body += "<section aria-labelledby=\"alg-\(HTML.escape(p.name))\"><h2 id=\"alg-\(HTML.escape(p.name))\">\(HTML.escape(p.output.title))</h2><dl>"
            body += "<dt>Doel</dt><dd>\(HTML.escape(p.purpose))</dd>"
            body += "<dt>Wettelijke grondslag</dt><dd>\(HTML.escape(p.legalBasis))</dd>"
            body += "<dt>Soort</dt><dd>\(HTML.escape(p.maturityText))</dd>"
            body += "<dt>Wat er gebeurt</dt><dd><ol>" + p.stagesText.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ol></dd>"
            if let oversight = p.oversightText { body += "<dt>Menselijk toezicht</dt><dd>\(HTML.escape(oversight))</dd>" }
            body += "<dt>Eigenaar</dt><dd>\(HTML.escape(p.owner))</dd>"
            body += "<dt>Versie</dt><dd>\(HTML.escape(p.version)) (\(HTML.escape(String(p.versionHash.prefix(12)))))</dd>"
            body += "<dt>Uitkomst</dt><dd><a href=\"/datasets/\(HTML.escape(p.output.dataset)).csv\">\(HTML.escape(p.output.dataset))</a></dd>"
            body += "</dl></section>"
        }
        return PageLayout(site: deps.site).render(title: "Algoritmes", body: body)
    }
}
