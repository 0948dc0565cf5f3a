#!/usr/bin/env python3
"""Synthetic fleet reports for the collector's tests and benchmark: valid baseline.report/1 documents made from a
real audit report (the template), one per device, over several vendors, models, firmware builds and months.

Deterministic for a seed. Each device gets its own keyed device id and host key; a share of each vendor's devices
carries the vendor's factory host key (a shared-key cluster) and a share the same password-hash fingerprint. Check
statuses are drawn per vendor (a vendor's failure rate) from the template's findings, with evidence trimmed.

  synth-reports.py TEMPLATE.json --count N [--start K] [--per-file M] [--out DIR] [--seed S] [--months 2026-09,2026-10]
Writes DIR/synth-00000.json, … (JSON arrays of M reports); prints the number of files.
"""
import argparse, hashlib, json, os, random, uuid

p = argparse.ArgumentParser()
p.add_argument("template")
p.add_argument("--count", type=int, required=True)
p.add_argument("--start", type=int, default=0, help="index of the first device (to make disjoint or overlapping sets)")
p.add_argument("--per-file", type=int, default=10000)
p.add_argument("--out", default=".")
p.add_argument("--seed", type=int, default=7)
p.add_argument("--months", default="2026-10,2026-11")
p.add_argument("--vendors", type=int, default=8)
a = p.parse_args()

template = json.load(open(a.template))
months = a.months.split(",")
fleet_key_id = "sha256:" + hashlib.sha256(b"synthetic fleet key").hexdigest()[:16]
vendors = [("Vendor%02d" % v, ["M%d" % m for m in range(1, 4)], ["%d.%d.0" % (v + 1, f) for f in range(3)]) for v in range(a.vendors)]

def h(*parts):
    return hashlib.sha256("/".join(str(x) for x in parts).encode()).hexdigest()

def ssh_fp(*parts):
    import base64
    return "SHA256:" + base64.b64encode(hashlib.sha256("/".join(str(x) for x in parts).encode()).digest()).decode().rstrip("=")

findings = []
for f in template["findings"]:
    g = dict(f)
    g["evidence"] = []
    g["provisions"] = g["provisions"][:1]
    g["remediation"] = ""
    if g["id"] not in ("LIFE-02", "LIFE-04"):   # the collector reads the support end and EOL dates from these
        g["message"] = g["message"][:40]
    findings.append(g)

def dumps(o):
    return json.dumps(o, separators=(",", ":"))

# Each finding pre-serialized as it stands and as a pass and a fail: a report is assembled from strings (fast enough
# for a million reports).
variants = []
for f in findings:
    if f["status"] in ("pass", "fail", "warn"):
        variants.append((True, dumps(dict(f, status="pass")), dumps(dict(f, status="fail"))))
    else:
        variants.append((False, dumps(f), f["status"]))
head = {k: template[k] for k in ("schema", "tool", "profile", "runtime")}
head_json = dumps(head)[:-1]
summary_base = dict(template["summary"])

def report(i):
    rnd = random.Random(a.seed * 1_000_003 + i)
    v = i % len(vendors)
    vendor, models, firmwares = vendors[v]
    fail_rate = 0.05 + 0.08 * v
    month = months[(i // len(vendors)) % len(months)]
    date = month + "-%02d" % (1 + i % 28)
    subject = dict(template["subject"])
    subject.update(vendor=vendor, model=models[rnd.randrange(len(models))], firmware_version=firmwares[rnd.randrange(len(firmwares))],
                   device_id="hmac-sha256:" + h("device", i), build_id="2025%02d%02d-1200" % (1 + v % 12, 1 + v))
    totals = {k: 0 for k in ("pass", "fail", "warn", "info", "skip", "error")}
    parts = []
    for evaluated, x, y in variants:
        if evaluated:
            failed = rnd.random() < fail_rate
            totals["fail" if failed else "pass"] += 1
            parts.append(y if failed else x)
        else:
            totals[y] += 1
            parts.append(x)
    summary = dict(summary_base, totals=totals, failing=totals["fail"], verdict="fail" if totals["fail"] else "pass")
    factory = rnd.random() < 0.2 + 0.05 * v
    fingerprints = {
        "fleet_key_id": fleet_key_id,
        "host_keys": [{"path": "/etc/ssh/ssh_host_ed25519_key", "type": "ssh-ed25519",
                       "sha256": ssh_fp("factory", vendor) if factory else ssh_fp("unit", i)}],
        "authorized_keys": [],
        "password_hashes": [{"account": "root", "scheme": "SHA-512-crypt ($6$)",
                             "hmac_sha256": h("password", vendor) if rnd.random() < 0.1 else h("password", i)}],
        "private_keys": [],
    }
    return (head_json + ',"report_id":"%s","generated_at":"%sT12:00:00Z","audit_date":"%s","source":{"kind":"agent","path":"/"},'
            % (uuid.UUID(h("report", a.seed, i, a.months)[:32], version=4), date, date)
            + '"subject":' + dumps(subject) + ',"summary":' + dumps(summary) + ',"findings":[' + ",".join(parts) + "],"
            + '"fingerprints":' + dumps(fingerprints) + ',"coverage":{"files_read":20,"unreadable":[]}}')

os.makedirs(a.out, exist_ok=True)
files = 0
for first in range(a.start, a.start + a.count, a.per_file):
    with open(os.path.join(a.out, "synth-%05d.json" % files), "w") as out:
        out.write("[" + ",".join(report(i) for i in range(first, min(first + a.per_file, a.start + a.count))) + "]")
    files += 1
print(files)
