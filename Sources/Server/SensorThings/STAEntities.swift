import LantaarnModel
import Store

/// The public sensors as SensorThings entities: a Thing and a Location per lamppost, a Sensor
/// per registered sensor, an ObservedProperty per quantity, and a Datastream per sensor ×
/// quantity. Only sensors the registry marks public appear.
struct STAEntities {
    enum Kind: String, CaseIterable {
        case Things, Locations, Sensors, ObservedProperties, Datastreams, Observations
    }

    /// `http://host/sta/v1.1`
    let root: String
    let sensors: [Sensor]
    /// First and last reading time of a datastream (sensor, quantity), read only when a
    /// Datastream entity is shown.
    let span: (_ sensorID: String, _ quantity: String) -> TimeWindow?

    init(root: String, sensors: [Sensor], span: @escaping (_ sensorID: String, _ quantity: String) -> TimeWindow? = { _, _ in nil }) {
        self.root = root
        self.sensors = sensors.filter(\.isPublic).sorted { $0.id < $1.id }
        self.span = span
    }

    var lampposts: [String] { Array(Set(sensors.map(\.lamppost))).sorted() }
    var quantities: [String] { Array(Set(sensors.flatMap(\.quantities.keys))).sorted() }
    /// Datastream ids: `SENSOR:QUANTITY`.
    var datastreams: [(id: String, sensor: Sensor, quantity: String)] {
        sensors.flatMap { s in s.quantities.keys.sorted().map { ("\(s.id):\($0)", s, $0) } }
    }

    func ids(_ kind: Kind) -> [String] {
        switch kind {
        case .Things, .Locations: lampposts
        case .Sensors: sensors.map(\.id)
        case .ObservedProperties: quantities
        case .Datastreams: datastreams.map(\.id)
        case .Observations: []
        }
    }

    func exists(_ kind: Kind, _ id: String) -> Bool { ids(kind).contains(id) }

    func link(_ kind: Kind, _ id: String) -> String { "\(root)/\(kind.rawValue)(\(Self.quoted(id)))" }

    static func quoted(_ id: String) -> String { "'" + id.replacingOccurrences(of: "'", with: "''") + "'" }

    /// The entity's own properties and navigation links (no expansion).
    func entity(_ kind: Kind, _ id: String) -> JSONValue {
        let selfLink = link(kind, id)
        var fields: [(String, JSONValue)] = [("@iot.id", .string(id)), ("@iot.selfLink", .string(selfLink))]
        switch kind {
        case .Things:
            let on = sensors.filter { $0.lamppost == id }
            fields += [("name", .string("Lantaarnpaal \(id)")),
                       ("description", .string("Lantaarnpaal met \(on.count) sensor(en): \(on.map(\.kind).joined(separator: ", "))")),
                       ("properties", .object([("sensoren", .array(on.map { .string($0.id) }))])),
                       ("Locations@iot.navigationLink", .string(selfLink + "/Locations")),
                       ("Datastreams@iot.navigationLink", .string(selfLink + "/Datastreams"))]
        case .Locations:
            let s = sensors.first { $0.lamppost == id }
            fields += [("name", .string("Plaats van lantaarnpaal \(id)")), ("description", .string("Bevestigingspunt (WGS84)")),
                       ("encodingType", .string("application/geo+json")),
                       ("location", .object([("type", .string("Point")),
                                             ("coordinates", .array([.number(s?.longitude ?? 0), .number(s?.latitude ?? 0)]))])),
                       ("Things@iot.navigationLink", .string(selfLink + "/Things"))]
        case .Sensors:
            let s = sensors.first { $0.id == id }
            fields += [("name", .string(id)), ("description", .string("Sensor voor \(s?.kind ?? "metingen")")),
                       ("encodingType", .string("text/plain")),
                       ("metadata", .string("soort: \(s?.kind ?? ""); berichtformaat: \(s?.codec ?? "")")),
                       ("Datastreams@iot.navigationLink", .string(selfLink + "/Datastreams"))]
        case .ObservedProperties:
            fields += [("name", .string(id)), ("definition", .string(selfLink)),
                       ("description", .string("Gemeten grootheid '\(id)'")),
                       ("Datastreams@iot.navigationLink", .string(selfLink + "/Datastreams"))]
        case .Datastreams:
            guard let d = datastreams.first(where: { $0.id == id }), let spec = d.sensor.quantities[d.quantity] else { break }
            fields += [("name", .string("\(d.quantity) van \(d.sensor.id)")),
                       ("description", .string("Ruwe metingen van \(d.quantity) door sensor \(d.sensor.id) op lantaarnpaal \(d.sensor.lamppost)")),
                       ("observationType", .string("http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement")),
                       ("unitOfMeasurement", .object([("name", .string(spec.unit)), ("symbol", .string(spec.unit)),
                                                      ("definition", .string(root + "/ObservedProperties(\(Self.quoted(d.quantity)))"))]))]
            if let span = span(d.sensor.id, d.quantity) {
                let interval = ISO8601.format(milliseconds: span.start) + "/" + ISO8601.format(milliseconds: span.end)
                fields += [("phenomenonTime", .string(interval)), ("resultTime", .string(interval))]
            }
            fields += [("Thing@iot.navigationLink", .string(selfLink + "/Thing")),
                       ("Sensor@iot.navigationLink", .string(selfLink + "/Sensor")),
                       ("ObservedProperty@iot.navigationLink", .string(selfLink + "/ObservedProperty")),
                       ("Observations@iot.navigationLink", .string(selfLink + "/Observations"))]
        case .Observations:
            break
        }
        return .object(fields)
    }

