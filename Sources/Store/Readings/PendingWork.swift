import Dispatch
import Synchronization

/// Work handed to another thread whose result the caller takes later, or that the caller runs
/// itself when no thread has started it yet: the appender's units of ``SeriesWork``
/// (``ReadingAppender/append(_:quarantined:source:)``). The work must not touch the database.
final class PendingWork<Result: Sendable>: @unchecked Sendable {
    private let work: @Sendable () -> Result
    private let claimed = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    // Written once by the thread that claimed the work, before `done` is signalled; read after
    // waiting for it.
    private var result: Result?

    init(on queue: DispatchQueue, _ work: @escaping @Sendable () -> Result) {
        self.work = work
        queue.async { self.run() }
    }

    /// Runs the work on the calling thread, unless a thread took it already.
    func run() {
        guard claimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        result = work()
        finished.store(true, ordering: .releasing)
        done.signal()
    }

    /// Whether the result is there.
    var isDone: Bool { finished.load(ordering: .acquiring) }

    /// The result (once): run here if no thread took the work, else waited for.
    func wait() -> Result {
        run()
        done.wait()
        return result.take()!
    }
}
