import LantaarnModel

/// Every stage kind a pipeline file may name, in the order error messages list them. A new
/// kind is a type conforming to ``Stage`` and one line here: the YAML key, its fields (for
/// unknown-field errors), the inputs it works on and its checks all come from the type.
enum StageRegistry {
    static let kinds: [any Stage.Type] = [
        FilterStage.self, PseudonymiseStage.self, GeneraliseStage.self, ScrubStage.self, AggregateStage.self,
        SuppressStage.self, TravelTimeStage.self, MeldingenStage.self, MeldingenForecastStage.self,
        MeldingenTilesStage.self, MeldingenTextStage.self,
    ]

    static let byName: [String: any Stage.Type] = Dictionary(uniqueKeysWithValues: kinds.map { ($0.kind, $0) })

    /// The YAML names of the kinds, in registry order.
    static let names: [String] = kinds.map { $0.kind }

    /// The kinds `input` has, sorted.
    static func kinds(for input: PipelineDefinition.Input.Kind) -> [String] {
        kinds.filter { $0.inputs.contains(input) }.map { $0.kind }.sorted()
    }

    /// A stage of kind `S` from its fields, when the input has the kind.
    static func make<S: Stage>(_ type: S.Type, _ raw: S.Raw, context: StageParseContext) throws -> S {
        guard S.inputs.contains(context.input.kind) else { throw context.fail(nil, S.refusal(for: context.input)) }
        return try S(raw, context: context)
    }

    /// The fields of the `stages` list of a pipeline file.
    static var schema: YAMLSourceMap.Schema {
        .list(.fields(Dictionary(uniqueKeysWithValues: kinds.map { ($0.kind, YAMLSourceMap.Schema.fields($0.fields)) })))
    }
}

/// One `- kind: {...}` item of a pipeline file's `stages`, decoded by its kind but not yet
/// checked (that needs the input and the stages before it).
struct StageItem: Decodable {
    /// The stage kinds the item names (one, when it is right).
    var named: [String]
    /// Checks that the input has the kind, then the fields, and makes the stage (when the item
    /// names exactly one kind).
    var make: ((StageParseContext) throws -> any Stage)?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedCodingKey.self)
        let keys = Set(container.allKeys.map(\.stringValue))
        named = StageRegistry.names.filter(keys.contains)
        guard named.count == 1, let type = StageRegistry.byName[named[0]] else { return }
        let key = NamedCodingKey(named[0])
        if try container.decodeNil(forKey: key) {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [key],
                                                    debugDescription: "give the stage's fields, or {} for its defaults: '- \(named[0]): {}'"))
        }
        make = try Self.maker(type, container, key)
    }

    private static func maker<S: Stage>(_ type: S.Type, _ container: KeyedDecodingContainer<NamedCodingKey>, _ key: NamedCodingKey) throws
        -> (StageParseContext) throws -> any Stage {
        let raw = try container.decode(S.Raw.self, forKey: key)
        return { try StageRegistry.make(S.self, raw, context: $0) }
    }
}
