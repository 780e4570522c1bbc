import BenchSupport
import Foundation
import Geo
import LantaarnModel
import Logging
import Pipelines
import Store

/// The store's domains a pipeline run uses.
func pipelineStores(_ store: SQLiteStore) -> PipelineStores {
    PipelineStores(readings: store.readings, releases: store.releases, meldingen: store.meldingen, anpr: store.anpr)
}

// Pipeline benchmark (issue 7): an hourly per-wijk aggregate pipeline (count, mean, min, max
// of PM2.5 and PM10) over SENSORS × 2 × READINGS_PER_SERIES readings, end to end: the pipeline
// file is loaded and checked, every hourly window is read from the store, aggregated and
// published as its own release (rows, SHA-256, lineage), and the run is recorded.
// Usage: lantaarn-pipeline-bench WORK_DIR REPO_DIR SENSORS READINGS_PER_SERIES
// Writes WORK_DIR/readings.csv (wijk,quantity,ts,value) for the DuckDB peer and prints one
// JSON object with the figures on stdout; progress goes to stderr.

let args = CommandLine.arguments
// Profiling aid: `lantaarn-pipeline-bench --run-only WORK_DIR` reruns the pipeline on the store
// and definition of an earlier run (perf record without the load phase).
if args.count == 3, args[1] == "--run-only" {
    let store = try SQLiteStore(dataDirectory: args[2] + "/lantaarn")
    let pipeline = try PipelineDefinition.load(path: args[2] + "/Pipelines/bench.yaml")
    let start = ISO8601.parse("2026-01-01T00:00:00Z")!
    let t0 = ContinuousClock.now
    let results = try PipelineRunner(stores: pipelineStores(store), boundaries: BoundaryCatalog([]), logger: Logger(label: "bench"))
        .run(pipeline, over: TimeWindow(start: start, end: start + 2077 * TimeBucket.hour))
    FileHandle.standardError.write(Data("\(results.count) windows in \(ContinuousClock.now - t0)\n".utf8))
    exit(0)
}
guard args.count == 5, let sensors = Int(args[3]), let perSeries = Int(args[4]) else {
    FileHandle.standardError.write(Data("usage: lantaarn-pipeline-bench WORK_DIR REPO_DIR SENSORS READINGS_PER_SERIES\n".utf8))
    exit(2)
}
let work = args[1], repo = args[2]
func progress(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
try? FileManager.default.removeItem(atPath: work + "/lantaarn")
try? FileManager.default.removeItem(atPath: work + "/Pipelines")
try FileManager.default.createDirectory(atPath: work + "/Pipelines/mappings", withIntermediateDirectories: true)

// 1. The readings, appended through the batch API, and the same rows as CSV for DuckDB.
let generator = SeriesGenerator(sensors: sensors, readingsPerSeries: perSeries, start: ISO8601.parse("2026-01-01T00:00:00Z")!)
let store = try SQLiteStore(dataDirectory: work + "/lantaarn")
_ = FileManager.default.createFile(atPath: work + "/readings.csv", contents: nil)
let csv = FileHandle(forWritingAtPath: work + "/readings.csv")!
csv.write(Data("wijk,quantity,ts,value\n".utf8))
var total = 0
var minTs = Int64.max, maxTs = Int64.min
for id in 0..<sensors {
    let rows = generator.sensor(id)
    try store.readings.append(IngestBatch(readings: rows.map {
        Reading(series: SeriesKey(sensorID: String($0.sensor), quantity: $0.quantity), timestamp: $0.ts, value: $0.value, wijk: WijkCode($0.wijk))
    }, quarantined: [], source: "bench", offset: Int64(id + 1)))
    total += rows.count
    minTs = min(minTs, rows.first!.ts)
    maxTs = max(maxTs, rows.last!.ts)
    var text = ""
    text.reserveCapacity(rows.count * 36)
    for r in rows { text += "\(r.wijk),\(r.quantity),\(r.ts),\(r.value)\n" }
    csv.write(Data(text.utf8))
    if id % 100 == 0 { progress("generated \(id + 1)/\(sensors) sensors, \(total) readings") }
}
try csv.close()
try store.readings.sealExpired(now: Clock.nowMilliseconds())
_ = try store.retention.purge(RetentionPolicies(readings: RetentionPolicy(keep: "1000y", basis: "bench")!, datasets: [:]), dryRun: false)
progress("stored \(total) readings")

// 2. The pipeline, as the data team would write it (P2 = PM2.5, P1 = PM10 in Sensor.Community terms).
for name in ["donl-themes.json"] {
    try FileManager.default.copyItem(atPath: repo + "/Pipelines/mappings/" + name, toPath: work + "/Pipelines/mappings/" + name)
}
try """
purposes:
  luchtkwaliteit: Luchtkwaliteit per wijk volgen
inputs:
  quantities:
    P1: [luchtkwaliteit]
    P2: [luchtkwaliteit]
""".write(toFile: work + "/Pipelines/mappings/doelen.yaml", atomically: true, encoding: .utf8)
try """
name: bench-lucht-per-wijk-uur
version: "1.0.0"
owner: Datateam
purpose: Luchtkwaliteit per wijk per uur laten zien.
purpose_code: luchtkwaliteit
legal_basis: Taak van algemeen belang
maturity_level: 1
schedule: "5 * * * *"
input:
  quantities: [P2, P1]
  window: 1h
stages:
  - generalise: {space: wijk, time: 1h}
  - aggregate: {functions: [count, mean, min, max]}
output:
  dataset: bench-lucht-per-wijk-uur
  title: Luchtkwaliteit per wijk per uur
  description: Benchmark
  license: CC0-1.0
  retention: 10y
  retention_basis: "benchmark"
  theme: Lucht
  frequency: hourly
  spatial: GM0392
  access_rights: public
  classification: openbaar
register: {publication_category: C, considerations: benchmark, impact_assessments: benchmark}
""".write(toFile: work + "/Pipelines/bench.yaml", atomically: true, encoding: .utf8)

// 3. End to end, as `lantaarn pipeline backfill` runs it: load and check the definition, then
// every hourly window from the first reading to the last.
let range = TimeWindow(start: TimeBucket.floor(minTs, size: TimeBucket.hour), end: TimeBucket.floor(maxTs, size: TimeBucket.hour) + TimeBucket.hour)
let t0 = ContinuousClock.now
let pipeline = try PipelineDefinition.load(path: work + "/Pipelines/bench.yaml")
let runner = PipelineRunner(stores: pipelineStores(store), boundaries: BoundaryCatalog([]), logger: Logger(label: "bench"))
let results = try runner.run(pipeline, over: range)
let elapsed = seconds(ContinuousClock.now - t0)
let rowsOut = results.reduce(0) { $0 + $1.rowsOut }
let rowsIn = results.reduce(0) { $0 + $1.rowsIn }
progress("pipeline: \(results.count) windows, \(rowsIn) readings in, \(rowsOut) rows out in \(elapsed) s")

// Checksum over the published rows (sum of the means and the counts), for the peer to match.
var meanSum = 0.0, countSum = 0
var after: RowCursor? = nil
repeat {
    let page = try store.releases.rows(dataset: pipeline.output.dataset, after: after, limit: 50_000)
    for row in page.rows {
        if case .integer(let n) = row[5] { countSum += Int(n) }
        switch row[6] { case .number(let m): meanSum += m; case .integer(let m): meanSum += Double(m); default: break }
    }
    after = page.next
} while after != nil

let json: [String: Any] = ["readings": total, "windows": results.count, "rows_in": rowsIn, "rows_out": rowsOut,
                           "pipeline_s": elapsed, "checksum_mean": meanSum, "checksum_count": countSum]
print(String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self))
