import LantaarnModel

/// Travel times between two cameras (Den Helder's ferry traffic): an ANPR event (camera,
/// time, plate) is pseudonymised the moment it comes in, a pseudonym seen at camera A and
/// then at camera B within `maxTravel` makes one travel time, and the pseudonyms are dropped
/// once matched. Only distributions per route and hour are published (count, 10th, 50th and
/// 90th percentile in minutes), and an hour with fewer than `k` trips is suppressed.
public struct TravelTimeStage: Sendable {
    public struct Route: Hashable, Sendable {
        public var from: String, to: String
        public init(from: String, to: String) { self.from = from; self.to = to }
    }

    /// An ANPR sighting as the camera reports it. The plate never leaves this stage.
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
    public var k: Int

    public init(routes: [Route], maxTravel: Int64 = 2 * 3_600_000, k: Int = 5) {
        self.routes = routes
        self.maxTravel = maxTravel
        self.k = k
    }

    public func run(_ events: [Event], keyring: PseudonymKeyring) throws -> [Row] {
        // Pseudonymise at once; from here on only pseudonyms exist.
        var sightings = try events.map { (camera: $0.camera, timestamp: $0.timestamp, id: try keyring.pseudonym($0.plate, at: $0.timestamp)) }
        sightings.sort { $0.timestamp < $1.timestamp }
        var durations: [Route: [Int64: [Double]]] = [:]
        for route in routes {
            var departed: [String: Int64] = [:]
            for s in sightings {
                if s.camera == route.from {
                    departed[s.id] = s.timestamp
                } else if s.camera == route.to, let start = departed[s.id] {
                    departed[s.id] = nil   // matched: the pseudonym is no longer kept
                    let travel = s.timestamp - start
                    guard travel > 0, travel <= maxTravel else { continue }
                    durations[route, default: [:]][TimeBucket.floor(start, size: TimeBucket.hour), default: []].append(Double(travel) / 60_000)
                }
            }
        }
        sightings.removeAll()
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
}
