import LantaarnModel

/// SenML JSON (RFC 8428): a pack of records whose base fields (`bn`, `bt`, `bu`, `bv`,
/// `bs`) apply to every later record until changed, with times relative to "now" when
/// they are below 2^28 (RFC 8428 §4.5.3).
///
/// Numeric values (`v`, and `s` when a record has only a sum) and booleans (`vb`, as 1 or
/// 0) become values named by the resolved name; a record without `n` keeps the base name.
/// Strings (`vs`) are kept as text; opaque data (`vd`) is ignored.
public struct SenMLCodec: PayloadCodec {
    /// A resolved record (RFC 8428 §4.6).
    public struct Record: Sendable, Equatable {
        public enum Value: Sendable, Equatable {
            case number(Double)
            case string(String)
            case bool(Bool)
            case data(String)
        }

        public var name: String
        public var unit: String?
        /// Seconds since the epoch.
        public var time: Double
        public var value: Value?
        public var sum: Double?
    }

    /// Times below this are relative to now (RFC 8428 §4.5.3).
    static let relativeLimit = 268_435_456.0
    /// Resolved times must be below this many seconds from 1970 either way (the year 5138).
    static let timeLimit = 100_000_000_000.0

    public init() {}

    public func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage {
        let records = try Self.resolve(PayloadCodecs.parseJSON(payload, format: "a SenML pack [{\"bn\":…,\"n\":…,\"v\":…}]"),
                                       now: Double(receivedAt) / 1000)
        var values: [DecodedValue] = []
        var texts: [String: String] = [:]
        for r in records {
            let ts = Int64((r.time * 1000).rounded())
            switch r.value {
            case .number(let v): values.append(DecodedValue(r.name, v, unit: r.unit, timestamp: ts))
            case .bool(let b): values.append(DecodedValue(r.name, b ? 1 : 0, unit: r.unit, timestamp: ts))
            case .string(let s): texts[r.name] = s
            case .data: break
            case nil: if let s = r.sum { values.append(DecodedValue(r.name, s, unit: r.unit, timestamp: ts)) }
            }
        }
        return DecodedMessage(timestamp: nil, values: values, texts: texts, device: records.first.map { Self.device(of: $0.name) })
    }

    /// The device part of a resolved name: up to the last ':' or '/' (`urn:dev:ow:10e2…:temp`
    /// → `urn:dev:ow:10e2…`), or the whole name when it has none.
    static func device(of name: String) -> String {
        guard let cut = name.lastIndex(where: { $0 == ":" || $0 == "/" }), cut != name.startIndex else { return name }
        return String(name[..<cut])
    }

    /// Resolves a parsed pack: base fields applied, relative times made absolute against `now`
    /// (seconds). Errors name the record (0-based) and the field.
    public static func resolve(_ pack: JSONValue, now: Double) throws(CodecError) -> [Record] {
        guard case .array(let items) = pack else { throw CodecError("a SenML pack is a JSON array of records") }
        guard !items.isEmpty else { throw CodecError("the SenML pack is empty") }
        var baseName = "", baseTime = 0.0, baseUnit: String?, baseValue = 0.0, baseSum = 0.0
        var out: [Record] = []
        for (index, item) in items.enumerated() {
            guard case .object(let fields) = item else { throw CodecError("SenML record \(index) is not a JSON object") }
            func number(_ key: String) throws(CodecError) -> Double? {
                guard let v = item[key] else { return nil }
                guard case .number(let n) = v, n.isFinite else { throw CodecError("SenML record \(index): '\(key)' must be a finite number") }
                return n
            }
            func string(_ key: String) throws(CodecError) -> String? {
                guard let v = item[key] else { return nil }
                guard case .string(let s) = v else { throw CodecError("SenML record \(index): '\(key)' must be a string") }
                return s
            }
            if let v = try number("bver"), v > 10 {
                throw CodecError("SenML record \(index): version \(v < 1_000_000 ? String(Int(v)) : String(v)) is newer than RFC 8428 (10)")
            }
            if let bn = try string("bn") { baseName = bn }
            if let bt = try number("bt") { baseTime = bt }
            if let bu = try string("bu") { baseUnit = bu }
            if let bv = try number("bv") { baseValue = bv }
            if let bs = try number("bs") { baseSum = bs }
            let n = try string("n")
            let v = try number("v"), s = try number("s"), vs = try string("vs"), vd = try string("vd")
            var vb: Bool?
            if let b = item["vb"] {
                guard case .bool(let flag) = b else { throw CodecError("SenML record \(index): 'vb' must be true or false") }
                vb = flag
            }
            let valueFields = [v != nil, vs != nil, vb != nil, vd != nil].filter { $0 }.count
            guard valueFields <= 1 else { throw CodecError("SenML record \(index) has more than one value field (v, vs, vb, vd)") }
            // A record of base fields only (no name, value or sum) just sets the base.
            if valueFields == 0, s == nil {
                if n == nil, fields.allSatisfy({ $0.0.hasPrefix("b") }) { continue }
                throw CodecError("SenML record \(index) has no value (v, vs, vb, vd) and no sum (s)")
            }
            let name = baseName + (n ?? "")
            guard Self.validName(name) else {
                throw CodecError("SenML record \(index): name '\(name.prefix(80))' is empty or uses characters outside A-Z a-z 0-9 - : . / _")
            }
            var time = baseTime + (try number("t") ?? 0)
            if time < relativeLimit { time += now }
            // A time that no reading can have (and that no Int64 of milliseconds holds).
            guard time.magnitude < Self.timeLimit else {
                throw CodecError("SenML record \(index): time \(time) is not a plausible time; write seconds since 1970 in 't' or 'bt' (RFC 8428 §4.5.3)")
            }
            let value: Record.Value?
            if let v { value = .number(baseValue + v) } else if let vs { value = .string(vs) } else if let vb { value = .bool(vb) }
            else if let vd { value = .data(vd) } else { value = nil }
            out.append(Record(name: name, unit: try string("u") ?? baseUnit, time: time, value: value, sum: s.map { baseSum + $0 }))
        }
        return out
    }

    /// RFC 8428 §4.5.1: starts with a letter or digit; then letters, digits, `-:./_`.
    static func validName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isAlnum(first) else { return false }
        return name.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
            || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "_") }
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
}
