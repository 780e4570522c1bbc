import BenchSupport
import Foundation
import LantaarnModel
import Store
import StorePostgres
import TestSupport

// `make bench-cluster`, store part: the PostgreSQL store next to the SQLite store in one run, on
// the same readings. Usage: lantaarn-cluster-bench WORK_DIR SENSORS READINGS_PER_SERIES
//
// 1. Append: SENSORS × 2 quantities × READINGS_PER_SERIES readings in time-major batches (every
//    sensor's next readings together, as live ingest commits them), into a fresh SQLite store and
//    into a fresh PostgreSQL 15 (durable: fsync and synchronous commit on; shared_buffers 2 GB,
//    as a dedicated database host would have it), then sealing every window.
// 2. The per-wijk hourly aggregate (count, sum, mean, min, max) over all readings on both, warm,
//    best of three; both answers must agree group by group.
// Prints `BENCH key value unit` lines; progress goes to stderr.

let args = CommandLine.arguments
guard args.count == 4, let sensors = Int(args[2]), let perSeries = Int(args[3]) else {
    FileHandle.standardError.write(Data("usage: lantaarn-cluster-bench WORK_DIR SENSORS READINGS_PER_SERIES\n".utf8))
    exit(2)
}
let work = args[1]
try? FileManager.default.removeItem(atPath: work + "/cluster-sqlite")
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)

func progress(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
func bench(_ key: String, _ value: Double, _ unit: String) { print("BENCH \(key) \(value) \(unit)") }
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

// Time-major batches: readings k..<k+step of every sensor, both quantities.
let generator = SeriesGenerator(sensors: sensors, readingsPerSeries: perSeries, start: ISO8601.parse("2026-01-01T00:00:00Z")!)
/// Readings k..<k+step of every sensor, both quantities, for k = 0, step, 2·step, ...
func timeMajorBatches(_ generator: SeriesGenerator) -> (batches: [[Reading]], total: Int) {
    let perSensor = (0..<sensors).map { id in
        generator.sensor(id).map {
            Reading(series: SeriesKey(sensorID: String($0.sensor), quantity: $0.quantity), timestamp: $0.ts, value: $0.value, wijk: WijkCode($0.wijk))
        }
    }
    let sensors = generator.sensors, perSeries = generator.readingsPerSeries
    let step = max(1, 50_000 / max(1, sensors * 2))   // about 50 k readings a batch
    var batches: [[Reading]] = []
    for k in stride(from: 0, to: perSeries, by: step) {
        var batch: [Reading] = []
        batch.reserveCapacity(sensors * 2 * step)
        for rows in perSensor { batch += rows[(2 * k)..<min(rows.count, 2 * (k + step))] }
        batches.append(batch)
    }
    return (batches, perSensor.reduce(0) { $0 + $1.count })
}
let (batches, total) = timeMajorBatches(generator)
let minTs = batches.first!.map(\.timestamp).min()!, maxTs = batches.last!.map(\.timestamp).max()!
progress("\(total) readings of \(sensors * 2) series in \(batches.count) batches")

func append(_ store: any ReadingStore, _ name: String) throws -> (perSecond: Double, sealSeconds: Double) {
    let t0 = ContinuousClock.now
    for (i, batch) in batches.enumerated() {
        try store.append(IngestBatch(readings: batch, quarantined: [], source: "bench", offset: Int64(i + 1)))
        if i % 100 == 0 { progress("\(name): appended \(i + 1)/\(batches.count) batches") }
    }
    let appendSeconds = seconds(ContinuousClock.now - t0)
    let t1 = ContinuousClock.now
    try store.sealExpired(now: maxTs + 7 * 86_400_000)
    let sealSeconds = seconds(ContinuousClock.now - t1)
    let count = try store.readingCount()
    guard count == total else { fatalError("\(name) holds \(count) readings of \(total)") }
    return (Double(total) / appendSeconds, sealSeconds)
}

let query = AggregateQuery(quantities: ["P1", "P2"], window: TimeWindow(start: minTs, end: maxTs + 1), bucket: TimeBucket.hour, grouping: .wijk)
func aggregate(_ store: any ReadingStore) throws -> (rows: [AggregateRow], seconds: Double) {
    var rows = try store.aggregate(query)   // warm
    var best = Double.infinity
    for _ in 0..<3 {
        let t0 = ContinuousClock.now
        rows = try store.aggregate(query)
        best = min(best, seconds(ContinuousClock.now - t0))
    }
    return (rows, best)
}

let sqlite = try SQLiteStore(dataDirectory: work + "/cluster-sqlite")
let sqliteAppend = try append(sqlite.readings, "sqlite")
let sqliteAgg = try aggregate(sqlite.readings)
progress("sqlite: \(sqliteAppend.perSecond) readings/s, aggregate \(sqliteAgg.seconds) s (\(sqliteAgg.rows.count) groups)")

let server = try PostgresServer(durable: true, settings: ["shared_buffers": "2GB", "max_wal_size": "8GB", "checkpoint_timeout": "15min",
                                                          "effective_cache_size": "12GB", "work_mem": "64MB"])
defer { server.stop() }
let postgres = try PostgresStore(url: server.url)
let pgAppend = try append(postgres.readings, "postgresql")
let pgAgg = try aggregate(postgres.readings)
progress("postgresql: \(pgAppend.perSecond) readings/s, aggregate \(pgAgg.seconds) s (\(pgAgg.rows.count) groups)")

// Both stores must give the same answer.
guard sqliteAgg.rows.count == pgAgg.rows.count,
      zip(sqliteAgg.rows, pgAgg.rows).allSatisfy({ a, b in
          a.bucketStart == b.bucketStart && a.group == b.group && a.quantity == b.quantity && a.count == b.count
              && a.min == b.min && a.max == b.max && abs(a.sum - b.sum) <= 1e-9 * max(1, abs(a.sum))
      }) else {
    fatalError("the PostgreSQL aggregate differs from the SQLite one")
}

bench("readings", Double(total), "readings")
bench("sqlite_append_readings_per_s", sqliteAppend.perSecond, "readings/s")
bench("pg_append_readings_per_s", pgAppend.perSecond, "readings/s")
bench("pg_append_ratio_vs_sqlite", pgAppend.perSecond / sqliteAppend.perSecond, "x")
bench("sqlite_seal_seconds", sqliteAppend.sealSeconds, "s")
bench("pg_seal_seconds", pgAppend.sealSeconds, "s")
let pgBytes = try postgres.readings.storedBytes()
bench("pg_chunk_bytes_per_reading", Double(pgBytes.chunks) / Double(total), "B")
bench("pg_open_buffer_bytes", Double(pgBytes.openBuffer), "B")
bench("sqlite_agg_seconds", sqliteAgg.seconds, "s")
bench("pg_agg_seconds", pgAgg.seconds, "s")
bench("pg_agg_ratio_vs_sqlite", sqliteAgg.seconds / pgAgg.seconds, "x")
