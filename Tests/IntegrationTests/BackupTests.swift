import Foundation
import Ingest
import LantaarnModel
import Store
import TestSupport
import Testing

extension TimingSensitiveTests {
    /// `lantaarn backup` while a QoS 1 publisher runs and `serve` ingests: the copy restored into
    /// an empty data directory holds every message acknowledged before the backup started (each
    /// once, with its value) and passes `integrity_check`. Bad uses get clear errors.
    @Suite(.serialized) struct BackupTests {
        @Test func anOnlineBackupHoldsEveryAcknowledgedMessageAndRestores() async throws {
            let setup = try MQTTDurabilityTests.Setup("backup-online")
            let broker = try TestBroker(directory: setup.dir)
            defer { broker.stop() }
            let sequence = MQTTDurabilityTests.Sequence()
            let serve = try setup.serve(port: freeLoopbackPort(), broker: broker.port, log: "serve.err")
            defer { serve.stop(signal: SIGKILL) }
            try #require(await waitUntil(timeout: 30) { serve.stderrText.contains("MQTT connected and subscribed") }, "\(serve.stderrText)")
            let publisher = try MQTTDurabilityTests.SteadyPublisher(port: broker.port, sequence: sequence, chunk: 50, pause: 10_000, limit: 1_000_000)
            try await Task.sleep(for: .seconds(3))

            // Acknowledged (ack_after: log): what the ingest log holds when the backup starts.
            let log = try IngestLogReader(directory: setup.dir + "/data/ingest-log/mqtt")
            let records = try log.read(from: 0, end: try log.writtenEnd(), maxRecords: 10_000_000, maxBytes: 1 << 30).entries
            let acknowledged = records.compactMap { entry -> Int? in
                let text = String(decoding: entry.record.payload, as: UTF8.self)
                guard let r = text.range(of: #""ts":"#), let ts = Int64(text[r.upperBound...].prefix { $0.isNumber }) else { return nil }
                return sequence.index(ofTimestamp: ts)
            }
            let highest = try #require(acknowledged.max(), "nothing acknowledged yet")
            #expect(Set(acknowledged) == Set(0...highest), "acknowledged in order")

            let file = setup.dir + "/copy.sqlite"
            let backup = try await runCommand(TestEnvironment.lantaarn, ["backup", "--to", file] + setup.common)
            let sentDuringBackup = publisher.sent.load(ordering: .relaxed)
            #expect(backup.status == 0 && backup.output.contains("integrity ok"), "\(backup.output) \(backup.error)")
            #expect(sentDuringBackup > highest + 1, "the publisher kept publishing")
            let again = try await runCommand(TestEnvironment.lantaarn, ["backup", "--to", file] + setup.common)
            #expect(again.status != 0 && again.error.contains("exists already"), "\(again.error)")
            _ = await publisher.finish()

            // Restored into an empty data directory: every acknowledged message, once, with its value.
            let restored = setup.dir + "/restored"
            let restore = try await runCommand(TestEnvironment.lantaarn, ["restore", file, "--data-dir", restored, "--sensors", setup.dir + "/Sensors"])
            #expect(restore.status == 0 && restore.output.contains("integrity ok"), "\(restore.output) \(restore.error)")
            let store = try SQLiteStore(dataDirectory: restored)
            #expect(try store.integrityCheck() == ["ok"])
            var seen: [Int: Int] = [:]
            var wrong = 0
            try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { r in
                let i = sequence.index(ofTimestamp: r.timestamp)
                seen[i, default: 0] += 1
                if r.value != sequence.value(i) { wrong += 1 }
            }
            let missing = (0...highest).filter { seen[$0] == nil }
            print("backup: \(highest + 1) acknowledged before the backup, \(seen.count) in the copy, \(missing.count) missing")
            #expect(missing.isEmpty, "first missing: \(missing.first ?? -1)")
            #expect(seen.values.allSatisfy { $0 == 1 } && wrong == 0)
            #expect(try await runCommand(TestEnvironment.lantaarn, ["audit", "list", "--action", "backup."] + setup.common).output.contains("\tbackup.make\t"))

            // The wait is what keeps acknowledged messages: with serve gone and a record in the log
            // that the store has not taken in, the backup stops and says why, unless told not to.
            serve.stop(signal: SIGKILL)
            let writer = try IngestLogWriter(directory: setup.dir + "/data/ingest-log/mqtt")
            try writer.append(origin: MQTTDurabilityTests.topic, payload: sequence.payload(2_000_000), receivedAt: Clock.nowMilliseconds())
            writer.sync()
            let stuck = try await runCommand(TestEnvironment.lantaarn, ["backup", "--to", setup.dir + "/stuck.sqlite", "--wait", "1s"] + setup.common)
            #expect(stuck.status != 0 && stuck.error.contains("has not yet taken in") && stuck.error.contains("mqtt"), "\(stuck.error)")
            #expect(!FileManager.default.fileExists(atPath: setup.dir + "/stuck.sqlite"))
            let anyway = try await runCommand(TestEnvironment.lantaarn, ["backup", "--to", setup.dir + "/stuck.sqlite", "--wait", "1s", "--skip-undrained"] + setup.common)
            #expect(anyway.status == 0, "\(anyway.error)")

            // Bad uses: a data directory that has a store, a file that is not a backup.
            let occupied = try await runCommand(TestEnvironment.lantaarn, ["restore", file] + setup.common)
            #expect(occupied.status != 0 && occupied.error.contains("exists already"), "\(occupied.error)")
            try "geen database".write(toFile: setup.dir + "/junk.sqlite", atomically: true, encoding: .utf8)
            let junk = try await runCommand(TestEnvironment.lantaarn, ["restore", setup.dir + "/junk.sqlite", "--data-dir", setup.dir + "/other"])
            #expect(junk.status != 0 && junk.error.contains("is not a Lantaarn store backup"), "\(junk.error)")
        }
    }
}
