import Foundation
import Hummingbird
import LantaarnModel
import Logging
import Server
import ServiceLifecycle
import Store

// Server benchmark (issue 8): Lantaarn's HTTP surface over a store holding one public dataset
// of ROWS rows, as `serve` builds it (security headers, access log, request guard, kept
// exports), without MQTT or pipelines so that only HTTP is measured. The rate limit is off:
// wrk sends everything from one address.
// Usage:
//   lantaarn-server-bench prepare DIR ROWS   publishes ROWS rows as `bench-export` in DIR, and a
//                                            year of hourly rows per wijk (184,044) as `bench-jaar`
//   lantaarn-server-bench serve DIR PORT     serves DIR on 127.0.0.1:PORT until SIGTERM
// Progress and the access log go to stderr.

let args = CommandLine.arguments
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}
guard args.count == 4 else { fail("usage: lantaarn-server-bench prepare DIR ROWS | serve DIR PORT") }
let directory = args[2]

switch args[1] {
case "prepare":
    guard let total = Int(args[3]), total > 0 else { fail("ROWS must be a positive number") }
    let store = try SQLiteStore(dataDirectory: directory)
    var metadata = DatasetMetadata(
        name: "bench-export", title: "Fijnstof per wijk per uur (benchmark)", description: "Gegenereerde rijen voor de serverbenchmark.",
        pipeline: "bench", license: "CC0-1.0", retention: "5y",
        columns: [ColumnSpec(name: "wijk_code", type: .text, description: "CBS-wijkcode"),
                  ColumnSpec(name: "periode_start", type: .timestamp, description: "Begin van het uur"),
                  ColumnSpec(name: "pm25_gemiddeld", type: .number, unit: "µg/m³", description: "Gemiddelde PM2,5"),
                  ColumnSpec(name: "pm10_gemiddeld", type: .number, unit: "µg/m³", description: "Gemiddelde PM10"),
                  ColumnSpec(name: "aantal_metingen", type: .integer, description: "Aantal metingen")])
    metadata.theme = "http://standaarden.overheid.nl/owms/terms/Lucht"
    metadata.frequency = "http://publications.europa.eu/resource/authority/frequency/HOURLY"
    metadata.spatial = "GM0392"
    metadata.accessRights = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
    try store.releases.register(metadata)
    let base = ISO8601.parse("2025-01-01T00:00:00Z")!
    let t0 = ContinuousClock.now
    // 100,000 rows per hourly window: the 10 M-row dataset of the export and the small pages.
    try publish(store, metadata, rows: total, perWindow: 100_000, windowLength: 3_600_000, base: base, seed: 8) { row in
        FileHandle.standardError.write(Data("prepare: \(row) of \(total) rows (\(ContinuousClock.now - t0))\n".utf8))
    }
    // A year of hourly rows per wijk in daily releases (21 × 8,760 = 183,960 rows), the size of a
    // municipality's published per-wijk series: what the sorted queries of the uncached run ask.
    var year = metadata
    year.name = "bench-jaar"
    year.title = "Fijnstof per wijk per uur, een jaar (benchmark)"
    try store.releases.register(year)
    try publish(store, year, rows: 21 * 8_760, perWindow: 21 * 24, windowLength: 86_400_000, base: base, seed: 9) { _ in }
    FileHandle.standardError.write(Data("prepare: bench-jaar published (\(ContinuousClock.now - t0))\n".utf8))
case "serve":
    guard let port = Int(args[3]) else { fail("PORT must be a number") }
    let store = try SQLiteStore(dataDirectory: directory)
    var deps = ServerDependencies(releases: store.releases, site: PublicSite())
    deps.exports = ExportCache(directory: directory + "/exports")
    deps.observations = store.readings
    deps.rateLimiter = nil
    LoggingSystem.bootstrap { LogLineHandler(label: $0) }  // as `lantaarn serve` logs
    let logger = Logger(label: "lantaarn-bench")
    let app = try buildApplication(deps, host: "127.0.0.1", port: port, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
default:
    fail("usage: lantaarn-server-bench prepare DIR ROWS | serve DIR PORT")
}

/// Publishes `rows` rows of `metadata` (wijk, hour, PM2.5, PM10, count), `perWindow` rows per
/// release window of `windowLength` ms; consecutive rows are the 21 wijken of one hour.
func publish(_ store: SQLiteStore, _ metadata: DatasetMetadata, rows total: Int, perWindow: Int, windowLength: Int64, base: Int64,
             seed: UInt64, progress: (Int) -> Void) throws {
    let wijken = (1...21).map { String(format: "WK0392%02d", $0) }
    var random = SplitMix64(seed: seed)
    var row = 0
    var window = 0
    while row < total {
        let n = min(perWindow, total - row)
        let rows: [[CellValue]] = (0..<n).map { i in
            let k = row + i
            let hour = base + Int64(k / wijken.count) * 3_600_000
            let pm25 = Double(Int(random.next() % 4000)) / 100
            let pm10 = Double(Int(random.next() % 6000) + 500) / 100
            return [.text(wijken[k % wijken.count]), .text(ISO8601.format(milliseconds: hour)), .number(pm25),
                    .number(pm10), .integer(Int64(50 + random.next() % 11))]
        }
        let start = base + Int64(window) * windowLength
        try store.releases.publish(ReleaseDraft(dataset: metadata.name, window: TimeWindow(start: start, end: start + windowLength),
                                       rows: rows, rowsIn: n, lineage: .object([("pipeline", .string("bench"))])))
        row += n
        window += 1
        progress(row)
    }
}
