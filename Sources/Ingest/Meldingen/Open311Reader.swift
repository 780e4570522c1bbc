import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LantaarnModel

/// Open311 GeoReport v2 service requests, as JSON (an array of requests) or XML
/// (`<service_requests><request>…`). Reporter fields (e-mail, names, phone, device and
/// account ids) and the address are left out and counted.
enum Open311Reader {
    /// Fields that identify the reporter or the exact address: never stored.
    static let personal: [String: String] = [
        "email": "e-mail", "first_name": "naam", "last_name": "naam", "phone": "telefoon",
        "device_id": "apparaat-id", "account_id": "account-id", "address": "adres", "address_string": "adres",
        "address_id": "adres", "zipcode": "adres",
    ]

    static func read(_ bytes: [UInt8], file: String) throws -> RawMeldingFile {
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        let requests = first == UInt8(ascii: "<") ? try xml(bytes, file: file) : try json(bytes, file: file)
        var out = RawMeldingFile(format: first == UInt8(ascii: "<") ? "Open311 GeoReport v2 XML" : "Open311 GeoReport v2 JSON", meldingen: [])
        for (i, request) in requests.enumerated() {
            let fail = { (reason: String) in MeldingFileError(file: file, reason: "request \(i): \(reason)") }
            guard let id = request["service_request_id"] else {
                throw fail("no service_request_id; this is not a list of service requests (a service list, a token or an error response?)")
            }
            guard let requested = request["requested_datetime"] else { throw fail("no requested_datetime") }
            guard let created = MeldingTime.parse(requested) else {
                throw fail("requested_datetime is not an ISO 8601 time such as 2010-04-14T06:37:38-08:00")
            }
            guard let status = request["status"]?.lowercased(), status == "open" || status == "closed" else {
                throw fail("status must be open or closed")
            }
            var m = RawMelding(source: "open311", sourceID: id, category: request["service_code"] ?? request["service_name"] ?? "onbekend",
                               createdAt: created)
            if let lat = request["lat"].flatMap(Double.init), let lon = request["long"].flatMap(Double.init),
               (-90...90).contains(lat), (-180...180).contains(lon) {
                m.latitude = lat
                m.longitude = lon
            }
            m.texts = [request["description"], request["status_notes"]].compactMap { $0 }
            let updated = request["updated_datetime"].flatMap(MeldingTime.parse) ?? created
            m.history = [Melding.StatusChange(at: created, state: "open", closes: false)]
            if status == "closed" { m.history.append(Melding.StatusChange(at: max(updated, created), state: "closed", closes: true)) }
            for (field, kind) in personal where request[field] != nil { out.dropped[kind, default: 0] += 1 }
            out.meldingen.append(m)
        }
        return out
    }

    /// Each request as field → text (JSON numbers as their text, nulls left out).
    private static func json(_ bytes: [UInt8], file: String) throws -> [[String: String]] {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch {
            throw MeldingFileError.invalidJSON(error, bytes, file: file)
        }
        guard let list = root.arrayValue else {
            throw MeldingFileError(file: file, reason: "expected a JSON array of service requests")
        }
        return try list.enumerated().map { i, element in
            guard let members = element.objectMembers else {
                throw MeldingFileError(file: file, reason: "request \(i) is not a JSON object")
            }
            var fields: [String: String] = [:]
            for (k, v) in members { if let t = v.text { fields[k] = t } }
            return fields
        }
    }

    /// `<service_requests><request><field>text</field>…</request>…</service_requests>`.
    private static func xml(_ bytes: [UInt8], file: String) throws -> [[String: String]] {
        // Foundation's XMLParser stops the process on some input instead of failing the parse.
        if let reason = XMLPreflight.refusal(bytes) { throw MeldingFileError(file: file, reason: reason) }
        let delegate = RequestsXML()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = delegate
        guard parser.parse() else {
            throw MeldingFileError(file: file, reason: "not valid XML at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        guard delegate.root == "service_requests" else {
            throw MeldingFileError(file: file, reason: "the root element is <\(delegate.root ?? "?")>, not <service_requests>; this is not a list of service requests")
        }
        return delegate.requests
    }

    /// Collects the requests, and stops libxml2 at the first element or text after an error:
    /// XMLParser runs it in recovery mode, which reads on and calls back with whatever it made
    /// of the rest of a malformed file, keeping memory as it goes (fuzzing: 420 bytes per
    /// execution). Not from the error callback itself: an error while libxml2 switches the
    /// input's encoding would then free the input under it (fuzzing found that too).
    private final class RequestsXML: NSObject, XMLParserDelegate {
        var root: String?
        var requests: [[String: String]] = []
        private var current: [String: String]?
        private var field: String?
        private var text = ""
        private var failed = false

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { failed = true }

        /// True, after stopping the parser, once an error was reported.
        private func stopped(_ parser: XMLParser) -> Bool {
            if failed { parser.abortParsing() }
            return failed
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if stopped(parser) { return }
            if root == nil { root = name; return }
            if name == "request", current == nil { current = [:]; return }
            if current != nil { field = name; text = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stopped(parser), field != nil { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if stopped(parser) { return }
            if name == "request", let request = current {
                requests.append(request)
                current = nil
            } else if let f = field, f == name {
                let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !value.isEmpty { current?[f] = value }
                field = nil
            }
        }
    }
}
