import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child started with `posix_spawn`, an empty signal mask and default handlers.
///
/// Foundation's `Process` hands its children a mask that blocks SIGTERM, so a broker
/// started that way can only be killed, never stopped cleanly. mosquitto writes its
/// persistence file on SIGTERM, which the broker-restart test needs.
final class SignalableProcess: @unchecked Sendable {   // used from one test task only
    let pid: pid_t
    private var exited = false

    init(_ executable: String, _ arguments: [String], stderrFile: String) throws {
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

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw TestFailure("cannot start \(executable): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// Sends `signal` and waits up to `timeout` seconds for the exit; SIGKILL after that.
    /// Returns true when the process exited by itself within the timeout.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Double = 15) -> Bool {
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
