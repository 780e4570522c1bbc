import Foundation

/// A private PostgreSQL 15 cluster for one test: `initdb` into a temporary folder, the postmaster
/// on a free loopback port, stopped by its PID. PostgreSQL refuses to run as root
/// (CI runs as root), so both run as the `postgres` system user that Debian's package creates.
public final class PostgresServer: @unchecked Sendable {   // used from one test task only
    public let port: Int
    public let directory: String
    /// `postgresql://lantaarn@127.0.0.1:PORT/lantaarn`.
    public var url: String { "postgresql://lantaarn@127.0.0.1:\(port)/\(database)" }
    public let database = "lantaarn"
    private var stopped = false
    private var postmaster: SignalableProcess?

    /// A new primary cluster; with `standbyOf`, a streaming standby of that server instead
    /// (`pg_basebackup -R`: read-only until promoted). Tests run without fsync; a benchmark asks
    /// for `durable` (fsync and synchronous commit on, as in production) and its `settings`.
    public init(standbyOf primary: PostgresServer? = nil, durable: Bool = false, settings: [String: String] = [:]) throws {
        directory = NSTemporaryDirectory() + "lantaarn-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = freeLoopbackPort()
        let runuser = try Tool("runuser")
        // The cluster folder belongs to postgres; the temporary folder stays root's.
        try runChecked(try Tool("chown"), ["postgres", directory])
        if let primary {
            try runChecked(runuser, ["-u", "postgres", "--", try Tool("pg_basebackup").path, "-h", "127.0.0.1", "-p", "\(primary.port)",
                                     "-U", "lantaarn", "-D", directory + "/data", "-R", "--no-sync", "--checkpoint=fast"])
        } else {
            // A copy of one initdb'd cluster per test process: initdb takes seconds, and a test
            // blocked in it holds one of the test pool's two threads (the in-process servers of
            // other suites then wait).
            try FileManager.default.copyItem(atPath: try Self.template() + "/data", toPath: directory + "/data")
            try runChecked(try Tool("chown"), ["-R", "postgres", directory + "/data"])
        }
        // The postmaster in the foreground, started with posix_spawn: pg_ctl's daemon left
        // Foundation's Process waiting for a runuser that had long exited.
        var options = ["listen_addresses": "127.0.0.1", "fsync": durable ? "on" : "off"].merging(settings) { $1 }
        options["listen_addresses"] = "127.0.0.1"
        postmaster = try SignalableProcess(runuser, ["-u", "postgres", "--", try Tool("postgres").path, "-D", directory + "/data",
                                                     "-p", "\(port)", "-k", directory]
                                                    + options.sorted(by: { $0.key < $1.key }).flatMap { ["-c", "\($0.key)=\($0.value)"] },
                                           stderrFile: directory + "/log")
        guard waitUntilBlocking(timeout: 30, { isListening(port) }) else {
            throw ToolError("PostgreSQL did not start on port \(port): \((try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? "")")
        }
        if primary == nil { try runChecked(try Tool("createdb"), ["-h", "127.0.0.1", "-p", "\(port)", "-U", "lantaarn", database]) }
    }

    private static let templateLock = NSLock()
    nonisolated(unsafe) private static var templateDirectory: String?

    /// A cluster made once by `initdb` (as postgres) in this test process, copied for each server.
    private static func template() throws -> String {
        templateLock.lock()
        defer { templateLock.unlock() }
        if let templateDirectory { return templateDirectory }
        let directory = NSTemporaryDirectory() + "lantaarn-pg-template-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (tool, arguments) in [(try Tool("chown"), ["postgres", directory]),
                                  (try Tool("runuser"), ["-u", "postgres", "--", try Tool("initdb").path, "-D", directory + "/data", "-A", "trust",
                                                         "-U", "lantaarn", "--no-sync", "-E", "UTF8", "--locale", "C"])] {
            let result = try runCommandBlocking(tool, arguments)
            guard result.status == 0 else { throw ToolError("\(tool) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.error)\(result.output)") }
        }
        templateDirectory = directory
        return directory
    }

    /// Runs `sql` with `psql` as someone with direct access to the database would (tests that
    /// tamper with a store from outside); returns what it printed.
    @discardableResult
    public func psql(_ sql: String) throws -> String {
        let result = try runCommandBlocking(try Tool("psql"), ["-h", "127.0.0.1", "-p", "\(port)", "-U", "lantaarn", "-d", database,
                                                       "-v", "ON_ERROR_STOP=1", "-At", "-c", sql])
        guard result.status == 0 else { throw ToolError("psql failed (\(result.status)): \(result.error)") }
        return result.output
    }

    /// Stops the server at once, as a crash would (SIGQUIT: immediate shutdown), keeping its files.
    public func crash() {
        if let pid { kill(pid, SIGQUIT); _ = waitUntilBlocking(timeout: 20) { kill(pid, 0) != 0 } }
    }

    /// Promotes a standby to a primary that accepts writes (`pg_ctl promote`, waiting for it).
    public func promote() throws {
        try runChecked(try Tool("runuser"), ["-u", "postgres", "--", try Tool("pg_ctl").path, "-D", directory + "/data", "-w", "promote"])
    }

    /// The postmaster's PID (first line of `postmaster.pid`).
    public var pid: pid_t? {
        guard let text = try? String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return nil }
        return pid_t(line)
    }

    /// Stops the server by the postmaster's PID (fast shutdown) and removes its files.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        if let pid {
            kill(pid, SIGINT)
            _ = waitUntilBlocking(timeout: 20) { kill(pid, 0) != 0 }
        }
        postmaster?.stop(signal: SIGTERM, timeout: 5)
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }

    private func runChecked(_ tool: Tool, _ arguments: [String]) throws {
        let result = try runCommandBlocking(tool, arguments)
        guard result.status == 0 else {
            let log = (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? ""
            throw ToolError("\(tool) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.error)\(result.output)\(log)")
        }
    }
}
