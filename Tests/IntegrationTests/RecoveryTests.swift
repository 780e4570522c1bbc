import Foundation
import TestSupport
import Ingest
import LantaarnModel
import Store
import Testing

/// Exact recovery: a draining writer process killed with SIGKILL 50 times, each time while it is
/// committing (after its second batch committed, a random part of the time that batch took
/// later: anywhere in the third batch, from reading the log to the commit), still ends with every
/// acknowledged reading stored exactly once; `PRAGMA integrity_check` is clean after every kill,
/// before the next process starts.
@Suite(.serialized)
struct RecoveryTests {
    static let messages = 1_000_000
    static let cycles = 50

    @Test func sigkillMidBatchLosesAndDuplicatesNothing() async throws {
        let dir = try TestEnvironment.scratch("recovery")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sensors = dir + "/Sensors"
        try FileManager.default.createDirectory(atPath: sensors, withIntermediateDirectories: true)
        try """
        sensors:
          - id: r1
            lamppost: R-1
            kind: luchtkwaliteit
            lat: 52.38119
            lon: 4.63746
            quantities:
              pm25: {unit: "µg/m³", min: 0, max: 1000, resolution: 0.1}
        """.write(toFile: sensors + "/r.yaml", atomically: true, encoding: .utf8)

        // What the subscriber would have acknowledged: every record in the log.
        let base: Int64 = 1_795_168_800   // 2026-11-20T10:00:00Z
        let logEnd: Int64
        let source: String
        do {
            let writer = try IngestLogWriter(directory: dir + "/data/ingest-log/mqtt")
            source = IngestLogReader.sourceKey(name: "mqtt", identity: writer.identity)
            for i in 0..<Self.messages {
                try writer.append(origin: "lantaarn/sensors/r1/readings",
                                  payload: Array(#"{"ts":\#(base + Int64(i)),"values":{"pm25":\#(Double(i % 997) / 10)}}"#.utf8),
                                  receivedAt: (base + Int64(Self.messages)) * 1000)
            }
            logEnd = writer.end
        }

        let database = dir + "/data/lantaarn.sqlite"
        let args = ["ingest", "drain", "--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", TestEnvironment.repoRoot + "/Pipelines"]
        var midDrain = 0, offset: Int64 = 0
        var progress: [Int64] = []
        for cycle in 0..<Self.cycles {
            let p = try ChildProcess(TestEnvironment.lantaarn, args, stderrFile: dir + "/drain-\(cycle).err")
            // Kill once this process has committed something, a moment later: mid-drain. The drain
            // prints a progress line after each commit; waiting on its stdout sees the first one
            // within microseconds, where spawning sqlite3 to read the offset took 50 ms or, with
            // the rest of the suite running, long enough for a drain to finish the log (CI, stop 46).
            let before = offset
            Self.awaitCommit(p, timeout: 60)
            let started = Date()
            Self.awaitCommit(p, timeout: 60)
            let batch = Date().timeIntervalSince(started)
            usleep(UInt32(Double.random(in: 0...batch) * 1_000_000))
            let exitedByItself = !p.process.isRunning
            p.stop(signal: SIGKILL)
            // What the next process will find: an intact file, and how far the killed one got.
            let integrity = try Self.integrityCheck(database)
            #expect(integrity == "ok", "after kill \(cycle + 1): \(integrity)")
            offset = try Self.committedOffset(database, source: source)
            progress.append(offset - before)
            if offset > before && offset < logEnd && !exitedByItself { midDrain += 1 }
        }
        let final = try await runCommand(TestEnvironment.lantaarn, args)
        #expect(final.status == 0, "\(final.error)")
        #expect(try Self.committedOffset(database, source: source) == logEnd)

        let store = try SQLiteStore(dataDirectory: dir + "/data")
        var seen = Set<Int64>()
        var duplicates = 0
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { r in
            if !seen.insert(r.timestamp).inserted { duplicates += 1 }
            #expect(r.value == Double((r.timestamp / 1000 - base) % 997) / 10)
        }
        let lost = Self.messages - seen.count
        print("BENCH recovery_lost \(lost) readings")
        print("BENCH recovery_duplicated \(duplicates) readings")
        print("BENCH recovery_kills_mid_drain \(midDrain) kills")
        print("recovery: \(Self.cycles) SIGKILL cycles, \(midDrain) landed mid-drain (log bytes committed per killed process: "
              + "min \(progress.min() ?? 0), max \(progress.max() ?? 0)); integrity_check after every kill")
        #expect(midDrain == Self.cycles, "every kill lands while the drain commits: \(progress)")
        #expect(lost == 0)
        #expect(duplicates == 0)
        #expect(try store.readings.readingCount() == Self.messages)
        #expect(try store.integrityCheck() == ["ok"])
    }

    /// Returns once the drain has printed a progress line (it prints one after each committed
    /// batch), has exited, or `timeout` seconds have passed; reads what it printed.
    static func awaitCommit(_ drain: ChildProcess, timeout: Double) {
        var fd = pollfd(fd: drain.stdout.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        let deadline = Date().addingTimeInterval(timeout)
        while drain.process.isRunning, Date() < deadline, poll(&fd, 1, 5) == 0 {}
        var buffer = [UInt8](repeating: 0, count: 4096)
        if fd.revents & Int16(POLLIN) != 0 { _ = read(fd.fd, &buffer, buffer.count) }
    }

    /// The log offset the store has committed, read by another process as the next drain would.
    static func committedOffset(_ database: String, source: String) throws -> Int64 {
        guard FileManager.default.fileExists(atPath: database) else { return 0 }
        let r = try runCommandBlocking(Tool("sqlite3"), ["-cmd", ".timeout 5000", database,
                                                 "SELECT coalesce(max(log_offset), 0) FROM ingest_offset WHERE source = '\(source)'"])
        guard r.status == 0, let value = Int64(r.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("cannot read the committed offset: \(r.error)")
        }
        return value
    }

    static func integrityCheck(_ database: String) throws -> String {
        guard FileManager.default.fileExists(atPath: database) else { return "ok" }
        let r = try runCommandBlocking(Tool("sqlite3"), ["-cmd", ".timeout 5000", database, "PRAGMA integrity_check"])
        return r.status == 0 ? r.output.trimmingCharacters(in: .whitespacesAndNewlines) : "sqlite3 failed: \(r.error)"
    }
}
