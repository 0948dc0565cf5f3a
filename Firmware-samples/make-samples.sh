#!/usr/bin/env bash
# Rebuilds the sample root filesystems in Firmware-samples/ from scratch.
#
# The committed trees were made by this script; running it again makes new salts, keys and certificates (the
# verdicts stay the same). Password hashes are made with real tools (mkpasswd from Debian's whois package and
# `openssl passwd`), keys with dropbearkey, ssh-keygen and openssl. What each sample plants: README.md.
set -euo pipefail
cd "$(dirname "$0")"
need() { command -v "$1" >/dev/null || { echo "make-samples.sh: $1 is required (make deps installs it)" >&2; exit 3; }; }
need mkpasswd; need openssl; need dropbearkey; need ssh-keygen
umask 022
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

put() { # put FILE <<EOF … : write stdin to FILE, creating directories
  mkdir -p "$(dirname "$1")"; cat > "$1"
}
stub() { # stub FILE TEXT : a placeholder binary (text marker standing in for the real ELF)
  mkdir -p "$(dirname "$1")"; printf '%s\n' "$2" > "$1"; chmod 755 "$1"
}
fakebin() { # fakebin FILE STRING... : a stand-in ELF binary: a 64-byte ELF header, then the version strings the real
  # program carries, NUL-terminated, exactly as they appear in it (what LIFE-05 reads)
  mkdir -p "$(dirname "$1")"; local f=$1; shift
  { printf '\177ELF\002\001\001'; head -c 9 /dev/zero; printf '\002\000\000\000\001\000\000\000'; head -c 40 /dev/zero
    printf '%s\0' "$@"; } > "$f"; chmod 755 "$f"
}
fakelib() { fakebin "$@"; chmod 644 "$1"; }
kmods() { # kmods ROOT RELEASE : the kernel's module directory /lib/modules/RELEASE, as modules_install leaves it
  mkdir -p "$1/lib/modules/$2"; printf 'kernel/drivers/net/tun.ko:\n' > "$1/lib/modules/$2/modules.dep"
}
days() { echo $(( $(date -d "$1" +%s) / 86400 )); }
LASTCHG=$(days 2026-09-01)

busybox_base() { # busybox_base ROOT VERSION BUILD-DATE : minimal BusyBox userland
  local r=$1
  fakebin "$r/bin/busybox" "BusyBox v$2 ($3 UTC) multi-call binary." "syslogd started: BusyBox v$2"
  for a in sh ash ls cat; do ln -sf busybox "$r/bin/$a"; done
  mkdir -p "$r/sbin" "$r/usr/sbin" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/root"
  ln -sf ../bin/busybox "$r/sbin/init"
}

###############################################################################
# 1. OpenWrt 24.10 fork, Nordlicht NR-300 legacy firmware — FAIL
r=openwrt-24.10-nordlicht-legacy; rm -rf "$r"; busybox_base "$r" 1.36.1 "2025-02-03 22:59:39"
put "$r/etc/openwrt_release" <<'EOF'
DISTRIB_ID='OpenWrt'
DISTRIB_RELEASE='24.10.0'
DISTRIB_REVISION='r28427-6df0e3d02a'
DISTRIB_TARGET='ramips/mt7621'
DISTRIB_ARCH='mipsel_24kc'
DISTRIB_DESCRIPTION='OpenWrt 24.10.0 r28427-6df0e3d02a'
DISTRIB_TAINTS=''
EOF
put "$r/usr/lib/os-release" <<'EOF'
NAME="OpenWrt"
VERSION="24.10.0"
ID="openwrt"
ID_LIKE="lede openwrt"
PRETTY_NAME="OpenWrt 24.10.0"
VERSION_ID="24.10.0"
HOME_URL="https://openwrt.org/"
BUG_URL="https://bugs.openwrt.org/"
SUPPORT_URL="https://forum.openwrt.org/"
BUILD_ID="r28427-6df0e3d02a"
OPENWRT_BOARD="ramips/mt7621"
OPENWRT_ARCH="mipsel_24kc"
OPENWRT_RELEASE="OpenWrt 24.10.0 r28427-6df0e3d02a"
EOF
ln -sf ../usr/lib/os-release "$r/etc/os-release"
put "$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/ash
daemon:*:1:1:daemon:/var:/bin/false
ftp:*:55:55:ftp:/home/ftp:/bin/false
network:*:101:101:network:/var:/bin/false
nobody:*:65534:65534:nobody:/var:/bin/false
dnsmasq:x:453:453:dnsmasq:/var/run/dnsmasq:/bin/false
EOF
put "$r/etc/shadow" <<EOF
root:$(openssl passwd -1 admin):${LASTCHG}:0:99999:7:::
daemon:*:0:0:99999:7:::
ftp:*:0:0:99999:7:::
network:*:0:0:99999:7:::
nobody:*:0:0:99999:7:::
dnsmasq:x:0:0:99999:7:::
EOF
chmod 600 "$r/etc/shadow"
stub "$r/bin/opkg" "opkg version 2024.10.16"
stub "$r/sbin/sysupgrade" "#!/bin/sh"
fakebin "$r/usr/sbin/dropbear" "SSH-2.0-dropbear_2024.86" "/etc/dropbear/dropbear_ed25519_host_key"
# OpenWrt 24.10.0 as released: kernel 6.6.73, OpenSSL 3.0.15 (the 3.0 LTS cycle ended 2026-09-07 → LIFE-05 fail), dnsmasq 2.90
kmods "$r" 6.6.73
fakelib "$r/usr/lib/libcrypto.so.3" "OpenSSL 3.0.15 3 Sep 2024" "OpenSSL default"
fakebin "$r/usr/sbin/dnsmasq" "dnsmasq-2.90" "Dnsmasq version %s  %s"
put "$r/etc/opkg.conf" <<'EOF'
dest root /
dest ram /tmp
lists_dir ext /var/opkg-lists
option overlay_root /overlay
EOF
put "$r/etc/opkg/distfeeds.conf" <<'EOF'
src/gz openwrt_core http://downloads.openwrt.org/releases/24.10.0/targets/ramips/mt7621/packages
src/gz openwrt_base http://downloads.openwrt.org/releases/24.10.0/packages/mipsel_24kc/base
src/gz openwrt_luci http://downloads.openwrt.org/releases/24.10.0/packages/mipsel_24kc/luci
EOF
put "$r/etc/opkg/customfeeds.conf" <<'EOF'
# Nordlicht extras
src/gz nordlicht http://firmware.nordlicht.example/nr300/packages
EOF
put "$r/etc/config/dropbear" <<'EOF'
config dropbear
	option PasswordAuth 'on'
	option RootPasswordAuth 'on'
	option Port '22'
