#!/usr/bin/env bash
# record-captures.sh: records the network-capture fixtures for `baseline traffic` from real traffic between real
# programs (dnsmasq, python3 http.server, openssl s_server/s_client, busybox telnetd, pyftpdlib, curl, dig), captured
# by tcpdump / dumpcap on a loopback interface, plus a few files derived from those captures and a few broken ones.
#
# usage: bash Tests/scripts/record-captures.sh OUT_DIR [--large MB]
#
#   OUT_DIR      gets the captures listed in Tests/scripts/captures/README.md and MANIFEST.txt (one line per file:
#                name, link type, packet count, what it holds). Files of an earlier run are replaced; each file is
#                recorded under a temporary name and moved into place only once every capture has been checked.
#   --large MB   also records large.pcap, at least MB MiB of mixed traffic (HTTP downloads, keep-alive requests,
#                TLS 1.2/1.3 handshakes, DNS), for benchmarks. Off by default.
#
# Needs root: the script re-runs itself under `unshare --net --mount --pid --fork`, so everything happens in a private
# network namespace (its own loopback, MTU 1500, no route anywhere else), with a private /etc/resolv.conf
# (nameserver 127.0.0.1, bind-mounted in a private mount namespace) and a private PID namespace (when the script
# ends, the kernel ends every process it started, even after a kill -9). The machine's network configuration is not
# touched and nothing listens outside that namespace.
#
# Environment (all optional):
#   RECORD_PYTHON            python with telnetlib/ftplib/pyftpdlib (default /usr/bin/python3, Debian's 3.11)
#   RECORD_BUSYBOX_TELNETD   a busybox binary that has the telnetd applet (see README.md: Debian's busybox has none;
#                            by default the one from Debian's busybox-static package is unpacked, not installed, into
#                            RECORD_CAPTURES_CACHE, default /var/cache/baseline-record-captures)
#   RECORD_KEEP_WORK=1       keep the work directory (server logs, tcpdump logs) after the run
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
HELP="$HERE/captures"
PY=${RECORD_PYTHON:-/usr/bin/python3}
CACHE=${RECORD_CAPTURES_CACHE:-/var/cache/baseline-record-captures}

die() { echo "record-captures: error: $*" >&2; exit 1; }
say() { echo "record-captures: $*"; }
usage() { sed -n '6,13p' "$SELF" | sed 's/^# \{0,1\}//'; }

