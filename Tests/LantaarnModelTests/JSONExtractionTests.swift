import LantaarnModel
import Testing

/// Reading values at JSON Pointers in one pass (`JSONExtraction`, used by JSON mappings) gives
/// what parsing the whole document and resolving each pointer gives, and refuses what the
/// parser refuses; strings are skipped eight bytes at a time without missing a quote, a
/// backslash or a control character at any position.
struct JSONExtractionTests {
    func extract(_ text: String, _ pointers: [String], records: String? = nil) throws -> JSONExtraction.Records {
        let extraction = JSONExtraction(pointers: pointers.map { JSONPointer($0)! }, records: records.flatMap(JSONPointer.init))
        return try Array(text.utf8).withUnsafeBytes { buf in try extraction.extract(buf) }
    }

    static let documents = [
        #"{"a":1,"b":{"c":[10,{"d":"x\"y"},true],"e":null},"f~g":2,"h/i":3,"a":99,"s":"caf\u00e9 \\ \/ end"}"#,
        #"{"up":{"decoded":{"t":21.5,"rh":40},"meta":[1,2,3]},"time":"2026-11-23T08:00:00Z"}"#,
        #"{"\u0061":5,"b":{"c":[0,1,2,3,4,5,6,7,8,9,10,11]}}"#,
        #"[1,2]"#,
        #"{}"#,
    ]
    static let pointers = ["/a", "/b/c/1/d", "/b/c/2", "/b/e", "/f~0g", "/h~1i", "/up/decoded/t", "/up/decoded/rh", "/time", "/s",
                           "/b/c/11", "/b/c/01", "/missing/x", "/up/meta/0/x"]

    @Test(arguments: documents)
    func matchesResolvingThePointersInTheWholeDocument(_ text: String) throws {
        let whole = try JSONParser.parse(text)
        let extracted = try extract(text, Self.pointers)
        guard case .object = whole else {
            #expect(extracted == .rows([nil]))
            return
        }
        guard case .rows(let rows) = extracted, rows.count == 1, let row = rows[0] else {
            Issue.record("\(extracted)")
            return
        }
        for (k, pointer) in Self.pointers.enumerated() {
            #expect(row[k] == JSONPointer(pointer)!.resolve(in: whole), "\(pointer) in \(text)")
        }
    }

    /// A pointer that ends where another goes on: the deeper one is read from the value built for it.
    @Test func pointersBelowAnotherPointer() throws {
        let text = Self.documents[0]
        let whole = try JSONParser.parse(text)
        let pointers = ["/b", "/b/c/1/d", "/b/c/01", "/b/e/x"]
        guard case .rows(let rows) = try extract(text, pointers), let row = rows.first ?? nil else { Issue.record("no row"); return }
        #expect(row[0]?["e"] == .null && row[1] == .string("x\"y") && row[2] == nil && row[3] == nil)
        for (k, pointer) in pointers.enumerated() { #expect(row[k] == JSONPointer(pointer)!.resolve(in: whole), "\(pointer)") }
    }

    @Test func recordsAreReadElementByElement() throws {
        let report = #"{"status":200,"report":[{"t":"08:00","car":4.5,"seg":{"id":7}},"not a record",{"car":6,"t":"09:00"}],"report2":[]}"#
        #expect(try extract(report, ["/t", "/seg/id", "/car"], records: "/report") ==
                .rows([[.string("08:00"), .number(7), .number(4.5)], nil, [.string("09:00"), nil, .number(6)]]))
        #expect(try extract(report, ["/car"], records: "/report2") == .rows([]))
        #expect(try extract(report, ["/car"], records: "/status") == .notAList)
        #expect(try extract(report, ["/car"], records: "/nothing") == .missing)
    }

    @Test func invalidDocumentsAreRefusedAsByTheParser() {
        let broken = [#"{"a":[1,2}"#, #"{"a":"\x"}"#, #"{"a":tru}"#, #"{"a":{"k" 1}}"#, #"{"a":"open}"#, #"{"a":-}"#,
                      #"{"zz":1} x"#, "{\"a\":\"tab\there\"}", #"{"report":[{"car":1},]}"#]
        for text in broken {
            #expect(throws: JSONParseError.self, "\(text)") { _ = try JSONParser.parse(text) }
            #expect(throws: JSONParseError.self, "\(text)") { _ = try extract(text, ["/a", "/zz"], records: text.contains("report") ? "/report" : nil) }
            #expect(throws: JSONParseError.self, "\(text)") { _ = try extract(text, ["/b"]) }
        }
    }

    /// A quote, backslash escape or control character at every offset of strings up to 24 bytes,
    /// skipped (under a selection) and built: both agree with the plain parser.
    @Test func stringsAreSkippedWordByWordWithoutMissingAnything() throws {
        let selection = JSONParser.Selection(keys: ["keep"], whole: [])
        for length in 0...24 {
            for at in 0..<max(length, 1) {
                for special in [#"\""#, #"\\"#, #"\u00e9"#, "é", "\t", "\u{01}"] {
                    var body = String(repeating: "a", count: length)
                    if length > 0 { body = String(body.prefix(at)) + special + String(body.dropFirst(at + 1)) }
                    let text = #"{"skip":""# + body + #"","keep":""# + body + #""}"#
                    let plain = Result { try JSONParser.parse(text) }
                    let selected = Result { try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0, selecting: selection) } }
                    let extracted = Result { try extract(text, ["/keep"]) }
                    switch plain {
                    case .success(let whole):
                        #expect(try selected.get()["keep"] == whole["keep"], "\(text)")
                        #expect(try extracted.get() == .rows([[whole["keep"]]]), "\(text)")
                    case .failure:
                        #expect(throws: JSONParseError.self, "\(text)") { try selected.get() }
                        #expect(throws: JSONParseError.self, "\(text)") { try extracted.get() }
                    }
                }
            }
        }
    }
}