EOF
mkdir -p "$r/etc/dropbear"
dropbearkey -t ed25519 -f "$r/etc/dropbear/dropbear_ed25519_host_key" >/dev/null 2>&1
put "$r/etc/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS S boot
::shutdown:/etc/init.d/rcS K shutdown
::askconsole:/usr/libexec/login.sh
::respawn:/usr/sbin/telnetd -F -l /bin/login.sh
EOF
put "$r/etc/init.d/dropbear" <<'EOF'
#!/bin/sh /etc/rc.common
START=19
USE_PROCD=1
PROG=/usr/sbin/dropbear
start_service() {
	procd_open_instance
	procd_set_param command "$PROG" -F -P /var/run/dropbear.1.pid
	procd_close_instance
}
EOF
chmod 755 "$r/etc/init.d/dropbear"
mkdir -p "$r/etc/rc.d"; ln -sf ../init.d/dropbear "$r/etc/rc.d/S19dropbear"
put "$r/etc/crontabs/root" <<'EOF'
EOF

###############################################################################
# 2. OpenWrt 25.12, Nordlicht NR-300 current firmware — PASS
r=openwrt-25.12-nordlicht; rm -rf "$r"; busybox_base "$r" 1.37.0 "2026-08-30 09:12:44"
put "$r/etc/openwrt_release" <<'EOF'
DISTRIB_ID='OpenWrt'
DISTRIB_RELEASE='25.12.0'
DISTRIB_REVISION='r31502-a3b1c2d4e5'
DISTRIB_TARGET='mediatek/filogic'
DISTRIB_ARCH='aarch64_cortex-a53'
DISTRIB_DESCRIPTION='OpenWrt 25.12.0 r31502-a3b1c2d4e5'
DISTRIB_TAINTS=''
EOF
put "$r/usr/lib/os-release" <<'EOF'
NAME="OpenWrt"
VERSION="25.12.0"
ID="openwrt"
ID_LIKE="lede openwrt"
PRETTY_NAME="Nordlicht NR-300 firmware 3.0.1 (OpenWrt 25.12.0)"
VERSION_ID="25.12.0"
IMAGE_ID="nr300"
IMAGE_VERSION="3.0.1"
HOME_URL="https://nordlicht.example/"
BUG_REPORT_URL="https://nordlicht.example/security"
SUPPORT_URL="https://nordlicht.example/support/lifecycle"
SUPPORT_END=2029-12-31
BUILD_ID="r31502-a3b1c2d4e5"
OPENWRT_BOARD="mediatek/filogic"
EOF
ln -sf ../usr/lib/os-release "$r/etc/os-release"
put "$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/ash
daemon:*:1:1:daemon:/var:/bin/false
network:*:101:101:network:/var:/bin/false
nobody:*:65534:65534:nobody:/var:/bin/false
EOF
put "$r/etc/shadow" <<'EOF'
root:*:20332:0:99999:7:::
daemon:*:0:0:99999:7:::
network:*:0:0:99999:7:::
nobody:*:0:0:99999:7:::
EOF
chmod 600 "$r/etc/shadow"
stub "$r/usr/bin/apk" "apk-tools 3.0.0"
stub "$r/sbin/sysupgrade" "#!/bin/sh"
stub "$r/usr/bin/owut" "#!/usr/bin/ucode"
fakebin "$r/usr/sbin/dropbear" "SSH-2.0-dropbear_2025.88" "/etc/dropbear/dropbear_ed25519_host_key"
# kernel 6.12 LTS, OpenSSL 3.5 LTS; dnsmasq 2.91, whose release date the EOL data does not have (LIFE-05 says so)
kmods "$r" 6.12.58
fakelib "$r/usr/lib/libcrypto.so.3" "OpenSSL 3.5.4 30 Sep 2025" "OpenSSL default"
fakebin "$r/usr/sbin/dnsmasq" "dnsmasq-2.91" "Dnsmasq version %s  %s"
put "$r/etc/apk/repositories.d/distfeeds.list" <<'EOF'
https://downloads.openwrt.org/releases/25.12.0/targets/mediatek/filogic/packages/packages.adb
https://downloads.openwrt.org/releases/25.12.0/packages/aarch64_cortex-a53/base/packages.adb
https://firmware.nordlicht.example/nr300/3.0/packages.adb
EOF
mkdir -p "$r/etc/apk/keys"
openssl ecparam -name prime256v1 -genkey -noout -out "$TMP/apk.key" 2>/dev/null
openssl ec -in "$TMP/apk.key" -pubout -out "$r/etc/apk/keys/openwrt-25.12.pem" 2>/dev/null
put "$r/etc/config/dropbear" <<'EOF'
config dropbear
	option PasswordAuth 'on'
	option RootPasswordAuth 'off'
	option Port '22'
