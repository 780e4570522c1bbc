import LantaarnModel
import Testing

struct JSONParserTests {
    @Test func selectionBuildsOnlyWhatIsNamedAndStillChecksTheRest() throws {
        let selection = JSONParser.Selection(keys: ["up", "rssi", "list"], whole: ["decoded"])
        func parse(_ text: String) throws -> JSONValue {
            try Array(text.utf8).withUnsafeBytes { buf in try JSONParser.parse(buf, selecting: selection) }
        }
        let v = try parse(#"{"up":{"rssi":-3,"token":"a\"b\u00e9","list":[{"rssi":1,"x":[1,2,{"y":null}]}],"decoded":{"a":{"b":2.5},"s":"t"}},"other":[true,false,1e3]}"#)
        #expect(v["up"]?["rssi"] == .number(-3) && v["up"]?["token"] == nil && v["other"] == nil)
        #expect(v["up"]?["list"]?.arrayValue?.first?["rssi"] == .number(1) && v["up"]?["list"]?.arrayValue?.first?["x"] == nil)
        #expect(v["up"]?["decoded"]?["a"]?["b"] == .number(2.5) && v["up"]?["decoded"]?["s"] == .string("t"))
        // A skipped member is still checked: broken JSON anywhere is refused.
        for broken in [#"{"other":[1,2}"#, #"{"other":"\x"}"#, #"{"other":tru}"#, #"{"other":{"k" 1}}"#, #"{"other":"open}"#, #"{"other":-}"#] {
            #expect(throws: JSONParseError.self, "\(broken)") { _ = try parse(broken) }
        }
    }

    @Test func parsesNestedDocument() throws {
        let v = try JSONParser.parse(#" {"ts":"2026-11-22T10:00:00Z","values":{"pm25":12.3,"pm10":-2e1},"ok":true,"n":null,"a":[1,"\u00e9\n"]} "#)
        #expect(v["ts"]?.stringValue == "2026-11-22T10:00:00Z")
        #expect(v["values"]?["pm25"]?.numberValue == 12.3)
        #expect(v["values"]?["pm10"]?.numberValue == -20)
        #expect(v["ok"] == .bool(true))
        #expect(v["n"] == .null)
        #expect(v["a"]?.arrayValue?[1].stringValue == "é\n")
        #expect(v["values"]?.objectMembers?.map(\.0) == ["pm25", "pm10"])
    }

    @Test func surrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#).stringValue == "😀")
    }

    /// The Open311 spec examples contain `"service_code":006`; such input must be refused with a position.
    @Test(arguments: [
        (#"{"service_code":006}"#, 16), ("{", 1), (#"{"a":1,}"#, 7), ("[1 2]", 3), (#""abc"#, 4),
        ("tru", 0), (#"{"a":"\x"}"#, 7), ("01", 0), ("1.", 2), (#"{"a":1} x"#, 8), ("", 0),
    ])
    func rejectsInvalidWithOffset(_ text: String, _ offset: Int) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
        }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func writerRoundTrips() throws {
        let v = JSONValue.object([("s", .string("a\"b\\c\u{1}")), ("n", .number(1.5)), ("i", .number(3)), ("z", .array([.null, .bool(false)]))])
        let text = JSONWriter.string(v)
        #expect(text == #"{"s":"a\"b\\c\u0001","n":1.5,"i":3,"z":[null,false]}"#)
        #expect(try JSONParser.parse(text) == v)
    }
}

struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array(String(repeating: "a", count: 1000).utf8))
            == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

struct DecimalNumberTests {
    /// The fast path is correctly rounded: bit for bit what the standard library parses.
    @Test func fastPathMatchesTheStandardLibrary() {
        var rng = SystemRandomNumberGenerator()
        var fast = 0
        for _ in 0..<20000 {
            let digits = String(UInt64.random(in: 0...UInt64(1) << Int.random(in: 1...60, using: &rng), using: &rng))
            let point = Int.random(in: 0...digits.count, using: &rng)
            var text = String(digits.prefix(point)) + (point < digits.count ? "." + digits.dropFirst(point) : "")
            if text.hasPrefix(".") { text = "0" + text }
            if Bool.random(using: &rng) { text += "e\(Int.random(in: -30...30, using: &rng))" }
            if Bool.random(using: &rng) { text = "-" + text }
            let expected = Double(text)!
            let got = Array(text.utf8).withUnsafeBytes { DecimalNumber.fastParse($0) }
            if let got { fast += 1; #expect(got.bitPattern == expected.bitPattern, "\(text)") }
            #expect(Array(text.utf8).withUnsafeBytes { DecimalNumber.parse($0) }?.bitPattern == expected.bitPattern, "\(text)")
        }
        #expect(fast > 5000)
    }
}
