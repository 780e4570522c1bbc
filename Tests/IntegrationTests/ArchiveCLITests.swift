import Foundation
import TestSupport
import LantaarnModel
import Store
import Testing

/// Issue 31 through the real binary: `pipeline check` holds retention to the Selectielijst,
/// and `pipeline register` prints an entry the national algorithm register takes.
@Suite(.serialized)
struct ArchiveCLITests {
    @Test func retentionFromTheSelectielijstAndTheRegisterEntry() async throws {
        let dir = try TestEnvironment.scratch("archive-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        try fm.copyItem(atPath: TestEnvironment.repoRoot + "/Pipelines", toPath: dir + "/Pipelines")
        try "municipality: Gemeente Zandvoort\ncontact_email: data@zandvoort.nl\nserver:\n  public_url: https://data.zandvoort.nl\n"
            .write(toFile: dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
        let common = ["--data-dir", dir + "/data", "--sensors", TestEnvironment.repoRoot + "/Sensors", "--pipelines", dir + "/Pipelines",
                      "--config", dir + "/lantaarn.yaml"]
        let bin = TestEnvironment.lantaarn

        let ok = try await runCommand(bin, ["pipeline", "check"] + common)
        #expect(ok.status == 0, "\(ok.output) \(ok.error)")
        #expect(ok.output.contains("drukte-per-wijk-uur") && ok.output.contains("retention: Selectielijst 20.1.7, vernietigen na 1 jaar"), "\(ok.output)")
        #expect(ok.output.contains("retention: Selectielijst 20.1.6, blijvend bewaren"), "\(ok.output)")

        // Ten years where the resultaat says one: refused, with the resultaat named.
        let file = dir + "/Pipelines/drukte-per-wijk-uur.yaml"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try original.replacingOccurrences(of: "selectielijst: \"20.1.7\"", with: "selectielijst: \"20.1.7\"\n    keep: 10y")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try await runCommand(bin, ["pipeline", "check", "drukte-per-wijk-uur"] + common)
        #expect(refused.status != 0, "\(refused.output)")
        #expect((refused.output + refused.error).contains("output.retention.keep: resultaat 20.1.7 (Informeren, Uitgevoerd: proactief beschikbaargestelde (open) datasets) says: destroy after 1 jaar (1y); keep: 10y contradicts it"),
                "\(refused.output) \(refused.error)")
        try original.write(toFile: file, atomically: true, encoding: .utf8)

        // The register entry, from the definition and lantaarn.yaml, valid under the standard's schema.
        let printed = try await runCommand(bin, ["pipeline", "register", "luchtkwaliteit-per-wijk-uur"] + common)
        #expect(printed.status == 0, "\(printed.error)")
        let entry = try JSONParser.parse(printed.output)
        #expect(entry["organization"]?.stringValue == "Gemeente Zandvoort" && entry["contact"]?.stringValue == "data@zandvoort.nl")
        #expect(entry["link"]?.stringValue == "https://data.zandvoort.nl/algoritmes#alg-luchtkwaliteit-per-wijk-uur")
        #expect(entry["theme"] == .array([.string("Lucht")]) && entry["supplier"]?.stringValue == "Intern ontwikkeld")
        #expect(entry["risk_management"]?.stringValue?.contains("blijvend") == true)
        try printed.output.write(toFile: dir + "/entry.json", atomically: true, encoding: .utf8)
        let schema = TestEnvironment.repoRoot + "/../shared/data/standards/algoritmeregister/algoritmeregister-publicatiestandaard-v1.0.0.schema.json"
        let checked = try await runCommand(try Tool.python(), [TestEnvironment.repoRoot + "/Tests/Fixtures/register/validate_register.py", schema, dir + "/entry.json"])
        #expect(checked.status == 0, "\(checked.output) \(checked.error)")
        let unknown = try await runCommand(bin, ["pipeline", "register", "bestaat-niet"] + common)
        #expect(unknown.status != 0 && !unknown.error.isEmpty)
    }

    /// `lantaarn archive export` of the demo, with a destruction list carried out: every XML file
    /// validates against the MDTO 1.0.1 XSD (xmllint), every file's checksum is its SHA-256,
    /// and a second export adds only what is new, and says so.
    @Test func archiveExportOfTheDemoIsValidMDTO() async throws {
        let dir = try TestEnvironment.scratch("archive-export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--data-dir", dir + "/data", "--sensors", TestEnvironment.repoRoot + "/Sensors", "--pipelines", TestEnvironment.repoRoot + "/Pipelines"]
        let bin = TestEnvironment.lantaarn
        let demo = try await runCommand(bin, ["demo", "--until", "2026-12-01T00:00:00Z", "--days", "1", "--weeks", "2"] + common)
        try #require(demo.status == 0, "\(demo.error)")
        // A release of an open dataset from 2010, past its year: destroyed under an approved list.
        do {
            let store = try SQLiteStore(dataDirectory: dir + "/data")
            let crowds = try #require(try store.releases.dataset(named: "drukte-per-wijk-uur"))
            let old = ISO8601.parse("2010-01-04T00:00:00Z")!
            _ = try store.releases.publish(ReleaseDraft(dataset: "drukte-per-wijk-uur", window: TimeWindow(start: old, end: old + 3_600_000),
                                                        rows: [crowds.metadata.columns.map { _ in CellValue.null }], rowsIn: 1, lineage: .null))
        }
        #expect(try await runCommand(bin, ["purge"] + common).output.contains("drew up destruction list #1"))
        #expect(try await runCommand(bin, ["purge", "approve", "1", "--by", "A. de Archivaris", "--reason", "Termijn verstreken"] + common).status == 0)

        let package = dir + "/e-depot"
        let first = try await runCommand(bin, ["archive", "export", "--to", package] + common)
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("added ") && first.output.contains("releases") && first.output.contains("1 destruction lists"), "\(first.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: package).sorted()
        let xml = files.filter { $0.hasSuffix(".xml") }
        // Releases of the datasets kept permanently only (air quality, Lden), never of open datasets destroyed after a year.
        #expect(xml.contains { $0.hasPrefix("release-luchtkwaliteit-per-wijk-uur-") } && !xml.contains { $0.hasPrefix("release-drukte") }, "\(xml.prefix(40))")
        #expect(xml.contains("vernietigingslijst-1.mdto.xml") && xml.contains { $0.hasPrefix("vernietigingslog-") })
        #expect(files.contains { $0.hasSuffix(".algoritmeregister.json") } && files.contains { $0.hasSuffix(".yaml") })
        let xsd = TestEnvironment.repoRoot + "/../shared/data/standards/mdto/MDTO-XML1.0.1.xsd"
        let valid = try await runCommand(try Tool("xmllint"), ["--noout", "--schema", xsd] + xml.map { package + "/" + $0 })
        #expect(valid.status == 0 && valid.error.components(separatedBy: " validates").count - 1 == xml.count, "\(valid.error.suffix(3000))")
        // Every bestand's checksum and size are those of its file.
        for sidecar in xml where sidecar.hasSuffix(".bestand.mdto.xml") {
            let text = try String(contentsOfFile: package + "/" + sidecar, encoding: .utf8)
            let data = try Data(contentsOf: URL(fileURLWithPath: package + "/" + String(sidecar.dropLast(".bestand.mdto.xml".count))))
            #expect(text.contains("<checksumWaarde>\(SHA256.hex(data))</checksumWaarde>") && text.contains("<omvang>\(data.count)</omvang>"), "\(sidecar)")
        }
        let list = try String(contentsOfFile: package + "/vernietigingslijst-1.txt", encoding: .utf8)
        #expect(list.contains("goedgekeurd door archivaris A. de Archivaris") && list.contains("drukte-per-wijk-uur"), "\(list)")

        // Again: nothing new. After a new release: only that.
        let again = try await runCommand(bin, ["archive", "export", "--to", package] + common)
        #expect(again.output.contains("nothing new"), "\(again.output)")
        do {
            let store = try SQLiteStore(dataDirectory: dir + "/data")
            let air = try #require(try store.releases.dataset(named: "luchtkwaliteit-per-wijk-uur"))
            let next = ISO8601.parse("2026-12-01T00:00:00Z")!
            _ = try store.releases.publish(ReleaseDraft(dataset: "luchtkwaliteit-per-wijk-uur", window: TimeWindow(start: next, end: next + 3_600_000),
                                                        rows: [air.metadata.columns.map { _ in CellValue.null }], rowsIn: 1, lineage: .null))
        }
        let third = try await runCommand(bin, ["archive", "export", "--to", package] + common)
        #expect(third.output.contains("added 1 new object(s)") && third.output.contains("1 releases"), "\(third.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: package).count == files.count + 3, "one object: its XML, its CSV and the CSV sidecar")
    }

    /// Every public dataset of the demo as Parquet, current rows and a release: pyarrow and DuckDB
    /// read each file with the declared types and values equal to the CSV download
    /// (Tests/Fixtures/parquet/compare_downloads.py).
    @Test func parquetDownloadsEqualTheCSV() async throws {
        let dir = try TestEnvironment.scratch("parquet-downloads")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = TestEnvironment.repoRoot
        let common = ["--data-dir", dir + "/data", "--sensors", repo + "/Sensors", "--pipelines", repo + "/Pipelines", "--dashboards", repo + "/Dashboards"]
        let bin = TestEnvironment.lantaarn
        let demo = try await runCommand(bin, ["demo", "--until", "2026-12-01T00:00:00Z", "--days", "2", "--weeks", "8"] + common)
        try #require(demo.status == 0, "\(demo.error)")
        let port = freeLoopbackPort()
        let serve = try ChildProcess(bin, ["serve"] + common + ["--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"],
                                     stderrFile: dir + "/serve.err")
        defer { serve.stop(signal: SIGKILL) }
        try #require(await waitUntil(timeout: 30) { isListening(port) }, "serve did not start: \(serve.stderrText)")
        let compared = try await runCommand(try Tool.python(), [repo + "/Tests/Fixtures/parquet/compare_downloads.py", "http://127.0.0.1:\(port)"])
        #expect(compared.status == 0, "\(compared.output.suffix(3000)) \(compared.error.suffix(2000))")
        #expect(compared.output.contains("; 0 differences"), "\(compared.output.suffix(500))")
    }

    /// The cloud exit: `export --all` of the demo, `import` into an empty data directory, and
    /// the rebuilt store gives the same release checksums, row counts and downloads, byte for byte.
    @Test func fullExportAndImportRoundTrip() async throws {
        let dir = try TestEnvironment.scratch("full-export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = TestEnvironment.repoRoot
        let folders = ["--sensors", repo + "/Sensors", "--pipelines", repo + "/Pipelines", "--dashboards", repo + "/Dashboards"]
        let (source, imported, export) = (dir + "/data", dir + "/imported", dir + "/export")
        let bin = TestEnvironment.lantaarn
        let demo = try await runCommand(bin, ["demo", "--until", "2026-12-01T00:00:00Z", "--days", "1", "--weeks", "4", "--data-dir", source] + folders)
        try #require(demo.status == 0, "\(demo.error)")

        let exported = try await runCommand(bin, ["export", "--all", export, "--data-dir", source] + folders)
        try #require(exported.status == 0, "\(exported.error)")
        let line = exported.output.split(separator: "\n").last(where: { $0.hasPrefix("export: ") }).map(String.init) ?? ""
        print("full export of the demo: \(line)")
        #expect(line.contains(" MiB (") && line.hasSuffix(" s"), "\(exported.output.suffix(400))")
        // Open formats a data scientist reads without Lantaarn: every reading is in the Parquet
        // and the CSV files per series, and the manifest lists every file.
        let sourceStore = try SQLiteStore(dataDirectory: source)
        let readings = try sourceStore.readings.readingCount()
        let counted = try await runCommand(try Tool.python(), ["-c", """
            import duckdb, json, sys
            d = sys.argv[1]
            p = duckdb.sql(f"select count(*) from read_parquet('{d}/readings/*/*.parquet')").fetchall()[0][0]
            c = duckdb.sql(f"select count(*) from read_csv('{d}/readings/*/*.csv')").fetchall()[0][0]
            m = json.load(open(f"{d}/lantaarn-export.json"))
            print(p, c, len(m["files"]), len(m["tables"]))
            """, export])
        let numbers = counted.output.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(counted.status == 0 && numbers.count == 4 && numbers[0] == readings && numbers[1] == readings && numbers[3] > 30,
                "\(counted.output) \(counted.error.suffix(1000)); \(readings) readings")

        // An export never overwrites; a damaged copy is refused before anything is written.
        let again = try await runCommand(bin, ["export", "--all", export, "--data-dir", source] + folders)
        #expect(again.status != 0 && again.error.contains("is not empty"), "\(again.error)")
        let damaged = dir + "/damaged"
        try FileManager.default.copyItem(atPath: export, toPath: damaged)
        let release = try #require(FileManager.default.enumerator(atPath: damaged + "/datasets")?.allObjects.compactMap { $0 as? String }
            .first { $0.contains("/releases/") && $0.hasSuffix(".csv") })
        let handle = try #require(FileHandle(forWritingAtPath: damaged + "/datasets/" + release))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("9".utf8))
        try handle.close()
        let refused = try await runCommand(bin, ["import", damaged, "--data-dir", dir + "/not-made"] + folders)
        #expect(refused.status != 0 && refused.error.contains("differs from the manifest") && refused.error.contains(release),
                "\(refused.error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/not-made/lantaarn.sqlite"))