EOF
mkdir -p "$r/etc/dropbear"   # host keys are generated on first boot by /etc/init.d/dropbear
put "$r/etc/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS S boot
::shutdown:/etc/init.d/rcS K shutdown
::askconsole:/usr/libexec/login.sh
EOF
put "$r/etc/init.d/dropbear" <<'EOF'
#!/bin/sh /etc/rc.common
START=19
USE_PROCD=1
PROG=/usr/sbin/dropbear
start_service() {
	[ -s /etc/dropbear/dropbear_ed25519_host_key ] || dropbearkey -t ed25519 -f /etc/dropbear/dropbear_ed25519_host_key
	procd_open_instance
	procd_set_param command "$PROG" -F -P /var/run/dropbear.1.pid
	procd_close_instance
}
EOF
chmod 755 "$r/etc/init.d/dropbear"
mkdir -p "$r/etc/rc.d"; ln -sf ../init.d/dropbear "$r/etc/rc.d/S19dropbear"
put "$r/etc/crontabs/root" <<'EOF'
# check daily for a newer firmware and tell the user in the web interface
17 3 * * * /usr/bin/owut check --notify >/dev/null 2>&1
EOF
put "$r/www/.well-known/security.txt" <<'EOF'
Contact: mailto:security@nordlicht.example
Expires: 2027-12-31T23:59:59Z
Policy: https://nordlicht.example/security
EOF

