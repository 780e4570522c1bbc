import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LantaarnModel
import Store
import StorePostgres
import TestSupport
import Testing

/// Two `serve` nodes on one PostgreSQL store and one broker (issue 29): they split the sensor
/// stream through an MQTT 5 shared subscription, store every reading once, one of them schedules
/// the pipelines, both serve the same published bytes, and when the scheduling node is killed the
/// other takes over within seconds.
extension TimingSensitiveTests {
/// Several `serve` processes and PostgreSQL servers load both cores: run after, not beside, the
/// other machine-loading suites.
@Suite(.serialized)
struct ScaleOutTests {
    static let dataset = "luchtkwaliteit-per-wijk-uur"

    /// `serve` on the shared store as node `name` (its own data directory), with `roles`.
    static func node(_ dir: String, _ name: String, http: Int, broker: TestBroker, roles: String = "ingest,scheduler,http",
                     life: Int = 0) throws -> ChildProcess {
        let args = ["serve", "--data-dir", dir + "/\(name)/data", "--sensors", dir + "/Sensors", "--pipelines", dir + "/Pipelines",
                    "--config", dir + "/lantaarn.yaml", "--mqtt", broker.url, "--mqtt-shared-group", "lantaarn",
                    "--listen", "127.0.0.1:\(http)", "--roles", roles]
        // One log per life of a node: a restarted node does not overwrite what its earlier life said.
        return try ChildProcess(TestEnvironment.lantaarn, args, stderrFile: dir + "/\(name)\(life == 0 ? "" : "-\(life)").err")
    }

    /// A scratch folder with the registry and the air-quality pipeline (scheduled every minute), a
    /// private PostgreSQL, a broker, and `lantaarn.yaml` naming the store (plus `config`).
    final class Fixture {
        let dir: String
        let postgres: PostgresServer
        /// With `standby`: a streaming standby of `postgres`, listed second in `url`.
        let standby: PostgresServer?
        let broker: TestBroker
        /// The store URL the nodes use (both hosts with `target_session_attrs=read-write` when there is a standby).
        let url: String

