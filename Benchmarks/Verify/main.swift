import Foundation
import LantaarnModel
import Store

// Accounting for `make verify` (issue 10): did every message the broker acknowledged end up in
// the store exactly once (or in quarantine, with its reason), and is the database intact?
// Usage:
//   lantaarn-verify account DATA_DIR EXPECTED_FILE
// EXPECTED_FILE holds one published message per line: `SENSOR_ID TIMESTAMP_MS` (each message
// carries pm25 and pm10; pm25 is accounted for, pm10 must match its count). Prints one JSON
// object: expected, stored, quarantined, lost, duplicated, unexpected, pm10, integrity.

let args = CommandLine.arguments
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}
guard args.count == 4, args[1] == "account" else { fail("usage: lantaarn-verify account DATA_DIR EXPECTED_FILE") }

struct Key: Hashable {
    var sensor: String
    var timestamp: Int64
}

guard let text = try? String(contentsOfFile: args[3], encoding: .utf8) else { fail("cannot read \(args[3])") }
var expected = Set<Key>()
for line in text.split(separator: "\n") {
    let parts = line.split(separator: " ")
    guard parts.count == 2, let ts = Int64(parts[1]) else { fail("bad line in \(args[3]): \(line)") }
    expected.insert(Key(sensor: String(parts[0]), timestamp: ts))
}

let store = try SQLiteStore(dataDirectory: args[2])
var stored = [Key: Int]()
var pm10 = 0
try store.readings.scan(quantities: ["pm25", "pm10"], window: TimeWindow(start: 0, end: Int64.max / 2)) { r in
    if r.series.quantity == "pm25" {
        stored[Key(sensor: r.series.sensorID, timestamp: r.timestamp), default: 0] += 1
    } else {
        pm10 += 1
    }
}
// Quarantined messages: the sensor from the topic, the time from the payload's "ts".
var quarantined = Set<Key>()
var after: Int64 = 0
while true {
    let page = try store.readings.quarantine(after: after, limit: 10_000)
    for entry in page {
        after = max(after, entry.id ?? after)
        guard let sensor = entry.sensorID, let doc = try? JSONParser.parse(entry.payload),
              let ts = doc["ts"]?.stringValue.flatMap(ISO8601.parse) else { continue }
        quarantined.insert(Key(sensor: sensor, timestamp: ts))
    }
    if page.count < 10_000 { break }
}
let duplicated = stored.values.reduce(0) { $0 + max(0, $1 - 1) }
let lost = expected.filter { stored[$0] == nil && !quarantined.contains($0) }.count
let unexpected = stored.keys.filter { !expected.contains($0) }.count
let integrity = try store.integrityCheck()
let out: JSONValue = .object([
    ("expected", .number(Double(expected.count))), ("stored", .number(Double(stored.count))),
    ("quarantined", .number(Double(quarantined.intersection(expected).count))), ("lost", .number(Double(lost))),
    ("duplicated", .number(Double(duplicated))), ("unexpected", .number(Double(unexpected))),
    ("pm10", .number(Double(pm10))), ("integrity", .string(integrity.joined(separator: "; "))),
])
print(JSONWriter.string(out))
