#!/usr/bin/env python3
"""make verify, soak (issue 10): `lantaarn serve` over a generated history for SECONDS with
CLIENTS concurrent HTTP connections across its public endpoints (wrk, cycling through every
URL a crawl of the site found) while a QoS 1 publisher sends RATE messages a second.

Reported: p99 latency and errors per slice of SLICE seconds, the resident memory of `serve`
every 5 s (RssAnon, its heap, judged for flatness by its least-squares slope over the second
half of the run; and VmRSS, which also counts the mapped SQLite file as it grows), and the ingest accounting of every
acknowledged message (lost, duplicated) by `lantaarn-verify account`.

Usage: verify_soak.py BIN_DIR WORK_DIR SECONDS RATE CLIENTS [SLICE]
  BIN_DIR holds `lantaarn` and `lantaarn-verify`.
Prints one JSON line per slice and `VERIFY <key> <value> <unit>` lines; exits 1 on an HTTP error,
a lost or duplicated message, a growing RSS (its trend over the second half adding more than 2 %),
a dead server, or a load that did not run: fewer than 50 requests a second on average, or fewer
messages published than 80 % of RATE × SECONDS."""
import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import free_port, wait_for, wrk_run  # noqa: E402
from mqttlib import Broker, registry  # noqa: E402
from crawl import crawl  # noqa: E402
from verify_chaos import Publisher, account, drained  # noqa: E402

bin_dir, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
seconds, rate, clients = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
slice_seconds = int(sys.argv[6]) if len(sys.argv) > 6 else 30
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary, verify = os.path.join(bin_dir, "lantaarn"), os.path.join(bin_dir, "lantaarn-verify")

def rss_mb(pid, field="RssAnon"):
    """Resident memory of `pid` in MB: `RssAnon` is the heap and stacks; `VmRSS` adds the
    pages of mapped files, which grow with the SQLite file (the store maps it) and are not kept
    by the process."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def slope(points):
    """Least-squares slope of (minutes, MB)."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    var = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / var if var else 0.0


def wrk_slice(paths, url, connections, duration):
    s = wrk_run(url, duration, connections, paths=paths, timeout="10s")
    s["rps"] = round(s["requests"] / duration)
    return s


