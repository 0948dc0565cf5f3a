#!/usr/bin/env bash
# Builds vendor-style firmware files, the way vendors publish them: a vendor header, a kernel, then a root file system
# at some offset. Everything is made with Debian's own tools (mksquashfs, mkimage, mkfs.jffs2, mkfs.ubifs, ubinize,
# mkfs.cramfs, mke2fs, cpio, tar, gzip, xz, zstd, lz4, lzop, bzip2, 7z, openssl, mkpasswd, the MIPS cross compilers);
# JFFS2 LZMA/rtime nodes are rewritten by tools/jffs2-recompress.py, SquashFS 3.1 (zlib and sqlzma LZMA) written by tools/mksquashfs3.py;
# the vendor headers Debian has no tool for (TRX, TP-Link v1, Netgear .chk, Seama, ZyXEL ZLD, Android boot, D-Link SHRS) and romfs
# (genromfs is not installed) are written by the Python below, field by field as OpenWrt's firmware-utils (trx.c,
# mktplinkfw.c, mkchkimg.c, oseama.c), AOSP's mkbootimg and genromfs write them.
#
#   make-vendor-images.sh OUTDIR          (e.g. out/vendor-images; Firmware-samples/images/ and out/ are git-ignored)
#
# OUTDIR/MANIFEST.txt lists every file, what it is, the offset of the root file system inside it and the tree it was
# made from. No root needed; the same bytes on every run (SOURCE_DATE_EPOCH, fixed seeds, keys, UUIDs and sequence
# numbers), except where noted in MANIFEST.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: make-vendor-images.sh OUTDIR" >&2; exit 2; }
export PATH=$PATH:/usr/sbin:/sbin
need() { command -v "$1" >/dev/null || { echo "make-vendor-images.sh: $1 is required (Debian package $2)" >&2; exit 3; }; }
need mksquashfs squashfs-tools; need mkimage u-boot-tools; need mkfs.jffs2 mtd-utils; need mkfs.ubifs mtd-utils
need ubinize mtd-utils; need mkfs.cramfs util-linux; need cpio cpio; need gzip gzip; need xz xz-utils
need openssl openssl; need python3 python3; need strings binutils
need mips-linux-gnu-gcc gcc-mips-linux-gnu; need mipsel-linux-gnu-gcc gcc-mipsel-linux-gnu
need mke2fs e2fsprogs; need zstd zstd; need lz4 lz4; need lzop lzop; need bzip2 bzip2; need 7z p7zip-full
need mkpasswd whois; need tar tar

sample=openwrt-24.10-nordlicht-legacy
export SOURCE_DATE_EPOCH=1738623579            # 2025-02-03 22:59:39 UTC, the sample's BusyBox build date
export TZ=UTC LC_ALL=C
out=$1; mkdir -p "$out"; out=$(cd "$out" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
umask 022

# ---------------------------------------------------------------------------------------------------------------
# Python helpers: vendor headers, padding, the fake kernel, the gzip bomb. `python3 $py CMD ARGS…`
py=$tmp/fw.py
cat > "$py" <<'PYEOF'
import hashlib, os, random, struct, sys, zlib

def rd(p):
    with open(p, 'rb') as f: return f.read()

def wr(p, b):
    with open(p, 'wb') as f: f.write(b)

def align(n, a): return (n + a - 1) // a * a

def pad(b, a, fill=b'\xff'):
    return b + fill * (align(len(b), a) - len(b))

def fake_kernel(out, arch_gcc):
    """A kernel-looking payload: the banner /proc/version prints, some symbol-table text and pseudo-random 'code'."""
    r = random.Random(0x66673)
    banner = ('Linux version 6.6.73 (builder@buildhost) (%s (OpenWrt GCC 13.3.0 r28427-6df0e3d02a) 13.3.0, '
              'GNU ld (GNU Binutils) 2.42) #0 SMP Mon Feb  3 22:59:39 2025\n' % arch_gcc).encode()
    syms = b''.join(b'%08x T %s\n' % (0x80060000 + 16 * i, ('sym_%d_%s' % (i, 'abcdefgh'[i % 8] * (i % 7 + 3))).encode())
                    for i in range(6000))
    code = r.randbytes(256 * 1024)
    blob = code[:128 * 1024] + b'\0' * 64 + banner + b'\0' * 64 + syms + code[128 * 1024:]
    wr(out, blob)

def crc32_combine(c1, c2, len2):
    # zlib's crc32_combine (GF(2) matrix method), for the CRC of the gzip bomb without feeding it gigabytes.
    def times(mat, vec):
        s, i = 0, 0
        while vec:
            if vec & 1: s ^= mat[i]
            vec >>= 1; i += 1
        return s
    def square(mat): return [times(mat, mat[n]) for n in range(32)]
    if len2 == 0: return c1
    odd = [0xedb88320] + [1 << (n - 1) for n in range(1, 32)]
    even = square(odd); odd = square(even)
    while True:
        even = square(odd)
        if len2 & 1: c1 = times(even, c1)
        len2 >>= 1
        if not len2: break
        odd = square(even)
        if len2 & 1: c1 = times(odd, c1)
        len2 >>= 1
        if not len2: break
    return c1 ^ c2

def gzip_bomb(out, gib):
    """A single gzip member that inflates to GIB GiB of zeros: one deflate segment per MiB, each ended by a full
    flush, so every segment after the first is the same bytes and the stream is written by repetition."""
    mib = b'\0' * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    first = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    seg = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH) == seg
    n = int(gib) * 1024
    body = first + seg * (n - 1) + b'\x03\x00'          # final empty static block
    crc_mib = zlib.crc32(mib)
    # CRC of n MiB of zeros by doubling
    crc, length, k = crc_mib, 1 << 20, 1
    bits = bin(n)[3:]
    for b in bits:
        crc = crc32_combine(crc, crc, length); length *= 2; k *= 2
        if b == '1':
            crc = crc32_combine(crc, crc_mib, 1 << 20); length += 1 << 20; k += 1
    assert k == n
    hdr = b'\x1f\x8b\x08\x00' + struct.pack('<I', 0) + b'\x02\x03'
    wr(out, hdr + body + struct.pack('<II', crc, length & 0xffffffff))

def tplink_v1(out, kernel, rootfs, hw_id, fw_version):
    """mktplinkfw -H hw_id -W 1 -F 8Mlzma -N 'TP-LINK Technologies' -V 'ver. 1.0' -k kernel -r rootfs -a 0x10000 -j -s"""
    k, r = rd(kernel), rd(rootfs)
    hw_id = int(hw_id, 0)
    hdr_len, fw_max_len, la = 0x200, 0x7c0000, 0x80060000
    rootfs_ofs = align(hdr_len + len(k), 0x10000)
    buf = bytearray(b'\xff' * fw_max_len)
    buf[hdr_len:hdr_len + len(k)] = k
    buf[rootfs_ofs:rootfs_ofs + len(r)] = r
    n = rootfs_ofs + len(r)
    pad_mask = (4 << 10) | (64 << 10)                      # pad_jffs2(): EOF marks at 4 KiB and at 64 KiB
    while n < fw_max_len and pad_mask:
        mask = next(1 << i for i in range(10, 32) if pad_mask & (1 << i))
        n = align(n, mask)
        for i in range(10, 32):
            if n & ((1 << i) - 1) == 0: pad_mask &= ~(1 << i)
        buf[n:n + 4] = b'\xde\xad\xc0\xde'; n += 4
    h = bytearray(hdr_len)
    struct.pack_into('>I', h, 0, 0x01000000)
    h[4:4 + 24] = b'TP-LINK Technologies'.ljust(24, b'\0')
    h[28:28 + 36] = b'ver. 1.0'.ljust(36, b'\0')
    struct.pack_into('>III', h, 64, hw_id, 1, 0)          # hw_id, hw_rev, region_code
    h[76:92] = bytes([0xdc, 0xd7, 0x3a, 0xa5, 0xc3, 0x95, 0x98, 0xfb, 0xdd, 0xf9, 0xe7, 0xf4, 0x0e, 0xae, 0x47, 0x38])
    struct.pack_into('>IIIIIIIII', h, 116, la, la, fw_max_len, hdr_len, len(k), rootfs_ofs, len(r), 0, 0)
    a, b_, c = (int(x) for x in fw_version.split('.'))
    struct.pack_into('>HHH', h, 152, a, b_, c)
    buf[0:hdr_len] = h
    md5 = hashlib.md5(bytes(buf[:n])).digest()          # over the whole file, md5sum1 holding the salt
    buf[76:92] = md5
    wr(out, bytes(buf[:n]))
    print(rootfs_ofs)

