import Foundation
import LantaarnModel

/// Any JSON payload, read the way its sensor file maps it (`codec: {json: {…}}`, see
/// ``JSONMapping``): the records (one, or each element of an array), each record's time and
/// device, and the number (or yes/no as 1 or 0) at each quantity's `field:` (a key, or a JSON
/// Pointer when nested). Only the values the mapping and the quantities point at are built.
public struct JSONMappingCodec: PayloadCodec {
    public let mapping: JSONMapping
    /// Where each record's time, device and fields are: read in one pass, nothing else built.
    let extraction: JSONExtraction
    let times: RecordTime
    /// Each field a quantity reads: its name (a key, or a JSON Pointer when nested) and where it is.
    let fields: [(name: String, pointer: JSONPointer)]
    /// The extraction's slots of the time and the device (when mapped); the fields follow.
    let timeSlot: Int?, deviceSlot: Int?, firstField: Int

    /// A codec for `mapping`; `fields` are the quantities' fields of every sensor that reads it.
    public init(mapping: JSONMapping, fields: [String]) {
        self.mapping = mapping
        times = RecordTime(mapping.timeFormat)
        self.fields = JSONPointer.fields(fields)
        let heads = [mapping.time, mapping.device].compactMap { $0 }
        timeSlot = mapping.time == nil ? nil : 0
        deviceSlot = mapping.device == nil ? nil : heads.count - 1
        firstField = heads.count
        extraction = JSONExtraction(pointers: heads + self.fields.map(\.pointer), records: mapping.records)
    }

    public func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage {
        let extracted: JSONExtraction.Records
        do {
            extracted = try extraction.extract(payload)
        } catch {
            throw CodecError("payload is not valid JSON (\(error)); expected JSON as the sensor's json mapping describes it")
        }
        let records: [JSONExtraction.Row?]
        switch extracted {
        case .missing: throw CodecError("records: \(mapping.records!) is not in the payload; fix 'records' in the sensor's json mapping")
        case .notAList: throw CodecError("records: \(mapping.records!) is not a list of records")
        case .rows(let rows): records = rows
        }
        var values: [DecodedValue] = []
        values.reserveCapacity(records.count * fields.count)
        var devices = Set<String>()
        // A record that cannot be read is quarantined beside the message; the others are kept.
        var problems: [String] = []
        for (k, record) in records.enumerated() {
            do throws(CodecError) {
                try read(record, at: mapping.records == nil ? "the payload" : "record \(k)", into: &values, devices: &devices)
            } catch {
                problems.append(error.reason)
            }
        }
        if !problems.isEmpty, problems.count == records.count { throw CodecError(problems[0]) }
        var message = DecodedMessage(timestamp: nil, values: values, device: devices.count == 1 ? devices.first : nil)
        message.warnings = problems
        return message
    }

    private func read(_ record: JSONExtraction.Row?, at: String, into values: inout [DecodedValue], devices: inout Set<String>) throws(CodecError) {
        guard let record else { throw CodecError("\(at) is not an object") }
        var time: Int64?
        if let slot = timeSlot, let pointer = mapping.time {
            guard let node = record[slot] else { throw CodecError("\(at) has no time at \(pointer)") }
            time = try times.milliseconds(node, at: "\(at), \(pointer)")
        }
        var device: String?
        if let slot = deviceSlot, let pointer = mapping.device {
            switch record[slot] {
            case .string(let s)?: device = s
            case .number(let n)? where n == n.rounded() && abs(n) < 1e15: device = String(Int64(n))
            default: throw CodecError("\(at) has no device id (text or whole number) at \(pointer)")
            }
            devices.insert(device!)
        }
        for (k, field) in fields.enumerated() {
            let number: Double
            switch record[firstField + k] {
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
