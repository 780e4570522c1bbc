import Foundation
import LantaarnModel
import Logging
import ServiceLifecycle

/// The inbox folder `serve` watches (`data/inbox/`): drop a sensor archive or a meldingen
/// file in it and it is loaded like `lantaarn ingest FILE` (meldingen: the format is
/// recognised from the content).
///
/// - A file is taken once its size and modification time have not changed for one scan
///   (writers should still copy under a name starting with `.` or ending in `.part`, and
///   rename when done; such names are skipped).
/// - Loaded files move to `inbox/loaded/`; a file that cannot be loaded at all (unknown
///   format, unreadable) moves to `inbox/failed/` with a `NAME.reason.txt` beside it.
///   Bad rows of a loaded file are in quarantine, as with `lantaarn ingest`.
/// - A loaded meldingen file is deleted, not kept: it holds reporters' personal data, and
///   Lantaarn keeps its minimised form only. A meldingen file that fails moves to `failed/`
///   for the data team to fix or delete.
public final class Inbox: Service, Sendable {
    public let folder: String
    private let ingest: FileIngest
    private let meldingen: MeldingIngest?
    private let logger: Logger
    private let interval: Duration
    private let seen = SeenFiles()

    public init(folder: String, ingest: FileIngest, meldingen: MeldingIngest? = nil, logger: Logger,
                interval: Duration = .seconds(2)) throws {
        self.folder = folder
        self.ingest = ingest
        self.meldingen = meldingen
        self.logger = logger
        self.interval = interval
        for sub in ["", "/loaded", "/failed"] {
            try FileManager.default.createDirectory(atPath: folder + sub, withIntermediateDirectories: true)
        }
    }

    public func run() async throws {
        logger.info("watching the inbox", metadata: ["inbox.folder": "\(folder)"])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = await onOwnThread { self.scan() }
            try? await Task.sleep(for: interval)
        }
    }

    /// One pass: loads every file that has stopped changing since the previous pass.
    /// Returns the names it handled.
    @discardableResult
    public func scan() -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        var handled: [String] = []
        var current: [String: String] = [:]
        for name in names where !name.hasPrefix(".") && !name.hasSuffix(".part") && !name.hasSuffix(".tmp") {
            let path = folder + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let signature = "\(attributes[.size] ?? 0)|\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
            current[name] = signature
            guard seen.previous(name) == signature else { continue }   // still being written, or new
            load(name)
            current[name] = nil
            handled.append(name)
        }
        seen.replace(with: current)
        return handled
    }

    private func load(_ name: String) {
        let path = folder + "/" + name
        let started = ContinuousClock.now
        do {
            if let meldingen, let head = FileHandle(forReadingAtPath: path).map({ h in defer { try? h.close() }; return h.readData(ofLength: 4096) }),
               let format = MeldingFormat.detect(head) {
                let report = try meldingen.ingest(path: path, format: format)
                try? FileManager.default.removeItem(atPath: path)
                logger.info("inbox: meldingen file loaded and deleted", metadata: [
                    "inbox.file": "\(name)", "inbox.format": "\(report.format)", "inbox.meldingen": "\(report.meldingen)",
                    "inbox.unmapped_categories": "\(report.unmapped.values.reduce(0, +))", "inbox.without_wijk": "\(report.withoutWijk)",
                ])
                return
            }
            var lastLog = ContinuousClock.now
            let report = try ingest.ingest(path: path) { done, total, rows in
                guard ContinuousClock.now - lastLog > .seconds(5) else { return }
                lastLog = .now
                self.logger.info("inbox: loading", metadata: ["inbox.file": "\(name)", "inbox.percent": "\(total > 0 ? done * 100 / total : 100)",
                                                               "inbox.rows": "\(rows)"])
            }
            move(name, to: "loaded")
            if let done = report.alreadyLoaded {
                logger.info("inbox: file was loaded before; skipped",
                            metadata: ["inbox.file": "\(name)", "inbox.loaded_at": "\(ISO8601.format(milliseconds: done.completedAt))"])
            } else {
                logger.info("inbox: file loaded", metadata: [
                    "inbox.file": "\(name)", "inbox.format": "\(report.format)", "inbox.rows": "\(report.rows)",
                    "inbox.readings": "\(report.readings)", "inbox.quarantined": "\(report.quarantined)",
                    "inbox.seconds": "\((ContinuousClock.now - started).components.seconds)",
                ])
            }
        } catch {
            // The reason first: whoever sees the file in failed/ finds its reason beside it.
            try? "\(error)\n".write(toFile: folder + "/failed/" + name + ".reason.txt", atomically: true, encoding: .utf8)
            move(name, to: "failed")
            logger.error("inbox: file not loaded; moved to inbox/failed", metadata: ["inbox.file": "\(name)", "error": "\(error)"])
        }
    }

    private func move(_ name: String, to sub: String) {
        let target = folder + "/" + sub + "/" + name
        try? FileManager.default.removeItem(atPath: target)   // a newer copy of the same name replaces the old one
        do {
            try FileManager.default.moveItem(atPath: folder + "/" + name, toPath: target)
        } catch {
            logger.error("inbox: cannot move the file", metadata: ["inbox.file": "\(name)", "error": "\(error)"])
        }
    }
}

/// Size and modification time of each file at the previous scan.
private final class SeenFiles: @unchecked Sendable {   // used by the inbox's own task only
    private var signatures: [String: String] = [:]
    func previous(_ name: String) -> String? { signatures[name] }
    func replace(with current: [String: String]) { signatures = current }
}
