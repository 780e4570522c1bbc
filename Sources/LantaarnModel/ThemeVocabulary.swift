/// The two theme vocabularies a dataset is classified in: the OWMS terms of data.overheid.nl's
/// taxonomy (DCAT-AP-NL) and the EU data themes (DCAT-AP, for data.europa.eu), with the
/// crosswalk from the first to the second and the Dutch labels of both.
public enum ThemeVocabulary {
    /// The concept scheme of the OWMS themes (data.overheid.nl's taxonomy).
    public static let owmsScheme = "http://standaarden.overheid.nl/owms/terms/TaxonomieBeleidsagenda"
    /// The EU data-theme authority table.
    public static let euScheme = "http://publications.europa.eu/resource/authority/data-theme"

    /// The label of an OWMS term from its URI: `…/Geluid_(thema)` → `Geluid` (OWMS adds
    /// `_(thema)` to tell a theme from a same-named term).
    public static func owmsLabel(_ uri: String) -> String {
        let last = uri.split(separator: "/").last.map(String.init) ?? uri
        return last.replacingOccurrences(of: "_(thema)", with: "").replacingOccurrences(of: "_", with: " ")
    }

    /// The EU data theme of an OWMS theme, given the theme and its top-level theme in the
    /// taxonomy (the theme itself when it is a top-level one); `nil` for an unknown one.
    public static func euTheme(owms uri: String, topLevel: String) -> String? {
        let name = { (u: String) in u.split(separator: "/").last.map(String.init) ?? u }
        guard let code = crosswalk[name(uri)] ?? crosswalk[name(topLevel)] else { return nil }
        return euScheme + "/" + code
    }

    /// The Dutch label of an EU data theme URI (the authority table's Dutch labels).
    public static func euLabel(_ uri: String) -> String? {
        euLabels[uri.split(separator: "/").last.map(String.init) ?? uri]
    }

    /// OWMS theme (top level, or a subtheme that has a closer EU theme) → EU data theme.
    static let crosswalk: [String: String] = [
        "Bestuur": "GOVE", "Cultuur_en_recreatie": "EDUC", "Economie": "ECON", "Financien": "ECON",
        "Huisvesting_(thema)": "SOCI", "Internationaal": "INTR", "Landbouw_(thema)": "AGRI",
        "Migratie_en_integratie": "SOCI", "Natuur_en_milieu": "ENVI", "Onderwijs_en_wetenschap": "EDUC",
        "Openbare_orde_en_veiligheid": "JUST", "Recht_(thema)": "JUST", "Ruimte_en_infrastructuur": "REGI",
        "Sociale_zekerheid": "SOCI", "Verkeer_(thema)": "TRAN", "Werk_(thema)": "SOCI", "Zorg_en_gezondheid": "HEAL",
        "Energie": "ENER",
    ]

    static let euLabels: [String: String] = [
        "AGRI": "Landbouw, visserij, bosbouw en voeding", "ECON": "Economie en financiën",
        "EDUC": "Onderwijs, cultuur en sport", "ENER": "Energie", "ENVI": "Milieu",
        "GOVE": "Overheid en publieke sector", "HEAL": "Gezondheid", "INTR": "Internationale vraagstukken",
        "JUST": "Justitie, rechtsstelsel en openbare veiligheid", "REGI": "Regio's en steden",
        "SOCI": "Bevolking en samenleving", "TECH": "Wetenschap en technologie", "TRAN": "Vervoer",
    ]
}