def trx(out, rootfs_align, *parts):
    """trx -o out -f loader -f kernel -a ALIGN -f rootfs (OpenWrt trx.c, TRX v1, little-endian)"""
    buf = bytearray(28)                                    # v1 header: magic, len, crc, flag_version, offsets[3]
    offs = []
    for i, p in enumerate(parts):
        if i == len(parts) - 1 and int(rootfs_align, 0):
            a = int(rootfs_align, 0); buf += b'\0' * (align(len(buf), a) - len(buf))
        offs.append(len(buf))
        d = rd(p); buf += d + b'\0' * (align(len(d), 4) - len(d))
    buf += b'\0' * (align(len(buf), 0x1000) - len(buf))
    struct.pack_into('<I', buf, 0, 0x30524448)
    struct.pack_into('<I', buf, 12, 1 << 16)
    for i, o in enumerate(offs): struct.pack_into('<I', buf, 16 + 4 * i, o)
    crc = zlib.crc32(bytes(buf[12:])) ^ 0xffffffff        # crc32buf(): init ~0, no final complement
    struct.pack_into('<II', buf, 4, len(buf), crc)
    wr(out, bytes(buf))
    print(offs[-1])

def ngr_sum(b):
    c0 = sum(b) & 0xffffffff
    n = len(b)
    # c1 = sum over i of (c0 after byte i) = sum b[i] * (n - i)
    c1 = 0
    step = 1 << 16
    for s in range(0, n, step):
        chunk = b[s:s + step]
        c1 += sum(chunk) * (n - s) - sum(i * x for i, x in enumerate(chunk) if x)
    c1 &= 0xffffffff
    def fold(c):
        x = (c & 0xffff) + ((c >> 16) & 0xffff)
        return ((x >> 16) + x) & 0xffff
    return (fold(c1) << 16) | fold(c0)

def chk(out, kernel, board_id, region):
    """mkchkimg -o out -k kernel.trx -b BOARD_ID -r REGION (no separate rootfs: the TRX holds it, as Netgear does)"""
    k = rd(kernel)
    bid = board_id.encode()
    h = bytearray(40)
    struct.pack_into('>II', h, 0, 0x2a23245e, 40 + len(bid))
    h[8:16] = bytes([int(region), 1, 1, 99, 0, 0, 0, 0])
    ks = ngr_sum(k)
    struct.pack_into('>IIIII', h, 16, ks, 0, len(k), 0, ks)
    struct.pack_into('>I', h, 36, ngr_sum(bytes(h) + bid))
    wr(out, bytes(h) + bid + k)
    print(40 + len(bid))

def seama(out, image, *meta):
    """oseama entity out -m dev=… -m type=firmware -f image: header, MD5 of the image, NUL-terminated meta aligned to 4"""
    img = rd(image)
    m = b''
    for e in meta:
        m += e.encode() + b'\0'
        m += b'\0' * (align(28 + len(m), 4) - 28 - len(m))
    h = struct.pack('>IHHI', 0x5ea3a417, 0, len(m), len(img)) + hashlib.md5(img).digest()
    wr(out, h + m + img)
    print(len(h) + len(m))

def zyxel_zld(out, model, kernel, rootfs):
    """ZyXEL ZLD firmware archive, big-endian as ZyXEL ships it (OpenWrt's mkzyxelzldfw.c): 104-byte header, one
    272-byte entry per file, then the files; the kernel file starts with a 512-byte kernel-version header. The
    checksum is MD5 over everything after it with the kernel header zeroed, folded into one word by adding the
    four big-endian words of the digest"""
    khdr = (b'V1.00(ABYW.0)'.ljust(64, b'\0') + b'Linux-6.6.73'.ljust(64, b'\0') + b'6.70(ABYW.0)'.ljust(64, b'\0')
            + b'undefined'.ljust(32, b'\0') + model.encode().ljust(32, b'\0') + b'\0' * 16
            + struct.pack('>H5H', 5, 0x1234, 0xffff, 0xffff, 0xffff, 0xffff) + b'\0' * 224 + struct.pack('>I', 115200))
    assert len(khdr) == 512
    files = [(2, 'nwa-kernel.bin', 'kernel', khdr + rd(kernel), 0x180000), (3, 'nwa-zldfs.bin', 'zldfs', rd(rootfs), 0x400000)]
    first = 104 + 272 * len(files)
    total = first + sum(len(f[3]) for f in files)
    h = struct.pack('>IIHHH5HIHHH6x', 0, 0xdeadbeaf, 0x0001, len(files), 5, 0x1234, 0xffff, 0xffff, 0xffff, 0xffff,
                    total, first, 104 + 4, 272)
    h += b'undefined'.ljust(32, b'\0') + model.encode().ljust(32, b'\0')
    assert len(h) == 104
    entries = b''
    for kind, name, target, data, flash in files:
        fsum = hashlib.md5(data).digest()
        entries += struct.pack('>HHIII', kind, 0, len(data), sum(struct.unpack('>4I', fsum)) & 0xffffffff, flash)
        entries += name.encode().ljust(64, b'\0') + target.encode().ljust(128, b'\0')
        entries += b'V1.00(ABYW.0)'.ljust(32, b'\0') + b'2025-02-03'.ljust(32, b'\0')
    img = bytearray(h + entries + b''.join(f[3] for f in files))
    m = hashlib.md5(bytes(img[4:first]) + b'\0' * 512 + bytes(img[first + 512:])).digest()
    struct.pack_into('>I', img, 0, (sum(struct.unpack('>4I', m)) & 0xffffffff) or 1)
    wr(out, bytes(img))
    print(first + len(files[0][3]))

def android_boot(out, kernel, ramdisk, cmdline):
    """mkbootimg --header_version 0 --pagesize 2048 --base 0x10000000 (AOSP boot image v0)"""
    k, r = rd(kernel), rd(ramdisk)
    page, base = 2048, 0x10000000
    sha = hashlib.sha1()
    for blob in (k, r, b''):
        sha.update(blob); sha.update(struct.pack('<I', len(blob)))
    os_version = ((10 << 14) | (0 << 7) | 0) << 11 | ((2020 - 2000) << 4) | 1   # Android 10, patch level 2020-01
    h = b'ANDROID!' + struct.pack('<10I', len(k), base + 0x8000, len(r), base + 0x1000000, 0, base + 0xf00000,
                                  base + 0x100, page, 0, os_version)
    h += b'nordlicht'.ljust(16, b'\0') + cmdline.encode().ljust(512, b'\0') + sha.digest().ljust(32, b'\0')
    h += b'\0' * 1024
    img = pad(h, page, b'\0') + pad(k, page, b'\0') + pad(r, page, b'\0')
    wr(out, img)
    print(align(len(h), page) + align(len(k), page))