        init(_ name: String, config: String, standby withStandby: Bool = false) throws {
            dir = try TestEnvironment.scratch(name)
            try ScaleOutTests.setUp(dir)
            postgres = try PostgresServer()
            if withStandby {
                _ = try PostgresStore(url: postgres.url)   // migrated before the standby copies it
                let standby = try PostgresServer(standbyOf: postgres)
                self.standby = standby
                url = "postgresql://lantaarn@127.0.0.1:\(postgres.port),127.0.0.1:\(standby.port)/lantaarn?target_session_attrs=read-write"
            } else {
                standby = nil
                url = postgres.url
            }
            broker = try TestBroker(directory: dir)
            try "store: \(url)\n\(config)\n".write(toFile: dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
        }

        func close() {
            broker.stop()
            standby?.stop()
            postgres.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    /// A steady QoS 1 stream for `seconds`: every second 20 messages per test sensor (a reading a
    /// second, in the past, two quantities each); `after` runs after each second's burst with its
    /// number. Returns how many messages went out.
    static func stream(_ broker: TestBroker, seconds: Int, after: (Int) throws -> Void) async throws -> Int {
        let start = Clock.nowMilliseconds() - Int64(seconds * 20) * 1000 - 60_000
        var messages = 0
        for second in 0..<seconds {
            for (sensor, base) in [("t-air-a", 5.0), ("t-air-b", 20.0)] {
                let lines = (0..<20).map { i in
                    #"{"ts":\#((start + Int64(second * 20 + i) * 1000) / 1000),"values":{"pm25":\#(base + Double(i % 9)),"pm10":\#(base + 2)}}"#
                }
                messages += lines.count
                try await publish(broker, sensor, lines)
            }
            try after(second)
            try await Task.sleep(for: .seconds(1))
        }
        return messages
    }

    /// Nodes `n0`, `n1`, ... on the fixture's store (by default ingest and HTTP), subscribed.
    static func ingestNodes(_ fixture: Fixture, _ count: Int, roles: String = "ingest,http") async throws -> [(serve: ChildProcess, http: Int)] {
        let nodes = try (0..<count).map { k in
            let http = freeLoopbackPort()
            return (serve: try node(fixture.dir, "n\(k)", http: http, broker: fixture.broker, roles: roles), http: http)
        }
        for n in nodes { #expect(await waitUntil(timeout: 60) { n.serve.stderrText.contains("MQTT connected and subscribed") }) }
        return nodes
    }

    /// The registry and the air-quality pipeline, scheduled every minute.
    static func setUp(_ dir: String) throws {
        let fm = FileManager.default
        for folder in ["Sensors", "Pipelines"] { try fm.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true) }
        try EndToEndTests.registry.write(toFile: dir + "/Sensors/s.yaml", atomically: true, encoding: .utf8)
        try fm.copyItem(atPath: TestEnvironment.repoRoot + "/Pipelines/mappings", toPath: dir + "/Pipelines/mappings")
        let pipeline = try String(contentsOfFile: TestEnvironment.repoRoot + "/Pipelines/\(Self.dataset).yaml", encoding: .utf8)
            .replacingOccurrences(of: #"schedule: "5 * * * *""#, with: #"schedule: "* * * * *""#)
        try pipeline.write(toFile: dir + "/Pipelines/\(Self.dataset).yaml", atomically: true, encoding: .utf8)
    }

    /// Publishes `lines` for `sensor` at QoS 1.
    static func publish(_ broker: TestBroker, _ sensor: String, _ lines: [String]) async throws {
        let r = try await runCommand(Tool("mosquitto_pub"), ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1",
                                                       "-t", "lantaarn/sensors/\(sensor)/readings", "-l"],
                               stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(r.status == 0, "mosquitto_pub: \(r.error)")
    }

    /// Every HTTP node answers each path with the same status, bytes and ETag. A scheduler may
    /// publish between two nodes' answers (their ETags then differ too): such a round is asked
    /// again, up to `rounds` times; equal ETags with different bytes fail at once.
    static func sameAnswers(_ ports: [Int], paths: [String] = ["/datasets/\(dataset).csv", "/datasets/\(dataset)/releases", "/datasets"],
                            rounds: Int = 5) async throws {
        for path in paths {
            var last = ""
            for round in 1...rounds {
                var answers: [(status: Int, etag: String, body: Data)] = []
                for port in ports {
                    let (data, response) = try await URLSession.loopback.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
                    let http = response as? HTTPURLResponse
                    answers.append((http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "ETag") ?? "", data))
                }
                let first = answers[0]
                let same = answers.allSatisfy { $0.status == first.status && $0.etag == first.etag && $0.body == first.body }
                if same && first.status == 200 { break }
                let sameTagOtherBytes = answers.contains { $0.etag == first.etag && !$0.etag.isEmpty && $0.body != first.body }
                last = "\(path): statuses \(answers.map(\.status)), ETags \(answers.map(\.etag)), \(answers.map(\.body.count)) bytes"
                #expect(!sameTagOtherBytes, "one ETag, different bytes: \(last)")
                #expect(round < rounds, "the nodes never agreed: \(last)")
                if sameTagOtherBytes { break }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// No window of the dataset was published twice from one moment: its versions are 1, 2, ... in order.
    static func noWindowPublishedTwice(_ store: PostgresStore) throws {
        let releases = try store.releases.releases(dataset: dataset)
        for (_, group) in Dictionary(grouping: releases, by: { $0.window.start }) {
            #expect(group.map(\.version) == Array(1...group.count), "window \(group.first.map { ISO8601.format(milliseconds: $0.window.start) } ?? "")")
        }
    }

    @Test func twoNodesShareIngestOneSchedulesAndBothServeTheSameBytes() async throws {
        let fixture = try Fixture("scale-out", config: "scheduler: {catch_up: 1d, lateness: 2h}")
        defer { fixture.close() }
        let (dir, broker) = (fixture.dir, fixture.broker)

        // Two nodes, each with its own data directory (its own ingest log), both with every role.
        var nodes: [(serve: ChildProcess, http: Int)] = []
        for name in ["a", "b"] {
            let http = freeLoopbackPort()
            nodes.append((try Self.node(dir, name, http: http, broker: broker), http))
        }
        defer { for n in nodes { n.serve.stop(signal: SIGKILL) } }
        for n in nodes {
            #expect(await waitUntil(timeout: 60) { n.serve.stderrText.contains("MQTT connected and subscribed") }, "\(n.serve.stderrText.suffix(2000))")
        }

        // The last two hours, a message a minute per sensor (two readings each), QoS 1.
        let now = Clock.nowMilliseconds()
        var messages = 0
        for (sensor, value) in [("t-air-a", 8.0), ("t-air-b", 24.0)] {
            let lines = (0..<120).map { i in #"{"ts":\#((now - Int64(120 - i) * 60_000) / 1000),"values":{"pm25":\#(value + Double(i % 7)),"pm10":\#(value + 3)}}"# }
            messages += lines.count
            try await Self.publish(broker, sensor, lines)
        }
        let store = try PostgresStore(url: fixture.url)
        #expect(await waitUntil(timeout: 60) { (try? store.readings.readingCount()) == 2 * messages },
                "stored \((try? store.readings.readingCount()) ?? -1) of \(2 * messages) readings")
        // Both nodes took part (the broker splits the shared subscription), and nothing twice.
        var received: [Int] = []
        for n in nodes { received.append(try await ingestHealth(n.http)["messages"] as? Int ?? 0) }
        #expect(received.reduce(0, +) == messages && received.allSatisfy { $0 > 0 }, "messages per node: \(received)")
        try await Task.sleep(for: .seconds(1))
        #expect(try store.readings.readingCount() == 2 * messages)

        // One node schedules; the other waits as a candidate.
        #expect(await waitUntil(timeout: 30) { nodes.contains { $0.serve.stderrText.contains("waits as a candidate") } },
                "\(nodes.map { $0.serve.stderrText.suffix(1000) })")
        let candidate = try #require(nodes.firstIndex { $0.serve.stderrText.contains("waits as a candidate") })
        let leader = 1 - candidate
        #expect(await waitUntil(timeout: 150) { (try? store.releases.dataset(named: Self.dataset))?.releaseCount ?? 0 > 0 },
                "no release: \(nodes[leader].serve.stderrText.suffix(2000))")
        // Both nodes serve the same bytes for the same URL.
        try await Self.sameAnswers(nodes.map(\.http))

        // The leader dies: the candidate takes over within 10 s (its next lease check).
        let killedAt = ContinuousClock.now
        nodes[leader].serve.stop(signal: SIGKILL)
        #expect(await waitUntil(timeout: 15) { nodes[candidate].serve.stderrText.contains("scheduler lease taken over") },
                "\(nodes[candidate].serve.stderrText.suffix(2000))")
        #expect(ContinuousClock.now - killedAt < .seconds(10))
        try Self.noWindowPublishedTwice(store)
    }

    /// Faults under load (CI-sized here; `make verify` runs it for two minutes): three nodes, each
    /// ingesting, a scheduler candidate and serving HTTP, take a steady QoS 1 stream while one of
    /// them is killed (SIGKILL) and restarted every `period` (the scheduling leader among them, in
    /// turn); every reading is stored exactly once, none quarantined, no window published twice,
    /// and all nodes serve the same bytes.
    @Test func ingestNodesKilledUnderLoadLoseAndDoubleNothing() async throws {
        let fixture = try Fixture("scale-out-faults", config: "scheduler: {catch_up: 1d, lateness: 2h}")
        defer { fixture.close() }
        // CI: 24 s, a kill every 8 s; `make verify`: LANTAARN_FAULT_SECONDS=120, a kill every 10 s.
        let seconds = Int(ProcessInfo.processInfo.environment["LANTAARN_FAULT_SECONDS"] ?? "") ?? 24
        let period = seconds >= 120 ? 10 : 8
        let roles = "ingest,scheduler,http"
        var nodes = try await Self.ingestNodes(fixture, 3, roles: roles)
        defer { for n in nodes { n.serve.stop(signal: SIGKILL) } }
        // Every `period` seconds the next node is killed mid-stream and started again.
        var kills = 0
        let messages = try await Self.stream(fixture.broker, seconds: seconds) { second in
            guard second % period == period / 2 else { return }
            let k = kills % nodes.count
            nodes[k].serve.stop(signal: SIGKILL)
            nodes[k].serve = try Self.node(fixture.dir, "n\(k)", http: nodes[k].http, broker: fixture.broker, roles: roles, life: kills + 1)
            kills += 1
        }
        let store = try PostgresStore(url: fixture.url)
        #expect(await waitUntil(timeout: 90) { (try? store.readings.readingCount()) == 2 * messages },
                "stored \((try? store.readings.readingCount()) ?? -1) of \(2 * messages) readings after \(kills) kills")
        try await Task.sleep(for: .seconds(2))
        #expect(try store.readings.readingCount() == 2 * messages, "nothing doubled")
        #expect(try store.readings.quarantine(limit: 1).isEmpty)
        #expect(kills >= 2)
        #expect(await waitUntil(timeout: 150) { (try? store.releases.dataset(named: Self.dataset))?.releaseCount ?? 0 > 0 },
                "no release: \(nodes.map { $0.serve.stderrText.suffix(1000) })")
        try Self.noWindowPublishedTwice(store)
        try await Self.sameAnswers(nodes.map(\.http))
    }

