import Foundation
import Geo
import LantaarnModel
import Yams

/// The sensors Lantaarn accepts readings from, loaded from `Sensors/*.yaml`,
/// each with the CBS wijk its mounting point lies in.
public struct SensorRegistry: Sendable {
    /// Sensors by id.
    public let sensors: [String: Sensor]
    /// Sensor id by MQTT topic.
    public let sensorByTopic: [String: String]
    /// Wijk of each sensor (absent: outside every known wijk, counted as unknown).
    public let wijkBySensor: [String: WijkCode]
    /// Payload codec of each sensor.
    public let codecBySensor: [String: any PayloadCodec]
    /// Sensor id by the id it has elsewhere (``Sensor/device``), and by its own id.
    public let sensorByDevice: [String: String]

    /// The topic a sensor uses when its YAML does not name one.
    public static func defaultTopic(sensorID: String) -> String { "lantaarn/sensors/\(sensorID)/readings" }

    /// Builds a registry from sensors and assigns each its wijk by point-in-polygon.
    public init(sensors list: [Sensor], boundaries: BoundarySet) {
        var byID: [String: Sensor] = [:]
        var byTopic: [String: String] = [:]
        var wijk: [String: WijkCode] = [:]
        var codecs: [String: any PayloadCodec] = [:]
        var devices: [String: String] = [:]
        for s in list {
            devices[s.id] = s.id
            if let d = s.device { devices[d] = s.id }
            byID[s.id] = s
            codecs[s.id] = PayloadCodecs.named(s.codec) ?? LantaarnJSONCodec()
            byTopic[s.topic] = s.id
            if let area = boundaries.locate(lat: s.latitude, lon: s.longitude), let code = WijkCode(area.code) {
                wijk[s.id] = code
            }
        }
        sensors = byID
        sensorByTopic = byTopic
        wijkBySensor = wijk
        codecBySensor = codecs
        sensorByDevice = devices
    }

    /// Loads every `*.yaml`/`*.yml` in `directory`. Errors name the file and the YAML path.
    public static func load(directory: String, boundaries: BoundarySet) throws -> SensorRegistry {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw RegistryError(file: directory, path: "", reason: "cannot read the sensor folder; pass --sensors DIR pointing at Sensors/")
        }
        var all: [Sensor] = []
        var seen: [String: String] = [:]
        for name in files {
            let file = (directory as NSString).appendingPathComponent(name)
            for sensor in try SensorFile.parse(path: file) {
                if let other = seen[sensor.id] {
                    throw RegistryError(file: file, path: "sensors.\(sensor.id)", reason: "duplicate sensor id, also defined in \(other)")
                }
                seen[sensor.id] = file
                all.append(sensor)
            }
        }
        return SensorRegistry(sensors: all, boundaries: boundaries)
    }
}

/// A sensor file could not be read: which file, which YAML path, what to fix.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var path: String
    public var reason: String

    public var description: String { path.isEmpty ? "\(file): \(reason)" : "\(file): \(path): \(reason)" }
}
