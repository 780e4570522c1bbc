import Foundation

/// Runs a program to its end and returns its exit status and output (stderr too when
/// `mergingErrors`). It waits on a dispatch thread: blocking the concurrency pool, which the
/// server under test streams its bodies on, could starve the very response it waits for.
func runOffPool(_ executable: String, _ arguments: [String], mergingErrors: Bool = false) async throws -> (status: Int32, output: Data) {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: executable)
                p.arguments = arguments
                let pipe = Pipe()
                p.standardOutput = pipe
                if mergingErrors { p.standardError = pipe }
                try p.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                return (p.terminationStatus, data)
            })
        }
    }
}