###############################################################################
# 3. Yocto 5.0 (scarthgap) with RAUC A/B, Acme GW-7100 — PASS
r=yocto-scarthgap-acme-rauc; rm -rf "$r"; mkdir -p "$r"
mkdir -p "$r/usr/bin" "$r/usr/sbin" "$r/usr/lib" "$r/root"
ln -s usr/bin "$r/bin"; ln -s usr/sbin "$r/sbin"; ln -s usr/lib "$r/lib"
put "$r/usr/lib/os-release" <<'EOF'
ID=poky
NAME="Acme OS"
VERSION="5.0.6 (scarthgap)"
VERSION_ID=5.0.6
VERSION_CODENAME="scarthgap"
PRETTY_NAME="Acme OS 7100.3.2 (Poky 5.0.6 scarthgap)"
IMAGE_ID=acme-gw7100-image
IMAGE_VERSION=7100.3.2
BUILD_ID="20260910-1402"
HOME_URL="https://acme-networks.example/gw7100"
BUG_REPORT_URL="https://acme-networks.example/security"
SUPPORT_URL="https://acme-networks.example/security/support-periods"
SUPPORT_END=2028-04-30
EOF
ln -s ../usr/lib/os-release "$r/etc/os-release" 2>/dev/null || { mkdir -p "$r/etc"; ln -s ../usr/lib/os-release "$r/etc/os-release"; }
put "$r/etc/version" <<'EOF'
20260910140212
EOF
put "$r/etc/timestamp" <<'EOF'
20260910140212
EOF
put "$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/sh
messagebus:x:999:998::/var/lib/dbus:/bin/false
sshd:x:998:997::/var/run/sshd:/bin/false
acme-agent:x:1000:1000::/var/lib/acme-agent:/sbin/nologin
EOF
put "$r/etc/shadow" <<'EOF'
root:*:20341:0:99999:7:::
daemon:*:20341:0:99999:7:::
messagebus:!:20341:0:99999:7:::
sshd:!:20341:0:99999:7:::
acme-agent:!:20341:0:99999:7:::
EOF
chmod 600 "$r/etc/shadow"
stub "$r/usr/bin/rauc" "rauc 1.14"
stub "$r/usr/bin/rauc-hawkbit-updater" "rauc-hawkbit-updater 1.3"
fakebin "$r/usr/sbin/sshd" "OpenSSH_9.6p1" "OpenSSH_7.4*" "OpenSSH_2.*,OpenSSH_3.0*,OpenSSH_3.1*"
# Reproducible Yocto builds leave BusyBox's build date empty. Acme's layer pins OpenSSL to the 3.5 LTS cycle.
fakebin "$r/usr/bin/busybox" "BusyBox v1.36.1 () multi-call binary."
fakelib "$r/usr/lib/libcrypto.so.3" "OpenSSL 3.5.4 30 Sep 2025" "OpenSSL default"
kmods "$r" 6.6.52-yocto-standard
put "$r/etc/rauc/system.conf" <<'EOF'
[system]
compatible=acme-gw7100
bootloader=uboot
data-directory=/data/rauc

[keyring]
path=/etc/rauc/ca.cert.pem
check-crl=true

[slot.rootfs.0]
device=/dev/mmcblk0p2
type=ext4
bootname=A

[slot.rootfs.1]
device=/dev/mmcblk0p3
type=ext4
bootname=B
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$TMP/ca.key" \
  -subj "/O=Acme Networks/CN=Acme Networks Update CA 2026" -days 3650 -out "$r/etc/rauc/ca.cert.pem" 2>/dev/null
put "$r/etc/rauc-hawkbit-updater/config.conf" <<'EOF'
[client]
hawkbit_server = updates.acme-networks.example
ssl = true
ssl_verify = true
tenant_id = DEFAULT
target_name_file = /etc/machine-id
bundle_download_location = /data/bundle.raucb
retry_wait = 60
connect_timeout = 20
timeout = 60
log_level = message
EOF
put "$r/usr/lib/systemd/system/rauc-hawkbit-updater.service" <<'EOF'
[Unit]
Description=HawkBit client for RAUC
After=network-online.target rauc.service

[Service]
ExecStart=/usr/bin/rauc-hawkbit-updater -s -c /etc/rauc-hawkbit-updater/config.conf
Restart=on-failure

[Install]
WantedBy=multi-user.target
EOF
put "$r/usr/lib/systemd/system/sshd.socket" <<'EOF'
[Unit]
Description=OpenSSH Server Socket

[Socket]
ListenStream=22
Accept=yes

[Install]
WantedBy=sockets.target
EOF
put "$r/usr/lib/systemd/system/sshd@.service" <<'EOF'
[Unit]
Description=OpenSSH Per-Connection Daemon
Wants=sshdgenkeys.service
After=sshdgenkeys.service

[Service]
ExecStart=-/usr/sbin/sshd -i $SSHD_OPTS
StandardInput=socket
EOF
put "$r/usr/lib/systemd/system/sshdgenkeys.service" <<'EOF'
[Unit]
Description=OpenSSH Key Generation
ConditionPathExists=|!/etc/ssh/ssh_host_ed25519_key

