import Foundation
import Yams

/// Where things are in a YAML definition file (pipelines, dashboards, sensors): line and column of a
/// YAML path (so every error can point at it), and the fields the file may have (so a misspelt
/// one is an error, not silently ignored).
public struct YAMLSourceMap {
    public let root: Node?
    private let schema: Schema

    /// `text` is composed with the resolver `YAMLDecoder` uses (merge keys only), so that
    /// `decode` can decode this same tree instead of parsing the file a second time.
    public init(_ text: String, schema: Schema) {
        root = try? Yams.compose(yaml: text, Self.decoderResolver, .default, .utf8)
        self.schema = schema
    }

    /// The resolver of `YAMLDecoder.decode(from: String)`: `Resolver([.merge])`, whose
    /// initialiser Yams keeps internal.
    private static let decoderResolver = Resolver.basic.appending(.merge)

    /// One decoder for every file, and an explicit encoding for `compose`: Yams reads the whole
    /// process environment (for `YAMS_DEFAULT_ENCODING`) each time a `YAMLDecoder` is made or
    /// an encoding is left out, which was a third of the time of loading a pipeline under the
    /// fuzzer. `decode` itself keeps no state.
    nonisolated(unsafe) private static let decoder = YAMLDecoder(encoding: .utf8)

    /// Why a definition file cannot be read: the YAML path, what is wrong, and where, when known.
    /// Each kind of file wraps it in its own error (`PipelineError`, `RegistryError`).
    public struct Problem: Error {
        public var path: String
        public var reason: String
        public var line: Int?
        public var column: Int?
    }

    /// Composes `text`, refuses a field `schema` does not know (`hint` may explain a field that
    /// moved; otherwise the closest known name is suggested) and decodes a `T` from the same tree
    /// (parsing the file twice made loading a dashboard 1.7 times slower under the fuzzer).
    public static func load<T: Decodable>(_ type: T.Type, text: String, schema: Schema,
                                          hint: (String) -> String? = { _ in nil }) throws(Problem) -> (value: T, map: YAMLSourceMap) {
        let map = YAMLSourceMap(text, schema: schema)
        if let unknown = map.unknownField(hint: hint) {
            throw Problem(path: unknown.path, reason: unknown.reason, line: unknown.line, column: unknown.column)
        }
        do {
            // Without a tree (not YAML, or empty) the text path gives the decoder's own error.
            let value = try map.root.map { try decoder.decode(T.self, from: $0) } ?? decoder.decode(T.self, from: text)
            return (value, map)
        } catch let error as DecodingError {
            let at = map.position(of: error.yamlPath)
            throw Problem(path: error.yamlPath, reason: error.plainReason, line: at?.line, column: at?.column)
        } catch {
            throw Problem(path: "", reason: "not valid YAML: \(error)")
        }
    }

    /// Line and column of the node at `path` (`stages[0].aggregate.bucket`), or of the
    /// deepest node on the way when the rest is missing.
    public func position(of path: String) -> (line: Int, column: Int)? {
        guard var node = root else { return nil }
        for part in Self.parts(path) {
            switch part {
            case .key(let name):
                guard let value = node.mapping?.first(where: { $0.key.string == name })?.value else { return node.mark.map { ($0.line, $0.column) } }
                node = value
            case .index(let i):
                guard let items = node.sequence, i < items.count else { return node.mark.map { ($0.line, $0.column) } }
                node = items[i]
            }
        }
        return node.mark.map { ($0.line, $0.column) }
    }

    /// The first field the schema does not know: its path, position, and what to say of it
    /// ("unknown field 'x'; did you mean 'y'?"; `hint` may explain a field that moved).
    func unknownField(hint: (String) -> String?) -> (path: String, line: Int, column: Int, reason: String)? {
        guard let root, let unknown = Self.check(root, schema, path: "") else { return nil }
        let name = String(unknown.path.split(separator: ".").last ?? "")
        let advice = hint(name)
            ?? Self.closest(name.replacingOccurrences(of: #"\[\d+\]"#, with: "", options: .regularExpression), in: unknown.known)
            .map { "; did you mean '\($0)'?" } ?? "; known fields here: \(unknown.known.joined(separator: ", "))"
        return (unknown.path, unknown.line, unknown.column, "unknown field '\(name)'\(advice)")
    }

    /// The fields a file may have.
    public indirect enum Schema: Sendable {
        case fields([String: Schema])
        case list(Schema)
        /// A mapping with names of the file's choosing (a sensor's quantities), each value of this schema.
        case map(Schema)
        case any
    }

    private static func check(_ node: Node, _ schema: Schema, path: String) -> (path: String, line: Int, column: Int, known: [String])? {
        switch schema {
        case .any: return nil
        case .list(let item):
            for (i, element) in (node.sequence ?? []).enumerated() {
                if let found = check(element, item, path: "\(path)[\(i)]") { return found }
            }
            return nil
        case .map(let item):
            for (key, value) in node.mapping ?? [:] {
                let name = key.string ?? ""
                if let found = check(value, item, path: path.isEmpty ? name : "\(path).\(name)") { return found }
            }
            return nil
        case .fields(let fields):
            for (key, value) in node.mapping ?? [:] {
                let name = key.string ?? ""
                let here = path.isEmpty ? name : "\(path).\(name)"
                guard let sub = fields[name] else {
                    return (here, key.mark?.line ?? 0, key.mark?.column ?? 0, fields.keys.sorted())
                }
                if let found = check(value, sub, path: here) { return found }
            }
            return nil
        }
    }

    private enum Part { case key(String), index(Int) }

    private static func parts(_ path: String) -> [Part] {
        var out: [Part] = []
        for piece in path.split(separator: ".") {
            var name = Substring(piece)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"), let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indexes.insert(i, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { out.append(.key(String(name))) }
            out += indexes.map { .index($0) }
        }
        return out
    }

    /// The known name closest to `name` (edit distance at most 2), for "did you mean".
    public static func closest(_ name: String, in known: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var current = [i + 1]
                for (j, cb) in b.enumerated() { current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))) }
                previous = current
            }
            return previous[b.count]
        }
        return known.map { ($0, distance(Array(name), Array($0))) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }
}
