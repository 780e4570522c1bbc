// lantaarn-codec: runs one vendor codec, a JavaScript file with The Things Network's
// `decodeUplink(input)` (or the legacy `Decoder(bytes, port)`), in JavaScriptCore, in a process of
// its own, for Lantaarn's ingest (Sources/Ingest/Codecs/JavaScript/JavaScriptWorker.swift).
//
//   lantaarn-codec CODEC.js [MEMORY_MIB [TIME_MS [FIELDS]]]
//
// FIELDS, when given, is a JSON array of the values the ingest reads from `data`, each a list of
// JSON Pointer tokens (`[["battery"], ["pm2_5_mass_concentration", "value"]]`): the worker then
// answers those numbers alone, not the whole result (see 'V' below).
//
// The sandbox:
// - the context has ECMAScript's built-ins only: no require, process, fetch, timers or files
//   (JavaScriptCore's C API adds none); console is a no-op, Atomics, SharedArrayBuffer and
//   WebAssembly are removed;
// - a seccomp filter refuses (EPERM) opening files, sockets, and starting programs;
// - a call runs at most TIME_MS (default 100): JavaScriptCore stops a script at 90 % of it, and a
//   watchdog thread ends the process at TIME_MS when a built-in runs past that (a 1 GB fill);
// - the process holds at most MEMORY_MIB (default 64) beyond what the engine needed to load the
//   codec: while a call runs, the watchdog checks the resident size every millisecond and ends
//   the process above it (an idle codec costs nothing: the watchdog sleeps until the next call).
// The ingest restarts an ended worker and quarantines the message it was decoding, with the reason.
//
// Protocol, little-endian, over stdin/stdout:
//   start:     worker writes 'R' u32 n "decodeUplink"|"Decoder", or 'L' u32 n "file:line: error" and exits 2
//   frames:    a stream of (u32 fPort, i64 recvTime ms, u32 n, n bytes)
//   answers:   one per frame, in order, (u8 kind, u32 n, n bytes UTF-8), sent in pieces of at
//              most about 16 KiB and whenever no more frames are waiting:
//              'O' the codec's result as JSON ({data, errors, warnings});
//              'V' with FIELDS and a result without errors or warnings: one f64 per field, in
//                  order (a boolean as 1 or 0; NaN where data has no number there);
//              'X' an exception the codec threw ("line 12: TypeError: …");
//              'T' stopped at the time limit by the engine (the process goes on);
//              'M' / 'K' the memory / time limit ended the process while decoding this frame
//              (the answers before it are sent first; no more follow).
// Exit codes: 41 memory limit, 42 time limit, 43 protocol error, 2 the codec does not load.
//
// Frames already waiting in the pipe are decoded as one batch with one entry into the engine: the
// wrapper loops over them and writes the index of the frame it is on into a shared Int32Array
// (`at`), so the watchdog times each frame on its own and names the one it stopped. A batch
// ends at the first frame whose answer is not 'V', and the wrapper starts no new frame 5 ms after
// the batch began; the engine's own time limit counts from the entry, so a frame it stops that
// was not the first of its batch is run again alone, with the whole limit to itself.
#define _GNU_SOURCE
#include <JavaScriptCore/JavaScript.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#endif

// JavaScriptCore's execution time limit (JSContextRefPrivate.h; exported by libjavascriptcoregtk,
// not in its public headers): after `limit` seconds of one script, `callback` decides whether to
// stop it; true throws an uncatchable termination.
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);
void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit, JSShouldTerminateCallback callback, void *context);

enum { EXIT_LOAD = 2, EXIT_MEMORY = 41, EXIT_TIME = 42, EXIT_PROTOCOL = 43 };

static long memory_limit;           // bytes of resident memory the process may hold
static int64_t time_limit_ns;
static _Atomic int64_t call_started; // monotonic ns when the running call began; 0 when idle
// Written by the wrapper in the engine: at[0] the index (in the batch) of the frame it is on,
// every frame before it from `call_first` on answered 'V'; on return at[1] says what the
// returned value is (0 nothing, 1 a result as JSON, 2 the exception the codec threw; see `call_wrapper`).
static volatile int32_t at[2];
static size_t call_first;           // the first frame of the running call
static double *numbers;             // 'V' answers, `wanted_count` per frame of the batch
static size_t wanted_count;
static int statm;                   // /proc/self/statm, opened before the sandbox closes
static long page_size;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static long resident_bytes(void) {
    char text[128];
    ssize_t n = pread(statm, text, sizeof text - 1, 0);
    if (n <= 0) return 0;
    text[n] = 0;
    long size = 0, resident = 0;
    if (sscanf(text, "%ld %ld", &size, &resident) != 2) return 0;
    return resident * page_size;
}

