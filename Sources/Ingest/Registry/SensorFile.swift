import Foundation
import LantaarnModel

/// The YAML schema of one file in `Sensors/`.
///
/// ```yaml
/// sensors:
///   - id: hlm-lp0101-lucht
///     lamppost: HLM-LP-0101
///     kind: luchtkwaliteit
///     lat: 52.3812
///     lon: 4.6368
///     quantities:
///       pm25: {unit: "µg/m³", min: 0, max: 1000, resolution: 0.1}
///   - id: hlm-lp0205-geluid
///     codec: ttn-v3/milesight-ws302        # payload format; default lantaarn-json (ttn-v3, chirpstack-v4: the server's decoded payload)
///     prefer: decoded                      # with a model: the server's decoded payload wins over the frame (default: frame)
///     # or a vendor codec file (The Things Network Device Repository form), relative to this folder:
///     # codec: {javascript: codecs/elsys.js, network: ttn-v3}   # network: ttn-v3 (default) or chirpstack-v4
///     # or any JSON: codec: {json: {records: /report, time: /date, time_format: iso8601, device: /segment_id}}
///     topic: v3/haarlem@ttn/devices/ws302-0205/up
///     extra_fields: ignore                 # vendor housekeeping; default: quarantine for lantaarn-json
///     device: "15092"                      # its id in files from elsewhere (Sensor.Community sensor_id)
///     public: false                        # raw readings not on SensorThings (default true; never for anpr/camera/wifi/bluetooth)
///     since: 2026-03-01                    # when it came to lat/lon; with earlier: where it hung before
///     example: samples/ws302-uplink.json   # a payload as it sends it: `sensors check` decodes it and names missing fields
///     earlier:                             # oldest first, each from its since until the next position
///       - {lat: 52.3801, lon: 4.6301, since: 2024-05-01}
///     quantities:
///       laeq: {unit: "dB(A)", min: 20, max: 140, resolution: 0.1, field: LAeq}   # field: the payload's name, or a JSON Pointer (/sound/LAeq)
///       temp: {unit: "°C", min: -40, max: 80, field: /t_mK, scale: 0.001, offset: -273.15}   # reading = value × scale + offset
///       # quality flags: spike (max step between readings), stuck_after (equal readings), interval (gap after 3×)
///       pm25: {unit: "µg/m³", min: 0, max: 1000, spike: 100, stuck_after: 20, interval: 150s}
/// ```
enum SensorFile {
    struct Document: Decodable {
        var sensors: [Entry]
    }

    struct Entry: Decodable {
        var id: String
        var lamppost: String
        var kind: String
        var lat: Double
        var lon: Double
        var topic: String?
        var codec: CodecField?
        var device: String?
        var extra_fields: String?
        var prefer: String?
        var `public`: Bool?
        var quantities: [String: Quantity]
        var since: String?
        var earlier: [Position]?
        var example: String?
    }

    /// The fields a sensor file may have: a misspelt one is an error with its line, not ignored.
    /// (`codec:` checks its own keys, with hints for each form.)
    static let schema: YAMLSourceMap.Schema = .fields([
        "sensors": .list(.fields([
            "id": .any, "lamppost": .any, "kind": .any, "lat": .any, "lon": .any, "topic": .any, "codec": .any, "device": .any,
            "extra_fields": .any, "prefer": .any, "public": .any, "since": .any, "example": .any,
            "earlier": .list(.fields(["lat": .any, "lon": .any, "since": .any])),
            "quantities": .map(.fields(["unit": .any, "min": .any, "max": .any, "resolution": .any, "field": .any, "spike": .any,
                                        "stuck_after": .any, "interval": .any, "scale": .any, "offset": .any])),
        ])),
    ])

    struct Position: Decodable {
        var lat: Double
        var lon: Double
        var since: String
    }

    struct Quantity: Decodable {
        var unit: String
        var min: Double
        var max: Double
        var resolution: Double?
        var field: String?
        var spike: Double?
        var stuck_after: Int?
        var interval: String?
        var scale: Double?
        var offset: Double?
    }

