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

    /// The wijk of a fixed point (a sensor's mounting point) through time: one span per
    /// wijk vintage. Readings take the span of their own timestamp.
    public func wijkTimeline(for p: GeoPoint) -> WijkTimeline {
        let wijkSets = sets[.wijk] ?? []
        if wijkSets.isEmpty, let buurten = sets[.buurt], !buurten.isEmpty {
            return WijkTimeline(spans: buurten.enumerated().map { i, s in
                (i == 0 ? Int64.min : Self.start(ofVintage: s.vintage), s.locate(p).flatMap { AreaLevel.wijk(of: $0.code) }.flatMap(WijkCode.init))
            })
        }
        return WijkTimeline(spans: wijkSets.enumerated().map { i, s in
            (i == 0 ? Int64.min : Self.start(ofVintage: s.vintage), s.locate(p).flatMap { WijkCode($0.code) })
        })
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

/// A sensor's wijk through time: spans sorted by start, the first starting at `Int64.min`.
public struct WijkTimeline: Sendable, Equatable {
    private let starts: [Int64]
    private let codes: [WijkCode?]

    public init(spans: [(start: Int64, wijk: WijkCode?)]) {
        starts = spans.map(\.start)
        codes = spans.map(\.wijk)
    }

    /// One wijk for all time (or none).
    public static func constant(_ wijk: WijkCode?) -> WijkTimeline { WijkTimeline(spans: [(Int64.min, wijk)]) }

    /// The wijk at `milliseconds`; `nil` outside every wijk (counted as unknown).
    @inline(__always)
    public func wijk(at milliseconds: Int64) -> WijkCode? {
        if starts.count <= 1 { return codes.first ?? nil }
        var i = starts.count - 1
        while i > 0, starts[i] > milliseconds { i -= 1 }
        return codes[i]
    }

    /// The wijk in force now, or at the newest vintage.
    public var latest: WijkCode? { codes.last ?? nil }

    public static func == (l: WijkTimeline, r: WijkTimeline) -> Bool { l.starts == r.starts && l.codes == r.codes }
}
