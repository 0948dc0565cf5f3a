#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the bundled samples, profiles and recorded captures.
   Fuzz/seeds.py OUT_DIR [BASELINE_BINARY]   → OUT_DIR/<target>/<seed files>"""
import glob, hashlib, os, struct, subprocess, sys, tarfile, tempfile

out = sys.argv[1]
baseline = sys.argv[2] if len(sys.argv) > 2 else None
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(repo)
LIMIT = 64 * 1024

def put(target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)

def read(path, limit=LIMIT):
    try:
        with open(path, "rb") as f:
            return f.read(limit)
    except OSError:
        return None

samples = sorted(d for d in glob.glob("Firmware-samples/*") if os.path.isdir(d))
profiles = sorted(glob.glob("Profiles/**/*.json", recursive=True))

for p in profiles:
    b = read(p)
    if b:
        put("json", b)
        if "/vendors/" in p:
            put("profile", b)

# audit: the files the harness places (FactSources.fuzzed in Sources/BaselineCore/Facts/FactSources.swift, the one
# list of places the facts read), joined by "\n%%\n" in that order
import re
_src = open("Sources/BaselineCore/Facts/FactSources.swift").read()
_fuzzed = re.search(r"static let fuzzed: \[String\] = \[(.*?)\]", _src, re.S).group(1)
paths = re.findall(r'"(/[^"]*)"', _fuzzed)
assert len(paths) >= 20, "FactSources.fuzzed not found"
for s in samples:
    parts = [read(s + p, 16 * 1024) or b"" for p in paths]
    put("audit", b"\n%%\n".join(parts))

for s in samples:
    for root, _, files in os.walk(s):
        for name in files:
            p = os.path.join(root, name)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            b = read(p)
            if not b:
                continue
            if b"-----BEGIN " in b:
                put("pem", b)
            if name.startswith("ssh_host_") or name.endswith(".pub") or b"OPENSSH PRIVATE KEY" in b:
                put("sshkey", b)
            if root.endswith("/bin") or root.endswith("/sbin") or name.startswith("lib"):
                put("version", b[:16 * 1024])
for v in [b"1.2.3 1.10.0", b"2:1.36.1-r0 1.36.1", b"2022.83 2020.81", b"3.0.2-0ubuntu1.10 3.0.13", b"OpenSSH_9.2p1 OpenSSH_8.4p1"]:
    put("version", v)

# report: audits of the samples by the real binary, one report and one batch of two
if baseline and os.access(baseline, os.X_OK):
    for s in samples[:4]:
        prof = None
        for line in open("Firmware-samples/samples.txt"):
            f = line.split()
            if f and not f[0].startswith("#") and f[0] == os.path.basename(s):
                prof = f[1]
        if not prof:
            continue
        r = subprocess.run([baseline, "audit", s, "--profile", prof, "--format", "json", "--date", "2026-11-23"], capture_output=True)
        if r.stdout.startswith(b"{"):
            put("report", r.stdout)
            put("report", b"[" + r.stdout + b"," + r.stdout.replace(b'"report_id": "', b'"report_id": "0', 1) + b"]")
put("report", b'{"schema": "baseline.report/1"}')

# traffic: frames from the recorded classic-pcap captures (first byte: the harness's link type index)
linkindex = {1: 0, 113: 1, 276: 2, 12: 3, 101: 3, 0: 4, 108: 5, 228: 6, 229: 7}
for p in sorted(glob.glob("out/captures/*.pcap")):
    b = read(p, 1 << 20) or b""
    if len(b) < 24:
        continue
    magic = struct.unpack("<I", b[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(endian + "I", b[20:24])[0]
    if link not in linkindex:
        continue
    seed, i, frames = bytearray([linkindex[link]]), 24, 0
    while i + 16 <= len(b) and frames < 400 and len(seed) < LIMIT:
        incl = struct.unpack(endian + "I", b[i + 8:i + 12])[0]
        frame = b[i + 16:i + 16 + incl]
        seed += struct.pack(">H", len(frame)) + frame
        i += 16 + incl; frames += 1
    put("traffic", bytes(seed))

# image: a tiny tree as tar, tar.gz, cpio, SquashFS (4 and 3.1) and ext2
with tempfile.TemporaryDirectory() as t:
    tree = os.path.join(t, "root")
    os.makedirs(tree + "/etc/ssh")
    with open(tree + "/etc/passwd", "w") as f: f.write("root:x:0:0:root:/root:/bin/sh\n")
    with open(tree + "/etc/shadow", "w") as f: f.write("root:$1$abc$def:19000:0:99999:7:::\n")
    with open(tree + "/etc/os-release", "w") as f: f.write('ID=poky\nVERSION_ID="4.0.1"\n')
    os.symlink("/etc/passwd", tree + "/etc/link")
    for mode in ("w", "w:gz"):
        p = os.path.join(t, "img.tar")
        with tarfile.open(p, mode) as tf: tf.add(tree, arcname=".")
        put("image", read(p, 1 << 20))
    cmds = [f"cd {tree} && find . | cpio -o -H newc --quiet > {t}/img.cpio",
            f"mksquashfs {tree} {t}/img.sqfs -noappend -quiet -all-root -comp gzip >/dev/null",
            f"mke2fs -q -F -t ext2 -d {tree} {t}/img.ext2 256k >/dev/null 2>&1"]
    for c, name in zip(cmds, ["img.cpio", "img.sqfs", "img.ext2"]):
        if subprocess.run(c, shell=True).returncode == 0 and os.path.exists(os.path.join(t, name)):
            put("image", read(os.path.join(t, name), 1 << 20))
    # vendor firmware files for the carver: a uImage kernel then the SquashFS at an offset; JFFS2 behind erased flash;
    # cramfs behind zeros (the engine is off while fuzzing: these exercise the carver's own parsers)
    vendor = [(f"head -c 3000 /dev/zero | tr '\\0' K > {t}/k && mkimage -A mips -O linux -T kernel -C none -n 'MIPS OpenWrt Linux-4.14.1' "
               f"-d {t}/k {t}/k.uimg >/dev/null && cat {t}/k.uimg {t}/img.sqfs > {t}/fw.bin", "fw.bin"),
              (f"/usr/sbin/mkfs.jffs2 -b -e 0x1000 -d {tree} -o {t}/j.jffs2 && (head -c 4096 /dev/zero | tr '\\0' '\\377'; cat {t}/j.jffs2) > {t}/fw-jffs2.bin", "fw-jffs2.bin"),
              (f"/usr/sbin/mkfs.cramfs {tree} {t}/c.cramfs >/dev/null && (head -c 512 /dev/zero; cat {t}/c.cramfs) > {t}/fw-cramfs.bin", "fw-cramfs.bin"),
              # a raw NAND dump: small-page UBI with 16 OOB bytes after every 512-byte page
              (f"/usr/sbin/mkfs.ubifs -r {tree} -m 512 -e 15360 -c 64 -o {t}/u.ubifs && printf '[r]\\nmode=ubi\\nimage={t}/u.ubifs\\nvol_id=0\\n"
               f"vol_type=dynamic\\nvol_name=rootfs\\n' > {t}/u.ini && /usr/sbin/ubinize -o {t}/u.ubi -m 512 -p 16KiB -s 512 {t}/u.ini && "
               f"python3 -c \"import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(b''.join(d[i:i+512]+bytes(range(16)) for i in range(0,len(d),512)))\" "
               f"{t}/u.ubi {t}/fw-nand.bin", "fw-nand.bin"),
              # SquashFS 3.1 behind a uImage kernel (Baseline's own reader): zlib little-endian, sqlzma LZMA big-endian
              (f"python3 Firmware-samples/tools/mksquashfs3.py --all-root {tree} {t}/v3.sqfs && cat {t}/k.uimg {t}/v3.sqfs > {t}/fw-sqfs3.bin", "fw-sqfs3.bin"),
              (f"python3 Firmware-samples/tools/mksquashfs3.py --all-root --endian big --comp lzma {tree} {t}/v3l.sqfs && "
               f"cat {t}/k.uimg {t}/v3l.sqfs > {t}/fw-sqfs3-lzma.bin", "fw-sqfs3-lzma.bin")]
    for c, name in vendor:
        if subprocess.run(c, shell=True).returncode == 0 and os.path.exists(os.path.join(t, name)):
            put("image", read(os.path.join(t, name), 1 << 20))

for target in sorted(os.listdir(out)):
    print(f"{target}: {len(os.listdir(os.path.join(out, target)))} seed(s)")
