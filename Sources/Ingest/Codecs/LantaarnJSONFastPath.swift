import LantaarnModel

/// A single pass over the common shape of a Lantaarn payload,
/// `{"ts":"…" or number,"values":{"name":number,…}}` with plain (unescaped) names, that builds
/// no JSON tree. Anything else (escapes, other members, nesting, errors) returns `nil`, and
/// the general parser decodes the payload and words any error; so this path only makes the
/// common case fast and never changes an outcome.
enum LantaarnJSONFastPath {
    static func decode(_ p: UnsafeRawBufferPointer) -> DecodedMessage? {
        var s = Scanner(bytes: p)
        guard s.consume(UInt8(ascii: "{")) else { return nil }
        var timestamp: Int64?
        var values: [DecodedValue]?
        repeat {
            guard let key = s.plainString() else { return nil }
            guard s.consume(UInt8(ascii: ":")) else { return nil }
            if key.count == 2, key[0] == UInt8(ascii: "t"), key[1] == UInt8(ascii: "s"), timestamp == nil {
                guard let t = s.timestamp() else { return nil }
                timestamp = t
            } else if key.count == 6, equals(key, "values"), values == nil {
                guard s.consume(UInt8(ascii: "{")) else { return nil }
                var list: [DecodedValue] = []
                list.reserveCapacity(4)
                repeat {
                    guard let name = s.plainString(), !name.isEmpty, s.consume(UInt8(ascii: ":")), let v = s.number() else { return nil }
                    list.append(DecodedValue(String(decoding: name, as: UTF8.self), v))
                } while s.consume(UInt8(ascii: ","))
                guard s.consume(UInt8(ascii: "}")) else { return nil }
                values = list
            } else {
                return nil
            }
        } while s.consume(UInt8(ascii: ","))
        guard s.consume(UInt8(ascii: "}")), s.atEnd, let timestamp, let values, !values.isEmpty else { return nil }
        return DecodedMessage(timestamp: timestamp, values: values)
    }

    private static func equals(_ key: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        guard key.count == word.utf8CodeUnitCount else { return false }
        for k in 0..<key.count where key[k] != word.utf8Start[k] { return false }
        return true
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        var atEnd: Bool {
            mutating get { skipSpace(); return i == bytes.count }
        }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func consume(_ c: UInt8) -> Bool {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }

        /// A string without escapes or control characters, as its raw bytes.
        mutating func plainString() -> UnsafeRawBufferPointer? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            let start = i
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    defer { i += 1 }
                    return UnsafeRawBufferPointer(rebasing: bytes[start..<i])
                }
                guard c >= 0x20, c != UInt8(ascii: "\\"), c < 0x80 else { return nil }
                i += 1
            }
            return nil
        }

        /// A JSON number with strict grammar (no leading zeros, digits after '.' and in exponents).
        mutating func number() -> Double? {
            skipSpace()
            let start = i
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, bytes[i] &- 48 < 10 else { return nil }
            if bytes[i] == UInt8(ascii: "0") {
                i += 1
                if i < bytes.count, bytes[i] &- 48 < 10 { return nil }
            } else {
                while i < bytes.count, bytes[i] &- 48 < 10 { i += 1 }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard i < bytes.count, bytes[i] &- 48 < 10 else { return nil }
                while i < bytes.count, bytes[i] &- 48 < 10 { i += 1 }
            }
            if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard i < bytes.count, bytes[i] &- 48 < 10 else { return nil }
                while i < bytes.count, bytes[i] &- 48 < 10 { i += 1 }
            }
            guard let v = DecimalNumber.fastParse(UnsafeRawBufferPointer(rebasing: bytes[start..<i])), v.isFinite else { return nil }
            return v
        }

        /// `ts` as the general decoder reads it: an ISO 8601 string, or epoch seconds or milliseconds.
        mutating func timestamp() -> Int64? {
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "\"") {
                guard let text = plainString() else { return nil }
                return ISO8601.parse(bytes: text.bindMemory(to: UInt8.self))
            }
            guard let n = number() else { return nil }
            return LantaarnJSONCodec.epochMilliseconds(n)
        }
    }
}
