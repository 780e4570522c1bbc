import Foundation
import TestSupport
import Testing

/// `make test` on a fresh machine installs every program and Python module the tests use: they
/// are all on Tests/tools.list, tests reach programs only through TestSupport's `Tool`, and
/// scripts/setup and scripts/venv install everything of scope test from that list.
@Suite struct ToolListTests {
    static let repository = ToolList.repository

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: repository + "/" + path, encoding: .utf8)
    }

    /// The Swift files of the tests, without this suite's own (its samples are bypasses on purpose).
    static func swiftTestFiles() -> [String] {
        LaunchScan.swiftTestFiles(repository: repository).filter { !$0.hasPrefix("Tests/ToolListTests/") }
    }

    static func testEntries(_ kind: ToolList.Entry.Kind) throws -> [ToolList.Entry] {
        try ToolList.entries().filter { $0.scope == "test" && $0.kind == kind }
    }

    /// What the fixture scripts run and import: every script a Swift test names, every Python file
    /// under Tests/, and the local modules they import (Tests/Fixtures/tools/scan_scripts.py).
    static func scanScripts() async throws -> [String: (imports: [String], tools: [String], bypasses: [String])] {
        var scripts = Set<String>()
        for file in swiftTestFiles() { scripts.formUnion(LaunchScan.scripts(in: try read(file))) }
        let root = repository + "/Tests"
        let python = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".py") }
        scripts.formUnion(python.map { "Tests/" + $0 })
        let missing = scripts.filter { !FileManager.default.fileExists(atPath: repository + "/" + $0) }
        #expect(missing.isEmpty, "tests name scripts that do not exist: \(missing.sorted())")
        let run = try await runCommand(Tool.python(), [repository + "/Tests/Fixtures/tools/scan_scripts.py", repository]
                                 + scripts.subtracting(missing).sorted().map { repository + "/" + $0 })
        try #require(run.status == 0, "scan_scripts.py: \(run.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: [String: [String]]])
        return json.mapValues { ($0["imports"] ?? [], $0["tools"] ?? [], $0["bypasses"] ?? []) }
    }

    @Test func theListIsWellFormedAndNamesEachThingOnce() throws {
        let entries = try ToolList.entries()
        #expect(entries.count >= 20)
        var seen = Set<String>()
        for e in entries {
            #expect(seen.insert("\(e.kind) \(e.name)").inserted, "\(e.name) is listed twice")
            #expect(!e.purpose.isEmpty, "\(e.name): say what uses it")
            if e.kind == .module { #expect(e.pipPackage != nil, "module \(e.name) must come from pip") }
        }
        #expect(entries.contains { $0.name == "python" && $0.scope == "test" && $0.source == "venv" })
        #expect(throws: ToolError.self) { try ToolList.parse("test program\n") }
        #expect(throws: ToolError.self) { try ToolList.parse("tests program wrk apt:wrk load\n") }
    }

    @Test func noTestStartsAProgramExceptThroughTheHelper() throws {
        var findings: [LaunchScan.Finding] = []
        for file in Self.swiftTestFiles() where file != LaunchScan.launcherFile {
            findings += LaunchScan.bypasses(in: try Self.read(file), file: file)
        }
        #expect(findings.isEmpty, "\(findings.map(\.description).joined(separator: "\n"))")
    }

    @Test func everyProgramATestOrAFixtureRunsIsListedForTests() async throws {
        let listed = Set(try Self.testEntries(.program).map(\.name))
        var named: [String: Set<String>] = [:]
        for file in Self.swiftTestFiles() {
            for name in LaunchScan.toolNames(in: try Self.read(file)) { named[name, default: []].insert(file) }
        }
        let scripts = try await Self.scanScripts()
        #expect(scripts.count >= 15, "the scan saw too few scripts: \(scripts.keys.sorted())")
        for (file, report) in scripts {
            for name in report.tools { named[name, default: []].insert(file) }
            #expect(report.bypasses.isEmpty, "\(file) starts programs without tool():\n\(report.bypasses.joined(separator: "\n"))")
        }
        // The programs this suite knows the tests run; a name falling out of the scan is a bug in the scan.
        #expect(named.keys.filter { ["mosquitto", "wrk", "openssl", "sqlite3", "chromium", "mosquitto_pub"].contains($0) }.count == 6)
        let unlisted = named.filter { !listed.contains($0.key) }
        let where_ = unlisted.map { "\($0.key) in \($0.value.sorted().joined(separator: ", "))" }.sorted().joined(separator: "; ")
        #expect(unlisted.isEmpty, "not on Tests/tools.list for tests (make test would not install them): \(where_)")
    }

    @Test func fixtureScriptsImportOnlyListedModules() async throws {
        let listed = Set(try Self.testEntries(.module).map(\.name))
        var imported: [String: Set<String>] = [:]
        for (file, report) in try await Self.scanScripts() {
            for module in report.imports { imported[module, default: []].insert(file) }
        }
        #expect(imported.keys.contains("pycanon") && imported.keys.contains("selenium"), "the scan missed known imports: \(imported.keys.sorted())")
        let unlisted = imported.filter { !listed.contains($0.key) }
        let where_ = unlisted.map { "\($0.key) in \($0.value.sorted().joined(separator: ", "))" }.sorted().joined(separator: "; ")
        #expect(unlisted.isEmpty, "imported but not on Tests/tools.list as a test module: \(where_)")
    }

    /// `scripts/setup` (what `make test` runs, without --bench) installs the package of every
    /// `apt:` program of scope test, and that package really holds the program.
    @Test func setupInstallsEveryProgramOnTheList() async throws {
        let printed = try await runCommand(Tool.repositoryScript("scripts/setup"), ["--print"])
        try #require(printed.status == 0, "\(printed.error)")
        let packages = Set(printed.output.split(separator: "\n").map(String.init))
        for entry in try Self.testEntries(.program) {
            guard let package = entry.aptPackage else { continue }
            #expect(packages.contains(package), "scripts/setup does not install \(package), which gives \(entry.name)")
            let files = try #require(Self.installedFiles(package), "\(package) is not installed: run scripts/setup (make test does)")
            #expect(files.contains { $0.hasSuffix("bin/" + entry.name) }, "the Debian package \(package) holds no program \(entry.name)")
        }
        // Bench programs are not what make test installs: the list decides, not this machine.
        let bench = try ToolList.entries().filter { $0.scope == "bench" }.compactMap(\.aptPackage)
        let testPackages = Set(try Self.testEntries(.program).compactMap(\.aptPackage))
        for package in bench where !testPackages.contains(package) { #expect(!packages.contains(package), "\(package)") }
        let withBench = try await runCommand(Tool.repositoryScript("scripts/setup"), ["--print", "--bench"])
        #expect(Set(bench).isSubset(of: Set(withBench.output.split(separator: "\n").map(String.init))))
    }

    /// `make venv-test` (scripts/venv test) installs every `pip:` package of scope test, and each
    /// module imports and each program runs from the .venv.
    @Test func venvTestInstallsEveryModuleTheFixturesImport() async throws {
        let makefile = try Self.read("Makefile")
        #expect(makefile.contains("venv-test: setup\n\t@scripts/venv test\n"), "make venv-test runs scripts/venv test")
        let printed = try await runCommand(Tool.repositoryScript("scripts/venv"), ["--print", "test"])
        try #require(printed.status == 0, "\(printed.error)")
        let packages = Set(printed.output.split(separator: "\n").map(String.init))
        for entry in try ToolList.entries() where entry.scope == "test" {
            guard let package = entry.pipPackage else { continue }
            #expect(packages.contains(package), "scripts/venv test does not install \(package)")
        }
        let modules = try Self.testEntries(.module).map(\.name)
        let check = try await runCommand(Tool.python(), ["-c", "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)"] + modules)
        #expect(check.status == 0, "a listed module does not import from .venv (run make venv-test): \(check.error)")
        for entry in try Self.testEntries(.program) where entry.pipPackage != nil {
            do { _ = try Tool(entry.name) } catch { Issue.record("\(error)") }
        }
    }

    @Test func theHelpersRefuseWhatIsNotListedForTests() async throws {
        let bench = #expect(throws: ToolError.self) { try Tool("nginx") }
        #expect(bench?.description.contains("for bench, not for tests") == true, "\(bench?.description ?? "")")
        let unknown = #expect(throws: ToolError.self) { try Tool("no-such-program") }
        #expect(unknown?.description.contains("not on Tests/tools.list") == true)
        #expect(try Tool("mosquitto").path.hasSuffix("/mosquitto"))
        // The fixture scripts' helper, under the scope a test gives its children.
        let python = try Tool.python()
        let code = "import sys; sys.path.insert(0, sys.argv[1]); from tools import tool; print(tool(sys.argv[2]))"
        let support = Self.repository + "/Tests/TestSupport"
        let refused = try await runCommand(python, ["-c", code, support, "nginx"])
        #expect(refused.status != 0 && refused.error.contains("not for test"), "\(refused.error)")
        let found = try await runCommand(python, ["-c", code, support, "wrk"])
        #expect(found.status == 0 && found.output.hasSuffix("/wrk\n"), "\(found.output) \(found.error)")
    }

    /// The scans can fail: a test that starts an unlisted program, every kind of bypass.
    @Test func theScansCatchALaunchThatBypassesTheList() async throws {
        let swift = """
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
            try await runCommand(Tool("nginx"), ["-t"])
            _ = posix_spawn(&pid, path, nil, nil, argv, nil)
            // Process() in a comment, and "/usr/bin/x" in one, are fine
            let url = "http://example.org//usr/bin"
            """
        let findings = LaunchScan.bypasses(in: swift, file: "Sample.swift")
        #expect(findings.map(\.line) == [1, 2, 2, 4], "\(findings)")
        #expect(LaunchScan.toolNames(in: swift) == ["nginx"])

        let dir = NSTemporaryDirectory() + "lantaarn-toolscan-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            import os, shutil, subprocess
            import numpy
            from tools import tool
            subprocess.run(["nginx", "-t"])
            subprocess.Popen(["sqlite3"] + ["x"])
            os.system("wrk")
            shutil.which("perf")
            subprocess.run([tool("wrk"), "-t2"])
            EXE = "/usr/bin/influxd"
            """.write(toFile: dir + "/sample.py", atomically: true, encoding: .utf8)
        let run = try await runCommand(Tool.python(), [Self.repository + "/Tests/Fixtures/tools/scan_scripts.py", Self.repository, dir + "/sample.py"])
        let json = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: [String: [String]]]
        let report = try #require(json?.first { $0.key.hasSuffix("/sample.py") }?.value, "\(run.output) \(run.error)")
        #expect(report["bypasses"]?.count == 5, "\(report)")
        #expect(report["tools"] == ["wrk"])
        #expect(report["imports"] == ["numpy"])
    }

    /// The files a Debian package installed (dpkg's own record), or nil when it is not installed.
    static func installedFiles(_ package: String) -> [String]? {
        let info = "/var/lib/dpkg/info/"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: info)) ?? []
        guard let list = names.first(where: { $0 == package + ".list" || ($0.hasPrefix(package + ":") && $0.hasSuffix(".list")) }),
              let text = try? String(contentsOfFile: info + list, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").map(String.init)
    }
}
