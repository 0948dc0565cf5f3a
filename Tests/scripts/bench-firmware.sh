#!/usr/bin/env bash
# make bench, vendor firmware files: `baseline audit FILE` against the way a user would do it with the tools EMBA and
# FACT use — unblob (out/py, the version `make` installs) or `binwalk -Me` (Debian's binwalk 2.3, extracting SquashFS
# with unsquashfs) to extract, then `baseline audit` of the extracted tree — in one hyperfine run per file.
# Writes bench-out/firmware.md.   bench-firmware.sh BASELINE_BIN [VENDOR_IMAGES_DIR]
set -euo pipefail
bin=$(realpath "$1"); images=$(realpath "${2:-out/vendor-images}")
unblob=$(realpath out/py/bin/unblob)
# jefferson and ubi_reader (which unblob and binwalk both call for JFFS2 and UBI) live beside unblob in the venv.
export PATH="$(dirname "$unblob"):$PATH"
mkdir -p bench-out; work=$(realpath bench-out)/firmware; rm -rf "$work"; mkdir -p "$work"
args="--profile nordlicht-router --format json --date 2026-11-23 --fail-on never -o $work/report.json"
# The extracted root: the directory holding etc/passwd (same rule as Baseline's engine: the one with most files).
cat > "$work/audit-extracted.sh" <<EOF
#!/usr/bin/env bash
p=\$(find "\$1" -path '*/etc/passwd' 2>/dev/null | awk '{ print length, \$0 }' | sort -n | head -1 | cut -d' ' -f2-)
[ -n "\$p" ] || { echo "no root file system extracted" >&2; exit 3; }
exec $bin audit "\$(dirname "\$(dirname "\$p")")" $args
EOF
chmod +x "$work/audit-extracted.sh"
out=$work/firmware.md
{
  echo "## Vendor firmware files (issue 15)"
  echo
  echo "\`baseline audit FILE\` against extracting with unblob $("$unblob" --version 2>/dev/null) or binwalk $(dpkg-query -W -f '${Version}' binwalk 2>/dev/null) and auditing the extracted tree"
  echo "(\`hyperfine -N --warmup 1 --runs 5\`, release build, files from \`make vendor-images\`, \`Tests/scripts/bench-firmware.sh\`)."
  echo "unblob cannot extract SquashFS on Debian (its SquashFS handler needs \`sasquatch\`, which Debian does not package):"
  echo "on the SquashFS files its row is the time it takes to carve and fail, and the audit after it finds no tree."
  echo
} > "$out"
for f in ${BENCH_FILES:-trx-squashfs-xz.trx tplink-v1-squashfs-lzma.bin uimage-jffs2-le.bin ubi.bin}; do
  file=$images/$f
  hyperfine -N --warmup 1 --runs 5 -i --export-json "$work/$f.json" \
    "$bin audit $file $args" \
    "bash -c 'rm -rf $work/u && $unblob -e $work/u -p 2 --log $work/unblob.log $file >/dev/null 2>&1; $work/audit-extracted.sh $work/u'" \
    "bash -c 'rm -rf $work/b && mkdir $work/b && cd $work/b && binwalk -q -Me --run-as=root $file >/dev/null 2>&1; $work/audit-extracted.sh $work/b'" \
    >/dev/null 2>&1
  python3 - "$work/$f.json" "$f" "$bin" "$work" >> "$out" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]; name = sys.argv[2]; b = sys.argv[3]; w = sys.argv[4]
print(f"**{name}**\n")
print("| command | mean | σ | exit codes |")
print("|---|---|---|---|")
labels = ["baseline audit FILE", "unblob -e DIR FILE; baseline audit (extracted root)", "binwalk -Me FILE; baseline audit (extracted root)"]
for label, r in zip(labels, res):
    codes = sorted(set(r.get("exit_codes", [])))
    print(f"| `{label}` | {r['mean']*1000:.0f} ms | {r['stddev']*1000:.0f} ms | {codes} |")
fastest_peer = min((r for r in res[1:] if 3 not in r.get("exit_codes", [])), key=lambda r: r["mean"], default=None)
if fastest_peer:
    print(f"\nFastest peer that produced a tree / baseline: {fastest_peer['mean']/res[0]['mean']:.1f}× (above 1: Baseline is faster).\n")
else:
    print("\nNo peer produced a tree.\n")
PY
done
cat "$out"
cp "$out" bench-out/firmware.md
