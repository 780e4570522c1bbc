import LantaarnModel
import Store

/// Lantaarn JSON, one reading message per line, with the sensor named in it:
/// `{"sensor":"hlm-lp0101-lucht","ts":"2026-11-22T10:00:00Z","values":{"pm25":12.3}}`.
/// Each line is validated exactly as if it had arrived over MQTT on the sensor's topic.
struct NDJSONRows: FileRows {
    let validator: ReadingValidator
    let headerIsData = true

    mutating func header(_ line: UnsafeRawBufferPointer) -> Bool {
        line.first(where: { $0 != 0x20 && $0 != 0x09 }) == UInt8(ascii: "{")
    }

    func row(_ line: UnsafeRawBufferPointer, origin: () -> String, receivedAt: Int64, into out: inout RowOutcome) {
        let sensor = (try? JSONParser.parse(line))?["sensor"]?.stringValue
        guard let sensor, let id = validator.registry.sensorByDevice[sensor], let topic = validator.registry.sensors[id]?.topic else {
            out.quarantined.append(reject(line, origin: origin(), sensorID: nil,
                                             reason: "line is not a JSON object with a registered \"sensor\"; see Sensors/", receivedAt: receivedAt))
            return
        }
        let outcome = validator.validate(LogRecord(receivedAt: receivedAt, origin: topic, payload: Array(line)), source: "file")
        // Quarantine entries point at the file and line, not at the topic.
        out.readings += outcome.readings
        out.quarantined += outcome.quarantined.map { var q = $0; q.origin = origin(); return q }
    }
}
