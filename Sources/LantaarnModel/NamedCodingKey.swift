/// A coding key by any name: for YAML maps whose keys are read by name (a map's keys checked
/// against those allowed, a stage named by its key).
public struct NamedCodingKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ name: String) { stringValue = name }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
