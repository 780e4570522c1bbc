import LantaarnModel

/// Signalen (Amsterdam's open-source MOR system) API JSON: one signal, an array, or a
/// paginated `{"results": [...]}`. A body without an `id` (a create request) takes
/// `fallbackID`; a status or location update needs one. The reporter, the address and the
/// raw text are never stored.
enum SignalenReader {
    /// Signalen states that end a signal: afgehandeld, geannuleerd.
    static let closing: Set<String> = ["o", "a"]

    /// - Parameters: `givenID` (`--id`) names the signal of a single body without an `id`;
    ///   `fileID` names a create body that has neither.
    static func read(_ bytes: [UInt8], file: String, givenID: String?, fileID: String) throws -> RawMeldingFile {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch {
            throw MeldingFileError.invalidJSON(error, bytes, file: file)
        }
        let signals: [JSONValue]
        if let results = root["results"]?.arrayValue { signals = results } else if let list = root.arrayValue { signals = list } else { signals = [root] }
        var out = RawMeldingFile(format: "Signalen API JSON", meldingen: [])
        for (i, signal) in signals.enumerated() {
            let fail = { (reason: String) in MeldingFileError(file: file, reason: signals.count > 1 ? "signal \(i): \(reason)" : reason) }
            guard signal.objectMembers != nil else { throw fail("is not a JSON object") }
            if signal["model"]?.stringValue == "signals.category" {
                throw fail("this is the Signalen category list, not signals; categories are mapped in Pipelines/mappings/bor_meld.yaml")
            }
            let isCreate = signal["created_at"] != nil || signal["incident_date_start"] != nil
            let single = signals.count == 1
            guard let id = signal["id"]?.text ?? signal["signal_id"]?.text ?? (single ? givenID : nil) ?? (single && isCreate ? fileID : nil) else {
                throw fail("no signal id; a Signalen export carries 'id', and a single status or location update needs --id SIGNAL_ID")
            }
            var m = RawMelding(source: "signalen", sourceID: id)
            let created = signal["created_at"]?.stringValue ?? signal["incident_date_start"]?.stringValue
            if let created {
                guard let at = MeldingTime.parse(created) else { throw fail("created_at is not an ISO 8601 time") }
                m.createdAt = at
            }
            if let slug = signal["category"]?["sub_category"]?.stringValue ?? signal["category"]?["sub_slug"]?.stringValue
                ?? signal["category"]?["slug"]?.stringValue {
                m.category = slug.split(separator: "/").last.map(String.init) ?? slug
            }
            if let point = signal["location"]?["geometrie"]?["coordinates"]?.arrayValue, point.count >= 2,
               let lon = point[0].numberValue, let lat = point[1].numberValue, (-90...90).contains(lat), (-180...180).contains(lon) {
                m.latitude = lat
                m.longitude = lon
            }
            m.channel = signal["source"]?.stringValue
            m.texts = [signal["text"]?.stringValue, signal["text_extra"]?.stringValue, signal["status"]?["text"]?.stringValue].compactMap { $0 }
            if let state = signal["status"]?["state"]?.stringValue {
                let at = signal["status"]?["created_at"]?.stringValue.flatMap(MeldingTime.parse) ?? m.createdAt
                m.history.append(Melding.StatusChange(at: at ?? 0, state: state, closes: closing.contains(state)))
            }
            if let reporter = signal["reporter"]?.objectMembers {
                for (k, v) in reporter where v.text != nil {
                    switch k {
                    case "email": out.dropped["e-mail", default: 0] += 1
                    case "phone": out.dropped["telefoon", default: 0] += 1
                    case "name", "first_name", "last_name": out.dropped["naam", default: 0] += 1
                    default: break
                    }
                }
            }
            if signal["location"]?["address"]?.objectMembers != nil { out.dropped["adres", default: 0] += 1 }
            if m.createdAt == nil {
                // A status or location update of a stored signal.
                guard m.category == nil else { throw fail("has a category but no created_at") }
                guard !m.history.isEmpty || m.latitude != nil else { throw fail("is neither a signal (no created_at) nor a status or location update") }
                m.isUpdate = true
            } else {
                m.history.insert(Melding.StatusChange(at: m.createdAt!, state: "m", closes: false), at: 0)
                if m.category == nil { m.category = "onbekend" }
            }
            out.meldingen.append(m)
        }
        return out
    }
}
