/// One `Range: bytes=…` request (RFC 9110 §14), against a representation of known size.
enum ByteRange: Equatable {
    /// Serve these bytes (206).
    case satisfiable(ClosedRange<Int>)
    /// None of the asked bytes exist (416).
    case unsatisfiable
    /// Not a single byte range this server answers: serve the whole representation (200), as
    /// RFC 9110 allows for several ranges or another unit.
    case ignored

    static func parse(_ header: String, size: Int) -> ByteRange {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .ignored }
        let spec = header.dropFirst(6).filter { $0 != " " && $0 != "\t" }
        guard let dash = spec.firstIndex(of: "-") else { return .ignored }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // The last N bytes.
            guard let n = Int(last), n >= 0 else { return .ignored }
            return n == 0 || size == 0 ? .unsatisfiable : .satisfiable(max(0, size - n)...(size - 1))
        }
        guard let start = Int(first), start >= 0 else { return .ignored }
        var end = size - 1
        if !last.isEmpty {
            guard let e = Int(last), e >= start else { return .ignored }
            end = min(e, size - 1)
        }
        return start < size ? .satisfiable(start...end) : .unsatisfiable
    }
}
