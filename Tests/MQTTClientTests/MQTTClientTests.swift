import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import MQTTClient
import Synchronization
import TestSupport
import Testing

struct MQTTEndpointTests {
    @Test func parsesBrokerURLs() throws {
        #expect(try MQTTEndpoint(url: "mqtt://127.0.0.1:1883") == MQTTEndpoint(host: "127.0.0.1", port: 1883))
        #expect(try MQTTEndpoint(url: "mqtt://broker.local") == MQTTEndpoint(host: "broker.local", port: 1883))
        #expect(try MQTTEndpoint(url: "tcp://h:1884/") == MQTTEndpoint(host: "h", port: 1884))
        #expect(try MQTTEndpoint(url: "mqtts://broker.haarlem.nl") == MQTTEndpoint(host: "broker.haarlem.nl", port: 8883, tls: true))
        #expect(try MQTTEndpoint(url: "ssl://h:9883").description == "mqtts://h:9883")
        for bad in ["mqtt://", "mqtt://h:0", "mqtt://h:99999", "mqtt://h:x", "mqtt://h/topic", "mqtt://:1883"] {
            #expect(throws: MQTTError.self, "\(bad)") { try MQTTEndpoint(url: bad) }
        }
    }
}

struct MQTTSecurityTests {
    @Test func settingsThatCannotWorkAreRefusedWithTheFix() throws {
        let tls = MQTTEndpoint(host: "h", port: 8883, tls: true), plain = MQTTEndpoint(host: "h", port: 1883)
        func reason(_ s: MQTTSecurity, _ e: MQTTEndpoint) -> String {
            do { try s.validate(for: e); return "" } catch { return "\(error)" }
        }
        #expect(reason(MQTTSecurity(), tls).contains("name the CA"))
        #expect(reason(MQTTSecurity(caFile: "/etc/hostname"), plain).contains("use an mqtts:// URL"))
        #expect(reason(MQTTSecurity(password: "x"), plain).contains("needs a username"))
        #expect(reason(MQTTSecurity(caFile: "/etc/hostname", certFile: "/etc/hostname"), tls).contains("both cert_file and key_file"))
        #expect(reason(MQTTSecurity(caFile: "/nonexistent/ca.pem"), tls).contains("not a readable file"))
        #expect(reason(MQTTSecurity(username: "u", password: "p", caFile: "/etc/hostname"), tls) == "")
    }
}

/// A test CA and a broker certificate for `names` (subjectAltName entries), made with openssl.
func makeCertificates(in dir: String, names: String) throws {
    func openssl(_ args: [String]) throws {
        let result = try runCommandBlocking(Tool("openssl"), args)
        try #require(result.status == 0, "openssl \(args.first ?? ""): \(result.error)")
    }
    try "subjectAltName=\(names)\n".write(toFile: dir + "/san.ext", atomically: true, encoding: .utf8)
    try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/ca.key", "-out", dir + "/ca.pem", "-days", "2",
                 "-subj", "/CN=Lantaarn test CA"])
    try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/broker.key", "-out", dir + "/broker.csr", "-subj", "/CN=broker"])
    try openssl(["x509", "-req", "-in", dir + "/broker.csr", "-CA", dir + "/ca.pem", "-CAkey", dir + "/ca.key", "-CAcreateserial",
                 "-out", dir + "/broker.pem", "-days", "2", "-extfile", dir + "/san.ext"])
    // mosquitto started as root drops to its own user, which must read the (throwaway) key.
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir + "/broker.key")
}

/// TLS verifies the broker: a certificate for another host is refused, a matching one connects.
@Suite(.serialized)
struct MQTTTLSTests {
    func tlsBroker(names: String) throws -> Broker {
        try Broker { dir in
            try makeCertificates(in: dir, names: names)
            return "cafile \(dir)/ca.pem\ncertfile \(dir)/broker.pem\nkeyfile \(dir)/broker.key\n"
        }
    }

    func subscriber(_ broker: Broker, log: LogCapture = LogCapture()) -> MQTTSubscriber {
        MQTTSubscriber(endpoint: MQTTEndpoint(host: "127.0.0.1", port: broker.port, tls: true), clientID: "tls-\(broker.port)",
                       topics: ["t"], security: MQTTSecurity(caFile: broker.dir + "/ca.pem"), logger: Logger(label: "t") { _ in log }) { _ in }
    }

    @Test func brokerCertificateForTheRightHostConnects() async throws {
        let broker = try tlsBroker(names: "IP:127.0.0.1,DNS:localhost")
        let s = subscriber(broker)
        try s.start()
        defer { s.stop() }
        try await waitFor { s.isConnected }
        #expect(s.isConnected)
    }

