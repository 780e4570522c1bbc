#!/usr/bin/env python3
"""Broker-speed ingest benchmark (issues 4 and 26), standard library only.

Starts its own mosquitto on a free loopback port and, per round, sends the same N messages in the
plain Lantaarn format from one pipelined raw-socket publisher (pre-encoded packets on one socket,
acknowledgements read by a second thread), at QoS 1 and at QoS 0, to:

  broker capacity:  K raw-socket subscribers (`$share/bench/#` when K > 1) that parse the stream
                    and acknowledge each read in one write. K starts at 1 and doubles (up to 8)
                    until the broker process uses >= 90 % of one core, so the broker, not a
                    subscriber, is what limits the figure; its CPU is printed;
  single client:    `mosquitto_sub -t '#' -q 1 -C N > /dev/null` (QoS 1), the baseline of the
                    runs before issue 26; its keys print the same figures as then;
  Lantaarn:         `lantaarn serve` (one client of the same broker), timed until it has committed
                    all N to its store (published -> durable), with its CPU over that interval.

Usage: broker_ingest.py LANTAARN_BIN WORK_DIR [MESSAGES] [ROUNDS]
       broker_ingest.py --subscribe PORT QOS FILTER CLIENT_ID   (one capacity subscriber)
Medians of the rounds; prints `BENCH <key> <value> <unit>` lines.
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

from mqttlib import SENSORS, Broker, connect_packet, free_port, iso, registry, remaining_length, tool, utf8_field, wait_for

MAX_SUBSCRIBERS = 8


def messages(count, qos):
    """Pre-encoded PUBLISH packets: SENSORS air sensors, 100 ms apart, ending now."""
    start = (int(time.time()) - 3600) * 1000
    out = bytearray()
    header = 0x32 if qos == 1 else 0x30
    for i in range(count):
        sensor, step = i % SENSORS, i // SENSORS
        topic = utf8_field(f"lantaarn/sensors/bench-{sensor:03d}/readings")
        pm25 = (i * 7919) % 2000 / 10
        payload = ('{"ts":"%s","values":{"pm25":%.1f,"pm10":%.1f}}' % (iso(start + step * 100), pm25, pm25 * 1.5)).encode()
        body = topic + (((i % 65535) + 1).to_bytes(2, "big") if qos == 1 else b"") + payload
        out += bytes([header]) + remaining_length(len(body)) + body
    return bytes(out)


def publish(port, packets, count, qos):
    """Sends all packets as fast as the socket takes them; returns once the broker has every one
    (every PUBACK at QoS 1; the answer to a PINGREQ sent after the last packet at QoS 0)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(connect_packet(f"bench-pub-{os.getpid()}-{time.monotonic_ns()}"))
    if sock.recv(4)[:1] != b"\x20":
        sys.exit("broker_ingest: publisher was not accepted by the broker")
    need = count * 4 if qos == 1 else 2   # PUBACK = 0x40 0x02 id id; PINGRESP = 0xD0 0x00

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
    if qos == 0:
        sock.sendall(b"\xc0\x00")
    reader.join()
    sock.close()


