import LantaarnModel

/// The CSV on the Web (W3C CSVW) metadata of a dataset's CSV download, served next to it as
/// `/datasets/{name}.csv-metadata.json` (the name CSVW clients look for) and linked from the
/// CSV with `Link: rel="describedby"`: title, publisher, licence, dialect and a typed column
/// schema with the Dutch column descriptions.
enum CSVWMetadata {
    static let suffix = ".csv-metadata.json"

    /// The metadata of the CSV with `separator` (`;` also means decimal commas, as `?_sep=;` writes).
    static func document(_ m: DatasetMetadata, site: PublicSite, separator: Character = ",") -> JSONValue {
        .object([
            ("@context", .array([.string("http://www.w3.org/ns/csvw"), .object([("@language", .string("nl"))])])),
            ("url", .string(separator == ";" ? "\(m.name).csv?_sep=%3B" : "\(m.name).csv")),
            ("dc:title", .string(m.title)),
            ("dc:description", .string(m.description)),
            ("dc:publisher", .string(site.municipality)),
            ("dc:license", .string(m.license)),
            ("dialect", .object([("delimiter", .string(String(separator))), ("header", .bool(true)), ("encoding", .string("utf-8")),
                                 ("lineTerminators", .array([.string("\r\n")]))])),
            ("tableSchema", .object([("columns", .array(m.columns.map { column($0, decimalComma: separator == ";") }))])),
        ])
    }

    private static func column(_ c: ColumnSpec, decimalComma: Bool) -> JSONValue {
        let type: JSONValue = decimalComma && c.type == .number
            ? .object([("base", .string("double")), ("format", .object([("decimalChar", .string(","))]))])
            : .string(datatype(c.type))
        var fields: [(String, JSONValue)] = [
            ("name", .string(c.name)), ("titles", .string(c.name)), ("datatype", type),
            ("dc:description", .string(c.description)),
        ]
        if let unit = c.unit { fields.append(("schema:unitText", .string(unit))) }
        return .object(fields)
    }

    /// CSVW built-in datatypes (XML Schema names).
    static func datatype(_ t: ColumnType) -> String {
        switch t {
        case .text: "string"
        case .integer: "integer"
        case .number: "double"
        case .timestamp: "datetime"
        }
    }
}
