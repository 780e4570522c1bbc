import LantaarnModel
import Store

/// SenML JSON (RFC 8428) files: either one pack per line, or the whole file one pack
/// (pretty-printed over many lines, as exports usually are).
///
/// Each record's device is its resolved name up to the last `:` or `/`
/// (`urn:dev:ow:10e2…:voltage` → `urn:dev:ow:10e2…`), matched against `device:` in
/// `Sensors/`; the full resolved name is the payload field (`field:` of a quantity).
/// Relative times count from the moment of loading, as RFC 8428 §4.5.3 says.
struct SenMLRows: FileRows {
    let validator: ReadingValidator
    let headerIsData = true
    /// Set by ``header(_:)`` when line 1 is not a pack by itself: the file is one document.
    private(set) var wholeFile = false

    mutating func header(_ line: UnsafeRawBufferPointer) -> Bool {
        guard line.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) == UInt8(ascii: "[") else { return false }
        if case .array = try? JSONParser.parse(line) { wholeFile = false } else { wholeFile = true }
        return true
    }

    func row(_ line: UnsafeRawBufferPointer, origin: () -> String, receivedAt: Int64, into out: inout RowOutcome) {
        let records: [SenMLCodec.Record]
        do throws(CodecError) {
            records = try SenMLCodec.resolve(PayloadCodecs.parseJSON(line, format: "a SenML pack [{\"bn\":…,\"n\":…,\"v\":…}]"),
                                             now: Double(receivedAt) / 1000)
        } catch {
            out.quarantined.append(reject(line, origin: origin(), sensorID: nil, reason: "senml: \(error.reason)", receivedAt: receivedAt))
            return
        }
        for (index, record) in records.enumerated() {
            let value: Double
            switch record.value {
            case .number(let v): value = v
            case .bool(let b): value = b ? 1 : 0
            case .string, .data: continue   // text and opaque data are not readings
            case nil:
                guard let sum = record.sum else { continue }
                value = sum
            }
            let device = SenMLCodec.device(of: record.name)
            let timestamp = Int64((record.time * 1000).rounded())
            guard let id = validator.registry.sensorByDevice[device], let sensor = validator.registry.sensors[id] else {
                out.quarantined.append(reject(line, origin: "\(origin()) record \(index)", sensorID: nil,
                                                 reason: "SenML device \(device.prefix(80)) is not in Sensors/: add it with device: \"\(device.prefix(80))\"",
                                                 receivedAt: receivedAt, value: .init(field: record.name, timestamp: timestamp)))
                continue
            }
            switch validator.judge(DecodedValue(record.name, value, unit: record.unit, timestamp: timestamp),
                                   at: timestamp, receivedAt: receivedAt, sensor: sensor) {
            case .reading(let r): out.readings.append(r)
            case .ignored: break
            case .rejected(let reason):
                out.quarantined.append(reject(line, origin: "\(origin()) record \(index)", sensorID: id, reason: reason,
                                                 receivedAt: receivedAt, value: .init(field: record.name, timestamp: timestamp)))
            }
        }
    }
}
