import Foundation
import Geo
import LantaarnModel
import Yams

/// The sensors Lantaarn accepts readings from, loaded from `Sensors/*.yaml`,
/// each with the CBS areas its mounting point lies in, per boundary vintage.
public struct SensorRegistry: Sendable {
    /// Sensors by id.
    public let sensors: [String: Sensor]
    /// Sensor id by MQTT topic.
    public let sensorByTopic: [String: String]
    /// Wijk and buurt of each sensor through its moves and the boundary vintages; a reading
    /// takes those of its own time (`nil` there: outside every known one, counted as unknown).
    public let placeBySensor: [String: PlaceTimeline]
    /// Gemeente, wijk and buurt of each sensor now (the newest vintages).
    public let areasBySensor: [String: AreaAssignment]
    /// Payload codec of each sensor.
    public let codecBySensor: [String: any PayloadCodec]
    /// Sensor id by the id it has elsewhere (``Sensor/device``), and by its own id.
    public let sensorByDevice: [String: String]

    /// The topic a sensor uses when its YAML does not name one.
    public static func defaultTopic(sensorID: String) -> String { "lantaarn/sensors/\(sensorID)/readings" }

    /// Builds a registry from sensors with one boundary set for all time.
    public init(sensors list: [Sensor], boundaries: BoundarySet) {
        self.init(sensors: list, boundaries: BoundaryCatalog([boundaries]))
    }

    /// Builds a registry from sensors and assigns each its areas by point-in-polygon, once
    /// per position and vintage, so a reading's wijk and buurt are a lookup by time.
    public init(sensors list: [Sensor], boundaries: BoundaryCatalog, now: Int64 = Clock.nowMilliseconds()) {
        var byID: [String: Sensor] = [:]
        var byTopic: [String: String] = [:]
        var places: [String: PlaceTimeline] = [:]
        var areas: [String: AreaAssignment] = [:]
        var codecs: [String: any PayloadCodec] = [:]
        var devices: [String: String] = [:]
        // A JSON mapping builds only the members the quantities read, of every sensor on its topic;
        // a vendor codec answers only the fields of every sensor naming its file (all of its values
        // when one of them quarantines fields no quantity takes).
        var fieldsByTopic: [String: [String]] = [:]
        for s in list where s.json != nil { fieldsByTopic[s.topic, default: []] += s.fields }
        var fieldsByScript: [String: [String]] = [:], wholeAnswers = Set<String>()
        for s in list {
            guard let file = s.javascript?.path else { continue }
            fieldsByScript[file, default: []] += s.fields
            if s.extraFields == .quarantine { wholeAnswers.insert(file) }
        }
        for s in list {
            devices[s.id] = s.id
            if let d = s.device { devices[d] = s.id }
            byID[s.id] = s
            let script = s.javascript.map(\.path)
            let fields = s.json != nil ? fieldsByTopic[s.topic] : script.flatMap { wholeAnswers.contains($0) ? nil : fieldsByScript[$0] }
            codecs[s.id] = PayloadCodecs.codec(for: s, fields: fields) ?? LantaarnJSONCodec()
            byTopic[s.topic] = s.id
            let point = GeoPoint(lon: s.longitude, lat: s.latitude)
            places[s.id] = boundaries.placeTimeline(for: s.positions)
            areas[s.id] = boundaries.assign(point, at: now)
        }
        sensors = byID
        sensorByTopic = byTopic
        placeBySensor = places
        areasBySensor = areas
        codecBySensor = codecs
        sensorByDevice = devices
    }

    /// Loads every `*.yaml`/`*.yml` in `directory`. Errors name the file and the YAML path.
    public static func load(directory: String, boundaries: BoundaryCatalog) throws -> SensorRegistry {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw RegistryError(file: directory, path: "", reason: "cannot read the sensor folder; pass --sensors DIR pointing at Sensors/")
        }
        var all: [Sensor] = []
        var seen: [String: Sensor] = [:]
        for name in files {
            let file = (directory as NSString).appendingPathComponent(name)
            for sensor in try SensorFile.parse(path: file) {
                if let other = seen[sensor.id] {
                    throw RegistryError(file: file, path: sensor.source.map { "\($0.path).id" } ?? "",
                                        reason: "duplicate sensor id, also defined in \(other.source?.description ?? "another file")").located()
                }
                seen[sensor.id] = sensor
                all.append(sensor)
            }
        }
        try checkSharedTopics(all)
        return SensorRegistry(sensors: all, boundaries: boundaries)
    }

    /// Sensors share a topic only when one JSON mapping with a device field tells them apart.
    static func checkSharedTopics(_ sensors: [Sensor]) throws {
        var byTopic: [String: [Sensor]] = [:]
        for s in sensors { byTopic[s.topic, default: []].append(s) }
        for (topic, group) in byTopic where group.count > 1 {
            let first = group[0]
            for s in group where s.json?.device == nil || s.json != first.json || s.device == nil {
                throw RegistryError(file: s.source?.file ?? "", path: s.source.map { "\($0.path).topic" } ?? "",
                                    reason: "topic \(topic) is also \(s.id == first.id ? group[1].id : first.id)'s; sensors share a topic only with the same json mapping naming the device field (codec: {json: {device: /…}}) and a device: of their own").located()
            }
        }
    }
}

/// A sensor file could not be read: which file, line and YAML path, what to fix.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var path: String
    public var reason: String
    /// The line of `path` in `file`, when known.
    public var line: Int?

    public init(file: String, path: String, reason: String, line: Int? = nil) {
        self.file = file
        self.path = path
        self.reason = reason
        self.line = line
    }

    public var description: String {
        let at = line.map { "\(file):\($0)" } ?? file
        return path.isEmpty ? "\(at): \(reason)" : "\(at): \(path): \(reason)"
    }

    /// This error with the line of its path in `map`, when it has none yet.
    func located(in map: YAMLSourceMap) -> RegistryError {
        guard line == nil, !path.isEmpty, let at = map.position(of: path) else { return self }
        var located = self
        located.line = at.line
        return located
    }

    /// This error with the line of its path in its file (read again: for errors found after loading).
    func located() -> RegistryError {
        guard line == nil, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return self }
        return located(in: YAMLSourceMap(text, schema: .any))
    }
}
