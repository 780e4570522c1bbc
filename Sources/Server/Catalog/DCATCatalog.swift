import LantaarnModel
import Store

/// The DCAT-AP-NL 3.0 catalogue (`/catalog.ttl`, `/catalog.jsonld`), generated from each
/// dataset's metadata and releases: a distribution per download format and one for the query
/// API, spatial coverage as the CBS area codes in the rows, temporal coverage from the
/// releases' windows, frequency, licence, publisher and contact point (the configured
/// municipality), and the query API as a `dcat:DataService` described by `/openapi.json`.
/// A dataset that is not public is listed with its access rights and recorded reason, without
/// distributions ("open, tenzij").
struct DCATCatalog {
    let site: PublicSite
    /// Absolute base of every URI, e.g. `https://data.haarlem.nl`.
    let base: String

    /// One dataset with what the catalogue says of it beyond its metadata.
    struct Entry {
        var summary: DatasetSummary
        /// Area codes its current rows name, with their level (`wijk`, `buurt`, `gemeente`).
        var areas: [(level: String, code: String)]
    }

    static let dutch = "http://publications.europa.eu/resource/authority/language/NLD"

    func graph(_ entries: [Entry]) -> RDFGraph {
        var g = RDFGraph()
        let catalog = RDFGraph.Term.iri(base + "/catalog")
        let publisher = RDFGraph.Term.iri(base + "/#uitgever")
        let contact = RDFGraph.Term.iri(base + "/#contact")
        let api = RDFGraph.Term.iri(base + "/#query-api")
        let language = RDFGraph.Term.iri(Self.dutch)
        let modified = entries.compactMap(\.summary.updatedAt).max()

        g.add(catalog, [("a", .name("dcat:Catalog")), ("dct:title", .dutch("Open data van \(site.municipality)")),
                        ("dct:description", .dutch("Alle datasets die \(site.municipality) maakt uit sensoren in de openbare ruimte en uit meldingen. Open, tenzij het niet mag: gesloten datasets staan er ook, met de reden.")),
                        ("dct:publisher", publisher), ("dct:creator", publisher), ("dcat:contactPoint", contact),
                        ("dct:language", language), ("foaf:homepage", .iri(base + "/datasets")), ("dcat:service", api)])
        if let modified { g.add(catalog, "dct:modified", .dateTime(ISO8601.format(milliseconds: modified))) }
        for e in entries { g.add(catalog, "dcat:dataset", .iri(datasetURI(e.summary.metadata.name))) }

        g.add(publisher, [("a", .name("foaf:Agent")), ("a", .name("foaf:Organization")), ("foaf:name", .dutch(site.municipality))])
        g.add(contact, [("a", .name("vcard:Kind")), ("a", .name("vcard:Organization")),
                        ("vcard:fn", .dutch("\(site.municipality), team open data")),
                        ("vcard:hasEmail", .iri("mailto:" + site.contactEmail))])
        g.add(language, "a", .name("dct:LinguisticSystem"))

        var themes: [String] = []
        for e in entries {
            addDataset(e, to: &g, publisher: publisher, contact: contact, api: api, language: language)
            if let t = e.summary.metadata.theme, !themes.contains(t) { themes.append(t) }
        }
        addQueryAPI(api, to: &g, served: entries.filter(\.summary.metadata.isPublic), themes: themes,
                    publisher: publisher, contact: contact, language: language)
        return g
    }

    func datasetURI(_ name: String) -> String { base + "/datasets/" + name }

