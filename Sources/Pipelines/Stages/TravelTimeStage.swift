import LantaarnModel
import Store

/// Travel times between two cameras (Den Helder's ferry traffic): a pseudonym (the plate
/// after the pseudonymise stage) seen at camera A and then at camera B within `maxTravel`
/// makes one travel time, and the pseudonym is forgotten once matched. Only distributions per
/// route and hour of departure are published (trips, 10th, 50th and 90th percentile in
/// minutes); the suppress stage after it holds back hours with fewer than k trips.
public struct TravelTimeStage: Stage, Hashable {
    static let kind = "travel_time"
    static let inputs: Set<PipelineDefinition.Input.Kind> = [.anpr]
    static let fields: [String: YAMLSourceMap.Schema] = ["routes": .list(.fields(["from": .any, "to": .any])), "max_travel": .any]

    public struct Route: Hashable, Sendable {
        public var from: String, to: String
        public init(from: String, to: String) { self.from = from; self.to = to }
    }

    /// An ANPR sighting as the camera reports it. The plate never leaves the pseudonymise stage.
    public struct Event: Sendable {
        public var camera: String, timestamp: Int64, plate: String
        public init(camera: String, timestamp: Int64, plate: String) {
            self.camera = camera
            self.timestamp = timestamp
            self.plate = plate
        }
    }

    /// One published row: a route and hour of departure.
    public struct Row: Sendable, Equatable {
        public var route: Route
        public var hourStart: Int64
        /// `nil` when suppressed (fewer than k trips).
        public var trips: Int?
        public var p10: Double?, p50: Double?, p90: Double?
        public var suppressed: Bool
    }

    public var routes: [Route]
    public var maxTravel: Int64
    /// Trips are people's journeys: protected. Hours with fewer than k are held back whole; no
    /// totals or other relations are published with them.
    func disclosure(namespace: String, gemeente: String) -> DisclosureSpec? {
        DisclosureSpec(namespace: namespace, k: k, protection: protection ?? k, keys: ["van": "van", "naar": "naar"],
                       counts: [.init(column: "ritten", statistic: "anpr.ritten", time: "periode_start", of: "ritten")],
                       relations: [], method: "uren met minder dan k ritten worden helemaal weggelaten; er worden geen totalen gepubliceerd")
    }

    /// Smallest number of trips published per route and hour (from the suppress stage; 1 without one).
    public var k: Int
    /// The suppress stage's protection width (k without one).
    var protection: Int?

    struct Raw: Decodable {
        struct Route: Decodable { var from: String; var to: String }
        var routes: [Route]
        var max_travel: String?
    }

    public init(routes: [Route], maxTravel: Int64 = 2 * 3_600_000, k: Int = 5) {
        self.routes = routes
        self.maxTravel = maxTravel
        self.k = k
    }

    static func refusal(for input: PipelineDefinition.Input) -> String {
        "travel_time needs ANPR input (input: {anpr: true})"
    }

    init(_ raw: Raw, context: StageParseContext) throws {
        guard !raw.routes.isEmpty else { throw context.fail("routes", "name at least one route: {from: CAMERA, to: CAMERA}") }
        for (i, r) in raw.routes.enumerated() where r.from == r.to || r.from.isEmpty {
            throw context.fail("routes[\(i)]", "a route runs between two different cameras")
        }
        let maxTravel = raw.max_travel.flatMap(DurationText.milliseconds) ?? 2 * 3_600_000
        guard maxTravel >= 60_000, maxTravel <= 86_400_000 else {
            throw context.fail("max_travel", "use a duration from 1m to 1d, such as 2h")
        }
        self.init(routes: raw.routes.map { Route(from: $0.from, to: $0.to) }, maxTravel: maxTravel, k: 1)
    }

    /// Pseudonymises `events` and runs the stage on them (tests, one-off use).
    public func run(_ events: [Event], keyring: PseudonymKeyring) throws -> [Row] {
        let pseudonymise = PseudonymiseStage()
        let sightings = try events.map { e -> AnprSighting in
            let (pseudonym, next) = try pseudonymise.apply(e.plate, at: e.timestamp, overlap: maxTravel, keyring: keyring)
            return AnprSighting(camera: e.camera, timestamp: e.timestamp, pseudonym: pseudonym, nextPseudonym: next)
        }
        return rows(sightings, departingIn: TimeWindow(start: Int64.min, end: Int64.max))
    }

    /// Rows for trips departing in `window` from `sightings` (which must reach `maxTravel`
    /// past the window's end), per route and hour, oldest first.
    public func rows(_ sightings: [AnprSighting], departingIn window: TimeWindow) -> [Row] {
        let sorted = sightings.sorted { $0.timestamp < $1.timestamp }
        var durations: [Route: [Int64: [Double]]] = [:]
        for route in routes {
            // A departure is known by its pseudonym, and just before Monday 00:00 also by its
            // pseudonym under next week's key (an arrival after the key change carries that one).
            var departed: [String: (start: Int64, other: String?)] = [:]
            for s in sorted {
                if s.camera == route.from {
                    departed[s.pseudonym] = (s.timestamp, s.nextPseudonym)
                    if let next = s.nextPseudonym { departed[next] = (s.timestamp, s.pseudonym) }
                } else if s.camera == route.to, let (start, other) = departed.removeValue(forKey: s.pseudonym) {
                    // Matched: neither pseudonym is kept.
                    if let other { departed[other] = nil }
                    let travel = s.timestamp - start
                    guard travel > 0, travel <= maxTravel, window.contains(start) else { continue }
                    durations[route, default: [:]][TimeBucket.floor(start, size: TimeBucket.hour), default: []].append(Double(travel) / 60_000)
                }
            }
        }
        var rows: [Row] = []
        for route in routes {
            for (hour, values) in (durations[route] ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard values.count >= k else {
                    rows.append(Row(route: route, hourStart: hour, trips: nil, p10: nil, p50: nil, p90: nil, suppressed: true))
                    continue
                }
                let sorted = values.sorted()
                let q = { (p: Double) in (MeldingStatistics.quantile(sorted, p) * 10).rounded() / 10 }
                rows.append(Row(route: route, hourStart: hour, trips: sorted.count, p10: q(0.1), p50: q(0.5), p90: q(0.9), suppressed: false))
            }
        }
        return rows
    }

