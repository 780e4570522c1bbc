import Foundation
import LantaarnModel

/// Any JSON payload, read the way its sensor file maps it (`codec: {json: {…}}`, see
/// ``JSONMapping``): the records (one, or each element of an array), each record's time and
/// device, and the number (or yes/no as 1 or 0) at each quantity's `field:` (a key, or a JSON
/// Pointer when nested). Only the members the mapping and the quantities name are built.
public struct JSONMappingCodec: PayloadCodec {
    public let mapping: JSONMapping
    let selection: JSONParser.Selection
    let times: RecordTime
    /// Each field a quantity reads: its name (a key, or a JSON Pointer when nested) and where it is.
    let fields: [(name: String, pointer: JSONPointer)]

    /// A codec for `mapping`; `fields` are the quantities' fields of every sensor that reads it.
    public init(mapping: JSONMapping, fields: [String]) {
        self.mapping = mapping
        var keys = Set<String>()
        for pointer in [mapping.records, mapping.time, mapping.device].compactMap({ $0 }) { keys.formUnion(pointer.tokens) }
        for field in fields { keys.formUnion(JSONPointer(field)?.tokens ?? [field]) }
        selection = JSONParser.Selection(keys: keys, whole: [])
        times = RecordTime(mapping.timeFormat)
        var seen = Set<String>()
        self.fields = fields.compactMap { field in
            guard seen.insert(field).inserted else { return nil }
            guard field.hasPrefix("/") else { return (field, JSONPointer(tokens: [field])) }
            return JSONPointer(field).map { ($0.valueName, $0) }
        }
    }

    public func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage {
        let root = try PayloadCodecs.parseJSON(payload, format: "JSON as the sensor's json mapping describes it", selecting: selection)
        let records: [JSONValue]
        if let pointer = mapping.records {
            guard let node = pointer.resolve(in: root) else {
                throw CodecError("records: \(pointer) is not in the payload; fix 'records' in the sensor's json mapping")
            }
            guard case .array(let items) = node else { throw CodecError("records: \(pointer) is not a list of records") }
            records = items
        } else {
            records = [root]
        }
        var values: [DecodedValue] = []
        values.reserveCapacity(records.count * 4)
        var devices = Set<String>()
        // A record that cannot be read is quarantined beside the message; the others are kept.
        var problems: [String] = []
        for (k, record) in records.enumerated() {
            do throws(CodecError) {
                try read(record, at: records.count == 1 && mapping.records == nil ? "the payload" : "record \(k)", into: &values, devices: &devices)
            } catch {
                problems.append(error.reason)
            }
        }
        if !problems.isEmpty, problems.count == records.count { throw CodecError(problems[0]) }
        var message = DecodedMessage(timestamp: nil, values: values, device: devices.count == 1 ? devices.first : nil)
        message.warnings = problems
        return message
    }

    private func read(_ record: JSONValue, at: String, into values: inout [DecodedValue], devices: inout Set<String>) throws(CodecError) {
        guard case .object = record else { throw CodecError("\(at) is not an object") }
        var time: Int64?
        if let pointer = mapping.time {
            guard let node = pointer.resolve(in: record) else { throw CodecError("\(at) has no time at \(pointer)") }
            time = try times.milliseconds(node, at: "\(at), \(pointer)")
        }
        var device: String?
        if let pointer = mapping.device {
            switch pointer.resolve(in: record) {
            case .string(let s)?: device = s
            case .number(let n)? where n == n.rounded() && abs(n) < 1e15: device = String(Int64(n))
            default: throw CodecError("\(at) has no device id (text or whole number) at \(pointer)")
            }
            devices.insert(device!)
        }
        // Each field straight from where it is (no walk over the record, no name built per value).
        for field in fields {
            let number: Double
            switch field.pointer.resolve(in: record) {
            case .number(let n)?: number = n
            case .bool(let b)?: number = b ? 1 : 0
            default: continue
            }
            guard number.isFinite else { continue }
            var value = DecodedValue(field.name, number, timestamp: time)
            value.device = device
            values.append(value)
        }
    }
}
