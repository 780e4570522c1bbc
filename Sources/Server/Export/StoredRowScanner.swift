/// Splits a stored row (a compact JSON array of scalars, see `StoredRow`) into its elements'
/// bytes without building cells: the export hot paths (``RowTranscoder``, ``ParquetRows``).
struct StoredRowScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    enum Kind { case string(escaped: Bool), number, literal, null }
    struct Element {
        var kind: Kind
        var bytes: UnsafeBufferPointer<UInt8>
    }

    mutating func next() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next element, or `nil` at the closing bracket.
    mutating func element() throws -> Element? {
        guard position < bytes.count else { throw ExportError.malformedRow }
        if bytes[position] == UInt8(ascii: ",") { position += 1 }
        guard position < bytes.count else { throw ExportError.malformedRow }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "]"):
            position += 1
            return nil
        case UInt8(ascii: "\""):
            var escaped = false
            position += 1
            while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                if bytes[position] == UInt8(ascii: "\\") { escaped = true; position += 1 }
                position += 1
            }
            guard position < bytes.count else { throw ExportError.malformedRow }
            position += 1
            return Element(kind: .string(escaped: escaped), bytes: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        default:
            while position < bytes.count, bytes[position] != UInt8(ascii: ","), bytes[position] != UInt8(ascii: "]") { position += 1 }
            let token = UnsafeBufferPointer(rebasing: bytes[start..<position])
            switch token.first {
            case UInt8(ascii: "n"): return Element(kind: .null, bytes: token)
            case UInt8(ascii: "t"), UInt8(ascii: "f"): return Element(kind: .literal, bytes: token)
            default: return Element(kind: .number, bytes: token)
            }
        }
    }
}
