import Hummingbird
import LantaarnModel
import Pipelines

/// `/algoritmes` (a plain Dutch page) and `/algoritmes.json`: every pipeline with its purpose,
/// legal basis, maturity level, stages in plain Dutch, owner, version, and the human-oversight
/// statement for forecasts and alerts; `/algoritmes/{name}.json`: one pipeline's entry in the
/// national algorithm register's publication standard 1.0 (``AlgorithmRegisterEntry``), which
/// the page shows too.
struct AlgorithmRegisterRoutes {
    let deps: ServerDependencies

    func register(on router: Router<LantaarnRequestContext>) {
        router.get("/algoritmes.json") { _, _ -> Response in
            let list = deps.pipelines.sorted { $0.name < $1.name }.map(Self.json)
            let body = JSONWriter.string(.object([("ok", .bool(true)), ("publisher", .string(deps.site.municipality)),
                                                  ("algoritmes", .array(list))]))
            return Self.json(body)
        }
        // One pipeline's entry in the national algorithm register's publication standard.
        router.get("/algoritmes/:file") { request, context -> Response in
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".json"), let p = deps.pipelines.first(where: { "\($0.name).json" == file }) else {
                throw APIError(.notFound, "there is no algorithm '\(file)'; /algoritmes.json lists them")
            }
            return Self.json(JSONWriter.string(try entry(p, base: deps.baseURL(request)).json))
        }
        router.get("/algoritmes") { request, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: try page(base: deps.baseURL(request)))))
        }
    }

    private static func json(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The register entry of `p`, in use since its dataset's first release.
    private func entry(_ p: PipelineDefinition, base: String) throws -> AlgorithmRegisterEntry {
        let publisher = AlgorithmRegisterEntry.Publisher(organisation: deps.site.municipality, contact: deps.site.contactEmail, publicURL: base)
        return AlgorithmRegisterEntry(p, publisher: publisher, firstPublished: try deps.releases.dataset(named: p.output.dataset)?.issuedAt,
                                      now: Clock.nowMilliseconds())
    }

    static func json(_ p: PipelineDefinition) -> JSONValue {
        .object([
            ("naam", .string(p.name)), ("versie", .string(p.version)), ("versie_sha256", .string(p.versionHash)),
            ("eigenaar", .string(p.owner)), ("doel", .string(p.purpose)), ("wettelijke_grondslag", .string(p.legalBasis)),
            ("volwassenheidsniveau", .number(Double(p.maturityLevel))), ("volwassenheid", .string(p.maturityText)),
            ("stappen", .array(p.stagesText.map(JSONValue.string))),
            ("menselijk_toezicht", p.oversightText.map(JSONValue.string) ?? .null),
            ("dataset", .string("/datasets/\(p.output.dataset).csv")), ("schema", .string(p.schedule.description)),
            ("algoritmeregister", .string("/algoritmes/\(p.name).json")),
        ])
    }

    /// The fields the register shows (the hidden ones, and the name, which is the heading, left out).
    private static let hidden: Set<String> = ["name", "language", "schema", "source_id", "source_link", "link"]

    private func page(base: String) throws -> String {
        var body = """
        <h1>Algoritmes</h1>
        <p>Hier staat elke rekenregel waarmee de gemeente sensorgegevens en meldingen omzet in open data:
        waarvoor, op welke grond, en wat er precies gebeurt. Geen enkele regel neemt zelf besluiten over mensen.
        Dezelfde gegevens staan per regel ook in de vorm van het landelijke Algoritmeregister.</p>
        """
        for p in deps.pipelines.sorted(by: { $0.name < $1.name }) {
            let e = try entry(p, base: base)
            body += "<section aria-labelledby=\"alg-\(HTML.escape(p.name))\"><h2 id=\"alg-\(HTML.escape(p.name))\">\(HTML.escape(p.output.title))</h2><dl>"
            for field in e.fields where !Self.hidden.contains(field.key) {
                let value = field.value.arrayValue.map { $0.compactMap(\.stringValue).joined(separator: ", ") } ?? field.value.stringValue ?? ""
                body += "<dt>\(HTML.escape(field.label))</dt><dd>\(HTML.escape(value))</dd>"
            }
            body += "<dt>Wat er gebeurt</dt><dd><ol>" + p.stagesText.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ol></dd>"
            body += "<dt>Eigenaar</dt><dd>\(HTML.escape(p.owner))</dd>"
            body += "<dt>Versie</dt><dd>\(HTML.escape(p.version)) (\(HTML.escape(String(p.versionHash.prefix(12)))))</dd>"
            body += "<dt>Uitkomst</dt><dd><a href=\"/datasets/\(HTML.escape(p.output.dataset)).csv\">\(HTML.escape(p.output.dataset))</a></dd>"
            body += "<dt>Voor het Algoritmeregister</dt><dd><a href=\"/algoritmes/\(HTML.escape(p.name)).json\">\(HTML.escape(p.name)).json</a></dd>"
            body += "</dl></section>"
        }
        return PageLayout(site: deps.site).render(title: "Algoritmes", body: body)
    }
}
