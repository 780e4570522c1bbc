import Foundation
import LantaarnFuzzTargets

// `lantaarn-fuzz`: the libFuzzer entry points. Built only by `make fuzz`, with ASan and, in
// Lantaarn's own modules, libFuzzer's coverage; `main` (Benchmarks/Fuzz/Main) starts libFuzzer.
//
//   LANTAARN_FUZZ_TARGET=NAME   the target to fuzz (`list` prints the names and exits)
//   LANTAARN_FUZZ_SEEDS=DIR     writes the target's seeds into DIR (the corpus) first
//   LANTAARN_FUZZ_REPO=DIR      the repository, for the seeds (default: the working directory)

nonisolated(unsafe) private var target: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    let environment = ProcessInfo.processInfo.environment
    let name = environment["LANTAARN_FUZZ_TARGET"] ?? ""
    if name == "list" {
        for t in FuzzTargets.all { print("\(t.name)\t\(t.maxLength)\t\(t.covers)") }
        exit(0)
    }
    guard let chosen = FuzzTargets.named(name) else {
        fail("set LANTAARN_FUZZ_TARGET to one of \(FuzzTargets.all.map(\.name).joined(separator: ", "))")
    }
    target = chosen
    if let corpus = environment["LANTAARN_FUZZ_SEEDS"] {
        let paths = FuzzPaths(repository: environment["LANTAARN_FUZZ_REPO"] ?? FileManager.default.currentDirectoryPath)
        let seeds = chosen.seeds(paths)
        guard !seeds.isEmpty else {
            fail("no seeds for \(name); is ../shared/data next to the repository?")
        }
        try? FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        for (file, bytes) in seeds {
            FileManager.default.createFile(atPath: corpus + "/seed-" + file, contents: Data(bytes))
        }
    }
    return 0
}

private func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("lantaarn-fuzz: \(message)\n".utf8))
    exit(2)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target!.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
