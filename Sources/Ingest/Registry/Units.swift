import Foundation

/// Unit spellings that mean the same thing, so a payload's unit can be checked against the
/// registry's: SenML's `Cel` is `°C`, Decentlab's `µg⋅m⁻³` is `µg/m³`, and so on.
enum Units {
    private static let aliases: [String: String] = [
        "cel": "°c", "degc": "°c", "℃": "°c",
        "µg⋅m⁻³": "µg/m³", "μg/m³": "µg/m³", "ug/m3": "µg/m³", "µg/m3": "µg/m³",
        "%rh": "%", "percent": "%",
        "1⋅cm⁻³": "1/cm³", "/cm3": "1/cm³", "1/cm3": "1/cm³",
        "dba": "db(a)",
    ]

    static func canonical(_ unit: String) -> String {
        let lower = unit.lowercased().trimmingCharacters(in: .whitespaces)
        return aliases[lower] ?? lower
    }

    /// True when `a` and `b` name the same unit.
    static func same(_ a: String, _ b: String) -> Bool { canonical(a) == canonical(b) }
}
