import Foundation
import Ingest
import LantaarnModel

// Ingest benchmark, decode part: messages per second per core for each payload codec, on
// the shared sample payloads (and generated Lantaarn JSON like the demo sensors send).
// Usage: lantaarn-ingest-bench decode SHARED_DIR [SECONDS_PER_CODEC [one-core]]
//        lantaarn-ingest-bench file WORK_DIR [ROWS] [ROUNDS]
// With `one-core` (under `taskset -c 0`, so the codec workers it starts share that CPU) it
// measures the built-in TTN decoders and the vendor codecs only, as `decode_<case>_one_core_…`:
// the rate when the ingest and the codec's worker share a single core.
// Prints `BENCH decode_<codec>_msgs_per_s <n> msg/s` or `BENCH file_ingest_readings_per_s <n> readings/s`.

let args = CommandLine.arguments
if args.count >= 3, args[1] == "file" {
    try FileIngestBench.run(work: args[2], rows: args.count > 3 ? Int(args[3]) ?? 2_000_000 : 2_000_000,
                            rounds: args.count > 4 ? max(1, Int(args[4]) ?? 3) : 3)
    exit(0)
}
guard args.count >= 3, args[1] == "decode" else {
    FileHandle.standardError.write(Data("usage: lantaarn-ingest-bench decode SHARED_DIR [SECONDS] | file WORK_DIR [ROWS] [ROUNDS]\n".utf8))
    exit(2)
}
let sensors = args[2] + "/data/sensors"
let seconds = args.count > 3 ? Double(args[3]) ?? 2 : 2
let oneCore = args.count > 4 && args[4] == "one-core"
if oneCore {
    // Run under `taskset -c 0` (the Makefile does): the codec workers the bench starts inherit it.
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let allowed = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }?.split(separator: "\t").last ?? ""
    guard Int(allowed.trimmingCharacters(in: .whitespaces)) != nil else {
        FileHandle.standardError.write(Data("lantaarn-ingest-bench: one-core runs on one CPU: start it with taskset -c 0 (allowed now: \(allowed))\n".utf8))
        exit(2)
    }
}
let keySuffix = oneCore ? "_one_core" : ""

func file(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: sensors + "/" + path) else {
        FileHandle.standardError.write(Data("missing \(sensors)/\(path)\n".utf8))
        exit(1)
    }
    return [UInt8](data)
}

/// The plain format as the demo sensors publish it: 1-3 values, ISO timestamps.
func plainPayloads() -> [[UInt8]] {
    var rng = SystemRandomNumberGenerator()
    return (0..<1000).map { k in
        let ts = ISO8601.format(milliseconds: 1_795_341_600_000 + Int64(k) * 60_000)
        let names = ["pm25", "pm10", "no2"].prefix(1 + k % 3)
        let values = names.map { "\"\($0)\":\(Double(Int.random(in: 0..<5000, using: &rng)) / 10)" }.joined(separator: ",")
        return Array("{\"ts\":\"\(ts)\",\"values\":{\(values)}}".utf8)
    }
}

/// A built-in model's uplink as The Things Stack sends it when the device has a payload
/// formatter: the same message with `decoded_payload` (the values the vendor's layout gives)
/// added. Compares the decoded-payload path with the built-in decoder on the same uplinks.
func withDecodedPayload(_ uplink: [UInt8], model: String) -> [UInt8] {
    let values = uplink.withUnsafeBytes { try! PayloadCodecs.named("ttn-v3/\(model)")!.decode($0, receivedAt: 0).values }
    guard case .object(var root) = try! JSONParser.parse(uplink), let at = root.firstIndex(where: { $0.0 == "uplink_message" }),
          case .object(var message) = root[at].1 else { fatalError("not a TTN uplink") }
    message.append(("decoded_payload", .object(values.map { ($0.name, JSONValue.number($0.value)) })))
    root[at].1 = .object(message)
    return Array(JSONWriter.string(.object(root)).utf8)
}