    @Test func brokerCertificateForAnotherHostIsRejected() async throws {
        let broker = try tlsBroker(names: "DNS:wrong.example")
        let log = LogCapture()
        let s = subscriber(broker, log: log)
        try s.start()
        defer { s.stop() }
        try await waitFor { log.text.contains("TLS handshake with the broker failed") }
        #expect(!s.isConnected)
        // Refused attempts are logged with the fix hint. (Here the handshake may fail within
        // libmosquitto's connect; the test below pins the network-loop path.)
        #expect(log.text.contains("TLS handshake with the broker failed"), "\(log.text)")
        // Without TLS settings the subscriber refuses to start at all.
        let bare = MQTTSubscriber(endpoint: MQTTEndpoint(host: "127.0.0.1", port: broker.port, tls: true), clientID: "bare",
                                  topics: ["t"], logger: Logger(label: "t")) { _ in }
        #expect(throws: MQTTError.self) { try bare.start() }
    }

    /// mqtts:// to a port that speaks plain MQTT: libmosquitto's connect returns success with the
    /// handshake pending, and the handshake then fails in the network loop, every time. Those
    /// failures went unlogged, so a misconfigured broker looked like silence.
    @Test func aHandshakeThatFailsInTheNetworkLoopIsLogged() async throws {
        let broker = try Broker { dir in
            try makeCertificates(in: dir, names: "IP:127.0.0.1")
            return ""
        }
        let log = LogCapture()
        let s = subscriber(broker, log: log)
        try s.start()
        defer { s.stop() }
        try await waitFor { log.text.contains("retrying") }
        #expect(!s.isConnected)
        #expect(log.text.contains("TLS handshake with the broker failed"), "\(log.text)")
    }
}

/// A mosquitto on a loopback port, killed by PID (SIGKILL: children spawned by
/// Foundation's Process inherit a mask that blocks SIGTERM).
final class Broker: @unchecked Sendable {   // used from one test task only
    let port: Int
    let dir: String
    private var process: ChildProcess?

    /// `prepare` may write files into the broker's folder and returns extra listener settings.
    init(port: Int = freeLoopbackPort(), prepare: (String) throws -> String = { _ in "" }) throws {
        self.port = port
        dir = NSTemporaryDirectory() + "lantaarn-mqtt-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let extra = try prepare(dir)
        try "listener \(port) 127.0.0.1\n\(extra)allow_anonymous true\npersistence false\n"
            .write(toFile: dir + "/m.conf", atomically: true, encoding: .utf8)
        try start()
    }

    /// Starts mosquitto and returns once it accepts connections. A fixed 0.3 s pause was too
    /// short on a loaded CI machine: a TLS broker still refused connections 4 s later.
    func start() throws {
        let child = try ChildProcess(Tool("mosquitto"), ["-c", dir + "/m.conf"], stderrFile: dir + "/mosquitto.err")
        process = child
        let port = port
        guard waitUntilBlocking(timeout: 30, { isListening(port) || !child.process.isRunning }), child.process.isRunning else {
            throw BrokerFailure(description: "mosquitto did not listen on 127.0.0.1:\(port): \(child.stderrText.suffix(500))")
        }
    }

    struct BrokerFailure: Error, CustomStringConvertible { var description: String }

    func kill() {
        process?.stop(signal: SIGKILL)
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

struct ReconnectBackoffTests {
    /// Equal jitter: the n-th delay lies in [d/2, d] for d = min(30 s, 100 ms · 2ⁿ); success resets it.
    @Test func delaysGrowDoublingToTheCapWithJitterAndReset() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var b = ReconnectBackoff()
            for n in 0..<20 {
                let d = b.nextDelay(using: &rng)
                let bound = min(30_000, Int64(100) << n)
                #expect(d >= bound / 2 && d <= bound, "attempt \(n): \(d) ms")
            }
            b.reset()
            #expect(b.nextDelay(using: &rng) <= 100)
        }
        // The first retries after a short broker restart fit in 2 s together.
        var b = ReconnectBackoff()
        #expect((0..<4).map { _ in b.nextDelay() }.reduce(0, +) <= 1500)
        // Jitter: two nodes that lost the broker together do not retry in lockstep.
        var x = ReconnectBackoff(), y = ReconnectBackoff()
        let xs = (0..<10).map { _ in x.nextDelay() }, ys = (0..<10).map { _ in y.nextDelay() }
        #expect(xs != ys)
        // Many failures never overflow.
        var long = ReconnectBackoff()
        for _ in 0..<200 { #expect(long.nextDelay() <= 30_000) }
    }
}
