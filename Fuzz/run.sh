#!/usr/bin/env bash
# Runs the fuzz targets: first every saved regression input once (Fuzz/regressions/TARGET/), then libFuzzer for a
# bounded time per target on a corpus seeded from the samples (Fuzz/seeds.py). A crash, an out-of-memory or a
# timeout leaves its input in out/fuzz/crashes/TARGET/ and fails the run. Memory: at most 2 GiB resident; a single
# allocation may be up to 16 GiB, because libarchive reserves a buffer of a header's declared name size before it
# finds the file shorter (virtual only: `baseline audit` on that input stays at 30 MiB resident, see
# Fuzz/regressions/image/cpio-name-size-virtual-7gb).
#   Fuzz/run.sh SECONDS_PER_TARGET [TARGET...]      (default: every target)
# FUZZ_SEED fixes libFuzzer's seed (make test uses 1, so a bounded run is repeatable; make fuzz leaves it random).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json profile audit pem sshkey version report traffic image)
bin=out/fuzz/baseline-fuzz
[ -x "$bin" ] || bash Fuzz/build.sh out/fuzz >/dev/null || exit 1
rm -rf out/fuzz/seeds; python3 Fuzz/seeds.py out/fuzz/seeds "${BASELINE_BIN:-.build/debug/baseline}" >/dev/null || exit 1
export BASELINE_NO_ENGINE=1 BASELINE_REPO=$(pwd) ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
failed=()
for t in "${targets[@]}"; do
  mkdir -p "out/fuzz/corpus/$t" "out/fuzz/crashes/$t" "out/fuzz/seeds/$t"
  max_len=65536; [ "$t" = image ] && max_len=1048576
  regressions=(Fuzz/regressions/$t/*)
  if [ -e "${regressions[0]}" ]; then
    if ! BASELINE_FUZZ_TARGET=$t "$bin" -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=16384 "${regressions[@]}" > "out/fuzz/$t-regressions.log" 2>&1; then
      echo "fuzz $t: a saved regression input fails again (out/fuzz/$t-regressions.log)"; failed+=("$t"); continue
    fi
  fi
  BASELINE_FUZZ_TARGET=$t "$bin" ${FUZZ_SEED:+-seed=$FUZZ_SEED} -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=16384 -max_len=$max_len \
    -artifact_prefix="out/fuzz/crashes/$t/" -print_final_stats=1 "out/fuzz/corpus/$t" "out/fuzz/seeds/$t" > "out/fuzz/$t.log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "out/fuzz/$t.log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "out/fuzz/$t.log" | tail -1)
  if [ $rc -ne 0 ]; then
    echo "fuzz $t: FAILED after ${runs:-?} runs — $(grep -m1 -E 'ERROR|Fatal error|deadly signal|timeout' "out/fuzz/$t.log" | cut -c1-160); input in out/fuzz/crashes/$t/ (log out/fuzz/$t.log)"
    failed+=("$t")
  else
    echo "fuzz $t: ${runs:-?} runs in ${seconds} s, ${cov:-cov: ?}, no crash"
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz: failing targets: ${failed[*]}"; exit 1; }
