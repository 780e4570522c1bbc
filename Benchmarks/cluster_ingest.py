#!/usr/bin/env python3
"""Cluster ingest benchmark (issue 29), standard library only.

In one run, on one loopback mosquitto, the same N plain Lantaarn messages at QoS 1 from the
pipelined raw-socket publisher of broker_ingest.py, timed from the first packet until every
message is durable in the store (the nodes' /-/health `messages`, then checked in the store):

  sqlite_node:  one `lantaarn serve` on its SQLite file (the default), as in `make bench-ingest`;
  cluster:      NODES `lantaarn serve --roles ingest,http --store postgresql://...` nodes, each with its own
                data directory (ingest log), splitting the stream through the MQTT shared subscription
                `$share/lantaarn/...`, all committing to one PostgreSQL 15 (durable: fsync and
                synchronous commit on, shared_buffers 2 GB), started here on a free loopback port;
  cluster with `ingest: {ack_after: store}`: the same, each PUBACK sent only once the store has
                committed the message (for nodes without durable local disk): its cost.

Usage: cluster_ingest.py LANTAARN_BIN WORK_DIR [MESSAGES] [NODES] [ACK_STORE_MESSAGES]
(ACK_STORE_MESSAGES, default a tenth of MESSAGES, for the ack_after: store run.)
Prints `BENCH <key> <value> <unit>` lines.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from broker_ingest import health, http_up, lantaarn_subscribed, messages, publish, run_lantaarn
from mqttlib import Broker, free_port, registry, tool, wait_for


class Postgres:
    """A private PostgreSQL 15 cluster, run as the `postgres` user (it refuses root), stopped by PID."""

    def __init__(self, work):
        # In /tmp, which the postgres user can reach whatever the work folder's parents allow.
        self.dir = tempfile.mkdtemp(prefix="lantaarn-pg-")
        shutil.chown(self.dir, "postgres")
        self.port = free_port()
        run_as = [tool("runuser"), "-u", "postgres", "--"]
        subprocess.run(run_as + [tool("initdb"), "-D", self.dir + "/data", "-A", "trust", "-U", "lantaarn", "--no-sync", "-E", "UTF8",
                                 "--locale", "C"], check=True, stdout=subprocess.DEVNULL)
        settings = {"listen_addresses": "127.0.0.1", "fsync": "on", "synchronous_commit": "on", "shared_buffers": "2GB",
                    "max_wal_size": "8GB", "checkpoint_timeout": "15min", "max_connections": "200"}
        args = [a for k, v in settings.items() for a in ("-c", f"{k}={v}")]
        self.log = open(os.path.join(work, "pg.log"), "w")
        self.process = subprocess.Popen(run_as + [tool("postgres"), "-D", self.dir + "/data", "-p", str(self.port), "-k", self.dir] + args,
                                        stdout=self.log, stderr=self.log)
        wait_for(lambda: self.ready(), 30, "PostgreSQL to accept connections")

    def database(self, name):
        """A new empty database; its URL."""
        subprocess.run([tool("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "lantaarn", name], check=True)
        return f"postgresql://lantaarn@127.0.0.1:{self.port}/{name}"

    def ready(self):
        return subprocess.run([tool("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], stdout=subprocess.DEVNULL).returncode == 0

    def scalar(self, database, sql):
        out = subprocess.run([tool("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "lantaarn", "-d", database, "-At", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return int(out.strip() or 0)

    def stop(self):
        pid_file = self.dir + "/data/postmaster.pid"
        try:
            with open(pid_file) as f:
                os.kill(int(f.readline()), 2)   # SIGINT: fast shutdown
        except (OSError, ValueError):
            pass
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_cluster(binary, work, broker, postgres, packets, count, nodes, ack_after):
    """NODES ingest nodes on a fresh PostgreSQL database, acknowledging QoS 1 messages after
    `ack_after` (log or store): msg/s from the first packet until every message is committed by
    some node, and the CPU cores all nodes used meanwhile."""
    name = f"cluster_{ack_after}"
    # A group of its own: the broker keeps the persistent sessions of the earlier run's nodes as
    # members of their group and would queue a share of this run's messages for them.
    url = postgres.database(name)
    shared = os.path.join(work, name)
    os.makedirs(shared + "/Sensors")
    os.makedirs(shared + "/Pipelines")
    registry(shared + "/Sensors/bench.yaml")
    with open(shared + "/lantaarn.yaml", "w") as f:
        f.write(f"ingest: {{ack_after: {ack_after}}}\n")
    procs, ports = [], []
    try:
        for n in range(nodes):
            data = os.path.join(shared, f"node-{n}")
            os.makedirs(data)
            http = free_port()
            err = open(data + "/serve.err", "w")
            procs.append((subprocess.Popen([binary, "serve", "--roles", "ingest,http", "--store", url, "--config", shared + "/lantaarn.yaml",
                                            "--data-dir", data + "/data",
                                            "--sensors", shared + "/Sensors", "--pipelines", shared + "/Pipelines",
                                            "--mqtt", f"mqtt://127.0.0.1:{broker.port}", "--mqtt-shared-group", f"lantaarn-{ack_after}",
                                            "--listen", f"127.0.0.1:{http}"], stdout=subprocess.DEVNULL, stderr=err), data, err))
            ports.append(http)
        for (_, data, _), http in zip(procs, ports):
            wait_for(lambda: lantaarn_subscribed(data), 60, "a cluster node to subscribe")
            wait_for(lambda: http_up(http), 60, "a cluster node's HTTP server")
        from broker_ingest import cpu_seconds
        cpu0 = sum(cpu_seconds(p.pid) for p, _, _ in procs)
        t0 = time.monotonic()
        threading.Thread(target=publish, args=(broker.port, packets, count, 1), daemon=True).start()
        while True:
            done = [health(port) for port in ports]
            if sum(h["messages"] for h in done) >= count:
                break
            for p, data, _ in procs:
                if p.poll() is not None:
                    sys.exit(f"cluster_ingest: a node exited; see {data}/serve.err")
            time.sleep(0.01)
        elapsed = time.monotonic() - t0
        cpu = sum(cpu_seconds(p.pid) for p, _, _ in procs) - cpu0
        per_node = [h["messages"] for h in done]
        readings, duplicates = sum(h["readings"] for h in done), sum(h["duplicates"] for h in done)
        stored = postgres.scalar(name, "SELECT (SELECT coalesce(sum(count), 0) FROM chunk) + (SELECT count(*) FROM open_reading)")
        if stored != 2 * count or readings != 2 * count or duplicates != 0:
            sys.exit(f"cluster_ingest: the store holds {stored} readings, the nodes report {readings} stored and {duplicates} "
                     f"duplicates; expected {2 * count}, {2 * count}, 0")
        print(f"  cluster (ack after {ack_after}): messages per node {per_node}", file=sys.stderr)
        return count / elapsed, cpu / elapsed
    finally:
        for p, _, err in procs:
            p.terminate()
        for p, _, err in procs:
            p.wait(timeout=60)
            err.close()


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: cluster_ingest.py LANTAARN_BIN WORK_DIR [MESSAGES] [NODES]")
    binary, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 300_000
    nodes = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    ack_count = int(sys.argv[5]) if len(sys.argv) > 5 else count // 10
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    packets = messages(count, 1)
    print(f"cluster_ingest: {count} messages at QoS 1, {nodes} PostgreSQL ingest nodes against one SQLite node", file=sys.stderr)
    broker = Broker(work)
    postgres = Postgres(work)
    try:
        sqlite, sqlite_cpu = run_lantaarn(binary, work, broker, packets, count, 1, 0)
        print(f"  sqlite node: {sqlite:,.0f} msg/s durable, {sqlite_cpu:.2f} cores", file=sys.stderr)
        cluster, cluster_cpu = run_cluster(binary, work, broker, postgres, packets, count, nodes, "log")
        print(f"  cluster: {cluster:,.0f} msg/s durable in PostgreSQL, {cluster_cpu:.2f} cores (nodes)", file=sys.stderr)
        after_store, _ = run_cluster(binary, work, broker, postgres, messages(ack_count, 1), ack_count, nodes, "store")
        print(f"  cluster, ack_after store: {after_store:,.0f} msg/s ({ack_count} messages)", file=sys.stderr)
    finally:
        postgres.stop()
        broker.stop()
    print(f"BENCH sqlite_node_msgs_per_s {sqlite:.0f} msg/s")
    print(f"BENCH cluster_msgs_per_s {cluster:.0f} msg/s")
    print(f"BENCH cluster_ratio_vs_sqlite {cluster / sqlite:.2f} ratio")
    print(f"BENCH cluster_nodes {nodes} nodes")
    print(f"BENCH cluster_cpu_cores {cluster_cpu:.2f} cores")
    print(f"BENCH cluster_ack_after_store_msgs_per_s {after_store:.0f} msg/s")
    print(f"BENCH cluster_ack_after_store_cost {1 - after_store / cluster:.2f} share of throughput lost")


if __name__ == "__main__":
    main()
