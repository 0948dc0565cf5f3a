#!/usr/bin/env bash
# Builds firmware images and update bundles from the sample root filesystems, the way a build system would:
#   make-images.sh [OUTDIR] [SAMPLE…]     (default OUTDIR: Firmware-samples/images, default: every sample)
#
# For each sample: SAMPLE.squashfs (mksquashfs, xz), SAMPLE.ext4 (mke2fs -d), SAMPLE.tar.gz (tar), SAMPLE.cpio
# (cpio newc, an initramfs). And three update bundles made with the real tools, each wrapping an ext4 root file
# system of one sample:
#   yocto-scarthgap-acme-rauc.raucb      RAUC 1.8 `rauc bundle` (verity format, CMS-signed with a sample release key)
#   yocto-kirkstone-acme-swupdate.swu    SWUpdate bundle: cpio -H crc, sw-description first, rootfs.ext4.gz, unsigned
#   debian-13-fernwerk.mender            `mender-artifact write rootfs-image`, signed with a sample RSA key
# Nothing needs root: ownership is set to 0:0 by the tools' own options. The images are not committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/images}; shift || true
mkdir -p "$out"; out=$(cd "$out" && pwd)
need() { command -v "$1" >/dev/null || { echo "make-images.sh: $1 is required (make deps installs it)" >&2; exit 3; }; }
for t in mksquashfs mke2fs tar cpio gzip openssl rauc mender-artifact; do need "$t"; done
export PATH=$PATH:/usr/sbin:/sbin

samples=("$@")
if [ ${#samples[@]} -eq 0 ]; then
  mapfile -t samples < <(awk '!/^#/ && NF { print $1 }' "$here/samples.txt")
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ext4() { # ext4 DIR FILE : an ext4 image populated from DIR (mke2fs -d), sized to the tree
  local kib; kib=$(du -sk "$1" | cut -f1)
  kib=$(( kib * 2 + 8192 ))
  mke2fs -q -F -t ext4 -b 4096 -d "$1" -E root_owner=0:0 -L rootfs "$2" "${kib}k" >/dev/null
}

for s in "${samples[@]}"; do
  dir=$here/$s
  [ -d "$dir" ] || { echo "make-images.sh: no sample '$s'" >&2; exit 2; }
  mksquashfs "$dir" "$out/$s.squashfs" -noappend -quiet -all-root -comp xz >/dev/null
  ext4 "$dir" "$out/$s.ext4"
  tar --owner=0 --group=0 --numeric-owner -C "$dir" -czf "$out/$s.tar.gz" .
  (cd "$dir" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out/$s.cpio"
done

has() { printf '%s\n' "${samples[@]}" | grep -qx "$1"; }

# A sample release signing key (self-signed, for the bundles only; it is not the devices' keyring).
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/O=Baseline samples/CN=sample release signing" \
  -keyout "$tmp/release.key" -out "$tmp/release.cert.pem" 2>/dev/null

if has yocto-scarthgap-acme-rauc; then
  b=$tmp/rauc; mkdir -p "$b"
  cp "$out/yocto-scarthgap-acme-rauc.ext4" "$b/rootfs.ext4"
  cat > "$b/manifest.raucm" <<'EOF'
[update]
compatible=acme-gw7100
version=7200.3.1

[bundle]
format=verity

[image.rootfs]
filename=rootfs.ext4
EOF
  rm -f "$out/yocto-scarthgap-acme-rauc.raucb"
  rauc bundle --cert="$tmp/release.cert.pem" --key="$tmp/release.key" "$b" "$out/yocto-scarthgap-acme-rauc.raucb" >/dev/null 2>&1 \
    || { echo "make-images.sh: rauc bundle failed" >&2; rauc bundle --cert="$tmp/release.cert.pem" --key="$tmp/release.key" "$b" "$out/x.raucb"; exit 3; }
fi

if has yocto-kirkstone-acme-swupdate; then
  b=$tmp/swu; mkdir -p "$b"
  gzip -9n < "$out/yocto-kirkstone-acme-swupdate.ext4" > "$b/rootfs.ext4.gz"
  sha=$(sha256sum "$b/rootfs.ext4.gz" | cut -d' ' -f1)
  cat > "$b/sw-description" <<EOF
software =
{
	version = "7100.1.9";
	hardware-compatibility = [ "1.0" ];
	images: (
		{
			filename = "rootfs.ext4.gz";
			device = "/dev/mmcblk0p2";
			type = "raw";
			compressed = "zlib";
			sha256 = "$sha";
		}
	);
}
EOF
  (cd "$b" && printf '%s\n' sw-description rootfs.ext4.gz | cpio -o -H crc -R 0:0 --quiet) > "$out/yocto-kirkstone-acme-swupdate.swu"
fi

if has debian-13-fernwerk; then
  openssl genrsa -traditional -out "$tmp/mender.key" 3072 2>/dev/null    # mender-artifact wants PKCS#1
  rm -f "$out/debian-13-fernwerk.mender"
  mender-artifact write rootfs-image -t fernwerk-edge-200 -n fernwerk-13.2.0 -f "$out/debian-13-fernwerk.ext4" \
    -k "$tmp/mender.key" -o "$out/debian-13-fernwerk.mender" >"$tmp/mender.log" 2>&1 || { cat "$tmp/mender.log" >&2; exit 3; }
fi
ls "$out" | sed "s|^|$out/|"
