import Foundation
import Geo
import Ingest
import LantaarnModel
import Store

/// File ingest throughput: a Sensor.Community archive CSV of `rows` SDS011 rows (two values
/// each, 50 sensors, 148 s apart) loaded with `FileIngest` into a fresh store, SHA-256 and
/// validation included.
enum FileIngestBench {
    static func run(work: String, rows: Int, rounds: Int = 3) throws {
        // The generated archive is kept between runs (a fresh store each time), so a profile
        // of a second run shows the ingest alone.
        try? FileManager.default.removeItem(atPath: work + "/db")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let sensors = 50
        let path = work + "/archive-\(rows).csv"
        if !FileManager.default.fileExists(atPath: path) { try generate(path, rows: rows, sensors: sensors) }
        let registry = SensorRegistry(sensors: (0..<sensors).map { s in
            Sensor(id: "sc-\(10_000 + s)", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "t\(s)", kind: "lucht",
                   quantities: ["pm10": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 2000, resolution: 0.01, field: "P1"),
                                "pm25": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 1000, resolution: 0.01, field: "P2")],
                   device: "\(10_000 + s)")
        }, boundaries: try DefaultBoundaries.haarlemWijken())
        // The median of `rounds` loads, each into a fresh store: this machine's speed varies by
        // ±20 % from run to run.
        var rates: [(wall: Double, cpu: Double)] = []
        for _ in 0..<rounds {
            try? FileManager.default.removeItem(atPath: work + "/db")
            let store = try SQLiteStore(dataDirectory: work + "/db")
            let clock = ContinuousClock()
            let t0 = clock.now, cpu0 = cpuSeconds()
            let report = try FileIngest(store: store.readings, validator: ReadingValidator(registry: registry)).ingest(path: path)
            let elapsed = clock.now - t0, cpu = cpuSeconds() - cpu0
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            FileHandle.standardError.write(Data("file ingest: \(report.rows) rows, \(report.readings) readings, \(report.quarantined) quarantined in \(seconds) s (\(cpu) s CPU)\n".utf8))
            rates.append((Double(report.readings) / seconds, Double(report.readings) / cpu))
        }
        let wall = rates.map(\.wall).sorted()[rates.count / 2], cpu = rates.map(\.cpu).sorted()[rates.count / 2]
        print("BENCH file_ingest_readings_per_s \(Int(wall)) readings/s")
        print("BENCH file_ingest_readings_per_cpu_s \(Int(cpu)) readings/s")
    }

    /// SDS011 rows of `sensors` sensors interleaved, 148 s apart, random PM values.
    static func generate(_ path: String, rows: Int, sensors: Int) throws {
        var text = "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"
        text.reserveCapacity(rows * 80)
        var rng = SystemRandomNumberGenerator()
        let start = ISO8601.parse("2025-01-01T00:00:00Z")!
        for k in 0..<rows {
            let sensor = k % sensors, step = Int64(k / sensors)
            let ts = ISO8601.format(milliseconds: start + step * 148_000).dropLast()   // the archive has no zone
            let p2 = Double(Int.random(in: 100..<3000, using: &rng)) / 100
            text += "\(10_000 + sensor);SDS011;1;52.38;4.63;\(ts);\(p2 * 1.6);;;\(p2);;\n"
        }
        try text.write(toFile: path + ".tmp", atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
    }

    /// User plus system CPU time of this process.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
