import Logging
import Server

/// Bootstraps swift-log once, to stderr, one line per event (``LogLineHandler``). Only the
/// executable does this.
enum LoggingSetup {
    // Written only from the main task before any service starts; never concurrently.
    nonisolated(unsafe) private static var done = false

    static func bootstrap(level text: String) {
        guard !done else { return }
        done = true
        let level = Logger.Level(rawValue: text.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LogLineHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
