import Foundation
import LantaarnModel
import Yams

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
        var quantities: [String: Quantity]
    }

    struct Quantity: Decodable {
        var unit: String
        var min: Double
        var max: Double
        var resolution: Double?
    }

    static func parse(path: String) throws -> [Sensor] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RegistryError(file: path, path: "", reason: "cannot read the file as UTF-8 text")
        }
        let document: Document
        do {
            document = try YAMLDecoder().decode(Document.self, from: text)
        } catch let error as DecodingError {
            throw RegistryError(file: path, path: error.yamlPath, reason: error.plainReason)
        } catch {
            throw RegistryError(file: path, path: "", reason: "not valid YAML: \(error)")
        }
        return try document.sensors.enumerated().map { index, e in
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
                specs[name] = QuantitySpec(unit: q.unit, minimum: q.min, maximum: q.max, resolution: resolution)
            }
            return Sensor(id: e.id, lamppost: e.lamppost, latitude: e.lat, longitude: e.lon,
                          topic: e.topic ?? SensorRegistry.defaultTopic(sensorID: e.id), kind: e.kind, quantities: specs)
        }
    }
}
