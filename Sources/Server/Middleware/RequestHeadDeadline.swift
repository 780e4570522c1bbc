import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request head does not arrive in time: `deadline` after the
/// connection opens, and again after each response has been sent (keep-alive). A slowloris
/// client, which trickles header bytes to hold connections open, is cut off; the idle timeout
/// alone would not, because every trickled byte counts as activity. Streaming a long download
/// is not affected: the clock only runs while the server waits for a request.
///
/// One timer per connection, not one per request: a response's end only notes the time, and the
/// timer, when it fires, closes the connection if it is still waiting past the deadline, or sleeps
/// until the deadline of the current wait. Scheduling and cancelling a task per request cost
/// about 3 % of a cached page's CPU.
final class RequestHeadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?
    /// When the connection began waiting for the current request head; `nil` while a request
    /// is being read or answered.
    private var waitingSince: NIODeadline?

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        waitingSince = now
        schedule(context, at: now + deadline)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            waitingSince = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            let now = NIODeadline.now()
            waitingSince = now
            if timer == nil { schedule(context, at: now + deadline) }
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    private func stop() {
        timer?.cancel()
        timer = nil
        waitingSince = nil
    }

    /// The timer fired: close if the wait has lasted `deadline`; otherwise sleep until the
    /// current wait's deadline, or, while a request is in hand, until its response ends.
    private func fire(_ context: ChannelHandlerContext) {
        timer = nil
        guard let since = waitingSince else { return }
        let due = since + deadline
        if due <= .now() {
            context.close(promise: nil)
        } else {
            schedule(context, at: due)
        }
    }

    private func schedule(_ context: ChannelHandlerContext, at due: NIODeadline) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: due) {
            let (handler, context) = loopBound.value
            handler.fire(context)
        }
    }
}
