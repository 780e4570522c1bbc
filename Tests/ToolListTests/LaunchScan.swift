import Foundation

/// Reads the Swift tests for the programs they start. Every process a test starts goes through
/// TestSupport's launchers with a `Tool`; anything else is a bypass: Foundation's `Process`,
/// `posix_spawn`, `system`/`popen`/`exec*`, or a program named by its path in a string literal.
enum LaunchScan {
    /// The launchers themselves, the one file allowed to start processes.
    static let launcherFile = "Tests/TestSupport/Processes.swift"

    struct Finding: Equatable, CustomStringConvertible {
        var file: String
        var line: Int
        var what: String
        var description: String { "\(file):\(line): \(what)" }
    }

    static let bypassPatterns: [(pattern: String, what: String)] = [
        (#"\bProcess\s*\("#, "starts a process with Foundation's Process; use runCommand/ChildProcess/runOffPool with a Tool"),
        (#"\.executableURL\b|\blaunchPath\b|\.launch\(\)"#, "sets a program for Foundation's Process; use a Tool"),
        (#"\bposix_spawnp?\s*\("#, "spawns a process; use SignalableProcess with a Tool"),
        (#"\b(system|popen|execv|execvp|execve|execl|execlp)\s*\("#, "starts a program through libc; use a Tool"),
        (#""/(usr/)?(local/)?s?bin/[^"]*""#, "names a program by its path; use Tool(\"name\") from Tests/tools.list"),
    ]

    /// Bypasses in `source` (the text of `file`), comments left out.
    static func bypasses(in source: String, file: String) -> [Finding] {
        var out: [Finding] = []
        for (number, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = code(of: String(raw))
            for (pattern, what) in bypassPatterns where line.range(of: pattern, options: .regularExpression) != nil {
                out.append(Finding(file: file, line: number + 1, what: what))
            }
        }
        return out
    }

    /// Names passed to `Tool("…")` in `source`.
    static func toolNames(in source: String) -> Set<String> {
        matches(#"\bTool\(\s*"([^"]+)"\s*\)"#, in: source)
    }

    /// Repository paths of the Python scripts `source` runs (string literals ending in `.py`).
    static func scripts(in source: String) -> Set<String> {
        Set(matches(#""(/[A-Za-z0-9_./-]+\.py)""#, in: source).map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 })
    }

    /// A line without its `//` comment (a `//` inside a string literal is kept).
    static func code(of line: String) -> String {
        var inString = false, previous: Character = " ", end = line.endIndex
        for i in line.indices {
            let c = line[i]
            if c == "\"" && previous != "\\" { inString.toggle() }
            if !inString, c == "/", previous == "/" { end = line.index(before: i); break }
            previous = c
        }
        return String(line[..<end])
    }

    static func matches(_ pattern: String, in source: String) -> Set<String> {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        var out = Set<String>()
        for raw in source.split(separator: "\n") {
            let line = code(of: String(raw)) as NSString
            for m in regex.matches(in: line as String, range: NSRange(location: 0, length: line.length)) where m.numberOfRanges > 1 {
                out.insert(line.substring(with: m.range(at: 1)))
            }
        }
        return out
    }

    /// Every Swift file under `Tests/`, relative to the repository.
    static func swiftTestFiles(repository: String) -> [String] {
        let root = repository + "/Tests"
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { $0.hasSuffix(".swift") }.map { "Tests/" + $0 }.sorted()
    }
}
