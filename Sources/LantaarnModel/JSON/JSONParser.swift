/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Written for the ingest hot path: one pass, no Foundation, and errors that
/// give the byte offset so a quarantined payload can be fixed at the sensor.
public struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var i = 0
    var depth = 0
    /// When set, object members outside it are checked and skipped, not built.
    private var selection: Selection?
    /// Deeper nesting than this is refused, so hostile payloads cannot exhaust the stack.
    public static let maxDepth = 64

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Parses exactly one JSON value (surrounded by optional whitespace).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var p = JSONParser(bytes)
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        guard p.i == bytes.count else { throw p.error("unexpected data after the JSON value") }
        return v
    }

    /// The members of objects a caller needs from a large document: `keys` wherever they occur,
    /// `whole` with everything inside. Other members are checked for syntax and skipped
    /// without being built (a network server's uplink is mostly metadata no reading needs).
    public struct Selection: Sendable {
        public let keys: Set<String>
        public let whole: Set<String>
        /// Every selected key's UTF-8 bytes, with whether it is taken whole, by length: a
        /// payload's key is compared as bytes (most are refused by their length or first byte),
        /// so a skipped member's key never becomes a `String`.
        private let byLength: [[(bytes: [UInt8], whole: Bool)]]

        public init(keys: Set<String>, whole: Set<String>) {
            self.keys = keys
            self.whole = whole
            let names = whole.map { (Array($0.utf8), true) } + keys.subtracting(whole).map { (Array($0.utf8), false) }
            var byLength = [[(bytes: [UInt8], whole: Bool)]](repeating: [], count: (names.map(\.0.count).max() ?? 0) + 1)
            for name in names { byLength[name.0.count].append(name) }
            self.byLength = byLength
        }

        /// Whether a key (its bytes between the quotes, without escapes) is selected, and whole.
        func match(_ key: UnsafeRawBufferPointer) -> (selected: Bool, whole: Bool) {
            guard key.count < byLength.count else { return (false, false) }
            for name in byLength[key.count] {
                var k = 0
                while k < key.count, name.bytes[k] == key[k] { k += 1 }
                if k == key.count { return (true, name.whole) }
            }
            return (false, false)
        }
    }

    /// Parses exactly one JSON value, building only the object members `selection` names.
    public static func parse(_ bytes: UnsafeRawBufferPointer, selecting selection: Selection) throws(JSONParseError) -> JSONValue {
        var p = JSONParser(bytes)
        p.selection = selection
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        guard p.i == bytes.count else { throw p.error("unexpected data after the JSON value") }
        return v
    }

    /// Parses one JSON string that starts (with its quote) at `offset` of `bytes`; returns it and
    /// the offset just past its closing quote. For line formats that read the rest themselves.
    public static func string(in bytes: UnsafeRawBufferPointer, at offset: Int) throws(JSONParseError) -> (value: String, end: Int) {
        var p = JSONParser(bytes)
        p.i = offset
        let value = try p.string()
        return (value, p.i)
    }

    /// Parses a JSON document held in a `String`.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var copy = text
        let result = copy.withUTF8 { buf -> Result<JSONValue, JSONParseError> in
            do throws(JSONParseError) {
                return .success(try parse(UnsafeRawBufferPointer(buf)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses a JSON document held in a byte array.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buf -> Result<JSONValue, JSONParseError> in
            do throws(JSONParseError) {
                return .success(try parse(buf))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: i, reason: reason) }

    mutating func skipSpace() {
        while i < bytes.count {
            let c = bytes[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    mutating func value() throws(JSONParseError) -> JSONValue {
        guard i < bytes.count else { throw error("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw error("unexpected end of input") }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] {
            throw error("invalid literal")
        }
        i += n
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func object() throws(JSONParseError) -> JSONValue {
        try enter()
        i += 1
        var members: [(String, JSONValue)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(members) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            // Under a selection a plain key is compared as bytes; only a selected one becomes a String.
            let (key, taken): (String?, (selected: Bool, whole: Bool))
            if let selection { (key, taken) = try selectedKey(selection) } else { (key, taken) = (try string(), (true, false)) }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
            i += 1
            skipSpace()
            if let key, taken.whole {
                let kept = selection
                selection = nil
                defer { selection = kept }
                members.append((key, try value()))
            } else if let key, taken.selected {
                members.append((key, try value()))
            } else {
                try skipValue()
            }
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of input in object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(members) }
            throw error("expected ',' or '}' in object")
        }
    }

    /// An object's key as read: its bytes between the quotes when it has no escape (nothing is
    /// built: most keys of a large document are only compared), else the decoded text.
    enum Key {
        case plain(UnsafeRawBufferPointer)
        case escaped(String)
    }

    /// Reads the key that starts (with its quote) at `i`.
    @inline(__always)
    mutating func key() throws(JSONParseError) -> Key {
        let start = i + 1
        var end = Self.plainRun(bytes, from: start)
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return .escaped(try string()) }
        i = end + 1
        return .plain(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    /// Reads an object's key under a selection: the key when it is selected (nil when not) and how.
    private mutating func selectedKey(_ selection: Selection) throws(JSONParseError) -> (String?, (selected: Bool, whole: Bool)) {
        switch try key() {
        case .plain(let raw):
            // A selected key's bytes are those of a selected name: valid UTF-8.
            let taken = selection.match(raw)
            return (taken.selected ? String(decoding: raw, as: UTF8.self) : nil, taken)
        case .escaped(let key):
            let whole = selection.whole.contains(key)
            return (key, (whole || selection.keys.contains(key), whole))
        }
    }

    /// Checks one value's syntax and moves past it without building it.
    mutating func skipValue() throws(JSONParseError) {
        guard i < bytes.count else { throw error("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = bytes[i] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            try enter()
            i += 1
            skipSpace()
            if i < bytes.count, bytes[i] == close { i += 1; depth -= 1; return }
            while true {
                skipSpace()
                if isObject {
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                    try skipString()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
                    i += 1
                    skipSpace()
                }
                try skipValue()
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of input") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == close { i += 1; depth -= 1; return }
                throw error(isObject ? "expected ',' or '}' in object" : "expected ',' or ']' in array")
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try number()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'")
        }
    }

    /// Moves past a string, checking its escapes and that it holds no control character.
    private mutating func skipString() throws(JSONParseError) {
        i += 1
        i = Self.plainRun(bytes, from: i)
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return }
            if c < 0x20 { throw error("control character in string") }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                switch bytes[i] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
                case UInt8(ascii: "u"): _ = try hex4()
                default: throw error("invalid escape")
                }
            }
            i += 1
        }
        throw error("unterminated string")
    }

    /// The end of the run of string bytes from `start` that need no attention (no quote,
    /// backslash or control character), eight bytes at a time: a word with none of them is
    /// passed whole, the first word with one ends the run at its start.
    @inline(__always)
    static func plainRun(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= bytes.count {
            let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            // A byte below 0x20, or equal to '"' or '\\' (each found as a zero byte after xor).
            let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
            let flagged = ((w &- ones &* 0x20) | (quote &- ones) | (backslash &- ones)) & ~w & highs
            if flagged != 0 { return i }
            i += 8
        }
        return i
    }

    private mutating func array() throws(JSONParseError) -> JSONValue {
        try enter()
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of input in array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(items) }
            throw error("expected ',' or ']' in array")
        }
    }

    private mutating func number() throws(JSONParseError) -> Double {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw error("invalid number") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < bytes.count, isDigit(bytes[i]) { throw JSONParseError(offset: start, reason: "number with a leading zero") }
        } else {
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("digit expected after '.'") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("digit expected in exponent") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        guard let d = DecimalNumber.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<i])) else {
            throw JSONParseError(offset: start, reason: "invalid number")
        }
        return d
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    mutating func string() throws(JSONParseError) -> String {
        i += 1
        let start = i
        // Fast path: no escapes. ASCII needs no UTF-8 validation (and String(validating:), generic
        // over the encoding, costs a metadata lookup per call: most of a key's parse).
        var ascii = true
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
                let s = ascii ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self)
                guard let s else { throw JSONParseError(offset: start, reason: "string is not valid UTF-8") }
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in string") }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw JSONParseError(offset: start, reason: "string is not valid UTF-8")
                }
                return s
            }
            if c < 0x20 { throw error("control character in string") }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            switch bytes[i] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"), bytes[i + 2] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("unpaired surrogate in \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw error("invalid escape")
            }
            i += 1
        }
        throw error("unterminated string")
    }

    /// Reads the 4 hex digits after `\u`; leaves `i` on the last digit.
    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 < bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for k in 1...4 {
            let c = bytes[i + k]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }
}

/// Why a JSON document was rejected and at which byte offset.
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Byte offset (0-based) where parsing failed.
    public var offset: Int
    /// What was wrong.
    public var reason: String

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
