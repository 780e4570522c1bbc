/// Reads the values at a fixed set of JSON Pointers from a document in one pass: the members on
/// the way to them are matched as bytes, everything else is checked for syntax and skipped, and
/// no tree is built. What a JSON mapping needs from each message (a time, a device, a few fields),
/// optionally once per element of a records array.
///
/// A pointer's value is taken at its first occurrence (as `JSONPointer.resolve` does with
/// duplicate keys); an array index matches the element at that decimal index.
public struct JSONExtraction: Sendable {
    /// One token on the way to values: the steps below it, and the slot it fills when a pointer ends here.
    final class Step: Sendable {
        let token: [UInt8]
        let children: [Step]
        let slot: Int?
        /// Pointers that go on below a step that is itself a slot: resolved in the value built for it.
        let below: [(pointer: JSONPointer, slot: Int)]

        init(token: [UInt8], pointers: [(tokens: ArraySlice<String>, slot: Int)]) {
            self.token = token
            let ending = pointers.first { $0.tokens.isEmpty }
            slot = ending?.slot
            let deeper = pointers.filter { !$0.tokens.isEmpty }
            if slot != nil {
                children = []
                below = deeper.map { (JSONPointer(tokens: Array($0.tokens)), $0.slot) }
            } else {
                var order: [String] = []
                var byToken: [String: [(tokens: ArraySlice<String>, slot: Int)]] = [:]
                for p in deeper {
                    let head = p.tokens.first!
                    if byToken[head] == nil { order.append(head) }
                    byToken[head, default: []].append((p.tokens.dropFirst(), p.slot))
                }
                children = order.map { Step(token: Array($0.utf8), pointers: byToken[$0]!) }
                below = []
            }
        }

        /// The child whose token is these bytes.
        func child(_ key: UnsafeRawBufferPointer) -> Step? {
            children.first { step in
                step.token.count == key.count && step.token.withUnsafeBytes { t in t.elementsEqual(key) }
            }
        }
    }

    /// The values of one record, by slot (`nil`: not in it).
    public typealias Row = [JSONValue?]

    /// What a document gave: without records one row; with records, one row per element (`nil`
    /// for a document or element that is not an object), or why there are none.
    public enum Records: Equatable {
        case missing
        case notAList
        case rows([Row?])
    }

    let root: Step
    let recordsPath: Step?
    let width: Int

    /// Values at `pointers` (slot k is `pointers[k]`), from the document or, with `records`,
    /// from each element of the array there.
    public init(pointers: [JSONPointer], records: JSONPointer? = nil) {
        width = pointers.count
        root = Step(token: [], pointers: pointers.enumerated().map { (tokens: $0.element.tokens[...], slot: $0.offset) })
        recordsPath = records.map { Step(token: [], pointers: [($0.tokens[...], 0)]) }
    }

    /// Extracts from one document; throws for a document that is not valid JSON.
    public func extract(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> Records {
        var parser = JSONParser(bytes)
        var records = Records.missing
        var row = Row(repeating: nil, count: width)
        parser.skipSpace()
        if let recordsPath {
            try parser.walkToRecords(recordsPath, extraction: self, into: &records)
        } else if parser.i < bytes.count, bytes[parser.i] == UInt8(ascii: "{") {
            try parser.walk(root, into: &row)
            records = .rows([row])
        } else {
            try parser.skipValue()
            records = .rows([nil])
        }
        parser.skipSpace()
        guard parser.i == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return records
    }
}

extension JSONParser {
    /// Reads the value at `i` into the slots of `step` and the steps below it.
    mutating func walk(_ step: JSONExtraction.Step, into row: inout JSONExtraction.Row) throws(JSONParseError) {
        if let slot = step.slot {
            let value = try value()
            if row[slot] == nil { row[slot] = value }
            for (pointer, slot) in step.below where row[slot] == nil { row[slot] = pointer.resolve(in: value) }
            return
        }
        try members(of: step) { parser, child throws(JSONParseError) in try parser.walk(child, into: &row) }
    }

    /// Walks to the records array and reads each element with the extraction's steps.
    mutating func walkToRecords(_ step: JSONExtraction.Step, extraction: JSONExtraction, into records: inout JSONExtraction.Records) throws(JSONParseError) {
        guard step.slot != nil else {
            try members(of: step) { parser, child throws(JSONParseError) in try parser.walkToRecords(child, extraction: extraction, into: &records) }
            return
        }
        guard case .missing = records else { return try skipValue() }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else {
            records = .notAList
            return try skipValue()
        }
        try enter()
        i += 1
        var rows: [JSONExtraction.Row?] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            records = .rows(rows)
            return
        }
        while true {
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "{") {
                var row = JSONExtraction.Row(repeating: nil, count: extraction.width)
                try walk(extraction.root, into: &row)
                rows.append(row)
            } else {
                try skipValue()
                rows.append(nil)
            }
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of input in array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; records = .rows(rows); return }
            throw error("expected ',' or ']' in array")
        }
    }

    /// Calls `visit` for each member (or element) of the object or array at `i` that one of
    /// `step`'s children names, and skips the rest; a scalar is skipped whole.
    private mutating func members(of step: JSONExtraction.Step,
                                  _ visit: (inout JSONParser, JSONExtraction.Step) throws(JSONParseError) -> Void) throws(JSONParseError) {
        guard i < bytes.count else { throw error("unexpected end of input") }
        let isObject = bytes[i] == UInt8(ascii: "{")
        guard isObject || bytes[i] == UInt8(ascii: "[") else { return try skipValue() }
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        try enter()
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == close { i += 1; depth -= 1; return }
        var index = 0
        while true {
            skipSpace()
            let child: JSONExtraction.Step?
            if isObject {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                child = try key(in: step)
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
                i += 1
                skipSpace()
            } else {
                child = Array(String(index).utf8).withUnsafeBytes { step.child($0) }
                index += 1
            }
            if let child { try visit(&self, child) } else { try skipValue() }
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of input") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == close { i += 1; depth -= 1; return }
            throw error(isObject ? "expected ',' or '}' in object" : "expected ',' or ']' in array")
        }
    }

    /// Reads an object's key and returns the child of `step` it names.
    private mutating func key(in step: JSONExtraction.Step) throws(JSONParseError) -> JSONExtraction.Step? {
        switch try key() {
        case .plain(let raw): return step.child(raw)
        case .escaped(var text): return text.withUTF8 { step.child(UnsafeRawBufferPointer($0)) }
        }
    }
}
