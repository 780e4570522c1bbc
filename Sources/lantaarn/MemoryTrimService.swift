#if canImport(Glibc)
import Glibc
#endif
import ServiceLifecycle

/// Hands the memory glibc's allocator keeps after frees back to the system, every `interval`,
/// inside `serve`. glibc gives busy threads arenas of their own (up to 8 per core) and an arena
/// keeps the pages of its own peak, so the resident heap can climb in steps while the live heap
/// stays flat: in a soak, heaptrack saw 13-22 MB live while RssAnon was above 40 MB
/// (RELIABILITY.md, "Soak"). `malloc_trim(0)` returns the free pages of every arena, not only
/// the top of the main heap.
struct MemoryTrimService: Service {
    var interval: Duration = .seconds(30)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                return
            }
            Self.trim()
        }
    }

    /// Returns free heap pages to the system; nothing to do where the C library has no
    /// `malloc_trim` (Glibc's Swift module leaves out `<malloc.h>`, so it is looked up once).
    static func trim() {
        _ = mallocTrim?(0)
    }

    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}

extension MemoryTrimService: CustomStringConvertible {
    var description: String { "MemoryTrimService" }
}