def subscriber_main(port, qos, topic_filter, client_id):
    """One capacity subscriber: reads the stream in large chunks, parses each PUBLISH, and
    acknowledges everything a read brought in one write. Prints `ready` after its SUBACK, then,
    once nothing arrived for 2 s, one JSON line: how many messages, and when (CLOCK_MONOTONIC, the
    clock the parent reads too) the last one arrived."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.sendall(connect_packet(client_id))
    assert sock.recv(4)[:1] == b"\x20", "subscriber not accepted"
    body = (1).to_bytes(2, "big") + utf8_field(topic_filter) + bytes([qos])
    sock.sendall(bytes([0x82]) + remaining_length(len(body)) + body)
    buffer = b""
    while len(buffer) < 5:
        buffer += sock.recv(5 - len(buffer))
    assert buffer[0] == 0x90 and buffer[4] in (0, 1), f"subscription refused: {buffer!r}"
    print("ready", flush=True)
    sock.settimeout(2.0)
    count, last = 0, None
    buffer = b""
    while True:
        try:
            chunk = sock.recv(1 << 20)
        except socket.timeout:
            if count:
                break
            continue
        if not chunk:
            break
        last = time.monotonic()
        data = buffer + chunk
        n, i, acks = len(data), 0, bytearray()
        while i + 2 <= n:
            first = data[i]
            length, shift, j = 0, 0, i + 1
            while j < n:
                byte = data[j]
                length |= (byte & 0x7F) << shift
                j += 1
                if byte < 0x80:
                    break
                shift += 7
            else:
                break   # the remaining length is cut off
            end = j + length
            if end > n:
                break   # the packet is cut off
            if first & 0xF0 == 0x30:
                count += 1
                if first & 0x06:   # QoS 1: acknowledge its packet id
                    topic_end = j + 2 + ((data[j] << 8) | data[j + 1])
                    acks += b"\x40\x02" + data[topic_end:topic_end + 2]
            i = end
        buffer = data[i:]
        if acks:
            sock.sendall(acks)
    print(json.dumps({"count": count, "last": last}), flush=True)
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


def run_capacity(broker, packets, count, qos, subscribers, round_no):
    """The broker's delivery rate to `subscribers` raw-socket subscribers that keep up, and the
    broker's CPU (cores) over the same interval."""
    topic_filter = "#" if subscribers == 1 else "$share/bench/#"
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "--subscribe", str(broker.port), str(qos), topic_filter,
                               f"bench-cap-{round_no}-{qos}-{k}"], stdout=subprocess.PIPE, text=True)
             for k in range(subscribers)]
    for p in procs:
        if p.stdout.readline().strip() != "ready":
            sys.exit("broker_ingest: a capacity subscriber did not subscribe")
    cpu0, t0 = cpu_seconds(broker.process.pid), time.monotonic()
    threading.Thread(target=publish, args=(broker.port, packets, count, qos), daemon=True).start()
    results = [json.loads(p.stdout.readline()) for p in procs]
    for p in procs:
        p.wait(timeout=60)
    cpu = cpu_seconds(broker.process.pid) - cpu0   # includes up to 2 s of idle at the end: no CPU
    received = sum(r["count"] for r in results)
    if received != count:
        sys.exit(f"broker_ingest: the capacity subscribers received {received} of {count} QoS {qos} messages")
    elapsed = max(r["last"] for r in results) - t0
    return count / elapsed, cpu / elapsed


def capacity(broker, packets, count, qos, round_no, chosen):
    """Doubles the subscribers until the broker uses >= 0.9 core (first round only; later rounds
    reuse the number found). Returns (rate, broker cores, subscribers)."""
    if qos in chosen:
        rate, cores = run_capacity(broker, packets, count, qos, chosen[qos], round_no)
        return rate, cores, chosen[qos]
    best = None
    subscribers = 1
    while subscribers <= MAX_SUBSCRIBERS:
        rate, cores = run_capacity(broker, packets, count, qos, subscribers, round_no)
        print(f"  QoS {qos}, {subscribers} subscriber(s): {rate:,.0f} msg/s, broker {cores:.2f} cores", file=sys.stderr)
        if best is None or rate > best[0]:
            best = (rate, cores, subscribers)
        if cores >= 0.9:
            break
        subscribers *= 2
    chosen[qos] = best[2]
    return best


def run_mosquitto_sub(broker, packets, count, round_no):
    """The single-client baseline of the runs before issue 26: one mosquitto_sub at QoS 1."""
    client = f"bench-sub-{round_no}"
    sub = subprocess.Popen([tool("mosquitto_sub"), "-h", "127.0.0.1", "-p", str(broker.port), "-t", "#", "-q", "1",
                            "-C", str(count), "-i", client], stdout=subprocess.DEVNULL)
    wait_for(lambda: broker.subscribed(client), 10, "mosquitto_sub to subscribe")
    t0 = time.monotonic()
    threading.Thread(target=publish, args=(broker.port, packets, count, 1), daemon=True).start()
    if sub.wait(timeout=600) != 0:
        sys.exit("broker_ingest: mosquitto_sub failed")
    return count / (time.monotonic() - t0)


