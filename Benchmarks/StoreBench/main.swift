import BenchSupport
import Foundation
import LantaarnModel
import Store

// Lantaarn store benchmark. Prints one JSON object with its figures on stdout; progress goes
// to stderr. Usage: lantaarn-store-bench WORK_DIR SHARED_DIR SENSORS READINGS_PER_SERIES
// Writes WORK_DIR/generated.csv (sensor,wijk,quantity,ts,value), loads the generated set into
// the store from that very file (as the peers do), and writes every group of the hourly
// aggregate to WORK_DIR/lantaarn-groups.csv so that the peers' answers are compared group by group.

let args = CommandLine.arguments
// Profiling aid: `lantaarn-store-bench --query-only WORK_DIR N` reruns the aggregate N times
// on the generated store of an earlier run (perf record/valgrind without the load phase).
if args.count == 4, args[1] == "--query-only", let n = Int(args[3]) {
    let store = try SQLiteStore(dataDirectory: args[2] + "/lantaarn-gen")
    let start = ISO8601.parse("2026-01-01T00:00:00Z")!
    let q = AggregateQuery(quantities: ["P1", "P2"], window: TimeWindow(start: start, end: start + 400 * 86_400_000), bucket: TimeBucket.hour,
                           grouping: .wijk, quantiles: ProcessInfo.processInfo.environment["P95"] == nil ? [] : [0.95])
    for _ in 0..<n {
        let t0 = ContinuousClock.now
        let rows = try store.readings.aggregate(q)
        FileHandle.standardError.write(Data("\(rows.count) groups in \(ContinuousClock.now - t0)\n".utf8))
    }
    exit(0)
}
// Profiling aid: `lantaarn-store-bench --codecs [ROUNDS]` times the chunk codecs alone (ns per
// value to encode and decode generated day windows), for comparing codec changes.
if args.count >= 2, args[1] == "--codecs" {
    CodecTiming.run(rounds: args.count > 2 ? Int(args[2]) ?? 3 : 3)
    exit(0)
}
guard args.count == 5, let sensors = Int(args[3]), let perSeries = Int(args[4]) else {
    FileHandle.standardError.write(Data("usage: lantaarn-store-bench WORK_DIR SHARED_DIR SENSORS READINGS_PER_SERIES\n".utf8))
    exit(2)
}
let work = args[1], shared = args[2]
try? FileManager.default.removeItem(atPath: work + "/lantaarn-real")
try? FileManager.default.removeItem(atPath: work + "/lantaarn-gen")
try? FileManager.default.removeItem(atPath: work + "/lantaarn-empty")
try? FileManager.default.removeItem(atPath: work + "/lantaarn-real-once")
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)

func progress(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
func fail(_ s: String) -> Never {
    progress("lantaarn-store-bench: " + s)
    exit(1)
}
func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
}
func readings(_ rows: ArraySlice<SeriesGenerator.Row>) -> [Reading] {
    rows.map { Reading(series: SeriesKey(sensorID: String($0.sensor), quantity: $0.quantity), timestamp: $0.ts, value: $0.value,
                       wijk: WijkCode($0.wijk)) }
}
/// Seals every window (as the store does once their lateness has passed by the clock) and
/// compacts the WAL into the main file, so the file size is everything stored.
func settle(_ store: SQLiteStore) throws {
    try store.readings.sealExpired(now: Clock.nowMilliseconds())
    _ = try store.retention.purge(RetentionPolicies(readings: RetentionPolicy(keep: "1000y", basis: "bench")!, datasets: [:]), dryRun: false)
}

var result: [String: Any] = [:]