def padto(out, src, a, fill):
    """copy SRC padded with FILL (hex byte) to a multiple of A"""
    wr(out, pad(rd(src), int(a, 0), bytes([int(fill, 16)])))

def ubifs_normalize(path, uuid_hex):
    """mkfs.ubifs has no --uuid and copies each file's atime and ctime: set the superblock's UUID (offset 108 of the
    node) and every inode node's atime and ctime to its mtime, then each patched node's CRC (crc32 over 8..len)."""
    b = bytearray(rd(path))
    assert struct.unpack_from('<I', b, 0)[0] == 0x06101831 and b[20] == 6, 'not a UBIFS superblock node'
    b[108:124] = bytes.fromhex(uuid_hex)
    o = 0
    while o + 24 <= len(b):
        if struct.unpack_from('<I', b, o)[0] == 0x06101831:
            ln = struct.unpack_from('<I', b, o + 16)[0]
            if 24 <= ln <= len(b) - o:
                if b[o + 20] == 0 and ln >= 160:                # inode node
                    mt, mn = struct.unpack_from('<Q', b, o + 72)[0], struct.unpack_from('<I', b, o + 88)[0]
                    struct.pack_into('<QQ', b, o + 56, mt, mt); struct.pack_into('<II', b, o + 80, mn, mn)
                if b[o + 20] in (0, 6):
                    struct.pack_into('<I', b, o + 4, zlib.crc32(bytes(b[o + 8:o + ln])))
                o += align(ln, 8); continue
        o += 8
    wr(path, bytes(b))

def cstrings(out, src, name):
    """A C array holding the printable strings of SRC (as `strings` lists them), NUL-separated, behind a NUL"""
    data = b'\0' + b''.join(l.rstrip(b'\n') + b'\0' for l in open(src, 'rb') if l.strip())
    body = ','.join('0x%02x' % c for c in data)
    wr(out, ('const unsigned char %s[%d] __attribute__((used, aligned(4))) = {%s};\n' % (name, len(data), body)).encode())

def find(path, needle):
    """offset of NEEDLE's bytes inside PATH (exactly once)"""
    h, n = rd(path), rd(needle)
    i = h.find(n)
    assert i >= 0 and h.find(n, i + 1) < 0, '%s: %s not found exactly once' % (path, needle)
    print(i)

