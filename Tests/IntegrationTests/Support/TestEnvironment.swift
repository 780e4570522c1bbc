import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport

/// Paths the integration tests need: the built binary, the repo, a scratch dir.
enum TestEnvironment {
    /// Repository root (from this file's location).
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The `lantaarn` binary next to the test bundle (same build), or `LANTAARN_BIN`.
    static var lantaarn: Tool { Tool.built("lantaarn") }

    /// The folder holding `lantaarn` and `lantaarn-verify`, which the suites' scripts take.
    static var binDirectory: String { (lantaarn.path as NSString).deletingLastPathComponent }

    /// A fresh temporary directory.
    static func scratch(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "lantaarn-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A mosquitto broker on a free loopback port, stopped by PID.
final class TestBroker: @unchecked Sendable {   // used from one test task only
    let port: Int
    let process: ChildProcess

    init(directory: String) throws {
        port = freeLoopbackPort()
        let conf = directory + "/mosquitto.conf"
        try """
        listener \(port) 127.0.0.1
        allow_anonymous true
        persistence false
        max_queued_messages 100000
        """.write(toFile: conf, atomically: true, encoding: .utf8)
        process = try ChildProcess(Tool("mosquitto"), ["-c", conf], stderrFile: directory + "/mosquitto.err")
        guard waitUntilBlocking(timeout: 10, { isListening(port) }) else {
            throw TestFailure("mosquitto did not start on port \(port): \(process.stderrText)")
        }
    }

    var url: String { "mqtt://127.0.0.1:\(port)" }

    /// SIGKILL: children spawned by Foundation's Process inherit a mask that blocks SIGTERM.
    func stop() { process.stop(signal: SIGKILL) }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Plain HTTP GET over loopback.
func httpGet(_ url: String) async throws -> (status: Int, body: String) {
    let (status, data) = try await httpGetData(url)
    return (status, String(decoding: data, as: UTF8.self))
}

/// Plain HTTP GET over loopback, the body as bytes.
func httpGetData(_ url: String) async throws -> (status: Int, body: Data) {
    let (data, response) = try await URLSession.loopback.data(from: URL(string: url)!)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}
