import Foundation
import LantaarnModel

/// Reading pipeline and dashboard files: every error is a `PipelineError` with file, line,
/// column and YAML path.
extension YAMLSourceMap {
    /// Reads `path` (or takes its `contents` when the caller has them), refuses unknown fields
    /// (`hint` may explain a field that moved; otherwise the closest known name is suggested) and
    /// decodes it. Every error is a `PipelineError` with file, line, column and YAML path.
    public static func decode<T: Decodable>(_ type: T.Type, path: String, contents: Data? = nil, schema: Schema,
                                            hint: (String) -> String? = { _ in nil }) throws -> (value: T, data: Data, map: YAMLSourceMap) {
        guard let data = contents ?? FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw PipelineError(file: path, path: "", reason: "cannot read the file as UTF-8 text")
        }
        do {
            let (value, map) = try load(T.self, text: text, schema: schema, hint: hint)
            return (value, data, map)
        } catch {
            throw PipelineError(file: path, path: error.path, reason: error.reason, line: error.line, column: error.column)
        }
    }

    /// The definition files (`*.yaml`, `*.yml`) in `directory`, sorted; `folder` and `option`
    /// say what the folder holds and how to point at another one.
    public static func files(in directory: String, folder: String, option: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { (directory as NSString).appendingPathComponent($0) }
        } catch {
            throw PipelineError(file: directory, path: "", reason: "cannot read the \(folder) folder; pass \(option)")
        }
    }

    /// `error` with the line and column of its YAML path, when it has none yet.
    public func located(_ error: PipelineError) -> PipelineError {
        guard error.line == nil, let at = position(of: error.path) else { return error }
        var located = error
        (located.line, located.column) = (at.line, at.column)
        return located
    }
}
