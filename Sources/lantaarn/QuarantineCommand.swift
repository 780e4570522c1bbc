import ArgumentParser
import Foundation
import Ingest
import LantaarnModel
import Store

/// `lantaarn quarantine list|show|replay`: what was rejected and why, one message in full,
/// and a replay after the registry was fixed.
struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Inspect and replay rejected messages.", subcommands: [List.self, Show.self, Replay.self, Corrections.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantined messages, newest first, with their reason (never the payload).")
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "How many entries to show.")
        var limit: Int = 50

        func run() async throws {
            let settings = try common.settings()
            let store = try StoreBackend.open(settings)
            let entries = try store.readings.quarantine(limit: limit)
            if entries.isEmpty { Console.line("quarantine is empty") }
            for e in entries {
                Console.line("\(e.id ?? 0)\t\(ISO8601.format(milliseconds: e.receivedAt))\t\(e.source)\t\(e.origin)\t\(e.reason)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one quarantined message with its raw payload (for the data team only).")
        @OptionGroup var common: CommonOptions

        @Argument(help: "The entry id from `quarantine list`.")
        var id: Int64

        func run() async throws {
            let settings = try common.settings()
            let store = try StoreBackend.open(settings)
            guard let e = try store.readings.quarantineEntry(id: id) else {
                throw CLIError("quarantine entry \(id) does not exist; `lantaarn quarantine list` shows the ids")
            }
            Console.line("id:          \(id)")
            Console.line("received:    \(ISO8601.format(milliseconds: e.receivedAt))")
            Console.line("source:      \(e.source)")
            Console.line("origin:      \(e.origin)")
            Console.line("sensor:      \(e.sensorID ?? "unknown")")
            if let v = e.value { Console.line("value:       \(v.field) at \(ISO8601.format(milliseconds: v.timestamp))") }
            Console.line("reason:      \(e.reason)")
            if let text = String(validating: e.payload, as: UTF8.self) {
                Console.line("payload (\(e.payload.count) bytes):\n\(text)")
            } else {
                Console.line("payload (\(e.payload.count) bytes, not UTF-8, hex):\n\(e.payload.map { String(format: "%02x", $0) }.joined())")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate quarantined messages again against the current Sensors/ and store what passes now.",
            discussion: """
                Safe while `serve` runs. A reading that conflicts with a stored value is left alone (the stored value \
                stays) unless --replace is given: then its value replaces the stored one, and the correction is \
                recorded with --note (see `lantaarn quarantine corrections`). Published windows it changes are \
                computed again.
                """)
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "Only this sensor's entries.")
        var sensor: String?

        @Option(name: .long, help: "Only this entry (repeat for more); ids from `quarantine list`.")
        var id: [Int64] = []

        @Flag(name: .long, help: "Apply conflicting readings: their value replaces the stored one (needs --note).")
        var replace = false

        @Option(name: .long, help: "Why the new values are right, kept with each correction (with --replace).")
        var note: String?

        @Flag(name: .long, help: "Report what would happen without changing anything.")
        var dryRun = false

        func validate() throws {
            if replace && (note ?? "").trimmingSpaces().isEmpty {
                throw ValidationError("--replace changes stored values: give --note 'why the new values are right' (it is kept with each correction)")
            }
            if note != nil && !replace { throw ValidationError("--note goes with --replace") }
        }

        func run() async throws {
            let settings = try common.settings()
            let runtime = try Runtime(settings: settings)
            let replay = QuarantineReplay(store: runtime.store.readings, validator: try runtime.validator())
            let selection = QuarantineReplay.Selection(sensor: sensor, ids: id.isEmpty ? nil : Set(id),
                                                       replace: replace ? note?.trimmingSpaces() : nil)
            let target = sensor.map { "sensor \($0)" } ?? (id.isEmpty ? "all" : "entries \(id.map(String.init).joined(separator: ","))")
            let run = { try replay.run(selection, dryRun: dryRun) { n in Console.progress("quarantine replay: \(n) entries examined") } }
            // A dry run changes nothing and is not a staff action on the data.
            let report = try dryRun ? run() : runtime.store.audited("quarantine.replay", target: target,
                                                                    detail: replace ? "replace stored values" : "", run)
            let verb = dryRun ? "would be" : "were"
            Console.line("""
                quarantine replay\(dryRun ? " (dry run)" : ""): \(report.examined) entries examined; \(report.resolved) \(verb) resolved \
                (\(report.readingsStored) readings stored, \(report.corrected) stored values replaced), \(report.stillRejected) still rejected, \
                \(report.conflictsKept) conflicts with stored values kept for review\(report.conflictsKept > 0 ? " (--replace applies them)" : "")
                """)
        }
    }

    struct Corrections: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored values replaced with `quarantine replay --replace`, newest first.")
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "How many corrections to show.")
        var limit: Int = 50

        func run() async throws {
            let settings = try common.settings()
            let store = try StoreBackend.open(settings)
            let corrections = try store.readings.corrections(limit: limit)
            if corrections.isEmpty { Console.line("no corrections") }
            for c in corrections {
                Console.line("\(c.id)\t\(ISO8601.format(milliseconds: c.correctedAt))\t\(c.series)\tat \(ISO8601.format(milliseconds: c.timestamp))\t\(c.oldValue) -> \(c.newValue)\t\(c.note)")
            }
        }
    }
}
