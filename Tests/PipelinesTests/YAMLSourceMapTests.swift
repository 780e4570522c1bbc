import Foundation
import LantaarnModel
@testable import Pipelines
import Testing
import Yams

/// `YAMLSourceMap.decode` decodes the tree it composed for line numbers instead of parsing the
/// text again; these check that this gives what `YAMLDecoder` gives from the text: the same value
/// for valid files (nulls, booleans, octal and hex numbers, merge keys) and an error for the rest
/// (`=` keys, wrong types, empty documents, bad and duplicate-key files).
@Suite struct YAMLSourceMapTests {
    struct Sample: Decodable, Equatable, Sendable {
        var name: String?
        var count: Int?
        var flag: Bool?
        var labels: [String: String]?
        var items: [String]?
    }

    static let schema: YAMLSourceMap.Schema = .fields(["name": .any, "count": .any, "flag": .any, "labels": .any, "items": .any,
                                                       "base": .any, "<<": .any])

    /// Valid files decode, through the map as from the text, to the value written here.
    @Test(arguments: [
        ("name: null\ncount: 0x1F\nflag: yes\n", Sample(count: 31, flag: true)),
        ("name: ~\ncount: 017\nflag: true\n", Sample(count: 15, flag: true)),
        ("name: 'null'\ncount: 0o17\nflag: false\n", Sample(name: "null", count: 15, flag: false)),
        ("name: 2026-12-02\nitems: [null, ~, yes, 1e3, .inf]\n", Sample(name: "2026-12-02", items: ["null", "~", "yes", "1e3", ".inf"])),
        ("labels: {a: null, b: 'x', c: 1.50}\n", Sample(labels: ["a": "null", "b": "x", "c": "1.50"])),
        ("base: &b {name: merged, count: 3}\n<<: *b\nflag: false\n", Sample(name: "merged", count: 3, flag: false)),
    ])
    func validFilesDecodeAsFromTheText(_ yaml: String, _ expected: Sample) throws {
        let viaMap = try YAMLSourceMap.decode(Sample.self, path: "sample.yaml", contents: Data(yaml.utf8), schema: Self.schema).value
        let viaText = try YAMLDecoder(encoding: .utf8).decode(Sample.self, from: yaml)
        #expect(viaMap == expected, "\(yaml.debugDescription)")
        #expect(viaText == expected, "\(yaml.debugDescription)")
    }

    /// Files that do not decode fail both ways (the map wraps every error as a `PipelineError`).
    @Test(arguments: [
        "flag: 'false'\n",              // quoted: a string, not a boolean
        "name: {=: value-key}\n",
        "name: [not, a, string]\n",
        "count: 3.5\n",
        "",
        "---\n...\n",
        "name: \"unterminated\n",
        "{name: x, name: y}\n",
    ])
    func invalidFilesFailBothWays(_ yaml: String) {
        #expect(throws: PipelineError.self, "\(yaml.debugDescription)") {
            try YAMLSourceMap.decode(Sample.self, path: "sample.yaml", contents: Data(yaml.utf8), schema: Self.schema)
        }
        #expect(throws: (any Error).self, "\(yaml.debugDescription)") { try YAMLDecoder(encoding: .utf8).decode(Sample.self, from: yaml) }
    }

    @Test func errorsStillCarryLineAndColumn() throws {
        let yaml = "name: fine\ncount: [1, 2]\n"
        let error = #expect(throws: PipelineError.self) {
            try YAMLSourceMap.decode(Sample.self, path: "sample.yaml", contents: Data(yaml.utf8), schema: Self.schema)
        }
        #expect(error?.path == "count")
        #expect(error?.line == 2)
    }
}