    /// `ingest: {ack_after: store}`: the node acknowledges a message to the broker only once the
    /// store has committed it. Killed (SIGKILL) right after each burst and started again, every
    /// other time with its data directory wiped (a node without durable disk), the node loses and
    /// doubles nothing: a wiped node starts a new ingest log, whose offset the store keeps apart
    /// from the old log's. (The publisher's own PUBACKs come from the broker, so they say nothing
    /// about the node; what this shows is that holding the node's PUBACKs loses nothing.)
    @Test func ackAfterStoreLosesNothingWhenTheNodeDiesOrLosesItsDisk() async throws {
        let fixture = try Fixture("scale-out-ack", config: "ingest: {ack_after: store}")
        defer { fixture.close() }
        var nodes = try await Self.ingestNodes(fixture, 1)
        defer { nodes[0].serve.stop(signal: SIGKILL) }
        var lives = 0
        let messages = try await Self.stream(fixture.broker, seconds: 6) { _ in
            nodes[0].serve.stop(signal: SIGKILL)
            lives += 1
            if lives % 2 == 0 { try FileManager.default.removeItem(atPath: fixture.dir + "/n0/data") }
            nodes[0].serve = try Self.node(fixture.dir, "n0", http: nodes[0].http, broker: fixture.broker, roles: "ingest,http", life: lives)
        }
        let store = try PostgresStore(url: fixture.url)
        #expect(await waitUntil(timeout: 60) { (try? store.readings.readingCount()) == 2 * messages },
                "stored \((try? store.readings.readingCount()) ?? -1) of \(2 * messages) readings")
        try await Task.sleep(for: .seconds(1))
        #expect(try store.readings.readingCount() == 2 * messages && store.readings.quarantine(limit: 1).isEmpty)
    }

