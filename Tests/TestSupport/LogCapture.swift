import Logging
import Synchronization

/// A log handler that keeps every line in memory (message and metadata), for tests that check
/// what is logged, and what is not.
public final class LogCapture: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public var text: String { lines.withLock { $0.joined(separator: "\n") } }

    public func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        let fields = (metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withLock { $0.append("\(message) \(fields)") }
    }
}
