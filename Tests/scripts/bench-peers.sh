#!/usr/bin/env bash
# Side-by-side with the tools a user would otherwise pick (part of `make bench`), each pair in one hyperfine run on
# the same input: the rootfs audit against Lynis (`lynis audit system --rootdir`), and the default-password test
# against John the Ripper (`john --wordlist --format=crypt`) on the same hashes and candidate list.
# Writes bench-out/peers.md.   bench-peers.sh RELEASE_BASELINE LARGE_ROOTFS
set -euo pipefail
bin=$(realpath "$1")
large=$(realpath "$2")
cd "$(dirname "$0")/../.."
out=$(mkdir -p bench-out/peers && realpath bench-out/peers)
rows=()

# --- Lynis on the same tree. Lynis runs its host tests too (processes, kernel, network of *this* machine); its
#     file tests read ROOTDIR. Both print a report; Lynis's to a file we throw away. ---
lynis_cmd="lynis audit system --rootdir $large/ --quick --no-colors --no-log --report-file $out/lynis-report.dat"
if [ "${PEERS:-all}" != john ]; then   # PEERS=john: the John comparison only (Lynis takes minutes)
hyperfine --warmup 1 --runs 3 -N -i --export-json "$out/lynis.json" \
  "$bin audit $large --profile fernwerk-edge --format json --date 2026-11-23 --output /dev/null" "$lynis_cmd" >/dev/null 2>&1
$lynis_cmd > "$out/lynis.txt" 2>&1 || true
fi
lynis_tests=$(grep -c '^' "$out/lynis-report.dat" 2>/dev/null || echo 0)
lynis_warnings=$(grep -c '^warning\[\]=' "$out/lynis-report.dat" 2>/dev/null || echo 0)

# --- Default passwords: 12 accounts in /etc/shadow, 4 schemes made by mkpasswd (libxcrypt), 3 of them guessable;
#     the word list is the candidate list Baseline builds for the acme-gateway profile (PasswordCandidates.build). ---
root="$out/pwroot"; rm -rf "$root"; mkdir -p "$root/etc"
cp -a Firmware-samples/yocto-kirkstone-acme-swupdate/etc/os-release "$root/etc/" 2>/dev/null || printf 'ID=poky\nVERSION_ID=4.0.1\n' > "$root/etc/os-release"
: > "$root/etc/passwd"; : > "$root/etc/shadow"
schemes=(sha512crypt md5crypt yescrypt sha256crypt)
secrets=(xc3511 "" "" "" acme1234 "" "" "" "" gw71001 "" "")
for i in $(seq 0 11); do
  user=user$i; [ $i -eq 0 ] && user=root
  pw=${secrets[$i]}; [ -n "$pw" ] || pw="not-in-any-list-$RANDOM$RANDOM"
  hash=$(mkpasswd -m "${schemes[$((i % 4))]}" "$pw")
  echo "$user:x:$((i == 0 ? 0 : 1000 + i)):$((i == 0 ? 0 : 1000)):$user:/home/$user:/bin/sh" >> "$root/etc/passwd"
  echo "$user:$hash:19000:0:99999:7:::" >> "$root/etc/shadow"
done
python3 - "$root/etc/passwd" > "$out/words.txt" <<'EOF'
import json, sys
p = json.load(open("Profiles/vendors/acme-gateway.json"))
out, seen = [], set()
def add(w):
    if w not in seen and len(w.encode()) <= 256: seen.add(w); out.append(w)
for c in p["credentials"]["defaults"]: add(c["password"])
for line in open("Profiles/data/credentials/mirai.txt"):
    line = line.rstrip("\n")
    if line and not line.startswith("#") and ":" in line: add(line.split(":", 1)[1])
add("")
words = [p["vendor"]["name"]] + p["vendor"].get("models", []) + p["vendor"].get("keywords", [])
words += [l.split(":")[0] for l in open(sys.argv[1])]
for w in words:
    compact = w.replace(" ", "").replace("-", "").replace("_", "").lower()
    for form in [w, w.lower(), w.lower()[:1].upper() + w.lower()[1:], compact]:
        add(form)
        for s in ["1", "123", "1234", "!"]: add(form + s)
