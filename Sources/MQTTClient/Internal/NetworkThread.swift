#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A joinable POSIX thread that runs one body until ``stop(_:)`` clears ``isRunning``.
final class NetworkThread: Sendable {
    typealias Body = @Sendable (NetworkThread) -> Void

    private let running = Atomic<Bool>(false)

    /// False once ``stop(_:)`` was called; the body checks it to end.
    var isRunning: Bool { running.load(ordering: .relaxed) }
    private let body: Body
    private let thread = Mutex<pthread_t?>(nil)

    init(_ body: @escaping Body) {
        self.body = body
    }

    func start() throws {
        running.store(true, ordering: .sequentiallyConsistent)
        let context = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { ctx in
            let me = Unmanaged<NetworkThread>.fromOpaque(ctx!).takeRetainedValue()
            NetworkThread.nameCurrentThread("mqtt-network")
            me.body(me)
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<NetworkThread>.fromOpaque(context).release()
            running.store(false, ordering: .sequentiallyConsistent)
            throw MQTTError.library(operation: "start the network thread", code: rc, message: String(cString: strerror(rc)))
        }
        thread.withLock { $0 = tid }
    }

    /// Names the calling thread for top, perf and /proc (`pthread_setname_np` is not
    /// exported to Swift; a new thread would otherwise carry its creator's name).
    private static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = name.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// Clears the flag, runs `wake` (e.g. a disconnect that ends a blocking wait), joins.
    func stop(_ wake: () -> Void) {
        running.store(false, ordering: .sequentiallyConsistent)
        wake()
        if let tid = thread.withLock({ t -> pthread_t? in defer { t = nil }; return t }) {
            pthread_join(tid, nil)
        }
    }
}
