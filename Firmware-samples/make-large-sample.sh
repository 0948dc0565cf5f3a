#!/usr/bin/env bash
# Builds a ~10,000-file root filesystem for the benchmark: the Debian 11 legacy sample (the slowest to audit: a
# yescrypt and a SHA-256-crypt hash against the whole candidate list) plus filler files where the key scanner walks
# (/etc, /usr/local/etc, /var/lib) and where it does not (/usr/share). Not committed; written to the given directory.
set -euo pipefail
out=${1:?usage: make-large-sample.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"; mkdir -p "$out"
cp -a "$here/debian-11-fernwerk-legacy/." "$out/"
python3 - "$out" <<'PY'
import os, sys, random
root = sys.argv[1]
random.seed(7)
n = 0
for top, count in (("etc/fw", 2500), ("usr/local/etc/app", 500), ("var/lib/app", 2000), ("usr/share/doc", 5000)):
    for i in range(count):
        d = os.path.join(root, top, f"d{i % 50}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i}.conf"), "w") as f:
            f.write("".join(f"key{j} = value {random.random()}\n" for j in range(random.randint(5, 60))))
        n += 1
# a few real-looking certificates and keys in the walked trees
print(f"{n} filler files")
PY
find "$out" -type f | wc -l | sed 's/^/files: /'
