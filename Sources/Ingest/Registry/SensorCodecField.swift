import Foundation
import LantaarnModel

extension SensorFile {
    /// `codec:` is a codec's name (`ttn-v3/milesight-ws302`), or a map: a vendor codec file
    /// (`{javascript: codecs/elsys.js, network: chirpstack-v4}`) or a JSON mapping
    /// (`{json: {records: /report, time: /date, time_format: iso8601, zone: Europe/Amsterdam, device: /segment_id}}`).
    enum CodecField: Decodable {
        case name(String)
        case script(javascript: String, network: String?)
        case json(JSONField)

        struct JSONField: Decodable {
            var records: String?
            var time: String?
            var time_format: String?
            var zone: String?
            var device: String?
        }

        init(from decoder: any Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                self = .name(name)
                return
            }
            let map = try decoder.container(keyedBy: NamedCodingKey.self)
            if map.contains(NamedCodingKey("json")) {
                try Self.only(["json"], in: map, hint: "a JSON mapping is {json: {records, time, time_format, zone, device}} alone")
                let inner = try map.nestedContainer(keyedBy: NamedCodingKey.self, forKey: NamedCodingKey("json"))
                try Self.only(["records", "time", "time_format", "zone", "device"], in: inner,
                              hint: "a JSON mapping has records, time, time_format, zone and device (all optional); quantities name their fields")
                self = .json(try map.decode(JSONField.self, forKey: NamedCodingKey("json")))
                return
            }
            try Self.only(["javascript", "network"], in: map, hint: "a codec map has javascript: FILE and, optionally, network: ttn-v3 or chirpstack-v4; or json: {…}")
            self = .script(javascript: try map.decode(String.self, forKey: NamedCodingKey("javascript")),
                           network: try map.decodeIfPresent(String.self, forKey: NamedCodingKey("network")))
        }

        private static func only(_ allowed: [String], in map: KeyedDecodingContainer<NamedCodingKey>, hint: String) throws {
            for key in map.allKeys where !allowed.contains(key.stringValue) {
                throw DecodingError.dataCorrupted(.init(codingPath: map.codingPath + [key], debugDescription: "unknown key '\(key.stringValue)'; \(hint)"))
            }
        }
    }

    /// A file a sensor file names (`what`: "codec file"), relative to the sensor file's folder.
    static func file(_ name: String, next sensorFile: String, at key: String, what: String) throws -> Sensor.CodecFile {
        let folder = (sensorFile as NSString).deletingLastPathComponent
        let path = ((name.hasPrefix("/") ? name : (folder as NSString).appendingPathComponent(name)) as NSString).standardizingPath
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RegistryError(file: sensorFile, path: key, reason: "\(what) '\(name)' is not there (looked for \(path)); paths are relative to the sensor file's folder")
        }
        return Sensor.CodecFile(path: path, label: name)
    }

    /// The codec name and, for a map, the vendor codec file (found relative to the sensor file's
    /// folder) or the JSON mapping.
    static func codec(_ field: CodecField?, file: String, at key: String) throws -> (name: String, script: Sensor.CodecFile?, json: JSONMapping?) {
        switch field {
        case nil: return (PayloadCodecs.defaultName, nil, nil)
        case .name(let name):
            guard PayloadCodecs.named(name) != nil else {
                throw RegistryError(file: file, path: key,
                                    reason: "unknown codec '\(name)'; use one of \(PayloadCodecs.names.map(\.name).joined(separator: ", ")), {javascript: FILE} for a vendor codec, or {json: {…}} for any JSON")
            }
            return (name, nil, nil)
        case .script(let script, let network):
            let name = network ?? "ttn-v3"
            guard PayloadCodecs.networks.contains(name) else {
                throw RegistryError(file: file, path: key + ".network", reason: "'\(name)' is not a network server format; use \(PayloadCodecs.networks.joined(separator: " or "))")
            }
            return (name, try Self.file(script, next: file, at: key + ".javascript", what: "codec file"), nil)
        case .json(let j):
            func pointer(_ text: String?, _ name: String) throws -> JSONPointer? {
                guard let text else { return nil }
                guard let p = JSONPointer(text), !p.tokens.isEmpty else {
                    throw RegistryError(file: file, path: "\(key).json.\(name)", reason: "'\(text)' is not a JSON Pointer: write /key/subkey (~1 for a '/' and ~0 for a '~' inside a key)")
                }
                return p
            }
            var format = JSONMapping.TimeFormat.iso8601
            if let text = j.time_format {
                if let named = JSONMapping.TimeFormat.names[text] {
                    format = named
                } else if text.contains("%") {
                    let zone = j.zone ?? "UTC"
                    guard TimeZone(identifier: zone) != nil else {
                        throw RegistryError(file: file, path: "\(key).json.zone", reason: "'\(zone)' is not an IANA time zone such as Europe/Amsterdam")
                    }
                    if let directive = RecordTime.unsupported(in: text) {
                        throw RegistryError(file: file, path: "\(key).json.time_format",
                                            reason: "\(directive) is not a time pattern directive Lantaarn reads; use %Y %y %m %d %e %H %M %S %f %b %z %T %F")
                    }
                    format = .pattern(text, zone: zone)
                } else {
                    throw RegistryError(file: file, path: "\(key).json.time_format",
                                        reason: "'\(text)' is not a time format; use iso8601, epoch_s, epoch_ms, epoch_us, or a strftime pattern such as \"%d-%m-%Y %H:%M:%S\" (with zone:)")
                }
            }
            if j.zone != nil, !(j.time_format?.contains("%") ?? false) {
                throw RegistryError(file: file, path: "\(key).json.zone", reason: "a zone applies to a strftime pattern only (ISO 8601 and epoch times carry their own); remove it or give time_format a pattern")
            }
            let mapping = JSONMapping(records: try pointer(j.records, "records"), time: try pointer(j.time, "time"), timeFormat: format,
                                      device: try pointer(j.device, "device"))
            if j.time_format != nil, mapping.time == nil {
                throw RegistryError(file: file, path: "\(key).json.time", reason: "time_format needs time: the JSON Pointer of each record's time")
            }
            return ("json", nil, mapping)
        }
    }
}