    /// Columns of the published dataset.
    public var columns: [ColumnSpec] {
        [
            ColumnSpec(name: "van", type: .text, description: "Camera waar de rit begint"),
            ColumnSpec(name: "naar", type: .text, description: "Camera waar de rit eindigt"),
            ColumnSpec(name: "periode_start", type: .timestamp, description: "Begin van het uur van vertrek (UTC)"),
            ColumnSpec(name: "periode_eind", type: .timestamp, description: "Einde van dat uur (UTC, niet inbegrepen)"),
            ColumnSpec(name: "ritten", type: .integer, description: "Aantal gemeten ritten; leeg als het er te weinig zijn (zie onderdrukt)"),
            ColumnSpec(name: "reistijd_p10", type: .number, unit: "minuten", description: "10 procent van de ritten was sneller dan dit"),
            ColumnSpec(name: "reistijd_mediaan", type: .number, unit: "minuten", description: "De helft van de ritten was sneller dan dit"),
            ColumnSpec(name: "reistijd_p90", type: .number, unit: "minuten", description: "90 procent van de ritten was sneller dan dit"),
            SuppressStage.markColumn,
        ]
    }

    /// A row as published.
    public static func cells(_ r: Row) -> [CellValue] {
        let number = { (v: Double?) in v.map(CellValue.number) ?? .null }
        return [.text(r.route.from), .text(r.route.to), .text(ISO8601.format(milliseconds: r.hourStart)),
                .text(ISO8601.format(milliseconds: r.hourStart + TimeBucket.hour)),
                r.trips.map { .integer(Int64($0)) } ?? .null, number(r.p10), number(r.p50), number(r.p90),
                .text(r.suppressed ? "ja" : "nee")]
    }

    var parameters: [(String, JSONValue)] {
        [("routes", .array(routes.map { .object([("from", .string($0.from)), ("to", .string($0.to))]) })),
         ("max_travel_ms", .number(Double(maxTravel))), ("quantiles", .array([.number(0.1), .number(0.5), .number(0.9)]))]
    }

    func dutch(quantities: [String]) -> String {
        "Koppelt per route een schuilnaam die eerst bij de ene en daarna binnen \(DurationText.dutch(maxTravel)) bij de andere camera is gezien, tot één reistijd, en vergeet de schuilnaam daarna. Gepubliceerd wordt alleen per uur hoe lang de ritten duurden (10, 50 en 90 procent)."
    }
}

extension TravelTimeStage: AggregatingStage {
    static let publishes = StagePublication.countsOfPeople

    func columns(suppressed: Bool) -> [ColumnSpec] { columns }

    func protected(by suppress: SuppressStage) -> TravelTimeStage {
        var stage = self
        (stage.k, stage.protection) = (suppress.k, suppress.protection)
        return stage
    }

    /// Trips that departed in a window may arrive up to `maxTravel` after it.
    var settle: Int64 { maxTravel }

    /// Matched sightings are dropped for privacy, so windows before that cannot be computed
    /// again; their releases (if any) stand.
    func computable(_ windows: [TimeWindow], input: StageInput) throws -> [TimeWindow] {
        guard let dropped = try input.stores.anpr.sightingsDroppedBefore(), windows.contains(where: { $0.start < dropped }) else { return windows }
        input.logger.notice("ANPR sightings before this time were dropped after matching; earlier windows are left as they are", metadata: [
            "pipeline.name": "\(input.pipeline.name)", "anpr.dropped_before": "\(ISO8601.format(milliseconds: dropped))",
        ])
        return windows.filter { $0.start >= dropped }
    }

    /// Sightings from the window's start until the last trip departing in it can have arrived.
    func run(input: StageInput, window: TimeWindow) throws -> StageOutput {
        let sightings = try input.stores.anpr.sightings(in: TimeWindow(start: window.start, end: window.end + maxTravel))
            .filter { s in input.filters.allSatisfy { $0.keeps(camera: s.camera) } }
        return StageOutput(rows: rows(sightings, departingIn: window).map(Self.cells),
                           rowsIn: sightings.filter { window.contains($0.timestamp) }.count, withoutWijk: 0)
    }

    /// Matched: the pseudonyms of the windows whose trips have all arrived are no longer needed,
    /// so they go (once per run: each drop rewrites pages and truncates the WAL).
    func finish(_ done: [TimeWindow], input: StageInput) throws {
        guard let end = done.map(\.end).filter({ $0 + maxTravel <= Clock.nowMilliseconds() }).max() else { return }
        let p = input.pipeline
        _ = try input.stores.anpr.dropSightings(before: end) { n in
            n == 0 ? nil : DestructionRecord(destroyedAt: Clock.nowMilliseconds(), kind: "anpr-sightings",
                                             subject: "pseudonymised ANPR sightings matched by \(p.name)",
                                             window: TimeWindow(start: Int64.min, end: end), readings: n, policy: "until matched",
                                             basis: p.purpose)
        }
    }
}
