import LantaarnModel

/// Every imported boundary set, by level and vintage, and the rule that picks the
/// vintage for a date.
///
/// Vintage rule: vintage Y is in force from 1 January of Y, 00:00 UTC, until the next
/// imported vintage of the same level. A date before the oldest vintage uses the oldest
/// (CBS boundaries change little from year to year, and `geo locate` says which vintage
/// it used).
public struct BoundaryCatalog: Sendable {
    /// Sets per level, oldest vintage first.
    public let sets: [AreaLevel: [BoundarySet]]

    public init(_ sets: [BoundarySet]) {
        var byLevel: [AreaLevel: [BoundarySet]] = [:]
        for s in sets { byLevel[s.level, default: []].append(s) }
        self.sets = byLevel.mapValues { $0.sorted { $0.vintage < $1.vintage } }
    }

    /// The moment vintage `year` comes into force, in milliseconds since the epoch.
    public static func start(ofVintage year: Int) -> Int64 { Int64(ISO8601.daysFromCivil(year: year, month: 1, day: 1)) * 86_400_000 }

    /// The set of `level` in force at `milliseconds`.
    public func set(_ level: AreaLevel, at milliseconds: Int64) -> BoundarySet? {
        guard let list = sets[level], !list.isEmpty else { return nil }
        return list.last { Self.start(ofVintage: $0.vintage) <= milliseconds } ?? list.first
    }

    /// The set of `level` with exactly this vintage.
    public func set(_ level: AreaLevel, vintage: Int) -> BoundarySet? {
        sets[level]?.first { $0.vintage == vintage }
    }

    /// Gemeente, wijk and buurt of `p` at `milliseconds`. A level without boundaries of
    /// its own is derived from a finer one's code (BU03920101 lies in WK039201 and GM0392).
    public func assign(_ p: GeoPoint, at milliseconds: Int64) -> AreaAssignment {
        var result = AreaAssignment()
        for level in AreaLevel.allCases {
            guard let set = set(level, at: milliseconds) else { continue }
            result[level] = set.locate(p).map { AreaMatch(code: $0.code, name: $0.name, vintage: set.vintage, derived: false) }
                ?? AreaMatch(code: nil, name: nil, vintage: set.vintage, derived: false)
        }
        if result.wijk == nil, let buurt = result.buurt?.code, let wijk = AreaLevel.wijk(of: buurt) {
            result.wijk = AreaMatch(code: wijk, name: nil, vintage: result.buurt!.vintage, derived: true)
        }
        if result.gemeente == nil, let code = result.wijk?.code ?? result.buurt?.code, let gm = AreaLevel.gemeente(of: code) {
            result.gemeente = AreaMatch(code: gm, name: nil, vintage: (result.wijk ?? result.buurt)!.vintage, derived: true)
        }
        return result
    }

    /// The wijk and buurt of a sensor through time: a new span wherever it moved (its
    /// `positions`) or a wijk or buurt vintage comes into force. Readings take the span of
    /// their own timestamp.
    public func placeTimeline(for positions: [SensorPosition]) -> PlaceTimeline {
        guard let first = positions.first else { return .constant(nil) }
        var starts: Set<Int64> = [Int64.min]
        for p in positions.dropFirst() { starts.insert(p.since) }
        for level in [AreaLevel.wijk, .buurt] {
            for set in (sets[level] ?? []).dropFirst() { starts.insert(Self.start(ofVintage: set.vintage)) }
        }
        return PlaceTimeline(spans: starts.sorted().map { t in
            let at = positions.last { $0.since <= t } ?? first
            let point = GeoPoint(lon: at.longitude, lat: at.latitude)
            let buurt = set(.buurt, at: t)?.locate(point)?.code
            let wijk = set(.wijk, at: t).map { $0.locate(point).flatMap { WijkCode($0.code) } }
                ?? buurt.flatMap { AreaLevel.wijk(of: $0) }.flatMap(WijkCode.init)
            return (t, PlaceTimeline.Place(wijk: wijk, buurt: buurt))
        })
    }