    /// `since:` and `earlier:` of an entry: dates (or times) in order, positions in WGS84.
    private static func positions(_ e: Entry, file: String, at where_: String) throws -> (since: Int64?, earlier: [SensorPosition]) {
        func time(_ text: String, _ key: String) throws -> Int64 {
            guard let t = ISO8601.parse(text) ?? ISO8601.parse(text + "T00:00:00Z") else {
                throw RegistryError(file: file, path: key, reason: "'\(text)' is not a date such as 2026-03-01 (or an ISO 8601 time)")
            }
            return t
        }
        let since = try e.since.map { try time($0, "\(where_).since") }
        var earlier: [SensorPosition] = []
        for (k, p) in (e.earlier ?? []).enumerated() {
            let key = "\(where_).earlier[\(k)]"
            guard (-90...90).contains(p.lat), (-180...180).contains(p.lon) else {
                throw RegistryError(file: file, path: key, reason: "lat/lon \(p.lat), \(p.lon) is not a WGS84 position")
            }
            let t = try time(p.since, key + ".since")
            if let previous = earlier.last, previous.since >= t {
                throw RegistryError(file: file, path: key + ".since", reason: "earlier positions go oldest first; this one is not after the one before")
            }
            earlier.append(SensorPosition(since: t, latitude: p.lat, longitude: p.lon))
        }
        if let last = earlier.last {
            guard let since else {
                throw RegistryError(file: file, path: "\(where_).since", reason: "with earlier positions, say since when the sensor hangs at lat/lon")
            }
            guard since > last.since else {
                throw RegistryError(file: file, path: "\(where_).since", reason: "the current position must start after the last earlier one")
            }
        }
        return (since, earlier)
    }

    /// A quantity's `field:`: a payload name, or a JSON Pointer into nested objects
    /// (`/climate/temperature`). A pointer to a top-level key is kept as that key, the name
    /// decoders give it.
    private static func field(_ text: String, file: String, at key: String) throws -> String {
        guard text.hasPrefix("/") else { return text }
        guard let pointer = JSONPointer(text), !pointer.tokens.isEmpty else {
            throw RegistryError(file: file, path: key, reason: "'\(text)' is not a JSON Pointer: write /key/subkey, with ~1 for a '/' and ~0 for a '~' inside a key")
        }
        return pointer.valueName
    }

    /// The sensors of one register file (`contents`, when given, instead of reading `path`).
    /// Every error names the file, the line and the YAML path.
    static func parse(path: String, contents: Data? = nil) throws -> [Sensor] {
        guard let text = contents.map({ String(data: $0, encoding: .utf8) }) ?? (try? String(contentsOfFile: path, encoding: .utf8)) else {
            throw RegistryError(file: path, path: "", reason: "cannot read the file as UTF-8 text")
        }
        let (document, map): (Document, YAMLSourceMap)
        do {
            (document, map) = try YAMLSourceMap.load(Document.self, text: text, schema: schema)
        } catch {
            throw RegistryError(file: path, path: error.path, reason: error.reason, line: error.line)
        }
        do {
            return try sensors(document, path: path)
        } catch let error as RegistryError {
            throw error.located(in: map)
        }
    }

