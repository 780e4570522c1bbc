/// Who publishes: the municipality named as sender on every page and export.
public struct PublicSite: Sendable {
    /// E.g. `Gemeente Haarlem`.
    public var municipality: String
    /// Contact e-mail of the data team (shown on pages).
    public var contactEmail: String

    public init(municipality: String = "Gemeente Haarlem", contactEmail: String = "opendata@haarlem.nl") {
        self.municipality = municipality
        self.contactEmail = contactEmail
    }
}
