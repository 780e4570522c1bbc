import Foundation
import Geo
import Ingest
import LantaarnModel
import Logging
import Pipelines
import Store

/// A generated history for demos, screenshots, the dashboard tests and benchmarks: readings of
/// every registered sensor (through the same validation as live ones), meldingen with
/// seasonality and handling times, and every readings and meldingen pipeline run over them, so
/// every dashboard has something to show. Deterministic for a given seed and end time.
struct DemoHistory {
    let runtime: Runtime
    /// Days of readings (one message per sensor every 5 minutes).
    var days = 8
    /// Weeks of meldingen (the forecast's backtest needs more than a year).
    var weeks = 104
    var seed: UInt64 = 2026
    /// Name of the meldingen file record that marks the history as loaded.
    static let marker = "demo-history"

    /// Whether the store already holds a generated or real history (then nothing is added).
    func isNeeded() throws -> Bool {
        try runtime.store.readings.readingCount() == 0 && runtime.store.meldingen.meldingFile(sha256: Self.marker) == nil
    }

    /// Generates and stores the history up to `now`, then runs the pipelines over it.
    func load(now: Int64, progress: (String) -> Void) throws {
        let registry = try runtime.registry()
        let readings = try loadReadings(registry: registry, now: now)
        progress("demo: \(readings) readings of \(registry.sensors.count) sensors over \(days) days")
        let meldingen = try loadMeldingen(now: now)
        progress("demo: \(meldingen) meldingen over \(weeks) weeks")
        let runner = runtime.runner()
        for pipeline in try runtime.pipelines().pipelines where pipeline.input != .anpr {
            let end = pipeline.calendar.floor(now)
            // Weekly meldingen pipelines: half a year of releases; the forecast: the last week only.
            let start: Int64
            if pipeline.predicts {
                start = pipeline.calendar.floor(end - 1)
            } else if pipeline.input == .meldingen {
                start = pipeline.calendar.floor(end - 26 * 7 * 86_400_000)
            } else {
                start = pipeline.calendar.floor(now - Int64(days) * 86_400_000)
            }
            guard end > start else { continue }
            let results = try runner.run(pipeline, over: TimeWindow(start: start, end: end))
            progress("demo: \(pipeline.name): \(results.count) window(s), \(results.reduce(0) { $0 + $1.rowsOut }) rows")
        }
        // The disclosure reports the catalogue page shows (once: every meldingen release is out).
        if let protected = try runtime.pipelines().pipelines.first(where: { $0.disclosure?.counts.contains(where: \.isProtected) == true }) {
            runner.refreshDisclosureReports(after: protected)
        }
    }

    private func loadReadings(registry: SensorRegistry, now: Int64) throws -> Int {
        var simulator = SensorSimulator(registry: registry, seed: seed)
        simulator.faultRate = 0
        let validator = runtime.validator(registry: registry)
        let step: Int64 = 5 * 60_000
        var t = TimeBucket.floor(now - Int64(days) * 86_400_000, size: step)
        var offset = try runtime.store.readings.committedOffset(source: "demo-history")
        var stored = 0
        var batch: [Reading] = []
        while t < now {
            for sensor in simulator.sensors {
                let record = LogRecord(receivedAt: t, origin: sensor.topic, payload: simulator.payload(for: sensor, at: t))
                batch += validator.validate(record, source: "demo-history").readings
            }
            t += step
            if batch.count >= 20_000 || t >= now {
                offset += 1
                _ = try runtime.store.readings.append(IngestBatch(readings: batch, quarantined: [], source: "demo-history", offset: offset))
                stored += batch.count
                batch.removeAll(keepingCapacity: true)
            }
        }
        return stored
    }

    /// One kind of melding: its Signalen category, weekly rate per wijk, season and handling time.
    private struct Kind {
        var category: String
        var perWeek: Double
        /// Peak week of the year (0-51) and how strong the season is (0: none).
        var peak: Double
        var season: Double
        /// Median handling time in days.
        var days: Double
    }

