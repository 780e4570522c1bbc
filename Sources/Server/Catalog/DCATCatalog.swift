import LantaarnModel
import Store

/// The DCAT-AP-NL 3.0 catalogue (`/catalog.ttl`, `/catalog.jsonld`), generated from each
/// dataset's metadata and releases: a distribution per download format and one for the query
/// API, spatial coverage as the CBS area codes in the rows (with bounding box and centroid),
/// temporal coverage from the releases' windows, frequency, licence, publisher and contact
/// point (the configured municipality), and the query API as a `dcat:DataService` described by
/// `/openapi.json`. A dataset that is not public is listed with its access rights and recorded
/// reason, without distributions ("open, tenzij"). It also meets DCAT-AP 3.0.1 (EU), which
/// data.europa.eu harvests from data.overheid.nl: every linked resource has its class, each
/// OWMS theme an EU data theme next to it, distributions a description and planned
/// availability, and the catalogue its theme taxonomies, licence, issue date and coverage.
struct DCATCatalog {
    let site: PublicSite
    /// Absolute base of every URI, e.g. `https://data.haarlem.nl`.
    let base: String
    /// Bounding boxes and centroids of the areas named as spatial coverage.
    var extents: AreaExtents = .none

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
        let homepage = RDFGraph.Term.iri(base + "/datasets")
        let modified = entries.compactMap(\.summary.updatedAt).max()
        let issued = entries.compactMap(\.summary.issuedAt).min()
        let catalogLicense = license("CC0-1.0", to: &g)

        g.add(catalog, [("a", .name("dcat:Catalog")), ("dct:title", .dutch("Open data van \(site.municipality)")),
                        ("dct:description", .dutch("Alle datasets die \(site.municipality) maakt uit sensoren in de openbare ruimte en uit meldingen. Open, tenzij het niet mag: gesloten datasets staan er ook, met de reden.")),
                        ("dct:publisher", publisher), ("dct:creator", publisher), ("dcat:contactPoint", contact),
                        ("dct:language", language), ("foaf:homepage", homepage), ("dcat:service", api),
                        ("dct:license", catalogLicense)])
        g.add(homepage, "a", .name("foaf:Document"))
        if let modified { g.add(catalog, "dct:modified", .dateTime(ISO8601.format(milliseconds: modified))) }
        if let issued { g.add(catalog, "dct:issued", .dateTime(ISO8601.format(milliseconds: issued))) }
        for (scheme, title) in [(ThemeVocabulary.owmsScheme, "Taxonomie Beleidsagenda (data.overheid.nl)"),
                                (ThemeVocabulary.euScheme, "Gegevensthema's van de Europese Unie")] {
            g.add(catalog, "dcat:themeTaxonomy", .iri(scheme))
            g.add(.iri(scheme), [("a", .name("skos:ConceptScheme")), ("dct:title", .dutch(title))])
        }
        for code in Set(entries.compactMap(\.summary.metadata.spatial)).sorted() {
            let municipality = location("gemeente", code, to: &g)
            g.add(catalog, "dct:spatial", municipality)
        }
        for e in entries { g.add(catalog, "dcat:dataset", .iri(datasetURI(e.summary.metadata.name))) }

        g.add(publisher, [("a", .name("foaf:Agent")), ("a", .name("foaf:Organization")), ("foaf:name", .dutch(site.municipality))])
        g.add(contact, [("a", .name("vcard:Kind")), ("a", .name("vcard:Organization")),
                        ("vcard:fn", .dutch("\(site.municipality), team open data")),
                        ("vcard:hasEmail", .iri("mailto:" + site.contactEmail))])
        g.add(language, "a", .name("dct:LinguisticSystem"))

