import ArgumentParser
import Foundation
import Ingest
import LantaarnModel
import Pipelines

/// `lantaarn ingest FILE...` loads sensor archives; `lantaarn ingest drain` commits
/// everything in an ingest log to the store, then exits.
///
/// `drain` replays raw input after a codec or registry fix, and recovers a data directory
/// without starting the subscriber. It takes the log's writer lock, so it refuses to run
/// next to a `serve` on the same data directory.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Load sensor archive files, or work with the ingest log.",
        subcommands: [Files.self, Drain.self], defaultSubcommand: Files.self)

    struct Files: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "files",
            abstract: "Load Sensor.Community archive CSVs, Lantaarn NDJSON or SenML, or meldingen with --format (lantaarn ingest FILE|URL...).",
            discussion: "A file loaded completely before (same SHA-256) is skipped; an interrupted load resumes. A URL is fetched with If-None-Match/If-Modified-Since, so an unchanged source is not downloaded again. Meldingen files load whole or not at all. Safe while `serve` runs.")
        @OptionGroup var common: CommonOptions

        @Argument(help: "Files to load, or http(s):// URLs to pull and load.")
        var files: [String]

        @Option(name: .long, help: "Seconds a pull may take in all (connecting: at most 10 s).")
        var timeout = 300

        @Option(name: .long, help: "Meldingen openbare ruimte: open311, signalen or mor-ods; or anpr for camera sightings (plates are pseudonymised before storage).")
        var format: String?

        @Option(name: .long, help: "Signal id for a single Signalen body without one (a status or location update).")
        var id: String?

        func validate() throws {
            if let format, MeldingFormat(rawValue: format) == nil, format != "anpr" {
                throw ValidationError("--format must be open311, signalen, mor-ods or anpr")
            }
            if id != nil, format != MeldingFormat.signalen.rawValue { throw ValidationError("--id goes with --format signalen") }
        }

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.ingest")
            if format == "anpr" {
                let intake = try AnprIntake(store: runtime.store.anpr, keyring: try runtime.keyring(), pipelines: try runtime.pipelines())
                for file in files {
                    let report = try runtime.store.audited("ingest.anpr", target: (file as NSString).lastPathComponent) {
                        try intake.ingest(path: file) { done, total in
                            Console.progress("\((file as NSString).lastPathComponent): \(done)/\(total) lines")
                        }
                    }
                    Console.line("\n" + report.description)
                }
                return
            }
            if let format = format.flatMap(MeldingFormat.init) {
                let meldingen = try runtime.meldingIngest()
                for file in files {
                    let report = try runtime.store.audited("ingest.meldingen", target: (file as NSString).lastPathComponent, detail: format.rawValue) {
                        try meldingen.ingest(path: file, format: format, id: id)
                    }
                    Console.line(report.description)
                }
                return
            }
            let ingest = FileIngest(store: runtime.store.readings, validator: try runtime.validator())
            let pull = HTTPPull(fetcher: HTTPFetcher(connectTimeout: min(10, timeout), totalTimeout: timeout), ingest: ingest,
                                dataDirectory: runtime.settings.dataDirectory)
            for source in files {
                let started = Date()
                let name = (source as NSString).lastPathComponent
                let progress: FileIngest.Progress = { done, total, rows in
                    let seconds = max(Date().timeIntervalSince(started), 0.001)
                    let rate = Double(done) / seconds
                    let eta = rate > 0 ? Double(total - done) / rate : 0
                    Console.progress("\(name): \(total > 0 ? done * 100 / total : 100)%  \(Int(Double(rows) / seconds)) rows/s  ETA \(Int(eta.rounded())) s")
                }
                // A load into the store by hand (often a backfill of sealed days) is a staff action.
                // The audit log keeps no secret: a URL without its password and query string.
                let target = HTTPFetcher.isPullable(source) ? String(HTTPFetcher.redacted(source).prefix { $0 != "?" }) : source
                let loaded = try runtime.store.audited("ingest.file", target: target, summary: { (r: FileIngest.Report?) in
                    r.map { "\($0.readings) readings stored (\($0.backfilled) into sealed days), \($0.quarantined) quarantined" } ?? "not modified"
                }) { () -> FileIngest.Report? in
                    guard HTTPFetcher.isPullable(source) else { return try ingest.ingest(path: source, progress: progress) }
                    switch try pull.pull(source, progress: progress) {
                    case .notModified: return nil
                    case .loaded(let r): return r
                    }
                }
                guard let report = loaded else {
                    Console.line("\(HTTPFetcher.redacted(source)): not modified since the last pull; nothing to do")
                    continue
                }
                if let done = report.alreadyLoaded {
                    Console.line("\(report.name): already loaded on \(ISO8601.format(milliseconds: done.completedAt)) (sha256 \(report.sha256.prefix(12))…); nothing to do")
                    continue
                }
                let resumed = report.resumedAt > 0 ? ", resumed at byte \(report.resumedAt)" : ""
                Console.line("\n\(report.name): \(report.format), \(report.rows) rows, \(report.readings) readings stored (\(report.backfilled) into sealed days), \(report.duplicates) duplicates, \(report.quarantined) quarantined (\(report.conflicts) conflicts)\(resumed)")
            }
        }
    }

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Commit every message in the ingest log to the store and exit (resumes at the committed offset).")
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "Folder in ingest-log/ of the log to drain (default: this node's MQTT log).")
        var source: String?

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.ingest")
            if let source {
                guard !source.isEmpty, !source.contains("/"), !source.hasPrefix("."),
                      FileManager.default.fileExists(atPath: runtime.settings.ingestLogDirectory(name: source)) else {
                    throw CLIError("--source: there is no ingest log '\(source.prefix(60))' in \(runtime.settings.ingestLogDirectory(name: "")); name one of its folders, like mqtt")
                }
            }
            let log = try MQTTIngestLog(settings: runtime.settings, name: source)
            let writer = log.writer, source = log.source
            let consumer = try IngestConsumer(source: source, logDirectory: log.directory, writer: writer, store: runtime.store.readings,
                                              validator: try runtime.validator(),
                                              logger: runtime.logger)
            var offset = try runtime.store.readings.committedOffset(source: source)
            try consumer.rememberCommitted(before: offset)   // a copy of a committed message is a duplicate here too
            let start = offset, end = writer.end
            while try consumer.step(from: &offset) > 0 {
                let done = end > start ? Double(offset - start) / Double(end - start) * 100 : 100
                Console.progress("ingest drain: \(Int(done))% (\(consumer.stats.snapshot.messages) messages)")
            }
            consumer.logQuarantines(now: Clock.nowMilliseconds(), flush: true)
            let s = consumer.stats.snapshot
            Console.line("\ningest drain: \(s.messages) messages, \(s.readings) readings committed, \(s.quarantined) quarantined")
        }
    }
}
