#if canImport(Glibc)
import Glibc
#endif

/// Makes sure SIGTERM and SIGINT can reach us.
///
/// A parent may start us with those signals blocked (Foundation's `Process` spawns
/// children from dispatch threads, which block every signal, and the mask is
/// inherited). A blocked SIGTERM would make graceful shutdown impossible.
enum SignalMask {
    static func unblockTermination() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
