import Yams

/// Where things are in a pipeline file: line and column of a YAML path (so every error can
/// point at it), and the fields a pipeline file may have (so a misspelt one is an error, not
/// silently ignored).
struct PipelineSourceMap {
    private let root: Node?

    init(_ text: String) {
        root = try? Yams.compose(yaml: text)
    }

    /// Line and column of the node at `path` (`stages[0].aggregate.bucket`), or of the
    /// deepest node on the way when the rest is missing.
    func position(of path: String) -> (line: Int, column: Int)? {
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

    /// The first field the schema does not know, with its path, position and the known ones.
    func unknownField() -> (path: String, line: Int, column: Int, known: [String])? {
        guard let root else { return nil }
        return Self.check(root, Self.schema, path: "")
    }

    private indirect enum Schema: Sendable {
        case fields([String: Schema])
        case list(Schema)
        case any
    }

    private static let schema: Schema = .fields([
        "name": .any, "version": .any, "owner": .any, "purpose": .any, "purpose_code": .any, "legal_basis": .any, "maturity_level": .any,
        "schedule": .any,
        "input": .fields(["quantities": .any, "meldingen": .any, "anpr": .any, "window": .any]),
        "stages": .list(.fields([
            "filter": .fields(["sensors": .any, "wijken": .any, "hoofdcategorie": .any, "cameras": .any]),
            "pseudonymise": .fields(["field": .any, "key_period": .any]),
            "generalise": .fields(["space": .any, "time": .any, "cell": .any]),
            "scrub": .fields(["field": .any]),
            "aggregate": .fields(["functions": .any]),
            "suppress": .fields(["k": .any, "round_to": .any, "complementary": .any]),
            "travel_time": .fields(["routes": .list(.fields(["from": .any, "to": .any])), "max_travel": .any]),
            "meldingen": .fields(["group_by": .any]),
            "meldingen_forecast": .fields(["group_by": .any, "horizon": .any, "history": .any, "alert_alpha": .any,
                                           "alert_min_excess": .any, "stacked_categories": .any]),
            "meldingen_tiles": .fields(["group_by": .any, "norms": .any]),
            "meldingen_text": .fields([:]),
        ])),
        "output": .fields(["dataset": .any, "title": .any, "description": .any, "license": .any, "retention": .any,
                           "retention_basis": .any, "theme": .any, "frequency": .any, "spatial": .any, "access_rights": .any,
                           "access_reason": .any, "classification": .any]),
    ])

    private static func check(_ node: Node, _ schema: Schema, path: String) -> (path: String, line: Int, column: Int, known: [String])? {
        switch schema {
        case .any: return nil
        case .list(let item):
            for (i, element) in (node.sequence ?? []).enumerated() {
                if let found = check(element, item, path: "\(path)[\(i)]") { return found }
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
    static func closest(_ name: String, in known: [String]) -> String? {
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
