import Foundation
import LantaarnModel
#if canImport(Glibc)
import Glibc
#endif

/// One vendor codec file running in its own `lantaarn-codec` process (Sources/CodecWorker:
/// JavaScriptCore with no file, network, timer or process access, a memory and a time limit).
/// One process, and one engine context, per codec file, reused for every message; frames go
/// over a pipe in batches. A process that a codec made exceed a limit ends; the frame it was
/// decoding fails with that reason, and the next frames go to a fresh process.
final class JavaScriptWorker: @unchecked Sendable {
    /// The codec file.
    let path: String
    /// How the sensor file names it (`codecs/elsys.js`), for messages.
    let label: String
    let memoryMiB: Int
    let timeLimitMilliseconds: Int
    /// The values the ingest reads from the codec's `data`, when known: the worker then answers
    /// their numbers alone (`nil`: the whole result, for every value it has).
    let fields: [JSONPointer]?

    /// What one frame gave.
    enum Answer: Equatable {
        /// The codec's whole result as JSON text (`{"data": …, "errors": …, "warnings": …}`).
        case result(String)
        /// The numbers at ``fields`` in the codec's data (NaN where it has none), for a result
        /// without errors or warnings.
        case values([Double])
        /// Why there is none (a thrown exception with its line, a limit, a codec that does not load).
        case failed(String)
    }

    private let lock = NSLock()
    private var process: (pid: pid_t, input: Int32, output: Int32)?
    /// The entry point the codec defines (`decodeUplink` or `Decoder`), once it loaded.
    private(set) var entry: String?
    /// Why the codec does not load, and since when (a reload is tried after `retryLoad`).
    private var loadFailure: (reason: String, at: Date)?
    static let retryLoad: TimeInterval = 10

    init(path: String, label: String, fields: [JSONPointer]? = nil, memoryMiB: Int = 64, timeLimitMilliseconds: Int = 100) {
        self.path = path
        self.label = label
        self.fields = fields
        self.memoryMiB = memoryMiB
        self.timeLimitMilliseconds = timeLimitMilliseconds
    }

    deinit { stop() }