static _Atomic int timed_out;
static bool stop_script(JSContextRef ctx, void *info) {
    (void)ctx; (void)info;
    atomic_store(&timed_out, 1);
    return true;
}

// --- output -------------------------------------------------------------------------------------

static char *out_buf;
static size_t out_len, out_cap;

static void out_bytes(const void *p, size_t n) {
    if (out_len + n > out_cap) {
        out_cap = (out_len + n) * 2;
        out_buf = realloc(out_buf, out_cap);
        if (!out_buf) _exit(EXIT_MEMORY);
    }
    memcpy(out_buf + out_len, p, n);
    out_len += n;
}

static void out_record(char kind, const char *text, uint32_t n) {
    out_bytes(&kind, 1);
    out_bytes(&n, 4);
    out_bytes(text, n);
}

static void out_flush(void) {
    size_t done = 0;
    while (done < out_len) {
        ssize_t w = write(1, out_buf + done, out_len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) _exit(EXIT_PROTOCOL);
        done += (size_t)w;
    }
    out_len = 0;
}

// --- the watchdog -------------------------------------------------------------------------------

// Held by the main thread while it writes answers, and by the watchdog while it judges: so the
// watchdog never writes into an answer half made.
static pthread_mutex_t answering = PTHREAD_MUTEX_INITIALIZER;

// The 'V' answers of the batch's frames `from` up to `to`.
static void out_values(size_t from, size_t to) {
    for (size_t i = from; i < to; i++) {
        out_record('V', (const char *)(numbers + i * wanted_count), (uint32_t)(wanted_count * sizeof(double)));
    }
}

// Ends the process over a limit. Inside a call, the answers so far (those of the batch's frames
// before the one being decoded are numbers) and one for the frame being decoded (`kind`) go out
// first, so the ingest knows which frame it was.
static void stop_over_limit(int code, char kind, const char *why) {
    if (atomic_load(&call_started)) {
        if (numbers) out_values(call_first, (size_t)at[0]);
        out_record(kind, why, (uint32_t)strlen(why));
        out_flush();
    }
    _exit(code);
}

// Signalled (under `answering`) when a call begins: the watchdog sleeps while the codec is idle,
// since only running codec code can grow the process or overrun the time.
static pthread_cond_t calling = PTHREAD_COND_INITIALIZER;

// A frame's time counts from its call's start, or from the tick that first saw the wrapper on it
// (up to a tick late: the limit is a backstop behind the engine's own, which is exact).
static void *watchdog(void *unused) {
    (void)unused;
    struct timespec tick = {0, 1000000};
    int64_t seen_call = 0, seen_since = 0;
    int32_t seen_frame = -1;
    pthread_mutex_lock(&answering);
    for (;;) {
        while (!atomic_load(&call_started)) pthread_cond_wait(&calling, &answering);
        pthread_mutex_unlock(&answering);
        nanosleep(&tick, NULL);
        pthread_mutex_lock(&answering);
        if (resident_bytes() > memory_limit) stop_over_limit(EXIT_MEMORY, 'M', "memory limit");
        int64_t started = atomic_load(&call_started), now = now_ns();
        if (!started) continue;
        int32_t frame = at[0];
        if (started != seen_call) {
            seen_call = started;
            seen_since = started;
            seen_frame = frame;
        } else if (frame != seen_frame) {
            seen_since = now;
            seen_frame = frame;
        }
        if (now - seen_since > time_limit_ns) stop_over_limit(EXIT_TIME, 'K', "time limit");
    }
    return NULL;
}

// --- input --------------------------------------------------------------------------------------

// Requests are read in large pieces: one system call for many frames.
static uint8_t in_buf[1 << 16];
static size_t in_start, in_end;

static int read_full(void *p, size_t n) {
    uint8_t *to = p;
    while (n > 0) {
        if (in_start == in_end) {
            ssize_t r = read(0, in_buf, sizeof in_buf);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return -1;
            in_start = 0;
            in_end = (size_t)r;
        }
        size_t take = in_end - in_start < n ? in_end - in_start : n;
        memcpy(to, in_buf + in_start, take);
        in_start += take;
        to += take;
        n -= take;
    }
    return 0;
}

