#!/usr/bin/env python3
"""make verify, chaos part (issue 10): no acknowledged reading lost, none duplicated.

A QoS 1 publisher sends messages with known (sensor, time) pairs to a private mosquitto at a
fixed rate, in batches it resends until the broker acknowledges them (so it survives broker
restarts). Now and then a batch carries sensor clocks jumped by -1 h or +1 h. Meanwhile:

  kills:    `lantaarn serve` is killed with SIGKILL KILLS times and restarted; each kill lands a
            random 0.1-0.6 s after the process has committed its first messages, so every kill
            hits a process that is committing while the publisher sends (the messages each
            killed process committed are reported, and must be > 0);
  restarts: the broker is stopped (SIGTERM, persistence on) and restarted RESTARTS times while
            `lantaarn serve` runs.

After each phase the last `lantaarn serve` drains and stops, and `lantaarn-verify account`
compares the store (and its quarantine) with every acknowledged message: lost, duplicated,
quarantined (an acknowledged message must be stored, not quarantined), and
`PRAGMA integrity_check`. Standard library only.

  disk full (with --disk-full; needs root to mount): the data directory sits on a small tmpfs;
            ingest must pause with a clear log line when it fills, lose nothing, and resume by
            itself once the tmpfs is made larger.

Usage: verify_chaos.py BIN_DIR WORK_DIR RATE KILLS RESTARTS [--disk-full]
  BIN_DIR holds `lantaarn` and `lantaarn-verify` (.build/release or .build/debug).
Prints one JSON line per phase and `VERIFY <key> <value> <unit>` lines; exits 1 if any message
was lost, duplicated or quarantined, a kill did not land on a committing process, or the database
is not intact."""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from mqttlib import Broker, connect_packet, free_port, iso, registry, remaining_length, tool, utf8_field, SENSORS

HOUR_MS = 3_600_000


def publisher_base(now=None):
    """Where the publisher's sensor clocks start, epoch ms: 2 h ago, but never so early that a
    reading 1 h behind falls on a UTC day whose chunk window the store has already sealed by the
    clock (a day's window closes 2 h after it ends, at 02:00 UTC). Without this, a run between
    02:00 and 03:00 UTC would see the -1 h readings quarantined as late."""
    now = int(time.time()) if now is None else now
    base = now - 2 * 3600
    day = now - now % 86_400
    if now >= day + 2 * 3600:
        base = max(base, day + 3600 + 60)
    return base * 1000


def persistent_broker(work):
    """mosquitto with persistence, so a restart keeps queued messages; no in-flight limit."""
    return Broker(work, persistence=os.path.join(work, "mosquitto"), extra="max_inflight_messages 0\n")


