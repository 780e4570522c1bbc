import CMosquitto
import Logging
import Synchronization

/// Subscribes to topics at QoS 1 and hands every message to a synchronous handler.
///
/// The handler runs on the network thread **before** the PUBACK is sent. Messages come
/// in bursts (up to 1,024 read from the socket in one go); after each burst, and before
/// any of its PUBACKs is written, `beforeAcknowledge` runs, so a handler may stage
/// messages and make the whole burst durable there with one write. (libmosquitto queues
/// the PUBACK before the callback, but our own network loop writes queued packets only
/// after `beforeAcknowledge` returns.)
/// Reconnects happen automatically with capped, jittered exponential backoff
/// (``ReconnectBackoff``), and the subscriptions are restored on every (re)connect.
public final class MQTTSubscriber: Sendable {
    /// Called once per delivered message, on the network thread.
    public typealias Handler = @Sendable (MQTTMessage) -> Void
    /// Called on the network thread after a burst of messages, before their PUBACKs are sent.
    public typealias Flush = @Sendable () -> Void

    private let endpoint: MQTTEndpoint
    private let topics: [String]
    private let logger: Logger
    private let core: SubscriberCore

    /// Creates a subscriber; nothing connects until ``start()``.
    /// - Parameters:
    ///   - clientID: fixed id so the broker keeps a persistent session (with `cleanSession: false`).
    ///   - cleanSession: `false` lets the broker queue QoS 1 messages while we are down.
    ///   - security: username/password and TLS files; checked by ``start()``.
    ///   - backoff: delays between reconnect attempts.
    public init(endpoint: MQTTEndpoint, clientID: String, topics: [String], cleanSession: Bool = false,
                security: MQTTSecurity = MQTTSecurity(), backoff: ReconnectBackoff = ReconnectBackoff(),
                logger: Logger, beforeAcknowledge: @escaping Flush = {}, handler: @escaping Handler) {
        self.endpoint = endpoint
        self.topics = topics
        self.logger = logger
        self.security = security
        self.core = SubscriberCore(topics: topics, logger: logger, handler: handler, flush: beforeAcknowledge,
                                   clientID: clientID, cleanSession: cleanSession, backoff: backoff)
    }

    private let security: MQTTSecurity

    /// Connects (asynchronously) and starts delivering. Connection failures are retried;
    /// wrong security settings throw at once.
    public func start() throws {
        try security.validate(for: endpoint)
        try core.start(endpoint: endpoint, security: security)
        logger.info("MQTT subscriber started", metadata: ["mqtt.broker": "\(endpoint)", "mqtt.topics": "\(topics)"])
    }

    /// Disconnects and waits for the network thread; no handler call runs after this returns.
    public func stop() {
        core.stop()
    }

    /// Number of messages delivered to the handler so far.
    public var delivered: Int { core.delivered.load(ordering: .relaxed) }

    /// True while connected to the broker.
    public var isConnected: Bool { core.connected.load(ordering: .relaxed) }

    /// Successful connections so far (the first one included).
    public var connections: Int { core.connections.load(ordering: .relaxed) }
}

/// The delegate half, kept separate so the public type holds no C handle.
final class SubscriberCore: MosquittoDelegate {
    let topics: [String]
    let logger: Logger
    let handler: MQTTSubscriber.Handler
    let flush: MQTTSubscriber.Flush
    let clientID: String
    let cleanSession: Bool
    let delivered = Atomic<Int>(0)
    let connected = Atomic<Bool>(false)
    let connections = Atomic<Int>(0)
    let backoff: ReconnectBackoff
    private let handle = Mutex<MosquittoHandle?>(nil)

    init(topics: [String], logger: Logger, handler: @escaping MQTTSubscriber.Handler, flush: @escaping MQTTSubscriber.Flush,
         clientID: String, cleanSession: Bool, backoff: ReconnectBackoff) {
        self.topics = topics
        self.logger = logger
        self.handler = handler
        self.flush = flush
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.backoff = backoff
    }

    func start(endpoint: MQTTEndpoint, security: MQTTSecurity) throws {
        let h = try MosquittoHandle(clientID: clientID, cleanSession: cleanSession, delegate: self)
        try h.configure(security, tls: endpoint.tls)
        handle.withLock { $0 = h }
        try h.startNetworkThread(host: endpoint.host, port: endpoint.port, keepalive: 30, backoff: backoff)
    }

    func stop() {
        let h = handle.withLock { h -> MosquittoHandle? in
            defer { h = nil }
            return h
        }
        h?.disconnectAndStop()
        connected.store(false, ordering: .relaxed)
    }

    func mosquittoConnected(returnCode: Int32) {
        guard returnCode == 0 else {
            logger.warning("MQTT broker refused the connection; retrying", metadata: ["mqtt.rc": "\(returnCode)"])
            return
        }
        connected.store(true, ordering: .relaxed)
        connections.add(1, ordering: .relaxed)
        let h = handle.withLock { $0 }
        for topic in topics {
            do {
                try h?.subscribe(topic, qos: 1)
            } catch {
                logger.error("MQTT subscribe failed", metadata: ["mqtt.topic": "\(topic)", "error": "\(error)"])
            }
        }
        logger.info("MQTT connected and subscribed", metadata: ["mqtt.topics": "\(topics)"])
    }

    func mosquittoConnectFailed(returnCode: Int32, retryMilliseconds: Int64) {
        let metadata: Logger.Metadata = ["mqtt.error": "\(MosquittoLibrary.describe(returnCode))", "mqtt.retry_ms": "\(retryMilliseconds)"]
        if returnCode == Int32(MOSQ_ERR_TLS.rawValue) {
            logger.warning("MQTT TLS handshake with the broker failed; retrying. Check that the broker speaks TLS on this port, that ca_file holds the CA that signed its certificate, and that the certificate names this host",
                           metadata: metadata)
        } else {
            logger.warning("MQTT broker unreachable; retrying", metadata: metadata)
        }
    }

    func mosquittoDisconnected(returnCode: Int32) {
        connected.store(false, ordering: .relaxed)
        if returnCode != 0 {
            logger.warning("MQTT connection lost; reconnecting with backoff", metadata: ["mqtt.rc": "\(returnCode)"])
        }
    }

    func mosquittoMessage(_ message: MQTTMessage) {
        handler(message)
        delivered.add(1, ordering: .relaxed)
    }

    func mosquittoPublished(mid: Int32) {}

    func mosquittoBeforeAcknowledge() { flush() }
}
