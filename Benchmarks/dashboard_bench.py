"""make bench-dashboards (issue 9): every dashboard page under wrk at 64 connections, against
nginx serving the very same bytes as a static file. Lantaarn runs as `lantaarn serve` (release)
over a generated history (`lantaarn demo`: 8 days of readings of the demo sensors, 104 weeks of
meldingen, every pipeline run), without a broker. Also the first (uncached) render of each page,
the cost a page pays once per data generation. Ends with BENCH lines.

Usage: dashboard_bench.py WORK_DIR SECONDS"""
import json
import os
import subprocess
import sys
import time
import urllib.request

import benchlib
from benchlib import free_port, log, stop, wait_for

work, seconds = os.path.abspath(sys.argv[1]), int(sys.argv[2])
binary = ".build/release/lantaarn"
data = os.path.join(work, "data")
dashboards = ["luchtkwaliteit", "geluid", "drukte", "meldingen"]
common = ["--data-dir", data, "--sensors", "Sensors", "--pipelines", "Pipelines", "--dashboards", "Dashboards"]
os.makedirs(work, exist_ok=True)

if not os.path.exists(os.path.join(work, "demo.done")):
    subprocess.run([binary, "demo"] + common, check=True, stdout=sys.stderr)
    open(os.path.join(work, "demo.done"), "w").close()

port = free_port()
logfile = open(os.path.join(work, "lantaarn.log"), "a")
proc = subprocess.Popen([binary, "serve"] + common + ["--listen", f"127.0.0.1:{port}", "--mqtt", f"mqtt://127.0.0.1:{free_port()}"],
                        stdout=logfile, stderr=logfile)
base = f"http://127.0.0.1:{port}"
wait_for(base + "/-/health")

www = os.path.join(work, "www")
os.makedirs(www, exist_ok=True)
first = {}
for name in dashboards:
    started = time.perf_counter()
    with urllib.request.urlopen(f"{base}/dashboards/{name}") as r, open(os.path.join(www, name + ".html"), "wb") as f:
        body = r.read()
        f.write(body)
    first[name] = ((time.perf_counter() - started) * 1000, len(body))
    log(f"{name}: first render {first[name][0]:.1f} ms, {len(body) / 1024:.0f} KiB")

nginx, nginx_port = benchlib.start_nginx(work, www, "text/html")
wait_for(f"http://127.0.0.1:{nginx_port}/{dashboards[0]}.html")
figures = {}
for name in dashboards:
    l_rps, l_p99, l_err = benchlib.wrk(f"{base}/dashboards/{name}", seconds)
    n_rps, n_p99, _ = benchlib.wrk(f"http://127.0.0.1:{nginx_port}/{name}.html", seconds)
    figures[name] = {"rps": l_rps, "p99_ms": l_p99, "nginx_rps": n_rps, "nginx_p99_ms": n_p99,
                     "first_render_ms": first[name][0], "bytes": first[name][1]}
    log(f"{name}: lantaarn {l_rps:.0f} req/s p99 {l_p99:.2f} ms ({l_err} errors); nginx {n_rps:.0f} req/s p99 {n_p99:.2f} ms")
    if l_err:
        raise SystemExit(f"{name}: {l_err} error responses from Lantaarn")
stop(nginx)
stop(proc)

print(json.dumps(figures), file=sys.stderr)
print(f"BENCH dashboard_p99_ms {max(f['p99_ms'] for f in figures.values()):.2f} ms")
print(f"BENCH dashboard_rps {min(f['rps'] for f in figures.values()):.0f} req/s")
print(f"BENCH dashboard_nginx_p99_ms {max(f['nginx_p99_ms'] for f in figures.values()):.2f} ms")
print(f"BENCH dashboard_rps_ratio_vs_nginx {min(f['rps'] / f['nginx_rps'] for f in figures.values()):.3f} x")
print(f"BENCH dashboard_first_render_ms {max(f['first_render_ms'] for f in figures.values()):.1f} ms")
print(f"BENCH dashboard_page_kib {max(f['bytes'] for f in figures.values()) / 1024:.0f} KiB")
