import CMosquitto
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Callbacks a ``MosquittoHandle`` forwards from libmosquitto's network thread.
protocol MosquittoDelegate: AnyObject, Sendable {
    func mosquittoConnected(returnCode: Int32)
    /// A connection attempt failed before the broker answered; the next one follows in `retryMilliseconds`.
    func mosquittoConnectFailed(returnCode: Int32, retryMilliseconds: Int64)
    func mosquittoDisconnected(returnCode: Int32)
    func mosquittoMessage(_ message: MQTTMessage)
    func mosquittoPublished(mid: Int32)
    /// Our own network loop calls this after a burst of messages and before it writes their
    /// PUBACKs: the moment to make the burst durable in one write.
    func mosquittoBeforeAcknowledge()
}

/// Owns one `struct mosquitto *` and is the only code that calls `mosquitto_*`.
///
/// `@unchecked Sendable`: libmosquitto is thread-safe for publish/subscribe/disconnect
/// from any thread once `mosquitto_loop_start` runs (it locks internally), and our
/// own mutable state (the delegate) is only written before the loop starts.
final class MosquittoHandle: @unchecked Sendable {
    private let mosq: OpaquePointer
    private weak var delegate: (any MosquittoDelegate)?
    private let loopRunning = Atomic<Bool>(false)
    /// Our own network thread (``startNetworkThread``), when used instead of `mosquitto_loop_start`.
    private let ownLoop = Mutex<NetworkThread?>(nil)
    /// Set by the connect callback when the broker accepted us; resets the backoff.
    private let accepted = Atomic<Bool>(false)
    /// Set by the connect callback on any answer to our CONNECT, accepted or refused.
    private let answered = Atomic<Bool>(false)
    /// Messages passed to the delegate; tells the read burst whether a packet was a message.
    private let messagesSeen = Atomic<Int>(0)
    /// Messages read from the socket at most before their PUBACKs go out.
    static let burstLimit = 1024