    private func addDataset(_ e: Entry, to g: inout RDFGraph, publisher: RDFGraph.Term, contact: RDFGraph.Term,
                            api: RDFGraph.Term, language: RDFGraph.Term) {
        let m = e.summary.metadata
        let dataset = RDFGraph.Term.iri(datasetURI(m.name))
        g.add(dataset, [("a", .name("dcat:Dataset")), ("dct:identifier", .literal(datasetURI(m.name))),
                        ("dct:title", .dutch(m.title)), ("dct:description", .dutch(m.description)),
                        ("dct:publisher", publisher), ("dct:creator", publisher), ("dcat:contactPoint", contact),
                        ("dct:language", language), ("dcat:landingPage", .iri(base + "/datasets?q=" + m.name)),
                        ("dct:accessRights", .iri(m.accessRights ?? "http://publications.europa.eu/resource/authority/access-right/PUBLIC"))])
        g.add(.iri(base + "/datasets?q=" + m.name), "a", .name("foaf:Document"))
        // Documentation: the pipeline in the algorithm register.
        let documentation = RDFGraph.Term.iri(base + "/algoritmes#alg-" + m.pipeline)
        g.add(dataset, "foaf:page", documentation)
        g.add(documentation, "a", .name("foaf:Document"))
        if let theme = m.theme {
            g.add(dataset, "dcat:theme", .iri(theme))
            g.add(.iri(theme), "a", .name("skos:Concept"))
        }
        if let frequency = m.frequency { g.add(dataset, "dct:accrualPeriodicity", .iri(frequency)) }
        if let issued = e.summary.issuedAt { g.add(dataset, "dct:issued", .dateTime(ISO8601.format(milliseconds: issued))) }
        if let updated = e.summary.updatedAt { g.add(dataset, "dct:modified", .dateTime(ISO8601.format(milliseconds: updated))) }
        if let release = e.summary.latestReleaseID { g.add(dataset, "dcat:version", .literal("release \(release)")) }
        if let coverage = e.summary.coverage {
            let period = g.blank()
            g.add(dataset, "dct:temporal", period)
            g.add(period, [("a", .name("dct:PeriodOfTime")),
                           ("dcat:startDate", .dateTime(ISO8601.format(milliseconds: coverage.start))),
                           ("dcat:endDate", .dateTime(ISO8601.format(milliseconds: coverage.end)))])
        }
        // Spatial coverage: the municipality, then every area code the rows name.
        let areas = (m.spatial.map { [("gemeente", $0)] } ?? []) + e.areas
        for (level, code) in areas {
            let location = RDFGraph.Term.iri(base + "/geo#\(level)-\(code)")
            g.add(dataset, "dct:spatial", location)
            g.add(location, [("a", .name("dct:Location")), ("dct:identifier", .literal(code)),
                             ("skos:prefLabel", .dutch("\(Self.levelName(level)) \(code) (CBS)"))])
        }
        let provenance = g.blank()
        g.add(dataset, "dct:provenance", provenance)
        g.add(provenance, [("a", .name("dct:ProvenanceStatement")),
                           ("rdfs:label", .dutch("Gemaakt door de rekenregel '\(m.pipeline)'; zie \(base)/algoritmes. Elke versie staat met SHA-256 en herkomst op \(base)/datasets/\(m.name)/releases."))])

        guard m.isPublic else {
            let rights = g.blank()
            g.add(dataset, "dct:rights", rights)
            g.add(rights, [("a", .name("dct:RightsStatement")),
                           ("rdfs:label", .dutch("Niet openbaar: \(m.accessReason ?? "geen reden vastgelegd")"))])
            return
        }
        let license = RDFGraph.Term.iri(Self.licenseURI(m.license))
        g.add(license, "a", .name("dct:LicenseDocument"))
        // The table schema (CSVW): column names, types, units and descriptions.
        let schema = base + "/datasets/\(m.name)\(CSVWMetadata.suffix)"
        g.add(dataset, "dct:conformsTo", .iri(schema))
        g.add(.iri(schema), "a", .name("dct:Standard"))
        for format in ExportFormat.allCases {
            let url = base + "/datasets/\(m.name).\(format.rawValue)"
            let distribution = RDFGraph.Term.iri(url)
            g.add(dataset, "dcat:distribution", distribution)
            g.add(distribution, [("a", .name("dcat:Distribution")), ("dct:title", .dutch("\(m.title) (\(format.rawValue.uppercased()))")),
                                 ("dcat:accessURL", .iri(url)), ("dcat:downloadURL", .iri(url)), ("dct:license", license),
                                 ("dct:format", .iri("http://publications.europa.eu/resource/authority/file-type/\(Self.fileType(format))")),
                                 ("dcat:mediaType", .iri("https://www.iana.org/assignments/media-types/\(format.contentType.split(separator: ";")[0])")),
                                 ("dct:language", language)])
            if let updated = e.summary.updatedAt { g.add(distribution, "dct:modified", .dateTime(ISO8601.format(milliseconds: updated))) }
            // The format's own standard; plain JSON has none beyond the table schema.
            let standard = Self.standard(format) ?? schema
            g.add(distribution, "dct:conformsTo", .iri(standard))
            g.add(.iri(standard), "a", .name("dct:Standard"))
        }
        let query = RDFGraph.Term.iri(base + "/datasets/\(m.name)/rows.json")
        g.add(dataset, "dcat:distribution", query)
        g.add(query, [("a", .name("dcat:Distribution")), ("dct:title", .dutch("\(m.title) (zoeken en filteren)")),
                      ("dcat:accessURL", query), ("dcat:accessService", api), ("dct:license", license),
                      ("dct:format", .iri("http://publications.europa.eu/resource/authority/file-type/JSON")),
                      ("dcat:mediaType", .iri("https://www.iana.org/assignments/media-types/application/json")),
                      ("dct:conformsTo", .iri(base + "/openapi.json")), ("dct:language", language)])
        g.add(.iri(base + "/openapi.json"), "a", .name("dct:Standard"))
    }

