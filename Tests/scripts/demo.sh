#!/usr/bin/env bash
# Audits every bundled firmware sample with its vendor profile and prints a verdict table.
# usage: demo.sh BASELINE_BINARY [DATE]
set -uo pipefail
bin=$1; date=${2:-$(date -u +%F)}
cd "$(dirname "$0")/../.."
mkdir -p out/demo
printf '%-34s %-18s %-7s %s\n' SAMPLE PROFILE VERDICT "FINDINGS (id:status)"
while read -r sample profile _expected; do
  [[ -z "$sample" || "$sample" == \#* ]] && continue
  "$bin" audit "Firmware-samples/$sample" --profile "$profile" --date "$date" --format json --output "out/demo/$sample.json"
  rc=$?
  "$bin" audit "Firmware-samples/$sample" --profile "$profile" --date "$date" --no-color > "out/demo/$sample.txt"
  findings=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join(f["id"]+":"+f["status"] for f in r["findings"] if f["status"] in ("fail","warn","error")))' "out/demo/$sample.json")
  verdict=$([ $rc = 0 ] && echo PASS || ([ $rc = 1 ] && echo FAIL || echo "ERROR($rc)"))
  printf '%-34s %-18s %-7s %s\n' "$sample" "$profile" "$verdict" "$findings"
done < Firmware-samples/samples.txt
echo
echo "Vendor-style firmware files (make vendor-images: header, kernel, root file system at an offset), where the root was found:"
if [ -f out/vendor-images/MANIFEST.txt ]; then
  for f in tplink-v1-squashfs-lzma.bin tplink-v1-squashfs3-lzma-be.bin netgear.chk bcm63xx-imagetag.bin zyxel-zld.bin uimage-jffs2-lzma-be.bin nand-jffs2.bin nand-dump.bin cramfs-be.bin zynos-ras.bin encrypted.bin; do
    "$bin" audit "out/vendor-images/$f" --profile nordlicht-router --date "$date" --format json --output out/demo/vendor-$f.json 2>out/demo/vendor-$f.err
    rc=$?
    if [ $rc -le 1 ]; then
      where=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"]["format"])' out/demo/vendor-$f.json)
      printf '%-32s %-7s %s\n' "$f" "$([ $rc = 0 ] && echo PASS || echo FAIL)" "$where"
    else
      printf '%-32s %-7s %s\n' "$f" "exit $rc" "$(cat out/demo/vendor-$f.err)"
    fi
    rm -f out/demo/vendor-$f.err
  done
fi
echo
echo "Full reports: out/demo/<sample>.txt (text) and out/demo/<sample>.json (JSON, schema Profiles/schema/report.schema.json)."
echo "One in full:"
echo
cat out/demo/yocto-kirkstone-acme-swupdate.txt
echo
echo "The sample audits fed into a collector (SQLite, out/demo/fleet.sqlite), vendor table:"
collector="$(dirname "$bin")/baseline-collector"
rm -f out/demo/fleet.sqlite
mkdir -p out/demo/fleet && cp out/demo/*.json out/demo/fleet/ && rm -f out/demo/fleet/vendor-*.json
"$collector" ingest out/demo/fleet --db out/demo/fleet.sqlite
"$collector" report --by vendor --db out/demo/fleet.sqlite
