#if canImport(Glibc)
import Glibc
#endif

/// Human-facing output on stdout, flushed at once (a redirected stdout would
/// otherwise hold it until exit).
enum Console {
    static func line(_ text: String) {
        print(text)
        fflush(nil)   // nil flushes every stream; `stdout` is a C global Swift 6 treats as unsafe
    }

    /// Rewrites the current terminal line (progress bars); plain lines when not a terminal.
    static func progress(_ text: String) {
        if isatty(STDOUT_FILENO) != 0 {
            print("\r" + text, terminator: "")
        } else {
            print(text)
        }
        fflush(nil)   // nil flushes every stream; `stdout` is a C global Swift 6 treats as unsafe
    }
}