        var themes: [String] = []
        for e in entries {
            addDataset(e, to: &g, publisher: publisher, contact: contact, api: api, language: language)
            for t in [e.summary.metadata.theme, e.summary.metadata.euTheme].compactMap({ $0 }) where !themes.contains(t) { themes.append(t) }
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
        let rights = accessRights(m.accessRights, to: &g)
        g.add(dataset, [("a", .name("dcat:Dataset")), ("dct:identifier", .literal(datasetURI(m.name))),
                        ("dct:title", .dutch(m.title)), ("dct:description", .dutch(m.description)),
                        ("dct:publisher", publisher), ("dct:creator", publisher), ("dcat:contactPoint", contact),
                        ("dct:language", language), ("dcat:landingPage", .iri(base + "/datasets?q=" + m.name)),
                        ("dct:accessRights", rights)])
        g.add(.iri(base + "/datasets?q=" + m.name), "a", .name("foaf:Document"))
        // Documentation: the pipeline in the algorithm register.
        let documentation = RDFGraph.Term.iri(base + "/algoritmes#alg-" + m.pipeline)
        g.add(dataset, "foaf:page", documentation)
        g.add(documentation, "a", .name("foaf:Document"))
        for theme in [m.theme, m.euTheme].compactMap({ $0 }) {
            let term = concept(theme, to: &g)
            g.add(dataset, "dcat:theme", term)
        }
        let keywords = m.keywords ?? [m.theme.map(ThemeVocabulary.owmsLabel), m.euTheme.flatMap(ThemeVocabulary.euLabel)].compactMap { $0 }
        for keyword in keywords { g.add(dataset, "dcat:keyword", .dutch(keyword)) }
        if let frequency = m.frequency {
            g.add(dataset, "dct:accrualPeriodicity", .iri(frequency))
            g.add(.iri(frequency), "a", .name("dct:Frequency"))
        }
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
            let term = location(level, code, to: &g)
            g.add(dataset, "dct:spatial", term)
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
        let license = self.license(m.license, to: &g)
        // Releases are kept as long as the dataset's retention says (DatasetRetention.text).
        let availability = self.availability(m.retention == "blijvend" ? "STABLE" : "AVAILABLE", to: &g)
        // The table schema (CSVW): column names, types, units and descriptions.
        let schema = base + "/datasets/\(m.name)\(CSVWMetadata.suffix)"
        g.add(dataset, "dct:conformsTo", .iri(schema))
        g.add(.iri(schema), "a", .name("dct:Standard"))
        for format in ExportFormat.allCases {
            let url = base + "/datasets/\(m.name).\(format.rawValue)"
            let distribution = RDFGraph.Term.iri(url)
            let fileType = self.fileType(Self.fileType(format), to: &g)
            let mediaType = self.mediaType(String(format.contentType.split(separator: ";")[0]), to: &g)
            g.add(dataset, "dcat:distribution", distribution)
            g.add(distribution, [("a", .name("dcat:Distribution")), ("dct:title", .dutch("\(m.title) (\(format.rawValue.uppercased()))")),
                                 ("dct:description", .dutch(Self.describe(format))),
                                 ("dcat:accessURL", .iri(url)), ("dcat:downloadURL", .iri(url)), ("dct:license", license),
                                 ("dct:format", fileType), ("dcat:mediaType", mediaType),
                                 ("dct:language", language), ("dcatap:availability", availability)])
            if let updated = e.summary.updatedAt { g.add(distribution, "dct:modified", .dateTime(ISO8601.format(milliseconds: updated))) }
            // The format's own standard; plain JSON has none beyond the table schema.
            let standard = Self.standard(format) ?? schema
            g.add(distribution, "dct:conformsTo", .iri(standard))
            g.add(.iri(standard), "a", .name("dct:Standard"))
        }
        let query = RDFGraph.Term.iri(base + "/datasets/\(m.name)/rows.json")
        let (json, jsonType, available) = (fileType("JSON", to: &g), mediaType("application/json", to: &g), self.availability("AVAILABLE", to: &g))
        g.add(dataset, "dcat:distribution", query)
        g.add(query, [("a", .name("dcat:Distribution")), ("dct:title", .dutch("\(m.title) (zoeken en filteren)")),
                      ("dct:description", .dutch("Rijen opvragen met filters, sorteren, bladeren en tellingen per waarde, als JSON.")),
                      ("dcat:accessURL", query), ("dcat:accessService", api), ("dct:license", license),
                      ("dct:format", json), ("dcat:mediaType", jsonType),
                      ("dct:conformsTo", .iri(base + "/openapi.json")), ("dct:language", language),
                      ("dcatap:availability", available)])
        g.add(.iri(base + "/openapi.json"), "a", .name("dct:Standard"))
    }

    private func addQueryAPI(_ api: RDFGraph.Term, to g: inout RDFGraph, served: [Entry], themes: [String],
                             publisher: RDFGraph.Term, contact: RDFGraph.Term, language: RDFGraph.Term) {
        let openapi = RDFGraph.Term.iri(base + "/openapi.json")
        let standard = "https://spec.openapis.org/oas/v3.1.0"
        let (rights, license) = (accessRights(nil, to: &g), self.license("CC0-1.0", to: &g))
        g.add(api, [("a", .name("dcat:DataService")), ("dct:identifier", .literal(base + "/#query-api")),
                    ("dct:title", .dutch("Zoeken en filteren in de open data van \(site.municipality)")),
                    ("dct:description", .dutch("Per dataset rijen opvragen met filters, sorteren, bladeren en tellingen per waarde. Beschreven in OpenAPI 3.1.")),
                    ("dcat:endpointURL", .iri(base + "/datasets")), ("dcat:endpointDescription", openapi),
                    ("dcat:landingPage", openapi), ("dct:conformsTo", .iri(standard)),
                    ("dct:accessRights", rights),
                    ("dct:license", license), ("dct:publisher", publisher), ("dct:creator", publisher),
                    ("dcat:contactPoint", contact), ("dct:language", language), ("dcat:keyword", .dutch("open data"))])
        g.add(openapi, "a", .name("foaf:Document"))
        g.add(.iri(standard), "a", .name("dct:Standard"))
        for theme in themes {
            let term = concept(theme, to: &g)
            g.add(api, "dcat:theme", term)
        }
        for e in served { g.add(api, "dcat:servesDataset", .iri(datasetURI(e.summary.metadata.name))) }
    }