let repository = sensors + "/lorawan/device-repository/vendor"
let cases: [(key: String, codec: String, payloads: [[UInt8]])] = [
    ("plain", "lantaarn-json", plainPayloads()),
    ("senml", "senml", (1...12).map { file("senml/ex\($0).gen.json") }),
    ("sensor_community", "sensor-community", [file("sensor_community_push/airrohr_push_measurement.json"),
                                              file("sensor_community_push/airrohr_push_measurement_no_bme280.json")]),
    ("ttn_decentlab_dl_pm", "ttn-v3/decentlab-dl-pm", [file("ttn_v3/Decentlab_DL-PM__payload.json")]),
    ("ttn_milesight_ws302", "ttn-v3/milesight-ws302", [file("ttn_v3/Milesight_WS302__payload.json")]),
    // Issue 32: uplinks the network server decoded (The Things Stack's decoded_payload, webhook
    // and event-stream shapes; ChirpStack's object).
    ("decoded_payload", "ttn-v3", [withDecodedPayload(file("ttn_v3/Decentlab_DL-PM__payload.json"), model: "decentlab-dl-pm"),
                                   withDecodedPayload(file("ttn_v3/Milesight_WS302__payload.json"), model: "milesight-ws302")]),
    ("decoded_payload_rs26x", "ttn-v3", [file("lorawan/ttn-v3-decoded/thingsboard_ezurio_rs26x_uplink.json"),
                                         file("lorawan/ttn-v3-decoded/thingsboard-ezurio-rs26x-guide_as.up.data.forward.json")]),
    ("chirpstack_object", "chirpstack-v4", [file("lorawan/chirpstack-v4/jmq_chirpstack_listener_mqtt_test_up.json")]),
]

// Every sample must decode: a payload that fails is cheaper than one that decodes, so a failing
// sample would inflate the rate. Failures are counted, named, and fail the benchmark.
var failedSamples: [String] = []
for c in cases {
    let codec = PayloadCodecs.named(c.codec)!
    for (i, p) in c.payloads.enumerated() {
        let outcome = p.withUnsafeBytes { buf -> String? in
            do { return try codec.decode(buf, receivedAt: 1_795_341_600_000).values.isEmpty ? "no values" : nil } catch { return "\(error)" }
        }
        if let outcome { failedSamples.append("\(c.codec) sample \(i + 1): \(outcome)") }
    }
}
guard failedSamples.isEmpty else {
    FileHandle.standardError.write(Data(("lantaarn-ingest-bench: samples that do not decode:\n" + failedSamples.joined(separator: "\n") + "\n").utf8))
    print("BENCH decode_failed_samples \(failedSamples.count) samples")
    exit(1)
}
if !oneCore { print("BENCH decode_failed_samples 0 samples") }

// Each case is one unit of work (a few decodes, or one batch for the JavaScript worker) that
// returns how many messages and values it decoded and any failures. The cases are measured in
// interleaved rounds (every case a slice of each round) so that a slower or faster stretch of
// the machine (a virtual machine here: up to 30 % between consecutive measurements) falls on all of them alike and the
// ratios compare like with like.
struct Case {
    let key: String
    let unit: () -> (messages: Int, values: Int, failures: [String])
}
var measuredCases: [Case] = []
// Profiling aid: LANTAARN_BENCH_ONLY=key,key measures only those cases (perf record on one path).
let only = ProcessInfo.processInfo.environment["LANTAARN_BENCH_ONLY"].map { Set($0.split(separator: ",").map(String.init)) }
    ?? (oneCore ? ["ttn_decentlab_dl_pm", "ttn_milesight_ws302", "js", "js_dl_pm_ws302"] : nil)
