#!/usr/bin/env python3
"""make verify, PII canaries end to end (issue 10).

Over a generated history (`lantaarn demo`), personal data with known, unique values (canaries)
goes in through every way in:
  meldingen   Signalen, Open311 and MOR-ODS files: reporter e-mail, phone and name, the address,
              and free text with e-mail addresses, phone numbers, number plates, IBANs and
              postcodes (kept text is on, so the scrubber is what stands between them and the store);
  ANPR        camera sightings with canary number plates (pseudonymised before storage);
  sensors     MQTT messages and an NDJSON file from registered sensors with an e-mail address
              and a device MAC address in fields the register does not know (dropped; the raw message
              stays in the ingest log until its retention).
Then every pipeline runs, and `serve` is crawled: every same-origin link and URL in every page,
JSON document, catalogue and download, from /, /dashboards, /datasets, the catalogue, CKAN,
SensorThings and the status endpoints.

Promises checked (exit 1 when one is broken):
  - no canary in any public response, in any log line or command output;
  - no canary stored anywhere in the data directory but the raw ingest log, right after ingest
    (names in kept internal text are counted apart: the scrubber does not recognise names);
  - sensor canaries only in the raw ingest log (positive control: the grep finds them there),
    and nowhere once `lantaarn purge run` and an approved destruction list applied the raw-input retention (after the log's
    writer ran again: trim keeps the newest segment, and a new run starts a new one);
  - no pseudonymisation key (raw, hex or base64) in any log, output or response;
  - pycanon: k >= the dataset's k on every count column of every release of every public dataset with
    disclosure control.

Usage: verify_canaries.py LANTAARN_BIN WORK_DIR PYTHON_WITH_PYCANON [--quick]
Prints one JSON object per check and `VERIFY <key> <value> <unit>` lines."""
import base64
import csv
import glob
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import free_port, wait_for  # noqa: E402
from crawl import crawl, fetch  # noqa: E402
from mqttlib import Broker, connect_packet, remaining_length, utf8_field  # noqa: E402

binary, work, python = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
quick = "--quick" in sys.argv
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "verify-" + os.urandom(20).hex()
N = 20 if quick else 100
failures = []
outputs = []   # (what, text) of every command and log


def check(name, ok, **details):
    print(json.dumps({"check": name, "ok": bool(ok), **details}), flush=True)
    if not ok:
        failures.append(name)


def run(args, what):
    r = subprocess.run([binary] + args, capture_output=True, text=True)
    outputs.append((what, r.stdout + r.stderr))
    if r.returncode != 0:
        sys.exit(f"verify_canaries: {what} failed ({r.returncode}): {r.stderr[-2000:]}")
    return r.stdout


# --- Canaries: unique values of every kind of personal data --------------------------------

def melding_canaries(i):
    return {"email": f"kanarie{i}@example.org", "phone": f"06-9{i:07d}", "plate": f"QX-{100 + i}-Z",
            "iban": f"NL{10 + i % 89}CANA{i:010d}", "name": f"Kanarie{i} Vogelzang", "street": f"Kanariestraat {i + 1}",
            "postcode": f"9{i % 1000:03d} QQ"}


def anpr_plate(i):
    return f"QK-{200 + i}-V"


def sensor_canaries(i):
    return {"email": f"sensorkanarie{i}@example.org", "mac": f"CA:FE:{i // 256:02X}:{i % 256:02X}:7E:57"}


def needles():
    out = {"Kanarie", "kanarie", "Vogelzang", "example.org", "CANA0", "CA:FE:"}
    for i in range(N):
        out.update(melding_canaries(i).values())
        out.update(sensor_canaries(i).values())
        out.add(anpr_plate(i))
        out.add(anpr_plate(i).replace("-", ""))
        # A plate's first four characters catch a partly masked plate ("QK-2**-V"); three
        # ("QK-") also match by chance in a binary file of megabytes (they did, in a B-tree page).
        out.update({anpr_plate(i)[:4], melding_canaries(i)["plate"][:4]})
    return sorted(out)