    /// One observation; its id is `DATASTREAM@EPOCHMS`, with `.N` for the N-th reading of the same time.
    func observation(_ datastream: String, _ reading: Reading, atTimestamp: Int) -> JSONValue {
        let id = "\(datastream)@\(reading.timestamp)" + (atTimestamp > 0 ? ".\(atTimestamp)" : "")
        let time = ISO8601.format(milliseconds: reading.timestamp)
        var fields: [(String, JSONValue)] = [
            ("@iot.id", .string(id)), ("@iot.selfLink", .string(link(.Observations, id))),
            ("phenomenonTime", .string(time)), ("resultTime", .string(time)), ("result", .number(reading.value)),
        ]
        if reading.flags.rawValue != 0 { fields.append(("parameters", .object([("kwaliteitsvlaggen", .number(Double(reading.flags.rawValue)))]))) }
        fields.append(("Datastream@iot.navigationLink", .string(link(.Observations, id) + "/Datastream")))
        return .object(fields)
    }

    /// Entities related to `id` of `kind` through `navigation` (a plural collection or a single entity).
    func related(_ kind: Kind, _ id: String, _ navigation: String) -> (kind: Kind, ids: [String], single: Bool)? {
        switch (kind, navigation) {
        case (.Things, "Datastreams"): return (.Datastreams, datastreams.filter { $0.sensor.lamppost == id }.map(\.id), false)
        case (.Things, "Locations"): return (.Locations, [id], false)
        case (.Locations, "Things"): return (.Things, [id], false)
        case (.Sensors, "Datastreams"): return (.Datastreams, datastreams.filter { $0.sensor.id == id }.map(\.id), false)
        case (.ObservedProperties, "Datastreams"): return (.Datastreams, datastreams.filter { $0.quantity == id }.map(\.id), false)
        case (.Datastreams, "Thing"): return datastreams.first { $0.id == id }.map { (.Things, [$0.sensor.lamppost], true) }
        case (.Datastreams, "Sensor"): return datastreams.first { $0.id == id }.map { (.Sensors, [$0.sensor.id], true) }
        case (.Datastreams, "ObservedProperty"): return datastreams.first { $0.id == id }.map { (.ObservedProperties, [$0.quantity], true) }
        default: return nil
        }
    }

    /// Navigations an entity of `kind` may expand.
    static func expandable(_ kind: Kind) -> [String] {
        switch kind {
        case .Things: ["Datastreams", "Locations"]
        case .Locations: ["Things"]
        case .Sensors, .ObservedProperties: ["Datastreams"]
        case .Datastreams: ["Thing", "Sensor", "ObservedProperty"]
        case .Observations: []
        }
    }
}