    /// The store's purge runs once (on the scheduling node), but what each node keeps on its own
    /// disk is purged on that node: a kept download on another node, written before the purge
    /// destroyed rows of its dataset, goes there too, and the destruction is recorded; a later
    /// download and other datasets' downloads stay.
    @Test func aPurgeOnOneNodeClearsStaleDownloadsOnTheOthers() async throws {
        let fixture = try Fixture("scale-out-purge", config: "")
        defer { fixture.close() }
        // Destroyed after the Selectielijst's year for open datasets (the shipped air-quality series is kept permanently).
        let definition = fixture.dir + "/Pipelines/\(Self.dataset).yaml"
        let permanent = try String(contentsOfFile: definition, encoding: .utf8)
        try #require(permanent.contains("selectielijst: \"20.1.6\""))
        try permanent.replacingOccurrences(of: "selectielijst: \"20.1.6\"", with: "selectielijst: \"20.1.7\"")
            .write(toFile: definition, atomically: true, encoding: .utf8)
        let store = try PostgresStore(url: fixture.url)
        try store.releases.register(DatasetMetadata(name: Self.dataset, title: "T", description: "D", pipeline: Self.dataset,
                                                    license: "CC0-1.0", retention: "10y",
                                                    columns: [ColumnSpec(name: "n", type: .integer, description: "")]))
        let old = ISO8601.parse("2010-01-04T00:00:00Z")!
        try store.releases.publish(ReleaseDraft(dataset: Self.dataset, window: TimeWindow(start: old, end: old + 3_600_000),
                                                rows: [[.integer(3)]], rowsIn: 3, lineage: .null))
        let fm = FileManager.default
        for name in ["a", "b"] {
            try fm.createDirectory(atPath: fixture.dir + "/\(name)/data/exports", withIntermediateDirectories: true)
            for file in ["\(Self.dataset)--t1-0.csv", "meldingen-per-wijk-week--t2-0.csv"] {
                #expect(fm.createFile(atPath: fixture.dir + "/\(name)/data/exports/" + file, contents: Data("x".utf8)))
            }
        }
        func purge(_ name: String, _ arguments: [String] = []) async throws -> CommandResult {
            try await runCommand(TestEnvironment.lantaarn, ["purge"] + arguments + ["--data-dir", fixture.dir + "/\(name)/data", "--sensors", fixture.dir + "/Sensors",
                                                      "--pipelines", fixture.dir + "/Pipelines", "--config", fixture.dir + "/lantaarn.yaml"])
        }
        // Node a draws up the destruction list; approved there, it is carried out once for all nodes.
        let drawn = try await purge("a")
        #expect(drawn.status == 0 && drawn.output.contains("drew up destruction list #1"), "\(drawn.output) \(drawn.error)")
        let a = try await purge("a", ["approve", "1", "--by", "A. de Archivaris", "--reason", "Bewaartermijn verstreken"])
        #expect(a.status == 0 && a.output.contains("destroyed 1 rows of \(Self.dataset)"), "\(a.output) \(a.error)")
        #expect(try await purge("a").output.contains("destroyed the kept download of \(Self.dataset)"))
        try await Task.sleep(for: .milliseconds(20))
        // Written after the purge on node a: holds no destroyed rows.
        #expect(fm.createFile(atPath: fixture.dir + "/b/data/exports/\(Self.dataset)--t3-0.csv", contents: Data("y".utf8)))
        let b = try await purge("b")
        #expect(b.status == 0 && b.output.contains("destroyed the kept download of \(Self.dataset)"), "\(b.output) \(b.error)")
        #expect(!b.output.contains("rows of"), "the store's rows went once: \(b.output)")
        for (name, left) in [("a", ["meldingen-per-wijk-week--t2-0.csv"]),
                             ("b", ["\(Self.dataset)--t3-0.csv", "meldingen-per-wijk-week--t2-0.csv"])] {
            #expect(try fm.contentsOfDirectory(atPath: fixture.dir + "/\(name)/data/exports").sorted() == left, "node \(name)")
        }
        let records = try store.retention.destructionLog().filter { $0.kind == "kept-download" }
        #expect(records.count == 2 && records.allSatisfy { $0.subject == Self.dataset }, "\(records.map(\.policy))")
    }

