#if canImport(Glibc)
import Glibc
#endif
import LantaarnModel
import Logging

/// Every log event as one line, written with one `write(2)` to a file descriptor (standard error
/// by default):
///
///     2026-12-07T23:36:29.123Z info lantaarn: client=127.0.0.0 method=GET ms=0 path=/datasets status=200 [Server] http
///
/// The layout of swift-log's `StreamLogHandler` (metadata sorted by key, the module in brackets),
/// with the time in UTC. The access log writes a line per request, cached pages included, and
/// there `StreamLogHandler` cost about a tenth of the server's CPU: its `localtime` looks up
/// `/etc/localtime` on every call (a `stat` each), and it prettifies through `String(describing:)`.
/// UTC also makes lines of several nodes comparable without knowing each one's zone.
public struct LogLineHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    /// Formatted when an event is logged, not when set: the server sets a request id on every
    /// request's logger, and most of those loggers never log.
    public var metadata: Logger.Metadata = [:]

    private let label: String
    private let fileDescriptor: Int32

    public init(label: String, fileDescriptor: Int32 = 2, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.fileDescriptor = fileDescriptor
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Self.now()
        line += " "
        line += event.level.rawValue
        if !label.isEmpty {
            line += " "
            line += label
        }
        line += ":"
        let formatted = Self.format(effectiveMetadata(event))
        if !formatted.isEmpty {
            line += " "
            line += formatted
        }
        line += " ["
        line += event.source
        line += "] "
        line += event.message.description
        line += "\n"
        Self.write(line, to: fileDescriptor)
    }

    /// The handler's metadata with the provider's, the event's and its error's merged over it
    /// (merged only when two of them have any).
    private func effectiveMetadata(_ event: LogEvent) -> Logger.Metadata {
        let provided = metadataProvider?.get() ?? [:]
        let explicit = event.metadata ?? [:]
        if event.error == nil {
            if provided.isEmpty && explicit.isEmpty { return metadata }
            if provided.isEmpty && metadata.isEmpty { return explicit }
        }
        var merged = metadata
        merged.merge(provided) { _, new in new }
        merged.merge(explicit) { _, new in new }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged
    }

    /// `key=value` pairs sorted by key, separated by spaces.
    static func format(_ metadata: Logger.Metadata) -> String {
        var out = ""
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            if !out.isEmpty { out += " " }
            out += key
            out += "="
            out += value.description
        }
        return out
    }

    /// The current time, UTC, to the millisecond.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return ISO8601.format(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec / 1_000_000))
    }

    /// The whole line in one `write(2)`, so lines from several threads never interleave (as with
    /// `StreamLogHandler`'s locked `fwrite` to unbuffered stderr); the rest is written again after
    /// a short write or EINTR, and the line dropped on any other error (a log line must never stop
    /// the server).
    static func write(_ line: String, to fileDescriptor: Int32) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
