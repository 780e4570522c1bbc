import LantaarnModel

/// The SHA-256 of a release: its stored rows (``StoredRow``), one per line, then its lineage JSON.
/// The same on every backend, so every node gives a release the same hash and ETag.
package struct ReleaseHash {
    private var hash = SHA256()
    package private(set) var rows = 0

    package init() {}

    /// The hash of a whole release.
    package static func of(cells: some Sequence<String>, lineage: String) -> String {
        var hash = ReleaseHash()
        for var c in cells { c.withUTF8 { hash.add(row: $0) } }
        return hash.finish(lineage: lineage)
    }

    /// Adds one stored row (publish hashes Strings, verify the stored bytes as they are read).
    package mutating func add(row: UnsafeBufferPointer<UInt8>) {
        hash.update(raw: UnsafeRawBufferPointer(row))
        hash.update(CollectionOfOne(UInt8(ascii: "\n")))
        rows += 1
    }

    package mutating func finish(lineage: String) -> String {
        hash.update(Array(lineage.utf8))
        return SHA256.hexString(hash.finalize())
    }
}
