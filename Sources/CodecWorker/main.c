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

// Ends the process over a limit. Inside a call, the answers so far and one for the frame being
// decoded (`kind`) go out first, so the ingest knows which frame it was.
static void stop_over_limit(int code, char kind, const char *why) {
    if (atomic_load(&call_started)) {
        out_record(kind, why, (uint32_t)strlen(why));
        out_flush();
    }
    _exit(code);
}

// Signalled (under `answering`) when a call begins: the watchdog sleeps while the codec is idle,
// since only running codec code can grow the process or overrun the time.
static pthread_cond_t calling = PTHREAD_COND_INITIALIZER;

static void *watchdog(void *unused) {
    (void)unused;
    struct timespec tick = {0, 1000000};
    pthread_mutex_lock(&answering);
    for (;;) {
        while (!atomic_load(&call_started)) pthread_cond_wait(&calling, &answering);
        pthread_mutex_unlock(&answering);
        nanosleep(&tick, NULL);
        pthread_mutex_lock(&answering);
        if (resident_bytes() > memory_limit) stop_over_limit(EXIT_MEMORY, 'M', "memory limit");
        int64_t started = atomic_load(&call_started);
        if (started && now_ns() - started > time_limit_ns) stop_over_limit(EXIT_TIME, 'K', "time limit");
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

// The call into the codec: the frame arrives as a string of byte-valued characters (one value
// into the engine, not one per byte) and becomes the array of numbers the codec expects; the
// result leaves as JSON (`{data, errors, warnings}`), made by the engine's own JSON.stringify.
// With `wanted` (FIELDS), a result without errors or warnings leaves as the numbers at those
// places of `data`, written into `out` (a Float64Array over the worker's buffer), and the call
// returns undefined: the ingest reads 8 bytes per value instead of parsing the codec's answer.
static const char *call_wrapper =
    "(function (g, wanted, out) {"
    "  var uplink = typeof g.decodeUplink === 'function' ? g.decodeUplink : null;"
    "  var legacy = typeof g.Decoder === 'function' ? g.Decoder : null;"
    "  var stringify = JSON.stringify, own = Object.prototype.hasOwnProperty;"
    "  if (!uplink && !legacy) return null;"
    "  function listed(x) { return x !== undefined && x !== null && !(Array.isArray(x) && x.length === 0); }"
    "  return function (frame, fPort, recvTime) {"
    "    var bytes = new Array(frame.length);"
    "    for (var b = 0; b < frame.length; b++) bytes[b] = frame.charCodeAt(b);"
    "    var result = uplink ? uplink({bytes: bytes, fPort: fPort, recvTime: new Date(recvTime)}) : {data: legacy(bytes, fPort)};"
    "    if (result === null || typeof result !== 'object') throw new TypeError('decodeUplink returned ' + result + ', not an object with data');"
    "    var data = result.data;"
    "    if (!wanted || listed(result.errors) || listed(result.warnings) || data === null || typeof data !== 'object') return stringify(result);"
    "    for (var k = 0; k < wanted.length; k++) {"
    "      var node = data, path = wanted[k];"
    "      for (var t = 0; t < path.length; t++) {"
    "        if (node === null || typeof node !== 'object' || !own.call(node, path[t])) { node = undefined; break; }"
    "        node = node[path[t]];"
    "      }"
    "      out[k] = typeof node === 'number' ? node : typeof node === 'boolean' ? (node ? 1 : 0) : NaN;"
    "    }"
    "    return undefined;"
    "  };"
    "})";

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
    size_t wanted_count = 0;
    double *numbers = NULL;
    if (fields) {
        JSStringRef text = JSStringCreateWithUTF8CString(fields);
        wanted = JSValueMakeFromJSONString(ctx, text);
        JSStringRelease(text);
        JSStringRef lengthName = JSStringCreateWithUTF8CString("length");
        JSValueRef length = wanted && JSValueIsObject(ctx, wanted) ? JSObjectGetProperty(ctx, (JSObjectRef)wanted, lengthName, NULL) : NULL;
        JSStringRelease(lengthName);
        if (!length || !JSValueIsNumber(ctx, length)) fail_load(file, "the worker was given fields that are not a JSON list");
        wanted_count = (size_t)JSValueToNumber(ctx, length, NULL);
        numbers = calloc(wanted_count ? wanted_count : 1, sizeof(double));
        if (!numbers) _exit(EXIT_MEMORY);
        out = JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeFloat64Array, numbers, wanted_count * sizeof(double), NULL, NULL, &exception);
        if (exception || !out) fail_load(file, "the worker could not make its answer buffer");
        JSValueProtect(ctx, wanted);
        JSValueProtect(ctx, out);
    }
    JSValueRef factory = evaluate(ctx, call_wrapper, "lantaarn-call", &exception);
    JSValueRef wrapper = NULL;
    if (!exception && factory && JSValueIsObject(ctx, factory)) {
        JSValueRef made[3] = {JSContextGetGlobalObject(ctx), wanted, out};
        wrapper = JSObjectCallAsFunction(ctx, (JSObjectRef)factory, NULL, 3, made, &exception);
    }
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
    uint8_t *bytes = malloc(65536);
    JSChar *chars = malloc(65536 * sizeof(JSChar));
    for (;;) {
        uint32_t port, n;
        int64_t received;
        pthread_mutex_unlock(&answering);
        int closed = read_full(&port, 4) != 0;  // the ingest closed the pipe
        int bad = !closed && (read_full(&received, 8) || read_full(&n, 4) || n > 65536 || read_full(bytes, n));
        pthread_mutex_lock(&answering);
        if (closed) return 0;
        if (bad) _exit(EXIT_PROTOCOL);
        // The frame goes in as a string of byte-valued characters (one call into the engine,
        // not one per byte); the wrapper makes the codec's array of numbers from it.
        for (uint32_t i = 0; i < n; i++) chars[i] = bytes[i];
        JSStringRef frame = JSStringCreateWithCharacters(chars, n);
        JSValueRef args[3];
        exception = NULL;
        args[0] = JSValueMakeString(ctx, frame);
        JSStringRelease(frame);
        args[1] = JSValueMakeNumber(ctx, port);
        args[2] = JSValueMakeNumber(ctx, (double)received);
        atomic_store(&timed_out, 0);
        atomic_store(&call_started, now_ns());
        pthread_cond_signal(&calling);
        pthread_mutex_unlock(&answering);
        JSValueRef result = JSObjectCallAsFunction(ctx, call, NULL, 3, args, &exception);
        pthread_mutex_lock(&answering);
        atomic_store(&call_started, 0);
        if (!exception && numbers && JSValueIsUndefined(ctx, result)) {
            out_record('V', (const char *)numbers, (uint32_t)(wanted_count * sizeof(double)));
        } else {
            char *text;
            char kind;
            if (exception) {
                kind = atomic_load(&timed_out) ? 'T' : 'X';
                text = kind == 'T' ? strdup("stopped at the time limit") : exception_text(ctx, exception);
            } else {
                kind = 'O';
                text = value_text(ctx, result);
            }
            out_record(kind, text, (uint32_t)strlen(text));
            free(text);
        }
        // Answers go out before the worker would wait for more frames, every 16 KiB while frames
        // keep coming, and at least every 10 ms (slow codecs): the ingest reads them while the next
        // ones are decoded, and hears from the worker long before it would give up waiting.
        if (out_len >= 16384 || in_start == in_end || now_ns() - last_flush > 10000000) {
            out_flush();
            last_flush = now_ns();
        }
    }
}
