import Foundation
import LantaarnModel
import Store

/// The Sensor.Community archive CSV (`;`-separated, one file per sensor and day):
/// `sensor_id;sensor_type;location;lat;lon;timestamp;P1;…`. Times are UTC without a zone.
/// The row's `sensor_id` is matched against `device:` (or the id) in `Sensors/`; each value
/// column is a payload field (`P1`, `P2`, `temperature`, …) for the sensor's quantities.
/// Empty cells are no value; the duration and ratio columns no sensor registers are ignored.
struct SensorCommunityCSVRows: FileRows {
    let validator: ReadingValidator
    private var sensorColumn = -1, timeColumn = -1
    private var valueColumns: [(index: Int, name: String)] = []
    let headerIsData = false

    init(validator: ReadingValidator) { self.validator = validator }

    static let metadataColumns: Set = ["sensor_id", "sensor_type", "location", "lat", "lon", "timestamp"]

    mutating func header(_ line: UnsafeRawBufferPointer) -> Bool {
        let names = split(line).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let s = names.firstIndex(of: "sensor_id"), let t = names.firstIndex(of: "timestamp") else { return false }
        sensorColumn = s
        timeColumn = t
        valueColumns = names.enumerated().filter { !Self.metadataColumns.contains($0.element) }.map { ($0.offset, $0.element) }
        return true
    }

    func row(_ line: UnsafeRawBufferPointer, origin: () -> String, receivedAt: Int64, into out: inout RowOutcome) {
        let cells = split(line)
        guard cells.count > max(sensorColumn, timeColumn) else {
            out.quarantined.append(rejectRow(line, origin: origin(), sensorID: nil, reason: "row has \(cells.count) cells, the header more; the line is cut off", receivedAt: receivedAt))
            return
        }
        let device = String(decoding: cells[sensorColumn], as: UTF8.self)
        guard let sensorID = validator.registry.sensorByDevice[device], let sensor = validator.registry.sensors[sensorID] else {
            out.quarantined.append(rejectRow(line, origin: origin(), sensorID: nil,
                                             reason: "Sensor.Community sensor \(device.prefix(20)) is not in Sensors/: add it with device: \"\(device.prefix(20))\"",
                                             receivedAt: receivedAt))
            return
        }
        guard let ts = ISO8601.parse(bytes: cells[timeColumn].bindMemory(to: UInt8.self)) else {
            out.quarantined.append(rejectRow(line, origin: origin(), sensorID: sensorID, reason: "timestamp is not ISO 8601 (2018-07-08T00:01:26)", receivedAt: receivedAt))
            return
        }
        for (index, name) in valueColumns where index < cells.count && !cells[index].isEmpty {
            guard sensor.quantity(forField: name) != nil || sensor.extraFields == .quarantine else { continue }
            guard let v = DecimalNumber.parse(cells[index]), v.isFinite else {
                out.quarantined.append(rejectRow(line, origin: origin(), sensorID: sensorID, reason: "\(name) is not a number",
                                                 receivedAt: receivedAt, value: .init(field: name, timestamp: ts)))
                continue
            }
            switch validator.judge(DecodedValue(name, v), at: ts, receivedAt: receivedAt, sensor: sensor) {
            case .reading(let r): out.readings.append(r)
            case .ignored: break
            case .rejected(let reason):
                out.quarantined.append(rejectRow(line, origin: origin(), sensorID: sensorID, reason: reason, receivedAt: receivedAt,
                                                 value: .init(field: name, timestamp: ts)))
            }
        }
    }

    private func split(_ line: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer] {
        var cells: [UnsafeRawBufferPointer] = []
        cells.reserveCapacity(12)
        var start = 0
        var end = line.count
        if end > 0, line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        for i in 0..<end where line[i] == UInt8(ascii: ";") {
            cells.append(UnsafeRawBufferPointer(rebasing: line[start..<i]))
            start = i + 1
        }
        cells.append(UnsafeRawBufferPointer(rebasing: line[start..<end]))
        return cells
    }
}
