"""Helpers the HTTP benchmarks and `make verify`'s suites share: free ports, waiting for a server,
stopping it, wrk at 64 connections, and `tool()` (Tests/TestSupport/tools.py), the only way these
scripts reach an external program."""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "TestSupport"))
from tools import tool  # noqa: E402,F401  (re-exported for the scripts that import benchlib)


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


# wrk's Lua: every request takes the next path of a file (one per line); the second thread starts
# half the list further, so that two threads do not ask for the same path at the same time. It
# counts the responses per status code, which `done` prints as `STATUSES 200=n,400=m`.
PATHS_SCRIPT = r"""
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local counter = 0
local threads = {}
function setup(thread) thread:set("offset", counter * math.floor(#paths / 2)); counter = counter + 1; table.insert(threads, thread) end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i + offset) %% #paths) + 1])
end
response = function(status, headers, body)
  local key = "s" .. status
  _G[key] = (_G[key] or 0) + 1
end
done = function(summary, latency, requests)
  local parts = {}
  for code = 100, 599 do
    local n = 0
    for _, t in ipairs(threads) do n = n + (t:get("s" .. code) or 0) end
    if n > 0 then parts[#parts + 1] = code .. "=" .. n end
  end
  io.write("STATUSES " .. table.concat(parts, ",") .. "\n")
end
"""


def wrk_run(url, seconds, connections=64, paths=None, timeout=None):
    """wrk with 2 threads and `connections` connections for `seconds` against `url`, or, with
    `paths` (a file of paths, one per line), against those paths on `url` in turn. Returns a dict:
    rps, p99_ms, requests, errors (non-2xx/3xx responses and socket errors), statuses (with paths),
    socket_errors."""
    command = [tool("wrk"), "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if timeout:
        command += ["--timeout", timeout]
    if paths:
        script = paths + ".lua"
        with open(script, "w") as f:
            f.write(PATHS_SCRIPT % paths)
        command += ["-s", script]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in socket_errors.groups()) if socket_errors else 0)
    statuses = re.search(r"STATUSES (\S*)", out)
    counts = dict(item.split("=") for item in statuses.group(1).split(",") if item) if statuses else {}
    if errors:
        log(out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p99_ms": round(p99, 2), "requests": requests,
            "errors": errors, "statuses": {k: int(v) for k, v in sorted(counts.items())},
            "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups()))) if socket_errors else {}}


def wrk(url, seconds):
    """wrk with 2 threads and 64 connections: (requests/s, p99 in ms, error responses)."""
    r = wrk_run(url, seconds)
    return r["rps"], r["p99_ms"], r["errors"]