def romfs(out, root, volname):
    """genromfs -f out -d root -V volname, as Linux's genromfs lays it out: the superblock, then each directory's
    entries depth-first, '.' and '..' first (the root's '.' is the root directory itself, every other '.'/'..' a hard
    link to the directory/its parent), headers and data 16-byte aligned, the executable bit on directories and regular
    files only, the full size the end of the last entry, then zeros to 1 KiB."""
    import stat as st
    def name16(n):
        n += b'\0'
        return n + b'\0' * (align(len(n), 16) - len(n))
    buf = bytearray(b'-rom1fs-' + b'\0' * 8 + name16(volname.encode()))
    hdrs = []                                              # (offset, header length) for the checksums
    def emit(name, bits, spec, data, size):
        off = len(buf)
        nm = name16(name)
        buf.extend(struct.pack('>IIII', bits, spec, size, 0) + nm + data + b'\0' * (align(len(data), 16) - len(data)))
        hdrs.append((off, 16 + len(nm)))
        return off
    def link(offs):                                        # next-header fields, type bits kept
        for a, b in zip(offs, offs[1:] + [0]):
            struct.pack_into('>I', buf, a, b | (struct.unpack_from('>I', buf, a)[0] & 15))
    def walk(path, dir_off, offs):
        for n in sorted(os.listdir(path)):
            p = os.path.join(path, n); s = os.lstat(p); nb = n.encode()
            x = 8 if s.st_mode & 0o111 and (st.S_ISDIR(s.st_mode) or st.S_ISREG(s.st_mode)) else 0
            if st.S_ISDIR(s.st_mode):
                d = emit(nb, 1 | x, 0, b'', 0); offs.append(d)
                sub = [emit(b'.', 0, d, b'', 0), emit(b'..', 0, dir_off, b'', 0)]
                struct.pack_into('>I', buf, d + 4, sub[0])
                walk(p, d, sub); link(sub)
            elif st.S_ISLNK(s.st_mode):
                t = os.readlink(p).encode(); offs.append(emit(nb, 3, 0, t, len(t)))
            elif st.S_ISREG(s.st_mode):
                t = rd(p); offs.append(emit(nb, 2 | x, 0, t, len(t)))
            elif st.S_ISCHR(s.st_mode) or st.S_ISBLK(s.st_mode):
                dev = os.major(s.st_rdev) << 16 | os.minor(s.st_rdev)
                offs.append(emit(nb, (5 if st.S_ISCHR(s.st_mode) else 4) | x, dev, b'', 0))
            elif st.S_ISFIFO(s.st_mode): offs.append(emit(nb, 7, 0, b'', 0))
            elif st.S_ISSOCK(s.st_mode): offs.append(emit(nb, 6, 0, b'', 0))
    top = len(buf)
    offs = [emit(b'.', 1 | 8, top, b'', 0), emit(b'..', 0, top, b'', 0)]
    walk(root, top, offs); link(offs)
    for off, ln in hdrs:
        struct.pack_into('>I', buf, off + 12, (-sum(struct.unpack_from('>%dI' % (ln // 4), buf, off))) & 0xffffffff)
    struct.pack_into('>I', buf, 8, len(buf))
    buf.extend(b'\0' * (align(len(buf), 1024) - len(buf)))
    struct.pack_into('>I', buf, 12, (-sum(struct.unpack_from('>128I', buf, 0))) & 0xffffffff)
    wr(out, bytes(buf))

def initramfs_kernel(out, cpio, arch_gcc, at):
    """An uncompressed kernel with a built-in initramfs: 'code', the banner, symbol text, then the cpio newc archive
    at byte AT (not aligned), then more 'code' (~200 KiB of filler in all)"""
    r = random.Random(0x1417)
    banner = ('Linux version 6.6.73 (builder@buildhost) (%s (OpenWrt GCC 13.3.0 r28427-6df0e3d02a) 13.3.0, '
              'GNU ld (GNU Binutils) 2.42) #0 SMP Mon Feb  3 22:59:39 2025\n' % arch_gcc).encode()
    syms = b''.join(b'%08x T %s\n' % (0x80060000 + 16 * i, ('sym_%d' % i).encode()) for i in range(2000))
    head = r.randbytes(96 * 1024) + b'\0' * 64 + banner + b'\0' * 64 + syms
    at = int(at)
    assert len(head) < at
    wr(out, head + r.randbytes(at - len(head)) + rd(cpio) + b'\0' * 4 + r.randbytes(200 * 1024 - at))

def ext2_times(path):
    """mke2fs -d copies each file's atime and ctime: set every used inode's atime and ctime to its mtime (ext2 has
    no metadata checksums)"""
    b = bytearray(rd(path))
    ninodes, _, _, _, _, first, logbs = struct.unpack_from('<7I', b, 1024)
    per_group, = struct.unpack_from('<I', b, 1024 + 40)
    isize = struct.unpack_from('<H', b, 1024 + 88)[0] if struct.unpack_from('<I', b, 1024 + 76)[0] else 128
    bs = 1024 << logbs
    groups = (ninodes + per_group - 1) // per_group
    for g in range(groups):
        table = struct.unpack_from('<I', b, (first + 1) * bs + 32 * g + 8)[0] * bs
        for i in range(per_group):
            o = table + i * isize
            if struct.unpack_from('<H', b, o)[0]:              # i_mode: in use
                mt = struct.unpack_from('<I', b, o + 16)[0]
                struct.pack_into('<II', b, o + 8, mt, mt)
    wr(path, bytes(b))

def zipdir(out, root, epoch):
    """python zipfile of ROOT: sorted, one fixed date, Unix modes, symlinks stored as zip symlinks (S_IFLNK mode,
    the target as the entry's data), directories as entries"""
    import stat as st, time, zipfile
    dt = time.gmtime(int(epoch))[:6]
    with zipfile.ZipFile(out, 'w') as z:
        for dp, dns, fns in os.walk(root):
            dns.sort()
            for n in sorted(dns + fns):
                p = os.path.join(dp, n); s = os.lstat(p); a = os.path.relpath(p, root)
                zi = zipfile.ZipInfo(a + '/' if st.S_ISDIR(s.st_mode) else a, dt)
                zi.create_system = 3
                zi.external_attr = (s.st_mode & 0xffff) << 16
                if st.S_ISDIR(s.st_mode): zi.external_attr |= 0x10; z.writestr(zi, b'')
                elif st.S_ISLNK(s.st_mode): z.writestr(zi, os.readlink(p).encode(), zipfile.ZIP_STORED)
                elif st.S_ISREG(s.st_mode): z.writestr(zi, rd(p), zipfile.ZIP_DEFLATED, 9)

def shrs(out, plain, cipher, key, iv, seed):
    """D-Link SHRS (DIR-3060/DIR-867 family): magic, sizes, IV, SHA-512 digests of the plaintext+key, the plaintext
    and the ciphertext, 512 unused bytes, two 512-byte signatures (here pseudo-random), then the AES-128-CBC
    ciphertext. The key is ours, not D-Link's published one: the file cannot be decrypted by tools that know it."""
    p, c, k = rd(plain), rd(cipher), bytes.fromhex(key)
    sig = random.Random(int(seed, 0)).randbytes(1024)
    h = (b'SHRS' + struct.pack('>II', len(c), len(p)) + bytes.fromhex(iv) + hashlib.sha512(p + k).digest()
         + hashlib.sha512(p).digest() + hashlib.sha512(c[:len(p)]).digest() + b'\0' * 512 + sig)
    assert len(h) == 0x6dc
    wr(out, h + c)
    print(len(h))

def bcmtag(out, rootfs, kernel, chip, board):
    """BCM63xx imagetag (bcm963xx_tag.h, as OpenWrt's imagetag.c writes it): 256 bytes of ASCII fields, the root file
    system right after it, the kernel after that; flash base 0xBFC00000 with a 64 KiB CFE. CRCs are JAMCRC (CRC-32
    from 0xFFFFFFFF without the final inversion), big-endian; the header CRC covers the first 236 bytes."""
    r, k = rd(rootfs), rd(kernel)
    jam = lambda d: zlib.crc32(d) ^ 0xFFFFFFFF
    def f(v, n):
        v = str(v).encode(); assert len(v) < n; return v + b'\0' * (n - len(v))
    start = 0xBFC00000 + 0x10000 + 256
    t = (f(6, 4) + f('Broadcom Corporatio', 20) + f('ver. 2.0', 14) + f(chip, 6) + f(board, 16) + f(1, 2)
         + f(len(r) + len(k), 10) + f(0, 12) + f(0, 10) + f(start, 12) + f(len(r), 10) + f(start + len(r), 12)
         + f(len(k), 10) + b'\0' * 2 + b'\0' * 2 + b'\0' * 20 + f('Baseline sample', 30) + f('5', 4)
         + struct.pack('>I', jam(r + k)) + b'\0' * 16 + struct.pack('>III', jam(r + k), jam(r), jam(k)) + b'\0' * 8)
    assert len(t) == 236
    t += struct.pack('>I', jam(t)) + b'\0' * 16
    wr(out, t + r + k)
    print(len(t))

def zynos(out, payload, version):
    """A ZyNOS ROM image (OpenWrt's zynos.h): a 48-byte big-endian header (load address, "SIG", type ROMBIN, sizes,
    flags 0xE0: LZMA with both checksums, 16-bit checksums, version) and the LZMA-compressed ThreadX 'RAS' image."""
    import lzma
    raw = rd(payload)
    c = lzma.compress(raw, format=lzma.FORMAT_ALONE, filters=[{'id': lzma.FILTER_LZMA1, 'dict_size': 1 << 16}])
    csum = lambda d: sum(d) & 0xFFFF
    h = (struct.pack('>IH', 0x80010000, 0) + b'SIG' + bytes([4]) + struct.pack('>II', len(raw), len(c)) + bytes([0xE0, 0])
         + struct.pack('>HH', csum(raw), csum(c)) + version.encode().ljust(15, b'\0') + struct.pack('>I', 0x80008000) + b'\0' * 5)
    assert len(h) == 48
    wr(out, h + c)

def nand_oob(out, src, offset, page, oob):
    """SRC from OFFSET as a raw NAND dump: OOB bytes after every PAGE-byte page, as nanddump writes them: 0xFF
    bad-block mark, then for written pages 32 bytes of ECC at the end (the page's SHA-256 stands in for the BCH
    code the controller computes); erased pages keep an all-0xFF OOB"""
    import hashlib
    d, page, oob = rd(src)[int(offset):], int(page), int(oob)
    d = pad(d, page)
    def spare(p):
        if p == b'\xff' * len(p): return b'\xff' * oob
        return b'\xff' * (oob - 32) + hashlib.sha256(p).digest()
    wr(out, b''.join(d[i:i + page] + spare(d[i:i + page]) for i in range(0, len(d), page)))

cmd = sys.argv[1]
globals()[cmd.replace('-', '_')](*sys.argv[2:])
PYEOF
pyf() { python3 "$py" "$@"; }

# ---------------------------------------------------------------------------------------------------------------
# The root file systems: the committed sample with real MIPS binaries in place of the stand-ins.
src=$here/$sample
for arch in mips mipsel; do
  r=$out/rootfs-$arch; rm -rf "$r"; cp -a "$src" "$r"
  cc=$arch-linux-gnu-gcc
  for pair in bin/busybox:busybox usr/sbin/dropbear:dropbear; do
    f=${pair%%:*}; name=${pair#*:}
    [ -f "$src/$f" ] && [ ! -L "$src/$f" ] || continue
    strings -a -n 6 "$src/$f" > "$tmp/$name.strings"
    pyf cstrings "$tmp/$name.rodata.c" "$tmp/$name.strings" "${name}_rodata"
    cat > "$tmp/$name.c" <<EOF
/* $name stand-in: prints the version strings the real $name carries (they sit in .rodata, as in the real binary). */
#include <string.h>
#include <unistd.h>
extern const unsigned char ${name}_rodata[];
int main(int argc, char **argv) {
    const char *s = (const char *)${name}_rodata + 1;
    (void)argc; (void)argv;
    while (*s) { write(1, s, strlen(s)); write(1, "\n", 1); s += strlen(s) + 1; }
    return 0;
}
EOF
    "$cc" -static -Os -s -fno-ident -ffile-prefix-map="$tmp"=. -o "$r/$f" "$tmp/$name.c" "$tmp/$name.rodata.c"
    chmod 755 "$r/$f"
  done
  find "$r" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
done
be=$out/rootfs-mips; le=$out/rootfs-mipsel

# ---------------------------------------------------------------------------------------------------------------
# Building blocks: kernels, file systems, ramdisks.
pyf fake_kernel "$tmp/vmlinux-be" mips-openwrt-linux-musl-gcc
pyf fake_kernel "$tmp/vmlinux-le" mipsel-openwrt-linux-musl-gcc
xz --format=lzma -9 -c "$tmp/vmlinux-be" > "$tmp/vmlinux-be.lzma"
xz --format=lzma -9 -c "$tmp/vmlinux-le" > "$tmp/vmlinux-le.lzma"
gzip -9n -c "$tmp/vmlinux-le" > "$tmp/vmlinux-le.gz"
mkimage -q -A mips -O linux -T kernel -C lzma -a 0x80060000 -e 0x80060000 -n "MIPS OpenWrt Linux-6.6.73" \
  -d "$tmp/vmlinux-be.lzma" "$tmp/uImage-be" >/dev/null
mkimage -q -A mips -O linux -T kernel -C lzma -a 0x80060000 -e 0x80060000 -n "MIPS OpenWrt Linux-6.6.73" \
  -d "$tmp/vmlinux-le.lzma" "$tmp/uImage-le" >/dev/null
# A brcm47xx-style LZMA loader stand-in for the TRX's first partition (gzip, as OpenWrt's loader.gz).
head -c 4096 "$tmp/vmlinux-le" | gzip -9n > "$tmp/loader.gz"

sqfs() { mksquashfs "$1" "$2" -noappend -quiet -all-root -b 256K -comp "$3" -processors 1 >/dev/null; }
sqfs "$be" "$tmp/root-be.lzma.sqfs" lzma
sqfs "$le" "$tmp/root-le.xz.sqfs" xz
sqfs "$le" "$tmp/root-le.lzo.sqfs" lzo
( cd "$le" && find . | sort | cpio -o -H newc -R 0:0 --reproducible --quiet ) | gzip -9n > "$tmp/ramdisk-le.cpio.gz"
mkfs.jffs2 -l -e 0x10000 --pad -q -d "$le" -o "$tmp/root-le.jffs2"
mkfs.jffs2 -b -e 0x10000 --pad -q -d "$be" -o "$tmp/root-be.jffs2"
# LZMA and rtime nodes: no Debian tool writes them (OpenWrt's LZMA patch; mkfs.jffs2 prefers zlib): rewritten.
python3 "$here/tools/jffs2-recompress.py" --endian big --compr lzma "$tmp/root-be.jffs2" "$tmp/root-be-lzma.jffs2"
python3 "$here/tools/jffs2-recompress.py" --endian little --compr rtime "$tmp/root-le.jffs2" "$tmp/root-le-rtime.jffs2"
mkfs.cramfs -N little -n rootfs "$le" "$tmp/root-le.cramfs" >/dev/null
mkfs.cramfs -N big -n rootfs "$be" "$tmp/root-be.cramfs" >/dev/null
mkfs.ubifs -m 2048 -e 126976 -c 2048 -U -r "$le" -o "$tmp/root-le.ubifs"
pyf ubifs_normalize "$tmp/root-le.ubifs" 6e6f72646c69636874202d2072303031
cat > "$tmp/ubinize.cfg" <<EOF
[rootfs]
mode=ubi
image=$tmp/root-le.ubifs
vol_id=0
vol_type=dynamic
vol_name=rootfs
vol_flags=autoresize
EOF
ubinize -o "$tmp/root-le.ubi" -m 2048 -p 128KiB -s 512 -Q 305419896 "$tmp/ubinize.cfg" >"$tmp/ubinize.log" 2>&1 \
  || { cat "$tmp/ubinize.log" >&2; exit 3; }

manifest=$out/MANIFEST.txt
printf '# file\tdescription\trootfs offset (decimal)\trootfs offset (hex)\trootfs tree\n' > "$manifest"
entry() { # entry FILE OFFSET TREE DESCRIPTION
  local o=$2
  if [ "$o" = - ]; then printf '%s\t%s\t-\t-\t%s\n' "$1" "$4" "$3" >> "$manifest"
  else printf '%s\t%s\t%d\t0x%x\t%s\n' "$1" "$4" "$o" "$o" "$3" >> "$manifest"; fi
}
cat_pad() { # cat_pad OUT ALIGN FILE ROOTFS : FILE padded with 0xFF to ALIGN, then ROOTFS; prints the rootfs offset
  pyf padto "$1" "$3" "$2" ff; wc -c < "$1" | tr -d ' '; cat "$4" >> "$1"
}

# ---------------------------------------------------------------------------------------------------------------
# The images.
o=$(pyf tplink_v1 "$out/tplink-v1-squashfs-lzma.bin" "$tmp/uImage-be" "$tmp/root-be.lzma.sqfs" 0x08410009 1.0.0)
entry tplink-v1-squashfs-lzma.bin "$o" rootfs-mips "TP-Link v1 header (TL-WR841N v9, 8Mlzma layout) + uImage (lzma) + SquashFS 4 lzma at the 64 KiB boundary + jffs2 EOF marks"
tplink_rootfs=$o
# SquashFS 3.1 (gzip) as 2008-2012 firmware carries it: no Debian tool writes it, tools/mksquashfs3.py does.
python3 "$here/tools/mksquashfs3.py" --endian big --all-root "$be" "$tmp/root-be.sqfs3"
python3 "$here/tools/mksquashfs3.py" --endian little --all-root "$le" "$tmp/root-le.sqfs3"
o=$(pyf tplink_v1 "$out/tplink-v1-squashfs3-be.bin" "$tmp/uImage-be" "$tmp/root-be.sqfs3" 0x07410001 1.0.0)
entry tplink-v1-squashfs3-be.bin "$o" rootfs-mips "TP-Link v1 header (8Mlzma layout) + uImage (lzma) + SquashFS 3.1 big-endian (gzip, fragments; Firmware-samples/tools/mksquashfs3.py)"
o=$(cat_pad "$out/uimage-squashfs-lzo.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le.lzo.sqfs")
entry uimage-squashfs-lzo.bin "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + SquashFS 4 lzo (Realtek-style; libsquashfs has no LZO, unsquashfs reads it)"
o=$(cat_pad "$out/uimage-squashfs3-le.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le.sqfs3")
entry uimage-squashfs3-le.bin "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + SquashFS 3.1 little-endian (gzip, fragments; Firmware-samples/tools/mksquashfs3.py)"
# SquashFS 3.1 with LZMA blocks in the sqlzma layout (2.6-era OpenWrt, old TP-Link): nothing in Debian writes or reads it.
python3 "$here/tools/mksquashfs3.py" --endian big --comp lzma --all-root "$be" "$tmp/root-be.lzma.sqfs3"
python3 "$here/tools/mksquashfs3.py" --endian little --comp lzma --all-root "$le" "$tmp/root-le.lzma.sqfs3"
o=$(pyf tplink_v1 "$out/tplink-v1-squashfs3-lzma-be.bin" "$tmp/uImage-be" "$tmp/root-be.lzma.sqfs3" 0x07410001 1.0.0)
entry tplink-v1-squashfs3-lzma-be.bin "$o" rootfs-mips "TP-Link v1 header (8Mlzma layout) + uImage (lzma) + SquashFS 3.1 big-endian (sqlzma LZMA blocks, fragments; Firmware-samples/tools/mksquashfs3.py --comp lzma)"
o=$(cat_pad "$out/uimage-squashfs3-lzma-le.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le.lzma.sqfs3")
entry uimage-squashfs3-lzma-le.bin "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + SquashFS 3.1 little-endian (sqlzma LZMA blocks, fragments; Firmware-samples/tools/mksquashfs3.py --comp lzma)"

o=$(pyf trx "$tmp/inner.trx" 0x10000 "$tmp/loader.gz" "$tmp/vmlinux-le.lzma" "$tmp/root-le.xz.sqfs")
cp "$tmp/inner.trx" "$out/trx-squashfs-xz.trx"
entry trx-squashfs-xz.trx "$o" rootfs-mipsel "TRX v1 (HDR0): loader.gz, kernel (lzma), SquashFS 4 xz at the 64 KiB erase block"
trx_rootfs=$o

hl=$(pyf chk "$out/netgear.chk" "$tmp/inner.trx" U12H139T00_NETGEAR 1)
entry netgear.chk $((hl + trx_rootfs)) rootfs-mipsel "Netgear .chk (board U12H139T00_NETGEAR, region WW) around the TRX of trx-squashfs-xz.trx"

mkimage -q -A arm -O linux -T multi -C none -a 0x80008000 -e 0x80008000 -n "ARM OpenWrt Linux-6.6.73 multi" \
  -d "$tmp/vmlinux-le.gz:$tmp/ramdisk-le.cpio.gz" "$out/uimage-multi.img" >/dev/null
o=$(pyf find "$out/uimage-multi.img" "$tmp/ramdisk-le.cpio.gz")
entry uimage-multi.img "$o" rootfs-mipsel "uImage multi-file (arm, none): kernel (gzip) : ramdisk (gzip cpio newc)"

# FIT: mkimage -f auto builds the FIT in-process (no dtc). With dtc, from an .its.
if command -v dtc >/dev/null; then
  cat > "$tmp/fit.its" <<EOF
/dts-v1/;
/ {
	description = "Nordlicht NL-R24 OpenWrt 24.10 FIT";
	#address-cells = <1>;
	images {
		kernel-1 {
			description = "ARM OpenWrt Linux-6.6.73";
			data = /incbin/("$tmp/vmlinux-le.gz");
			type = "kernel"; arch = "arm"; os = "linux"; compression = "gzip";
			load = <0x80008000>; entry = <0x80008000>;
			hash-1 { algo = "sha256"; };
		};
		ramdisk-1 {
			description = "initramfs";
			data = /incbin/("$tmp/ramdisk-le.cpio.gz");
			type = "ramdisk"; arch = "arm"; os = "linux"; compression = "none";
			hash-1 { algo = "sha256"; };
		};
	};
	configurations {
		default = "config-1";
		config-1 { description = "OpenWrt"; kernel = "kernel-1"; ramdisk = "ramdisk-1"; };
	};
};
EOF
  mkimage -f "$tmp/fit.its" "$out/fit.itb" >/dev/null
  how="from a .its (mkimage -f, dtc)"
else
  mkimage -f auto -A arm -O linux -T kernel -C gzip -a 0x80008000 -e 0x80008000 -n "ARM OpenWrt Linux-6.6.73" \
    -d "$tmp/vmlinux-le.gz" -i "$tmp/ramdisk-le.cpio.gz" "$out/fit.itb" >/dev/null
  how="mkimage -f auto (no dtc installed)"
fi
o=$(pyf find "$out/fit.itb" "$tmp/ramdisk-le.cpio.gz")
entry fit.itb "$o" rootfs-mipsel "FIT ($how): kernel (gzip) + ramdisk (gzip cpio newc), embedded data"

o=$(cat_pad "$out/uimage-jffs2-le.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le.jffs2")
entry uimage-jffs2-le.bin "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + JFFS2 little-endian (erase block 64 KiB, zlib, padded)"
o=$(cat_pad "$out/uimage-jffs2-be.bin" 0x10000 "$tmp/uImage-be" "$tmp/root-be.jffs2")
entry uimage-jffs2-be.bin "$o" rootfs-mips "uImage (lzma) padded to 64 KiB + JFFS2 big-endian (erase block 64 KiB, zlib, padded)"
o=$(pyf zyxel_zld "$out/zyxel-zld.bin" NWA1123-ACv3 "$tmp/uImage-be" "$tmp/root-be.lzma.sqfs")
entry zyxel-zld.bin "$o" rootfs-mips "ZyXEL ZLD firmware archive (big-endian, model NWA1123-ACv3): kernel file (512-byte version header + uImage (lzma)) and zldfs file (SquashFS 4 lzma) at an unaligned offset"
o=$(cat_pad "$out/uimage-jffs2-lzma-be.bin" 0x10000 "$tmp/uImage-be" "$tmp/root-be-lzma.jffs2")
entry uimage-jffs2-lzma-be.bin "$o" rootfs-mips "uImage (lzma) padded to 64 KiB + JFFS2 big-endian with LZMA nodes (OpenWrt's JFFS2_COMPR_LZMA: lc=0 lp=0 pb=0, 8 KiB dictionary; Firmware-samples/tools/jffs2-recompress.py)"
o=$(cat_pad "$out/uimage-jffs2-rtime-le.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le-rtime.jffs2")
entry uimage-jffs2-rtime-le.bin "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + JFFS2 little-endian with rtime nodes (Firmware-samples/tools/jffs2-recompress.py)"

o=$(cat_pad "$out/ubi.bin" 0x20000 "$tmp/uImage-le" "$tmp/root-le.ubi")
entry ubi.bin "$o" rootfs-mipsel "uImage (lzma) padded to 128 KiB + UBI (2 KiB pages, 128 KiB PEB) with dynamic volume 'rootfs' holding UBIFS (lzo)"

o=$(cat_pad "$out/cramfs-le.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le.cramfs")
entry cramfs-le.bin "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + cramfs little-endian"
o=$(cat_pad "$out/cramfs-be.bin" 0x10000 "$tmp/uImage-be" "$tmp/root-be.cramfs")
entry cramfs-be.bin "$o" rootfs-mips "uImage (lzma) padded to 64 KiB + cramfs big-endian"

# Seama (D-Link): kernel padded so that the rootfs lands on a 64 KiB boundary once the 64-byte header is in front
# (OpenWrt: append-kernel | pad-offset 64k 64 | append-rootfs | seama).
pyf padto "$tmp/seama-k" "$tmp/uImage-le" 0x10000 ff
head -c $(( $(wc -c < "$tmp/seama-k") - 64 )) "$tmp/seama-k" > "$tmp/seama-payload"
[ $(( $(wc -c < "$tmp/seama-payload") )) -ge $(( $(wc -c < "$tmp/uImage-le") )) ] || { echo "seama: kernel padding" >&2; exit 3; }
kl=$(wc -c < "$tmp/seama-payload"); cat "$tmp/root-le.xz.sqfs" >> "$tmp/seama-payload"
hl=$(pyf seama "$out/seama.bin" "$tmp/seama-payload" dev=/dev/mtdblock/1 type=firmware)
entry seama.bin $((hl + kl)) rootfs-mipsel "Seama entity (magic 0x5EA3A417, meta dev=/dev/mtdblock/1 type=firmware, MD5): uImage (lzma) + SquashFS 4 xz"

o=$(pyf android_boot "$out/android-boot.img" "$tmp/vmlinux-le.gz" "$tmp/ramdisk-le.cpio.gz" "console=ttyMSM0,115200n8 androidboot.hardware=nordlicht")
entry android-boot.img "$o" rootfs-mipsel "Android boot image v0 (ANDROID!, page 2048): kernel (gzip) + ramdisk (gzip cpio newc)"

# A raw NOR dump: erased flash (0xFF), the root file system at 1 MiB, erased flash up to 4 MiB.
{ head -c 1048576 /dev/zero | tr '\0' '\377'; cat "$tmp/root-le.xz.sqfs"; } > "$tmp/nor"
n=$(wc -c < "$tmp/nor"); total=$(( (n + 4194303) / 4194304 * 4194304 ))
{ cat "$tmp/nor"; head -c $(( total - n )) /dev/zero | tr '\0' '\377'; } > "$out/squashfs-at-offset.bin"
entry squashfs-at-offset.bin 1048576 rootfs-mipsel "raw NOR dump: 1 MiB of 0xFF, SquashFS 4 xz, 0xFF to 4 MiB"

# ---------------------------------------------------------------------------------------------------------------
# Hostile and negative inputs.
key=$(printf 'baseline-vendor-images' | openssl dgst -sha256 -r | cut -c1-64); iv=000102030405060708090a0b0c0d0e0f
{ cat "$out/tplink-v1-squashfs-lzma.bin"; head -c 2097152 /dev/zero | tr '\0' '\377'; } > "$tmp/plain"
head -c 2097152 "$tmp/plain" | openssl enc -aes-256-cbc -nopad -K "$key" -iv "$iv" > "$tmp/enc"
python3 - "$tmp/enc" "$out/encrypted.bin" <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
h = b'ENCRYPTED\0\0\0\0\0\0\0' + struct.pack('>II', len(d), zlib.crc32(d)) + b'NL-R24\0\0' + b'AES-256-CBC\0'.ljust(16, b'\0')
open(sys.argv[2], 'wb').write(h.ljust(64, b'\0') + d)
EOF
entry encrypted.bin - - "64-byte 'ENCRYPTED' header + 2 MiB of AES-256-CBC ciphertext (no readable file system)"

head -c 524288 /dev/zero | openssl enc -aes-256-ctr -K "$key" -iv "$iv" > "$out/unknown.bin"
entry unknown.bin - - "512 KiB of pseudo-random bytes (AES-256-CTR keystream): no known format"

cut_at=$(( tplink_rootfs + $(wc -c < "$tmp/root-be.lzma.sqfs") / 2 ))
head -c "$cut_at" "$out/tplink-v1-squashfs-lzma.bin" > "$out/truncated-tplink.bin"
entry truncated-tplink.bin "$tplink_rootfs" rootfs-mips "tplink-v1-squashfs-lzma.bin cut at byte $cut_at, in the middle of the SquashFS"

pyf gzip_bomb "$tmp/bomb.gz" 4
o=$(cat_pad "$out/bomb.bin" 0x10000 "$tmp/uImage-be" "$tmp/bomb.gz")
entry bomb.bin "$o" - "uImage (lzma) padded to 64 KiB + one gzip member of $(wc -c < "$tmp/bomb.gz") bytes that inflates to 4 GiB of zeros"

# ---------------------------------------------------------------------------------------------------------------
# More file systems, streams and archives at an offset, and formats Baseline reads only in part or not at all.
# (Appended after the images above, so that those stay byte for byte what they were.)
pyf romfs "$tmp/root-le.romfs" "$le" "rom 67a14a5b"
o=$(cat_pad "$out/romfs.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le.romfs")
entry romfs.bin "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + romfs (-rom1fs-, laid out as genromfs does: '.' and '..' in every directory; romfs keeps no owner, times or modes but the executable bit)"

( cd "$le" && find . | sort | cpio -o -H newc -R 0:0 --reproducible --quiet ) > "$tmp/initramfs-le.cpio"
ir_at=150001
pyf initramfs_kernel "$tmp/vmlinux-ir" "$tmp/initramfs-le.cpio" mipsel-openwrt-linux-musl-gcc $ir_at
xz --format=lzma -9 -c "$tmp/vmlinux-ir" > "$tmp/vmlinux-ir.lzma"
mkimage -q -A mips -O linux -T kernel -C lzma -a 0x80060000 -e 0x80060000 -n "MIPS OpenWrt Linux-6.6.73 initramfs" \
  -d "$tmp/vmlinux-ir.lzma" "$out/kernel-initramfs.bin" >/dev/null
entry kernel-initramfs.bin - rootfs-mipsel "uImage (lzma) and nothing else: the kernel ($(wc -c < "$tmp/vmlinux-ir") bytes decompressed) has its initramfs built in, an uncompressed cpio newc at byte $ir_at ($(printf 0x%x $ir_at)) of the decompressed kernel; no other root file system"

kb=$(du -sk --apparent-size "$le" | cut -f1); ext_kb=$(( (kb * 5 / 4 + 512 + 63) / 64 * 64 ))
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mke2fs -q -F -t ext2 -b 1024 -N 256 -m 0 -L rootfs -U 6e6f7264-6c69-6368-7420-657874320001 \
  -E root_owner=0:0,hash_seed=6e6f7264-6c69-6368-7420-657874320002 -d "$le" "$tmp/root-le.ext2" "$ext_kb" >/dev/null
pyf ext2_times "$tmp/root-le.ext2"
o=$(cat_pad "$out/ext2-at-offset.bin" 0x20000 "$tmp/uImage-le" "$tmp/root-le.ext2")
entry ext2-at-offset.bin "$o" rootfs-mipsel "uImage (lzma) padded to 128 KiB + ext2 (mke2fs -t ext2 -b 1024 -d, root_owner=0:0, $ext_kb KiB)"
# ext4 (extents, flex_bg, huge files; no metadata checksums, 32-byte group descriptors so ext2_times can fix times)
kb=$(du -sk --apparent-size "$be" | cut -f1); ext_kb=$(( (kb * 5 / 4 + 2048 + 63) / 64 * 64 ))
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mke2fs -q -F -t ext4 -O ^metadata_csum,^64bit,^has_journal -b 4096 -N 256 -m 0 -L rootfs \
  -U 6e6f7264-6c69-6368-7420-657874340001 -E root_owner=0:0,hash_seed=6e6f7264-6c69-6368-7420-657874340002 -d "$be" "$tmp/root-be.ext4" "$ext_kb" >/dev/null
pyf ext2_times "$tmp/root-be.ext4"
o=$(cat_pad "$out/ext4-at-offset.bin" 0x20000 "$tmp/uImage-be" "$tmp/root-be.ext4")
entry ext4-at-offset.bin "$o" rootfs-mips "uImage (lzma) padded to 128 KiB + ext4 (mke2fs -t ext4 -O ^metadata_csum,^64bit,^has_journal -b 4096 -d: extents; $ext_kb KiB)"

tar -C "$le" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH --format=gnu -cf "$tmp/root-le.tar" .
touch -d "@$SOURCE_DATE_EPOCH" "$tmp/root-le.tar"             # lzop stores its input's mode and mtime
zstd -19 -q -c < "$tmp/root-le.tar" > "$tmp/root-le.tar.zst"
lz4 -z -9 -q -c < "$tmp/root-le.tar" > "$tmp/root-le.tar.lz4"
lzop -9 -c < "$tmp/root-le.tar" > "$tmp/root-le.tar.lzo"
bzip2 -9 -c < "$tmp/root-le.tar" > "$tmp/root-le.tar.bz2"
xz -9 -T1 -c < "$tmp/root-le.tar" > "$tmp/root-le.tar.xz"
for s in "zstd:zst:zstd -19" "lz4:lz4:lz4 -z -9 (frame format)" "lzo:lzo:lzop -9" "bzip2:bz2:bzip2 -9" "xz:xz:xz -9 (CRC-64)"; do
  IFS=: read -r name ext how <<<"$s"
  o=$(cat_pad "$out/tar-$name-at-offset.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le.tar.$ext")
  entry "tar-$name-at-offset.bin" "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + tar (GNU, sorted, uid/gid 0) of the tree compressed with $how"
done

pyf zipdir "$tmp/root-le.zip" "$le" "$SOURCE_DATE_EPOCH"
o=$(cat_pad "$out/zip-at-offset.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le.zip")
entry zip-at-offset.bin "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + zip (python zipfile, deflate; Unix modes, symlinks stored as zip symlinks)"
( cd "$le" && find . -mindepth 1 -maxdepth 1 | sort | sed 's|^\./||' > "$tmp/7z.list" \
  && 7z a -t7z -snl -mx=9 -mmt=1 -mtc=off -mta=off "$tmp/root-le.7z" @"$tmp/7z.list" >/dev/null )
o=$(cat_pad "$out/7z-at-offset.bin" 0x10000 "$tmp/uImage-le" "$tmp/root-le.7z")
entry 7z-at-offset.bin "$o" rootfs-mipsel "uImage (lzma) padded to 64 KiB + 7z (7z a -t7z -snl -mx=9 -mmt=1: LZMA2, symlinks kept as links)"

o=$(cat_pad "$out/ubifs-bare.bin" 0x20000 "$tmp/uImage-le" "$tmp/root-le.ubifs")
entry ubifs-bare.bin "$o" rootfs-mipsel "uImage (lzma) padded to 128 KiB + bare UBIFS (the mkfs.ubifs -m 2048 -e 126976 output of ubi.bin, no UBI around it)"

# D-Link SHRS: AES-128-CBC with a key of ours (D-Link's published DIR-3060 key would make it readable).
pyf padto "$tmp/shrs-plain" "$tmp/uImage-le" 0x10000 ff; shrs_sqfs=$(wc -c < "$tmp/shrs-plain")
cat "$tmp/root-le.xz.sqfs" >> "$tmp/shrs-plain"
shrs_key=$(printf 'baseline-shrs' | openssl dgst -sha256 -r | cut -c1-32); shrs_iv=8c1f6b3d20a4e7955b0e19c2d4f7a63e
openssl enc -aes-128-cbc -K "$shrs_key" -iv "$shrs_iv" -in "$tmp/shrs-plain" -out "$tmp/shrs-enc"
o=$(pyf shrs "$out/dlink-shrs.bin" "$tmp/shrs-plain" "$tmp/shrs-enc" "$shrs_key" "$shrs_iv" 0x5352)
entry dlink-shrs.bin - - "D-Link SHRS: $o-byte header (sizes, IV, SHA-512 digests, signatures), then AES-128-CBC ciphertext of a uImage (lzma) + SquashFS 4 xz of rootfs-mipsel (SquashFS at byte $shrs_sqfs of the plaintext); a key of ours, not D-Link's published one: no readable file system"

# A chip-off NAND dump: ubi.bin's UBI part with 64 bytes of erased (0xFF) OOB after every 2 KiB page.
ubi_at=$(awk -F'\t' '$1 == "ubi.bin" {print $3}' "$manifest")
pyf nand_oob "$out/nand-dump.bin" "$out/ubi.bin" "$ubi_at" 2048 64
entry nand-dump.bin 0 rootfs-mipsel "raw NAND dump with OOB: the UBI of ubi.bin (from its byte $ubi_at) in 2048-byte pages, each followed by 64 bytes of OOB (0xFF, with 32 ECC-like bytes on written pages); the OOB must be dropped before UBI can be read"

# Chip-off dumps of whole NOR-style layouts onto NAND: the OOB sits inside JFFS2 nodes and SquashFS blocks, not just
# between UBI headers, so the whole file is de-interleaved (the geometry found from the bad-block marks) and carved.
# The manifest's offsets are where the root's first byte is in the dump: data offset / page * (page + OOB) + rest.
pyf nand_oob "$out/nand-jffs2.bin" "$out/uimage-jffs2-le.bin" 0 2048 64
entry nand-jffs2.bin $(( 0x50000 / 2048 * 2112 )) rootfs-mipsel "raw NAND dump with OOB of uimage-jffs2-le.bin (uImage + JFFS2 little-endian at 0x50000 of the data): 2048-byte pages each followed by 64 bytes of OOB; the JFFS2 nodes are cut by OOB"
pyf nand_oob "$out/nand-squashfs.bin" "$out/squashfs-at-offset.bin" 0 4096 224
entry nand-squashfs.bin $(( 0x100000 / 4096 * 4320 )) rootfs-mipsel "raw NAND dump with OOB of squashfs-at-offset.bin (SquashFS 4 xz at 1 MiB of the data): 4096-byte pages each followed by 224 bytes of OOB; the SquashFS blocks are cut by OOB"

# A BCM63xx DSL router image: imagetag, SquashFS 3.1 big-endian, LZMA kernel after it (the bcm963xx layout).
o=$(pyf bcmtag "$out/bcm63xx-imagetag.bin" "$tmp/root-be.sqfs3" "$tmp/vmlinux-be.lzma" 6358 96358VW2)
entry bcm63xx-imagetag.bin "$o" rootfs-mips "Broadcom BCM63xx imagetag (tag version 6, chip 6358, board 96358VW2, JAMCRC header CRC) + SquashFS 3.1 big-endian (gzip) + kernel (lzma)"
# ZyNOS: ZyXEL's ThreadX RTOS, no Linux: a header and an LZMA-compressed blob; Baseline must say so, not guess.
head -c 262144 "$out/unknown.bin" > "$tmp/zynos-ras"; printf 'ThreadX MIPS32_34Kx/Green Hills Version G5.4.5.0\0ZyNOS V3.40(AAGF.0)C0\0' >> "$tmp/zynos-ras"
pyf zynos "$out/zynos-ras.bin" "$tmp/zynos-ras" 'V3.40(AAGF.0)C0'
entry zynos-ras.bin - - "ZyNOS ROM image: 48-byte header (SIG, ROMBIN, LZMA) + LZMA-compressed ThreadX RAS image: not Linux, no root file system"

# Old firmware: a root password hash in /etc/passwd itself (DES crypt of 'admin', no shadow), a backup the boot
# script copies to a RAM disk, telnetd with a shell, web-admin passwords in nvram defaults and BusyBox httpd.conf.
lg=$out/rootfs-legacy; rm -rf "$lg"; cp -a "$le" "$lg"
des=$(mkpasswd -m des -S nl admin)
sed -i "s|^root:x:|root:$des:|" "$lg/etc/passwd"; rm -f "$lg/etc/shadow"
cp -p "$lg/etc/passwd" "$lg/etc/passwd.bak"
printf '%s\n' '#!/bin/sh' '# Nordlicht NL-R24 boot script (vendor SDK 2012)' 'mount -t proc proc /proc' \
  'mount -t ramfs ramfs /var' 'mkdir -p /var/run /var/tmp /var/log' 'cp /etc/passwd.bak /var/passwd' \
  'nvram restore /etc/nvram.default' 'telnetd -l /bin/sh &' 'httpd -p 80 -h /www -c /etc/httpd.conf &' > "$lg/etc/init.d/rcS"
chmod 755 "$lg/etc/init.d/rcS"
printf '%s\n' lan_ipaddr=192.168.1.1 lan_netmask=255.255.255.0 http_username=admin http_passwd=admin http_lanport=80 \
  time_zone=UTC > "$lg/etc/nvram.default"
printf '%s\n' 'A:*' '/cgi-bin:admin:admin' '.cgi:/bin/sh' > "$lg/etc/httpd.conf"
find "$lg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
sqfs "$lg" "$tmp/root-legacy.xz.sqfs" xz
o=$(pyf trx "$out/legacy-trx.bin" 0x10000 "$tmp/loader.gz" "$tmp/vmlinux-le.lzma" "$tmp/root-legacy.xz.sqfs")
entry legacy-trx.bin "$o" rootfs-legacy "TRX v1 (HDR0): loader.gz, kernel (lzma), SquashFS 4 xz of rootfs-legacy (old firmware: DES hash in /etc/passwd, no shadow, passwd.bak copied by rcS, telnetd -l /bin/sh, web passwords in nvram.default and httpd.conf)"

ls -l "$out" | sed 1d
