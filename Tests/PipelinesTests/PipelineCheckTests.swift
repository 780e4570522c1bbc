import Foundation
import Pipelines
import Testing

/// `lantaarn pipeline check` refuses every broken definition in Tests/Fixtures/pipelines/bad/
/// with the message its first line expects, at file:line:column.
struct PipelineCheckTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/pipelines/bad").standardizedFileURL.path

    @Test func brokenDefinitionsAreRefusedWithTheExpectedMessage() throws {
        let results = try PipelineCatalog.check(directory: Self.folder)
        #expect(results.count >= 12)
        for (file, result) in results {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let expected = String(text.split(separator: "\n")[0].dropFirst("# expect: ".count))
            switch result {
            case .success: Issue.record("\(file) was accepted")
            case .failure(let e):
                #expect(e.description.contains(expected), "\(file): \(e)")
                if !expected.contains("not valid YAML") {
                    #expect(e.line != nil && e.description.hasPrefix("\(file):\(e.line!):"), "\(file): no line and column: \(e)")
                }
            }
        }
    }

    /// The position is the offending line (the fixtures' first line is the expectation comment).
    @Test func positionsPointAtTheField() throws {
        let positions = Dictionary(uniqueKeysWithValues: try PipelineCatalog.check(directory: Self.folder).compactMap { file, result -> (String, Int)? in
            guard case .failure(let e) = result, let line = e.line else { return nil }
            return ((file as NSString).lastPathComponent, line)
        })
        #expect(positions["misspelt-field.yaml"] == 5)
        #expect(positions["maturity-4.yaml"] == 7)
        #expect(positions["unknown-function.yaml"] == 18)
        #expect(positions["output-field.yaml"] == 23)
    }

    /// The repository's own pipelines pass.
    @Test func repositoryPipelinesPass() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Pipelines").standardizedFileURL.path
        for (file, result) in try PipelineCatalog.check(directory: folder) {
            if case .failure(let e) = result { Issue.record("\(file): \(e)") }
        }
    }
}
