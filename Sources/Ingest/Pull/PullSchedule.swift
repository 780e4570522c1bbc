import Foundation
import Logging
import ServiceLifecycle

/// The scheduled pulls of `serve` (`ingest: pulls:` in lantaarn.yaml): each source is pulled
/// at start and then every `every`; a failure is logged and retried at the next turn.
public final class PullSchedule: Service, Sendable {
    public struct Source: Sendable, Equatable {
        public var url: String
        /// Milliseconds between pulls.
        public var every: Int64
        public init(url: String, every: Int64) {
            self.url = url
            self.every = every
        }
    }

    private let sources: [Source]
    private let pull: HTTPPull
    private let logger: Logger

    public init(sources: [Source], pull: HTTPPull, logger: Logger) {
        self.sources = sources
        self.pull = pull
        self.logger = logger
    }

    public func run() async throws {
        guard !sources.isEmpty else {
            try? await gracefulShutdown()   // nothing to pull; a service that returns would stop serve
            return
        }
        var due = [Int64](repeating: 0, count: sources.count)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for (k, source) in sources.enumerated() where now >= due[k] {
                due[k] = now + source.every
                await onOwnThread { self.run(source) }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func run(_ source: Source) {
        let url = HTTPFetcher.redacted(source.url)
        do {
            switch try pull.pull(source.url) {
            case .notModified:
                logger.info("pull: not modified", metadata: ["pull.url": "\(url)"])
            case .loaded(let report):
                logger.info("pull: loaded", metadata: ["pull.url": "\(url)", "pull.rows": "\(report.rows)",
                                                      "pull.readings": "\(report.readings)", "pull.quarantined": "\(report.quarantined)",
                                                      "pull.already_loaded": "\(report.alreadyLoaded != nil)"])
            }
        } catch {
            logger.error("pull failed; retrying at the next turn", metadata: ["pull.url": "\(url)", "error": "\(error)"])
        }
    }
}
