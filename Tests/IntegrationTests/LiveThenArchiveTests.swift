import Foundation
import LantaarnModel
import TestSupport
import Testing

/// A data team's first week (issue 28): live sensors are connected and the pipeline publishes;
/// then last month's archive of the same sensors is loaded. Every archive reading is stored, the
/// windows it reaches are published again by `serve` (once, with the reason in their lineage),
/// and the windows it does not reach keep their release.
@Suite(.serialized)
struct LiveThenArchiveTests {
    /// The end-to-end test's sensors (two for air quality, one for noise, in two Haarlem wijken).
    static let registry = EndToEndTests.registry
    static let dataset = "luchtkwaliteit-per-wijk-uur"
    static let hour: Int64 = 3_600_000

    /// The archive: 30 days, 08:00 to 18:00 UTC, a reading every 5 minutes per sensor.
    static func archive(today: Int64) -> (lines: [String], windows: Set<Int64>) {
        var lines: [String] = [], windows: Set<Int64> = []
        for day in 1...30 {
            let midnight = today - Int64(day) * 86_400_000
            for h in 8..<18 {
                windows.insert(midnight + Int64(h) * hour)
                for m in stride(from: 0, to: 60, by: 5) {
                    let t = (midnight + Int64(h) * hour + Int64(m) * 60_000) / 1000
                    for (sensor, base) in [("t-air-a", 5.0), ("t-air-b", 20.0)] {
                        lines.append(#"{"sensor":"\#(sensor)","ts":\#(t),"values":{"pm25":\#(base + Double(m) / 10),"pm10":\#(base + 7)}}"#)
                    }
                }
            }
        }
        return (lines, windows)
    }

    /// `SELECT` on the store while `serve` runs (WAL: readers do not block it).
    static func query(_ dir: String, _ sql: String) throws -> [[String]] {
        let r = try runCommandBlocking(Tool("sqlite3"), ["-separator", "|", dir + "/data/lantaarn.sqlite", sql])
        guard r.status == 0 else { throw CLIFailure("sqlite3: \(r.error)") }
        return r.output.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Readings in the store: sealed chunks and the open buffer.
    static func storedReadings(_ dir: String) throws -> Int? {
        Int(try query(dir, "SELECT (SELECT coalesce(sum(count), 0) FROM chunk) + (SELECT count(*) FROM open_reading) + (SELECT coalesce(sum(n), 0) FROM open_run)").first?.first ?? "")
    }

    struct CLIFailure: Error, CustomStringConvertible { var description: String; init(_ d: String) { description = d } }

    @Test func anArchiveLoadedUnderLiveDataIsStoredAndRepublishedOnce() async throws {
        let dir = try TestEnvironment.scratch("live-archive")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        for folder in ["Sensors", "Pipelines"] { try fm.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true) }
        try Self.registry.write(toFile: dir + "/Sensors/s.yaml", atomically: true, encoding: .utf8)
        try fm.copyItem(atPath: TestEnvironment.repoRoot + "/Pipelines/mappings", toPath: dir + "/Pipelines/mappings")
        // The repository's pipeline, scheduled every minute so the test need not wait an hour.
        let pipeline = try String(contentsOfFile: TestEnvironment.repoRoot + "/Pipelines/\(Self.dataset).yaml", encoding: .utf8)
            .replacingOccurrences(of: #"schedule: "5 * * * *""#, with: #"schedule: "* * * * *""#)
        try pipeline.write(toFile: dir + "/Pipelines/\(Self.dataset).yaml", atomically: true, encoding: .utf8)
        // Catch-up covers the archive's month; stale windows wait 20 s for their changes to settle.
        try "scheduler: {catch_up: 32d, lateness: 2h, recompute_after: 20s}\n"
            .write(toFile: dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
        let common = ["--data-dir", dir + "/data", "--sensors", dir + "/Sensors", "--pipelines", dir + "/Pipelines", "--config", dir + "/lantaarn.yaml"]
        let bin = TestEnvironment.lantaarn

        let broker = try TestBroker(directory: dir)
        defer { broker.stop() }
        let http = freeLoopbackPort()
        let serve = try ChildProcess(bin, ["serve"] + common + ["--mqtt", broker.url, "--listen", "127.0.0.1:\(http)"], stderrFile: dir + "/serve.err")
        defer { serve.stop(signal: SIGKILL) }
        #expect(await waitUntil(timeout: 30) { serve.stderrText.contains("MQTT connected and subscribed") }, "\(serve.stderrText)")

        // Live: the last 90 minutes, a reading a minute per sensor.
        let now = Clock.nowMilliseconds()
        for (sensor, value) in [("t-air-a", 8.0), ("t-air-b", 24.0)] {
            let lines = (0..<90).map { i in #"{"ts":\#((now - Int64(90 - i) * 60_000) / 1000),"values":{"pm25":\#(value),"pm10":\#(value + 3)}}"# }
            let r = try await runCommand(Tool("mosquitto_pub"), ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1",
                                                           "-t", "lantaarn/sensors/\(sensor)/readings", "-l"],
                                   stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            #expect(r.status == 0, "mosquitto_pub: \(r.error)")
        }
        // The scheduler publishes the month (catch-up) and, with the live readings, the last hours.
        let today = DutchTime.dayStart(now) // any midnight will do: archive windows are whole hours
        let lastClosed = now / Self.hour * Self.hour
        let published = await waitUntil(timeout: 150) {
            let n = (try? Self.query(dir, "SELECT count(DISTINCT window_start) FROM release WHERE dataset = '\(Self.dataset)' AND window_start >= \(today - 31 * 86_400_000)"))?.first?.first
            return Int(n ?? "") ?? 0 >= 31 * 24
        }
        #expect(published, "the scheduler did not publish the month: \(serve.stderrText.suffix(2000))")
        #expect(await waitUntil(timeout: 60) {
            let rows = (try? Self.query(dir, "SELECT max(rows_in) FROM release WHERE dataset = '\(Self.dataset)' AND window_start = \(lastClosed - Self.hour)"))?.first?.first
            return Int(rows ?? "") ?? 0 > 0
        }, "the live hour was not published with its readings")
        // Every live reading stored, and a window released before all of its live readings had
        // landed (seen on a loaded CI machine) published again, before the archive comes: the
        // stale windows below are then the archive's alone.
        #expect(await waitUntil(timeout: 60) { (try? Self.storedReadings(dir)) == 2 * 90 * 2 }, "the live readings were not all stored")
        #expect(await waitUntil(timeout: 150) {
            (try? runCommandBlocking(bin, ["pipeline", "stale"] + common))?.output.contains("no stale windows") ?? false
        }, "live windows stayed stale: \(serve.stderrText.suffix(2000))")
        let before = try Self.query(dir, "SELECT window_start, id, version FROM release WHERE dataset = '\(Self.dataset)'")
        var firstRelease: [Int64: (id: Int64, version: Int)] = [:]
        for row in before {
            let (w, id, v) = (Int64(row[0])!, Int64(row[1])!, Int(row[2])!)
            if firstRelease[w].map({ $0.version < v }) ?? true { firstRelease[w] = (id, v) }
        }

        // The archive, loaded while serve runs.
        let (lines, windows) = Self.archive(today: today)
        let file = dir + "/archive.ndjson"
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let load = try await runCommand(bin, ["ingest", file] + common)
        let readings = lines.count * 2
        #expect(load.status == 0, "\(load.error)")
        #expect(load.output.contains("\(readings) readings stored") && load.output.contains(" 0 quarantined"), "\(load.output)")

        // `pipeline stale` lists every window the archive reached, with its reason.
        let stale = try await runCommand(bin, ["pipeline", "stale", Self.dataset] + common)
        #expect(stale.output.contains("\(windows.count) stale window(s)"), "\(stale.output)")
        let sample = try #require(windows.min())
        #expect(stale.output.contains("48 readings arrived after release \(firstRelease[sample]!.id)"), "\(stale.output.prefix(600))")

        // serve publishes them again by itself, each once.
        let recomputed = await waitUntil(timeout: 150) {
            let n = (try? Self.query(dir, "SELECT count(*) FROM release WHERE dataset = '\(Self.dataset)' AND lineage LIKE '%recomputed_because%'"))?.first?.first
            return Int(n ?? "") ?? 0 >= windows.count
        }
        #expect(recomputed, "stale windows were not published again: \(serve.stderrText.suffix(2000))")
        try await Task.sleep(for: .seconds(2))
        let after = try Self.query(dir, "SELECT window_start, version, rows_in, lineage LIKE '%recomputed_because%', id FROM release WHERE dataset = '\(Self.dataset)' ORDER BY id")
        var versions: [Int64: Int] = [:], recomputedRows: [Int64: [Int]] = [:]
        var reasons: [Int64: Int64] = [:]
        for row in after {
            let w = Int64(row[0])!
            versions[w] = max(versions[w] ?? 0, Int(row[1])!)
            if row[3] == "1" { recomputedRows[w, default: []].append(Int(row[2])!); reasons[w] = Int64(row[4])! }
        }
        // (The live hours are computed again by the scheduled run's lateness, before they could be stale.)
        #expect(Set(recomputedRows.keys.filter { $0 < lastClosed - 3 * Self.hour }) == windows, "the recomputed windows are exactly the archive's")
        #expect(recomputedRows.values.allSatisfy { $0 == [48] }, "each once, with its 48 readings: \(recomputedRows.values.filter { $0 != [48] }.prefix(3))")
        // Untouched windows (the nights, and the month before the live hours) keep their release.
        let untouched = firstRelease.filter { !windows.contains($0.key) && $0.key < lastClosed - 3 * Self.hour }
        #expect(untouched.count > 300)
        #expect(untouched.allSatisfy { versions[$0.key] == $0.value.version }, "an untouched window was published again")
        let lineage = try Self.query(dir, "SELECT lineage FROM release WHERE id = \(reasons[sample]!)").first?.first ?? ""
        #expect(lineage.contains("\"recomputed_because\":\"48 readings arrived after release \(firstRelease[sample]!.id)\""), "\(lineage)")
        let left = try await runCommand(bin, ["pipeline", "stale"] + common)
        #expect(left.output.contains("no stale windows"), "\(left.output)")
        // Every archive reading is in the store, next to the live ones.
        #expect(try Self.storedReadings(dir) == readings + 2 * 90 * 2)
    }
}