    /// The PostgreSQL primary dies under load and its streaming standby is promoted: the ingest
    /// nodes (their URL lists both hosts with `target_session_attrs=read-write`) pause, find the
    /// promoted standby and go on; commits the standby had not received yet (asynchronous
    /// replication) are read again from the nodes' ingest logs. Every reading is stored exactly once;
    /// a node takes the scheduler lease on the promoted standby and publishes, no window twice, and
    /// both nodes serve the same bytes.
    @Test func thePrimaryDiesUnderLoadAndTheStandbyTakesOver() async throws {
        let fixture = try Fixture("scale-out-failover", config: "", standby: true)
        defer { fixture.close() }
        let nodes = try await Self.ingestNodes(fixture, 2, roles: "ingest,scheduler,http")
        defer { for n in nodes { n.serve.stop(signal: SIGKILL) } }
        let messages = try await Self.stream(fixture.broker, seconds: 16) { second in
            guard second == 6 else { return }
            fixture.postgres.crash()
            try fixture.standby!.promote()
        }
        let store = try PostgresStore(url: fixture.url)
        #expect(await waitUntil(timeout: 90) { (try? store.readings.readingCount()) == 2 * messages },
                "stored \((try? store.readings.readingCount()) ?? -1) of \(2 * messages) readings: \(nodes.map { $0.serve.stderrText.suffix(1500) })")
        try await Task.sleep(for: .seconds(2))
        #expect(try store.readings.readingCount() == 2 * messages, "nothing doubled")
        #expect(try store.readings.quarantine(limit: 1).isEmpty)
        // The scheduler lease (a lock on the dead primary) is taken again on the promoted standby.
        #expect(await waitUntil(timeout: 150) { (try? store.releases.dataset(named: Self.dataset))?.releaseCount ?? 0 > 0 },
                "no release after the failover: \(nodes.map { $0.serve.stderrText.suffix(1500) })")
        try Self.noWindowPublishedTwice(store)
        try await Self.sameAnswers(nodes.map(\.http))
    }
}
}
