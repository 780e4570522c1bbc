import Foundation
import TestSupport
import Testing

/// `lantaarn ingest https://…` against a local server: conditional requests, redirects,
/// clear errors for 404 and timeouts; and the inbox folder `serve` watches.
@Suite(.serialized)
struct HTTPPullTests {
    static let archive = TestEnvironment.repoRoot + "/../shared/data/sensors/sensor_community_archive"
    static let registry = """
    sensors:
      - id: sc-15092
        lamppost: SC-1
        kind: luchtkwaliteit
        lat: 52.38119
        lon: 4.63746
        device: "15092"
        quantities:
          pm10: {unit: "µg/m³", min: 0, max: 2000, resolution: 0.01, field: P1}
          pm25: {unit: "µg/m³", min: 0, max: 1000, resolution: 0.01, field: P2}
    """

    struct Setup {
        let dir: String
        let common: [String]
        init(_ name: String) throws {
            dir = try TestEnvironment.scratch(name)
            try FileManager.default.createDirectory(atPath: dir + "/Sensors", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
            try HTTPPullTests.registry.write(toFile: dir + "/Sensors/sc.yaml", atomically: true, encoding: .utf8)
            // The archive is of 2018: past the default 5-year retention, which ingest enforces.
            try "retention:\n  readings: {keep: 20y, basis: \"test: a 2018 archive\"}\n".write(toFile: dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
            common = ["--data-dir", dir + "/data", "--sensors", dir + "/Sensors", "--pipelines", TestEnvironment.repoRoot + "/Pipelines",
                      "--config", dir + "/lantaarn.yaml"]
        }

        func ingest(_ args: [String]) async throws -> CommandResult {
            try await runCommand(TestEnvironment.lantaarn, ["ingest"] + common + args)
        }
    }

    /// Values in a Sensor.Community SDS011 file (P1 and P2 cells that are not empty).
    static func values(in file: String) throws -> Int {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").dropFirst().reduce(0) { n, line in
            let cells = line.split(separator: ";", omittingEmptySubsequences: false)
            return n + [6, 9].filter { $0 < cells.count && !cells[$0].isEmpty }.count
        }
    }

    @Test func conditionalPullsRedirectsAndErrors() async throws {
        let setup = try Setup("pull")
        let day1 = Self.archive + "/2018-07-08_sds011_sensor_15092.csv", day2 = Self.archive + "/2018-07-09_sds011_sensor_15092.csv"
        try FileManager.default.copyItem(atPath: day1, toPath: setup.dir + "/www/sds.csv")
        let port = freeLoopbackPort()
        let log = setup.dir + "/requests.log"
        let server = try ChildProcess(Tool.python(), [TestEnvironment.repoRoot + "/Tests/IntegrationTests/Support/conditional_http_server.py",
                                                           "\(port)", setup.dir + "/www", log], stderrFile: setup.dir + "/server.err")
        defer { server.stop(signal: SIGKILL) }
        #expect(await waitUntil(timeout: 10) { isListening(port) }, "\(server.stderrText)")
        let url = "http://127.0.0.1:\(port)/sds.csv"

        let day1Values = try Self.values(in: day1), day2Values = try Self.values(in: day2)
        // First pull: downloaded and loaded, every value stored.
        let first = try await setup.ingest([url])
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("sds.csv: Sensor.Community CSV") && first.output.contains("\(day1Values) readings stored"),
                "\(first.output)")
        // Unchanged: the server answers 304 to the ETag we sent; nothing is downloaded.
        let second = try await setup.ingest([url])
        #expect(second.status == 0 && second.output.contains("not modified"), "\(second.output) \(second.error)")
        // Changed: a new ETag, a new download, the new day's values.
        try FileManager.default.removeItem(atPath: setup.dir + "/www/sds.csv")
        try FileManager.default.copyItem(atPath: day2, toPath: setup.dir + "/www/sds.csv")
        let third = try await setup.ingest([url])
        #expect(third.output.contains("\(day2Values) readings stored"), "\(third.output) \(third.error)")
        // Through a redirect; the same content is known by its SHA-256 and skipped.
        let moved = try await setup.ingest(["http://127.0.0.1:\(port)/moved/sds.csv"])
        #expect(moved.status == 0 && moved.output.contains("already loaded"), "\(moved.output) \(moved.error)")

