import Foundation
#if canImport(Glibc)
import Glibc
#endif

// The only places a test starts a process. Each takes a `Tool`, so every program a test runs is
// on Tests/tools.list (or built by this package), and each child gets LANTAARN_TOOL_SCOPES=test,
// which makes the fixture scripts' own `tool()` (Tests/TestSupport/tools.py) refuse programs of
// other scopes.

/// The environment of a child: this process's, with `extra` and the tool scope of tests.
func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    for (k, v) in extra { env[k] = v }
    env["LANTAARN_TOOL_SCOPES"] = "test"
    return env
}

/// What a finished command left behind.
public struct CommandResult: Sendable {
    public var status: Int32
    public var output: String
    public var error: String
}

/// Runs `tool` to completion and returns its exit status, stdout and stderr. The wait happens on a
/// dispatch thread, never on Swift's cooperative pool: with two cores that pool has two threads,
/// and two tests blocked in a child's wait would stall every in-process server under test (in a
/// fresh-clone CI run, schemathesis and a JWKS fetch each timed out after 10 s that way).
@discardableResult
public func runCommand(_ tool: Tool, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) async throws -> CommandResult {
    try await offPool { try runCommandBlocking(tool, arguments, stdin: stdin, environment: environment) }
}

/// Runs `work` on a dispatch thread and returns its result, so blocking work leaves the pool free.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// `runCommand` for code that is not async (a process's deinit, a synchronous helper).
@discardableResult
public func runCommandBlocking(_ tool: Tool, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> CommandResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool.path)
    p.arguments = arguments
    p.environment = childEnvironment(environment)
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    if stdin != nil { p.standardInput = input }
    try p.run()
    // Read stderr on its own thread: a child that fills one pipe while we wait on the other would hang.
    let errData = Mutexed(Data())
    let errReader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    errReader.start()
    if let stdin {
        let writer = Thread {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    while !errReader.isFinished { usleep(1_000) }
    return CommandResult(status: p.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                         error: String(decoding: errData.get(), as: UTF8.self))
}

/// Runs `tool` to its end off the concurrency pool and returns its exit status and output
/// (stderr too when `mergingErrors`). It waits on a dispatch thread: blocking the pool, which a
/// server under test streams its bodies on, could starve the very response it waits for.
public func runOffPool(_ tool: Tool, _ arguments: [String], mergingErrors: Bool = false) async throws -> (status: Int32, output: Data) {
    try await offPool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool.path)
        p.arguments = arguments
        p.environment = childEnvironment()
        let pipe = Pipe()
        p.standardOutput = pipe
        if mergingErrors { p.standardError = pipe }
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, data)
    }
}

/// A child process the test owns and stops by PID.
public final class ChildProcess: @unchecked Sendable {   // Process is used from one test task only.
    public let process = Process()
    public let stdout = Pipe()
    /// The child's standard input, when started `withStdin` (otherwise it inherits the test's).
    public let stdin: Pipe?
    public let stderrFile: String

    public init(_ tool: Tool, _ arguments: [String], environment: [String: String] = [:], withStdin: Bool = false,
                stderrFile: String) throws {
        process.executableURL = URL(fileURLWithPath: tool.path)
        process.arguments = arguments
        process.environment = childEnvironment(environment)
        self.stderrFile = stderrFile
        _ = FileManager.default.createFile(atPath: stderrFile, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrFile)
        process.standardOutput = stdout
        stdin = withStdin ? Pipe() : nil
        if let stdin { process.standardInput = stdin }
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// Sends `signal` and waits for exit; SIGKILL after `timeout` seconds.
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 15) {
        guard process.isRunning else { return }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL); process.waitUntilExit() }
    }

    public var stderrText: String { (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? "" }

    deinit { stop(signal: SIGKILL, timeout: 1) }
}

/// A child started with `posix_spawn`, an empty signal mask and default handlers.
///
/// Foundation's `Process` hands its children a mask that blocks SIGTERM, so a broker
/// started that way can only be killed, never stopped cleanly. mosquitto writes its
/// persistence file on SIGTERM, which the broker-restart test needs.
public final class SignalableProcess: @unchecked Sendable {   // used from one test task only
    public let pid: pid_t
    private var exited = false

    public init(_ tool: Tool, _ arguments: [String], stderrFile: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([tool.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = childEnvironment().map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, tool.path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw ToolError("cannot start \(tool.path): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// Sends `signal` and waits up to `timeout` seconds for the exit; SIGKILL after that.
    /// Returns true when the process exited by itself within the timeout.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 15) -> Bool {
        guard !exited else { return true }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { exited = true; return true }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        exited = true
        return false
    }

    deinit { stop(signal: SIGKILL, timeout: 2) }
}

/// A value behind a lock, for a reader thread's result.
final class Mutexed<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ v: Value) { lock.lock(); value = v; lock.unlock() }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
}
