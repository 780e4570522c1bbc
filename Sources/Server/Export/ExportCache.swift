import Foundation
import LantaarnModel
import NIOCore
import Synchronization

/// Finished downloads on disk (`data/exports/`), so a repeat download of the same version has
/// a `Content-Length`, a SHA-256 `Digest` and byte ranges, and is served straight from a file.
///
/// A download is written here while it streams to its first client, under a temporary name,
/// and renamed only when complete: a file here is always a whole export. The name carries the
/// dataset, the version tag and the representation; writing a new version removes the
/// dataset's older files. After a purge every node clears the kept downloads of datasets that
/// lost rows, so data destroyed under its retention does not live on in an export.
public struct ExportCache: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// A complete export: its file, size and SHA-256 (base64, as the Digest headers carry it).
    struct Entry {
        var path: String
        var size: Int
        var sha256Base64: String
    }

    private func base(_ dataset: String, _ tag: String, _ variant: String) -> String {
        (directory as NSString).appendingPathComponent("\(dataset)--\(tag)-\(variant)")
    }

    /// The complete export of this version, if there is one. Its SHA-256 is computed from the
    /// file the first time it is served (not while the first client waits for it to stream)
    /// and kept next to it.
    func lookup(dataset: String, tag: String, variant: String) -> Entry? {
        let path = base(dataset, tag, variant) + ".export"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.intValue else { return nil }
        if let digest = try? String(contentsOfFile: path + ".sha256", encoding: .utf8), digest.count == 44 {
            return Entry(path: path, size: size, sha256Base64: digest)
        }
        guard let digest = Self.digest(path) else { return nil }
        // Written atomically; two clients computing it at once write the same text.
        try? digest.write(toFile: path + ".sha256", atomically: true, encoding: .utf8)
        return Entry(path: path, size: size, sha256Base64: digest)
    }

    /// SHA-256 of a file, base64, read in 1 MiB blocks.
    private static func digest(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hash = SHA256()
        while let block = try? handle.read(upToCount: 1 << 20), !block.isEmpty {
            block.withUnsafeBytes { hash.update(raw: $0) }
        }
        return Data(hash.finalize()).base64EncodedString()
    }

    /// A writer for one export; `nil` when the folder cannot be made (the download then
    /// simply streams without being kept).
    func writer(dataset: String, tag: String, variant: String) -> Writer? {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        let final = base(dataset, tag, variant) + ".export"
        let temporary = final + ".\(UUID().uuidString.prefix(8)).partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: temporary) else { return nil }
        return Writer(cache: self, dataset: dataset, tag: tag, final: final, temporary: temporary, handle: handle)
    }

    /// Removes every export (after a purge: destroyed rows must not survive in one).
    public static func clear(directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names { try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name)) }
    }

    /// The datasets with a kept download written at or before the time in `destroyedAt` (when a
    /// purge last destroyed rows of that dataset): those downloads may hold destroyed rows.
    public static func stale(directory: String, destroyedAt: [String: Int64]) -> Set<String> {
        Set(staleFiles(directory, destroyedAt).map(\.dataset))
    }

    /// Removes the kept downloads of `datasets` (those whose rows a purge destroyed; the others,
    /// held or untouched, stay) that were written at or before `destroyedAt` of their dataset.
    public static func clear(directory: String, destroyedAt: [String: Int64]) {
        for file in staleFiles(directory, destroyedAt) {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(file.name))
        }
    }

    private static func staleFiles(_ directory: String, _ destroyedAt: [String: Int64]) -> [(name: String, dataset: String, written: Int64)] {
        files(directory).filter { file in destroyedAt[file.dataset].map { file.written <= $0 } ?? false }
    }

    /// Every file of the folder with its dataset and when its export was written (ms); a digest
    /// file counts as written with its export (it is made later, at the first serve), or as
    /// never when its export is gone.
    private static func files(_ directory: String) -> [(name: String, dataset: String, written: Int64)] {
        func written(_ name: String) -> Int64? {
            let path = (directory as NSString).appendingPathComponent(name)
            return ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date)
                .map { Int64($0.timeIntervalSince1970 * 1000) }
        }
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).compactMap { name in
            guard let range = name.range(of: "--") else { return nil }
            let export = name.hasSuffix(".sha256") ? String(name.dropLast(".sha256".count)) : name
            return (name, String(name[..<range.lowerBound]), written(export) ?? .min)
        }
    }

    /// Older versions of `dataset`, once a newer one is complete. Every representation of the
    /// version `tag` stays: the CSV and the GeoJSON of one version are served side by side.
    fileprivate func removeOthers(of dataset: String, keeping tag: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let keep = "\(dataset)--\(tag)-"
        for name in names where name.hasPrefix(dataset + "--") && !name.hasPrefix(keep) && !name.hasSuffix(".partial") {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }

    /// Appends the bytes of one download and keeps them only if it completes.
    final class Writer {
        private let cache: ExportCache
        private let dataset: String
        private let tag: String
        private let final: String
        private let temporary: String
        private let handle: FileHandle
        private var done = false
        private let queue = DispatchQueue(label: "lantaarn.export-writer")
        /// Pages queued for the file, at most.
        static let inFlight = 16
        private let slots = DispatchSemaphore(value: Writer.inFlight)
        private let failure = Failure()

        /// Set by the writing queue when a write fails.
        private final class Failure: Sendable {
            private let flag = Atomic<Bool>(false)
            var happened: Bool { flag.load(ordering: .acquiring) }
            func record() { flag.store(true, ordering: .releasing) }
        }

        fileprivate init(cache: ExportCache, dataset: String, tag: String, final: String, temporary: String, handle: FileHandle) {
            self.cache = cache
            self.dataset = dataset
            self.tag = tag
            self.final = final
            self.temporary = temporary
            self.handle = handle
        }

        /// Queues `bytes` for the file: the writes run on their own queue, beside the encoding
        /// (on 2 cores they cost the export a sixth of its time when done inline). At most
        /// `inFlight` pages wait, so a slow disk slows the export instead of filling memory.
        /// A failed write (a full disk) marks the export failed; it is then never kept.
        func write(_ bytes: ByteBuffer) throws {
            guard !failure.happened else { throw CocoaError(.fileWriteUnknown) }
            let descriptor = handle.fileDescriptor
            let failure = self.failure
            let slots = self.slots
            slots.wait()
            queue.async {
                defer { slots.signal() }
                guard !failure.happened else { return }
                let ok = bytes.withUnsafeReadableBytes { raw -> Bool in
                    var offset = 0
                    while offset < raw.count {
                        let n = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 {
                            if errno == EINTR { continue }
                            return false
                        }
                        offset += n
                    }
                    return true
                }
                if !ok { failure.record() }
            }
        }

        /// The export is complete: once every queued write is done, it becomes the cached version.
        func commit() throws {
            queue.sync {}
            guard !failure.happened else { throw CocoaError(.fileWriteUnknown) }
            try handle.close()
            // A digest from an earlier file of this name is stale.
            try? FileManager.default.removeItem(atPath: final + ".sha256")
            // rename(2) replaces an existing file atomically.
            guard rename(temporary, final) == 0 else { throw CocoaError(.fileWriteUnknown) }
            done = true
            cache.removeOthers(of: dataset, keeping: tag)
        }

        deinit {
            guard !done else { return }
            // Queued writes hold the descriptor's number, not the handle: let them finish first.
            queue.sync {}
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }
}
