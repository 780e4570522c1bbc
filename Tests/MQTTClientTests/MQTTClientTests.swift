import Foundation
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

/// Publisher and subscriber against a real mosquitto on a free loopback port.
struct MQTTRoundTripTests {
    @Test func qos1MessagesArriveWithTopicAndPayload() async throws {
        let dir = NSTemporaryDirectory() + "lantaarn-mqtt-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let port = Int.random(in: 20_000..<60_000)
        try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\n".write(toFile: dir + "/m.conf", atomically: true, encoding: .utf8)
        let broker = Process()
        broker.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "/usr/bin/mosquitto")
        broker.arguments = ["-c", dir + "/m.conf"]
        broker.standardError = FileHandle.nullDevice
        try broker.run()
        // SIGKILL: children spawned by Foundation's Process inherit a mask that blocks SIGTERM.
        defer { kill(broker.processIdentifier, SIGKILL); broker.waitUntilExit() }
        try await Task.sleep(for: .milliseconds(300))

        let received = Mutex<[String]>([])
        let endpoint = MQTTEndpoint(host: "127.0.0.1", port: port)
        let subscriber = MQTTSubscriber(endpoint: endpoint, clientID: "test-sub-\(port)", topics: ["lantaarn/sensors/+/readings"],
                                        logger: Logger(label: "t")) { message in
            let text = message.topicString + " " + String(decoding: message.payload, as: UTF8.self)
            received.withLock { $0.append(text) }
        }
        try subscriber.start()
        defer { subscriber.stop() }
        for _ in 0..<100 where !subscriber.isConnected { try await Task.sleep(for: .milliseconds(50)) }
        try #require(subscriber.isConnected)
        try await Task.sleep(for: .milliseconds(200))   // SUBACK

        let publisher = try MQTTPublisher(endpoint: endpoint, logger: Logger(label: "t"))
        defer { publisher.close() }
        for _ in 0..<100 where !publisher.isConnected { try await Task.sleep(for: .milliseconds(50)) }
        for i in 0..<500 { try publisher.publish(topic: "lantaarn/sensors/s\(i % 5)/readings", payload: Array("m\(i)".utf8)) }
        try publisher.publish(topic: "other/topic", payload: [1])
        #expect(await publisher.flush(timeoutSeconds: 10))
        for _ in 0..<100 where received.withLock({ $0.count }) < 500 { try await Task.sleep(for: .milliseconds(50)) }
        let got = received.withLock { $0 }
        #expect(got.count == 500)
        #expect(Set(got) == Set((0..<500).map { "lantaarn/sensors/s\($0 % 5)/readings m\($0)" }))
        #expect(subscriber.delivered == 500)
    }
}
