import ArgumentParser
import Ingest
import LantaarnModel

/// `lantaarn ingest drain`: commit everything in an ingest log to the store, then exit.
///
/// Used to replay raw input after a codec or registry fix, and to recover a data
/// directory without starting the subscriber. It takes the log's writer lock, so it
/// refuses to run next to a `serve` on the same data directory.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Work with the ingest log.", subcommands: [Drain.self])

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Commit every message in the ingest log to the store and exit (resumes at the committed offset).")
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "Ingest source whose log to drain.")
        var source: String = "mqtt"

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.ingest")
            let directory = runtime.settings.ingestLogDirectory(source: source)
            let writer = try IngestLogWriter(directory: directory)
            let consumer = try IngestConsumer(source: source, logDirectory: directory, writer: writer, store: runtime.store,
                                              validator: ReadingValidator(registry: try runtime.registry()),
                                              logger: runtime.logger)
            var offset = try runtime.store.committedOffset(source: source)
            let start = offset, end = writer.end
            while try consumer.step(from: &offset) > 0 {
                let done = end > start ? Double(offset - start) / Double(end - start) * 100 : 100
                Console.progress("ingest drain: \(Int(done))% (\(consumer.stats.snapshot.messages) messages)")
            }
            let s = consumer.stats.snapshot
            Console.line("\ningest drain: \(s.messages) messages, \(s.readings) readings committed, \(s.quarantined) quarantined")
        }
    }
}
