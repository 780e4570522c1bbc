import Foundation

/// One parser under fuzzing: what it reads, how to run one input through it, and where its
/// seed inputs come from. `make fuzz` runs each under libFuzzer (`lantaarn-fuzz`); `make test`
/// replays the seeds, the regression inputs and a short deterministic mutation run
/// (`FuzzTargetTests`) through the same `run`.
public struct FuzzTarget: Sendable {
    public let name: String
    /// What the target covers, for the report.
    public let covers: String
    /// Longest input worth trying (libFuzzer's `-max_len`).
    public let maxLength: Int
    /// Runs one input. Errors are expected answers to bad input; only a crash, a trap or a
    /// sanitizer report is a finding.
    public let run: @Sendable (UnsafeRawBufferPointer) -> Void
    /// Seed inputs from `../shared/data` and the repository (file name, bytes).
    public let seeds: @Sendable (_ paths: FuzzPaths) -> [(String, [UInt8])]

    public init(name: String, covers: String, maxLength: Int = 16_384,
                run: @escaping @Sendable (UnsafeRawBufferPointer) -> Void,
                seeds: @escaping @Sendable (_ paths: FuzzPaths) -> [(String, [UInt8])]) {
        self.name = name
        self.covers = covers
        self.maxLength = maxLength
        self.run = run
        self.seeds = seeds
    }

    /// Runs `bytes` (a convenience for replay).
    public func run(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { run($0) }
    }
}

/// Where seeds are read from: the repository root and the shared public data next to it.
public struct FuzzPaths: Sendable {
    public let repository: String
    public var sharedData: String { repository + "/../shared/data" }

    public init(repository: String) { self.repository = repository }

    /// The files under `folder` (relative to the shared data) whose names end in one of
    /// `suffixes`, with their bytes, sorted by name.
    func shared(_ folder: String, _ suffixes: String...) -> [(String, [UInt8])] {
        files(in: sharedData + "/" + folder, suffixes)
    }

    /// The same for a folder of the repository.
    func repository(_ folder: String, _ suffixes: String...) -> [(String, [UInt8])] {
        files(in: repository + "/" + folder, suffixes)
    }

    private func files(in folder: String, _ suffixes: [String]) -> [(String, [UInt8])] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { name in suffixes.contains { name.hasSuffix($0) } }.sorted().compactMap { name in
            FileManager.default.contents(atPath: folder + "/" + name).map { (name, [UInt8]($0)) }
        }
    }
}

/// Seeds written in code, for formats the shared data has no sample of.
func inline(_ items: (String, String)...) -> [(String, [UInt8])] {
    items.map { ($0.0, Array($0.1.utf8)) }
}

/// Every target, by name.
public enum FuzzTargets {
    public static let all: [FuzzTarget] = CodecTargets.all + FileTargets.all + MeldingTargets.all
        + DefinitionTargets.all + QueryTargets.all + GeoTargets.all

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
