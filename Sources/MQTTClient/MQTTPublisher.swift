import Logging
import Synchronization

/// Publishes messages at QoS 0 or 1, e.g. for the sensor simulator.
///
/// Publishing is asynchronous; ``flush(timeoutSeconds:)`` waits until the broker
/// has acknowledged everything sent so far.
public final class MQTTPublisher: Sendable {
    private let core: PublisherCore
    private let handle: MosquittoHandle

    /// Connects to `endpoint` and starts the network thread.
    public init(endpoint: MQTTEndpoint, clientID: String? = nil, logger: Logger) throws {
        core = PublisherCore(logger: logger)
        handle = try MosquittoHandle(clientID: clientID, cleanSession: true, delegate: core)
        handle.setReconnectDelay(minDelay: 1, maxDelay: 10)
        handle.setMaxInflight(1000)
        try handle.connectAndStartLoop(host: endpoint.host, port: endpoint.port, keepalive: 30)
    }

    /// Queues one message. QoS 1 messages are counted until the broker acknowledges them.
    public func publish(topic: String, payload: [UInt8], qos: Int = 1) throws {
        try handle.publish(topic: topic, payload: payload, qos: Int32(qos))
        core.sent.add(1, ordering: .relaxed)
        if qos == 0 { core.acknowledged.add(1, ordering: .relaxed) }
    }

    /// Number of messages the broker has acknowledged (QoS 0 counts when queued).
    public var acknowledged: Int { core.acknowledged.load(ordering: .relaxed) }

    /// True once the first CONNACK arrived and the connection is up.
    public var isConnected: Bool { core.connected.load(ordering: .relaxed) }

    /// Waits until every message sent so far is acknowledged, or the timeout passes.
    /// Returns `true` when all were acknowledged.
    public func flush(timeoutSeconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
        while core.acknowledged.load(ordering: .relaxed) < core.sent.load(ordering: .relaxed) {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Disconnects and stops the network thread.
    public func close() {
        handle.disconnectAndStop()
    }
}

final class PublisherCore: MosquittoDelegate {
    let logger: Logger
    let sent = Atomic<Int>(0)
    let acknowledged = Atomic<Int>(0)
    let connected = Atomic<Bool>(false)

    init(logger: Logger) { self.logger = logger }

    func mosquittoConnected(returnCode: Int32) {
        connected.store(returnCode == 0, ordering: .relaxed)
        if returnCode != 0 {
            logger.warning("MQTT broker refused the publisher", metadata: ["mqtt.rc": "\(returnCode)"])
        }
    }

    func mosquittoConnectFailed(returnCode: Int32, retryMilliseconds: Int64) {}
    func mosquittoDisconnected(returnCode: Int32) { connected.store(false, ordering: .relaxed) }
    func mosquittoMessage(_ message: MQTTMessage) {}
    func mosquittoPublished(mid: Int32) { acknowledged.add(1, ordering: .relaxed) }
    func mosquittoBeforeAcknowledge() {}
}
