/// Who publishes: the municipality named as sender on every page and export, with the
/// contact details and logo the privacy statement and proclaimer show (`lantaarn.yaml`).
public struct PublicSite: Sendable {
    /// E.g. `Gemeente Haarlem`.
    public var municipality: String
    /// Contact e-mail of the data team (shown on pages).
    public var contactEmail: String
    /// Telephone number for questions (`14 023`), if given.
    public var phone: String?
    /// Postal address, if given.
    public var address: String?
    /// E-mail of the data protection officer (functionaris gegevensbescherming), if given.
    public var privacyOfficer: String?
    /// Logo file (SVG or PNG) served as `/static/logo.svg` or `/static/logo.png` and shown in every page's header.
    public var logoFile: String?
    /// The house colour for links, headings and the header bar (`#rrggbb`); at least 4.5:1
    /// against white, so text in it stays readable (see ``BrandColour``).
    public var colour: String

    public init(municipality: String = "Gemeente Haarlem", contactEmail: String = "opendata@haarlem.nl",
                phone: String? = nil, address: String? = nil, privacyOfficer: String? = nil, logoFile: String? = nil,
                colour: String = BrandColour.standard) {
        self.colour = colour
        self.municipality = municipality
        self.contactEmail = contactEmail
        self.phone = phone
        self.address = address
        self.privacyOfficer = privacyOfficer
        self.logoFile = logoFile
    }

    /// `/static/logo.svg` or `/static/logo.png` when a logo is configured.
    public var logoPath: String? {
        guard let file = logoFile else { return nil }
        return file.lowercased().hasSuffix(".png") ? "/static/logo.png" : "/static/logo.svg"
    }
}

/// What the privacy statement says about keeping data: the retention `lantaarn.yaml` sets for
/// each kind of raw input. Pipelines add their own purposes and outputs.
public struct PrivacyFacts: Sendable {
    public struct Retention: Sendable {
        public var keep: String
        public var basis: String

        public init(keep: String, basis: String) {
            self.keep = keep
            self.basis = basis
        }
    }

    public var readings = Retention(keep: "5y", basis: "")
    public var meldingen = Retention(keep: "5y", basis: "")
    /// Set when scrubbed melding text is kept internally.
    public var meldingText: Retention?
    public var pseudonymKeys = Retention(keep: "7d", basis: "")
    public var ingestLog = Retention(keep: "7d", basis: "")

    public init() {}
}
