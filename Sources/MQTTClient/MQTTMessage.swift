/// A message as delivered by the broker.
///
/// The buffers point into libmosquitto's memory and are valid only during the
/// handler call; a handler copies what it keeps (the ingest log writes them out).
public struct MQTTMessage {
    /// Topic bytes (UTF-8, no terminator).
    public let topic: UnsafeBufferPointer<UInt8>
    /// Raw payload bytes.
    public let payload: UnsafeRawBufferPointer
    /// QoS the message was delivered with.
    public let qos: Int

    /// Creates a view over a delivered message.
    public init(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer, qos: Int) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
    }

    /// The topic as a Swift string.
    public var topicString: String { String(decoding: topic, as: UTF8.self) }
}