        let loaded = try await runCommand(bin, ["import", export, "--data-dir", imported] + folders)
        try #require(loaded.status == 0, "\(loaded.error)")
        print("import: \(loaded.output.split(separator: "\n").last ?? "")")
        let verified = try await runCommand(bin, ["datasets", "verify", "--data-dir", imported] + folders)
        #expect(verified.status == 0 && verified.output.contains("match their SHA-256"), "\(verified.output) \(verified.error)")

        // The same row counts.
        let rebuilt = try SQLiteStore(dataDirectory: imported)
        #expect(try rebuilt.readings.readingCount() == readings)
        let datasets = try sourceStore.releases.datasets()
        #expect(datasets.count >= 5)
        for d in datasets {
            let other = try #require(try rebuilt.releases.dataset(named: d.metadata.name))
            #expect(other.rowCount == d.rowCount && other.releaseCount == d.releaseCount, "\(d.metadata.name)")
            #expect(try rebuilt.releases.releases(dataset: d.metadata.name).map(\.sha256) == sourceStore.releases.releases(dataset: d.metadata.name).map(\.sha256))
        }
        #expect(try rebuilt.meldingen.meldingen(createdIn: TimeWindow(start: 0, end: Int64.max / 2)).count
                == sourceStore.meldingen.meldingen(createdIn: TimeWindow(start: 0, end: Int64.max / 2)).count)

        // The same downloads, byte for byte: every public dataset in every format and every
        // release as CSV, from a server on each store; and the export's own files are those downloads.
        var servers: [ChildProcess] = []
        defer { for s in servers { s.stop(signal: SIGKILL) } }
        var bases: [String] = []
        for data in [source, imported] {
            let port = freeLoopbackPort()
            servers.append(try ChildProcess(bin, ["serve", "--data-dir", data] + folders + ["--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"],
                                            stderrFile: data + "-serve.err"))
            try #require(await waitUntil(timeout: 30) { isListening(port) }, "serve did not start")
            bases.append("http://127.0.0.1:\(port)")
        }
        var compared = 0
        for d in datasets where d.metadata.isPublic {
            let name = d.metadata.name
            var paths = ["csv", "json", "ndjson", "geojson", "parquet"].map { "/datasets/\(name).\($0)" }
            paths += try sourceStore.releases.releases(dataset: name).filter { try sourceStore.releases.rowsKept($0) }.map { "/datasets/\(name)/releases/\($0.id).csv" }
            for path in paths {
                let (a, b) = (try await httpGetData(bases[0] + path), try await httpGetData(bases[1] + path))
                #expect(a.status == 200 && b.status == 200 && a.body == b.body, "\(path): \(a.status) \(b.status), \(a.body.count) and \(b.body.count) bytes")
                compared += 1
            }
            for format in ["csv", "parquet"] {
                let file = try Data(contentsOf: URL(fileURLWithPath: "\(export)/datasets/\(name)/\(name).\(format)"))
                #expect(file == (try await httpGetData(bases[0] + "/datasets/\(name).\(format)")).body, "\(name).\(format) in the export")
            }
        }
        print("full export round trip: \(compared) downloads equal byte for byte")
        #expect(compared > 50)
    }
}