@MainActor func add(_ key: String, _ unit: @escaping () -> (messages: Int, values: Int, failures: [String])) {
    if only?.contains(key) ?? true { measuredCases.append(Case(key: key, unit: unit)) }
}
for c in cases {
    let codec = PayloadCodecs.named(c.codec)!
    add(c.key) {
        var values = 0, failures: [String] = []
        for p in c.payloads {
            p.withUnsafeBytes { buf in
                do { values += try codec.decode(buf, receivedAt: 1_795_341_600_000).values.count } catch { failures.append("\(c.codec): \(error)") }
            }
        }
        return (c.payloads.count, values, failures)
    }
}
// Issue 32, item 3: vendor codecs from the Device Repository in the sandboxed JavaScript worker,
// fed as the ingest consumer feeds them (batches of 1000: envelopes read, frames streamed to the
// worker process and its JSON answers read back, as both processes work at once).
// `js`: elsys.js (Elsys ERS; the codec the issue names) on its codec's example frame, in the
// Decentlab uplink of the built-in case (same envelope, 1.5 KB, so the two rates compare);
// `js_dl_pm_ws302`: like for like with the built-in cases above, the same two uplinks through the
// vendors' dl-pm.js and ws302.js (dl-pm.js answers 44 leaves: a name and unit for each value).
// Each codec is set up as the registry sets it up for sensors that read every number it gives.
let javascriptBatch = 1000
func javascriptUnit(_ uplinks: [(payload: [UInt8], codec: TTNUplinkCodec)]) -> () -> (messages: Int, values: Int, failures: [String]) {
    {
        var values = 0, failures: [String] = []
        for u in uplinks {
            let records = [LogRecord](repeating: LogRecord(receivedAt: 1_795_341_600_000, origin: "bench", payload: u.payload), count: javascriptBatch)
            for result in u.codec.decode(batch: records) {
                switch result {
                case .success(let m): values += m.values.count
                case .failure(let e): failures.append(e.reason)
                }
            }
        }
        return (uplinks.count * javascriptBatch, values, failures)
    }
}
/// The codec file as the registry sets it up for sensors whose quantities read every number it
/// gives for `uplink` (found by decoding it once for the whole result): the worker answers those
/// numbers alone.
func javascript(_ file: String, readingAllOf uplink: [UInt8]) -> TTNUplinkCodec {
    let whole = TTNUplinkCodec(frames: JavaScriptFrameDecoder(path: repository + "/" + file, label: file))
    let fields = uplink.withUnsafeBytes { try! whole.decode($0, receivedAt: 1_795_341_600_000).values.map(\.name) }
    return TTNUplinkCodec(frames: JavaScriptFrameDecoder(path: repository + "/" + file, label: file, fields: fields))
}
/// An uplink of the same size and shape as the built-in cases' (the Decentlab DL-PM uplink of
/// ../shared, 1.5 KB), carrying `frame` on `port` instead.
func carrying(_ frame: [UInt8], port: Int, in uplink: [UInt8]) -> [UInt8] {
    guard case .object(var root) = try! JSONParser.parse(uplink), let at = root.firstIndex(where: { $0.0 == "uplink_message" }),
          case .object(var message) = root[at].1 else { fatalError("not a TTN uplink") }
    for (k, member) in message.enumerated() {
        if member.0 == "frm_payload" { message[k].1 = .string(Data(frame).base64EncodedString()) }
        if member.0 == "f_port" { message[k].1 = .number(Double(port)) }
    }
    root[at].1 = .object(message)
    return Array(JSONWriter.string(.object(root)).utf8)
}
let ersUplink = carrying([0x01, 0x00, 0xE2, 0x02, 0x29, 0x04, 0x00, 0x27, 0x05, 0x06], port: 1, in: file("ttn_v3/Decentlab_DL-PM__payload.json"))
let dlpmUplink = file("ttn_v3/Decentlab_DL-PM__payload.json"), ws302Uplink = file("ttn_v3/Milesight_WS302__payload.json")
add("js", javascriptUnit([(ersUplink, javascript("elsys/elsys.js", readingAllOf: ersUplink))]))
add("js_dl_pm_ws302", javascriptUnit([(dlpmUplink, javascript("decentlab/dl-pm.js", readingAllOf: dlpmUplink)),
                                      (ws302Uplink, javascript("milesight-iot/ws302.js", readingAllOf: ws302Uplink))]))

