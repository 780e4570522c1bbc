import Foundation
import Ingest
import LantaarnModel
import Store
import Testing

/// Exact recovery: a writer process killed with SIGKILL at random points, 50 times,
/// still ends with every acknowledged reading stored exactly once.
@Suite(.serialized)
struct RecoveryTests {
    static let messages = 200_000
    static let cycles = 50

    @Test func sigkillMidBatchLosesAndDuplicatesNothing() throws {
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
        do {
            let writer = try IngestLogWriter(directory: dir + "/data/ingest-log/mqtt")
            for i in 0..<Self.messages {
                try writer.append(origin: "lantaarn/sensors/r1/readings",
                                  payload: Array(#"{"ts":\#(base + Int64(i)),"values":{"pm25":\#(Double(i % 997) / 10)}}"#.utf8),
                                  receivedAt: (base + Int64(Self.messages)) * 1000)
            }
        }

        let args = ["ingest", "drain", "--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", TestEnvironment.repoRoot + "/Pipelines"]
        var killedMidway = 0
        for cycle in 0..<Self.cycles {
            let p = try ChildProcess(TestEnvironment.lantaarnBinary, args, stderrFile: dir + "/drain-\(cycle).err")
            usleep(UInt32.random(in: 40_000...400_000))
            if p.process.isRunning { killedMidway += 1 }
            p.stop(signal: SIGKILL)
        }
        let final = try runCommand(TestEnvironment.lantaarnBinary, args)
        #expect(final.status == 0, "\(final.error)")
        #expect(killedMidway >= Self.cycles / 2, "most kills must land while the drain is still working")

        let store = try SQLiteStore(dataDirectory: dir + "/data")
        var seen = Set<Int64>()
        var duplicates = 0
        try store.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { r in
            if !seen.insert(r.timestamp).inserted { duplicates += 1 }
            #expect(r.value == Double((r.timestamp / 1000 - base) % 997) / 10)
        }
        let lost = Self.messages - seen.count
        print("BENCH recovery_lost \(lost) readings")
        print("BENCH recovery_duplicated \(duplicates) readings")
        print("recovery: \(Self.cycles) SIGKILL cycles, \(killedMidway) landed mid-drain")
        #expect(lost == 0)
        #expect(duplicates == 0)
        #expect(try store.readingCount() == Self.messages)
        #expect(try store.integrityCheck() == ["ok"])
    }
}
