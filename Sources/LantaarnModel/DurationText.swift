/// Parses the short durations used in YAML and flags: `90s`, `5m`, `1h`, `7d`, `2w`, `1y`.
public enum DurationText {
    /// The longest duration accepted: 1000 years. Longer ones are typing errors, and beyond
    /// about 292 million years the milliseconds would not fit an Int64 (fuzzing crashed the
    /// pipeline loader with `retention: 1000000000000000000y`); up to here, adding one to a
    /// timestamp cannot overflow.
    public static let longest: Int64 = 1000 * 365 * 86_400_000

    /// Milliseconds for a duration like `5m`, or `nil` when the text is not one or is longer
    /// than ``longest``.
    public static func milliseconds(_ text: String) -> Int64? {
        let t = text.trimmingSpaces()
        guard let unit = t.last, let n = Int64(t.dropLast()), n >= 0 else { return nil }
        let factor: Int64
        switch unit {
        case "s": factor = 1000
        case "m": factor = 60_000
        case "h": factor = 3_600_000
        case "d": factor = 86_400_000
        case "w": factor = 7 * 86_400_000
        case "y": factor = 365 * 86_400_000
        default: return nil
        }
        let (ms, overflow) = n.multipliedReportingOverflow(by: factor)
        return overflow || ms > longest ? nil : ms
    }

    /// A duration in plain Dutch: "1 uur", "15 minuten", "1 dag", "2 weken", "5 jaar".
    public static func dutch(_ milliseconds: Int64) -> String {
        let minutes = milliseconds / 60_000
        if minutes > 0, minutes % 525_600 == 0 { return "\(minutes / 525_600) jaar" }
        if minutes % 10_080 == 0 { return minutes == 10_080 ? "1 week" : "\(minutes / 10_080) weken" }
        if minutes % 1440 == 0 { return minutes == 1440 ? "1 dag" : "\(minutes / 1440) dagen" }
        if minutes % 60 == 0 { return "\(minutes / 60) uur" }
        return minutes == 1 ? "1 minuut" : "\(minutes) minuten"
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (no Foundation needed).
    public func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