    /// The worker program: `LANTAARN_CODEC_WORKER`, else `lantaarn-codec` next to the running
    /// program (`lantaarn`, a benchmark, the test bundle), which `swift build` puts side by side.
    static var executable: String {
        if let set = ProcessInfo.processInfo.environment["LANTAARN_CODEC_WORKER"], !set.isEmpty { return set }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return ((me as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lantaarn-codec")
    }

    /// Starts the codec (if it is not running) and says which entry point it has, or why it does not load.
    func load() -> Result<String, CodecError> {
        lock.lock()
        defer { lock.unlock() }
        if let reason = startIfNeeded() { return .failure(CodecError(reason)) }
        return .success(entry ?? "decodeUplink")
    }

    /// Decodes every frame `next` gives, in order, turning each answer into a `T` as it arrives.
    /// Frames are asked for while the worker decodes the ones before (at most `window` ahead).
    func decode<T>(stream next: () -> FrameInput?, _ transform: (Answer) -> T) -> [T] {
        lock.lock()
        defer { lock.unlock() }
        var frames: [FrameInput] = []
        var results: [T] = []
        var exhausted = false
        func more() -> Bool {
            if exhausted { return false }
            guard let frame = next() else { exhausted = true; return false }
            frames.append(frame)
            return true
        }
        /// Frame `k`, asked for when it is the next one.
        func frame(_ k: Int) -> FrameInput? { k < frames.count || more() ? frames[k] : nil }
        func failRest(_ reason: String) {
            while more() {}
            results.append(contentsOf: repeatElement(transform(.failed(reason)), count: frames.count - results.count))
        }
        var resent = false
        while results.count < frames.count || more() {
            if let reason = startIfNeeded() {
                failRest(reason)
                break
            }
            let before = results.count
            switch exchange(from: results.count, frame: frame, { results.append(transform($0)) }) {
            case .all: break
            case .notSent:
                // The process had ended before these frames (nothing of them was decoded): once
                // more with a new one.
                let reason = ended()
                if resent, results.count == before { failRest(reason) }
                resent = results.count == before
            case .endedAfterLast:
                // A limit ended the process, and it said on which frame: the rest go to a new one.
                _ = ended()
            case .stopped:
                // The process ended (or stopped answering) while decoding the next frame: that
                // frame fails with the reason; the rest go to a new process.
                results.append(transform(.failed(ended())))
            }
        }
        return results
    }

    /// Decodes `frames` in order.
    func decode<T>(_ frames: [FrameInput], _ transform: (Answer) -> T) -> [T] {
        var iterator = frames.makeIterator()
        return decode(stream: { iterator.next() }, transform)
    }

    /// Ends the process (the codec file changed, or Lantaarn stops).
    func stop() {
        guard let p = process else { return }
        close(p.input)
        close(p.output)
        kill(p.pid, SIGKILL)
        var status: Int32 = 0
        waitpid(p.pid, &status, 0)
        process = nil
        inbox.removeAll(keepingCapacity: true)
        inboxStart = 0
    }

    // MARK: - the process

    /// `nil` when the process runs; else why it cannot.
    private func startIfNeeded() -> String? {
        if process != nil { return nil }
        if let failure = loadFailure, Date().timeIntervalSince(failure.at) < Self.retryLoad { return failure.reason }
        loadFailure = nil
        switch spawn() {
        case .failure(let error):
            loadFailure = (error.reason, Date())
            return error.reason
        case .success(let started):
            process = started
            guard let (kind, body) = readRecord(timeout: 15_000) else {
                let reason = ended()
                loadFailure = (reason, Date())
                return reason
            }
            let text = String(decoding: body, as: UTF8.self)
            guard kind == UInt8(ascii: "R") else {
                stop()
                let reason = "codec \(label) does not load: \(text)"
                loadFailure = (reason, Date())
                return reason
            }
            entry = text
            return nil
        }
    }

    private func spawn() -> Result<(pid: pid_t, input: Int32, output: Int32), CodecError> {
        let program = Self.executable
        guard FileManager.default.isExecutableFile(atPath: program) else {
            return .failure(CodecError("the JavaScript codec worker \(program) is missing: build it with 'swift build --product lantaarn-codec' (make does), or set LANTAARN_CODEC_WORKER"))
        }
        Self.ignoreBrokenPipes
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0 else { return .failure(CodecError("no pipe for the codec worker: \(String(cString: strerror(errno)))")) }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            return .failure(CodecError("no pipe for the codec worker: \(String(cString: strerror(errno)))"))
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Descriptors other threads hold without close-on-exec are inherited; the worker closes
        // every one above these three first thing (Sources/CodecWorker/main.c).
        let wanted = fields.map { JSONWriter.string(.array($0.map { .array($0.tokens.map { .string($0) }) })) }
        let arguments = [program, path, String(memoryMiB), String(timeLimitMilliseconds)] + (wanted.map { [$0] } ?? [])
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var environment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer { for e in environment { free(e) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, nil, &argv, &environment)
        close(toChild[0])
        close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1]); close(fromChild[0])
            return .failure(CodecError("the JavaScript codec worker \(program) does not start: \(String(cString: strerror(rc)))"))
        }
        // Written without blocking: ``exchange`` reads answers while a large batch goes out.
        _ = fcntl(toChild[1], F_SETFL, fcntl(toChild[1], F_GETFL) | O_NONBLOCK)
        return .success((pid, toChild[1], fromChild[0]))
    }

    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Why the process stopped answering; reaps it.
    private func ended() -> String {
        guard let p = process else { return "codec \(label): its process is not running" }
        close(p.input)
        close(p.output)
        var status: Int32 = 0
        if waitpid(p.pid, &status, WNOHANG) == 0 {
            kill(p.pid, SIGKILL)
            waitpid(p.pid, &status, 0)
        }
        process = nil
        inbox.removeAll(keepingCapacity: true)
        inboxStart = 0
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        switch (exited, code) {
        case (true, 41): return "codec \(label) used more than \(memoryMiB) MiB of memory and was stopped"
        case (true, 42): return "codec \(label) ran longer than \(timeLimitMilliseconds) ms and was stopped"
        case (true, 43): return "codec \(label): its process stopped on a protocol error"
        case (true, _): return "codec \(label): its process ended (exit \(code))"
        default: return "codec \(label): its process ended on signal \(status & 0x7f)"
        }
    }

    // MARK: - the protocol (Sources/CodecWorker/main.c)

    private static func encode(_ f: FrameInput, into out: inout [UInt8]) {
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(UInt32(clamping: f.port))
        put(f.receivedAt)
        let bytes = f.bytes.prefix(65_536)
        put(UInt32(bytes.count))
        out.append(contentsOf: bytes)
    }

    private enum Exchanged {
        /// Every frame was answered.
        case all
        /// Nothing could be sent: the process had ended.
        case notSent
        /// The last answer was a limit that ended the process.
        case endedAfterLast
        /// The answers stopped early.
        case stopped
    }

    /// Frames sent ahead of their answers, at most, and how many go out at once.
    static let window = 512
    static let piece = 64

