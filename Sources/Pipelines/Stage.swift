import LantaarnModel
import Store

/// What a stage does to personal data, for the stage-order check (``StageOrder``).
enum StageRole: Sendable {
    /// Works on single rows (records of people or sensors).
    case rowLevel
    /// Turns rows into counts or statistics per cell.
    case aggregating
    /// Disclosure control on the aggregated cells.
    case protecting
}

/// One kind of pipeline stage, self-contained: how it is written in YAML and checked, what it
/// says about itself in the lineage and the algorithm register, and (for the aggregating
/// kinds, ``AggregatingStage``) the rows it computes and the relations between them.
///
/// Adding a kind is one file with a type conforming to this protocol, plus its line in
/// ``StageRegistry/kinds``.
protocol Stage: Sendable {
    /// The stage's fields in the pipeline file.
    associatedtype Raw: Decodable
    /// The YAML name of the kind (`- travel_time: {...}`).
    static var kind: String { get }
    static var role: StageRole { get }
    /// The inputs the kind works on.
    static var inputs: Set<PipelineDefinition.Input.Kind> { get }
    /// The fields the kind has (a misspelt one is an error with a suggestion).
    static var fields: [String: YAMLSourceMap.Schema] { get }
    /// Why the kind is refused for `input` (which is not in ``inputs``); the default lists the
    /// input's kinds.
    static func refusal(for input: PipelineDefinition.Input) -> String
    /// Checks the fields; errors name the field (`context.fail`).
    init(_ raw: Raw, context: StageParseContext) throws
    /// Parameters for the release lineage.
    var parameters: [(String, JSONValue)] { get }
    /// One plain-Dutch sentence for the algorithm register.
    func dutch(quantities: [String]) -> String
}

extension Stage {
    var kind: String { Self.kind }
    var role: StageRole { Self.role }

    static func refusal(for input: PipelineDefinition.Input) -> String {
        "a \(input.name) pipeline has no '\(kind)' stage; its stages are \(StageRegistry.kinds(for: input.kind).joined(separator: ", "))"
    }

    /// The stage in the release lineage: its kind and parameters.
    var lineage: JSONValue { .object([("kind", .string(kind))] + parameters) }
}

/// What an aggregating stage publishes, for the stage-order check.
enum StagePublication: Sendable {
    /// Counts of people or their reports per small cell: protected (a suppress stage after it
    /// when the dataset is public).
    case countsOfPeople
    /// Statistics of sensor readings.
    case readingStatistics
    /// Model estimates, no counts.
    case estimates
    /// Free text (scrubbed), never public.
    case freeText
}

/// A stage that turns the input into the rows of a release: the one aggregating stage of a
/// pipeline. ``PipelineRunner`` cuts time into windows, calls ``run(input:window:)`` per
/// window, protects and publishes; the stage does the reading and computing.
protocol AggregatingStage: Stage {
    static var publishes: StagePublication { get }
    /// Whether the counts are protected against everything published (``ReleaseProtection``
    /// chooses the pattern after `run`); otherwise the stage applies `suppress` itself.
    static var protectedAgainstPublished: Bool { get }
    /// Columns of the release (`onderdrukt` included when a suppress stage follows).
    func columns(suppressed: Bool) -> [ColumnSpec]
    /// The stage with the pipeline's suppress stage, which it applies or declares.
    func protected(by suppress: SuppressStage) -> Self
    /// How the counts are protected and the relations between them that anyone can use
    /// (totals, identities between columns and windows); `nil` for no counts.
    func disclosure(namespace: String, gemeente: String) -> DisclosureSpec?
    /// How long after a window's end its input is complete.
    var settle: Int64 { get }
    /// The windows of `windows` that can still be computed (the others keep their releases).
    func computable(_ windows: [TimeWindow], input: StageInput) throws -> [TimeWindow]
    /// The rows of one window.
    func run(input: StageInput, window: TimeWindow) throws -> StageOutput
    /// The rows of each of `windows`, in order, handed to `each` as they are done (a stage may
    /// read several windows' input at once; the default runs them one by one).
    func run(input: StageInput, windows: [TimeWindow], each: (TimeWindow, StageOutput) throws -> Void) throws
    /// After a run that published `done` (in order): what the stage's input no longer needs.
    func finish(_ done: [TimeWindow], input: StageInput) throws
}

extension AggregatingStage {
    static var role: StageRole { .aggregating }
    static var protectedAgainstPublished: Bool { false }
    func protected(by suppress: SuppressStage) -> Self { self }
    func disclosure(namespace: String, gemeente: String) -> DisclosureSpec? { nil }
    var settle: Int64 { 0 }
    func computable(_ windows: [TimeWindow], input: StageInput) throws -> [TimeWindow] { windows }
    func finish(_ done: [TimeWindow], input: StageInput) throws {}

    func run(input: StageInput, windows: [TimeWindow], each: (TimeWindow, StageOutput) throws -> Void) throws {
        for window in windows { try each(window, run(input: input, window: window)) }
    }
}

extension PipelineDefinition.Input {
    /// The input without its quantities.
    public enum Kind: String, Sendable, CaseIterable {
        case readings, meldingen, anpr
    }

    public var kind: Kind {
        switch self {
        case .readings: .readings
        case .meldingen: .meldingen
        case .anpr: .anpr
        }
    }
}
