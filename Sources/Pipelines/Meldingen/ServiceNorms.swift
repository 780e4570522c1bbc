import LantaarnModel

/// How long a melding type may take: the service norm (orange after it) and the legal
/// deadline (red after it). Durations count calendar time (`48h`, `5d`) or working days
/// (`3wd`: Monday to Friday, Dutch local time).
public struct ServiceNorm: Sendable, Hashable, CustomStringConvertible {
    public enum Span: Sendable, Hashable {
        case milliseconds(Int64)
        case workingDays(Int)
    }

    public var service: Span
    public var legal: Span

    public init(service: Span, legal: Span) {
        self.service = service
        self.legal = legal
    }

    /// As written: "service 3wd, legal 10wd".
    public var description: String { "service \(Self.text(service)), legal \(Self.text(legal))" }

    static func text(_ span: Span) -> String {
        switch span {
        case .workingDays(let n): "\(n)wd"
        case .milliseconds(let ms): ms % 86_400_000 == 0 ? "\(ms / 86_400_000)d" : "\(ms / 3_600_000)h"
        }
    }

    /// `48h`, `5d`, `2w` or `3wd`.
    public static func span(_ text: String) -> Span? {
        if text.hasSuffix("wd"), let n = Int(text.dropLast(2)), n >= 0 { return .workingDays(n) }
        return DurationText.milliseconds(text).map { .milliseconds($0) }
    }

    /// The moment `span` after `start` ends: working days are whole days Monday to Friday,
    /// ending at the same local time of day as `start` (a Saturday report counts from Monday 00:00).
    public static func deadline(from start: Int64, _ span: Span) -> Int64 {
        switch span {
        case .milliseconds(let ms): return start + ms
        case .workingDays(let n):
            let day: Int64 = 86_400_000
            var local = start + DutchTime.offset(utcMilliseconds: start)
            func weekday(_ l: Int64) -> Int { Int(((TimeBucket.floor(l, size: day) / day) % 7 + 7 + 3) % 7) }   // 0 = Monday
            while weekday(local) >= 5 { local = TimeBucket.floor(local, size: day) + day }
            var left = n
            while left > 0 {
                local += day
                if weekday(local) < 5 { left -= 1 }
            }
            return local - DutchTime.offset(localMilliseconds: local)
        }
    }
}

/// Red, orange or green, as on Krimpenerwaard's tiles.
public enum TileColour: String, Sendable, Comparable {
    case green, orange, red

    public static func < (l: TileColour, r: TileColour) -> Bool {
        [TileColour.green, .orange, .red].firstIndex(of: l)! < [TileColour.green, .orange, .red].firstIndex(of: r)!
    }
}

public enum TileStatus {
    /// A melding's colour at `now`: red when it took or is taking longer than the legal
    /// deadline, orange past the service norm, green otherwise. Exactly at a norm is still
    /// within it: only strictly later is past.
    public static func colour(_ m: Melding, norm: ServiceNorm, now: Int64) -> TileColour {
        let end = m.closedAt ?? now
        if end > ServiceNorm.deadline(from: m.createdAt, norm.legal) { return .red }
        if end > ServiceNorm.deadline(from: m.createdAt, norm.service) { return .orange }
        return .green
    }

    /// One tile per melding type (key): the worst colour among its open meldingen, with the
    /// number of open meldingen per colour. Types without a norm are left out.
    public static func tiles<K: Hashable>(_ meldingen: [Melding], norms: (Melding) -> ServiceNorm?, key: (Melding) -> K,
                                          now: Int64) -> [K: (colour: TileColour, open: [TileColour: Int])] {
        var out: [K: (colour: TileColour, open: [TileColour: Int])] = [:]
        for m in meldingen where MeldingStatistics.isOpen(m, at: now) {
            guard let norm = norms(m) else { continue }
            let c = colour(m, norm: norm, now: now)
            var tile = out[key(m)] ?? (.green, [:])
            tile.colour = max(tile.colour, c)
            tile.open[c, default: 0] += 1
            out[key(m)] = tile
        }
        return out
    }
}
