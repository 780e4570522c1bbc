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
    private(set) var header: [UInt8] = []

    init(validator: ReadingValidator) { self.validator = validator }

    static let metadataColumns: Set = ["sensor_id", "sensor_type", "location", "lat", "lon", "timestamp"]

    mutating func header(_ line: UnsafeRawBufferPointer) -> Bool {
        let names = split(line).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let s = names.firstIndex(of: "sensor_id"), let t = names.firstIndex(of: "timestamp") else { return false }
        sensorColumn = s
        timeColumn = t
        header = Array(line)
        valueColumns = names.enumerated().filter { !Self.metadataColumns.contains($0.element) }.map { ($0.offset, $0.element) }
        return true
    }

    /// What the value columns of one sensor become, resolved once per sensor and file.
    private struct Plan {
        var device: [UInt8]
        var sensorID: String
        /// Per value column: its target, or `nil` when no quantity takes it.
        var targets: [ReadingValidator.Target?]
        var quarantinesExtraFields: Bool
    }
    /// Plans by a hash of the `sensor_id` cell (checked against the bytes: a collision only rebuilds).
    private var plans: [UInt64: Plan] = [:]

    /// Reused between rows: one allocation per file instead of one per row.
    private var cellBuffer: [UnsafeRawBufferPointer] = []

    mutating func row(_ line: UnsafeRawBufferPointer, origin: () -> String, receivedAt: Int64, into out: inout RowOutcome) {
        Self.split(line, into: &cellBuffer)
        let cells = cellBuffer
        guard cells.count > max(sensorColumn, timeColumn) else {
            out.quarantined.append(reject(line, origin: origin(), sensorID: nil, reason: "row has \(cells.count) cells, the header more; the line is cut off", receivedAt: receivedAt))
            return
        }
        let deviceCell = cells[sensorColumn]
        let key = FNV1a.hash(deviceCell)
        if plans[key].map({ !$0.device.elementsEqual(deviceCell) }) ?? true {
            let device = String(decoding: deviceCell, as: UTF8.self)
            guard let sensorID = validator.registry.sensorByDevice[device], let sensor = validator.registry.sensors[sensorID] else {
                out.quarantined.append(reject(line, origin: origin(), sensorID: nil,
                                                 reason: "Sensor.Community sensor \(device.prefix(20)) is not in Sensors/: add it with device: \"\(device.prefix(20))\"",
                                                 receivedAt: receivedAt))
                return
            }
            plans[key] = Plan(device: Array(deviceCell), sensorID: sensorID,
                        targets: valueColumns.map { validator.target(forField: $0.name, of: sensor) },
                        quarantinesExtraFields: sensor.extraFields == .quarantine)
        }
        let plan = plans[key]!
        guard let ts = ISO8601.parse(bytes: cells[timeColumn].bindMemory(to: UInt8.self)) else {
            out.quarantined.append(reject(line, origin: origin(), sensorID: plan.sensorID, reason: "timestamp is not ISO 8601 (2018-07-08T00:01:26)", receivedAt: receivedAt))
            return
        }
        for (k, column) in valueColumns.enumerated() where column.index < cells.count && !cells[column.index].isEmpty {
            let target = plan.targets[k]
            guard target != nil || plan.quarantinesExtraFields else { continue }
            guard let v = DecimalNumber.parse(cells[column.index]), v.isFinite else {
                out.quarantined.append(reject(line, origin: origin(), sensorID: plan.sensorID, reason: "\(column.name) is not a number",
                                                 receivedAt: receivedAt, value: .init(field: column.name, timestamp: ts)))
                continue
            }
            let judgement = target.map { validator.judge(v, at: ts, receivedAt: receivedAt, target: $0) }
                ?? .rejected(ReadingValidator.unregistered(column.name, sensorID: plan.sensorID))
            switch judgement {
            case .reading(let r): out.readings.append(r)
            case .ignored: break
            case .rejected(let reason):
                out.quarantined.append(reject(line, origin: origin(), sensorID: plan.sensorID, reason: reason, receivedAt: receivedAt,
                                                 value: .init(field: column.name, timestamp: ts)))
            }
        }
    }

    private func split(_ line: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer] {
        var cells: [UnsafeRawBufferPointer] = []
        Self.split(line, into: &cells)
        return cells
    }

    /// Cells of a `;`-separated line (a trailing `\r` dropped), into a reused array.
    private static func split(_ line: UnsafeRawBufferPointer, into cells: inout [UnsafeRawBufferPointer]) {
        cells.removeAll(keepingCapacity: true)
        var start = 0
        var end = line.count
        if end > 0, line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard let base = line.baseAddress else { cells.append(line); return }
        while let hit = memchr(base + start, Int32(UInt8(ascii: ";")), end - start) {
            let i = base.distance(to: UnsafeRawPointer(hit))
            cells.append(UnsafeRawBufferPointer(rebasing: line[start..<i]))
            start = i + 1
        }
        cells.append(UnsafeRawBufferPointer(rebasing: line[start..<end]))
    }
}