    /// Sends the frames from `first` on (each asked of `frame` as the window allows) and
    /// takes their answers, writing and reading as the pipes allow: the worker answers while it
    /// reads, so neither side waits on a full pipe, and both work at once.
    private func exchange(from first: Int, frame: (Int) -> FrameInput?, _ take: (Answer) -> Void) -> Exchanged {
        guard let p = process else { return .notSent }
        var request: [UInt8] = []
        var written = 0
        var sent = first
        var answered = first
        var broken = false
        var delivered = 0
        // The worker stops a call at its time limit itself; this wait is only a backstop.
        let patience = Int32(timeLimitMilliseconds) + 10_000
        while true {
            while let (kind, body) = takeRecord() {
                answered += 1
                switch kind {
                case UInt8(ascii: "V"): take(.values(Self.numbers(body)))
                case UInt8(ascii: "O"): take(.result(String(decoding: body, as: UTF8.self)))
                case UInt8(ascii: "T"), UInt8(ascii: "K"):
                    take(.failed("codec \(label) ran longer than \(timeLimitMilliseconds) ms and was stopped"))
                    if kind == UInt8(ascii: "K") { return .endedAfterLast }
                case UInt8(ascii: "M"):
                    take(.failed("codec \(label) used more than \(memoryMiB) MiB of memory and was stopped"))
                    return .endedAfterLast
                default: take(.failed("codec \(label) threw at \(String(decoding: body, as: UTF8.self))"))
                }
            }
            // Encode the next frames while the worker is busy, keeping the window.
            if written == request.count {
                request.removeAll(keepingCapacity: true)
                written = 0
            }
            // Frames go out in pieces of `piece`: one write, and one wake-up of the worker, each.
            if !broken, written == request.count, sent - answered < Self.window {
                var encoded = 0
                while encoded < Self.piece, let next = frame(sent) {
                    Self.encode(next, into: &request)
                    sent += 1
                    encoded += 1
                }
            }
            if answered == sent, written == request.count { return .all }
            var fds = [pollfd(fd: p.output, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: p.input, events: written < request.count ? Int16(POLLOUT) : 0, revents: 0)]
            let ready = poll(&fds, 2, patience)
            if ready < 0, errno == EINTR { continue }
            if ready <= 0 { return .stopped }
            if written < request.count, fds[1].revents != 0 {
                let n = request.withUnsafeBytes { write(p.input, $0.baseAddress! + written, $0.count - written) }
                if n > 0 {
                    written += n
                    delivered += n
                } else if n < 0, errno != EAGAIN, errno != EINTR {
                    // The process had ended before any of these frames reached it: none is to blame.
                    if delivered == 0 { return .notSent }
                    // The process is going: read what it said before it went.
                    broken = true
                    request.removeAll()
                    written = 0
                }
            }
            // At the end of the pipe, the first frame without an answer is the one the process
            // was decoding; with every frame sent answered, it ended between frames.
            if fds[0].revents != 0, !readMore() { return answered < sent ? .stopped : .notSent }
        }
    }

    /// Answers read from the pipe and not yet taken: read in large pieces, one system call for many answers.
    private var inbox: [UInt8] = []
    private var inboxStart = 0

    /// The next whole answer in the inbox, if one is there: its kind and its bytes.
    private func takeRecord() -> (UInt8, ArraySlice<UInt8>)? {
        let available = inbox.count - inboxStart
        guard available >= 5 else { return nil }
        let n = inbox.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: inboxStart + 1, as: UInt32.self))) }
        guard available >= 5 + n else { return nil }
        let kind = inbox[inboxStart]
        let body = inbox[(inboxStart + 5)..<(inboxStart + 5 + n)]
        inboxStart += 5 + n
        return (kind, body)
    }

    /// A 'V' answer's numbers: one little-endian f64 per field.
    private static func numbers(_ body: ArraySlice<UInt8>) -> [Double] {
        body.withUnsafeBytes { raw in
            (0..<raw.count / 8).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        }
    }

    /// Reads what the pipe holds into the inbox; false at its end (the process ended).
    private func readMore() -> Bool {
        guard let p = process else { return false }
        if inboxStart > 0 {
            inbox.removeSubrange(0..<inboxStart)
            inboxStart = 0
        }
        let old = inbox.count
        let piece = 65_536
        inbox.append(contentsOf: repeatElement(0, count: piece))
        var n: Int
        repeat { n = inbox.withUnsafeMutableBytes { read(p.output, $0.baseAddress! + old, piece) } } while n < 0 && errno == EINTR
        inbox.removeLast(piece - max(n, 0))
        return n > 0
    }

    /// The next answer, waiting at most `timeout` ms for each piece of it (the worker's first word).
    private func readRecord(timeout: Int32) -> (UInt8, ArraySlice<UInt8>)? {
        while true {
            if let record = takeRecord() { return record }
            guard let p = process else { return nil }
            var poller = pollfd(fd: p.output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, timeout)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0, readMore() else { return nil }
        }
    }
}
