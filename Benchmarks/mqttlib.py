"""MQTT helpers shared by the ingest benchmark and `make verify`'s suites (and through them by
the tests that run those suites): a private mosquitto on a free loopback port, raw MQTT 3.1.1
packets, and the sensor register of the generated air sensors. Standard library only."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "TestSupport"))
from tools import tool  # noqa: E402

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
    sys.exit(f"timed out waiting for {what}")


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
        self.process = subprocess.Popen([tool("mosquitto"), "-c", self.conf], stderr=self.log_file)
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


def registry(path):
    with open(path, "w") as f:
        f.write("sensors:\n")
        for s in range(SENSORS):
            lat, lon = POSITIONS[s % len(POSITIONS)]
            f.write(f"  - id: bench-{s:03d}\n    lamppost: B-{s:03d}\n    kind: luchtkwaliteit\n"
                    f"    lat: {lat}\n    lon: {lon}\n    quantities:\n"
                    '      pm25: {unit: "µg/m³", min: 0, max: 500, resolution: 0.1}\n'
                    '      pm10: {unit: "µg/m³", min: 0, max: 600, resolution: 0.1}\n')