    /// The wijk and buurt of a point that never moved, through the vintages.
    public func placeTimeline(for p: GeoPoint) -> PlaceTimeline {
        placeTimeline(for: [SensorPosition(since: Int64.min, latitude: p.y, longitude: p.x)])
    }

    /// Names of every area code over all vintages (the newest vintage's name wins).
    public var names: [String: String] {
        var out: [String: String] = [:]
        for list in sets.values { for s in list { for a in s.areas { out[a.code] = a.name } } }
        return out
    }
}

/// One level's answer for a point: the area's code and name, or `code == nil` when the
/// point lies outside every area of the vintage ("unknown").
public struct AreaMatch: Sendable, Equatable {
    public var code: String?
    public var name: String?
    public var vintage: Int
    /// True when the code was derived from a finer level's code, not from a boundary.
    public var derived: Bool
}

/// Gemeente, wijk and buurt of a point; a level is `nil` when no boundaries cover it.
public struct AreaAssignment: Sendable, Equatable {
    public var gemeente: AreaMatch?
    public var wijk: AreaMatch?
    public var buurt: AreaMatch?

    public init(gemeente: AreaMatch? = nil, wijk: AreaMatch? = nil, buurt: AreaMatch? = nil) {
        self.gemeente = gemeente
        self.wijk = wijk
        self.buurt = buurt
    }

    public subscript(level: AreaLevel) -> AreaMatch? {
        get {
            switch level {
            case .gemeente: gemeente
            case .wijk: wijk
            case .buurt: buurt
            }
        }
        set {
            switch level {
            case .gemeente: gemeente = newValue
            case .wijk: wijk = newValue
            case .buurt: buurt = newValue
            }
        }
    }
}

/// A sensor's wijk and buurt through time: spans sorted by start, the first starting at
/// `Int64.min`, equal neighbours merged.
public struct PlaceTimeline: Sendable, Equatable {
    /// Where a reading was taken: its wijk and buurt (`nil`: outside every known one).
    public struct Place: Sendable, Hashable {
        public var wijk: WijkCode?
        public var buurt: String?

        public init(wijk: WijkCode?, buurt: String? = nil) {
            self.wijk = wijk
            self.buurt = buurt
        }
    }

    private let starts: [Int64]
    private let places: [Place]

    public init(spans: [(start: Int64, place: Place)]) {
        var starts: [Int64] = [], places: [Place] = []
        for span in spans where places.last != span.place {
            starts.append(span.start)
            places.append(span.place)
        }
        self.starts = starts
        self.places = places
    }

    /// One place for all time.
    public static func constant(_ wijk: WijkCode?, buurt: String? = nil) -> PlaceTimeline {
        PlaceTimeline(spans: [(Int64.min, Place(wijk: wijk, buurt: buurt))])
    }

    /// The place at `milliseconds`.
    @inline(__always)
    public func place(at milliseconds: Int64) -> Place {
        if starts.count <= 1 { return places.first ?? Place(wijk: nil) }
        var i = starts.count - 1
        while i > 0, starts[i] > milliseconds { i -= 1 }
        return places[i]
    }

    /// The wijk at `milliseconds`; `nil` outside every wijk (counted as unknown).
    @inline(__always)
    public func wijk(at milliseconds: Int64) -> WijkCode? { place(at: milliseconds).wijk }

    /// The wijk in force now, or at the newest vintage.
    public var latest: WijkCode? { places.last?.wijk }

    /// The spans overlapping `window`, cut to it.
    public func spans(in window: TimeWindow) -> [(window: TimeWindow, place: Place)] {
        starts.indices.compactMap { i in
            let (from, to) = (max(starts[i], window.start), min(i + 1 < starts.count ? starts[i + 1] : Int64.max, window.end))
            return from < to ? (TimeWindow(start: from, end: to), places[i]) : nil
        }
    }

    public static func == (l: PlaceTimeline, r: PlaceTimeline) -> Bool { l.starts == r.starts && l.places == r.places }
}
