import Foundation

/// The external programs and Python modules Lantaarn's tests may use: `Tests/tools.list`, the
/// one list that `scripts/setup` and `scripts/venv` install from.
public enum ToolList {
    /// The repository root (from this file's location).
    public static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static let path = repository + "/Tests/tools.list"

    /// One line of the list.
    public struct Entry: Sendable, Equatable {
        public enum Kind: String, Sendable { case program, module }
        /// `test`, `bench`, `verify` or `fuzz`: what installs it and who may use it.
        public var scope: String
        public var kind: Kind
        /// The program's file name, or the module's import name.
        public var name: String
        /// `apt:PACKAGE`, `pip:PACKAGE` or `venv`.
        public var source: String
        public var purpose: String

        /// The Debian package, for an `apt:` entry.
        public var aptPackage: String? { source.hasPrefix("apt:") ? String(source.dropFirst(4)) : nil }
        /// The PyPI package, for a `pip:` entry.
        public var pipPackage: String? { source.hasPrefix("pip:") ? String(source.dropFirst(4)) : nil }
    }

    /// Every entry, in file order. A malformed line is an error naming its line number.
    public static func entries() throws -> [Entry] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ToolError("cannot read \(path): \(error)")
        }
        return try parse(text)
    }

    public static func parse(_ text: String) throws -> [Entry] {
        var out: [Entry] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: true).map(String.init)
            guard fields.count >= 4, let kind = Entry.Kind(rawValue: fields[1]),
                  ["test", "bench", "verify", "fuzz"].contains(fields[0]),
                  fields[3] == "venv" || fields[3].hasPrefix("apt:") || fields[3].hasPrefix("pip:") else {
                throw ToolError("Tests/tools.list line \(number + 1) is not 'SCOPE KIND NAME SOURCE PURPOSE' "
                    + "(scope test|bench|verify|fuzz, kind program|module, source apt:PKG|pip:PKG|venv): \(line)")
            }
            out.append(Entry(scope: fields[0], kind: kind, name: fields[2], source: fields[3],
                             purpose: fields.count > 4 ? fields[4].trimmingCharacters(in: .whitespaces) : ""))
        }
        return out
    }

    /// The entries tests may use (scope `test`), loaded once.
    static let forTests: Result<[Entry], ToolError> = {
        do { return .success(try entries().filter { $0.scope == "test" }) } catch let e as ToolError { return .failure(e) } catch {
            return .failure(ToolError("\(error)"))
        }
    }()
}

/// A program a test may start: an external one from `Tests/tools.list`, or one this package builds.
/// The process launchers in this module (`runCommand`, `ChildProcess`, `SignalableProcess`,
/// `runOffPool`) take only a `Tool`, and ToolListTests checks that no test starts a process any
/// other way.
public struct Tool: Sendable, CustomStringConvertible {
    public let name: String
    /// Absolute path of the executable.
    public let path: String

    /// The external program `name`, which must be on `Tests/tools.list` with scope `test`.
    /// Refuses any other name, and says what to do when the program is listed but not installed.
    public init(_ name: String) throws {
        let listed = try ToolList.forTests.get()
        guard let entry = listed.first(where: { $0.kind == .program && $0.name == name }) else {
            let elsewhere = (try? ToolList.entries())?.first { $0.kind == .program && $0.name == name }
            throw ToolError(elsewhere.map {
                "'\(name)' is on Tests/tools.list for \($0.scope), not for tests: `make test` does not install it. "
                    + "Move it to scope test (with the package that installs it) if a test needs it"
            } ?? "'\(name)' is not on Tests/tools.list: add it with scope test and the package that installs it, "
                + "so that `make test` installs it on a fresh machine")
        }
        self.name = name
        if entry.source == "venv" || entry.pipPackage != nil {
            let candidate = ToolList.repository + "/.venv/bin/" + name
            guard FileManager.default.isExecutableFile(atPath: candidate) else {
                throw ToolError("\(candidate) is missing: run `make venv-test` (make test does) to install \(entry.source == "venv" ? "the virtualenv" : entry.source)")
            }
            path = candidate
        } else {
            guard let found = Self.search(name) else {
                throw ToolError("'\(name)' is not installed: run scripts/setup (make test does), which installs \(entry.source.dropFirst(4))")
            }
            path = found
        }
    }

    /// A program this package builds (`lantaarn`, `lantaarn-verify`), next to the test bundle.
    /// `LANTAARN_BIN` overrides where `lantaarn` is.
    public static func built(_ name: String) -> Tool {
        if name == "lantaarn", let env = ProcessInfo.processInfo.environment["LANTAARN_BIN"] {
            return Tool(name: name, path: env)
        }
        return Tool(name: name, path: buildDirectory + "/" + name)
    }

    /// The folder the test bundle runs from (`.build/debug`), which holds the built executables.
    public static var buildDirectory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }

    /// A script of this repository (`scripts/setup`), run by its own `#!` line.
    public static func repositoryScript(_ path: String) -> Tool {
        Tool(name: (path as NSString).lastPathComponent, path: ToolList.repository + "/" + path)
    }

    /// The virtualenv's python, which runs every fixture script.
    public static func python() throws -> Tool { try Tool("python") }

    private init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    /// PATH first, then the sbin folders Debian puts daemons in (mosquitto), then PostgreSQL 15's
    /// own folder (initdb and pg_ctl are not on PATH in Debian's package).
    static func search(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init)
            + ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/lib/postgresql/15/bin"]
        return folders.lazy.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public var description: String { name }
}

public struct ToolError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