// The frames of one batch: their bytes widened to byte-valued characters, and four numbers each
// (offset, length, fPort, recvTime) for the wrapper.
enum { BATCH_FRAMES = 1024, BATCH_CHARS = 1 << 18, FRAME_BYTES = 65536 };
static JSChar batch_chars[BATCH_CHARS];
static double batch_meta[BATCH_FRAMES * 4];
static uint8_t frame_bytes[FRAME_BYTES];

// The length of the frame whose header starts the buffer, or -1 when that frame is not all there
// (or is too long: `next_batch` ends the process on it once the frames before it are answered).
static long whole_frame_waiting(void) {
    if (in_end - in_start < 16) return -1;
    uint32_t n;
    memcpy(&n, in_buf + in_start + 12, 4);
    if (n > FRAME_BYTES) return -1;
    return in_end - in_start >= 16 + (size_t)n ? (long)n : -1;
}

static void add_to_batch(size_t count, size_t *used, uint32_t port, int64_t received, const uint8_t *bytes, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) batch_chars[*used + i] = bytes[i];
    double *meta = batch_meta + count * 4;
    meta[0] = (double)*used;
    meta[1] = n;
    meta[2] = port;
    meta[3] = (double)received;
    *used += n;
}

// Waits for one frame, then takes every further frame already whole in the buffer (up to the
// batch's size). Returns how many; 0 when the ingest closed the pipe.
static size_t next_batch(size_t *used) {
    uint32_t port, n;
    int64_t received;
    *used = 0;
    if (read_full(&port, 4) != 0) return 0;
    if (read_full(&received, 8) || read_full(&n, 4) || n > FRAME_BYTES || read_full(frame_bytes, n)) _exit(EXIT_PROTOCOL);
    add_to_batch(0, used, port, received, frame_bytes, n);
    size_t count = 1;
    long waiting;
    while (count < BATCH_FRAMES && (waiting = whole_frame_waiting()) >= 0 && *used + (size_t)waiting <= BATCH_CHARS) {
        const uint8_t *header = in_buf + in_start;
        memcpy(&port, header, 4);
        memcpy(&received, header + 4, 8);
        add_to_batch(count++, used, port, received, header + 16, (uint32_t)waiting);
        in_start += 16 + (size_t)waiting;
    }
    return count;
}

// --- JavaScript helpers -------------------------------------------------------------------------

static char *copy_string(JSStringRef s) {
    size_t cap = JSStringGetMaximumUTF8CStringSize(s);
    char *text = malloc(cap);
    if (!text) _exit(EXIT_MEMORY);
    JSStringGetUTF8CString(s, text, cap);
    return text;
}

static char *value_text(JSContextRef ctx, JSValueRef value) {
    JSStringRef s = JSValueToStringCopy(ctx, value, NULL);
    if (!s) return strdup("(a value without text)");
    char *text = copy_string(s);
    JSStringRelease(s);
    return text;
}

// "line N: Error: message" for an exception (the line is in the codec file).
static char *exception_text(JSContextRef ctx, JSValueRef exception) {
    char *message = value_text(ctx, exception);
    double line = 0;
    if (JSValueIsObject(ctx, exception)) {
        JSStringRef name = JSStringCreateWithUTF8CString("line");
        JSValueRef v = JSObjectGetProperty(ctx, (JSObjectRef)exception, name, NULL);
        JSStringRelease(name);
        if (v && JSValueIsNumber(ctx, v)) line = JSValueToNumber(ctx, v, NULL);
    }
    if (line <= 0) return message;
    char *text = NULL;
    if (asprintf(&text, "line %.0f: %s", line, message) < 0) _exit(EXIT_MEMORY);
    free(message);
    return text;
}

static JSValueRef evaluate(JSGlobalContextRef ctx, const char *source, const char *url, JSValueRef *exception) {
    JSStringRef script = JSStringCreateWithUTF8CString(source);
    JSStringRef name = JSStringCreateWithUTF8CString(url);
    JSValueRef result = JSEvaluateScript(ctx, script, NULL, name, 1, exception);
    JSStringRelease(script);
    JSStringRelease(name);
    return result;
}

static void fail_load(const char *file, const char *text) {
    char *line = NULL;
    int n = asprintf(&line, "%s: %s", file, text);
    if (n < 0) _exit(EXIT_MEMORY);
    out_record('L', line, (uint32_t)n);
    out_flush();
    _exit(EXIT_LOAD);
}