    private func addQueryAPI(_ api: RDFGraph.Term, to g: inout RDFGraph, served: [Entry], themes: [String],
                             publisher: RDFGraph.Term, contact: RDFGraph.Term, language: RDFGraph.Term) {
        let openapi = RDFGraph.Term.iri(base + "/openapi.json")
        let standard = "https://spec.openapis.org/oas/v3.1.0"
        g.add(api, [("a", .name("dcat:DataService")), ("dct:identifier", .literal(base + "/#query-api")),
                    ("dct:title", .dutch("Zoeken en filteren in de open data van \(site.municipality)")),
                    ("dct:description", .dutch("Per dataset rijen opvragen met filters, sorteren, bladeren en tellingen per waarde. Beschreven in OpenAPI 3.1.")),
                    ("dcat:endpointURL", .iri(base + "/datasets")), ("dcat:endpointDescription", openapi),
                    ("dcat:landingPage", openapi), ("dct:conformsTo", .iri(standard)),
                    ("dct:accessRights", .iri("http://publications.europa.eu/resource/authority/access-right/PUBLIC")),
                    ("dct:license", .iri(Self.licenseURI("CC0-1.0"))), ("dct:publisher", publisher), ("dct:creator", publisher),
                    ("dcat:contactPoint", contact), ("dct:language", language), ("dcat:keyword", .dutch("open data"))])
        g.add(openapi, "a", .name("foaf:Document"))
        g.add(.iri(standard), "a", .name("dct:Standard"))
        for theme in themes { g.add(api, "dcat:theme", .iri(theme)) }
        for e in served { g.add(api, "dcat:servesDataset", .iri(datasetURI(e.summary.metadata.name))) }
    }

    /// The licence as a URI: SPDX short names of the usual open licences, else the text as given if it is a URI.
    static func licenseURI(_ license: String) -> String {
        switch license.uppercased() {
        case "CC0-1.0", "CC0": "http://creativecommons.org/publicdomain/zero/1.0/deed.nl"
        case "CC-BY-4.0": "http://creativecommons.org/licenses/by/4.0/deed.nl"
        case "PDDL-1.0", "PUBLIC-DOMAIN": "http://creativecommons.org/publicdomain/mark/1.0/deed.nl"
        default: license.hasPrefix("http") ? license : "http://standaarden.overheid.nl/owms/terms/licentieonbekend"
        }
    }

    /// EU file-type authority code.
    private static func fileType(_ format: ExportFormat) -> String {
        switch format {
        case .csv: "CSV"
        case .json, .ndjson: "JSON"
        case .geojson: "GEOJSON"
        case .parquet: "PARQUET"
        }
    }

    private static func standard(_ format: ExportFormat) -> String? {
        switch format {
        case .csv: "https://www.w3.org/TR/tabular-data-primer/"
        case .geojson: "https://www.rfc-editor.org/rfc/rfc7946"
        case .ndjson: "https://github.com/ndjson/ndjson-spec"
        case .parquet: "https://parquet.apache.org/docs/file-format/"
        case .json: nil
        }
    }

    private static func levelName(_ level: String) -> String {
        switch level {
        case "wijk": "Wijk"
        case "buurt": "Buurt"
        case "gemeente": "Gemeente"
        default: level
        }
    }
}
