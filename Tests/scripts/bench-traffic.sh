#!/usr/bin/env bash
# Capture analysis, side by side: `baseline traffic` against tshark extracting the same facts (HTTP requests and TLS
# ClientHellos) from the same large capture, recorded on loopback by record-captures.sh --large. Writes
# bench-out/traffic.md (bench.sh puts it into BENCHMARKS.md).
# usage: bench-traffic.sh RELEASE_BINARY [MB]
set -euo pipefail
bin=$(realpath "$1")
mb=${2:-300}
cd "$(dirname "$0")/../.."
mkdir -p bench-out/captures
f=bench-out/captures/large.pcap
if [ ! -s "$f" ] || [ "$(stat -c %s "$f")" -lt $((mb * 1000000)) ]; then
  bash Tests/scripts/record-captures.sh bench-out/captures --large "$mb" >bench-out/record-large.log 2>&1
fi
cat "$f" >/dev/null       # page cache warm for both tools
ours="$bin traffic $f --profile acme-gateway --format json --fail-on never --output bench-out/traffic-report.json"
peer="tshark -n -r $f -Y 'http.request || tls.handshake.type == 1' -T fields -e frame.number -e ip.dst -e http.request.method -e http.host -e http.request.uri -e tls.handshake.type -e tls.handshake.extensions_server_name"
hyperfine --warmup 1 --runs 5 -N --export-json bench-out/traffic.json "$ours" "$peer" >/dev/null 2>&1
rss_ours=$(/usr/bin/time -f %M $bin traffic "$f" --profile acme-gateway --format json --fail-on never --output /dev/null 2>&1 >/dev/null | tail -1)
rss_peer=$(/usr/bin/time -f %M tshark -n -r "$f" -Y 'http.request || tls.handshake.type == 1' -T fields -e frame.number -e ip.dst -e http.request.method -e http.host -e http.request.uri -e tls.handshake.type -e tls.handshake.extensions_server_name 2>&1 >bench-out/tshark-facts.txt | tail -1)
python3 - "$bin" "$f" "$rss_ours" "$rss_peer" <<'PY'
import json, os, sys, subprocess
bin_, f, rss_ours, rss_peer = sys.argv[1:5]
size = os.path.getsize(f)
res = json.load(open("bench-out/traffic.json"))["results"]
rep = json.load(open("bench-out/traffic-report.json"))["traffic"]["counts"]
lines = [l.split("\t") for l in open("bench-out/tshark-facts.txt") if l.strip()]
t_http = sum(1 for l in lines if len(l) > 2 and l[2].strip())
t_tls = sum(1 for l in lines if len(l) > 5 and "1" in l[5].split(","))
caps = subprocess.run(["capinfos", "-c", "-M", f], capture_output=True, text=True).stdout
packets = next((l.split(":")[1].strip() for l in caps.splitlines() if "Number of packets" in l), "?")
o, p = res[0], res[1]
out = ["## Capture analysis (issue 6): baseline traffic vs tshark\n",
       f"`{f}`: {size/1e6:.0f} MB, {packets} packets, recorded on loopback (MTU 1500) by `Tests/scripts/record-captures.sh bench-out/captures --large N` "
       "(parallel curl downloads of 4 KiB–4 MiB files and keep-alive requests against python http.server, `openssl s_time` TLS handshakes, dig queries). "
       "Both tools read the same file from the page cache; tshark extracts the same facts the update-channel check needs "
       "(HTTP requests and TLS ClientHellos with host, URI and SNI). Budget: ≥ 300 MB/s and ≥ 5× tshark.\n",
       "| tool | mean | σ | throughput | peak RSS | facts |", "|---|---|---|---|---|---|",
       f"| baseline traffic | {o['mean']:.2f} s | {o['stddev']:.2f} s | {size/1e6/o['mean']:.0f} MB/s | {int(rss_ours)/1024:.0f} MiB | {rep['http_requests']} HTTP requests, {rep['tls_client_hellos']} ClientHellos, {rep['tcp_connections']} TCP connections reassembled |",
       f"| tshark | {p['mean']:.2f} s | {p['stddev']:.2f} s | {size/1e6/p['mean']:.0f} MB/s | {int(rss_peer)/1024:.0f} MiB | {t_http} HTTP requests, {t_tls} ClientHellos ({len(lines)} frames) |",
       "", ("Both found the same facts. " if (t_http, t_tls) == (rep['http_requests'], rep['tls_client_hellos']) else "**The counts differ.** ") +
       f"Ratio tshark / baseline: **{p['mean']/o['mean']:.1f}×** (same run, same file). Commands (`hyperfine -N --warmup 1 --runs 5`):\n",
       "```", o["command"].replace(bin_, "baseline"), p["command"], "```\n"]
open("bench-out/traffic.md", "w").write("\n".join(out))
print("\n".join(out))
PY
