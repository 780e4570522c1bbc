import Foundation
import LantaarnModel

/// Buffered appending to a new file, and reading a file line by line.
struct LineFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var hash = SHA256()
    private var size: Int64 = 0

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw StoreDump.Failure(description: "cannot write \(path); check the folder exists and is writable")
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    mutating func write(_ text: String) throws {
        buffer += text.utf8
        if buffer.count >= 1 << 20 { try flush() }
    }

    private mutating func flush() throws {
        try handle.write(contentsOf: buffer)
        hash.update(buffer)
        size += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and closes the file; returns its size and SHA-256 (hex).
    mutating func close() throws -> (bytes: Int64, sha256: String) {
        try flush()
        try handle.close()
        return (size, SHA256.hexString(hash.finalize()))
    }

    /// Calls `visit` with each line (without its newline) and its number, reading 1 MiB at a time.
    static func forEachLine(_ path: String, _ visit: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreDump.Failure(description: "cannot read \(path); the export is incomplete")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var number = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending += chunk
            var start = 0
            while let end = pending[start...].firstIndex(of: 10) {
                number += 1
                try visit(pending[start..<end], number)
                start = end + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { number += 1; try visit(pending[...], number) }
    }
}
