/// Strict percent-decoding for paths and query strings: every `%` must start a two-digit hex
/// escape and the decoded bytes must be UTF-8. (Foundation and Hummingbird pass bad escapes
/// through or replace bad bytes; Lantaarn answers them with 400 instead.)
enum PercentDecoding {
    enum Failure: Error {
        case malformedEscape, notUTF8
    }

    /// `%XX` as a byte, and `+` as a space when `plusAsSpace` (query strings).
    static func decode(_ text: some StringProtocol, plusAsSpace: Bool) -> Result<String, Failure> {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return .failure(.malformedEscape)
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { return .failure(.notUTF8) }
        return .success(decoded)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
