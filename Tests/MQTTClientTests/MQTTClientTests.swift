import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import MQTTClient
import Synchronization
import Testing

struct MQTTEndpointTests {
    @Test func parsesBrokerURLs() throws {
        #expect(try MQTTEndpoint(url: "mqtt://127.0.0.1:1883") == MQTTEndpoint(host: "127.0.0.1", port: 1883))
        #expect(try MQTTEndpoint(url: "mqtt://broker.local") == MQTTEndpoint(host: "broker.local", port: 1883))
        #expect(try MQTTEndpoint(url: "tcp://h:1884/") == MQTTEndpoint(host: "h", port: 1884))
        for bad in ["mqtt://", "mqtt://h:0", "mqtt://h:99999", "mqtt://h:x", "mqtt://h/topic", "mqtt://:1883"] {
            #expect(throws: MQTTError.self, "\(bad)") { try MQTTEndpoint(url: bad) }
        }
    }
}

/// A mosquitto on a loopback port, killed by PID (SIGKILL: children spawned by
/// Foundation's Process inherit a mask that blocks SIGTERM).
final class Broker: @unchecked Sendable {   // used from one test task only
    let port: Int
    let dir: String
    private var process: Process?

    init(port: Int = Int.random(in: 20_000..<60_000)) throws {
        self.port = port
        dir = NSTemporaryDirectory() + "lantaarn-mqtt-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\n"
            .write(toFile: dir + "/m.conf", atomically: true, encoding: .utf8)
        try start()
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/sbin/mosquitto")
            ? "/usr/sbin/mosquitto" : "/usr/bin/mosquitto")
        p.arguments = ["-c", dir + "/m.conf"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        Thread.sleep(forTimeInterval: 0.3)
    }

    func kill() {
        guard let p = process else { return }
        Glibc.kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    var endpoint: MQTTEndpoint { MQTTEndpoint(host: "127.0.0.1", port: port) }

    deinit { kill() }
}

func waitFor(_ condition: () -> Bool) async throws {
    for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
}

/// Publisher and subscriber against a real mosquitto on a loopback port.
struct MQTTRoundTripTests {
    @Test func qos1MessagesArriveWithTopicAndPayload() async throws {
        let broker = try Broker()
        let received = Mutex<[String]>([])
        let subscriber = MQTTSubscriber(endpoint: broker.endpoint, clientID: "test-sub-\(broker.port)",
                                        topics: ["lantaarn/sensors/+/readings"], logger: Logger(label: "t")) { message in
            let text = message.topicString + " " + String(decoding: message.payload, as: UTF8.self)
            received.withLock { $0.append(text) }
        }
        try subscriber.start()
        defer { subscriber.stop() }
        try await waitFor { subscriber.isConnected }
        try #require(subscriber.isConnected)
        try await Task.sleep(for: .milliseconds(200))   // SUBACK

        let publisher = try MQTTPublisher(endpoint: broker.endpoint, logger: Logger(label: "t"))
        defer { publisher.close() }
        try await waitFor { publisher.isConnected }
        for i in 0..<500 { try publisher.publish(topic: "lantaarn/sensors/s\(i % 5)/readings", payload: Array("m\(i)".utf8)) }
        try publisher.publish(topic: "other/topic", payload: [1])
        #expect(await publisher.flush(timeoutSeconds: 10))
        try await waitFor { received.withLock { $0.count } >= 500 }
        let got = received.withLock { $0 }
        #expect(got.count == 500)
        #expect(Set(got) == Set((0..<500).map { "lantaarn/sensors/s\($0 % 5)/readings m\($0)" }))
        #expect(subscriber.delivered == 500)
    }

    /// The broker restarts without persistence, forgetting our session: the subscriber
    /// must reconnect by itself and restore its subscription.
    @Test func reconnectsAndResubscribesAfterBrokerRestart() async throws {
        let broker = try Broker()
        let count = Mutex(0)
        let subscriber = MQTTSubscriber(endpoint: broker.endpoint, clientID: "test-re-\(broker.port)",
                                        topics: ["lantaarn/sensors/+/readings"], logger: Logger(label: "t")) { _ in
            count.withLock { $0 += 1 }
        }
        try subscriber.start()
        defer { subscriber.stop() }
        try await waitFor { subscriber.isConnected }
        try #require(subscriber.isConnected)

        broker.kill()
        try await waitFor { !subscriber.isConnected }
        #expect(!subscriber.isConnected)
        try broker.start()
        try await waitFor { subscriber.isConnected }
        #expect(subscriber.isConnected)
        try await Task.sleep(for: .milliseconds(300))   // SUBACK after reconnect

        let publisher = try MQTTPublisher(endpoint: broker.endpoint, logger: Logger(label: "t"))
        defer { publisher.close() }
        try await waitFor { publisher.isConnected }
        for i in 0..<20 { try publisher.publish(topic: "lantaarn/sensors/s/readings", payload: Array("r\(i)".utf8)) }
        #expect(await publisher.flush(timeoutSeconds: 10))
        try await waitFor { count.withLock { $0 } >= 20 }
        #expect(count.withLock { $0 } == 20)
    }
}
