import Foundation
import LantaarnModel

/// A record's time in the format its JSON mapping names, as epoch milliseconds.
struct RecordTime: Sendable {
    let format: JSONMapping.TimeFormat
    /// For a pattern: the zone it is read in.
    let calendar: Calendar?

    init(_ format: JSONMapping.TimeFormat) {
        self.format = format
        if case .pattern(_, let zone) = format, let timeZone = TimeZone(identifier: zone) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            self.calendar = calendar
        } else {
            calendar = nil
        }
    }

    func milliseconds(_ node: JSONValue, at where_: String) throws(CodecError) -> Int64 {
        switch format {
        case .iso8601:
            guard let text = node.stringValue else { throw CodecError("\(where_) is not ISO 8601 text; for a number say time_format: epoch_s, epoch_ms or epoch_us") }
            guard let ms = ISO8601.parse(text) else { throw CodecError("\(where_): '\(text)' is not an ISO 8601 time such as 2026-11-23T08:00:00Z") }
            return ms
        case .epochSeconds: return try epoch(node, per: 1_000, at: where_)
        case .epochMilliseconds: return try epoch(node, per: 1, at: where_)
        case .epochMicroseconds: return try epoch(node, per: 0.001, at: where_)
        case .pattern(let pattern, _):
            guard let text = node.stringValue else { throw CodecError("\(where_) is not text in the pattern \(pattern)") }
            guard let ms = Self.parse(text, pattern: pattern, calendar: calendar) else {
                throw CodecError("\(where_): '\(text)' does not match the time pattern \(pattern)")
            }
            return ms
        }
    }

    private func epoch(_ node: JSONValue, per factor: Double, at where_: String) throws(CodecError) -> Int64 {
        let number = node.numberValue ?? node.stringValue.flatMap(Double.init)
        guard let number, number.isFinite, abs(number * factor) < 1e16 else { throw CodecError("\(where_) is not an epoch number") }
        return Int64((number * factor).rounded())
    }

    /// A time with its own offset (`%z`), or a pattern without a zone, is read in UTC.
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The directives ``parse(_:pattern:calendar:)`` reads.
    static let directives: Set<Character> = ["Y", "y", "m", "d", "e", "H", "M", "S", "f", "b", "h", "z", "T", "F", "%"]

    /// The first directive of `pattern` that is not read, if any (`%A`, a `%` at the end).
    static func unsupported(in pattern: String) -> String? {
        var chars = pattern.makeIterator()
        while let c = chars.next() {
            guard c == "%" else { continue }
            guard let d = chars.next() else { return "%" }
            if !directives.contains(d) { return "%\(d)" }
        }
        return nil
    }

    /// `text` read with the strftime `pattern`: `%Y %y %m %d %e %H %M %S %f %b %z %T %F %%` and
    /// literal characters (the whole text must match); with `%z` at its own offset, else in
    /// `calendar`'s zone (whose summer time applies).
    static func parse(_ text: String, pattern: String, calendar: Calendar?) -> Int64? {
        var p = TimePattern(text: Array(text.utf8))
        guard p.read(Array(pattern.utf8)), p.at == p.text.count, (1...12).contains(p.month), (1...31).contains(p.day),
              p.hour < 24, p.minute < 60, p.second < 61 else { return nil }
        let zoned = p.offset == nil ? (calendar ?? Self.utc) : Self.utc
        let components = DateComponents(year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second)
        guard let date = zoned.date(from: components) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded()) + p.milliseconds - Int64(p.offset ?? 0) * 1000
    }
}

/// The fields of a time read by a strftime pattern.
private struct TimePattern {
    let text: [UInt8]
    var at = 0
    var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0
    var milliseconds: Int64 = 0
    /// Seconds east of UTC, when the text gives it (`%z`).
    var offset: Int?

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    init(text: [UInt8]) { self.text = text }

    mutating func read(_ pattern: [UInt8]) -> Bool {
        var k = 0
        while k < pattern.count {
            let c = pattern[k]
            k += 1
            guard c == UInt8(ascii: "%"), k < pattern.count else {
                guard at < text.count, text[at] == c else { return false }
                at += 1
                continue
            }
            let directive = pattern[k]
            k += 1
            switch directive {
            case UInt8(ascii: "Y"): guard let v = digits(4, 4) else { return false }; year = v
            case UInt8(ascii: "y"): guard let v = digits(2, 2) else { return false }; year = 2000 + v
            case UInt8(ascii: "m"): guard let v = digits(1, 2) else { return false }; month = v
            case UInt8(ascii: "d"): guard let v = digits(1, 2) else { return false }; day = v
            case UInt8(ascii: "e"):
                if at < text.count, text[at] == UInt8(ascii: " ") { at += 1 }
                guard let v = digits(1, 2) else { return false }; day = v
            case UInt8(ascii: "H"): guard let v = digits(1, 2) else { return false }; hour = v
            case UInt8(ascii: "M"): guard let v = digits(1, 2) else { return false }; minute = v
            case UInt8(ascii: "S"): guard let v = digits(1, 2) else { return false }; second = v
            case UInt8(ascii: "f"):
                let start = at
                guard let v = digits(1, 9) else { return false }
                milliseconds = Int64((Double(v) / pow(10, Double(at - start)) * 1000).rounded(.down))
            case UInt8(ascii: "b"), UInt8(ascii: "h"):
                guard at + 3 <= text.count, let m = Self.months.firstIndex(of: String(decoding: text[at..<at + 3], as: UTF8.self).lowercased()) else { return false }
                month = m + 1
                at += 3
            case UInt8(ascii: "z"):
                guard at < text.count else { return false }
                if text[at] == UInt8(ascii: "Z") { at += 1; offset = 0; continue }
                guard text[at] == UInt8(ascii: "+") || text[at] == UInt8(ascii: "-") else { return false }
                let sign = text[at] == UInt8(ascii: "-") ? -1 : 1
                at += 1
                guard let h = digits(2, 2) else { return false }
                if at < text.count, text[at] == UInt8(ascii: ":") { at += 1 }
                guard let m = digits(2, 2) else { return false }
                offset = sign * (h * 3600 + m * 60)
            case UInt8(ascii: "T"): guard read(Array("%H:%M:%S".utf8)) else { return false }
            case UInt8(ascii: "F"): guard read(Array("%Y-%m-%d".utf8)) else { return false }
            case UInt8(ascii: "%"):
                guard at < text.count, text[at] == UInt8(ascii: "%") else { return false }
                at += 1
            default: return false
            }
        }
        return true
    }

    /// A number of `min` to `max` digits.
    mutating func digits(_ min: Int, _ max: Int) -> Int? {
        var value = 0, n = 0
        while n < max, at < text.count, text[at] >= UInt8(ascii: "0"), text[at] <= UInt8(ascii: "9") {
            value = value * 10 + Int(text[at] - UInt8(ascii: "0"))
            at += 1
            n += 1
        }
        return n >= min ? value : nil
    }
}