        let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(requests.count == 5)
        #expect(requests[0]["if_none_match"] is NSNull && requests[1]["if_none_match"] as? String != nil)
        #expect(requests[1]["if_modified_since"] as? String != nil)

        // Errors say what, where and what to do, and exit non-zero.
        let missing = try await setup.ingest(["http://127.0.0.1:\(port)/missing.csv"])
        #expect(missing.status != 0 && missing.error.contains("HTTP 404"), "\(missing.error)")
        let slow = try await setup.ingest(["--timeout", "2", "http://127.0.0.1:\(port)/slow/sds.csv"])
        #expect(slow.status != 0 && slow.error.contains("download failed") && slow.error.contains("timeout"), "\(slow.error)")
        let refused = try await setup.ingest(["http://user:secret@127.0.0.1:\(freeLoopbackPort())/x.csv"])
        #expect(refused.status != 0 && refused.error.contains("download failed") && !refused.error.contains("secret"), "\(refused.error)")
    }

    /// A file dropped in the inbox is loaded by `serve` and moved to inbox/loaded; a file that
    /// is not a sensor archive goes to inbox/failed with its reason. A pull configured in
    /// lantaarn.yaml runs at start.
    @Test func serveLoadsFilesDroppedInTheInboxAndPullsOnSchedule() async throws {
        let setup = try Setup("inbox")
        let broker = try TestBroker(directory: setup.dir)
        defer { broker.stop() }
        let pulled = Self.archive + "/2018-07-08_sds011_sensor_15092.csv"   // older than the inbox file: loaded first
        try FileManager.default.copyItem(atPath: pulled, toPath: setup.dir + "/www/daily.csv")
        let port = freeLoopbackPort()
        let server = try ChildProcess(Tool.python(), [TestEnvironment.repoRoot + "/Tests/IntegrationTests/Support/conditional_http_server.py",
                                                           "\(port)", setup.dir + "/www", setup.dir + "/requests.log"], stderrFile: setup.dir + "/server.err")
        defer { server.stop(signal: SIGKILL) }
        #expect(await waitUntil(timeout: 10) { isListening(port) })
        try """
        retention:
          readings: {keep: 20y, basis: "test: a 2018 archive"}
        ingest:
          pulls:
            - url: http://127.0.0.1:\(port)/daily.csv
              every: 1h
        """.write(toFile: setup.dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
        let http = freeLoopbackPort()
        let serve = try ChildProcess(TestEnvironment.lantaarn, ["serve"] + setup.common
                                        + ["--mqtt", broker.url, "--listen", "127.0.0.1:\(http)"],
                                     stderrFile: setup.dir + "/serve.err")
        defer { serve.stop(signal: SIGKILL) }
        #expect(await waitUntil(timeout: 30) { serve.stderrText.contains("watching the inbox") }, "\(serve.stderrText)")
        let inbox = setup.dir + "/data/inbox"
        let day = Self.archive + "/2018-07-10_sds011_sensor_15092.csv"
        // Written under a .part name and renamed when complete, as a writer should.
        try FileManager.default.copyItem(atPath: day, toPath: inbox + "/day.csv.part")
        try FileManager.default.moveItem(atPath: inbox + "/day.csv.part", toPath: inbox + "/day.csv")
        try "hello, this is not a sensor file\n".write(toFile: inbox + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(await waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: inbox + "/loaded/day.csv") }, "\(serve.stderrText)")
        #expect(await waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: inbox + "/failed/notes.txt") })
        let reason = try String(contentsOfFile: inbox + "/failed/notes.txt.reason.txt", encoding: .utf8)
        #expect(reason.contains("not a recognised format"), "\(reason)")
        let dayValues = try Self.values(in: day)
        #expect(serve.stderrText.contains("inbox: file loaded") && serve.stderrText.contains("inbox.readings=\(dayValues)"),
                "\(serve.stderrText.suffix(3000))")
        let pulledValues = try Self.values(in: pulled)
        #expect(await waitUntil(timeout: 30) { serve.stderrText.contains("pull: loaded") }, "\(serve.stderrText.suffix(3000))")
        #expect(serve.stderrText.contains("pull.readings=\(pulledValues)"), "\(serve.stderrText.suffix(3000))")
    }
}