def write_inputs(folder, now):
    os.makedirs(folder, exist_ok=True)
    week = 7 * 86400
    signals, requests, mor = [], [], []
    for i in range(N):
        c = melding_canaries(i)
        lat, lon = 52.37 + (i % 20) * 0.001, 4.63 + (i % 13) * 0.001
        created = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - (i % 3) * week - 3600))
        signals.append({
            "id": 5000 + i,
            "text": f"Afval bij {c['street']}, {c['postcode']}. Auto {c['plate']} staat er ook. Mail {c['email']} of bel {c['phone']}. Groet, {c['name']}",
            "text_extra": f"Terugbetalen op {c['iban']}",
            "category": {"sub_category": "/signals/v1/public/terms/categories/afval/sub_categories/grofvuil"},
            "location": {"geometrie": {"type": "Point", "coordinates": [lon, lat]},
                         "address": {"openbare_ruimte": "Kanariestraat", "huisnummer": i + 1, "postcode": c["postcode"].replace(" ", ""), "woonplaats": "Haarlem"}},
            "reporter": {"email": c["email"], "phone": c["phone"], "name": c["name"]},
            "status": {"state": "m", "text": f"Melder {c['name']} gebeld op {c['phone']}"},
            "created_at": created, "source": "online"})
        requests.append({
            "service_request_id": f"os-{i}", "status": "open", "service_code": "001", "service_name": "Grofvuil",
            "description": f"Bel {c['phone']} of mail {c['email']}; kenteken {c['plate']}", "requested_datetime": created,
            "lat": lat, "long": lon, "address": c["street"] + ", " + c["postcode"], "zipcode": c["postcode"],
            "email": c["email"], "first_name": f"Kanarie{i}", "last_name": "Vogelzang", "phone": c["phone"],
            "device_id": f"kanarie-device-{i}", "account_id": f"kanarie-account-{i}"})
        mor.append([f"Z-K{i}", "telefoon", "open", "Afval", "Grofvuil", "", f"Grofvuil bij {c['street']}, {c['postcode']}, bel {c['phone']}",
                    f"Mail {c['email']}, IBAN {c['iban']}", "in behandeling",
                    time.strftime("%Y-%m-%dT%H:%M:%S:000", time.localtime(now - (i % 3) * week - 3600)), "", f"{lon}", f"{lat}"])
    with open(f"{folder}/signalen.json", "w") as f:
        json.dump(signals, f)
    with open(f"{folder}/open311.json", "w") as f:
        json.dump(requests, f)
    with open(f"{folder}/mor-ods.csv", "w") as f:
        f.write("identificatie;kanaal;publicatie;hoofdcategorie;subcategorie;itemcategorie;omschrijving;toelichting;status;datum melding;einddatum;longitude;latitude\n")
        for row in mor:
            f.write(";".join(row) + "\n")
    # ANPR: N trips from the ferry to the roundabout in the last hours, enough to be published.
    with open(f"{folder}/anpr.csv", "w") as f:
        f.write("camera,tijd,kenteken\n")
        start = (now // 3600 - 3) * 3600 * 1000
        for i in range(N):
            departure = start + i * 30_000
            f.write(f"veerhaven,{departure},{anpr_plate(i)}\nn250-rotonde,{departure + (12 + i % 9) * 60_000},{anpr_plate(i).lower()}\n")
    # Sensors, from a file: registered sensors with fields the register does not know.
    with open(f"{folder}/sensors.ndjson", "w") as f:
        for i in range(N):
            c = sensor_canaries(i)
            ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 7200 + i))
            f.write(json.dumps({"sensor": "hlm-lp0101-lucht", "ts": ts, "values": {"pm25": 5.5, "pm10": 9.5},
                                "operator": c["email"], "mac": c["mac"]}) + "\n")