def health(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/health", timeout=5) as r:
        return json.load(r)["ingest"]


def run_lantaarn(binary, work, broker, packets, count, qos, round_no):
    data = os.path.join(work, f"lantaarn-{round_no}-qos{qos}")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data + "/Sensors")
    os.makedirs(data + "/Pipelines")
    registry(data + "/Sensors/bench.yaml")
    http = free_port()
    err = open(data + "/serve.err", "w")
    # BENCH_PERF=1 records a CPU profile of Lantaarn to WORK_DIR/perf-ROUND.data (diagnosis only).
    wrap = [tool("perf"), "record", "-g", "-F", "2000", "-o", os.path.join(work, f"perf-{round_no}-qos{qos}.data"), "--"] \
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
        threading.Thread(target=publish, args=(broker.port, packets, count, qos), daemon=True).start()
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
    if len(sys.argv) == 6 and sys.argv[1] == "--subscribe":
        subscriber_main(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
        return
    if len(sys.argv) < 3:
        sys.exit("usage: broker_ingest.py LANTAARN_BIN WORK_DIR [MESSAGES] [ROUNDS]")
    binary, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 500_000
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    packets = {qos: messages(count, qos) for qos in (1, 0)}
    print(f"broker_ingest: {count} messages, {len(packets[1]) / count:.0f} bytes per QoS 1 packet, {rounds} rounds", file=sys.stderr)
    broker = Broker(work)
    figures = {key: [] for key in ("single", "cap1", "cap1_cpu", "cap0", "cap0_cpu", "ours1", "ours1_cpu", "ours0", "ours0_cpu")}
    chosen = {}
    try:
        for r in range(rounds):
            figures["single"].append(run_mosquitto_sub(broker, packets[1], count, r))
            for qos in (1, 0):
                rate, cores, subscribers = capacity(broker, packets[qos], count, qos, r, chosen)
                figures[f"cap{qos}"].append(rate)
                figures[f"cap{qos}_cpu"].append(cores)
                ours, ours_cpu = run_lantaarn(binary, work, broker, packets[qos], count, qos, r)
                figures[f"ours{qos}"].append(ours)
                figures[f"ours{qos}_cpu"].append(ours_cpu)
                print(f"round {r + 1}, QoS {qos}: broker -> {subscribers} subscriber(s) {rate:,.0f} msg/s (broker {cores:.2f} cores); "
                      f"lantaarn {ours:,.0f} msg/s durable, {ours_cpu:.2f} cores", file=sys.stderr)
            print(f"round {r + 1}: broker -> mosquitto_sub {figures['single'][-1]:,.0f} msg/s", file=sys.stderr)
    finally:
        broker.stop()
    m = {k: statistics.median(v) for k, v in figures.items()}
    # The keys of the runs before issue 26, with the same figures: the QoS 1 baseline of one mosquitto_sub.
    print(f"BENCH ingest_broker_msgs_per_s {m['single']:.0f} msg/s")
    print(f"BENCH ingest_lantaarn_msgs_per_s {m['ours1']:.0f} msg/s")
    print(f"BENCH ingest_ratio_vs_broker {m['ours1'] / m['single']:.2f} ratio")
    print(f"BENCH ingest_cpu_cores {m['ours1_cpu']:.2f} cores")
    # Against the broker's capacity, at QoS 1 and QoS 0.
    for qos in (1, 0):
        print(f"BENCH ingest_broker_qos{qos}_msgs_per_s {m[f'cap{qos}']:.0f} msg/s")
        print(f"BENCH ingest_broker_qos{qos}_cpu_cores {m[f'cap{qos}_cpu']:.2f} cores")
        print(f"BENCH ingest_broker_qos{qos}_subscribers {chosen[qos]} subscribers")
        print(f"BENCH ingest_lantaarn_qos{qos}_msgs_per_s {m[f'ours{qos}']:.0f} msg/s")
        print(f"BENCH ingest_lantaarn_qos{qos}_cpu_cores {m[f'ours{qos}_cpu']:.2f} cores")
        print(f"BENCH ingest_ratio_vs_broker_qos{qos} {m[f'ours{qos}'] / m[f'cap{qos}']:.2f} ratio")


if __name__ == "__main__":
    main()
