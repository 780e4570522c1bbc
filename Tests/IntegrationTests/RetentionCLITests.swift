import Foundation
import TestSupport
import Ingest
import LantaarnModel
import Store
import Testing

/// `lantaarn hold` and `lantaarn purge` through the real binary.
@Suite(.serialized)
struct RetentionCLITests {
    @Test func purgeRespectsHoldsAndLogsDestruction() async throws {
        let dir = try TestEnvironment.scratch("retention")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sensors = dir + "/Sensors"
        try FileManager.default.createDirectory(atPath: sensors, withIntermediateDirectories: true)
        try """
        sensors:
          - {id: oud, lamppost: O-1, kind: lucht, lat: 52.38119, lon: 4.63746, quantities: {pm25: {unit: "µg/m³", min: 0, max: 500}}}
        """.write(toFile: sensors + "/s.yaml", atomically: true, encoding: .utf8)
        try "retention:\n  readings: {keep: 5y, basis: \"Selectielijst gemeenten 2020, 11.1\"}\n"
            .write(toFile: dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
        // 2019: past the 5-year retention now (received then). 2026: recent. One reading an hour.
        let old = ISO8601.parse("2019-03-01T00:00:00Z")! / 1000, recent = ISO8601.parse("2026-11-01T00:00:00Z")! / 1000
        do {
            let writer = try IngestLogWriter(directory: dir + "/data/ingest-log/mqtt")
            for start in [old, recent] {
                for h in 0..<(10 * 24) {
                    try writer.append(origin: "lantaarn/sensors/oud/readings",
                                      payload: Array(#"{"ts":\#(start + Int64(h) * 3600),"values":{"pm25":\#(h % 40)}}"#.utf8),
                                      receivedAt: (start + Int64(h) * 3600) * 1000)   // stored when measured (ingest refuses readings already past retention)
                }
            }
        }
        let common = ["--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", TestEnvironment.repoRoot + "/Pipelines",
                      "--config", dir + "/lantaarn.yaml"]
        let bin = TestEnvironment.lantaarn
        #expect(try await runCommand(bin, ["ingest", "drain"] + common).status == 0)
        let hold = try await runCommand(bin, ["hold", "add", "--sensor", "oud", "--from", "2019-03-03T00:00:00Z", "--to", "2019-03-04T00:00:00Z",
                                        "--reason", "WOO-verzoek 2026-118"] + common)
        #expect(hold.output.contains("legal hold #1"), "\(hold.output) \(hold.error)")
        #expect(try await runCommand(bin, ["hold", "list"] + common).output.contains("WOO-verzoek 2026-118"))

        let dry = try await runCommand(bin, ["purge", "--dry-run"] + common)
        #expect(dry.status == 0, "\(dry.error)")
        #expect(dry.output.contains("would destroy 216 readings of oud/pm25"), "\(dry.output)")
        #expect(dry.output.contains("kept 24 by legal hold #1"))

        // A pseudonym key of a week long past, and one of this week.
        try FileManager.default.createDirectory(atPath: dir + "/data/keys", withIntermediateDirectories: true)
        let oldWeek = ISO8601.parse("2026-10-04T23:00:00Z")!, thisWeek = DutchTime.weekStart(Clock.nowMilliseconds())
        for week in [oldWeek, thisWeek] {
            FileManager.default.createFile(atPath: dir + "/data/keys/pseudonym-\(week).key", contents: Data(repeating: 7, count: 32),
                                           attributes: [.posixPermissions: 0o600])
        }
        // The purge destroys no records on its own: it draws up a destruction list. Keys, which
        // are no records, go on time.
        let store = try SQLiteStore(dataDirectory: dir + "/data")
        let purge = try await runCommand(bin, ["purge"] + common)
        #expect(purge.status == 0, "\(purge.error)")
        #expect(purge.output.contains("drew up destruction list #1") && purge.output.contains("would destroy 216 readings of oud/pm25"), "\(purge.output)")
        #expect(purge.output.contains("kept 24 by legal hold #1"), "\(purge.output)")
        #expect(purge.output.contains("destroyed 1 pseudonym key(s) past their retention"), "\(purge.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/data/keys") == ["pseudonym-\(thisWeek).key"])
        #expect(try store.readings.readingCount() == 480, "nothing destroyed without an approved list")
        let waiting = try await runCommand(bin, ["purge"] + common)
        #expect(waiting.output.contains("destruction list #1 (peilmoment") && waiting.output.contains("waits for approval"), "\(waiting.output)")
        #expect(!waiting.output.contains("list #2"))
        #expect(try store.readings.readingCount() == 480)
        // Approval needs a named archivist and a reason.
        let unnamed = try await runCommand(bin, ["purge", "approve", "1", "--reason", "Termijn verstreken"] + common)
        #expect(unnamed.status != 0 && unnamed.error.contains("name the archivist"), "\(unnamed.error)")
        #expect(try await runCommand(bin, ["purge", "approve", "1", "--by", "A. de Archivaris", "--reason", "ok"] + common).status != 0)
        #expect(try store.readings.readingCount() == 480)
        // A hold placed after the list was drawn up still keeps what it covers.
        #expect(try await runCommand(bin, ["hold", "add", "--sensor", "oud", "--from", "2019-03-05T00:00:00Z", "--to", "2019-03-06T00:00:00Z",
                                           "--reason", "bezwaar 2026-7"] + common).status == 0)
        let approved = try await runCommand(bin, ["purge", "approve", "1", "--by", "A. de Archivaris",
                                                  "--reason", "Gecontroleerd tegen de Selectielijst"] + common)
        #expect(approved.status == 0, "\(approved.error)")
        #expect(approved.output.contains("approved by archivaris A. de Archivaris and carried out"), "\(approved.output)")
        #expect(approved.output.contains("destroyed 192 readings of oud/pm25") && approved.output.contains("kept 24 by legal hold #2"), "\(approved.output)")
        #expect(try store.readings.readingCount() == 240 + 24 + 24)
        #expect(try await runCommand(bin, ["purge", "approve", "1", "--by", "B. Tweede", "--reason", "nog een keer"] + common).status != 0)
        let lists = try await runCommand(bin, ["purge", "lists"] + common)
        #expect(lists.output.contains("#1\tpeilmoment ") && lists.output.contains("\tcarried out\tby archivaris A. de Archivaris"), "\(lists.output)")
        let log = try await runCommand(bin, ["purge", "log"] + common)
        #expect(log.output.contains("readings\toud/pm25"))
        #expect(log.output.contains("vernietigingslijst #1, goedgekeurd door archivaris A. de Archivaris"), "\(log.output)")
        #expect(log.output.contains("destruction-list\tvernietigingslijst #1") && log.output.contains("listed 216, destroyed 192"), "\(log.output)")
        #expect(log.output.contains("pseudonym-key\tweek of 2026-10-05"), "\(log.output)")
        #expect(log.output.contains("Selectielijst gemeenten 2020, 11.1"))
        // Carried out once: the next purge draws up nothing new (what is left is held).
        let after = try await runCommand(bin, ["purge"] + common)
        #expect(!after.output.contains("drew up") && after.output.contains("kept 24 by legal hold #1"), "\(after.output)")
        #expect(try await runCommand(bin, ["hold", "remove", "1"] + common).status == 0)
        #expect(try await runCommand(bin, ["hold", "remove", "1"] + common).status != 0)
    }

    /// Holds keep files too: ingest-log segments (a sensor hold on their time range), pseudonym
    /// keys (a hold on an ANPR camera over the key's week). And a file's destruction is logged
    /// before the file goes: killed (SIGKILL) between the two, the purge leaves the record and the
    /// file; the next purge destroys it.
    @Test func holdsKeepFilesAndAKillLeavesARecordNeverASilentDeletion() async throws {
        let dir = try TestEnvironment.scratch("retention-files")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "retention:\n  ingest_log: {keep: 1d, basis: \"technische buffer\"}\n  pseudonym_keys: {keep: 1d, basis: \"alleen koppelen\"}\n"
            .write(toFile: dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
        let now = Clock.nowMilliseconds()
        let log = dir + "/data/ingest-log/mqtt"
        do {
            // Small segments, all committed by the drain below.
            let writer = try IngestLogWriter(directory: log, segmentBytes: 2048)
            for h in 0..<60 {
                try writer.append(origin: "lantaarn/sensors/hlm-lp0001-lucht/readings",
                                  payload: Array(#"{"ts":\#(now / 1000 - 7200 + Int64(h) * 60),"values":{"pm25":\#(h % 40)}}"#.utf8),
                                  receivedAt: now - 3_600_000 + Int64(h) * 1000)
            }
        }
        let common = ["--data-dir", dir + "/data", "--sensors", TestEnvironment.repoRoot + "/Sensors", "--pipelines", TestEnvironment.repoRoot + "/Pipelines",
                      "--config", dir + "/lantaarn.yaml"]
        let bin = TestEnvironment.lantaarn
        #expect(try await runCommand(bin, ["ingest", "drain"] + common).status == 0)
        // Written "ten days ago", so past the 1-day retention.
        let segments = try FileManager.default.contentsOfDirectory(atPath: log).filter { $0.hasSuffix(".log") }.sorted()
        try #require(segments.count >= 4, "\(segments)")
        for s in segments {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -10 * 86_400)], ofItemAtPath: log + "/" + s)
        }
        // A key of a week long past.
        try FileManager.default.createDirectory(atPath: dir + "/data/keys", withIntermediateDirectories: true)
        let oldWeek = ISO8601.parse("2026-10-04T23:00:00Z")!
        FileManager.default.createFile(atPath: dir + "/data/keys/pseudonym-\(oldWeek).key", contents: Data(repeating: 7, count: 32),
                                       attributes: [.posixPermissions: 0o600])

        // A release of meldingen-per-wijk-week from 2010 (past its 10 years), with a kept download,
        // and a kept download of a dataset that loses nothing.
        do {
            let store = try SQLiteStore(dataDirectory: dir + "/data")
            try store.releases.register(DatasetMetadata(name: "meldingen-per-wijk-week", title: "T", description: "D", pipeline: "meldingen-per-wijk-week",
                                               license: "CC0-1.0", retention: "10y", columns: [ColumnSpec(name: "n", type: .integer, description: "")]))
            let week = ISO8601.parse("2010-01-04T00:00:00+01:00")!
            try store.releases.publish(ReleaseDraft(dataset: "meldingen-per-wijk-week", window: TimeWindow(start: week, end: week + 7 * 86_400_000),
                                           rows: [[.integer(12)]], rowsIn: 12, lineage: .null))
            try FileManager.default.createDirectory(atPath: dir + "/data/exports", withIntermediateDirectories: true)
            for name in ["meldingen-per-wijk-week--t1-0.csv", "luchtkwaliteit-per-wijk-uur--t2-0.csv"] {
                FileManager.default.createFile(atPath: dir + "/data/exports/" + name, contents: Data("x".utf8))
            }
        }
        let iso = { (t: Int64) in ISO8601.format(milliseconds: t) }
        #expect(try await runCommand(bin, ["hold", "add", "--sensor", "hlm-lp0001-lucht", "--from", iso(now - 86_400_000), "--to", iso(now + 86_400_000),
                                     "--reason", "schadeclaim 4"] + common).status == 0)
        #expect(try await runCommand(bin, ["hold", "add", "--sensor", "veerhaven", "--from", iso(oldWeek), "--to", iso(oldWeek + 86_400_000),
                                     "--reason", "aanrijding 9"] + common).status == 0)
        #expect(try await runCommand(bin, ["hold", "add", "--dataset", "meldingen-per-wijk-week", "--from", "2010-01-01T00:00:00Z", "--to", "2010-02-01T00:00:00Z",
                                     "--reason", "beroep 2"] + common).status == 0)
        let held = try await runCommand(bin, ["purge"] + common)
        #expect(held.output.contains("kept ingest-log segment mqtt/") && held.output.contains("by legal hold #1 on sensor hlm-lp0001-lucht"), "\(held.output)")
        #expect(held.output.contains("kept pseudonym key of 2026-10-04 by legal hold #2 on sensor veerhaven"), "\(held.output)")
        #expect(held.output.contains("kept 1 by legal hold #3 on dataset meldingen-per-wijk-week"), "\(held.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/data/exports").count == 2, "the held dataset keeps its download")
        #expect(try FileManager.default.contentsOfDirectory(atPath: log).filter { $0.hasSuffix(".log") }.sorted() == segments)
        #expect(FileManager.default.fileExists(atPath: dir + "/data/keys/pseudonym-\(oldWeek).key"))

        // Lifted: the purge is killed after logging the first segment, before deleting it.
        #expect(try await runCommand(bin, ["hold", "remove", "1"] + common).status == 0)
        #expect(try await runCommand(bin, ["hold", "remove", "2"] + common).status == 0)
        let paused = try ChildProcess(bin, ["purge"] + common, environment: ["LANTAARN_FAULT_PAUSE_BEFORE_DELETE_MS": "20000"], stderrFile: dir + "/purge.err")
        let store = try SQLiteStore(dataDirectory: dir + "/data")
        let recorded = await waitUntil(timeout: 60) { ((try? store.retention.destructionLog()) ?? []).contains { $0.kind == "ingest-log" } }
        paused.stop(signal: SIGKILL)
        try #require(recorded, "the purge never recorded a segment")
        let afterKill = try store.retention.destructionLog().filter { $0.kind == "ingest-log" }
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: log).filter { $0.hasSuffix(".log") })
        #expect(afterKill.count == 1 && left == Set(segments), "recorded \(afterKill.map(\.subject)), files \(left.sorted())")
        // Every segment gone has a record (none yet), and the one recorded is still there: nothing went silently.
        for s in segments where !left.contains(s) {
            #expect(afterKill.contains { $0.subject == "mqtt/\(s)" }, "\(s) went without a record")
        }
        #expect(try await runCommand(bin, ["hold", "remove", "3"] + common).status == 0)
        let again = try await runCommand(bin, ["purge"] + common)
        #expect(again.status == 0 && again.output.contains("destroyed 1 pseudonym key(s)"), "\(again.output) \(again.error)")
        #expect(again.output.contains("drew up destruction list #1") && again.output.contains("would destroy 1 rows of meldingen-per-wijk-week"), "\(again.output)")
        let approved = try await runCommand(bin, ["purge", "approve", "1", "--by", "A. de Archivaris", "--reason", "Termijn verstreken, beroep afgerond"] + common)
        #expect(approved.output.contains("destroyed 1 rows of meldingen-per-wijk-week"), "\(approved.output) \(approved.error)")
        let cleared = try await runCommand(bin, ["purge"] + common)
        #expect(cleared.output.contains("destroyed the kept download of meldingen-per-wijk-week (it held destroyed rows)"), "\(cleared.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/data/exports") == ["luchtkwaliteit-per-wijk-uur--t2-0.csv"])
        let remaining = Set(try FileManager.default.contentsOfDirectory(atPath: log).filter { $0.hasSuffix(".log") })
        #expect(remaining == [segments.last!], "the newest segment always stays: \(remaining.sorted())")
        let records = try store.retention.destructionLog()
        for s in segments.dropLast() {
            #expect(records.contains { $0.kind == "ingest-log" && $0.subject == "mqtt/\(s)" }, "\(s) went without a record")
        }
        #expect(records.contains { $0.kind == "pseudonym-key" } && records.contains { $0.kind == "kept-download" && $0.subject == "meldingen-per-wijk-week" })
    }
}
