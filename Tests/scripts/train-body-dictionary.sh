#!/usr/bin/env bash
# Trains the zstd dictionary the collector compresses stored report bodies with (ReportBodyDictionary.swift) and
# writes that file. The samples: the reports of an audit of every bundled sample root filesystem (compact JSON, as
# agents send them) and each of their findings on its own — what every report of this tool repeats (field names, check
# titles, remediation texts, provisions). The yocto-kirkstone-acme-swupdate sample is left out: `make bench`'s
# collector corpus is made from its report, and the bench should measure a dictionary that has not seen it.
# A new dictionary gets a new id; stores keep every dictionary they used (body_dictionaries), so bodies written with an
# older one stay readable.
#   Tests/scripts/train-body-dictionary.sh [BASELINE_BIN]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/release/baseline}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for d in Firmware-samples/*/; do
  [ -d "$d/etc" ] || continue
  [ "$(basename "$d")" = yocto-kirkstone-acme-swupdate ] && continue
  "$bin" audit "$d" --format json --date 2026-11-23 --output "$work/$(basename "$d").json" >/dev/null || [ $? -eq 1 ]
done
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
os.makedirs(f"{work}/train")
for name in sorted(os.listdir(work)):
    if not name.endswith(".json"): continue
    report = json.load(open(f"{work}/{name}"))
    open(f"{work}/train/{name}", "w").write(json.dumps(report, separators=(",", ":")))
    for i, f in enumerate(report["findings"]):
        open(f"{work}/train/{name}.finding{i}", "w").write(json.dumps(f, separators=(",", ":")))
PY
zstd -q --train "$work"/train/* --maxdict=16384 -o "$work/dict"
python3 - "$work/dict" Sources/BaselineFleet/ReportBodyDictionary.swift <<'PY'
import base64, sys
data = open(sys.argv[1], "rb").read()
text = base64.b64encode(data).decode()
lines = [text[i:i + 116] for i in range(0, len(text), 116)]
body = "\n".join(f'        "{l}",' for l in lines)
open(sys.argv[2], "w").write(f"""// The zstd dictionary stored report bodies are compressed with (ReportBody): {len(data)} bytes, trained by
// Tests/scripts/train-body-dictionary.sh on the reports of the bundled samples (generated: do not edit). A report body
// compressed with it takes ~40% fewer bytes than without, and compresses faster. Its id is in every frame; a store
// keeps the dictionaries its bodies use (body_dictionaries), so a reader needs only the store.
import Foundation

enum ReportBodyDictionary {{
    static let bytes: Data = Data(base64Encoded: base64.joined())!
    private static let base64: [String] = [
{body}
    ]
}}
""")
PY
echo "wrote Sources/BaselineFleet/ReportBodyDictionary.swift"