def main():
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(f"{work}/Sensors")
    data = f"{work}/data"
    with open(f"{work}/lantaarn.yaml", "w") as f:
        f.write("server: {rate_limit: off}\n")   # 64 clients from one address would otherwise get 429s
    shutil.copy(f"{repo}/Sensors/haarlem-demo.yaml", f"{work}/Sensors/")
    common = ["--config", f"{work}/lantaarn.yaml", "--data-dir", data, "--pipelines", f"{repo}/Pipelines",
              "--dashboards", f"{repo}/Dashboards"]
    # The demo history uses the shipped sensors only; the publisher's sensors come after it.
    subprocess.run([binary, "demo", "--days", "2", "--weeks", "70", "--sensors", f"{repo}/Sensors"] + common,
                   check=True, stdout=subprocess.DEVNULL)
    registry(f"{work}/Sensors/bench.yaml")
    broker = Broker(work)
    port = free_port()
    err = open(f"{work}/serve.err", "w")
    serve = subprocess.Popen([binary, "serve", "--sensors", f"{work}/Sensors", "--listen", f"127.0.0.1:{port}",
                              "--mqtt", f"mqtt://127.0.0.1:{broker.port}"] + common, stdout=subprocess.DEVNULL, stderr=err)
    samples, stop_sampling = [], threading.Event()
    try:
        wait_for(f"http://127.0.0.1:{port}/-/health")
        responses, _ = crawl(port, 400)
        paths = sorted({p for p, status, _ in responses if status == 200})
        with open(f"{work}/paths.txt", "w") as f:
            f.write("\n".join(paths) + "\n")
        script = f"{work}/paths.txt"
        print(json.dumps({"endpoints": len(paths)}), flush=True)

        started = time.monotonic()

        def sample():
            while not stop_sampling.is_set() and serve.poll() is None:
                samples.append(((time.monotonic() - started) / 60, rss_mb(serve.pid), rss_mb(serve.pid, "VmRSS")))
                stop_sampling.wait(5)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        publisher = Publisher(broker.port, rate, (int(time.time()) - 3600) * 1000)
        publisher.start()
        slices = []
        while time.monotonic() - started < seconds - 1 and serve.poll() is None:
            duration = max(1, min(slice_seconds, int(seconds - (time.monotonic() - started))))
            s = wrk_slice(script, f"http://127.0.0.1:{port}", clients, duration)
            s["at_s"] = round(time.monotonic() - started)
            s["rss_anon_mb"] = round(rss_mb(serve.pid), 1) if serve.poll() is None else None
            s["vm_rss_mb"] = round(rss_mb(serve.pid, "VmRSS"), 1) if serve.poll() is None else None
            s["published"] = publisher.seq
            slices.append(s)
            print(json.dumps(s), flush=True)
        publisher.stopping.set()
        publisher.join()
        stop_sampling.set()
        sampler.join()
        elapsed = publisher.finished - publisher.started
        alive = serve.poll() is None
        result = drained(verify, data, publisher.expected, f"{work}/expected.txt")
    finally:
        serve.terminate()
        serve.wait(timeout=120)
        broker.stop()
    result = account(verify, data, publisher.expected, f"{work}/expected.txt")

    steady = [p[:2] for p in samples if p[0] >= seconds / 60 / 2]   # the second half: caches are warm
    mean_rss = sum(p[1] for p in steady) / len(steady) if steady else 0
    growth = slope(steady)
    requests = sum(s["requests"] for s in slices)
    errors = sum(s["errors"] for s in slices)
    p99s = [s["p99_ms"] for s in slices]
    ok = {
        "server_alive": alive,
        "http_errors": errors == 0,
        "ingest_lost": result["lost"] == 0,
        "ingest_duplicated": result["duplicated"] == 0,
        # What the trend adds over the second half stays within 2 % of the RSS.
        "rss_flat": mean_rss > 0 and growth * (seconds / 60 / 2) <= 0.02 * mean_rss,
        "integrity": result.get("integrity") == "ok",
        # The load ran: a soak that made no requests, or published nothing, proves nothing.
        "http_load_applied": requests >= 50 * seconds,
        "ingest_load_applied": publisher.seq >= 0.8 * rate * seconds,
    }
    print(json.dumps({"soak": ok, "rss_samples": [[round(m, 2), round(r, 1), round(v, 1)] for m, r, v in samples]}), flush=True)
    print(f"VERIFY soak_seconds {seconds} s")
    print(f"VERIFY soak_http_clients {clients} connections")
    print(f"VERIFY soak_http_endpoints {len(paths)} urls")
    print(f"VERIFY soak_http_requests {requests} requests")
    print(f"VERIFY soak_http_errors {errors} responses")
    print(f"VERIFY soak_p99_ms_first_slice {p99s[0] if p99s else 0} ms")
    print(f"VERIFY soak_p99_ms_last_slice {p99s[-1] if p99s else 0} ms")
    print(f"VERIFY soak_p99_ms_max_slice {max(p99s) if p99s else 0} ms")
    print(f"VERIFY soak_ingest_rate {publisher.seq / elapsed:.0f} msg/s")
    print(f"VERIFY soak_ingest_messages {publisher.seq} messages")
    print(f"VERIFY soak_ingest_lost {result['lost']} messages")
    print(f"VERIFY soak_ingest_duplicated {result['duplicated']} messages")
    print(f"VERIFY soak_rss_anon_start_mb {samples[0][1]:.1f} MB" if samples else "VERIFY soak_rss_anon_start_mb 0 MB")
    print(f"VERIFY soak_rss_anon_end_mb {samples[-1][1]:.1f} MB" if samples else "VERIFY soak_rss_anon_end_mb 0 MB")
    print(f"VERIFY soak_rss_anon_slope_mb_per_min {growth:.2f} MB/min")
    print(f"VERIFY soak_vm_rss_end_mb {samples[-1][2]:.1f} MB" if samples else "VERIFY soak_vm_rss_end_mb 0 MB")
    failed = [k for k, v in ok.items() if not v]
    if failed:
        print("verify_soak: failed: " + ", ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
