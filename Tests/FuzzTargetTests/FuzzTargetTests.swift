import Foundation
import LantaarnFuzzTargets
import LantaarnModel
import Testing

/// The CI-sized part of `make fuzz`: every fuzz target runs its seeds, the inputs that once
/// crashed it (`Tests/Fixtures/fuzz/TARGET/`) and a short, deterministic mutation run.
/// A crash here stops the test process, which fails `make test`.
@Suite struct FuzzTargetTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let paths = FuzzPaths(repository: repository)
    static let mutationsPerTarget = 2_000

    @Test func everyParserOfUntrustedInputHasATarget() {
        let names = Set(FuzzTargets.all.map(\.name))
        #expect(names == ["lantaarn-json", "senml", "sensor-community", "ttn-uplink", "lorawan-frames", "sensor-files",
                          "open311", "signalen", "mor-ods", "pipeline-yaml", "dashboard-yaml", "sensor-yaml",
                          "query-string", "boundary-import"])
        #expect(names.count == FuzzTargets.all.count, "target names are unique")
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func seedsRegressionsAndMutations(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let seeds = target.seeds(Self.paths).map(\.1)
        #expect(!seeds.isEmpty, "\(name) has seeds (is ../shared/data next to the repository?)")
        for seed in seeds { target.run(seed) }
        for input in try Self.regressions(name) { target.run(input) }
        var random = SplitMix64(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }))
        for _ in 0..<Self.mutationsPerTarget {
            let base = seeds.isEmpty ? [] : seeds[Int(random.next() % UInt64(seeds.count))]
            let other = seeds.isEmpty ? [] : seeds[Int(random.next() % UInt64(seeds.count))]
            let input = Mutator.mutate(base, splicing: other, maxLength: target.maxLength, random: &random)
            if let dump = ProcessInfo.processInfo.environment["LANTAARN_FUZZ_DUMP"] {
                // To find the input that crashed: the last one tried per target.
                _ = FileManager.default.createFile(atPath: "\(dump)/\(name).last", contents: Data(input))
            }
            target.run(input)
        }
    }

    static let regressionRoot = repository + "/Tests/Fixtures/fuzz"

    /// Inputs a fuzzer once crashed the target with, kept as files in a folder named after the
    /// target (a target that never crashed has none). A missing fixtures folder is an error: the
    /// regressions would silently not run.
    static func regressions(_ name: String) throws -> [[UInt8]] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: regressionRoot, isDirectory: &isFolder), isFolder.boolValue else {
            throw FuzzFixtureError(description: "\(regressionRoot) is missing: the inputs that once crashed a target would not run")
        }
        let folder = regressionRoot + "/" + name
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        return try files.sorted().map { file in
            guard let data = FileManager.default.contents(atPath: folder + "/" + file) else {
                throw FuzzFixtureError(description: "cannot read \(folder)/\(file)")
            }
            return [UInt8](data)
        }
    }

    /// Every regression folder belongs to a target and holds inputs; none is silently skipped.
    @Test func regressionFixturesAreThereAndEachBelongsToATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.regressionRoot).sorted()
        #expect(folders.count >= 6, "\(folders)")
        var inputs = 0
        for folder in folders {
            #expect(FuzzTargets.named(folder) != nil, "Tests/Fixtures/fuzz/\(folder) names no fuzz target: its inputs never run")
            let found = try Self.regressions(folder)
            #expect(!found.isEmpty, "Tests/Fixtures/fuzz/\(folder) is empty")
            inputs += found.count
        }
        #expect(inputs >= 12, "the inputs that once crashed a target: \(inputs)")
    }
}

struct FuzzFixtureError: Error, CustomStringConvertible {
    var description: String
}

/// libFuzzer-like mutations: bit flips, interesting bytes, inserts, deletes, copies and splices.
enum Mutator {
    static let interesting: [UInt8] = [0, 0x7F, 0x80, 0xFF, 0x22, 0x5C, 0x0A, 0x2C, 0x3B, 0x3A, 0x5B, 0x7B, 0x7D, 0x5D, 0x25, 0x2D, 0x30, 0x39, 0x65]

    static func mutate(_ input: [UInt8], splicing other: [UInt8], maxLength: Int, random: inout SplitMix64) -> [UInt8] {
        var bytes = Array(input.prefix(maxLength))
        for _ in 0..<(1 + Int(random.next() % 4)) {
            func position(_ extra: Int = 0) -> Int { Int(random.next() % UInt64(bytes.count + extra)) }
            switch random.next() % 6 {
            case 0 where !bytes.isEmpty: bytes[position()] ^= UInt8(1) << (random.next() % 8)
            case 1 where !bytes.isEmpty: bytes[position()] = interesting[Int(random.next() % UInt64(interesting.count))]
            case 2: bytes.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: position(1))
            case 3 where !bytes.isEmpty:
                let start = position()
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + Int(random.next() % 16)))
            case 4 where !bytes.isEmpty:
                let start = position(), length = min(bytes.count - start, 1 + Int(random.next() % 64))
                bytes.insert(contentsOf: bytes[start..<start + length], at: position(1))
            case 5 where !other.isEmpty:
                let cut = position(1), from = Int(random.next() % UInt64(other.count))
                bytes = Array(bytes[..<cut]) + other[from...]
            default: break
            }
        }
        return Array(bytes.prefix(maxLength))
    }
}