    private static func sensors(_ document: Document, path: String) throws -> [Sensor] {
        try document.sensors.enumerated().map { index, e in
            let where_ = "sensors[\(index)]"
            guard !e.id.isEmpty, e.id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw RegistryError(file: path, path: "\(where_).id", reason: "use letters, digits, '-' and '_' only (it becomes part of the MQTT topic)")
            }
            guard (-90...90).contains(e.lat), (-180...180).contains(e.lon) else {
                throw RegistryError(file: path, path: where_, reason: "lat/lon \(e.lat), \(e.lon) is not a WGS84 position")
            }
            guard !e.quantities.isEmpty else {
                throw RegistryError(file: path, path: "\(where_).quantities", reason: "a sensor needs at least one quantity")
            }
            var specs: [String: QuantitySpec] = [:]
            for (name, q) in e.quantities {
                guard q.min.isFinite, q.max.isFinite, q.min < q.max else {
                    throw RegistryError(file: path, path: "\(where_).quantities.\(name)", reason: "min must be below max")
                }
                let resolution = q.resolution ?? 0.01
                guard resolution > 0, resolution.isFinite else {
                    throw RegistryError(file: path, path: "\(where_).quantities.\(name).resolution", reason: "must be a positive number")
                }
                var interval: Int64?
                if let text = q.interval {
                    guard let ms = DurationText.milliseconds(text), ms > 0 else {
                        throw RegistryError(file: path, path: "\(where_).quantities.\(name).interval", reason: "'\(text)' is not a duration such as 150s or 5m")
                    }
                    interval = ms
                }
                if let v = q.spike, !(v > 0) {
                    throw RegistryError(file: path, path: "\(where_).quantities.\(name).spike", reason: "must be a positive step")
                }
                if let v = q.stuck_after, v < 2 {
                    throw RegistryError(file: path, path: "\(where_).quantities.\(name).stuck_after", reason: "must be 2 or more readings")
                }
                let field = try q.field.map { try Self.field($0, file: path, at: "\(where_).quantities.\(name).field") }
                var spec = QuantitySpec(unit: q.unit, minimum: q.min, maximum: q.max, resolution: resolution, field: field,
                                        spikeStep: q.spike, stuckAfter: q.stuck_after, interval: interval)
                for (key, number) in [("scale", q.scale), ("offset", q.offset)] {
                    if let number, !number.isFinite || (key == "scale" && number == 0) {
                        throw RegistryError(file: path, path: "\(where_).quantities.\(name).\(key)", reason: "must be a finite number\(key == "scale" ? " other than 0" : "")")
                    }
                }
                spec.scale = q.scale ?? 1
                spec.offset = q.offset ?? 0
                specs[name] = spec
            }
            let (codec, script, json) = try Self.codec(e.codec, file: path, at: "\(where_).codec")
            var extra: Sensor.ExtraFields?
            if let text = e.extra_fields {
                guard let value = Sensor.ExtraFields(rawValue: text) else {
                    throw RegistryError(file: path, path: "\(where_).extra_fields", reason: "use 'quarantine' or 'ignore'")
                }
                extra = value
            }
            var preferDecoded = false
            if let text = e.prefer {
                guard text == "decoded" || text == "frame" else {
                    throw RegistryError(file: path, path: "\(where_).prefer", reason: "use 'decoded' (the network server's decoded payload) or 'frame' (the built-in decoding of the device model)")
                }
                guard codec.hasPrefix("ttn-v3/") || codec.hasPrefix("chirpstack-v4/") || script != nil else {
                    throw RegistryError(file: path, path: "\(where_).prefer", reason: "only a network server codec with a device model or codec file (ttn-v3/MODEL, chirpstack-v4/MODEL, {javascript: FILE}) has a choice; remove 'prefer'")
                }
                preferDecoded = text == "decoded"
            }
            let personal = Sensor.personalKinds.contains(e.kind.lowercased())
            if personal, e.public == true {
                throw RegistryError(file: path, path: "\(where_).public",
                                    reason: "a '\(e.kind)' sensor observes people individually; its raw readings can never be public. Remove 'public: true'")
            }
            var sensor = Sensor(id: e.id, lamppost: e.lamppost, latitude: e.lat, longitude: e.lon,
                                topic: e.topic ?? SensorRegistry.defaultTopic(sensorID: e.id), kind: e.kind, quantities: specs,
                                codec: codec, extraFields: extra, device: e.device, isPublic: e.public ?? !personal)
            sensor.preferDecoded = preferDecoded
            sensor.javascript = script
            sensor.json = json
            (sensor.since, sensor.earlier) = try positions(e, file: path, at: where_)
            sensor.example = try e.example.map { try Self.file($0, next: path, at: "\(where_).example", what: "example payload") }
            sensor.source = Sensor.Source(file: path, index: index)
            return sensor
        }
    }
}
