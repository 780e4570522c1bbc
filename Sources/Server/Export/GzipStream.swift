import CompressNIO
import Foundation
import NIOCore

/// gzip for a streamed body, page by page: each page is flushed (`sync`), so the client
/// gets it at once, and the last call finishes the stream.
final class GzipStream {
    private let compressor: ZlibCompressor

    /// Level 3: most of the saving of the default at a fraction of its CPU, so a large
    /// export is not slowed to the compressor's speed.
    init() throws {
        compressor = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: .compressionLevel3))
    }

    func compress(_ bytes: ByteBuffer, finish: Bool = false) throws -> ByteBuffer {
        // Nothing to flush: zlib would report "no progress possible".
        if bytes.readableBytes == 0, !finish { return ByteBuffer() }
        var input = bytes
        // The bound zlib gives leaves out the gzip trailer, so finishing a stream on little
        // or no input can need more: grow the buffer and go on where deflate stopped.
        var output = ByteBufferAllocator().buffer(capacity: compressor.maxSize(from: input) + 64)
        for _ in 0..<8 {
            do {
                try input.compressStream(to: &output, with: compressor, flush: finish ? .finish : .sync)
                return output
            } catch let error as CompressNIOError where error == .bufferOverflow {
                output.reserveCapacity(minimumWritableBytes: max(1024, output.capacity))
            }
        }
        throw CompressNIOError.bufferOverflow
    }

    /// Whether `Accept-Encoding` allows gzip (a `q=0` refuses it).
    static func accepted(_ header: String?) -> Bool {
        guard let header else { return false }
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.first == "gzip" || parts.first == "x-gzip" else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0
        }
        return false
    }
}
