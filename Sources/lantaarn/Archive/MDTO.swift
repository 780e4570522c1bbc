import LantaarnModel

/// MDTO 1.0.1 (Metagegevens voor duurzaam toegankelijke overheidsinformatie, Nationaal Archief)
/// as XML: one `informatieobject` or one `bestand` per document, elements in the order the
/// schema's sequences require (`MDTO-XML1.0.1.xsd`; `make test` validates every file of an
/// export with `xmllint --schema`). Only the elements Lantaarn fills are modelled.
enum MDTO {
    static let namespace = "https://www.nationaalarchief.nl/mdto"

    /// `identificatieGegevens`: a kenmerk and where it comes from.
    struct Identificatie {
        var kenmerk: String
        var bron: String
    }

    /// `verwijzingGegevens`: a name, with an identification when there is one.
    struct Verwijzing {
        var naam: String
        var identificatie: Identificatie?
    }

    /// `begripGegevens`: a term from a named list.
    struct Begrip {
        var label: String
        var code: String?
        var lijst: String
    }

    struct Event {
        var type: Begrip
        var tijd: Int64?
        var actor: String?
        var resultaat: String?
    }

    struct Informatieobject {
        var identificatie: Identificatie
        var naam: String
        var aggregatieniveau: Begrip
        var trefwoorden: [String] = []
        var omschrijving: [String] = []
        /// dekkingInTijd: from and to (exclusive end as the last day covered).
        var dekkingInTijd: (start: Int64, end: Int64)?
        var dekkingInRuimte: [String] = []
        var events: [Event] = []
        var waardering: Begrip
        /// ISO 8601 duration of the bewaartermijn, when the object is to be destroyed.
        var bewaartermijn: String?
        var informatiecategorie: Begrip?
        var isOnderdeelVan: [Verwijzing] = []
        var bevatOnderdeel: [Verwijzing] = []
        var heeftRepresentatie: [Verwijzing] = []
        var gerelateerd: [(Verwijzing, Begrip)] = []
        var archiefvormer: Verwijzing
        var activiteit: Verwijzing?
        var beperkingGebruik: Begrip
        var beperkingToelichting: String?
    }

    struct Bestand {
        var identificatie: Identificatie
        var naam: String
        var omvang: Int64
        var bestandsformaat: Begrip
        var sha256: String
        var checksumDatum: Int64
        var isRepresentatieVan: Verwijzing
    }

    // MARK: the terms Lantaarn uses

    static let aggregatieniveaus = "Begrippenlijst Aggregatieniveaus MDTO"
    static let waarderingen = "Begrippenlijst Waarderingen MDTO"
    static let events = "Begrippenlijst EventTypeLijst MDTO"
    static let blijvend = Begrip(label: "Blijvend te bewaren", code: "B", lijst: waarderingen)
    static let tijdelijk = Begrip(label: "Tijdelijk te bewaren", code: "V", lijst: waarderingen)
    static let sha256 = Begrip(label: "SHA256", code: nil, lijst: "Begrippenlijst ChecksumAlgoritme MDTO")
    static let pronom = "PRONOM-register"
    static let csv = Begrip(label: "Comma Separated Values", code: "x-fmt/18", lijst: pronom)
    static let json = Begrip(label: "JSON Data Interchange Format", code: "fmt/817", lijst: pronom)
    static let yaml = Begrip(label: "YAML", code: "fmt/818", lijst: pronom)
    static let text = Begrip(label: "Plain Text File", code: "x-fmt/111", lijst: pronom)

    static func niveau(_ label: String) -> Begrip { Begrip(label: label, code: nil, lijst: aggregatieniveaus) }
    static func event(_ label: String) -> Begrip { Begrip(label: label, code: nil, lijst: events) }

    // MARK: XML

    static func document(_ o: Informatieobject) -> String { wrap("informatieobject", body(o)) }
    static func document(_ b: Bestand) -> String { wrap("bestand", body(b)) }