// 1. Real Sensor.Community archive. It holds about 13,000 values, fewer bytes than the empty
// schema's pages, so a file-size figure on one copy measures page rounding rather than
// compression. The figure therefore stores the archive `realCopies` times, each copy a week
// after the previous (the same sensors over a longer history: no sensor has more than five
// days in the archive, so copies never overlap, and a copy compresses exactly as the original
// does because nothing is shared between chunks of different windows). The one-copy figure
// is printed too. A week keeps 1,000 copies inside InfluxDB's time range (years 1677-2262).
let realCopies = 1000
let realOnce = try RealArchive.load(directory: shared + "/data/sensors/sensor_community_archive")
let real = (0..<realCopies).flatMap { copy in
    realOnce.map { r in var r = r; r.ts += Int64(copy) * 7 * 86_400_000; return r }
}
let empty = try SQLiteStore(dataDirectory: work + "/lantaarn-empty")
try settle(empty)
let emptyBytes = fileSize(empty.path)
func storeReal(_ rows: [SeriesGenerator.Row], _ name: String) throws -> Int {
    let store = try SQLiteStore(dataDirectory: work + "/" + name)
    try store.readings.append(IngestBatch(readings: readings(rows[...]), quarantined: [], source: "bench", offset: 1))
    try settle(store)
    return fileSize(store.path)
}
let realBytes = try storeReal(real, "lantaarn-real")
let oneCopyBytes = try storeReal(realOnce, "lantaarn-real-once")
result["real_values"] = real.count
result["real_copies"] = realCopies
result["real_file_bytes"] = realBytes
result["empty_store_bytes"] = emptyBytes
result["bytes_per_value_real"] = Double(realBytes) / Double(real.count)
result["bytes_per_value_real_without_schema"] = Double(realBytes - emptyBytes) / Double(real.count)
result["bytes_per_value_real_one_copy"] = Double(oneCopyBytes) / Double(realOnce.count)
result["bytes_per_value_real_one_copy_without_schema"] = Double(oneCopyBytes - emptyBytes) / Double(realOnce.count)
progress("real archive: \(realOnce.count) values × \(realCopies) copies, \(realBytes) bytes (one copy \(oneCopyBytes), empty store \(emptyBytes))")
let realCSV = real.map { "\($0.sensor),\($0.wijk),\($0.quantity),\($0.ts),\($0.value)" }.joined(separator: "\n")
try ("sensor,wijk,quantity,ts,value\n" + realCSV + "\n").write(toFile: work + "/real.csv", atomically: true, encoding: .utf8)

// 2. Generated set: written as the peers' CSV first (not timed), then loaded from that file
// into a fresh store: parse and check every cell, append in batches, seal every window and
// checkpoint (timed, `CSVLoad`), the work DuckDB's read_csv, SQLite's .import and InfluxDB's
// line protocol do with the same file.
// Each sensor measures a tenth more than READINGS_PER_SERIES; the set leaves out what each
// sensor measured while its uplink was down (`UplinkGaps`, Backfill.swift). Section 4 loads
// those readings afterwards, as the archive a colleague finds in the sensors' memory.
let generator = SeriesGenerator(sensors: sensors, readingsPerSeries: perSeries + perSeries / 10, start: ISO8601.parse("2026-01-01T00:00:00Z")!)
let gaps = UplinkGaps(start: generator.start, firstHalfEnd: generator.start + Int64(generator.readingsPerSeries) * 148_500 / 2)
_ = FileManager.default.createFile(atPath: work + "/generated.csv", contents: nil)
let csv = FileHandle(forWritingAtPath: work + "/generated.csv")!
csv.write(Data("sensor,wijk,quantity,ts,value\n".utf8))
var total = 0
var minTs = Int64.max, maxTs = Int64.min
for id in 0..<sensors {
    let rows = generator.sensor(id).filter { !gaps.down($0) }
    total += rows.count
    minTs = min(minTs, rows.first!.ts); maxTs = max(maxTs, rows.last!.ts)
    var text = ""
    text.reserveCapacity(rows.count * 40)
    for r in rows { text += "\(r.sensor),\(r.wijk),\(r.quantity),\(r.ts),\(r.value)\n" }
    csv.write(Data(text.utf8))
    if id % 100 == 0 { progress("generated \(id + 1)/\(sensors) sensors, \(total) values") }
}
try csv.close()
let store = try SQLiteStore(dataDirectory: work + "/lantaarn-gen")
let loadStart = ContinuousClock.now
let loaded = try CSVLoad.load(work + "/generated.csv", into: store) { try settle(store) }
let loadSeconds = seconds(ContinuousClock.now - loadStart)
guard loaded.readings == total else { fail("loaded \(loaded.readings) readings of \(total) from generated.csv") }
result["gen_values"] = total
result["gen_file_bytes"] = fileSize(store.path)
result["bytes_per_value_gen"] = Double(fileSize(store.path)) / Double(total)
result["load_seconds"] = loadSeconds
result["load_readings_per_s"] = Double(total) / loadSeconds
result["append_readings_per_s"] = Double(total) / loaded.appendSeconds
progress("loaded \(total) values from generated.csv in \(loadSeconds) s (\(loaded.appendSeconds) s of it in append)")
// Profiling aid: with BACKFILL_ROUNDS=N, section 4 alone, N times, each on a copy of the store
// as section 2 left it (comparing backfill changes without the rest of the run's noise).
if let rounds = ProcessInfo.processInfo.environment["BACKFILL_ROUNDS"].flatMap(Int.init) {
    for round in 1...max(rounds, 1) {
        let copy = work + "/lantaarn-backfill-round"
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: work + "/lantaarn-gen", toPath: copy)
        let (added, _, appendSeconds, cpu) = try Backfill.load(into: try SQLiteStore(dataDirectory: copy), generator, where: gaps.down)
        progress("round \(round): backfill \(Double(added) / appendSeconds) readings/s (\(added) in \(appendSeconds) s, CPU \(cpu.thread) s in the calling thread, \(cpu.process) s in all); append \(Double(total) / loaded.appendSeconds)")
    }
    exit(0)
}