def publish_sensor_canaries(port, now):
    """QoS 1 messages with canary fields; returns once the broker acknowledged them all."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(connect_packet(f"canary-{os.getpid()}"))
    assert sock.recv(4)[:1] == b"\x20", "publisher not accepted"
    packets = bytearray()
    for i in range(N):
        c = sensor_canaries(i)
        payload = json.dumps({"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 3600 + i)),
                              "values": {"pm25": 6.5, "pm10": 11.0}, "texts": {"operator": c["email"]}, "mac": c["mac"]}).encode()
        body = utf8_field("lantaarn/sensors/hlm-lp0104-lucht/readings") + (i + 1).to_bytes(2, "big") + payload
        packets += bytes([0x32]) + remaining_length(len(body)) + body
    sock.sendall(bytes(packets))
    got = 0
    sock.settimeout(30)
    while got < 4 * N:
        chunk = sock.recv(4096)
        if not chunk:
            break
        got += len(chunk)
    sock.close()
    return got // 4


# --- Greps ----------------------------------------------------------------------------------

def hits(haystacks, wanted):
    """(where, needle) for every needle found in every (where, bytes)."""
    encoded = [(n, n.encode()) for n in wanted]
    return [(where, n) for where, data in haystacks for n, b in encoded if b in data]


def is_name(needle):
    """A reporter's name: the scrubber removes patterned identifiers (e-mail, phone, plate,
    IBAN, postcode and address), not names, so kept internal text can hold one."""
    return needle in ("Kanarie", "Vogelzang") or needle.endswith(" Vogelzang")


def data_dir_files(data):
    out = []
    for path in glob.glob(f"{data}/**/*", recursive=True):
        if os.path.isfile(path) and "/keys/" not in path:
            with open(path, "rb") as f:
                out.append((os.path.relpath(path, data), f.read()))
    return out


def key_needles(data):
    out = []
    for path in glob.glob(f"{data}/keys/*.key"):
        raw = open(path, "rb").read()
        out += [raw.hex(), raw.hex().upper(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("=")]
    return out


def k_anonymity(port, folder):
    """pycanon's k on every count column of every release of every public dataset whose metadata
    declares protected counts (`disclosure`): each count of people or reports, over the row's keys
    and time, must reach the dataset's k. Counts of sensor readings are skipped (they say so)."""
    results = []
    catalogue = json.loads(fetch(port, "/datasets.json")[2])["datasets"]
    for meta in sorted(catalogue, key=lambda m: m["name"]):
        spec = meta.get("disclosure")
        if not meta.get("public") or not spec:
            continue
        counts = [c for c in spec["counts"] if c.get("of") != "metingen"]
        if not counts:
            print(f"k_anonymity {meta['name']}: skipped, its counts are of sensor readings", file=sys.stderr)
            continue
        dataset, k = meta["name"], spec["k"]
        status, _, body = fetch(port, f"/datasets/{dataset}/releases")
        if status != 200:
            check(f"k_anonymity_{dataset}", False, reason=f"/datasets/{dataset}/releases answered {status}")
            continue
        for release in json.loads(body)["releases"]:
            rid = release["id"]
            status, _, csv_body = fetch(port, f"/datasets/{dataset}/releases/{rid}.csv")
            if not csv_body.strip() or len(csv_body.splitlines()) < 2:
                continue
            path = f"{folder}/{dataset}-{rid}.csv"
            with open(path, "wb") as f:
                f.write(csv_body)
            for count in counts:
                qi = sorted(spec["keys"]) + [count["time"]]
                r = subprocess.run([python, f"{repo}/Tests/Fixtures/k_anonymity.py", path, count["column"], ",".join(qi), str(k)],
                                   capture_output=True, text=True)
                m = re.search(r"k=(\d+) records=(\d+)", r.stdout)
                got = int(m.group(1)) if m else 0
                results.append((dataset, f"{rid}.{count['column']}", got, k, int(m.group(2)) if m else 0))
                if r.returncode != 0 and not (m and int(m.group(2)) == 0):
                    check(f"k_anonymity_{dataset}_{rid}_{count['column']}", False, k=got, required=k, output=r.stdout + r.stderr)
    return results