// Issue 32, item 4: JSON mappings. `json_mapping`: like for like, the Decentlab uplink with its
// decoded payload (as in `decoded_payload`) read through a mapping instead of the ttn-v3 codec:
// time /uplink_message/received_at, one field per value under /uplink_message/decoded_payload.
// `json_mapping_records`: a Telraam-style report of 24 hourly records on one topic with two
// devices (records, ISO time and device per record).
do {
    let uplink = withDecodedPayload(file("ttn_v3/Decentlab_DL-PM__payload.json"), model: "decentlab-dl-pm")
    let names = uplink.withUnsafeBytes { try! PayloadCodecs.named("ttn-v3/decentlab-dl-pm")!.decode($0, receivedAt: 0).values.map(\.name) }
    let mapped = JSONMappingCodec(mapping: JSONMapping(time: JSONPointer("/uplink_message/received_at")),
                                  fields: names.map { "/uplink_message/decoded_payload/\($0)" })
    let report = Array(("{\"status_code\":200,\"message\":\"ok\",\"report\":[" + (0..<24).map { h in
        "{\"instance_id\":-1,\"segment_id\":\(348917 + h % 2),\"date\":\"2026-11-23T\(String(format: "%02d", h)):00:00.000Z\",\"interval\":\"hourly\",\"uptime\":0.7\(h % 10),\"heavy\":\(60 + h).5,\"car\":\(400 + 7 * h).25,\"bike\":\(90 + 3 * h).5,\"pedestrian\":\(14 + h).75,\"direction\":1,\"timezone\":\"Europe/Amsterdam\",\"v85\":27.5}"
    }.joined(separator: ",") + "]}").utf8)
    let records = JSONMappingCodec(mapping: JSONMapping(records: JSONPointer("/report"), time: JSONPointer("/date"), device: JSONPointer("/segment_id")),
                                   fields: ["car", "bike", "pedestrian", "heavy"])
    for (key, codec, payload, expected) in [("json_mapping", mapped, uplink, names.count), ("json_mapping_records", records, report, 96)] {
        add(key) {
            var values = 0, failures: [String] = []
            for _ in 0..<100 {
                payload.withUnsafeBytes { buf in
                    do { values += try codec.decode(buf, receivedAt: 1_795_341_600_000).values.count } catch { failures.append("\(error)") }
                }
            }
            if failures.isEmpty, values != 100 * expected { failures.append("\(values) values from 100 messages, expected \(100 * expected)") }
            return (100, values, failures)
        }
    }
}

// Interleaved rounds: SECONDS per case in all, in ten slices.
let rounds = 10
var totals: [String: (messages: Int, values: Int, seconds: Double)] = [:]
let clock = ContinuousClock()
for _ in 0..<rounds {
    for c in measuredCases {
        let start = clock.now
        var elapsed = Duration.zero
        var messages = 0, values = 0
        while elapsed < .seconds(seconds / Double(rounds)) {
            let r = c.unit()
            guard r.failures.isEmpty else {
                // A failing sample would inflate the rate: the benchmark stops.
                FileHandle.standardError.write(Data("lantaarn-ingest-bench: \(c.key): \(r.failures.count) decodes failed: \(r.failures[0])\n".utf8))
                exit(1)
            }
            messages += r.messages
            values += r.values
            elapsed = clock.now - start
        }
        let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        totals[c.key, default: (0, 0, 0)].messages += messages
        totals[c.key, default: (0, 0, 0)].values += values
        totals[c.key, default: (0, 0, 0)].seconds += s
    }
}
var rates: [String: Double] = [:]
for c in measuredCases {
    let t = totals[c.key]!
    rates[c.key] = Double(t.messages) / t.seconds
    print("BENCH decode_\(c.key)\(keySuffix)_msgs_per_s \(Int(rates[c.key]!)) msg/s")
    FileHandle.standardError.write(Data("\(c.key): \(t.messages) messages, \(t.values) values, 0 failed, in \(t.seconds) s (\(rounds) interleaved rounds)\n".utf8))
}

// The built-in TTN decoders' rate in this run: the mean of the two models measured above.
let builtIn = ((rates["ttn_decentlab_dl_pm"] ?? .nan) + (rates["ttn_milesight_ws302"] ?? .nan)) / 2
for key in ["js", "js_dl_pm_ws302", "json_mapping", "decoded_payload", "decoded_payload_rs26x", "chirpstack_object"] where rates[key] != nil && !builtIn.isNaN {
    print("BENCH decode_\(key)\(keySuffix)_ratio_vs_ttn_builtin \(String(format: "%.3f", rates[key]! / builtIn)) x")
}
