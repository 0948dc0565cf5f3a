#!/usr/bin/env bash
# The collector's benchmark (part of `make bench`): ingest throughput in bulk and over HTTP on SQLite and PostgreSQL,
# and the time to compute vendor metrics over 1,000,000 synthetic device reports. Writes bench-out/collector.md.
#   bench-collector.sh RELEASE_COLLECTOR [DEVICES_FOR_METRICS]   (default 1000000, 0: the ingest rows only; the ingest runs use 20,000)
set -euo pipefail
bin=$(realpath "$1")
million=${2:-1000000}
cd "$(dirname "$0")/../.."
out=bench-out/collector
rm -rf "$out"; mkdir -p "$out"
audit=$(dirname "$bin")/baseline
"$audit" audit Firmware-samples/yocto-kirkstone-acme-swupdate --profile acme-gateway --format json --date 2026-11-23 --output "$out/template.json" || true
n=${BENCH_COLLECTOR_N:-20000}
python3 Tests/scripts/synth-reports.py "$out/template.json" --count $n --per-file 10000 --out "$out/bulk" >/dev/null
python3 Tests/scripts/synth-reports.py "$out/template.json" --count $n --per-file 100 --out "$out/http" >/dev/null
bytes=$(du -cb "$out"/bulk/*.json | tail -1 | cut -f1)
printf 'fleet-a %s\n' "bench-token-0123456789" > "$out/tokens"
secs() { python3 -c "import sys,time; t=time.time(); import subprocess; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); print('%.2f' % (time.time()-t))" "$@"; }
rss_of() { /usr/bin/time -f '%M' "$@" >/dev/null 2>"$out/time.txt"; tail -1 "$out/time.txt"; }

serve_and_post() { # DB CONCURRENCY → the post-reports.py summary line
  "$bin" serve --port 0 --db "$1" --tokens "$out/tokens" > "$out/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do grep -q 'listening on' "$out/serve.log" && break; sleep 0.05; done
  local port; port=$(sed -n "s/^listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p" "$out/serve.log" | head -1)
  python3 Tests/scripts/post-reports.py "http://127.0.0.1:$port" bench-token-0123456789 "$out/acked-$2.txt" "$out"/http/*.json --concurrency "$2"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

rows=()
# --- bulk and HTTP ingest, SQLite ---
# three runs on a fresh store each, the median (the machine is shared: one run says little)
times=()
for _ in 1 2 3; do rm -f "$out"/bulk.sqlite*; times+=($(secs "$bin" ingest "$out"/bulk --db "$out/bulk.sqlite")); done
t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
rss=$(( $(rss_of "$bin" ingest "$out"/bulk --db "$out/bulk-rss.sqlite") / 1024 ))
row() { rows+=("$1"); echo "ROW $1" >&2; }
row "| bulk \`ingest\`, SQLite | $n | $t s | $(python3 -c "print(round($n/$t))") | median of 3 runs (${times[*]} s); peak RSS $rss MiB |"
for c in 1 4; do
  rm -f "$out"/http-$c.sqlite*
  line=$(serve_and_post "$out/http-$c.sqlite" $c)
  row "| HTTP \`POST /v1/reports\` (batches of 100, $c client(s)), SQLite | $n | $(echo "$line" | awk '{print $8}') s | $(echo "$line" | awk '{print $10}') | p50 $(echo "$line" | awk '{print $12}') ms, p99 $(echo "$line" | awk '{print $14}') ms per batch |"
done
# --- PostgreSQL (a private server, Tests/scripts/with-postgres.sh): bulk, then HTTP through 1, 2 and 3 collector
# processes on one database at once (the batch files dealt round-robin; each collector gets its own client posting
# with 2 requests in flight), total reports/s over the wall time of the whole run ---
pg=$(Tests/scripts/with-postgres.sh bash -c '
  set -e; bin='"$bin"'; out='"$out"'; n='"$n"'
  t0=$(date +%s.%N); "$bin" ingest "$out"/bulk --db "$BASELINE_TEST_POSTGRES" >/dev/null; t1=$(date +%s.%N)
  echo "bulk $(python3 -c "print(\"%.2f\" % ($t1-$t0))")"
  files=("$out"/http/*.json)
  for c in 1 2 3; do
    psql "$BASELINE_TEST_POSTGRES" -qXc "CREATE DATABASE collectors_$c" >/dev/null
    db=${BASELINE_TEST_POSTGRES%/*}/collectors_$c
    pids=(); ports=()
    for i in $(seq 1 $c); do
      "$bin" serve --port 0 --db "$db" --tokens "$out/tokens" > "$out/serve-pg-$c-$i.log" 2>&1 & pids+=($!)
      for _ in $(seq 1 400); do grep -q "listening on" "$out/serve-pg-$c-$i.log" && break; sleep 0.05; done
      ports+=($(sed -n "s/^listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p" "$out/serve-pg-$c-$i.log" | head -1))
    done
    t0=$(date +%s.%N); posts=()
    for i in $(seq 1 $c); do
      mine=(); for k in "${!files[@]}"; do [ $((k % c)) = $((i - 1)) ] && mine+=("${files[$k]}"); done
      python3 Tests/scripts/post-reports.py http://127.0.0.1:${ports[$((i-1))]} bench-token-0123456789 $out/acked-pg-$c-$i.txt "${mine[@]}" --concurrency 2 > "$out/post-pg-$c-$i.txt" & posts+=($!)
    done
    wait "${posts[@]}"; t1=$(date +%s.%N)
    for p in "${pids[@]}"; do kill $p; wait $p 2>/dev/null || true; done
    acked=$(cat "$out"/post-pg-$c-*.txt | awk "{s += \$4} END {print s}")
    failed=$(cat "$out"/post-pg-$c-*.txt | awk "{s += \$6} END {print s}")
    p99=$(cat "$out"/post-pg-$c-*.txt | awk "{if (\$14 > m) m = \$14} END {print m}")
    stored=$(psql "$db" -XAtc "SELECT count(*) FROM reports")
    echo "collectors$c $(python3 -c "print(\"%.2f %d\" % ($t1-$t0, $acked/($t1-$t0)))") $p99 $acked $failed $stored"
  done
  t0=$(date +%s.%N); "$bin" report --db "$BASELINE_TEST_POSTGRES" >/dev/null; t1=$(date +%s.%N)
  echo "metrics $(python3 -c "print(\"%.3f\" % ($t1-$t0))")"
' | grep -E '^(bulk|collectors|metrics)')
pgbulk=$(echo "$pg" | awk '/^bulk/ {print $2}')
row "| bulk \`ingest\`, PostgreSQL 15 | $n | $pgbulk s | $(python3 -c "print(round($n/$pgbulk))") | one transaction, parsed while stored |"
for c in 1 2 3; do
  read -r _ secs rate p99 acked failed stored < <(echo "$pg" | grep "^collectors$c ")
  row "| HTTP, **$c collector process(es)** on one PostgreSQL 15 (batches of 100, 2 clients each) | $acked | $secs s | $rate | p99 $p99 ms per batch; $failed refused; $stored stored |"
done
pgmetrics=$(echo "$pg" | awk '/^metrics/ {print $2}')

if [ "$million" = 0 ]; then   # ingest rows only
  { echo "| run | reports | time | reports/s | notes |"; echo "|---|---:|---:|---:|---|"; printf '%s\n' "${rows[@]}"; } > bench-out/collector.md
  cat bench-out/collector.md; exit 0
fi
# --- vendor metrics over a million devices (SQLite): made in files of 10,000, ingested in bulk ---
rm -rf "$out/million"; rm -f "$out"/million.sqlite*
t_ingest=0
for start in $(seq 0 100000 $((million - 1))); do
  count=$(( million - start < 100000 ? million - start : 100000 ))
  python3 Tests/scripts/synth-reports.py "$out/template.json" --count $count --start $start --per-file 10000 --out "$out/million" >/dev/null
  t=$(secs "$bin" ingest "$out/million" --db "$out/million.sqlite")
  t_ingest=$(python3 -c "print($t_ingest + $t)")
  rm -rf "$out/million"
done
units=$("$bin" report --db "$out/million.sqlite" --format json | python3 -c 'import json,sys; print(sum(g["units"] for g in json.load(sys.stdin)["groups"]))')
hyperfine --warmup 1 --runs 5 -N --export-json "$out/metrics.json" \
  "$bin report --db $out/million.sqlite --by vendor" "$bin report --db $out/million.sqlite --by firmware --format json" >/dev/null 2>&1
read -r m_vendor m_fw < <(python3 -c 'import json; r=json.load(open("'"$out"'/metrics.json"))["results"]; print(" ".join("%.3f" % x["mean"] for x in r))')
dbsize=$(du -b "$out/million.sqlite" | cut -f1)

{
  echo "## Collector (issue 7): ingest throughput and vendor metrics"
  echo
  echo "Synthetic fleet reports made by \`Tests/scripts/synth-reports.py\` from a real audit report (25 findings, fingerprints,"
  echo "$(python3 -c "print(round($bytes/$n))") bytes each), every one validated against \`report.schema.json\` and stored with its"
  echo "per-period aggregates in the same transaction. Release build, this machine (2 cores), $(date -u +%Y-%m-%d)."
  echo "Command: \`make bench\` (its step \`Tests/scripts/bench-collector.sh .build/release/baseline-collector\`)."
  echo
  echo "| run | reports | time | reports/s | notes |"
  echo "|---|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Vendor metrics over **$units devices** (SQLite, $(python3 -c "print(round($dbsize/2**30, 1))") GiB store, built by bulk ingest in $(python3 -c "print(round($t_ingest))") s = $(python3 -c "print(round($million/$t_ingest))") reports/s):"
  echo "\`report --by vendor\` **${m_vendor} s**, \`report --by firmware --format json\` **${m_fw} s** (hyperfine, 5 runs, mean). On PostgreSQL"
  echo "over the $n-device store: ${pgmetrics} s. Budgets (DESIGN.md): ingest ≥ 10,000 reports/s on SQLite; metrics over 1,000,000 devices ≤ 2 s."
  echo
} > bench-out/collector.md
cat bench-out/collector.md
