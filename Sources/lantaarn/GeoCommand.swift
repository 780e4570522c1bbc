import ArgumentParser
import Foundation
import Geo
import Ingest
import LantaarnModel
import Store

/// `lantaarn geo import|locate|list`: CBS boundary sets with their vintages.
struct GeoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geo", abstract: "CBS gemeente, wijk and buurt boundaries, per vintage.",
        subcommands: [Import.self, Locate.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a GeoJSON or TopoJSON boundary file (WGS84 or RD New) as one level and vintage.",
            discussion: """
            Code and name fields are found automatically (statcode, wijkcode, WK_CODE, cbsCode, code, ...). \
            Local numbers such as "01" become CBS codes with --gemeente (GM0392 + 01 = WK039201). \
            Stored readings keep the wijk they were assigned unless --reassign is given.
            """)
        @OptionGroup var common: CommonOptions
        @Argument(help: "GeoJSON or TopoJSON file.") var file: String
        @Option(name: .long, help: "gemeente, wijk or buurt.") var level: String
        @Option(name: .long, help: "Year the boundaries are valid from (1 January, UTC).") var vintage: Int
        @Option(name: .long, help: "Property holding the area code (default: detected).") var codeField: String?
        @Option(name: .long, help: "Property holding the area name (default: detected).") var nameField: String?
        @Option(name: .long, help: "Gemeente code, e.g. GM0392, for files with local numbers such as \"01\".") var gemeente: String?
        @Option(name: .long, help: "TopoJSON object to read when the file holds several.") var object: String?
        @Flag(name: .long, help: "Move stored readings dated in this vintage's period to the wijken of these boundaries.")
        var reassign = false

        func validate() throws {
            guard AreaLevel(rawValue: level) != nil else { throw ValidationError("--level must be gemeente, wijk or buurt") }
            guard (1900...2200).contains(vintage) else { throw ValidationError("--vintage must be a year such as 2024") }
        }

        func run() async throws {
            let settings = try common.settings()
            let level = AreaLevel(rawValue: level)!
            let bytes: [UInt8]
            do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) } catch {
                throw CLIError("\(file): cannot read the file: \(error.localizedDescription)")
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let importer = BoundaryImporter(level: level, vintage: vintage, codeField: codeField, nameField: nameField,
                                            gemeente: gemeente, object: object)
            let (set, report) = try importer.read(bytes, source: file)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let store = try StoreBackend.open(settings)
            let replaced = try store.boundaries.saveBoundarySet(StoredBoundarySet(set, report: report, sha256: SHA256.hex(bytes),
                                                                       importedAt: Clock.nowMilliseconds()))
            Console.line(report.description)
            Console.line(String(format: "  read, checked and indexed in %.2f s; %@ \(level.rawValue) \(vintage)",
                                seconds, replaced ? "replaced the stored" : "stored as"))
            guard level != .gemeente else { return }
            try history(settings: settings, boundaries: store.boundaries, readings: store.readings, level: level)
        }

        /// Readings dated in this vintage's period whose wijk or buurt changes: moved with --reassign, else counted and left alone.
        private func history(settings: Settings, boundaries: any BoundaryStore, readings: any ReadingReassignment,
                             level: AreaLevel) throws {
            let catalog = try Runtime.catalog(store: boundaries, settings: settings)
            guard let list = catalog.sets[level], let index = list.firstIndex(where: { $0.vintage == vintage }) else { return }
            let start = index == 0 ? Int64.min : BoundaryCatalog.start(ofVintage: vintage)
            let end = index + 1 < list.count ? BoundaryCatalog.start(ofVintage: list[index + 1].vintage) : Int64.max
            guard FileManager.default.fileExists(atPath: settings.sensorDirectory) else { return }
            let registry: SensorRegistry
            do { registry = try SensorRegistry.load(directory: settings.sensorDirectory, boundaries: catalog) } catch {
                Console.line("  stored readings not checked against the new boundaries: \(error)")
                return
            }
            // One move per place the sensor had in the period (it may have moved).
            let vintagePeriod = TimeWindow(start: start, end: end)
            let moves = registry.sensors.keys.sorted().flatMap { id in
                (registry.placeBySensor[id]?.spans(in: vintagePeriod) ?? [(vintagePeriod, PlaceTimeline.Place(wijk: nil))]).map { span in
                    WijkMove(sensorID: id, window: span.window, wijk: span.place.wijk, buurt: span.place.buurt)
                }
            }
            let day = { (ms: Int64) in String(ISO8601.format(milliseconds: ms).prefix(10)) }
            let period = switch (start == Int64.min, end == Int64.max) {
            case (true, true): "at any time"
            case (true, false): "before \(day(end))"
            case (false, true): "from \(day(start)) on"
            case (false, false): "from \(day(start)) to \(day(end))"
            }
            if reassign {
                let moved = try readings.reassignWijk(moves, vintage: vintage, now: Clock.nowMilliseconds(), dryRun: false) { done, total in
                    if done % 100 == 0 || done == total { Console.progress("  reassigning sensors: \(done)/\(total)") }
                }
                Console.line("  moved \(moved) stored readings dated \(period) to the \(level == .buurt ? "buurten" : "wijken") of these boundaries (logged in wijk_reassignment)")
            } else {
                let would = try readings.reassignWijk(moves, vintage: vintage, now: Clock.nowMilliseconds(), dryRun: true, progress: nil)
                if would > 0 {
                    Console.line("  \(would) stored readings dated \(period) keep the wijk and buurt they were assigned (history is not rewritten); import again with --reassign to move them")
                }
            }
        }
    }

    struct Locate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the gemeente, wijk and buurt of a point, with the boundaries valid at a date.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Latitude, WGS84 degrees (e.g. 52.3812).") var lat: Double
        @Argument(help: "Longitude, WGS84 degrees (e.g. 4.6368).") var lon: Double
        @Option(name: .long, help: "Date or time (ISO 8601) whose boundaries to use (default: now).") var at: String?

        func validate() throws {
            guard (-90...90).contains(lat), (-180...180).contains(lon) else {
                throw ValidationError("latitude must lie in -90...90 and longitude in -180...180")
            }
            if (3...8).contains(lat), (50...54).contains(lon) {
                throw ValidationError("\(lat) \(lon) looks like longitude latitude; give latitude first (e.g. 52.38 4.64)")
            }
            if let at, ISO8601.parse(at) == nil { throw ValidationError("--at must be an ISO 8601 date such as 2024-05-01") }
        }

        func run() async throws {
            let settings = try common.settings()
            let store = try StoreBackend.open(settings)
            let catalog = try Runtime.catalog(store: store.boundaries, settings: settings)
            let when = at.flatMap(ISO8601.parse) ?? Clock.nowMilliseconds()
            let result = catalog.assign(GeoPoint(lon: lon, lat: lat), at: when)
            Console.line("\(lat), \(lon) on \(ISO8601.format(milliseconds: when).prefix(10)):")
            for level in AreaLevel.allCases {
                let label = level.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                guard let match = result[level] else {
                    Console.line("  \(label) -          (no \(level.rawValue) boundaries imported)")
                    continue
                }
                guard let code = match.code else {
                    Console.line("  \(label) unknown    (outside every \(level.rawValue) of \(match.vintage))")
                    continue
                }
                let source = match.derived ? "from the code of a finer level, \(match.vintage)" : "\(level.rawValue) \(match.vintage)"
                Console.line("  \(label) \(code.padding(toLength: 10, withPad: " ", startingAt: 0)) \(match.name ?? "")  (\(source))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the imported boundary sets and when each is in force.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let store = try StoreBackend.open(settings)
            let stored = try store.boundaries.boundarySets()
            if stored.isEmpty {
                Console.line("no boundaries imported; using \(settings.boundaryFile ?? "the bundled Haarlem wijken 2020") (import with 'lantaarn geo import')")
            }
            for s in stored {
                Console.line("\(s.level) \(s.vintage)\t\(s.areas.count) areas\tin force from \(s.vintage)-01-01\t\(s.source)\timported \(ISO8601.format(milliseconds: s.importedAt))")
            }
        }
    }
}