    // MARK: Linked resources, each with its class (DCAT-AP 3.0.1 checks the class of every one)

    private static let authority = "http://publications.europa.eu/resource/authority/"

    /// An OWMS or EU data theme as a concept with its label and scheme.
    private func concept(_ uri: String, to g: inout RDFGraph) -> RDFGraph.Term {
        let term = RDFGraph.Term.iri(uri)
        let eu = uri.hasPrefix(ThemeVocabulary.euScheme + "/")
        g.add(term, [("a", .name("skos:Concept")),
                     ("skos:prefLabel", .dutch(eu ? ThemeVocabulary.euLabel(uri) ?? uri : ThemeVocabulary.owmsLabel(uri))),
                     ("skos:inScheme", .iri(eu ? ThemeVocabulary.euScheme : ThemeVocabulary.owmsScheme))])
        return term
    }

    /// A CBS area as a location with its code, name, bounding box and centroid.
    private func location(_ level: String, _ code: String, to g: inout RDFGraph) -> RDFGraph.Term {
        let location = RDFGraph.Term.iri(base + "/geo#\(level)-\(code)")
        g.add(location, [("a", .name("dct:Location")), ("dct:identifier", .literal(code)),
                         ("skos:prefLabel", .dutch("\(Self.levelName(level)) \(code) (CBS)"))])
        if let extent = extents.extent(level: level, code: code) {
            g.add(location, [("dcat:bbox", .literal(extent.bboxWKT, datatype: "gsp:wktLiteral")),
                             ("dcat:centroid", .literal(extent.centroidWKT, datatype: "gsp:wktLiteral"))])
        }
        return location
    }

    private func license(_ license: String, to g: inout RDFGraph) -> RDFGraph.Term {
        let term = RDFGraph.Term.iri(Self.licenseURI(license))
        g.add(term, "a", .name("dct:LicenseDocument"))
        return term
    }

    /// EU access-right authority URI (PUBLIC when none is recorded) as a rights statement.
    private func accessRights(_ uri: String?, to g: inout RDFGraph) -> RDFGraph.Term {
        let uri = uri ?? Self.authority + "access-right/PUBLIC"
        let term = RDFGraph.Term.iri(uri)
        let label = switch uri.split(separator: "/").last ?? "" {
        case "PUBLIC": "Openbaar"
        case "RESTRICTED": "Beperkt openbaar"
        default: "Niet openbaar"
        }
        g.add(term, [("a", .name("dct:RightsStatement")), ("rdfs:label", .dutch(label))])
        return term
    }

    private func fileType(_ code: String, to g: inout RDFGraph) -> RDFGraph.Term {
        let term = RDFGraph.Term.iri(Self.authority + "file-type/" + code)
        g.add(term, "a", .name("dct:MediaTypeOrExtent"))
        return term
    }

    private func mediaType(_ type: String, to g: inout RDFGraph) -> RDFGraph.Term {
        let term = RDFGraph.Term.iri("https://www.iana.org/assignments/media-types/" + type)
        g.add(term, "a", .name("dct:MediaType"))
        return term
    }

    /// EU planned-availability concept: STABLE for what is kept permanently, AVAILABLE else.
    private func availability(_ code: String, to g: inout RDFGraph) -> RDFGraph.Term {
        let term = RDFGraph.Term.iri(Self.authority + "planned-availability/" + code)
        g.add(term, [("a", .name("skos:Concept")), ("skos:prefLabel", .dutch(code == "STABLE" ? "stabiel" : "beschikbaar")),
                     ("skos:inScheme", .iri(Self.authority + "planned-availability"))])
        return term
    }

    /// What a download format holds, for its distribution's description.
    private static func describe(_ format: ExportFormat) -> String {
        switch format {
        case .csv: "Alle rijen als CSV-bestand, met een beschrijving van de kolommen (CSVW)."
        case .json: "Alle rijen als JSON-bestand."
        case .ndjson: "Alle rijen als NDJSON: één JSON-regel per rij, handig voor grote bestanden."
        case .geojson: "Alle rijen met de grens van hun gebied, als GeoJSON voor kaarten."
        case .parquet: "Alle rijen als Parquet-bestand, met getypeerde kolommen, voor DuckDB, pandas en Power BI."
        }
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