    init(clientID: String?, cleanSession: Bool, delegate: any MosquittoDelegate) throws {
        MosquittoLibrary.ensureInitialised()
        self.delegate = delegate
        guard let m = mosquitto_new(clientID, cleanSession, nil) else {
            throw MQTTError.library(operation: "mosquitto_new", code: -1,
                                    message: "out of memory or invalid client id")
        }
        mosq = m
        // passUnretained: the handle outlives every callback because deinit stops
        // the network loop (joining its thread) before the pointer is destroyed.
        mosquitto_user_data_set(m, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_callback_set(m) { _, ctx, rc in
            guard let handle = MosquittoHandle.from(ctx) else { return }
            if rc == 0 { handle.accepted.store(true, ordering: .relaxed) }
            handle.answered.store(true, ordering: .relaxed)
            handle.delegate?.mosquittoConnected(returnCode: rc)
        }
        mosquitto_disconnect_callback_set(m) { _, ctx, rc in
            MosquittoHandle.from(ctx)?.delegate?.mosquittoDisconnected(returnCode: rc)
        }
        mosquitto_message_callback_set(m) { _, ctx, msg in
            guard let msg, let handle = MosquittoHandle.from(ctx) else { return }
            let topicLength = strlen(msg.pointee.topic)
            let topic = UnsafeBufferPointer(start: UnsafeRawPointer(msg.pointee.topic)
                .assumingMemoryBound(to: UInt8.self), count: topicLength)
            let payload = UnsafeRawBufferPointer(start: msg.pointee.payload, count: Int(msg.pointee.payloadlen))
            handle.delegate?.mosquittoMessage(MQTTMessage(topic: topic, payload: payload, qos: Int(msg.pointee.qos)))
            handle.messagesSeen.add(1, ordering: .relaxed)
        }
        mosquitto_publish_callback_set(m) { _, ctx, mid in
            MosquittoHandle.from(ctx)?.delegate?.mosquittoPublished(mid: mid)
        }
    }

    private static func from(_ ctx: UnsafeMutableRawPointer?) -> MosquittoHandle? {
        guard let ctx else { return nil }
        return Unmanaged<MosquittoHandle>.fromOpaque(ctx).takeUnretainedValue()
    }

    /// Username/password and TLS. TLS verifies the broker's certificate chain and host name
    /// (`SSL_VERIFY_PEER`, never insecure).
    func configure(_ security: MQTTSecurity, tls: Bool) throws {
        if let username = security.username {
            try MosquittoLibrary.check(mosquitto_username_pw_set(mosq, username, security.password), "set username")
        }
        guard tls else { return }
        try MosquittoLibrary.check(mosquitto_tls_set(mosq, security.caFile, nil, security.certFile, security.keyFile, nil),
                                   "set up TLS with \(security.caFile ?? "no CA file")")
        try MosquittoLibrary.check(mosquitto_tls_opts_set(mosq, 1, nil, nil), "require broker certificate verification")
        try MosquittoLibrary.check(mosquitto_tls_insecure_set(mosq, false), "require host name verification")
    }

    /// Sets libmosquitto's own reconnect backoff (for ``connectAndStartLoop``): starts at
    /// `minDelay` seconds, grows up to `maxDelay`, without jitter.
    func setReconnectDelay(minDelay: UInt32, maxDelay: UInt32) {
        mosquitto_reconnect_delay_set(mosq, minDelay, maxDelay, true)
    }

    /// Limits unacknowledged QoS>0 messages in flight (0 = unlimited).
    func setMaxInflight(_ count: UInt32) {
        mosquitto_max_inflight_messages_set(mosq, count)
    }

    /// Connects asynchronously and starts the network thread, which also reconnects.
    func connectAndStartLoop(host: String, port: Int, keepalive: Int32) throws {
        try MosquittoLibrary.check(mosquitto_connect_async(mosq, host, Int32(port), keepalive), "connect to \(host):\(port)")
        try MosquittoLibrary.check(mosquitto_loop_start(mosq), "loop_start")
        loopRunning.store(true, ordering: .sequentiallyConsistent)
    }

    /// Connects and runs the network loop on a thread of our own, which reconnects after any
    /// failure with `backoff` (capped, exponential, jittered; libmosquitto's built-in reconnect
    /// has no jitter). Returns at once; connection errors are reported to the delegate.
    func startNetworkThread(host: String, port: Int, keepalive: Int32, backoff: ReconnectBackoff) throws {
        // Threaded use without mosquitto_loop_start: calls from other threads only queue packets.
        try MosquittoLibrary.check(mosquitto_threaded_set(mosq, true), "threaded_set")
        // unowned: deinit joins this thread before the handle goes away.
        let thread = NetworkThread { [unowned self] thread in
            self.runNetworkLoop(host: host, port: Int32(port), keepalive: keepalive, backoff: backoff, thread: thread)
        }
        ownLoop.withLock { $0 = thread }
        try thread.start()
    }

    private func runNetworkLoop(host: String, port: Int32, keepalive: Int32, backoff initial: ReconnectBackoff,
                                thread: NetworkThread) {
        var backoff = initial
        var socketOpen = false
        var firstAttempt = true
        // Whether the broker answered our CONNECT since the socket opened. A failure before that
        // (the TLS handshake ends on the certificate check, or the broker hangs up) is a failed
        // connect and is reported as one; after an answer the delegate has heard of it (a
        // refusal) or hears of the disconnect.
        var answeredSinceOpen = false
        func pause(_ rc: Int32, report: Bool) {
            let delay = backoff.nextDelay()
            if report { delegate?.mosquittoConnectFailed(returnCode: rc, retryMilliseconds: delay) }
            var slept: Int64 = 0
            while slept < delay, thread.isRunning {
                let step = min(50, delay - slept)
                usleep(UInt32(step) * 1000)
                slept += step
            }
        }
        while thread.isRunning {
            if !socketOpen {
                let rc = firstAttempt ? mosquitto_connect(mosq, host, port, keepalive) : mosquitto_reconnect(mosq)
                firstAttempt = false
                guard rc == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
                    pause(rc, report: true)
                    continue
                }
                socketOpen = true
                answeredSinceOpen = false
            }
            let rc = loopOnce()
            if accepted.exchange(false, ordering: .relaxed) { backoff.reset() }
            if answered.exchange(false, ordering: .relaxed) { answeredSinceOpen = true }
            if rc != Int32(MOSQ_ERR_SUCCESS.rawValue) {
                socketOpen = false
                if thread.isRunning { pause(rc, report: !answeredSinceOpen) }
            }
        }
    }

