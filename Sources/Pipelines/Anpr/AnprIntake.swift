import Foundation
import LantaarnModel
import Store

/// Loads ANPR sightings from a CSV export (`camera,tijd,kenteken`; `camera,timestamp,plate`
/// also reads) and pseudonymises every plate with the ANPR pipeline's pseudonymise stage
/// before anything is stored. Only the pseudonym, the camera and the time are kept.
///
/// A line that does not read is counted and reported by line number and reason; its content
/// (which may hold a plate) is never stored, logged or echoed.
public struct AnprIntake: Sendable {
    private let store: any AnprStore
    private let keyring: PseudonymKeyring
    private let stage: PseudonymiseStage
    /// The longest trip of the ANPR pipelines: sightings this close before Monday 00:00 are
    /// pseudonymised under both weeks' keys.
    private let overlap: Int64

    /// What a load did.
    public struct Report: Sendable, CustomStringConvertible {
        public var file: String
        public var lines = 0
        public var stored = 0
        /// Line numbers and reasons of lines that did not read (never their content).
        public var rejected: [(line: Int, reason: String)] = []

        public var description: String {
            var text = "\(file): \(stored) sightings stored, plates pseudonymised (HMAC-SHA256, key per week); \(rejected.count) lines rejected"
            for r in rejected.prefix(20) { text += "\n  line \(r.line): \(r.reason)" }
            if rejected.count > 20 { text += "\n  … and \(rejected.count - 20) more" }
            return text
        }
    }

    /// An intake for the pipelines that read ANPR; the first one's pseudonymise stage applies.
    /// Throws when no pipeline reads ANPR: sightings are only taken in for a registered purpose.
    public init(store: any AnprStore, keyring: PseudonymKeyring, pipelines: PipelineCatalog) throws {
        guard let p = pipelines.pipelines.first(where: { $0.input == .anpr }),
              let stage = p.stages.first as? PseudonymiseStage else {
            throw PipelineError(file: "Pipelines/", path: "", reason: "no pipeline reads ANPR input, so there is no registered purpose to take sightings in for; add one (input: {anpr: true}) first")
        }
        let overlap = pipelines.pipelines.compactMap { $0.travelTime?.maxTravel }.max() ?? 0
        self.init(store: store, keyring: keyring, stage: stage, overlap: overlap)
    }

    public init(store: any AnprStore, keyring: PseudonymKeyring, stage: PseudonymiseStage = PseudonymiseStage(), overlap: Int64 = 0) {
        self.store = store
        self.keyring = keyring
        self.stage = stage
        self.overlap = overlap
    }

    /// A plate as compared: capitals and digits only (`ab-12-cd` and `AB12CD` are one car).
    static func normalised(_ plate: Substring) -> String {
        String(String.UnicodeScalarView(plate.uppercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII }))
    }

    /// Loads `path`; `progress(linesDone, linesTotal)` after every batch.
    public func ingest(path: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> Report {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(file: path, path: "", reason: "cannot read the file; check the path and permissions")
        }
        var report = Report(file: (path as NSString).lastPathComponent)
        let lines = String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        guard let header = lines.first?.lowercased().split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }),
              let camera = header.firstIndex(where: { $0 == "camera" }),
              let time = header.firstIndex(where: { $0 == "tijd" || $0 == "timestamp" }),
              let plate = header.firstIndex(where: { $0 == "kenteken" || $0 == "plate" }) else {
            throw PipelineError(file: path, path: "line 1", reason: "expected a header with camera, tijd and kenteken (or camera, timestamp, plate)")
        }
        let width = max(camera, time, plate) + 1
        var batch: [AnprSighting] = []
        func flush() throws {
            report.stored += try store.appendSightings(batch)
            batch.removeAll(keepingCapacity: true)
        }
        for (i, line) in lines.enumerated().dropFirst() where !line.allSatisfy(\.isWhitespace) {
            report.lines += 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= width else {
                report.rejected.append((i + 1, "\(fields.count) fields, expected \(header.count)")); continue
            }
            let cameraName = fields[camera].trimmingCharacters(in: .whitespaces)
            let timeText = fields[time].trimmingCharacters(in: .whitespaces)
            guard !cameraName.isEmpty else { report.rejected.append((i + 1, "no camera")); continue }
            guard let ts = ISO8601.parse(timeText) ?? Int64(timeText) else {
                report.rejected.append((i + 1, "time is neither ISO 8601 nor epoch milliseconds")); continue
            }
            let normalised = Self.normalised(fields[plate])
            guard (4...8).contains(normalised.count) else { report.rejected.append((i + 1, "not a number plate")); continue }
            let (pseudonym, next) = try stage.apply(normalised, at: ts, overlap: overlap, keyring: keyring)
            batch.append(AnprSighting(camera: cameraName, timestamp: ts, pseudonym: pseudonym, nextPseudonym: next))
            if batch.count == 50_000 {
                try flush()
                progress(i, lines.count - 1)
            }
        }
        try flush()
        progress(lines.count - 1, lines.count - 1)
        return report
    }
}
