import LantaarnModel

/// A small RDF graph, written as Turtle or as JSON-LD from the same triples, so both catalogue
/// serialisations always say the same thing.
struct RDFGraph {
    enum Term: Hashable {
        case iri(String)
        case blank(String)
        /// A prefixed name such as `dcat:Dataset`.
        case name(String)
        /// A literal with an optional datatype IRI (prefixed, e.g. `xsd:dateTime`) or language.
        case literal(String, datatype: String? = nil, language: String? = nil)

        static func dutch(_ text: String) -> Term { .literal(text, language: "nl") }
        static func dateTime(_ text: String) -> Term { .literal(text, datatype: "xsd:dateTime") }
    }

    /// Prefixes used in predicates, types and datatypes, in output order.
    static let prefixes: [(String, String)] = [
        ("dcat", "http://www.w3.org/ns/dcat#"), ("dct", "http://purl.org/dc/terms/"), ("foaf", "http://xmlns.com/foaf/0.1/"),
        ("vcard", "http://www.w3.org/2006/vcard/ns#"), ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"), ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
        ("adms", "http://www.w3.org/ns/adms#"), ("dcatap", "http://data.europa.eu/r5r/"), ("locn", "http://www.w3.org/ns/locn#"),
        ("gsp", "http://www.opengis.net/ont/geosparql#"),
    ]

    private(set) var subjects: [Term] = []
    private var statements: [Term: [(predicate: String, object: Term)]] = [:]
    private var blanks = 0
    /// Triples already added; a node shared by datasets (a licence, a theme) is described once.
    private var seen: Set<String> = []

    /// A fresh blank node.
    mutating func blank() -> Term {
        blanks += 1
        return .blank("b\(blanks)")
    }

    /// Adds `subject predicate object`; `predicate` is prefixed (`dct:title`) or `a`.
    mutating func add(_ subject: Term, _ predicate: String, _ object: Term) {
        guard seen.insert("\(subject)\u{0}\(predicate)\u{0}\(object)").inserted else { return }
        if statements[subject] == nil { subjects.append(subject) }
        statements[subject, default: []].append((predicate, object))
    }

    mutating func add(_ subject: Term, _ pairs: [(String, Term)]) {
        for (p, o) in pairs { add(subject, p, o) }
    }

    // MARK: Turtle

    func turtle() -> String {
        var out = Self.prefixes.map { "@prefix \($0.0): <\($0.1)> .\n" }.joined() + "\n"
        for subject in subjects {
            out += Self.turtle(subject)
            let pairs = statements[subject] ?? []
            for (i, pair) in pairs.enumerated() {
                out += (i == 0 ? " " : " ;\n    ") + pair.predicate + " " + Self.turtle(pair.object)
            }
            out += " .\n\n"
        }
        return out
    }

    private static func turtle(_ term: Term) -> String {
        switch term {
        case .iri(let iri):
            return "<" + iri.replacingOccurrences(of: ">", with: "%3E").replacingOccurrences(of: " ", with: "%20") + ">"
        case .blank(let id): return "_:" + id
        case .name(let name): return name
        case .literal(let text, let datatype, let language):
            var out = ""
            JSONWriter.appendString(text, to: &out)   // a JSON string is a valid Turtle string
            if let datatype { out += "^^" + datatype } else if let language { out += "@" + language }
            return out
        }
    }

    // MARK: JSON-LD

    func jsonLD() -> JSONValue {
        let context: JSONValue = .object(Self.prefixes.map { ($0.0, .string($0.1)) })
        let nodes: [JSONValue] = subjects.map { subject in
            var fields: [(String, JSONValue)] = [("@id", .string(Self.id(subject)))]
            var grouped: [(String, [JSONValue])] = []
            for (predicate, object) in statements[subject] ?? [] {
                let key = predicate == "a" ? "@type" : predicate
                let value: JSONValue = predicate == "a" ? .string(Self.id(object)) : Self.jsonLD(object)
                if let i = grouped.firstIndex(where: { $0.0 == key }) { grouped[i].1.append(value) } else { grouped.append((key, [value])) }
            }
            fields += grouped.map { ($0.0, .array($0.1)) }
            return .object(fields)
        }
        return .object([("@context", context), ("@graph", .array(nodes))])
    }

    private static func id(_ term: Term) -> String {
        switch term {
        case .iri(let iri), .name(let iri): iri
        case .blank(let id): "_:" + id
        case .literal(let text, _, _): text
        }
    }

    private static func jsonLD(_ term: Term) -> JSONValue {
        switch term {
        case .iri, .blank, .name: return .object([("@id", .string(id(term)))])
        case .literal(let text, let datatype, let language):
            var fields: [(String, JSONValue)] = [("@value", .string(text))]
            if let datatype { fields.append(("@type", .string(datatype))) } else if let language { fields.append(("@language", .string(language))) }
            return .object(fields)
        }
    }
}
