import Foundation
@testable import Pipelines
import Testing
import Yams

/// `YAMLSourceMap.decode` decodes the tree it composed for line numbers instead of parsing the
/// text again; these check that this gives what `YAMLDecoder` gives from the text, on nulls,
/// booleans, octal and hex numbers, merge and `=` keys, empty documents and bad files.
@Suite struct YAMLSourceMapTests {
    struct Sample: Decodable, Equatable {
        var name: String?
        var count: Int?
        var flag: Bool?
        var labels: [String: String]?
        var items: [String]?
    }

    static let schema: YAMLSourceMap.Schema = .fields(["name": .any, "count": .any, "flag": .any, "labels": .any, "items": .any,
                                                       "base": .any, "<<": .any])

    @Test(arguments: [
        "name: null\ncount: 0x1F\nflag: yes\n",
        "name: ~\ncount: 017\nflag: true\n",
        "name: 'null'\ncount: 0o17\nflag: 'false'\n",
        "name: 2026-12-02\nitems: [null, ~, yes, 1e3, .inf]\n",
        "labels: {a: null, b: 'x', c: 1.50}\n",
        "base: &b {name: merged, count: 3}\n<<: *b\nflag: false\n",
        "name: {=: value-key}\n",
        "name: [not, a, string]\n",
        "count: 3.5\n",
        "",
        "---\n...\n",
        "name: \"unterminated\n",
        "{name: x, name: y}\n",
    ])
    func decodingTheComposedTreeMatchesDecodingTheText(_ yaml: String) {
        // The value, or nil when it does not decode (the map wraps every error as a `PipelineError`).
        let viaMap = try? YAMLSourceMap.decode(Sample.self, path: "sample.yaml", contents: Data(yaml.utf8), schema: Self.schema).value
        let viaText = try? YAMLDecoder(encoding: .utf8).decode(Sample.self, from: yaml)
        #expect(viaMap == viaText, "\(yaml.debugDescription)")
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