OUT="" LARGE_MB=0
while (($#)); do
  case "$1" in
    --large) [ $# -ge 2 ] || die "--large needs a size in MiB"; LARGE_MB=$2; shift 2 ;;
    --large=*) LARGE_MB=${1#--large=}; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (usage: record-captures.sh OUT_DIR [--large MB])" ;;
    *) [ -z "$OUT" ] || die "only one OUT_DIR"; OUT=$1; shift ;;
  esac
done
[ -n "$OUT" ] || { usage >&2; exit 2; }
[[ "$LARGE_MB" =~ ^[0-9]+$ ]] || die "--large wants a whole number of MiB, not '$LARGE_MB'"

# ------------------------------------------------------------------------------------------------------------------
# Outside the namespaces: check the tools, find a busybox with telnetd, then re-run this script inside new namespaces.
# ------------------------------------------------------------------------------------------------------------------
if [ "${RECORD_CAPTURES_INNER:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || die "must run as root (it records inside its own network namespace: unshare --net --mount --pid)"
  missing=()
  need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (Debian package $2)"); }
  need tcpdump tcpdump; need dumpcap wireshark-common; need mergecap wireshark-common; need capinfos wireshark-common
  need tshark tshark; need dnsmasq dnsmasq-base; need dig bind9-dnsutils; need busybox busybox; need openssl openssl
  need curl curl; need ip iproute2; need ss iproute2; need unshare util-linux; need nsenter util-linux
  need sha256sum coreutils; need timeout coreutils
  [ -x "$PY" ] || missing+=("$PY (Debian package python3)")
  if [ -x "$PY" ]; then
    "$PY" -W ignore -c 'import telnetlib, ftplib' 2>/dev/null || missing+=("telnetlib/ftplib in $PY (Debian's python3 3.11)")
    "$PY" -c 'import pyftpdlib' 2>/dev/null || missing+=("pyftpdlib for $PY (Debian package python3-pyftpdlib)")
  fi
  ((${#missing[@]} == 0)) || die "missing: $(printf '%s; ' "${missing[@]}")"

  has_telnetd() { [ -n "$1" ] && [ -x "$1" ] && "$1" --list 2>/dev/null | grep -x telnetd >/dev/null; }
  BB=""
  if [ -n "${RECORD_BUSYBOX_TELNETD:-}" ]; then
    has_telnetd "$RECORD_BUSYBOX_TELNETD" || die "RECORD_BUSYBOX_TELNETD=$RECORD_BUSYBOX_TELNETD has no telnetd applet"
    BB=$RECORD_BUSYBOX_TELNETD
  elif has_telnetd "$(command -v busybox)"; then
    BB=$(command -v busybox)
  elif has_telnetd "$CACHE/busybox-static/busybox"; then
    BB=$CACHE/busybox-static/busybox
  else
    # Debian's busybox is built without telnetd; busybox-static has it but conflicts with busybox, so its binary is
    # unpacked (not installed) into the cache: apt-get download + dpkg-deb -x, from the machine's own apt sources.
    command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
      die "no busybox with telnetd, and no apt-get/dpkg-deb to unpack Debian's busybox-static (set RECORD_BUSYBOX_TELNETD)"
    say "unpacking busybox telnetd from Debian's busybox-static package into $CACHE/busybox-static"
    dl=$(mktemp -d)
    if ! (cd "$dl" && apt-get download -q -o APT::Sandbox::User=root busybox-static) >"$dl/log" 2>&1; then
      cat "$dl/log" >&2; rm -rf "$dl"
      die "apt-get download busybox-static failed (run apt-get update first, or set RECORD_BUSYBOX_TELNETD)"
    fi
    dpkg-deb -x "$dl"/busybox-static_*.deb "$dl/x" || { rm -rf "$dl"; die "dpkg-deb -x busybox-static failed"; }
    mkdir -p "$CACHE/busybox-static"
    install -m 755 "$dl/x/bin/busybox" "$CACHE/busybox-static/busybox.tmp"
    mv "$CACHE/busybox-static/busybox.tmp" "$CACHE/busybox-static/busybox"
    rm -rf "$dl"
    has_telnetd "$CACHE/busybox-static/busybox" || die "the busybox of busybox-static has no telnetd applet"
    BB=$CACHE/busybox-static/busybox
  fi

  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
  rm -rf "$OUT"/.record-captures.*  # what a run that was killed with SIGKILL left behind
  large_args=()
  [ "$LARGE_MB" = 0 ] || large_args=(--large "$LARGE_MB")
  exec unshare --net --mount --pid --fork --mount-proc --kill-child \
    env RECORD_CAPTURES_INNER=1 RECORD_BUSYBOX_TELNETD="$BB" bash "$SELF" "$OUT" "${large_args[@]}"
fi

# ------------------------------------------------------------------------------------------------------------------
# Inside: PID 1 of a private PID namespace, in a private network and mount namespace.
# ------------------------------------------------------------------------------------------------------------------
export LC_ALL=C
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY ftp_proxy FTP_PROXY
BB=$RECORD_BUSYBOX_TELNETD
T0=$SECONDS

WORK=$(mktemp -d /tmp/record-captures.XXXXXX)
STAGE=$(mktemp -d "$OUT/.record-captures.XXXXXX")
PIDS=()
CAP_PID=""

cleanup() {
  local rc=$? p
  set +e
  trap - EXIT INT TERM
  for ((p = ${#PIDS[@]} - 1; p >= 0; p--)); do kill -TERM "${PIDS[p]}" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$STAGE"
  if [ "${RECORD_KEEP_WORK:-}" = 1 ]; then echo "record-captures: work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "record-captures: interrupted" >&2; exit 130' INT
trap 'echo "record-captures: terminated" >&2; exit 143' TERM

forget_pid() { local p keep=(); for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; PIDS=("${keep[@]}"); }
log_tail() { [ -f "$1" ] && tail -n 15 "$1" | sed 's/^/    | /' >&2; true; }

# spawn NAME CMD...: starts CMD in the background, output in $WORK/NAME.log; its pid in LAST_PID and PIDS.
spawn() {
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}
# stop PID [SIGNAL]: ends a process this script started and reaps it.
stop() {
  kill -"${2:-TERM}" "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget_pid "$1"
}
# wait_listen NAME PID tcp|udp PORT: until something listens on PORT (checked with ss, without connecting to it).
wait_listen() {
  local name=$1 pid=$2 proto=$3 port=$4 i flag=-Hltn
  [ "$proto" = udp ] && flag=-Hlun
  for i in $(seq 100); do
    ss $flag "sport = :$port" 2>/dev/null | grep . >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { log_tail "$WORK/$name.log"; die "$name exited before listening on $proto port $port"; }
    sleep 0.1
  done
  log_tail "$WORK/$name.log"; die "$name does not listen on $proto port $port after 10 s"
}

# cap_start FILE TCPDUMP_ARGS...: tcpdump -U -w FILE ..., returns once tcpdump says it is listening.
# No --immediate-mode: with it libpcap uses TPACKET_V2, whose ring slots are snaplen-sized (256 KiB at -s 0), and
# drops packets of a fast loopback download. TPACKET_V3 packs the ring and hands packets over in blocks, at the
# latest after tcpdump's 1 s timeout, so cap_stop waits CAP_SETTLE (1.5) seconds before stopping tcpdump. And on a
# busy machine the first packets after "listening on" can go missing, silently: traffic starts CAP_WARMUP (0.5)
# seconds later. capture() checks every file for completeness anyway and records it again if anything is missing.
cap_start() {
  CAP_FILE=$1; shift
  CAP_LOG=$WORK/tcpdump.$(basename "$CAP_FILE").log
  rm -f "$CAP_FILE"
  "${CAPCPU[@]}" tcpdump -U -B "${CAP_BUFFER_KIB:-131072}" -w "$CAP_FILE" "$@" >"$CAP_LOG" 2>&1 &
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  local i
  for i in $(seq 100); do
    grep -qs 'listening on' "$CAP_LOG" && { sleep "${CAP_WARMUP:-0.5}"; return 0; }
    kill -0 "$CAP_PID" 2>/dev/null || { log_tail "$CAP_LOG"; die "tcpdump for $(basename "$CAP_FILE") did not start"; }
    sleep 0.1
  done
  die "tcpdump for $(basename "$CAP_FILE") not listening after 10 s"
}
# cap_stop: lets the last packets arrive, stops tcpdump with SIGINT, waits for it; CAP_DROPPED = the kernel's drops.
cap_stop() {
  sleep "${CAP_SETTLE:-1.5}"
  kill -INT "$CAP_PID"
  local rc=0
  wait "$CAP_PID" || rc=$?
  forget_pid "$CAP_PID"
  [ "$rc" = 0 ] || { log_tail "$CAP_LOG"; die "tcpdump for $(basename "$CAP_FILE") exited with $rc"; }
  [ -s "$CAP_FILE" ] || die "tcpdump wrote nothing to $(basename "$CAP_FILE")"
  CAP_DROPPED=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$CAP_LOG")
  [ -n "$CAP_DROPPED" ] || { log_tail "$CAP_LOG"; die "no drop count from tcpdump for $(basename "$CAP_FILE")"; }
}
# capture FILE CONNECTIONS TCPDUMP_ARGS... -- COMMAND...: records FILE while COMMAND makes the traffic, and checks
# that the capture is complete: tcpdump dropped nothing and FILE holds exactly CONNECTIONS complete TCP connections
# (pcaptool.py tcp-check: handshake, every byte both ways, FIN both ways, last ACK). Up to 3 attempts.
capture() {
  local file=$1 conns=$2 try; shift 2
  local targs=()
  while [ "$1" != -- ]; do targs+=("$1"); shift; done
  shift
  for try in 1 2 3; do
    cap_start "$file" "${targs[@]}"
    "$@"
    cap_stop
    if [ "$CAP_DROPPED" != 0 ]; then
      say "warning: $(basename "$file"), attempt $try: tcpdump dropped $CAP_DROPPED packets"
    elif "$PY" "$HELP/pcaptool.py" tcp-check "$file" "$conns" >"$WORK/tcp-check.log" 2>&1; then
      return 0
    else
      say "warning: $(basename "$file"), attempt $try: incomplete: $(tail -1 "$WORK/tcp-check.log")"
    fi
  done
  log_tail "$CAP_LOG"
  die "could not record a complete $(basename "$file") in 3 attempts"
}

tsh() { tshark -n -r "$@" 2>/dev/null; }
pinfo() { "$PY" "$HELP/pcaptool.py" info "$1"; }
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() { [ "$2" = "$3" ] || die "$1: expected
$2
got
$3"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
CURL=(curl -s -S --noproxy '*' --max-time 60 --retry 0)

declare -A DESC
step() { say "[$((SECONDS - T0))s] $*"; }

# ---------------------------------------------------------------------------------------------- network namespace
# One CPU for the traffic, another for tcpdump: lo hands each packet to the receive queue of the CPU that sent it,
# so senders on two CPUs reorder a TCP stream in the capture (and TCP then retransmits), which a device's Ethernet
# link does not do. With every server and client on one CPU each stream is captured in order.
read -r TRAFFIC_CPU CAPTURE_CPU < <("$PY" -c 'import os; c = sorted(os.sched_getaffinity(0)); print(c[0], c[-1])')
taskset -pc "$TRAFFIC_CPU" $$ >/dev/null || die "taskset -pc $TRAFFIC_CPU failed"
CAPCPU=(taskset -c "$CAPTURE_CPU")
ip link set lo up mtu 1500 || die "cannot bring up lo in the private network namespace"
# No GSO on lo: without this the kernel hands 64 KiB TCP super-packets to lo and to tcpdump; with it every TCP
# segment is at most one MSS (1448 bytes of payload at MTU 1500, as on a device's Ethernet).
ip link set dev lo gso_max_size 1500 gso_max_segs 1 || die "cannot limit GSO on lo (ip link set lo gso_max_size)"
printf 'nameserver 127.0.0.1\n' >"$WORK/resolv.conf"
[ -e /etc/resolv.conf ] || die "/etc/resolv.conf does not exist: nothing to bind-mount the private one over"
mount --bind "$WORK/resolv.conf" /etc/resolv.conf || die "cannot bind-mount the private resolv.conf"
mount --make-private /etc/resolv.conf 2>/dev/null || true

# ------------------------------------------------------------------------------------------------------- the data
W=$WORK/www
mkdir -p "$W/firmware" "$W/update" "$WORK/ftp" "$WORK/dl"
FW_SIZE=2097152
FW_SHA=$("$PY" "$HELP/mkdata.py" "$W/firmware/gw7100-2.1.0.bin" $FW_SIZE gw7100-2.1.0)
cat >"$W/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>ACME Networks update server</title></head>
<body><h1>ACME Networks</h1><p>Firmware updates for the GW-7100 gateway.</p></body></html>
EOF
printf '{"device":"GW-7100","version":"2.1.0","size":%d,"sha256":"%s","url":"http://updates.acme-networks.example:8080/firmware/gw7100-2.1.0.bin"}\n' \
  $FW_SIZE "$FW_SHA" >"$W/update/manifest.json"
FTP_SIZE=262144
FTP_SHA=$("$PY" "$HELP/mkdata.py" "$WORK/ftp/firmware.bin" $FTP_SIZE gw7100-ftp)
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$WORK/tls.key" -out "$WORK/tls.crt" \
  -subj /CN=updates.acme-networks.example -addext subjectAltName=DNS:updates.acme-networks.example \
  >"$WORK/openssl-req.log" 2>&1 || { log_tail "$WORK/openssl-req.log"; die "openssl req failed"; }
cp "$HELP/telnet-login.sh" "$WORK/telnet-login.sh"
chmod 755 "$WORK/telnet-login.sh"
printf '\nGW-7100 gateway\n\n' >"$WORK/issue"

# ---------------------------------------------------------------------------------------------------- the servers
step "starting dnsmasq, http.server, openssl s_server, busybox telnetd, pyftpdlib"
spawn dnsmasq dnsmasq --keep-in-foreground --no-resolv --no-hosts --port 53 --listen-address 127.0.0.1 --bind-interfaces \
  --address=/updates.acme-networks.example/127.0.0.1 --address=/updates.acme-networks.example/::1 \
  --address=/cdn.untrusted-mirror.example/127.0.0.1 --pid-file= --log-queries --log-facility=-
DNSMASQ_PID=$LAST_PID
wait_listen dnsmasq "$DNSMASQ_PID" udp 53
spawn http4 "$PY" -m http.server 8080 --bind 127.0.0.1 --directory "$W"
wait_listen http4 "$LAST_PID" tcp 8080
spawn http6 "$PY" -m http.server 8081 --bind ::1 --directory "$W"
wait_listen http6 "$LAST_PID" tcp 8081
spawn s_server openssl s_server -accept 127.0.0.1:8443 -cert "$WORK/tls.crt" -key "$WORK/tls.key" -www \
  -alpn http/1.1 -cipher 'DEFAULT:@SECLEVEL=0'
wait_listen s_server "$LAST_PID" tcp 8443
spawn telnetd "$BB" telnetd -F -K -p 2323 -b 127.0.0.1 -l "$WORK/telnet-login.sh" -f "$WORK/issue"
wait_listen telnetd "$LAST_PID" tcp 2323
spawn ftpd "$PY" -m pyftpdlib -i 127.0.0.1 -p 2121 -d "$WORK/ftp" -u ftpuser -P Ftp-Pa55 -r 2122-2122
wait_listen ftpd "$LAST_PID" tcp 2121
# The names resolve (checked now, outside any capture).
expect_eq "dnsmasq A" 127.0.0.1 "$(dig @127.0.0.1 -p 53 +short +tries=1 updates.acme-networks.example A)"
expect_eq "dnsmasq AAAA" ::1 "$(dig @127.0.0.1 -p 53 +short +tries=1 updates.acme-networks.example AAAA)"

# get URL OUT [CURL_ARGS...]: one curl, checked (status 200, full body).
get() {
  local url=$1 out=$2; shift 2
  local res
  res=$("${CURL[@]}" "$@" -o "$out" -w '%{http_code} %{size_download}' "$url") || die "curl $url failed"
  [ "${res%% *}" = 200 ] || die "curl $url: HTTP status ${res%% *}"
}

# ------------------------------------------------------------------------------------------- 1. http-update.pcap
step "http-update.pcap"
U=http://updates.acme-networks.example:8080
M=http://cdn.untrusted-mirror.example:8080
traffic_update() {
  get "$U/index.html" "$WORK/dl/index.html" -4
  get "$U/update/manifest.json" "$WORK/dl/manifest.json" -4
  get "$U/firmware/gw7100-2.1.0.bin" "$WORK/dl/fw1.bin" -4
  get "$M/firmware/gw7100-2.1.0.bin" "$WORK/dl/fw2.bin" -4
}
capture "$STAGE/http-update.pcap" 4 -i lo -s 0 'udp port 53 or tcp port 8080' -- traffic_update
for f in fw1 fw2; do expect_eq "downloaded firmware ($f)" "$FW_SHA" "$(sha "$WORK/dl/$f.bin")"; done
expect_eq "http-update.pcap requests" "updates.acme-networks.example:8080 /index.html
updates.acme-networks.example:8080 /update/manifest.json
updates.acme-networks.example:8080 /firmware/gw7100-2.1.0.bin
cdn.untrusted-mirror.example:8080 /firmware/gw7100-2.1.0.bin" \
  "$(tsh "$STAGE/http-update.pcap" -Y http.request -T fields -E separator=' ' -e http.host -e http.request.uri)"
expect_eq "http-update.pcap DNS answers" "updates.acme-networks.example 127.0.0.1
updates.acme-networks.example 127.0.0.1
updates.acme-networks.example 127.0.0.1
cdn.untrusted-mirror.example 127.0.0.1" \
  "$(tsh "$STAGE/http-update.pcap" -Y 'dns.flags.response==1' -T fields -E separator=' ' -e dns.qry.name -e dns.a)"
expect_eq "http-update.pcap firmware content type" "application/octet-stream
application/octet-stream" \
  "$(tsh "$STAGE/http-update.pcap" -Y 'http.response && http.content_length==2097152' -T fields -e http.content_type)"
DESC[http-update.pcap]="curl -4 via dnsmasq 127.0.0.1:53 (A queries+answers, 127.0.0.1) -> python3 http.server 127.0.0.1:8080, HTTP/1.0 responses: GET http://updates.acme-networks.example:8080/index.html ($(stat -c %s "$W/index.html") B), /update/manifest.json ($(stat -c %s "$W/update/manifest.json") B), /firmware/gw7100-2.1.0.bin ($FW_SIZE B, application/octet-stream), then http://cdn.untrusted-mirror.example:8080/firmware/gw7100-2.1.0.bin (same file); firmware sha256 $FW_SHA"

# -------------------------------------------------------------------------------------------- 2. http-basic.pcap
step "http-basic.pcap"
capture "$STAGE/http-basic.pcap" 1 -i lo -s 0 'tcp port 8080' -- \
  get http://127.0.0.1:8080/index.html "$WORK/dl/basic.html" -4 -u admin:S3cret-Pa55
expect_eq "http-basic.pcap Authorization" "Basic YWRtaW46UzNjcmV0LVBhNTU=" \
  "$(tsh "$STAGE/http-basic.pcap" -Y http.authorization -T fields -e http.authorization)"
DESC[http-basic.pcap]="curl -4 -u admin:S3cret-Pa55 GET http://127.0.0.1:8080/index.html (Authorization: Basic YWRtaW46UzNjcmV0LVBhNTU=), python3 http.server 127.0.0.1:8080, 200"

# ------------------------------------------------------------------------------------------- 3. tls10/12/13.pcap
s_client_get() { # NAME S_CLIENT_ARGS...: one TLS connection with GET / HTTP/1.0, ended by the server's close_notify
  local name=$1; shift
  printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 openssl s_client -connect 127.0.0.1:8443 \
    -servername updates.acme-networks.example -alpn http/1.1 -ign_eof "$@" >"$WORK/$name.s_client.log" 2>&1 ||
    { log_tail "$WORK/$name.s_client.log"; die "openssl s_client $* failed"; }
}
tls_capture() { # NAME S_CLIENT_VERSION_FLAG [EXTRA S_CLIENT ARGS...]
  local name=$1 flag=$2; shift 2
  step "$name"
  capture "$STAGE/$name" 1 -i lo -s 0 'tcp port 8443' -- s_client_get "$name" "$flag" "$@"
  grep -q '^HTTP/1.0 200 ok' "$WORK/$name.s_client.log" || { log_tail "$WORK/$name.s_client.log"; die "$name: no HTTP answer over TLS"; }
  expect_eq "$name SNI / ALPN" "updates.acme-networks.example http/1.1" \
    "$(tsh "$STAGE/$name" -Y tls.handshake.type==1 -T fields -E separator=' ' -e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str)"
}
tls_capture tls12.pcap -tls1_2
expect_eq "tls12.pcap ServerHello version" 0x0303 \
  "$(tsh "$STAGE/tls12.pcap" -Y tls.handshake.type==2 -T fields -e tls.handshake.version -e tls.handshake.extensions.supported_version | sed 's/[[:space:]]*$//')"
tls_capture tls13.pcap -tls1_3
expect_eq "tls13.pcap ServerHello version / supported_versions" "0x0303 0x0304" \
  "$(tsh "$STAGE/tls13.pcap" -Y tls.handshake.type==2 -T fields -E separator=' ' -e tls.handshake.version -e tls.handshake.extensions.supported_version)"
tls_capture tls10.pcap -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
expect_eq "tls10.pcap ServerHello version" 0x0301 \
  "$(tsh "$STAGE/tls10.pcap" -Y tls.handshake.type==2 -T fields -e tls.handshake.version -e tls.handshake.extensions.supported_version | sed 's/[[:space:]]*$//')"
suite() { tsh "$STAGE/$1" -Y tls.handshake.type==2 -T fields -e tls.handshake.ciphersuite; }
TLS_COMMON="openssl s_server -www 127.0.0.1:8443 (self-signed RSA-2048 CN=updates.acme-networks.example) <- openssl s_client -servername updates.acme-networks.example -alpn http/1.1"
DESC[tls12.pcap]="$TLS_COMMON -tls1_2; ServerHello 0x0303, cipher suite $(suite tls12.pcap), GET / HTTP/1.0 inside, close_notify both ways"
DESC[tls13.pcap]="$TLS_COMMON -tls1_3; ServerHello legacy 0x0303 + supported_versions 0x0304, cipher suite $(suite tls13.pcap), GET / HTTP/1.0 inside"
DESC[tls10.pcap]="$TLS_COMMON -tls1 -cipher DEFAULT:@SECLEVEL=0; ServerHello 0x0301 (TLS 1.0), cipher suite $(suite tls10.pcap)"

# ------------------------------------------------------------------------------------------------- 4. dns.pcap
step "dns.pcap"
DIG=(dig @127.0.0.1 -p 53 +tries=1 +time=3)
traffic_dns() {
  "${DIG[@]}" updates.acme-networks.example A >"$WORK/dig1.log" || die "dig A failed"
  "${DIG[@]}" updates.acme-networks.example AAAA >"$WORK/dig2.log" || die "dig AAAA failed"
  "${DIG[@]}" +tcp updates.acme-networks.example A >"$WORK/dig3.log" || die "dig +tcp failed"
  "${DIG[@]}" nosuch.example A >"$WORK/dig4.log" || die "dig nosuch.example failed"
}
capture "$STAGE/dns.pcap" 1 -i lo -s 0 'port 53' -- traffic_dns
NOSUCH_STATUS=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$WORK/dig4.log")
case "$NOSUCH_STATUS" in REFUSED|NXDOMAIN) ;; *) die "dnsmasq answered nosuch.example with '$NOSUCH_STATUS'";; esac
expect_eq "dns.pcap answers (name type rcode A AAAA transport)" "updates.acme-networks.example 1 0 127.0.0.1  udp
updates.acme-networks.example 28 0  ::1 udp
updates.acme-networks.example 1 0 127.0.0.1  tcp
nosuch.example 1 $([ "$NOSUCH_STATUS" = REFUSED ] && echo 5 || echo 3)   udp" \
  "$(tsh "$STAGE/dns.pcap" -Y 'dns.flags.response==1' -T fields -E separator=' ' -e dns.qry.name -e dns.qry.type -e dns.flags.rcode -e dns.a -e dns.aaaa -e frame.protocols |
     sed -E 's/ [^ ]*:(udp|tcp):dns$/ \1/')"
DESC[dns.pcap]="dig -> dnsmasq 2.90 127.0.0.1:53 (--no-resolv): updates.acme-networks.example A=127.0.0.1 (UDP), AAAA=::1 (UDP), A over TCP (+tcp), nosuch.example A -> $NOSUCH_STATUS$(grep -q 'EDE: 14' "$WORK/dig4.log" && echo ' with EDE 14 (Not Ready)')"

# ---------------------------------------------------------------------------------------------- 5. telnet.pcap
step "telnet.pcap"
traffic_telnet() {
  timeout 30 "$PY" "$HELP/telnet_client.py" 127.0.0.1 2323 root Telnet-Pa55 >"$WORK/telnet-client.log" 2>&1 ||
    { log_tail "$WORK/telnet-client.log"; die "telnet session failed"; }
}
capture "$STAGE/telnet.pcap" 1 -i lo -s 0 'tcp port 2323' -- traffic_telnet
TEL=$(tsh "$STAGE/telnet.pcap" -d tcp.port==2323,telnet -Y telnet.data -T fields -e tcp.srcport -e telnet.data)
for want in '2323	.*gw7100 login: ' '2323	.*Password: ' '	root\\r\\n' '	Telnet-Pa55\\r\\n' '	echo hello' '2323	\(.*,\)\{0,1\}hello\\r\\n'; do
  grep -q "$want" <<<"$TEL" || die "telnet.pcap: no telnet data matching '$want' in:
$TEL"
done
DESC[telnet.pcap]="busybox telnetd ($("$BB" 2>&1 | sed -n 1p | sed 's/ multi-call binary.*//')) on 127.0.0.1:2323 (not 23: decode as telnet), python3 telnetlib client: option negotiation, 'gw7100 login:' root, 'Password:' Telnet-Pa55 (not echoed), banner, 'echo hello' -> hello, exit"

# ------------------------------------------------------------------------------------------------- 6. ftp.pcap
step "ftp.pcap"
traffic_ftp() {
  timeout 30 "$PY" "$HELP/ftp_client.py" 127.0.0.1 2121 ftpuser Ftp-Pa55 firmware.bin "$WORK/dl/ftp.bin" >"$WORK/ftp-client.log" 2>&1 ||
    { log_tail "$WORK/ftp-client.log"; log_tail "$WORK/ftpd.log"; die "FTP session failed"; }
}
capture "$STAGE/ftp.pcap" 2 -i lo -s 0 'tcp portrange 2121-2122' -- traffic_ftp
expect_eq "FTP download" "$FTP_SHA" "$(sha "$WORK/dl/ftp.bin")"
expect_eq "ftp.pcap commands" "USER ftpuser
PASS Ftp-Pa55
TYPE I
PASV 
RETR firmware.bin
QUIT " "$(tsh "$STAGE/ftp.pcap" -d tcp.port==2121,ftp -Y ftp.request.command -T fields -E separator=' ' -e ftp.request.command -e ftp.request.arg)"
FTP_DATA_PORT=$(tsh "$STAGE/ftp.pcap" -d tcp.port==2121,ftp -Y 'ftp.response.code==227' -T fields -e ftp.passive.port)
expect_eq "ftp.pcap passive data port" 2122 "$FTP_DATA_PORT"
DESC[ftp.pcap]="pyftpdlib $("$PY" -c 'import pyftpdlib; print(pyftpdlib.__ver__)') on 127.0.0.1:2121 (not 21: decode as ftp), python3 ftplib client: USER ftpuser, PASS Ftp-Pa55, TYPE I, PASV (227 -> data port 2122), RETR firmware.bin ($FTP_SIZE B, sha256 $FTP_SHA), QUIT"

# ------------------------------------------------------------------------------------------- 7. ipv6-http.pcap
step "ipv6-http.pcap"
capture "$STAGE/ipv6-http.pcap" 1 -i lo -s 0 'ip6 and tcp port 8081' -- \
  get 'http://[::1]:8081/firmware/gw7100-2.1.0.bin' "$WORK/dl/fw6.bin" -6
expect_eq "IPv6 download" "$FW_SHA" "$(sha "$WORK/dl/fw6.bin")"
expect_eq "ipv6-http.pcap request" "::1 [::1]:8081 /firmware/gw7100-2.1.0.bin" \
  "$(tsh "$STAGE/ipv6-http.pcap" -Y http.request -T fields -E separator=' ' -e ipv6.src -e http.host -e http.request.uri)"
DESC[ipv6-http.pcap]="curl -6 GET http://[::1]:8081/firmware/gw7100-2.1.0.bin from python3 http.server on [::1]:8081 ($FW_SIZE B, sha256 $FW_SHA), IPv6 over Ethernet on lo"

# -------------------------------------------------------- 8. sll.pcap, sll2.pcap; base capture for 9 and 11; 12
fw_download() { # NAME: the IPv4 firmware download, checked
  get http://127.0.0.1:8080/firmware/gw7100-2.1.0.bin "$WORK/dl/$1.bin" -4
  expect_eq "firmware download ($1)" "$FW_SHA" "$(sha "$WORK/dl/$1.bin")"
}
expect_linktype() { # FILE LINKTYPE
  local i; i=$(pinfo "$1")
  [ "$(cut -d' ' -f3 <<<"$i")" = "$2" ] || die "$(basename "$1"): link type should be $2: $i"
}
expect_fw_request() {
  expect_eq "$(basename "$1") request" "127.0.0.1:8080 /firmware/gw7100-2.1.0.bin" \
    "$(tsh "$1" -Y http.request -T fields -E separator=' ' -e http.host -e http.request.uri)"
}
step "sll.pcap, sll2.pcap"
for v in sll:LINUX_SLL sll2:LINUX_SLL2; do
  capture "$STAGE/${v%%:*}.pcap" 1 -i any -y "${v#*:}" -s 0 'tcp port 8080' -- fw_download "${v%%:*}"
  expect_linktype "$STAGE/${v%%:*}.pcap" "${v#*:}"
  expect_fw_request "$STAGE/${v%%:*}.pcap"
done
DESC[sll.pcap]="tcpdump -i any -y LINUX_SLL: curl -4 GET http://127.0.0.1:8080/firmware/gw7100-2.1.0.bin ($FW_SIZE B, sha256 $FW_SHA)"
DESC[sll2.pcap]="tcpdump -i any -y LINUX_SLL2: curl -4 GET http://127.0.0.1:8080/firmware/gw7100-2.1.0.bin ($FW_SIZE B, sha256 $FW_SHA)"

step "base capture (for rawip.pcap, reordered.pcap), snaplen.pcap"
BASE=$WORK/base-ipv4-download.pcap
capture "$BASE" 1 -i lo -s 0 'ip and tcp port 8080' -- fw_download base
expect_fw_request "$BASE"
capture "$STAGE/snaplen.pcap" 1 -i lo -s 96 'tcp port 8080' -- fw_download snaplen
SNAP=$(tsh "$STAGE/snaplen.pcap" -T fields -e frame.cap_len -e frame.len | sort -n -k2 | tail -1)
expect_eq "snaplen.pcap largest frame (cap_len len)" "96	1514" "$SNAP"
grep -q 'snaplen=96$' <<<"$(pinfo "$STAGE/snaplen.pcap")" || die "snaplen.pcap: header snaplen is not 96"
DESC[snaplen.pcap]="tcpdump -s 96 (header snaplen 96; data frames 1514 B on the wire, 96 B captured): curl -4 GET http://127.0.0.1:8080/firmware/gw7100-2.1.0.bin ($FW_SIZE B, sha256 $FW_SHA)"

# ------------------------------------------------------------------------------------------------ 9. rawip.pcap
step "rawip.pcap"
"$PY" "$HELP/pcaptool.py" rawip "$BASE" "$STAGE/rawip.pcap" >/dev/null
expect_linktype "$STAGE/rawip.pcap" RAW
expect_fw_request "$STAGE/rawip.pcap"
DESC[rawip.pcap]="derived: a tcpdump -i lo capture of curl -4 GET http://127.0.0.1:8080/firmware/gw7100-2.1.0.bin ($FW_SIZE B, sha256 $FW_SHA) with the 14-byte Ethernet header of every packet dropped (LINKTYPE_RAW 101, IPv4)"

# -------------------------------------------------------------------------------------------- 11. reordered.pcap
step "reordered.pcap"
RSTAT=$("$PY" "$HELP/pcaptool.py" reorder "$BASE" "$STAGE/reordered.pcap" --server-port 8080 --swap-every 7 --dup-every 11 --dup-delay 3)
ANOM=$(tsh "$STAGE/reordered.pcap" -Y 'tcp.analysis.out_of_order || tcp.analysis.retransmission || tcp.analysis.spurious_retransmission' -T fields -e frame.number | wc -l)
[ "$ANOM" -gt 0 ] || die "reordered.pcap: tshark sees no out-of-order segment or retransmission ($RSTAT)"
mkdir -p "$WORK/objects"
tshark -n -r "$STAGE/reordered.pcap" -o tcp.reassemble_out_of_order:TRUE -q --export-objects "http,$WORK/objects" >/dev/null 2>&1 || true
OBJ=$(find "$WORK/objects" -type f -name 'gw7100-2.1.0*' | sed -n 1p)
[ -n "$OBJ" ] || die "reordered.pcap: tshark --export-objects found no firmware body"
expect_eq "reordered.pcap body reassembled by tshark" "$FW_SHA" "$(sha "$OBJ")"
DESC[reordered.pcap]="derived from the same kind of capture as rawip.pcap (Ethernet, curl -4 GET http://127.0.0.1:8080/firmware/gw7100-2.1.0.bin, $FW_SIZE B): server->client data segments reordered (about every 7th swapped with the next data segment, which is the next record; records keep their timestamps) and retransmitted (every 11th re-sent 3 records later); $RSTAT; tshark flags $ANOM segments; reassembled body sha256 $FW_SHA"

# ------------------------------------------------------------------------------------------- 10. multi-if.pcapng
step "multi-if.pcapng"
# A veth pair: bl0 (10.99.0.1/24) here, its peer bl1 (10.99.0.2/24) in a second private network namespace, a test
# host that answers pings. (The dummy link type is not available in every kernel; a veth end is Ethernet too.)
spawn peerns unshare --net sleep 300
PEER_PID=$LAST_PID
for i in $(seq 50); do [ "$(readlink /proc/$PEER_PID/ns/net)" != "$(readlink /proc/$$/ns/net)" ] && break; sleep 0.1; done
ip link add bl0 type veth peer name bl1 || die "cannot create the veth pair bl0/bl1"
ip link set bl1 netns "$PEER_PID"
# No IPv6 on the pair: bl0 carries only what is described in the manifest (no DAD, MLD, router solicitations).
echo 1 >/proc/sys/net/ipv6/conf/bl0/disable_ipv6
nsenter -t "$PEER_PID" -n sh -c 'echo 1 >/proc/sys/net/ipv6/conf/bl1/disable_ipv6'
ip link set bl0 up mtu 1500
ip addr add 10.99.0.1/24 dev bl0
nsenter -t "$PEER_PID" -n sh -c 'ip link set lo up && ip link set bl1 up mtu 1500 && ip addr add 10.99.0.2/24 dev bl1' ||
  die "cannot configure bl1 in the peer namespace"
for i in $(seq 50); do ip -o addr show dev bl0 | grep 'inet .*tentative' >/dev/null || break; sleep 0.1; done
MULTI=$STAGE/multi-if.pcapng
multi_traffic() {
  fw_download multi
  busybox ping -c 3 -i 0.2 -W 2 10.99.0.2 >"$WORK/ping.log" 2>&1 || { log_tail "$WORK/ping.log"; die "ping 10.99.0.2 over bl0 failed"; }
  "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3):
    s.sendto(b"gw7100 telemetry %d" % i, ("10.99.0.2", 5514))
' || die "UDP to 10.99.0.2 failed"
}
for try in 1 2 3 4; do
  ((try < 4)) || die "could not record a complete multi-if.pcapng in 3 attempts"
  rm -f "$MULTI"
  ip neigh flush dev bl0  # every attempt starts with an ARP exchange
  # -s 2000, not 0: dumpcap reads in immediate mode (TPACKET_V2, one snaplen-sized ring slot per packet), and with
  # 256 KiB slots it drops packets of a loopback download; no frame is longer than 1514 bytes at MTU 1500.
  # (dumpcap's -s and -B apply to the -i before them.)
  "${CAPCPU[@]}" dumpcap -q -i lo -s 2000 -B 128 -i bl0 -s 2000 -B 16 -w "$MULTI" >"$WORK/dumpcap.log" 2>&1 &
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  for i in $(seq 100); do
    grep -qs 'Capturing on' "$WORK/dumpcap.log" && break
    kill -0 "$CAP_PID" 2>/dev/null || { log_tail "$WORK/dumpcap.log"; die "dumpcap did not start"; }
    sleep 0.1
  done
  grep -qs 'Capturing on' "$WORK/dumpcap.log" || die "dumpcap not capturing after 10 s"
  sleep "${CAP_WARMUP:-0.5}"
  multi_traffic
  sleep "${CAP_SETTLE:-1.5}"
  kill -INT "$CAP_PID"; rc=0; wait "$CAP_PID" || rc=$?; forget_pid "$CAP_PID"
  [ "$rc" = 0 ] || { log_tail "$WORK/dumpcap.log"; die "dumpcap exited with $rc"; }
  if [ "$(grep -cE "^Packets received/dropped on interface '[^']*': [0-9]+/0 " "$WORK/dumpcap.log")" != 2 ]; then
    say "warning: multi-if.pcapng, attempt $try: $(grep -E '^Packets received/dropped' "$WORK/dumpcap.log" | tr '\n' ' ')"
  elif ! "$PY" "$HELP/pcaptool.py" tcp-check "$MULTI" 1 >"$WORK/tcp-check.log" 2>&1; then
    say "warning: multi-if.pcapng, attempt $try: incomplete: $(tail -1 "$WORK/tcp-check.log")"
  else
    break
  fi
done
MI=$(pinfo "$MULTI")
[[ "$MI" =~ if0=EN10MB:([0-9]+)\ if1=EN10MB:([0-9]+)$ ]] || die "multi-if.pcapng: want two Ethernet interfaces: $MI"
((BASH_REMATCH[1] > 0 && BASH_REMATCH[2] > 0)) || die "multi-if.pcapng: an interface has no packets: $MI"
MI_LO=${BASH_REMATCH[1]} MI_BL=${BASH_REMATCH[2]}
expect_eq "multi-if.pcapng packets per interface (tshark)" "$MI_LO $MI_BL" \
  "$(tsh "$MULTI" -T fields -e frame.interface_id | sort -n | uniq -c | awk '{printf "%s%s", (NR>1?" ":""), $1}')"
tsh "$MULTI" -Y 'frame.interface_id==1 && icmp.type==0' -T fields -e frame.number | grep . >/dev/null || die "multi-if.pcapng: no echo reply on bl0"
stop "$PEER_PID"
ip link del bl0 2>/dev/null || true
DESC[multi-if.pcapng]="dumpcap -i lo -i bl0 -s 2000: interface 0 lo ($MI_LO packets: curl -4 GET http://127.0.0.1:8080/firmware/gw7100-2.1.0.bin, $FW_SIZE B), interface 1 bl0 = veth 10.99.0.1/24 ($MI_BL packets: ARP, 3 ICMP echo request/reply with 10.99.0.2, 3 UDP datagrams to 10.99.0.2:5514 answered by ICMP port unreachable); both Ethernet"

step "mixed-linktypes.pcapng"
mergecap -F pcapng -w "$STAGE/mixed-linktypes.pcapng" "$STAGE/http-basic.pcap" "$STAGE/sll.pcap" || die "mergecap failed"
grep -q ' pcapng EN10MB,LINUX_SLL ' <<<"$(pinfo "$STAGE/mixed-linktypes.pcapng")" ||
  die "mixed-linktypes.pcapng: want interfaces EN10MB and LINUX_SLL: $(pinfo "$STAGE/mixed-linktypes.pcapng")"
DESC[mixed-linktypes.pcapng]="mergecap -F pcapng of http-basic.pcap (interface 0, EN10MB) and sll.pcap (interface 1, LINUX_SLL), packets interleaved by time"

# ------------------------------------------------------------------------------------------- 13., 14. the rest
step "truncated.pcap, garbage.pcap, unknown-linktype.pcap, empty.pcap, zero.pcap"
TSTAT=$("$PY" "$HELP/pcaptool.py" truncate "$STAGE/http-update.pcap" "$STAGE/truncated.pcap" --fraction 0.6)
grep -q ' truncated ' <<<"$(pinfo "$STAGE/truncated.pcap")" || die "truncated.pcap does not end inside a record"
DESC[truncated.pcap]="the first bytes of http-update.pcap, cut in the middle of a record's packet data ($TSTAT)"
GARBAGE_SHA=$("$PY" "$HELP/mkdata.py" "$STAGE/garbage.pcap" 65536 baseline-garbage)
case "$(head -c4 "$STAGE/garbage.pcap" | od -An -tx1 | tr -d ' ')" in
  d4c3b2a1|a1b2c3d4|4d3cb2a1|a1b23c4d|0a0d0d0a) die "garbage.pcap starts with a capture magic" ;;
esac
DESC[garbage.pcap]="65536 deterministic pseudo-random bytes (python random, seed baseline-garbage), no capture magic; sha256 $GARBAGE_SHA"
"$PY" "$HELP/pcaptool.py" synth-unknown "$STAGE/unknown-linktype.pcap" >/dev/null
DESC[unknown-linktype.pcap]="valid classic pcap (magic a1b2c3d4, little-endian, v2.4), link type 147 (LINKTYPE_USER0), 5 records of arbitrary bytes (20-72 B)"
"$PY" "$HELP/pcaptool.py" synth-empty "$STAGE/empty.pcap" >/dev/null
DESC[empty.pcap]="valid classic pcap global header (magic a1b2c3d4, EN10MB, snaplen 262144), no records"
: >"$STAGE/zero.pcap"
DESC[zero.pcap]="an empty file (0 bytes)"

# ----------------------------------------------------------------------------------------- 15. large.pcap (opt.)
if [ "$LARGE_MB" -gt 0 ]; then
  step "large.pcap: at least $LARGE_MB MiB"
  mkdir -p "$W/large"
  SIZES=(4096 8192 16384 32768 65536 131072 262144 524288 1048576 2097152 4194304)
  for s in "${SIZES[@]}"; do "$PY" "$HELP/mkdata.py" "$W/large/f-$s.bin" "$s" "large-$s" >/dev/null; done
  spawn httpd11 "$PY" "$HELP/httpd11.py" 127.0.0.1 8082 "$W"
  wait_listen httpd11 "$LAST_PID" tcp 8082
  STOPF=$WORK/large.stop
  LIMIT=$((LARGE_MB * 1048576))
  DEADLINE=$((SECONDS + ${RECORD_LARGE_TIMEOUT:-$((120 + LARGE_MB * 2))}))
  RATE=${RECORD_LARGE_RATE:-6M}   # per download loop (3 loops): keeps tcpdump far from dropping anything
  # Each loop is bounded in count and in time, and stops at the stop file; every client has its own timeout.
  dl_loop() { # ID: downloads of the 256 KiB - 4 MiB files, by name through dnsmasq (one DNS lookup per curl)
    local n=0 err=0 k
    while [ ! -e "$STOPF" ] && ((SECONDS < DEADLINE && n < 100000)); do
      k=$(((n * 7 + $1 * 3) % 5 + 6))
      "${CURL[@]}" -4 --limit-rate "$RATE" -o /dev/null "http://updates.acme-networks.example:8080/large/f-${SIZES[k]}.bin" || err=$((err + 1))
      n=$((n + 1))
    done
    echo "$n $err" >"$WORK/large.dl$1.count"
  }
  small_loop() { # keep-alive: 25 small files (4-64 KiB) per connection to the HTTP/1.1 server
    local n=0 err=0 args i
    while [ ! -e "$STOPF" ] && ((SECONDS < DEADLINE && n < 100000)); do
      args=()
      for i in $(seq 0 24); do args+=(-o /dev/null "http://127.0.0.1:8082/large/f-${SIZES[(n + i) % 5]}.bin"); done
      "${CURL[@]}" -4 --limit-rate 2M "${args[@]}" || err=$((err + 1))
      n=$((n + 25))
      sleep 0.05
    done
    echo "$n $err" >"$WORK/large.small.count"
  }
  tls_loop() { # full handshakes: openssl s_time -new, TLS 1.2 and 1.3 in turn, plus s_client with SNI/ALPN
    local n=0 err=0 v c i
    while [ ! -e "$STOPF" ] && ((SECONDS < DEADLINE && n < 1000000)); do
      for v in -tls1_2 -tls1_3; do
        c=$(timeout 10 openssl s_time -connect 127.0.0.1:8443 -new "$v" -time 1 2>/dev/null |
          sed -n 's/^\([0-9]*\) connections in [0-9]* real seconds.*/\1/p' | sed -n 1p)
        [ -n "$c" ] && n=$((n + c)) || err=$((err + 1))
      done
      for i in 1 2; do
        printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect 127.0.0.1:8443 -servername updates.acme-networks.example \
          -alpn http/1.1 -ign_eof -quiet >/dev/null 2>&1 && n=$((n + 1)) || err=$((err + 1))
      done
      sleep 0.2
    done
    echo "$n $err" >"$WORK/large.tls.count"
  }
  dns_loop() { # dig batches: known and unknown names, A/AAAA/TXT/MX, UDP and TCP
    local n=0 err=0
    printf '%s\n' 'updates.acme-networks.example A' 'updates.acme-networks.example AAAA' 'cdn.untrusted-mirror.example A' \
      'nosuch.example A' 'time.acme-networks.example A' 'updates.acme-networks.example TXT' 'updates.acme-networks.example MX' \
      '+tcp updates.acme-networks.example A' >"$WORK/dig.batch"
    while [ ! -e "$STOPF" ] && ((SECONDS < DEADLINE && n < 1000000)); do
      dig @127.0.0.1 -p 53 +tries=1 +time=2 -f "$WORK/dig.batch" >/dev/null 2>&1 || err=$((err + 1))
      n=$((n + 8))
      sleep 0.1
    done
    echo "$n $err" >"$WORK/large.dns.count"
  }
  CAP_BUFFER_KIB=262144 cap_start "$STAGE/large.pcap" -i lo -s 0
  LPIDS=()
  for id in 1 2 3; do dl_loop $id & LPIDS+=($!); done
  small_loop & LPIDS+=($!)
  tls_loop & LPIDS+=($!)
  dns_loop & LPIDS+=($!)
  PIDS+=("${LPIDS[@]}")
  LT0=$SECONDS
  while (($(stat -c %s "$STAGE/large.pcap") < LIMIT)); do
    ((SECONDS < DEADLINE)) || { touch "$STOPF"; die "large.pcap has only $(stat -c %s "$STAGE/large.pcap") bytes after $((SECONDS - LT0)) s"; }
    sleep 0.5
  done
  touch "$STOPF"
  for p in "${LPIDS[@]}"; do wait "$p" || true; forget_pid "$p"; done
  cap_stop
  [ "$CAP_DROPPED" = 0 ] || die "tcpdump dropped $CAP_DROPPED packets while recording large.pcap (try a lower RECORD_LARGE_RATE than $RATE)"
  LTCP=$("$PY" "$HELP/pcaptool.py" tcp-check "$STAGE/large.pcap" any --quiet 2>&1) ||
    die "large.pcap lost TCP bytes without a drop count (run again): $(tail -3 <<<"$LTCP")"
  LTCP=$(tail -1 <<<"$LTCP")
  LT=$((SECONDS - LT0))
  read -r DLN DLE < <(cat "$WORK"/large.dl*.count | awk '{n+=$1; e+=$2} END {print n, e}')
  read -r SMN SME <"$WORK/large.small.count"
  read -r TLN TLE <"$WORK/large.tls.count"
  read -r DNN DNE <"$WORK/large.dns.count"
  LSIZE=$(stat -c %s "$STAGE/large.pcap")
  DESC[large.pcap]="$((LSIZE / 1048576)) MiB in ${LT} s on lo (MTU 1500): $DLN HTTP downloads (256 KiB-4 MiB, curl via dnsmasq, http.server :8080, $DLE failed), $SMN keep-alive requests (4-64 KiB, HTTP/1.1 :8082, $SME failed batches), $TLN TLS 1.2/1.3 handshakes (openssl s_time -new and s_client, :8443, $TLE failed rounds), $DNN dig queries ($DNE failed batches); TCP $LTCP (no bytes missing; s_time closes with RST)"
  say "large.pcap: $LSIZE bytes in ${LT} s ($((LSIZE / 1048576 / (LT > 0 ? LT : 1))) MiB/s)"
  capinfos -c -s -u -y "$STAGE/large.pcap" | sed 's/^/    /'
elif [ -e "$OUT/large.pcap" ]; then
  say "note: $OUT/large.pcap is from an earlier run (--large not given): left as it is, not in MANIFEST.txt"
fi

# -------------------------------------------------------------------------------------- manifest, move into place
step "MANIFEST.txt"
FILES=(http-update.pcap http-basic.pcap tls12.pcap tls13.pcap tls10.pcap dns.pcap telnet.pcap ftp.pcap ipv6-http.pcap
  sll.pcap sll2.pcap rawip.pcap multi-if.pcapng mixed-linktypes.pcapng reordered.pcap snaplen.pcap truncated.pcap
  garbage.pcap unknown-linktype.pcap empty.pcap zero.pcap)
[ "$LARGE_MB" = 0 ] || FILES+=(large.pcap)
{
  echo "# Network captures recorded by Tests/scripts/record-captures.sh on $(date -u +%Y-%m-%d) ($(uname -sr); $(tcpdump --version 2>&1 | sed -n 1p); $(dumpcap --version 2>&1 | sed -n 1p | cut -d' ' -f1-3)); in a private network namespace, lo MTU 1500."
  echo "# name | link type(s) | packets | bytes | status | contents"
  for f in "${FILES[@]}"; do
    read -r _ fmt lts pk st _ <<<"$(pinfo "$STAGE/$f")"
    case "$fmt" in
      pcap|pcapng) lt_col="$fmt $lts" ;;
      *) lt_col="none ($fmt)" ;;
    esac
    printf '%s | %s | %s | %s | %s | %s\n' "$f" "$lt_col" "$pk" "$(stat -c %s "$STAGE/$f")" "$st" "${DESC[$f]}"
  done
} >"$STAGE/MANIFEST.txt"
owner=$(stat -c %u:%g "$OUT")  # tcpdump writes as user tcpdump, dumpcap 0600: the files get OUT_DIR's owner, 0644
for f in "${FILES[@]}" MANIFEST.txt; do
  chown "$owner" "$STAGE/$f"
  chmod 644 "$STAGE/$f"
  mv -f "$STAGE/$f" "$OUT/$f"
done

say "done in $((SECONDS - T0)) s: ${#FILES[@]} captures and MANIFEST.txt in $OUT"
awk -F' \\| ' '!/^#/ {printf "  %-24s %-22s %8s packets  %s\n", $1, $2, $3, $5}' "$OUT/MANIFEST.txt"