[Service]
ExecStart=/usr/bin/ssh-keygen -A
Type=oneshot
EOF
mkdir -p "$r/etc/systemd/system/multi-user.target.wants" "$r/etc/systemd/system/sockets.target.wants"
ln -s /usr/lib/systemd/system/rauc-hawkbit-updater.service "$r/etc/systemd/system/multi-user.target.wants/rauc-hawkbit-updater.service"
ln -s /usr/lib/systemd/system/sshd.socket "$r/etc/systemd/system/sockets.target.wants/sshd.socket"
put "$r/etc/ssh/sshd_config" <<'EOF'
# Acme hardened defaults
Include /etc/ssh/sshd_config.d/*.conf
PermitRootLogin prohibit-password
PasswordAuthentication no
PermitEmptyPasswords no
KbdInteractiveAuthentication no
Subsystem sftp /usr/libexec/sftp-server
EOF
put "$r/etc/ssh/sshd_config.d/10-acme.conf" <<'EOF'
ClientAliveInterval 300
EOF

###############################################################################
# 4. Yocto 4.0 (kirkstone) with SWUpdate, Acme GW-7100 engineering build — FAIL
r=yocto-kirkstone-acme-swupdate; rm -rf "$r"; mkdir -p "$r/usr/bin" "$r/usr/sbin" "$r/usr/lib" "$r/root"
ln -s usr/bin "$r/bin"; ln -s usr/sbin "$r/sbin"; ln -s usr/lib "$r/lib"
put "$r/etc/os-release" <<'EOF'
ID=poky
NAME="Acme OS"
VERSION="4.0.21 (kirkstone)"
VERSION_ID=4.0.21
VERSION_CODENAME="kirkstone"
PRETTY_NAME="Acme OS 7100.1.9 (Poky 4.0.21 kirkstone)"
IMAGE_VERSION=7100.1.9
BUILD_ID="20250802-0911"
EOF
put "$r/etc/passwd" <<'EOF'
root:x:0:0:root:/home/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/sh
sshd:x:998:997::/var/run/sshd:/bin/false
EOF
put "$r/etc/shadow" <<EOF
root:$(mkpasswd -m sha512crypt acme1234):${LASTCHG}:0:99999:7:::
daemon:*:20341:0:99999:7:::
sshd:!:20341:0:99999:7:::
EOF
chmod 600 "$r/etc/shadow"
stub "$r/usr/bin/swupdate" "SWUpdate v2022.12"
fakebin "$r/usr/sbin/sshd" "OpenSSH_8.9p1" "OpenSSH_7.4*" "OpenSSH_2.*,OpenSSH_3.0*,OpenSSH_3.1*"
# kirkstone's BusyBox 1.35.0 and OpenSSH 8.9p1 (released more than 4 years before the audit → warn), OpenSSL 3.0
# (cycle ended 2026-09-07) and the SoC vendor's 5.4 BSP kernel (ended 2025-12-03) → LIFE-05 fail
fakebin "$r/usr/bin/busybox" "BusyBox v1.35.0 () multi-call binary."
fakelib "$r/usr/lib/libcrypto.so.3" "OpenSSL 3.0.14 4 Jun 2024" "OpenSSL default"
kmods "$r" 5.4.70-2.3.0
put "$r/etc/swupdate.cfg" <<'EOF'
globals :
{
	verbose = true;
	loglevel = 5;
	syslog = true;
	/* public-key-file = "/etc/swupdate/public.pem"; -- disabled for bring-up */
};

suricatta :
{
	tenant = "default";
	id = "gw7100-eng";
	url = "http://hawkbit.acme-networks.example:8080";
	polldelay = 3600;
	nocheckcert = true;
	retry = 4;
};

webserver :
{
	document_root = "/www";
	userid = 0;
	groupid = 0;
};
EOF
put "$r/usr/lib/systemd/system/swupdate.service" <<'EOF'
[Unit]
Description=SWUpdate daemon
After=network-online.target

[Service]
ExecStart=/usr/bin/swupdate -f /etc/swupdate.cfg -u "-t default" -w "-r /www -p 8080"

[Install]
WantedBy=multi-user.target
EOF
put "$r/usr/lib/systemd/system/sshd.service" <<'EOF'
[Unit]
Description=OpenSSH server daemon

[Service]
ExecStart=/usr/sbin/sshd -D

