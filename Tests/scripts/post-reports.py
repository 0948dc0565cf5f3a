#!/usr/bin/env python3
"""Posts report batch files to a collector, as an agent fleet would, and records what the collector acknowledged.

  post-reports.py URL TOKEN ACKED FILE... [--concurrency N] [--stop-on-error] [--errors FILE]

Each FILE (a JSON array of reports) is one POST /v1/reports. After every 200/201 answer the batch's report ids are
appended to ACKED and fsync'ed, so a test can kill the collector at any moment and know exactly which reports were
acknowledged (and with --errors, each refusal's status and answer). Prints one line: requests, acknowledged reports, refused or failed requests, and latency percentiles.
"""
import json, os, sys, threading, time, urllib.request, urllib.error

args = [a for a in sys.argv[1:] if not a.startswith("--")]
concurrency = 1
for i, a in enumerate(sys.argv):
    if a == "--concurrency":
        concurrency = int(sys.argv[i + 1]); args.remove(sys.argv[i + 1])
stop_on_error = "--stop-on-error" in sys.argv
errors_path = None
for i, a in enumerate(sys.argv):
    if a == "--errors":
        errors_path = sys.argv[i + 1]; args.remove(sys.argv[i + 1])
errors = open(errors_path, "a") if errors_path else None
url, token, acked_path, files = args[0], args[1], args[2], args[3:]
lock = threading.Lock()
acked = open(acked_path, "a")
stats = {"requests": 0, "acked": 0, "failed": 0, "latencies": []}
queue = list(files)
stop = threading.Event()

def worker():
    while not stop.is_set():
        with lock:
            if not queue:
                return
            f = queue.pop(0)
        body = open(f, "rb").read()
        ids = [r["report_id"] for r in json.loads(body)]
        req = urllib.request.Request(url + "/v1/reports", data=body, method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        t0 = time.perf_counter()
        answer = b""
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                status = resp.status
                resp.read()
        except urllib.error.HTTPError as e:
            status = e.code
            answer = e.read()
        except Exception as e:
            status = 0
            answer = repr(e).encode()
        dt = time.perf_counter() - t0
        with lock:
            stats["requests"] += 1
            stats["latencies"].append(dt)
            if status in (200, 201):
                acked.write("".join(i + "\n" for i in ids)); acked.flush(); os.fsync(acked.fileno())
                stats["acked"] += len(ids)
            else:
                stats["failed"] += 1
                if errors:
                    errors.write("%d %s\n" % (status, answer.decode("utf-8", "replace").strip().replace("\n", " "))); errors.flush()
                if stop_on_error:
                    stop.set()

threads = [threading.Thread(target=worker) for _ in range(concurrency)]
start = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - start
lat = sorted(stats["latencies"]) or [0]
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
print("requests %d acked %d failed %d seconds %.3f reports/s %.0f p50_ms %.1f p99_ms %.1f max_ms %.1f" % (
    stats["requests"], stats["acked"], stats["failed"], elapsed, stats["acked"] / elapsed if elapsed else 0, pct(0.5), pct(0.99), lat[-1] * 1000))
