import Foundation

/// Runs blocking work (a file load, a download) on a thread of its own, so it does not
/// hold one of the few threads of Swift's cooperative pool for seconds or minutes.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