print("\n".join(out))
EOF
words=$(wc -l < "$out/words.txt")
cut -d: -f1,2 "$root/etc/shadow" > "$out/hashes.txt"
export HOME=$out/john-home; mkdir -p "$HOME"
john_cmd="john --wordlist=$out/words.txt --format=crypt $out/hashes.txt"
hyperfine --warmup 1 --runs 5 -N -i --prepare "rm -rf $HOME/.john" --export-json "$out/john.json" \
  "$bin audit $root --profile acme-gateway --format json --date 2026-11-23 --output /dev/null" "$john_cmd" "env OMP_NUM_THREADS=1 $john_cmd" >/dev/null 2>&1
rm -rf "$HOME/.john"; $john_cmd > /dev/null 2>&1 || true
john_found=$(john --show --format=crypt "$out/hashes.txt" 2>/dev/null | grep -c ':' || true)
"$bin" audit "$root" --profile acme-gateway --format json --date 2026-11-23 --output "$out/pw-report.json" >/dev/null 2>&1 || true
baseline_found=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(1 for f in r["findings"] for e in f.get("evidence",[]) if "password is guessable" in e.get("detail","")))' "$out/pw-report.json")

ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.0f" % (x["mean"]*1000) for x in r))' "$1"; }
if [ -f "$out/lynis.json" ]; then read -r b_lynis p_lynis < <(ms "$out/lynis.json"); else b_lynis=0; p_lynis=0; fi
read -r b_john p_john p_john1 < <(ms "$out/john.json")
ratio() { python3 -c "print('%.1f' % ($2/$1))" "$1" "$2"; }
{
  echo "## Side by side with Lynis and John the Ripper (issues 8 and 17)"
  echo
  echo "Each pair measured in one \`hyperfine -N\` run on the same input (release build, this machine, $(date -u +%Y-%m-%d))."
  echo "Command: \`make bench\` (its step \`Tests/scripts/bench-peers.sh .build/release/baseline bench-out/large-rootfs\`)."
  echo
  echo "| comparison | Baseline | peer | peer ÷ Baseline |"
  echo "|---|---:|---:|---:|"
  echo "| rootfs audit of \`bench-out/large-rootfs\` (10k files): \`baseline audit\` vs \`$(echo "$lynis_cmd" | sed "s|$large|bench-out/large-rootfs|; s|$out|bench-out/peers|")\` | $b_lynis ms | $p_lynis ms | $(ratio "$b_lynis" "$p_lynis")× |"
  echo "| default passwords, 12 hashes (4 schemes), $words candidates: \`baseline audit\` (whole audit) vs \`john --wordlist --format=crypt\` (2 OpenMP threads) | $b_john ms | $p_john ms | $(ratio "$b_john" "$p_john")× |"
  echo "| the same, John on one thread (\`OMP_NUM_THREADS=1\`) | $b_john ms | $p_john1 ms | $(ratio "$b_john" "$p_john1")× |"
  echo
  echo "Lynis $(lynis --version) wrote $lynis_tests report lines ($lynis_warnings warnings); it also runs its host tests on the machine it runs on"
  echo "(processes, kernel, network of the auditing host), so its result is not only about the tree, and it has no notion of a"
  echo "vendor profile, default credentials or update signing: the ratio is time, not like-for-like coverage. Passwords found: Baseline $baseline_found of 3 guessable accounts, John $john_found. Both call"
  echo "libxcrypt's crypt(3) per hash and candidate, so the time is the hashing: per core they are level (John's word list is"
  echo "the $words candidates Baseline builds, rebuilt in Python from the profile and the account names; Baseline's figure"
  echo "includes the rest of the audit). John 1.9.0 runs its crypt(3) format on both cores with OpenMP; Baseline's"
  echo "default-password test runs on a pthread pool in the core's C shim (one thread per CPU, fewer when yescrypt's 16 MiB"
  echo "a thread does not fit in MemAvailable), candidate-major with the likely candidates first and each hash dropped at its"
  echo "first match (Baseline found $baseline_found, John $john_found)."
  echo
} > bench-out/peers.md
cat bench-out/peers.md
