#!/usr/bin/env python3
"""Broker-speed ingest benchmark (issue 4), standard library only.

Starts its own mosquitto on a free loopback port, then alternates two runs on the
same stream of N QoS 1 messages in the plain Lantaarn format:

  broker:   time until `mosquitto_sub -t '#' -q 1 > /dev/null` has received all N;
  lantaarn: time until `lantaarn serve` has committed all N to its store
            (published -> durable), and Lantaarn's CPU time over that interval.

Both use the same pipelined publisher (pre-encoded MQTT packets on one socket,
PUBACKs read by a second thread), which is faster than either consumer, so the
broker's delivery is what limits the first run. Each run is repeated ROUNDS times;
the medians are reported.

Usage: broker_ingest.py LANTAARN_BIN WORK_DIR [MESSAGES] [ROUNDS]
Prints `BENCH <key> <value> <unit>` lines.
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

SENSORS = 50
# Positions inside Haarlem wijken (from Sensors/haarlem-demo.yaml), cycled over the sensors.
POSITIONS = [(52.38119, 4.63746), (52.38425, 4.62434), (52.37877, 4.65228),
             (52.3929, 4.63569), (52.41836, 4.64662), (52.36051, 4.64286)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    sys.exit(f"broker_ingest: timed out waiting for {what}")


def remaining_length(n):
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def utf8_field(text):
    b = text.encode()
    return len(b).to_bytes(2, "big") + b


def connect_packet(client_id):
    body = utf8_field("MQTT") + bytes([4, 0x02]) + (60).to_bytes(2, "big") + utf8_field(client_id)
    return bytes([0x10]) + remaining_length(len(body)) + body


def iso(ms):
    secs, milli = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{milli:03d}Z"


def messages(count):
    """Pre-encoded QoS 1 PUBLISH packets: SENSORS air sensors, 100 ms apart, ending now."""
    start = (int(time.time()) - 3600) * 1000
    out = bytearray()
    for i in range(count):
        sensor, step = i % SENSORS, i // SENSORS
        topic = utf8_field(f"lantaarn/sensors/bench-{sensor:03d}/readings")
        pm25 = (i * 7919) % 2000 / 10
        payload = ('{"ts":"%s","values":{"pm25":%.1f,"pm10":%.1f}}' % (iso(start + step * 100), pm25, pm25 * 1.5)).encode()
        body = topic + ((i % 65535) + 1).to_bytes(2, "big") + payload
        out += bytes([0x32]) + remaining_length(len(body)) + body
    return bytes(out)


def publish(port, packets, count):
    """Sends all packets as fast as the socket takes them; returns when every PUBACK arrived."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(connect_packet(f"bench-pub-{os.getpid()}-{time.monotonic_ns()}"))
    if sock.recv(4)[:1] != b"\x20":
        sys.exit("broker_ingest: publisher was not accepted by the broker")
    need = count * 4   # PUBACK = 0x40 0x02 id id

    def drain():
        got = 0
        while got < need:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            got += len(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    view = memoryview(packets)
    for offset in range(0, len(view), 1 << 20):
        sock.sendall(view[offset:offset + (1 << 20)])
    reader.join()
    sock.close()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """User and system CPU seconds per thread name, to show where Lantaarn's time goes."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        user, system = out.get(name, (0.0, 0.0))
        out[name] = (user + int(fields[11]) / tick, system + int(fields[12]) / tick)
    return out


class Broker:
    """A private mosquitto on a free loopback port. With `persistence` (a folder) it keeps its
    database there, so `restart()` (SIGTERM, then start again on the same port) keeps queued
    messages; `extra` adds configuration lines."""

    def __init__(self, work, persistence=None, extra=""):
        self.port = free_port()
        self.log = os.path.join(work, "mosquitto.log")
        self.conf = os.path.join(work, "mosquitto.conf")
        if persistence:
            os.makedirs(persistence, exist_ok=True)
            os.chmod(persistence, 0o777)   # mosquitto drops root privileges before writing its database
            stored = f"persistence true\npersistence_location {persistence}/\nautosave_interval 1\n"
        else:
            stored = "persistence false\n"
        with open(self.conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n{stored}"
                    f"max_queued_messages 0\n{extra}log_dest stderr\nlog_type subscribe\nlog_type error\nlog_type warning\n")
        # stderr, not log_dest file: mosquitto drops root privileges and could not open a file here.
        self.log_file = open(self.log, "a")
        self.start()

    def start(self):
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.process = subprocess.Popen([exe, "-c", self.conf], stderr=self.log_file)
        wait_for(self.listening, 10, "mosquitto to listen")

    def restart(self):
        self.process.terminate()   # SIGTERM: mosquitto writes its database, queued messages included
        self.process.wait(timeout=30)
        self.start()

    def listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def subscribed(self, client_prefix):
        try:
            with open(self.log) as f:
                return any(f" {client_prefix}" in line for line in f)
        except OSError:
            return False

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.log_file.close()


def run_broker(broker, packets, count, round_no):
    client = f"bench-sub-{round_no}"
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", "#", "-q", "1",
                            "-C", str(count), "-i", client], stdout=subprocess.DEVNULL)
    wait_for(lambda: broker.subscribed(client), 10, "mosquitto_sub to subscribe")
    t0 = time.monotonic()
    threading.Thread(target=publish, args=(broker.port, packets, count), daemon=True).start()
    if sub.wait(timeout=600) != 0:
        sys.exit("broker_ingest: mosquitto_sub failed")
    return count / (time.monotonic() - t0)


def registry(path):
    with open(path, "w") as f:
        f.write("sensors:\n")
        for s in range(SENSORS):
            lat, lon = POSITIONS[s % len(POSITIONS)]
            f.write(f"  - id: bench-{s:03d}\n    lamppost: B-{s:03d}\n    kind: luchtkwaliteit\n"
                    f"    lat: {lat}\n    lon: {lon}\n    quantities:\n"
                    '      pm25: {unit: "µg/m³", min: 0, max: 500, resolution: 0.1}\n'
                    '      pm10: {unit: "µg/m³", min: 0, max: 600, resolution: 0.1}\n')


def health(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/health", timeout=5) as r:
        return json.load(r)["ingest"]


def run_lantaarn(binary, work, broker, packets, count, round_no):
    data = os.path.join(work, f"lantaarn-{round_no}")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data + "/Sensors")
    os.makedirs(data + "/Pipelines")
    registry(data + "/Sensors/bench.yaml")
    http = free_port()
    err = open(data + "/serve.err", "w")
    # BENCH_PERF=1 records a CPU profile of Lantaarn to WORK_DIR/perf-ROUND.data (diagnosis only).
    wrap = ["perf", "record", "-g", "-F", "2000", "-o", os.path.join(work, f"perf-{round_no}.data"), "--"] \
        if os.environ.get("BENCH_PERF") else []
    serve = subprocess.Popen(wrap + [binary, "serve", "--data-dir", data + "/data", "--sensors", data + "/Sensors",
                              "--pipelines", data + "/Pipelines", "--mqtt", f"mqtt://127.0.0.1:{broker.port}",
                              "--listen", f"127.0.0.1:{http}"], stdout=subprocess.DEVNULL, stderr=err)
    try:
        wait_for(lambda: lantaarn_subscribed(data), 30, "lantaarn to subscribe")
        wait_for(lambda: http_up(http), 30, "lantaarn's HTTP server")
        pid = serve.pid
        if wrap:   # measure lantaarn, not perf
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                pid = int(f.read().split()[0])
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        threading.Thread(target=publish, args=(broker.port, packets, count), daemon=True).start()
        while True:
            h = health(http)
            if h["messages"] >= count:
                break
            if serve.poll() is not None:
                sys.exit(f"broker_ingest: lantaarn exited; see {data}/serve.err")
            time.sleep(0.01)
        elapsed, cpu = time.monotonic() - t0, cpu_seconds(pid) - cpu0
        threads = thread_cpu(pid)
        busiest = sorted(threads.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:5]
        print("  lantaarn threads (user/sys s): " + ", ".join(f"{n} {u:.1f}/{s:.1f}" for n, (u, s) in busiest), file=sys.stderr)
        if h["readings"] != 2 * count or h["quarantined"] != 0 or h["duplicates"] != 0:
            sys.exit(f"broker_ingest: lantaarn stored {h['readings']} values, quarantined {h['quarantined']}, "
                     f"duplicates {h['duplicates']}; expected {2 * count}, 0, 0")
        return count / elapsed, cpu / elapsed
    finally:
        serve.terminate()
        serve.wait(timeout=60)
        err.close()
        if not os.environ.get("BENCH_KEEP"):   # BENCH_KEEP=1 keeps the data dir for diagnosis
            shutil.rmtree(data, ignore_errors=True)


def lantaarn_subscribed(data):
    try:
        with open(data + "/serve.err") as f:
            return "MQTT connected and subscribed" in f.read()
    except OSError:
        return False


def http_up(port):
    try:
        health(port)
        return True
    except OSError:
        return False


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: broker_ingest.py LANTAARN_BIN WORK_DIR [MESSAGES] [ROUNDS]")
    binary, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 500_000
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    packets = messages(count)
    print(f"broker_ingest: {count} messages, {len(packets) / count:.0f} bytes per packet, {rounds} rounds", file=sys.stderr)
    broker = Broker(work)
    try:
        broker_rates, lantaarn_rates, cores = [], [], []
        for r in range(rounds):
            broker_rates.append(run_broker(broker, packets, count, r))
            rate, core = run_lantaarn(binary, work, broker, packets, count, r)
            lantaarn_rates.append(rate)
            cores.append(core)
            print(f"round {r + 1}: broker -> mosquitto_sub {broker_rates[-1]:,.0f} msg/s, "
                  f"lantaarn {rate:,.0f} msg/s durable, {core:.2f} cores", file=sys.stderr)
    finally:
        broker.stop()
    b, l = statistics.median(broker_rates), statistics.median(lantaarn_rates)
    print(f"BENCH ingest_broker_msgs_per_s {b:.0f} msg/s")
    print(f"BENCH ingest_lantaarn_msgs_per_s {l:.0f} msg/s")
    print(f"BENCH ingest_ratio_vs_broker {l / b:.2f} ratio")
    print(f"BENCH ingest_cpu_cores {statistics.median(cores):.2f} cores")


if __name__ == "__main__":
    main()
