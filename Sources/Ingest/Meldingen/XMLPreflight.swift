/// What an XML file must not hold before Foundation's XMLParser may read it. On Linux,
/// XMLParser's libxml2 callbacks take C pointers as non-optional and force-unwrap strings, so
/// some well-formed or nearly well-formed files stop the process instead of failing the parse.
/// Fuzzing found the first two (RELIABILITY.md); this refuses them, with the line, before parsing:
///
/// - bytes that are not UTF-8, unless the file declares an 8-bit encoding that libxml2 converts;
/// - a processing instruction without content (`<?name?>`): libxml2 passes its content as NULL,
///   which XMLParser hands to `strlen`;
/// - a document type declaration: its NOTATION, ATTLIST and ENTITY declarations reach callbacks
///   that take optional ids as non-optional, and an internal subset can define entities whose
///   text is parsed again. Open311 XML has no DTD.
enum XMLPreflight {
    /// Why the file cannot be read safely (with a line number and what to do), or `nil`.
    static func refusal(_ bytes: [UInt8]) -> String? {
        if !declaresConvertedEncoding(bytes), let line = firstLineNotUTF8(bytes) {
            return "line \(line) is not valid UTF-8; save the file as UTF-8, or name its encoding (ISO-8859-1, ISO-8859-15 or Windows-1252) in <?xml … encoding=\"…\"?>"
        }
        return markupRefusal(bytes)
    }

    /// The 8-bit encodings libxml2 converts to UTF-8 before Foundation sees a name: every byte
    /// becomes a character or a parse error. For any other name the bytes must be UTF-8.
    static let convertedEncodings: Set<String> = ["iso-8859-1", "latin1", "iso-8859-15", "latin-9", "windows-1252", "cp1252"]

    /// True when the file opens with a well-formed XML declaration (XML 1.0 §2.8, §4.3.3: at the
    /// very first byte, version first, quotes matched, closed by `?>`) that names one of
    /// `convertedEncodings`. libxml2 ignores a declaration that is malformed or comes after
    /// whitespace and reads the file as UTF-8; fuzzing found both.
    static func declaresConvertedEncoding(_ bytes: [UInt8]) -> Bool {
        let prolog = String(decoding: bytes.prefix(200), as: UTF8.self)
        guard let match = prolog.prefixMatch(of: /<\?xml\s+version\s*=\s*(?:"1\.[0-9]+"|'1\.[0-9]+')\s+encoding\s*=\s*(?:"([A-Za-z][A-Za-z0-9._\-]*)"|'([A-Za-z][A-Za-z0-9._\-]*)')(?:\s+standalone\s*=\s*(?:"(?:yes|no)"|'(?:yes|no)'))?\s*\?>/)
        else { return false }
        return convertedEncodings.contains(String(match.1 ?? match.2 ?? "").lowercased())
    }

    /// The first line (from 1) that is not valid UTF-8, or `nil`.
    static func firstLineNotUTF8(_ bytes: [UInt8]) -> Int? {
        for (n, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
        where String(validating: line, as: UTF8.self) == nil {
            return n + 1
        }
        return nil
    }

    /// A processing instruction without content or a document type declaration, anywhere in
    /// the file: Foundation runs libxml2 in recovery mode, which reads on after an error, so
    /// where a comment or an attribute value ends is not certain, and text inside a comment or
    /// CDATA section is refused too. Real Open311 files hold neither.
    /// Linear in the file's size: a name scanned once is not scanned again from a later `<?`
    /// inside it (it would stop at the same place), so `<?<?<?…` cannot make it quadratic.
    static func markupRefusal(_ bytes: [UInt8]) -> String? {
        var line = 1
        var scannedTo = 0
        for i in bytes.indices {
            if bytes[i] == 0x0A { line += 1; continue }
            guard bytes[i] == UInt8(ascii: "<") else { continue }
            let rest = bytes[i...]
            if rest.starts(with: doctype) {
                return "line \(line) holds a document type declaration (<!DOCTYPE …>); Open311 XML needs none, and Lantaarn refuses them so that no entity is expanded or fetched: remove it"
            }
            guard rest.starts(with: piStart), i >= scannedTo else { continue }
            var end = i + piStart.count
            while end < bytes.count, !whitespace.contains(bytes[end]), !bytes[end...].starts(with: piEnd) { end += 1 }
            if end > i + piStart.count, bytes[end...].starts(with: piEnd) {
                return "line \(line) holds a processing instruction without content (<?name?>), which the XML reader cannot handle: remove it"
            }
            scannedTo = end
        }
        return nil
    }

    private static let doctype = Array("<!DOCTYPE".utf8)
    private static let piStart = Array("<?".utf8), piEnd = Array("?>".utf8)
    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
}