def main():
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data = f"{work}/data"
    with open(f"{work}/admin-token", "w") as f:
        f.write(TOKEN + "\n")
    with open(f"{work}/lantaarn.yaml", "w") as f:
        f.write(f"admin: {{token_file: {work}/admin-token}}\nserver: {{rate_limit: off}}\n"
                "retention:\n  ingest_log: {keep: 1s, basis: \"verify: raw input destroyed at the first purge\"}\n"
                "meldingen: {keep_text: {keep: 1y, basis: \"verify: scrubbed text kept internally\"}}\n")
    common = ["--config", f"{work}/lantaarn.yaml", "--data-dir", data, "--sensors", f"{repo}/Sensors",
              "--pipelines", f"{repo}/Pipelines", "--dashboards", f"{repo}/Dashboards", "--log-level", "debug"]
    now = int(time.time())
    run(["demo", "--days", "2", "--weeks", "70"] + common, "lantaarn demo")
    inputs = f"{work}/inputs"
    write_inputs(inputs, now)
    for name, fmt in [("signalen.json", "signalen"), ("open311.json", "open311"), ("mor-ods.csv", "mor-ods"), ("anpr.csv", "anpr")]:
        run(["ingest", f"{inputs}/{name}", "--format", fmt] + common, f"ingest {name}")
    run(["ingest", f"{inputs}/sensors.ndjson"] + common, "ingest sensors.ndjson")

    # Live MQTT, through serve.
    broker = Broker(work)
    port = free_port()
    log_path = f"{work}/serve.log"
    log = open(log_path, "w")
    serve = subprocess.Popen([binary, "serve"] + common + ["--listen", f"127.0.0.1:{port}", "--mqtt", f"mqtt://127.0.0.1:{broker.port}"],
                             stdout=log, stderr=log)
    try:
        wait_for(f"http://127.0.0.1:{port}/-/health")
        deadline = time.time() + 30
        while "subscribed" not in open(log_path).read() and time.time() < deadline:
            time.sleep(0.2)
        acked = publish_sensor_canaries(broker.port, now)
        check("sensor_canaries_acknowledged", acked == N, acknowledged=acked, sent=N)
        time.sleep(3)   # the consumer commits within a batch interval
        # Every pipeline over the weeks the canaries fall in.
        for path in sorted(glob.glob(f"{repo}/Pipelines/*.yaml")):
            name = yaml.safe_load(open(path))["name"]
            frm = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now - 21 * 86400))
            to = time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(now))
            run(["pipeline", "run", name, "--from", frm, "--to", to] + common, f"pipeline run {name}")
        time.sleep(1.5)   # serve sees the new releases
        responses, statuses = crawl(port, 600 if quick else 4000)
        releases = k_anonymity(port, work)
    finally:
        serve.terminate()
        serve.wait(timeout=60)
        broker.stop()
    log.close()
    outputs.append(("serve log", open(log_path).read()))
    shutil.rmtree(inputs)   # the only place the canaries may be: the files handed in

    wanted = needles()
    public = hits([(f"GET {p} ({s})", b) for p, s, b in responses], wanted)
    check("crawl", len(responses) > 100 and statuses.get(500, 0) == 0,
          urls=len(responses), statuses={str(k): v for k, v in sorted(statuses.items())},
          not_ok=sorted({f"{s} {p}" for p, s, _ in responses if s >= 400})[:40])
    check("no_canary_in_public_responses", not public, hits=public[:20])
    said = hits([(w, t.encode()) for w, t in outputs], wanted)
    check("no_canary_in_logs_or_output", not said, hits=said[:20])

    files = data_dir_files(data)
    newest = max(f for f, _ in files if f.startswith("ingest-log/mqtt/") and f.endswith(".log"))
    before = hits(files, wanted)
    raw = [h for h in before if h[0].startswith("ingest-log/")]
    names = [h for h in before if not h[0].startswith("ingest-log/") and is_name(h[1])]
    stored = [h for h in before if h not in raw and h not in names]
    check("no_canary_stored_outside_raw_input", not stored, hits=stored[:20])
    # Positive control: the grep sees raw sensor input where it is kept until its retention.
    check("sensor_canaries_in_raw_input_until_retention", any(n.startswith("sensorkanarie") for _, n in raw),
          files=sorted({w for w, _ in raw}))
    # The next run of the log's writer starts a new segment (as serve's next start, or an hour
    # later, would); then the purge may take the one holding the canaries.
    run(["ingest", "drain"] + common, "lantaarn ingest drain")
    time.sleep(2)   # past the 1 s raw-input retention
    purged = run(["purge", "run"] + common, "lantaarn purge run")
    # Records (quarantined raw input among them) go only under an approved destruction list.
    listed = re.search(r"destruction list #(\d+)", purged)
    if listed:
        purged += run(["purge", "approve", listed.group(1), "--by", "verify", "--reason", "verify: raw input past its retention"] + common,
                      "lantaarn purge approve")
        purged += run(["purge", "run"] + common, "lantaarn purge run")
    after = hits(data_dir_files(data), wanted)
    lingering = [h for h in after if not (is_name(h[1]) and not h[0].startswith("ingest-log/"))]
    check("no_canary_in_data_dir_after_purge", not lingering, hits=lingering[:20], segment_with_canaries=newest,
          purge=purged.strip().splitlines()[-5:])

    keys = key_needles(data)
    leaked = hits([(w, t.encode()) for w, t in outputs] + [(f"GET {p}", b) for p, _, b in responses], keys)
    check("no_pseudonym_key_in_logs_or_responses", keys and not leaked, keys=len(keys) // 4, hits=[w for w, _ in leaked][:10])
    token = hits([(w, t.encode()) for w, t in outputs] + [(f"GET {p}", b) for p, _, b in responses], [TOKEN])
    check("no_admin_token_in_logs_or_responses", not token, hits=[w for w, _ in token][:10])

    low = [r for r in releases if r[4] > 0 and r[2] < r[3]]
    check("k_anonymity_every_release", releases and not low, releases=len(releases),
          min_k={d: min(r[2] for r in releases if r[0] == d and r[4] > 0) for d in sorted({r[0] for r in releases if r[4] > 0})},
          below=low[:10])

    print(f"VERIFY canary_urls_crawled {len(responses)} urls")
    print(f"VERIFY canary_hits_public {len(public)} hits")
    print(f"VERIFY canary_hits_logs {len(said)} hits")
    print(f"VERIFY canary_hits_stored_outside_raw_input {len(stored)} hits")
    print(f"VERIFY canary_hits_data_dir_after_purge {len(lingering)} hits")
    print(f"VERIFY canary_names_in_internal_kept_text {len({n for _, n in names if n.endswith(' Vogelzang')})} names")
    print(f"VERIFY pseudonym_key_hits {len(leaked)} hits")
    print(f"VERIFY k_anonymity_releases_checked {len({(r[0], r[1].split('.')[0]) for r in releases})} releases")
    print(f"VERIFY k_anonymity_count_columns_checked {len(releases)} release columns")
    print(f"VERIFY k_anonymity_releases_below_k {len(low)} release columns")
    if failures:
        print("verify_canaries: failed: " + ", ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