[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
ln -s /usr/lib/systemd/system/swupdate.service "$r/etc/systemd/system/multi-user.target.wants/swupdate.service"
ln -s /usr/lib/systemd/system/sshd.service "$r/etc/systemd/system/multi-user.target.wants/sshd.service"
put "$r/etc/ssh/sshd_config" <<'EOF'
PermitRootLogin yes
PermitEmptyPasswords yes
PasswordAuthentication yes
Subsystem sftp /usr/libexec/sftp-server
EOF
ssh-keygen -q -t ed25519 -N "" -C "root@gw7100-build" -f "$r/etc/ssh/ssh_host_ed25519_key"
mkdir -p "$r/etc/ssl/private"
openssl genpkey -algorithm ed25519 -out "$r/etc/ssl/private/device-key.pem" 2>/dev/null
mkdir -p "$r/home/root/.ssh"
ssh-keygen -q -t ed25519 -N "" -C "acme-support@factory" -f "$TMP/support"
cp "$TMP/support.pub" "$r/home/root/.ssh/authorized_keys"

###############################################################################
# 5. Buildroot 2024.02, Sensorix SH-2 sensor hub — FAIL
r=buildroot-sensorix-hub; rm -rf "$r"; busybox_base "$r" 1.36.1 "2025-01-20 16:40:02"
put "$r/etc/os-release" <<'EOF'
NAME=Buildroot
VERSION=2024.02.6
ID=buildroot
VERSION_ID=2024.02.6
PRETTY_NAME="Buildroot 2024.02.6"
SUPPORT_END=2026-03-31
EOF
put "$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
admin:x:1000:1000:Linux User,,,:/home/admin:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
put "$r/etc/shadow" <<EOF
root::10933:0:99999:7:::
daemon:*:10933:0:99999:7:::
admin:$(mkpasswd -m descrypt sensorix):${LASTCHG}:0:99999:7:::
nobody:*:10933:0:99999:7:::
EOF
chmod 600 "$r/etc/shadow"
put "$r/etc/inittab" <<'EOF'
# /etc/inittab (Buildroot)
::sysinit:/bin/mount -t proc proc /proc
::sysinit:/bin/mount -o remount,rw /
::sysinit:/etc/init.d/rcS
console::respawn:/sbin/getty -L  console 0 vt100 # GENERIC_SERIAL
::shutdown:/etc/init.d/rcK
EOF
put "$r/etc/init.d/rcS" <<'EOF'
#!/bin/sh
# Start all init scripts in /etc/init.d executing them in numerical order.
for i in /etc/init.d/S??* ;do
     [ ! -f "$i" ] && continue
     case "$i" in
	*.sh) ( trap - INT QUIT TSTP; set start; . $i ) ;;
	*) $i start ;;
    esac
done
EOF
put "$r/etc/init.d/S01syslogd" <<'EOF'
#!/bin/sh
start-stop-daemon -S -b -q -m -p /var/run/syslogd.pid --exec /sbin/syslogd -- -n
EOF
put "$r/etc/init.d/S50telnet" <<'EOF'
#!/bin/sh
# factory diagnostics
case "$1" in
  start) start-stop-daemon -S -q -m -b -p /var/run/telnetd.pid -x /usr/sbin/telnetd -- -F ;;
  stop) start-stop-daemon -K -q -p /var/run/telnetd.pid ;;
esac
EOF
put "$r/etc/init.d/S50dropbear" <<'EOF'
#!/bin/sh
# Starts dropbear sshd.
DROPBEAR_ARGS="-R -B"
case "$1" in
  start)
	start-stop-daemon -S -q -p /var/run/dropbear.pid --exec /usr/sbin/dropbear -- -R -B
	;;
  stop)
	start-stop-daemon -K -q -p /var/run/dropbear.pid
	;;
