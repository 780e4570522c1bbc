"""InfluxDB 1.6 (Debian's `influxdb` package) as a store peer for `make bench-store`.

What a municipality would otherwise install for sensor data. `measure` starts its own influxd
on a free loopback port with its data under WORK_DIR/influx-NAME, writes the readings of a CSV
(sensor,wijk,quantity,ts,value) as line protocol (measurement `pm`, tags sensor and wijk, one
field per quantity), waits until the WAL is compacted into TSM files and the size settles, and
measures the on-disk size (data, WAL, meta and index). With `query=True` it also times the
per-wijk hourly count/mean/min/max query, hot.
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse

import duckdb

from benchlib import tool

log = lambda *a: print(*a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dir_size(path):
    """Bytes allocated on disk (influxd preallocates sparse series files)."""
    return sum(os.stat(os.path.join(d, f)).st_blocks * 512 for d, _, files in os.walk(path) for f in files)


def measure(work, csv_path, name, query=False):
    root = os.path.abspath(f"{work}/influx-{name}")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    port, rpc = free_port(), free_port()
    with open(f"{root}/influxd.conf", "w") as f:
        f.write(f"""reporting-disabled = true
    bind-address = "127.0.0.1:{rpc}"
    [meta]
      dir = "{root}/meta"
    [data]
      dir = "{root}/data"
      wal-dir = "{root}/wal"
      query-log-enabled = false
      cache-max-memory-size = 0
      cache-snapshot-write-cold-duration = "2s"
      compact-full-write-cold-duration = "5s"
      max-series-per-database = 0
      max-values-per-tag = 0
    [http]
      bind-address = "127.0.0.1:{port}"
      log-enabled = false
      max-body-size = 0
    [monitor]
      store-enabled = false
    [continuous_queries]
      enabled = false
    [subscriber]
      enabled = false
    """)
    server = subprocess.Popen([tool("influxd"), "-config", f"{root}/influxd.conf"], stdout=subprocess.DEVNULL,
                              stderr=open(f"{root}/influxd.log", "w"))
    try:
        conn = None
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                conn.request("GET", "/ping")
                ping = conn.getresponse()
                ping.read()
                if ping.status == 204:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"influxd did not start; see {root}/influxd.log")

        def call(method, path, body=None):
            conn.request(method, path, body=body)
            r = conn.getresponse()
            data = r.read()
            if r.status >= 300:
                raise SystemExit(f"influx {path[:60]} → {r.status}: {data[:300]!r}")
            return data

        call("POST", "/query?" + urllib.parse.urlencode({"q": "CREATE DATABASE bench"}))
        # One line per sensor and timestamp, with a field per quantity, in time order per sensor.
        duck = duckdb.connect()
        first, last_ts = duck.execute(f"SELECT min(ts), max(ts) FROM read_csv('{csv_path}', header = true)").fetchone()
        cursor = duck.execute(f"""
            SELECT 'pm,sensor=' || sensor || ',wijk=' || wijk || ' ' ||
                   string_agg(quantity || '=' || value, ',' ORDER BY quantity) || ' ' || ts AS line
            FROM read_csv('{csv_path}', header = true,
                 columns = {{'sensor': 'INTEGER', 'wijk': 'VARCHAR', 'quantity': 'VARCHAR', 'ts': 'BIGINT', 'value': 'DOUBLE'}})
            GROUP BY sensor, wijk, ts ORDER BY sensor, ts""")
        t0 = time.perf_counter()
        lines = 0
        while True:
            batch = cursor.fetchmany(20000)
            if not batch:
                break
            call("POST", "/write?db=bench&precision=ms", "\n".join(r[0] for r in batch).encode())
            lines += len(batch)
            if lines % 2_000_000 < 20000:
                log(f"influx {name}: {lines} lines written")
        load = time.perf_counter() - t0
        # Wait for the cache snapshot and the full compaction: the WAL empties and the size settles.
        last, stable = -1, 0
        while stable < 6:
            time.sleep(5)
            size = dir_size(root + "/data") + dir_size(root + "/wal")
            stable = stable + 1 if size == last else 0
            last = size
        out = {"bytes": dir_size(root + "/data") + dir_size(root + "/wal") + dir_size(root + "/meta"), "load_seconds": load,
               "lines": lines}
        if query:
            q = ("SELECT count(P1), sum(P1), mean(P1), min(P1), max(P1), count(P2), sum(P2), mean(P2), min(P2), max(P2) FROM pm "
                 f"WHERE time >= {first}ms AND time <= {last_ts}ms GROUP BY time(1h), wijk fill(none)")
            path = "/query?" + urllib.parse.urlencode({"db": "bench", "q": q, "epoch": "ms", "chunked": "false"})
            call("GET", path)  # warm
            t0 = time.perf_counter()
            result = json.loads(call("GET", path))
            out["agg_seconds"] = time.perf_counter() - t0
            # Every group as (wijk, quantity, hour) -> (count, sum, mean, min, max), as the other stores give them.
            groups = {}
            for series in result["results"][0].get("series", []):
                wijk = series["tags"]["wijk"]
                for row in series["values"]:
                    for quantity, k in (("P1", 1), ("P2", 6)):
                        if row[k]:
                            groups[(wijk, quantity, row[0] // 3_600_000)] = tuple(row[k:k + 5])
            out["groups"] = groups
        return out
    finally:
        server.terminate()
        server.wait(timeout=60)
