import LantaarnModel

/// Counts, handling times and backlog of meldingen, per group and Dutch week (Monday 00:00).
public enum MeldingStatistics {
    /// The columns of a wijk × hoofdcategorie group, as every meldingen output starts.
    static let groupColumns = [
        ColumnSpec(name: "wijk_code", type: .text, description: "CBS-code van de wijk"),
        ColumnSpec(name: "wijk_naam", type: .text, description: "Naam van de wijk"),
        ColumnSpec(name: "hoofdcategorie", type: .text, description: "Hoofdcategorie uit de BOR_MELD-tabel van de VNG ('onbekend' als de categorie niet gekoppeld is)"),
    ]

    /// Group key of a melding: wijk (or "" outside every wijk) and BOR_MELD hoofdcategorie
    /// ("onbekend" when unmapped, as published).
    public struct Group: Hashable, Sendable, Comparable {
        public var wijk: String
        public var hoofdcategorie: String

        public init(wijk: String, hoofdcategorie: String) {
            self.wijk = wijk
            self.hoofdcategorie = hoofdcategorie
        }

        public init(_ m: Melding) {
            self.init(wijk: m.wijk ?? "", hoofdcategorie: m.hoofdcategorie ?? "onbekend")
        }

        public static func < (l: Group, r: Group) -> Bool { (l.wijk, l.hoofdcategorie) < (r.wijk, r.hoofdcategorie) }
    }

    /// Meldingen reported per group and week (week start, UTC milliseconds).
    public static func weeklyCounts(_ meldingen: [Melding]) -> [Group: [Int64: Int]] {
        var out: [Group: [Int64: Int]] = [:]
        for m in meldingen { out[Group(m), default: [:]][DutchTime.weekStart(m.createdAt), default: 0] += 1 }
        return out
    }

    /// Doorlooptijd (closed − reported, milliseconds) of the meldingen closed in `window`, by
    /// `key`: median and 90th percentile (linear interpolation, as DuckDB's quantile_cont).
    public static func handlingTimes<K: Hashable>(_ meldingen: [Melding], closedIn window: TimeWindow,
                                                  by key: (Melding) -> K) -> [K: (count: Int, median: Double, p90: Double)] {
        var durations: [K: [Double]] = [:]
        for m in meldingen {
            guard let closed = closedAt(m), window.contains(closed) else { continue }
            durations[key(m), default: []].append(Double(max(0, closed - m.createdAt)))
        }
        return durations.mapValues { d in
            let sorted = d.sorted()
            return (sorted.count, quantile(sorted, 0.5), quantile(sorted, 0.9))
        }
    }

    /// Meldingen open at `moment` (reported before it, not closed before it), per group.
    public static func backlog(_ meldingen: [Melding], at moment: Int64) -> [Group: Int] {
        backlog(meldingen, at: moment, by: Group.init)
    }

    /// Meldingen open at `moment`, by `key`.
    public static func backlog<K: Hashable>(_ meldingen: [Melding], at moment: Int64, by key: (Melding) -> K) -> [K: Int] {
        var out: [K: Int] = [:]
        for m in meldingen where isOpen(m, at: moment) { out[key(m), default: 0] += 1 }
        return out
    }

    /// When a melding counts as closed: never before it was reported (a closing time before the
    /// report is a data error, and counts as closed at once).
    static func closedAt(_ m: Melding) -> Int64? { m.closedAt.map { max($0, m.createdAt) } }

    /// Whether `m` is open at `moment`: reported before it and not closed before it. With
    /// "closed in a week" as a closing time in [start, end) and "reported in a week" likewise,
    /// this makes open(end of week) = open(start) + reported − closed exactly, an identity the
    /// published tables declare (the attacker knows it too).
    public static func isOpen(_ m: Melding, at moment: Int64) -> Bool {
        m.createdAt < moment && (closedAt(m).map { $0 >= moment } ?? true)
    }

    /// The q-quantile of sorted values, interpolating between the two nearest ranks.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