// 3. Hot-cache per-wijk hourly count/mean/min/max, and exact p95.
let window = TimeWindow(start: minTs, end: maxTs + 1)
/// The median of three timed runs after one that warms the cache (the peers' `hot` in
/// store_peers.py does the same: one sample swung by a third from run to run on this machine).
func timed<T>(_ f: () throws -> T) rethrows -> (T, Double) {
    var r = try f()   // warm the cache
    var times: [Double] = []
    for _ in 0..<3 {
        let t0 = ContinuousClock.now
        r = try f()
        times.append(seconds(ContinuousClock.now - t0))
    }
    return (r, times.sorted()[1])
}
let (rows, aggSeconds) = try timed { try store.readings.aggregate(AggregateQuery(quantities: ["P1", "P2"], window: window, bucket: TimeBucket.hour, grouping: .wijk)) }
result["agg_seconds"] = aggSeconds
result["agg_groups"] = rows.count
result["agg_count_total"] = rows.reduce(0) { $0 + $1.count }
result["agg_checksum_mean"] = rows.reduce(0.0) { $0 + $1.mean }
let (p95rows, p95Seconds) = try timed { try store.readings.aggregate(AggregateQuery(quantities: ["P1", "P2"], window: window, bucket: TimeBucket.hour, grouping: .wijk, quantiles: [0.95])) }
result["p95_seconds"] = p95Seconds
result["p95_checksum"] = p95rows.reduce(0.0) { $0 + $1.quantiles[0] }
progress("aggregate \(aggSeconds) s over \(rows.count) groups; p95 \(p95Seconds) s")

// Every group, for the peers' group-by-group comparison (shortest round-trip text of each double).
var p95ByGroup: [String: Double] = [:]
for r in p95rows { p95ByGroup["\(r.group ?? ""),\(r.quantity),\(r.bucketStart / 3_600_000)"] = r.quantiles[0] }
var groupsCSV = "wijk,quantity,hour,count,sum,min,max,p95\n"
for r in rows {
    let key = "\(r.group ?? ""),\(r.quantity),\(r.bucketStart / 3_600_000)"
    groupsCSV += "\(key),\(r.count),\(r.sum),\(r.min),\(r.max),\(p95ByGroup[key].map { "\($0)" } ?? "")\n"
}
try groupsCSV.write(toFile: work + "/lantaarn-groups.csv", atomically: true, encoding: .utf8)

// 4. Backfill (issue 28): the readings section 2 left out (a tenth of the set: 10 M for the
// 100 M one), all in the first half of the now sealed store, loaded after it in batches of the
// CSV load's size, sensor by sensor as archives come. Every one is merged into the sealed chunk
// of its day. Clock: inside `append`, as `append_readings_per_s`. Afterwards the store holds
// what an in-order load of every reading would, so its bytes per value compare with section 2's.
do {
    let (added, backfilled, appendSeconds, _) = try Backfill.load(into: store, generator, where: gaps.down)
    // The purge compacts the file after this much backfill (SQLiteReadingStore+Compaction.swift): timed apart.
    let settleStart = ContinuousClock.now
    try settle(store)
    result["settle_after_backfill_seconds"] = seconds(ContinuousClock.now - settleStart)
    guard backfilled == added, try store.readings.readingCount() == total + added else {
        fail("backfill stored \(backfilled) of \(added) readings into sealed chunks; the store holds \(try store.readings.readingCount()) of \(total + added)")
    }
    result["backfill_values"] = added
    result["backfill_readings_per_s"] = Double(added) / appendSeconds
    result["bytes_per_value_after_backfill"] = Double(fileSize(store.path)) / Double(total + added)
    progress("backfilled \(added) values into sealed chunks in \(appendSeconds) s; \(fileSize(store.path)) bytes")
}

let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
