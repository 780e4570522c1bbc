import Foundation

/// The municipality's house colour, checked so that text and links in it stay readable
/// (WCAG 2.1 AA: contrast at least 4.5:1 against the white page).
public enum BrandColour {
    public static let standard = "#00538a"

    /// Contrast of `#rrggbb` against white (1 to 21), or `nil` when it is not such a colour.
    public static func contrastOnWhite(_ hex: String) -> Double? {
        let digits = Array(hex.utf8)
        guard digits.count == 7, digits[0] == UInt8(ascii: "#") else { return nil }
        var channels: [Double] = []
        for i in stride(from: 1, to: 7, by: 2) {
            guard let v = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            let c = Double(v) / 255
            channels.append(c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4))
        }
        let luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
        return 1.05 / (luminance + 0.05)
    }

    /// Why `hex` cannot be the house colour, or `nil` when it can.
    public static func problem(_ hex: String) -> String? {
        guard let contrast = contrastOnWhite(hex) else { return "'\(hex)' is not a colour; write it as #rrggbb, for example #00538a" }
        if contrast < 4.5 {
            return "'\(hex)' has a contrast of \((contrast * 10).rounded(.down) / 10):1 on white; links and headings need at least 4.5:1 (WCAG 2.1 AA); choose a darker shade"
        }
        return nil
    }
}
