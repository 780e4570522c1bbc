"""Helpers the HTTP benchmarks share (make bench-server, make bench-dashboards): free ports,
waiting for a server, stopping it, wrk at 64 connections, and nginx serving files as the peer."""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request


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


def wrk(url, seconds):
    """wrk with 2 threads and 64 connections: (requests/s, p99 in ms, error responses)."""
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors or "Socket errors" in out:
        log(out)
    return rps, p99, int(errors.group(1)) if errors else 0


def start_nginx(work, www, default_type):
    """nginx serving the files in www (the same bytes the server under test sent); returns (process, port)."""
    port = free_port()
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes auto;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-tmp;
  proxy_temp_path {work}/nginx-tmp;
  fastcgi_temp_path {work}/nginx-tmp;
  uwsgi_temp_path {work}/nginx-tmp;
  scgi_temp_path {work}/nginx-tmp;
  default_type {default_type};
  sendfile on;
  server {{ listen 127.0.0.1:{port}; root {www}; }}
}}
""")
    os.makedirs(os.path.join(work, "nginx-tmp"), exist_ok=True)
    return subprocess.Popen(["nginx", "-c", conf, "-p", work]), port