esac
EOF
chmod 755 "$r"/etc/init.d/*
fakebin "$r/usr/sbin/dropbear" "SSH-2.0-dropbear_2022.83" "/etc/dropbear/dropbear_ed25519_host_key"
# the SoC vendor's 4.19 BSP kernel (cycle ended 2024-12-05) and Buildroot 2024.02's OpenSSL 3.2 (ended 2025-11-23) →
# LIFE-05 fail; Dropbear 2022.83 was released on 2022-11-14, more than 4 years before the audit → warn
kmods "$r" 4.19.232
fakelib "$r/usr/lib/libcrypto.so.3" "OpenSSL 3.2.2 4 Jun 2024" "OpenSSL default"
ln -sf ../../bin/busybox "$r/usr/sbin/telnetd"
mkdir -p "$r/etc/dropbear"

###############################################################################
# 6. Debian 13 (trixie), Fernwerk EdgeBox E2 — PASS
r=debian-13-fernwerk; rm -rf "$r"; mkdir -p "$r/usr/bin" "$r/usr/sbin" "$r/usr/lib" "$r/root" "$r/etc"
ln -s usr/bin "$r/bin"; ln -s usr/sbin "$r/sbin"; ln -s usr/lib "$r/lib"
put "$r/usr/lib/os-release" <<'EOF'
PRETTY_NAME="Debian GNU/Linux 13 (trixie)"
NAME="Debian GNU/Linux"
VERSION_ID="13"
VERSION="13 (trixie)"
VERSION_CODENAME=trixie
DEBIAN_VERSION_FULL=13.1
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://fernwerk.example/edgebox/support"
BUG_REPORT_URL="https://fernwerk.example/.well-known/security.txt"
IMAGE_ID=edgebox-e2
IMAGE_VERSION=2.4.0
BUILD_ID=2026-09-12T08:30
SUPPORT_END=2028-08-09
EOF
ln -s ../usr/lib/os-release "$r/etc/os-release"
put "$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
fernwerk:x:1000:1000:EdgeBox operator:/home/fernwerk:/bin/bash
EOF
put "$r/etc/shadow" <<'EOF'
root:*:20343:0:99999:7:::
daemon:*:20343:0:99999:7:::
bin:*:20343:0:99999:7:::
sys:*:20343:0:99999:7:::
_apt:*:20343:0:99999:7:::
nobody:*:20343:0:99999:7:::
sshd:!:20343::::::
fernwerk:!:20343:0:99999:7:::
EOF
chmod 640 "$r/etc/shadow"
stub "$r/usr/bin/apt-get" "apt 3.0.3 (arm64)"
stub "$r/usr/bin/unattended-upgrade" "#!/usr/bin/python3"
# Debian's openssh 1:10.0p1-7 calls itself 10.0p2: LIFE-05 lists both versions, both of the 10.0 release
fakebin "$r/usr/sbin/sshd" "OpenSSH_10.0p2 Debian-7" "OpenSSH_10.0p2" "OpenSSH_7.4*"
fakelib "$r/usr/lib/aarch64-linux-gnu/libcrypto.so.3" "OpenSSL 3.5.1 1 Jul 2025" "OpenSSL default"
kmods "$r" 6.12.48+deb13-arm64
put "$r/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: https://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: https://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
put "$r/etc/apt/sources.list.d/fernwerk.sources" <<'EOF'
Types: deb
URIs: https://apt.fernwerk.example/edgebox
Suites: e2-stable
Components: main
Signed-By: /usr/share/keyrings/fernwerk-archive-keyring.gpg
EOF
put "$r/etc/apt/apt.conf.d/20auto-upgrades" <<'EOF'
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
EOF
put "$r/etc/ssh/sshd_config" <<'EOF'
Include /etc/ssh/sshd_config.d/*.conf
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding no
PrintMotd no
AcceptEnv LANG LC_*
Subsystem	sftp	/usr/lib/openssh/sftp-server
EOF
put "$r/etc/ssh/sshd_config.d/50-fernwerk.conf" <<'EOF'
PermitRootLogin no
PasswordAuthentication no
PermitEmptyPasswords no
EOF
put "$r/usr/lib/systemd/system/ssh.service" <<'EOF'
[Unit]
Description=OpenBSD Secure Shell server

[Service]
ExecStartPre=/usr/sbin/sshd -t
ExecStart=/usr/sbin/sshd -D $SSHD_OPTS

[Install]
WantedBy=multi-user.target
EOF
put "$r/usr/lib/systemd/system/regenerate-ssh-host-keys.service" <<'EOF'
[Unit]
Description=Regenerate SSH host keys on first boot
ConditionFileNotEmpty=|!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
ln -s /usr/lib/systemd/system/ssh.service "$r/etc/systemd/system/multi-user.target.wants/ssh.service"
ln -s /usr/lib/systemd/system/regenerate-ssh-host-keys.service "$r/etc/systemd/system/multi-user.target.wants/regenerate-ssh-host-keys.service"

###############################################################################
# 7. Debian 11 (bullseye), Fernwerk EdgeBox E2 legacy image — FAIL
r=debian-11-fernwerk-legacy; rm -rf "$r"; mkdir -p "$r/usr/bin" "$r/usr/sbin" "$r/usr/lib" "$r/root" "$r/etc"
ln -s usr/bin "$r/bin"; ln -s usr/sbin "$r/sbin"; ln -s usr/lib "$r/lib"
put "$r/usr/lib/os-release" <<'EOF'
PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"
NAME="Debian GNU/Linux"
VERSION_ID="11"
VERSION="11 (bullseye)"
VERSION_CODENAME=bullseye
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
EOF
ln -s ../usr/lib/os-release "$r/etc/os-release"
put "$r/etc/debian_version" <<'EOF'
11.11
EOF
put "$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
_apt:x:100:65534::/nonexistent:/usr/sbin/nologin
sshd:x:101:65534::/run/sshd:/usr/sbin/nologin
fernwerk:x:1000:1000:EdgeBox operator:/home/fernwerk:/bin/bash
EOF
put "$r/etc/shadow" <<EOF
root:$(mkpasswd -m yescrypt root):${LASTCHG}:0:99999:7:::
daemon:*:19000:0:99999:7:::
_apt:*:19000:0:99999:7:::
sshd:*:19000:0:99999:7:::
fernwerk:$(openssl passwd -5 edgebox):${LASTCHG}:0:99999:7:::
EOF
chmod 640 "$r/etc/shadow"
stub "$r/usr/bin/apt-get" "apt 2.2.4 (armhf)"
fakebin "$r/usr/sbin/sshd" "OpenSSH_8.4p1 Debian-5+deb11u3" "OpenSSH_8.4p1" "OpenSSH_7.4*"
# OpenSSL 1.1.1 (cycle ended 2023-09-11 → LIFE-05 fail); OpenSSH 8.4 (released 2020-09-27 → warn); kernel 5.10 LTS
fakelib "$r/usr/lib/arm-linux-gnueabihf/libcrypto.so.1.1" "OpenSSL 1.1.1w  11 Sep 2023" "OpenSSL default"
kmods "$r" 5.10.0-30-armmp
stub "$r/usr/sbin/inetd" "openbsd-inetd"
put "$r/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bullseye main
deb http://security.debian.org/debian-security bullseye-security main
deb [trusted=yes] http://apt.fernwerk.example/legacy bullseye main
EOF
put "$r/etc/apt/apt.conf.d/99fernwerk-insecure" <<'EOF'
// needed for the legacy repository
Acquire::AllowInsecureRepositories "true";
EOF
put "$r/etc/inetd.conf" <<'EOF'
# <service_name> <sock_type> <proto> <flags> <user> <server_path> <args>
telnet		stream	tcp	nowait	root	/usr/sbin/tcpd	/usr/sbin/in.telnetd
EOF
put "$r/etc/ssh/sshd_config" <<'EOF'
PermitRootLogin yes
ChallengeResponseAuthentication no
UsePAM yes
Subsystem	sftp	/usr/lib/openssh/sftp-server
EOF

###############################################################################
# Package databases (LIFE-06). The Yocto kirkstone and Buildroot images ship none.
put "openwrt-24.10-nordlicht-legacy/usr/lib/opkg/status" <<'EOF'
Package: busybox
Version: 1.36.1-r2
Depends: libc
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1738000000

Package: dropbear
Version: 2024.86-r1
Depends: libc
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1738000000

Package: libopenssl3
Version: 3.0.15-r1
Depends: libc
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1738000000

Package: dnsmasq
Version: 2.90-r3
Depends: libc, libubus20250102
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1738000000

Package: opkg
Version: 2024.10.16~38eccbb1-r1
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1738000000

Package: base-files
Version: 1620-r28427-6df0e3d02a
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1738000000
EOF
put "openwrt-25.12-nordlicht/lib/apk/db/installed" <<'EOF'
P:base-files
V:1661-r31502
A:aarch64_cortex-a53
T:Base filesystem for OpenWrt

P:busybox
V:1.37.0-r3
A:aarch64_cortex-a53
T:Core utilities for embedded Linux

P:dropbear
V:2025.88-r1
A:aarch64_cortex-a53
T:Small SSH2 client/server

P:libopenssl3
V:3.5.4-r1
A:aarch64_cortex-a53
T:OpenSSL (Secure Sockets Layer) libraries

P:dnsmasq
V:2.91-r1
A:aarch64_cortex-a53
T:DNS and DHCP server

P:apk-openssl
V:3.0.0_pre20250926-r1
A:aarch64_cortex-a53
T:Alpine Package Keeper
EOF
put "yocto-scarthgap-acme-rauc/var/lib/opkg/status" <<'EOF'
Package: base-files
Version: 3.0.14-r0
Status: install user installed
Architecture: gw7100

Package: busybox
Version: 1.36.1-r0
Status: install user installed
Architecture: cortexa53

Package: openssh-sshd
Version: 9.6p1-r0
Status: install user installed
Architecture: cortexa53

Package: rauc
Version: 1.11.3-r0
Status: install user installed
Architecture: cortexa53

Package: rauc-hawkbit-updater
Version: 1.3-r0
Status: install user installed
Architecture: cortexa53
EOF
put "debian-13-fernwerk/var/lib/dpkg/status" <<'EOF'
Package: base-files
Status: install ok installed
Priority: required
Architecture: arm64
Version: 13.8

Package: openssh-server
Status: install ok installed
Priority: optional
Architecture: arm64
Version: 1:10.0p1-7

Package: libssl3t64
Status: install ok installed
Priority: optional
Architecture: arm64
Version: 3.5.1-1

Package: unattended-upgrades
Status: install ok installed
Priority: optional
Architecture: all
Version: 2.12

Package: apt
Status: install ok installed
Priority: required
Architecture: arm64
Version: 3.0.3
EOF
put "debian-11-fernwerk-legacy/var/lib/dpkg/status" <<'EOF'
Package: base-files
Status: install ok installed
Priority: required
Architecture: armhf
Version: 11.1+deb11u11

Package: openssh-server
Status: install ok installed
Priority: optional
Architecture: armhf
Version: 1:8.4p1-5+deb11u3

Package: libssl1.1
Status: install ok installed
Priority: optional
Architecture: armhf
Version: 1.1.1w-0+deb11u1

Package: openbsd-inetd
Status: install ok installed
Priority: optional
Architecture: armhf
Version: 0.20160825-5

Package: telnetd
Status: install ok installed
Priority: optional
Architecture: armhf
Version: 0.17+2.2-2

Package: apt
Status: install ok installed
Priority: required
Architecture: armhf
Version: 2.2.4
EOF
echo "samples rebuilt in $(pwd)"