class Publisher(threading.Thread):
    """QoS 1 at `rate` messages per second in batches of `batch`; a batch is resent on a new
    connection until every message in it is acknowledged. Acknowledged (sensor, time) pairs go to
    `expected`. Of every 25 batches, the 6th has its sensor clocks 1 h behind and the 13th 1 h ahead."""

    def __init__(self, port, rate, base_ms, batch=500):
        super().__init__(daemon=True)
        self.port, self.rate, self.base, self.batch = port, rate, base_ms, batch
        self.expected, self.jumped = [], {"-1h": 0, "+1h": 0}
        self.stopping = threading.Event()
        self.sock = None
        self.reconnects = 0
        self.seq = 0
        self.started = self.finished = None

    def connect(self):
        while not self.stopping.is_set() or self.sock is None:
            try:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                sock.sendall(connect_packet(f"verify-pub-{os.getpid()}"))
                if sock.recv(4)[:1] == b"\x20":
                    self.sock = sock
                    return
                sock.close()
            except OSError:
                pass
            time.sleep(0.05)

    def packets(self, first, number):
        jump = 0
        if (first // self.batch) % 25 == 5:
            jump, label = -HOUR_MS + 1, "-1h"
        elif (first // self.batch) % 25 == 12:
            jump, label = HOUR_MS + 1, "+1h"
        out, keys = bytearray(), []
        for k in range(number):
            i = first + k
            sensor, step = i % SENSORS, i // SENSORS
            ts = self.base + step * 100 + jump   # normal times are multiples of 100 ms; jumped ones are not
            topic = utf8_field(f"lantaarn/sensors/bench-{sensor:03d}/readings")
            pm25 = (i * 7919) % 2000 / 10
            payload = ('{"ts":"%s","values":{"pm25":%.1f,"pm10":%.1f}}' % (iso(ts), pm25, pm25 * 1.5)).encode()
            body = topic + (k + 1).to_bytes(2, "big") + payload
            out += bytes([0x32]) + remaining_length(len(body)) + body
            keys.append(f"bench-{sensor:03d} {ts}")
        if jump:
            self.jumped[label] += number
        return bytes(out), keys

    def send(self, packets, number):
        """True when every message of the batch was acknowledged on this connection."""
        try:
            self.sock.sendall(packets)
            need, got = number * 4, 0
            while got < need:
                chunk = self.sock.recv(need - got)
                if not chunk:
                    return False
                got += len(chunk)
            return True
        except OSError:
            return False

    def run(self):
        self.connect()
        self.started = time.monotonic()
        while not self.stopping.is_set():
            packets, keys = self.packets(self.seq, self.batch)
            while not self.send(packets, self.batch):
                self.reconnects += 1
                try:
                    self.sock.close()
                except OSError:
                    pass
                self.sock = None
                self.connect()
            self.expected += keys
            self.seq += self.batch
            # Keep to the rate: the batch's share of time since the start.
            ahead = self.seq / self.rate - (time.monotonic() - self.started)
            if ahead > 0:
                time.sleep(ahead)
        self.finished = time.monotonic()
        self.sock.close()


class Serve:
    def __init__(self, binary, work, data, broker_port):
        self.http = free_port()
        self.args = [binary, "serve", "--data-dir", data, "--sensors", os.path.join(work, "Sensors"),
                     "--pipelines", os.path.join(work, "Pipelines"), "--mqtt", f"mqtt://127.0.0.1:{broker_port}",
                     "--listen", f"127.0.0.1:{self.http}"]
        self.err = open(os.path.join(work, "serve.err"), "a")
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self.err)

    def kill(self):
        self.process.kill()
        self.process.wait()

    def committed(self):
        """Messages this process has committed to the store (its /-/health), or None before it answers."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http}/-/health", timeout=2) as r:
                return json.load(r)["ingest"]["messages"]
        except (OSError, ValueError, KeyError):
            return None

    def kill_while_committing(self, timeout=60):
        """Waits until this process has committed messages, lets it commit on for 0.1-0.6 s, and
        kills it; returns how many messages it had committed when last asked (0: it never did)."""
        deadline = time.time() + timeout
        while (self.committed() or 0) == 0 and time.time() < deadline and self.process.poll() is None:
            time.sleep(0.02)
        time.sleep(random.uniform(0.1, 0.6))
        committed = self.committed() or 0
        self.kill()
        return committed

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=120)


def account(verify, data, keys, path):
    with open(path, "w") as f:
        f.write("\n".join(keys) + "\n")
    out = subprocess.run([verify, "account", data, path], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def drained(verify, data, keys, path, timeout=300):
    """Waits until every acknowledged message is stored or quarantined (or nothing moves for 60 s)."""
    deadline, last, still = time.time() + timeout, None, time.time()
    while True:
        result = account(verify, data, keys, path)
        if result["lost"] == 0 or time.time() > deadline:
            return result
        if result != last:
            last, still = result, time.time()
        elif time.time() - still > 60:
            return result
        time.sleep(2)


def disk_full(binary, verify, work, rate):
    """Fills a 24 MB tmpfs under the data directory, then gives it 1 GB; returns the phase's record."""
    mount = os.path.join(work, "small")
    os.makedirs(mount, exist_ok=True)
    if subprocess.run([tool("mount"), "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount], capture_output=True).returncode != 0:
        return {"phase": "disk_full", "error": "cannot mount a tmpfs (make verify's disk-full phase needs root)"}
    broker_dir = os.path.join(work, "broker-full")
    os.makedirs(broker_dir, exist_ok=True)
    broker = persistent_broker(broker_dir)
    try:
        data = os.path.join(mount, "data")
        log_before = os.path.getsize(os.path.join(work, "serve.err")) if os.path.exists(os.path.join(work, "serve.err")) else 0
        serve = Serve(binary, work, data, broker.port)
        deadline = time.time() + 60
        while not subscribed(work, 1, since=log_before) and time.time() < deadline:
            time.sleep(0.05)
        publisher = Publisher(broker.port, rate, publisher_base())
        publisher.start()
        paused_line = None
        deadline = time.time() + 180
        while time.time() < deadline and paused_line is None:
            time.sleep(0.5)
            with open(os.path.join(work, "serve.err")) as f:
                f.seek(log_before)
                paused_line = next((l.strip() for l in f if "ingest paused" in l), None)
        full_at = publisher.seq
        time.sleep(5)   # stay full for a while: nothing may crash or be acknowledged without being kept
        alive_while_full = serve.process.poll() is None
        subprocess.run([tool("mount"), "-o", "remount,size=1g", mount], check=True)
        time.sleep(5)
        publisher.stopping.set()
        publisher.join()
        result = drained(verify, data, publisher.expected, os.path.join(work, "expected-full.txt"))
        with open(os.path.join(work, "serve.err")) as f:
            f.seek(log_before)
            resumed = any("ingest resumed" in l for l in f)
        serve.stop()
        result = account(verify, data, publisher.expected, os.path.join(work, "expected-full.txt"))
        result.update({"phase": "disk_full", "paused_log_line": paused_line, "published_when_full": full_at,
                       "alive_while_full": alive_while_full, "resumed_log_line": resumed})
        return result
    finally:
        broker.stop()
        subprocess.run([tool("umount"), "-l", mount], capture_output=True)


def subscribed(work, count, since=0):
    with open(os.path.join(work, "serve.err")) as f:
        f.seek(since)
        return f.read().count("MQTT connected and subscribed") >= count


def main():
    # A parent (Foundation's Process in the Swift tests) may hand down a blocked SIGTERM; the
    # broker's graceful restart needs it, so unblock it for every child started from here.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    bin_dir, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    rate, kills, restarts = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    binary, verify = os.path.join(bin_dir, "lantaarn"), os.path.join(bin_dir, "lantaarn-verify")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "Sensors"))
    os.makedirs(os.path.join(work, "Pipelines"))
    registry(os.path.join(work, "Sensors", "bench.yaml"))
    data = os.path.join(work, "data")
    broker = persistent_broker(work)
    failed = False
    results = {}
    base = publisher_base()
    try:
        # Phase 1: SIGKILL cycles under the publisher.
        serve = Serve(binary, work, data, broker.port)
        deadline = time.time() + 60
        while not subscribed(work, 1) and time.time() < deadline:
            time.sleep(0.05)
        publisher = Publisher(broker.port, rate, base)
        publisher.start()
        between = []
        for _ in range(kills):
            between.append(serve.kill_while_committing())
            serve.start()
        publisher.stopping.set()
        publisher.join()
        sent_rate = publisher.seq / (publisher.finished - publisher.started)
        result = drained(verify, data, publisher.expected, os.path.join(work, "expected-kills.txt"))
        serve.stop()
        result = account(verify, data, publisher.expected, os.path.join(work, "expected-kills.txt"))
        result.update({"phase": "sigkill", "kills": kills, "killed_mid_commit": sum(1 for n in between if n > 0),
                       "committed_between_kills": between, "rate_msgs_per_s": round(sent_rate),
                       "jumped": dict(publisher.jumped), "publisher_reconnects": publisher.reconnects})
        results["sigkill"] = result
        print(json.dumps(result), flush=True)

        # Phase 2: broker restarts while serve runs (same store, new messages after the first phase's).
        serve = Serve(binary, work, data, broker.port)
        publisher2 = Publisher(broker.port, rate, base + (publisher.seq // SENSORS + 10) * 100)
        publisher2.seq = 0
        publisher2.start()
        for _ in range(restarts):
            time.sleep(random.uniform(1.0, 2.0))
            broker.restart()
        time.sleep(1.0)
        publisher2.stopping.set()
        publisher2.join()
        keys = publisher.expected + publisher2.expected
        drained(verify, data, keys, os.path.join(work, "expected-all.txt"))
        serve.stop()
        result = account(verify, data, keys, os.path.join(work, "expected-all.txt"))
        result.update({"phase": "broker_restarts", "restarts": restarts, "publisher_reconnects": publisher2.reconnects,
                       "jumped": {k: publisher.jumped[k] + publisher2.jumped[k] for k in publisher.jumped}})
        results["restarts"] = result
        print(json.dumps(result), flush=True)
        if "--disk-full" in sys.argv:
            result = disk_full(binary, verify, work, rate)
            results["disk_full"] = result
            print(json.dumps(result), flush=True)

        # The accounting can fail: a message that was never stored counts as lost.
        probe = account(verify, data, keys + ["bench-000 1"], os.path.join(work, "expected-probe.txt"))
        if probe["lost"] != 1:
            sys.exit(f"verify_chaos: the accounting did not notice a missing message: {probe}")
    finally:
        broker.stop()

    for name, r in results.items():
        if "error" in r or r["lost"] or r["duplicated"] or r["quarantined"] or r["unexpected"] or r["integrity"] != "ok" \
                or r["pm10"] != r["stored"]:
            failed = True
        if name == "sigkill" and r.get("killed_mid_commit") != r.get("kills"):
            failed = True
        if name == "disk_full" and "error" not in r and not (r["paused_log_line"] and r["resumed_log_line"] and r["alive_while_full"]):
            failed = True
    s, b = results.get("sigkill", {}), results.get("restarts", {})
    print(f"VERIFY chaos_kills {s.get('kills', 0)} SIGKILLs")
    print(f"VERIFY chaos_kills_mid_commit {s.get('killed_mid_commit', 0)} SIGKILLs")
    print(f"VERIFY chaos_min_committed_between_kills {min(s.get('committed_between_kills') or [0])} messages")
    print(f"VERIFY chaos_rate {s.get('rate_msgs_per_s', 0)} msg/s")
    print(f"VERIFY chaos_broker_restarts {b.get('restarts', 0)} restarts")
    print(f"VERIFY chaos_messages {b.get('expected', 0)} messages")
    print(f"VERIFY chaos_lost {b.get('lost', -1)} messages")
    print(f"VERIFY chaos_duplicated {b.get('duplicated', -1)} readings")
    print(f"VERIFY chaos_quarantined {b.get('quarantined', -1)} messages")
    if "disk_full" in results:
        print(f"VERIFY disk_full_quarantined {results['disk_full'].get('quarantined', -1)} messages")
    print(f"VERIFY chaos_clock_jumped {sum(b.get('jumped', {}).values())} messages")
    print(f"VERIFY chaos_integrity {b.get('integrity', 'not run')}")
    if "disk_full" in results:
        d = results["disk_full"]
        print(f"VERIFY disk_full_lost {d.get('lost', -1)} messages")
        print(f"VERIFY disk_full_paused {1 if d.get('paused_log_line') else 0} bool")
        print(f"VERIFY disk_full_resumed {1 if d.get('resumed_log_line') else 0} bool")
        print(f"VERIFY disk_full_integrity {d.get('integrity', d.get('error', 'not run'))}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