    /// One turn of the network loop, like `mosquitto_loop` but in three steps so that a burst
    /// of messages is made durable with one write before any of their PUBACKs leaves:
    /// read up to ``burstLimit`` packets while messages keep coming, let the delegate flush,
    /// then write the queued packets (PUBACKs among them; with `threaded_set` libmosquitto
    /// only queues them during the read) and do the keepalive housekeeping.
    private func loopOnce() -> Int32 {
        let success = Int32(MOSQ_ERR_SUCCESS.rawValue)
        var p = pollfd(fd: mosquitto_socket(mosq), events: Int16(POLLIN), revents: 0)
        if mosquitto_want_write(mosq) { p.events |= Int16(POLLOUT) }
        var rc = success
        // 200 ms: the stop flag and keepalive are checked at least that often.
        if poll(&p, 1, 200) > 0, p.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            var packets = 0
            while true {
                let before = messagesSeen.load(ordering: .relaxed)
                rc = mosquitto_loop_read(mosq, 1)
                packets += 1
                // A read that produced no message found the socket empty (or read a control packet).
                if rc != success || messagesSeen.load(ordering: .relaxed) == before || packets >= Self.burstLimit { break }
            }
        }
        delegate?.mosquittoBeforeAcknowledge()
        if rc == success, mosquitto_want_write(mosq) {
            // libmosquitto writes each queued packet (a burst's PUBACKs) with its own write(2);
            // corked, they leave as one segment, not one each through the TCP stack (on
            // loopback that also runs the broker's receive path on this thread).
            let socket = mosquitto_socket(mosq)
            Self.cork(socket, true)
            rc = mosquitto_loop_write(mosq, 1)
            Self.cork(socket, false)
        }
        if rc == success { rc = mosquitto_loop_misc(mosq) }
        return rc
    }

    /// Sets or clears `TCP_CORK`; clearing it sends what was held. Failures (not a TCP socket)
    /// change nothing: the packets then leave as written.
    private static func cork(_ socket: Int32, _ on: Bool) {
        guard socket >= 0 else { return }
        var value: Int32 = on ? 1 : 0
        _ = setsockopt(socket, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    func subscribe(_ pattern: String, qos: Int32) throws {
        try MosquittoLibrary.check(mosquitto_subscribe(mosq, nil, pattern, qos), "subscribe to \(pattern)")
    }

    /// Queues a publish and returns its message id.
    @discardableResult
    func publish(topic: String, payload: [UInt8], qos: Int32) throws -> Int32 {
        var mid: Int32 = 0
        let rc = payload.withUnsafeBytes { buf in
            mosquitto_publish(mosq, &mid, topic, Int32(buf.count), buf.baseAddress, qos, false)
        }
        try MosquittoLibrary.check(rc, "publish to \(topic)")
        return mid
    }

    /// Disconnects cleanly and joins the network thread. Safe to call twice.
    func disconnectAndStop() {
        if let thread = ownLoop.withLock({ t -> NetworkThread? in defer { t = nil }; return t }) {
            thread.stop { mosquitto_disconnect(mosq) }
        }
        guard loopRunning.exchange(false, ordering: .sequentiallyConsistent) else { return }
        mosquitto_disconnect(mosq)
        mosquitto_loop_stop(mosq, false)
    }

    deinit {
        disconnectAndStop()
        mosquitto_destroy(mosq)
    }
}