// What a codec may not reach, and the call into it. The wrapper is taken before anything runs
// and kept by the worker, so a codec that reassigns globals cannot replace it.
static const char *sandbox_prelude =
    "(function (g) {"
    "  var quiet = function () {};"
    "  g.console = {log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet};"
    "  delete g.Atomics; delete g.SharedArrayBuffer; delete g.WebAssembly;"
    "})(this);";

// The call into the codec, made before the codec's file runs (so the built-ins it keeps are the
// engine's own) and given the codec once it has loaded. A call decodes the frames `first` up to
// `first + count` of a batch: `frames` holds their bytes as byte-valued characters (one value
// into the engine for the batch), `meta` four numbers per frame (offset in `frames`, length,
// fPort, recvTime in ms). Each frame's array of numbers is made from its characters.
// With `wanted` (FIELDS), a result without errors or warnings is answered with the numbers at
// those places of `data`, written into `out` (a Float64Array over the worker's buffer): the ingest
// reads 8 bytes per value instead of parsing the codec's answer. Any other result ends the call,
// returning the result as JSON (at[1] = 1: the engine's own JSON.stringify) or the exception the
// codec threw (at[1] = 2; described by `exception_text`), for the frame at at[0].
static const char *call_wrapper =
    "(function () {"
    "  var stringify = JSON.stringify, now = Date.now, own = Object.prototype.hasOwnProperty;"
    "  var isArray = Array.isArray, MakeDate = Date, Failure = TypeError;"
    "  function listed(x) { return x !== undefined && x !== null && !(isArray(x) && x.length === 0); }"
    "  return function (g, wanted, out, meta, at) {"
    "    var uplink = typeof g.decodeUplink === 'function' ? g.decodeUplink : null;"
    "    var legacy = typeof g.Decoder === 'function' ? g.Decoder : null;"
    "    if (!uplink && !legacy) return null;"
    "    var width = wanted ? wanted.length : 0;"
    "    return function (frames, first, count) {"
    "      var began = now(), end = first + count;"
    "      at[1] = 0;"
    "      for (var i = first; i < end; i++) {"
    "        if (i > first && now() - began >= 5) { at[0] = i; return undefined; }"
    "        at[0] = i;"
    "        var m = i * 4, offset = meta[m], length = meta[m + 1];"
    "        var bytes = new Array(length);"
    "        for (var b = 0; b < length; b++) bytes[b] = frames.charCodeAt(offset + b);"
    "        try {"
    "          var result = uplink ? uplink({bytes: bytes, fPort: meta[m + 2], recvTime: new MakeDate(meta[m + 3])}) : {data: legacy(bytes, meta[m + 2])};"
    "          if (result === null || typeof result !== 'object') throw new Failure('decodeUplink returned ' + result + ', not an object with data');"
    "          var data = result.data;"
    "          if (!wanted || listed(result.errors) || listed(result.warnings) || data === null || typeof data !== 'object') { at[1] = 1; return stringify(result); }"
    "          for (var k = 0, base = i * width; k < width; k++) {"
    "            var node = data, path = wanted[k];"
    "            for (var t = 0; t < path.length; t++) {"
    "              if (node === null || typeof node !== 'object' || !own.call(node, path[t])) { node = undefined; break; }"
    "              node = node[path[t]];"
    "            }"
    "            out[base + k] = typeof node === 'number' ? node : typeof node === 'boolean' ? (node ? 1 : 0) : NaN;"
    "          }"
    "        } catch (e) { at[1] = 2; return e; }"
    "      }"
    "      at[0] = end;"
    "      return undefined;"
    "    };"
    "  };"
    "})()";

// --- the sandbox at the kernel: no files, sockets or programs after the codec is loaded ----------

static void close_the_doors(void) {
#if defined(__x86_64__)
#define REFUSE(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        REFUSE(__NR_open), REFUSE(__NR_openat), REFUSE(__NR_creat), REFUSE(__NR_socket), REFUSE(__NR_socketpair),
        REFUSE(__NR_connect), REFUSE(__NR_bind), REFUSE(__NR_listen), REFUSE(__NR_execve), REFUSE(__NR_execveat),
        REFUSE(__NR_fork), REFUSE(__NR_vfork), REFUSE(__NR_ptrace), REFUSE(__NR_unlink), REFUSE(__NR_unlinkat),
        REFUSE(__NR_rename), REFUSE(__NR_renameat), REFUSE(__NR_mkdir), REFUSE(__NR_mkdirat), REFUSE(__NR_truncate),
        REFUSE(__NR_chmod), REFUSE(__NR_fchmodat), REFUSE(__NR_link), REFUSE(__NR_symlink),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
#undef REFUSE
    struct sock_fprog program = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        fprintf(stderr, "lantaarn-codec: seccomp unavailable (%s); running with the engine's sandbox only\n", strerror(errno));
    }