    private static let kinds = [
        Kind(category: "veeg-zwerfvuil", perWeek: 2.4, peak: 28, season: 0.35, days: 2),
        Kind(category: "grofvuil", perWeek: 1.8, peak: 20, season: 0.2, days: 3),
        Kind(category: "container-is-vol", perWeek: 1.4, peak: 30, season: 0.25, days: 1.5),
        Kind(category: "hondenpoep", perWeek: 0.7, peak: 8, season: 0.2, days: 4),
        Kind(category: "boom", perWeek: 0.8, peak: 42, season: 0.5, days: 9),
        Kind(category: "onkruid", perWeek: 0.7, peak: 24, season: 0.7, days: 12),
        Kind(category: "straatverlichting-openbare-klok", perWeek: 1.0, peak: 50, season: 0.45, days: 6),
        Kind(category: "onderhoud-stoep-straat-en-fietspad", perWeek: 1.1, peak: 6, season: 0.3, days: 14),
        Kind(category: "put-riolering-verstopt", perWeek: 0.5, peak: 44, season: 0.4, days: 3),
        Kind(category: "parkeeroverlast", perWeek: 0.8, peak: 26, season: 0.15, days: 2),
        Kind(category: "straatmeubilair", perWeek: 0.5, peak: 30, season: 0.2, days: 7),
    ]

    private func loadMeldingen(now: Int64) throws -> Int {
        guard try runtime.store.meldingen.meldingFile(sha256: Self.marker) == nil else { return 0 }
        let mapping = try CategoryMapping(mappingFile: (runtime.settings.pipelineDirectory as NSString).appendingPathComponent("mappings/bor_meld.yaml"))
        guard let wijken = runtime.boundaries.set(.wijk, at: now)?.areas.map(\.code).sorted(), !wijken.isEmpty else { return 0 }
        var rng = SplitMix64(seed: seed &+ 1)
        let week: Int64 = 7 * 86_400_000
        let first = DutchTime.weekStart(now) - Int64(weeks) * week
        var writes: [MeldingWrite] = []
        for (w, wijk) in wijken.enumerated() {
            let size = 1.5 + Double((w * 7) % 11) / 5    // busier and quieter wijken, stable
            for kind in Self.kinds {
                guard let mapped = mapping.map(source: "signalen", category: kind.category) else { continue }
                for t in 0..<weeks {
                    let start = first + Int64(t) * week
                    let weekOfYear = Double((start / week) % 52)
                    let mean = kind.perWeek * size * exp(kind.season * cos(2 * .pi * (weekOfYear - kind.peak) / 52))
                    for k in 0..<rng.poisson(mean) {
                        let created = start + Int64(rng.unit() * Double(week))
                        guard created < now else { continue }
                        var m = Melding(source: "demo", sourceID: "\(wijk)-\(kind.category)-\(t)-\(k)", category: kind.category, createdAt: created)
                        m.borMeld = mapped.id
                        m.hoofdcategorie = mapped.hoofd
                        m.gemeente = "GM" + String(wijk.dropFirst(2).prefix(4))
                        m.wijk = wijk
                        m.channel = "demo"
                        var history = [Melding.StatusChange(at: created, state: "m", closes: false)]
                        // Log-normal handling time; now and then a recent one is forgotten for weeks.
                        var closes = created + Int64(kind.days * exp(0.7 * rng.normal()) * 86_400_000)
                        if rng.unit() < 0.002 { closes += Int64(15 + rng.unit() * 30) * 86_400_000 }
                        if closes < now {
                            history.append(Melding.StatusChange(at: closes, state: "o", closes: true))
                        }
                        m.history = history
                        writes.append(MeldingWrite(m))
                    }
                }
            }
        }
        _ = try runtime.store.meldingen.saveMeldingen(writes, file: MeldingFileRecord(sha256: Self.marker, name: Self.marker, format: "demo",
                                                                             meldingen: writes.count, report: "generated demo history",
                                                                             completedAt: now))
        return writes.count
    }
}
