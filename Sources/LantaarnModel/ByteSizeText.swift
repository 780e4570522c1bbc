/// Parses sizes used in YAML and flags: `512MB`, `2GB`, `64KB`, `1TB` or plain bytes.
/// Units are binary (1 KB = 1024 bytes), as disk limits usually are.
public enum ByteSizeText {
    /// Bytes for a size like `2GB`, or `nil` when the text is not one.
    public static func bytes(_ text: String) -> Int64? {
        let t = text.trimmingSpaces().uppercased()
        let digits = t.prefix { $0.isNumber }
        guard !digits.isEmpty, let n = Int64(digits) else { return nil }
        let unit = String(t.dropFirst(digits.count)).trimmingSpaces()
        let shift: Int64
        switch unit {
        case "", "B": shift = 0
        case "K", "KB", "KIB": shift = 10
        case "M", "MB", "MIB": shift = 20
        case "G", "GB", "GIB": shift = 30
        case "T", "TB", "TIB": shift = 40
        default: return nil
        }
        guard n <= Int64.max >> shift else { return nil }
        return n << shift
    }
}
