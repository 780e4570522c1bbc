import Foundation
import LantaarnModel

/// What `lantaarn sensors check` finds when it decodes a sensor's `example:` payload with the
/// sensor's own codec: the payload does not decode (say, a records or time pointer that is not
/// in it), or a quantity reads a field the decoded payload does not give (a wrong JSON Pointer,
/// a misspelt name). Each problem names the sensor file and line to fix, with a hint.
public struct SensorExampleCheck: Sendable {
    /// How many values the example gave this sensor.
    public var values = 0
    public var problems: [String] = []

    /// Nothing to check for a sensor without `example:`.
    public init(sensor: Sensor, codec: any PayloadCodec) {
        guard let example = sensor.example else { return }
        guard let bytes = FileManager.default.contents(atPath: example.path) else {
            problems.append(sensor.problem(at: "example", "cannot read \(example.label)"))
            return
        }
        let decoded = bytes.withUnsafeBytes { buffer in
            Result { () throws(CodecError) in try codec.decode(buffer, receivedAt: Clock.nowMilliseconds()) }
        }
        let message: DecodedMessage
        switch decoded {
        case .success(let m): message = m
        case .failure(let error):
            problems.append(sensor.problem(at: "example", "example \(example.label) does not decode with this sensor's codec: \(error.reason)"))
            return
        }
        problems += message.warnings.map { sensor.problem(at: "example", "example \(example.label): \($0)") }
        // Values of another device on the same topic belong to that device's sensor.
        let mine = message.values.filter { $0.device == nil || $0.device == sensor.device }
        values = mine.count
        let names = Set(mine.map(\.name))
        // A JSON mapping builds only the fields its quantities name: the hint lists every number
        // of the example's first record instead.
        let offered = (sensor.json.flatMap { Self.numbers(bytes, records: $0.records) } ?? names).sorted()
        for (quantity, spec) in sensor.quantities.sorted(by: { $0.key < $1.key }) {
            let field = spec.field ?? quantity
            guard !names.contains(field) else { continue }
            let hint = YAMLSourceMap.closest(field, in: offered).map { "did you mean '\($0)'?" }
                ?? (offered.isEmpty ? "it gives no numbers for this sensor" : "it gives \(offered.prefix(12).joined(separator: ", "))")
            problems.append(sensor.problem(at: sensor.fieldPath(of: quantity),
                                           "quantity \(quantity) reads field '\(field)', which example \(example.label) does not give; \(hint)"))
        }
    }

    /// The names of every number in the first record of a JSON payload (all of it without `records`).
    static func numbers(_ bytes: Data, records: JSONPointer?) -> Set<String>? {
        guard let root = try? JSONParser.parse([UInt8](bytes)) else { return nil }
        var record = root
        if let records {
            guard case .array(let items)? = records.resolve(in: root), let first = items.first else { return nil }
            record = first
        }
        return (try? DecodedObject.values(record, where: "the example")).map { Set($0.values.map(\.name)) }
    }
}