#endif
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *text = malloc(cap + 1);
    size_t r;
    while (text && (r = fread(text + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) text = realloc(text, (cap *= 2) + 1);
    }
    fclose(f);
    if (text) text[n] = 0;
    return text;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: lantaarn-codec CODEC.js [MEMORY_MIB [TIME_MS [FIELDS]]]\n");
        return 64;
    }
    // Nothing of the ingest's but the two pipes: a descriptor another thread of the ingest had
    // open without close-on-exec when this process started (a child's pipe, a socket) is closed,
    // so the codec can reach none of them and holds no pipe's end open for anyone else (a test
    // run once hung on a sqlite3 child's pipe a worker had inherited).
    if (close_range(3, ~0U, 0) != 0) {
        for (int fd = 3; fd < 65536; fd++) close(fd);
    }
    // No PR_SET_PDEATHSIG: it follows the thread that started the worker, not the ingest process.
    // When the ingest ends, its end of the pipe closes and the worker reads the end and exits.
    const char *path = argv[1];
    const char *fields = argc > 4 ? argv[4] : NULL;
    const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    long memory_mib = argc > 2 ? atol(argv[2]) : 64;
    long time_ms = argc > 3 ? atol(argv[3]) : 100;
    if (memory_mib <= 0) memory_mib = 64;
    if (time_ms <= 0) time_ms = 100;
    time_limit_ns = (int64_t)time_ms * 1000000;
    page_size = sysconf(_SC_PAGESIZE);
    statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);

    char *source = read_file(path);
    if (!source) fail_load(file, strerror(errno));

    JSContextGroupRef group = JSContextGroupCreate();
    JSContextGroupSetExecutionTimeLimit(group, (double)time_ms * 0.9 / 1000.0, stop_script, NULL);
    JSGlobalContextRef ctx = JSGlobalContextCreateInGroup(group, NULL);
    JSValueRef exception = NULL;
    evaluate(ctx, sandbox_prelude, "lantaarn-sandbox", &exception);
    if (exception) fail_load(file, "the sandbox could not be set up");
    JSValueRef factory = evaluate(ctx, call_wrapper, "lantaarn-call", &exception);
    if (exception || !factory || !JSValueIsObject(ctx, factory)) fail_load(file, "the sandbox could not be set up");
    JSValueProtect(ctx, factory);
    // The codec's own top level runs under the same limits as a call.
    atomic_store(&call_started, now_ns());
    memory_limit = resident_bytes() + memory_mib * 1024 * 1024;
    pthread_t dog;
    pthread_create(&dog, NULL, watchdog, NULL);
    evaluate(ctx, source, file, &exception);
    atomic_store(&call_started, 0);
    if (exception) fail_load(file, atomic_load(&timed_out) ? "its top level ran longer than the time limit" : exception_text(ctx, exception));
    free(source);
    // The fields the ingest reads, and the buffer their numbers are written to.
    JSValueRef wanted = JSValueMakeNull(ctx), out = JSValueMakeNull(ctx);
    if (fields) {
        JSStringRef text = JSStringCreateWithUTF8CString(fields);
        wanted = JSValueMakeFromJSONString(ctx, text);
        JSStringRelease(text);
        JSStringRef lengthName = JSStringCreateWithUTF8CString("length");
        JSValueRef length = wanted && JSValueIsObject(ctx, wanted) ? JSObjectGetProperty(ctx, (JSObjectRef)wanted, lengthName, NULL) : NULL;
        JSStringRelease(lengthName);
        if (!length || !JSValueIsNumber(ctx, length)) fail_load(file, "the worker was given fields that are not a JSON list");
        wanted_count = (size_t)JSValueToNumber(ctx, length, NULL);
        numbers = calloc(BATCH_FRAMES * (wanted_count ? wanted_count : 1), sizeof(double));
        if (!numbers) _exit(EXIT_MEMORY);
        out = JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeFloat64Array, numbers, BATCH_FRAMES * wanted_count * sizeof(double), NULL, NULL, &exception);
        if (exception || !out) fail_load(file, "the worker could not make its answer buffer");
        JSValueProtect(ctx, wanted);
        JSValueProtect(ctx, out);
    }
    JSObjectRef meta = JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeFloat64Array, batch_meta, sizeof batch_meta, NULL, NULL, &exception);
    JSObjectRef progress = exception ? NULL : JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeInt32Array, (void *)at, sizeof at, NULL, NULL, &exception);
    if (exception || !meta || !progress) fail_load(file, "the worker could not make its frame buffers");
    JSValueProtect(ctx, meta);
    JSValueProtect(ctx, progress);
    JSValueRef made[5] = {JSContextGetGlobalObject(ctx), wanted, out, meta, progress};
    JSValueRef wrapper = JSObjectCallAsFunction(ctx, (JSObjectRef)factory, NULL, 5, made, &exception);
    if (exception || !wrapper || !JSValueIsObject(ctx, wrapper)) {
        fail_load(file, "defines neither decodeUplink(input) nor Decoder(bytes, port); a The Things Network codec has one of them");
    }
    JSValueProtect(ctx, wrapper);
    JSObjectRef call = (JSObjectRef)wrapper;
    JSGarbageCollect(ctx);
    // The engine's own footprint is known now: the limit is the codec's share on top of it.
    memory_limit = resident_bytes() + memory_mib * 1024 * 1024;
    close_the_doors();

    JSStringRef hasUplinkName = JSStringCreateWithUTF8CString("decodeUplink");
    bool modern = JSObjectHasProperty(ctx, JSContextGetGlobalObject(ctx), hasUplinkName);
    JSStringRelease(hasUplinkName);
    const char *entry = modern ? "decodeUplink" : "Decoder";
    out_record('R', entry, (uint32_t)strlen(entry));
    out_flush();

    pthread_mutex_lock(&answering);
    int64_t last_flush = now_ns();
    for (;;) {
        size_t used;
        pthread_mutex_unlock(&answering);
        size_t count = next_batch(&used);
        pthread_mutex_lock(&answering);
        if (count == 0) return 0;  // the ingest closed the pipe
        JSStringRef text = JSStringCreateWithCharacters(batch_chars, used);
        JSValueRef frames = JSValueMakeString(ctx, text);
        JSStringRelease(text);
        JSValueProtect(ctx, frames);
        size_t first = 0;
        bool alone = false;  // the next call decodes the frame `first` by itself
        while (first < count) {
            size_t upto = alone ? first + 1 : count;
            JSValueRef args[3] = {frames, JSValueMakeNumber(ctx, (double)first), JSValueMakeNumber(ctx, (double)(upto - first))};
            exception = NULL;
            at[0] = (int32_t)first;
            at[1] = 0;
            call_first = first;
            atomic_store(&timed_out, 0);
            atomic_store(&call_started, now_ns());
            pthread_cond_signal(&calling);
            pthread_mutex_unlock(&answering);
            JSValueRef result = JSObjectCallAsFunction(ctx, call, NULL, 3, args, &exception);
            pthread_mutex_lock(&answering);
            atomic_store(&call_started, 0);
            size_t reached = (size_t)at[0];
            if (reached < first || reached > upto) _exit(EXIT_PROTOCOL);  // cannot happen: the wrapper's own bookkeeping
            if (numbers) out_values(first, reached);
            bool stopped = exception && atomic_load(&timed_out);
            if (stopped && reached > first) {
                // The engine's limit counted the frames before it too: this frame gets the whole
                // limit to itself.
                first = reached;
                alone = true;
                continue;
            }
            alone = false;
            if (exception || at[1] != 0) {
                char kind;
                char *answer;
                if (stopped) {
                    kind = 'T';
                    answer = strdup("stopped at the time limit");
                } else if (exception || at[1] == 2) {
                    kind = 'X';
                    answer = exception_text(ctx, exception ? exception : result);
                } else {
                    kind = 'O';
                    answer = value_text(ctx, result);
                }
                out_record(kind, answer, (uint32_t)strlen(answer));
                free(answer);
                first = reached + 1;
            } else {
                first = reached;
            }
            // Answers go out before the worker would wait for more frames, every 16 KiB while frames
            // keep coming, and at least every 10 ms (slow codecs): the ingest reads them while the
            // next ones are decoded, and hears from the worker long before it would give up waiting.
            if (out_len >= 16384 || (first >= count && whole_frame_waiting() < 0) || now_ns() - last_flush > 10000000) {
                out_flush();
                last_flush = now_ns();
            }
        }
        JSValueUnprotect(ctx, frames);
    }
}