    private static func wrap(_ element: String, _ inner: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <MDTO xmlns="\(namespace)" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="\(namespace) \(namespace)/MDTO-XML1.0.1.xsd">
        \t<\(element)>
        \(inner)\t</\(element)>
        </MDTO>

        """
    }

    private static func body(_ o: Informatieobject) -> String {
        var x = XML(depth: 2)
        x.identificatie(o.identificatie)
        x.leaf("naam", o.naam)
        x.begrip("aggregatieniveau", o.aggregatieniveau)
        for t in o.trefwoorden { x.leaf("trefwoord", t) }
        for t in o.omschrijving { x.leaf("omschrijving", t) }
        if let d = o.dekkingInTijd {
            x.open("dekkingInTijd")
            x.begrip("dekkingInTijdType", Begrip(label: "Meetperiode", code: nil, lijst: "Lantaarn"))
            x.leaf("dekkingInTijdBegindatum", date(d.start))
            x.leaf("dekkingInTijdEinddatum", date(max(d.start, d.end - 1)))
            x.close("dekkingInTijd")
        }
        for r in o.dekkingInRuimte { x.verwijzing("dekkingInRuimte", Verwijzing(naam: r, identificatie: nil)) }
        x.leaf("taal", "nl")
        for e in o.events {
            x.open("event")
            x.begrip("eventType", e.type)
            if let t = e.tijd { x.leaf("eventTijd", dateTime(t)) }
            if let a = e.actor { x.verwijzing("eventVerantwoordelijkeActor", Verwijzing(naam: a, identificatie: nil)) }
            if let r = e.resultaat { x.leaf("eventResultaat", r) }
            x.close("event")
        }
        x.begrip("waardering", o.waardering)
        if let term = o.bewaartermijn {
            x.open("bewaartermijn")
            x.leaf("termijnLooptijd", term)
            x.close("bewaartermijn")
        }
        if let c = o.informatiecategorie { x.begrip("informatiecategorie", c) }
        for v in o.isOnderdeelVan { x.verwijzing("isOnderdeelVan", v) }
        for v in o.bevatOnderdeel { x.verwijzing("bevatOnderdeel", v) }
        for v in o.heeftRepresentatie { x.verwijzing("heeftRepresentatie", v) }
        for (v, relatie) in o.gerelateerd {
            x.open("gerelateerdInformatieobject")
            x.verwijzing("gerelateerdInformatieobjectVerwijzing", v)
            x.begrip("gerelateerdInformatieobjectTypeRelatie", relatie)
            x.close("gerelateerdInformatieobject")
        }
        x.verwijzing("archiefvormer", o.archiefvormer)
        if let a = o.activiteit { x.verwijzing("activiteit", a) }
        x.open("beperkingGebruik")
        x.begrip("beperkingGebruikType", o.beperkingGebruik)
        if let t = o.beperkingToelichting { x.leaf("beperkingGebruikNadereBeschrijving", t) }
        x.close("beperkingGebruik")
        return x.out
    }

    private static func body(_ b: Bestand) -> String {
        var x = XML(depth: 2)
        x.identificatie(b.identificatie)
        x.leaf("naam", b.naam)
        x.leaf("omvang", String(b.omvang))
        x.begrip("bestandsformaat", b.bestandsformaat)
        x.open("checksum")
        x.begrip("checksumAlgoritme", sha256)
        x.leaf("checksumWaarde", b.sha256)
        x.leaf("checksumDatum", dateTime(b.checksumDatum))
        x.close("checksum")
        x.verwijzing("isRepresentatieVan", b.isRepresentatieVan)
        return x.out
    }

    static func date(_ t: Int64) -> String { String(ISO8601.format(milliseconds: t).prefix(10)) }
    static func dateTime(_ t: Int64) -> String { String(ISO8601.format(milliseconds: t).prefix(19)) + "Z" }

    /// Indented elements with escaped text.
    private struct XML {
        var depth: Int
        var out = ""

        mutating func line(_ s: String) { out += String(repeating: "\t", count: depth) + s + "\n" }
        mutating func open(_ name: String) { line("<\(name)>"); depth += 1 }
        mutating func close(_ name: String) { depth -= 1; line("</\(name)>") }
        mutating func leaf(_ name: String, _ text: String) { line("<\(name)>\(Self.escape(text))</\(name)>") }

        mutating func identificatie(_ i: Identificatie, _ name: String = "identificatie") {
            open(name)
            leaf("identificatieKenmerk", i.kenmerk)
            leaf("identificatieBron", i.bron)
            close(name)
        }

        mutating func verwijzing(_ name: String, _ v: Verwijzing) {
            open(name)
            leaf("verwijzingNaam", v.naam)
            if let i = v.identificatie { identificatie(i, "verwijzingIdentificatie") }
            close(name)
        }

        mutating func begrip(_ name: String, _ b: Begrip) {
            open(name)
            leaf("begripLabel", b.label)
            if let c = b.code { leaf("begripCode", c) }
            verwijzing("begripBegrippenlijst", Verwijzing(naam: b.lijst, identificatie: nil))
            close(name)
        }

        /// XML 1.0 text: markup characters escaped, characters XML cannot carry left out.
        static func escape(_ s: String) -> String {
            var out = ""
            out.reserveCapacity(s.utf8.count)
            for scalar in s.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
                default:
                    if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                    out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
    }
}
