import Foundation
@testable import Pipelines
import Testing
import Yams

/// `YAMLSourceMap.decode` decodes the tree it composed for line numbers instead of parsing the
/// text again; these check that this gives what `YAMLDecoder` gives from the text, on the scalars
/// that YAML resolvers treat differently (null, booleans, octal and hex, merge and `=` keys) and on bad files.
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

    /// The value, or nil when it does not decode (the map wraps every error as a `PipelineError`).
    static func outcome(_ body: () throws -> Sample) -> Sample? {
        try? body()
    }

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
        let viaMap = Self.outcome {
            try YAMLSourceMap.decode(Sample.self, path: "sample.yaml", contents: Data(yaml.utf8), schema: Self.schema).value
        }
        let viaText = Self.outcome { try YAMLDecoder(encoding: .utf8).decode(Sample.self, from: yaml) }
        #expect(viaMap == viaText, "\(yaml.debugDescription)")
    }

    @Test func errorsStillCarryLineAndColumn() throws {
        let yaml = "name: fine\ncount: [1, 2]\n"
        #expect(throws: PipelineError.self) {
            try YAMLSourceMap.decode(Sample.self, path: "sample.yaml", contents: Data(yaml.utf8), schema: Self.schema)
        }
        do {
            _ = try YAMLSourceMap.decode(Sample.self, path: "sample.yaml", contents: Data(yaml.utf8), schema: Self.schema)
        } catch let error as PipelineError {
            #expect(error.path == "count")
            #expect(error.line == 2)
        }
    }
}
