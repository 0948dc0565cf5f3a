#!/usr/bin/env python3
"""Rewrite a JFFS2 image made by mkfs.jffs2 with its data nodes compressed another way.

Debian's mkfs.jffs2 (mtd-utils) writes zlib, rtime and LZO nodes; old router firmware also carries LZMA nodes
(OpenWrt's JFFS2_COMPR_LZMA, 0x08: a raw LZMA1 stream with lc=0 lp=0 pb=0 and an 8 KiB dictionary, the sizes
kept in the node) that no Debian tool writes. This script reads every node of IN, decompresses each inode node's
data, compresses it again with --compr (lzma or rtime; a node that does not shrink is stored uncompressed, as
mkfs.jffs2 does), recomputes the node and data CRCs and lays the nodes out again in erase blocks of --eraseblock
bytes, each starting with a clean marker, a node never straddling two blocks, padded with 0xFF to whole blocks.

usage: jffs2-recompress.py --endian little|big --compr lzma|rtime [--eraseblock 65536] IN OUT
Structures: include/uapi/linux/jffs2.h (jffs2_unknown_node, jffs2_raw_inode); rtime: fs/jffs2/compr_rtime.c;
LZMA parameters: OpenWrt's target/linux/generic/pending-*/530-jffs2_make_lzma_available.patch (as jefferson reads it).
"""
import argparse
import lzma
import struct
import zlib

MAGIC = 0x1985
INODE, DIRENT, CLEANMARKER = 0xE002, 0xE001, 0x2003
COMPR_NONE, COMPR_ZERO, COMPR_RTIME, COMPR_ZLIB, COMPR_LZMA = 0x00, 0x01, 0x02, 0x06, 0x08
INODE_FMT = "HHIIIIIHHIIIIIIIBBHII"   # jffs2_raw_inode: 68 bytes


def crc(b):
    """JFFS2's CRC-32: seed 0, no final inversion."""
    return zlib.crc32(b, 0xFFFFFFFF) ^ 0xFFFFFFFF


def rtime_compress(data):
    out = bytearray()
    positions = [0] * 256
    pos = 0
    while pos < len(data):
        value = data[pos]
        out.append(value)
        pos += 1
        backpos, run = positions[value], 0
        positions[value] = pos
        while backpos < pos and pos < len(data) and data[pos] == data[backpos] and run < 255:
            pos += 1
            backpos += 1
            run += 1
        out.append(run)
    return bytes(out)


def rtime_decompress(data, size):
    out = bytearray()
    positions = [0] * 256
    i = 0
    while len(out) < size:
        value, repeat = data[i], data[i + 1]
        i += 2
        out.append(value)
        backoffs = positions[value]
        positions[value] = len(out)
        for _ in range(repeat):
            out.append(out[backoffs])
            backoffs += 1
    return bytes(out)


LZMA_FILTERS = [{"id": lzma.FILTER_LZMA1, "dict_size": 0x2000, "lc": 0, "lp": 0, "pb": 0}]


def lzma_compress(data):
    return lzma.compress(data, format=lzma.FORMAT_RAW, filters=LZMA_FILTERS)


def decompress(compr, data, size):
    if compr == COMPR_NONE:
        return data
    if compr == COMPR_ZERO:
        return b"\0" * size
    if compr == COMPR_ZLIB:
        return zlib.decompress(data)
    if compr == COMPR_RTIME:
        return rtime_decompress(data, size)
    raise SystemExit(f"node compressed with method {compr:#x}: not handled")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endian", choices=["little", "big"], required=True)
    ap.add_argument("--compr", choices=["lzma", "rtime"], required=True)
    ap.add_argument("--eraseblock", type=lambda v: int(v, 0), default=0x10000)
    ap.add_argument("src")
    ap.add_argument("out")
    a = ap.parse_args()
    e = "<" if a.endian == "little" else ">"
    d = open(a.src, "rb").read()

    nodes = []
    o = 0
    while o + 12 <= len(d):
        magic, ntype, totlen, hcrc = struct.unpack_from(e + "HHII", d, o)
        if magic != MAGIC or crc(d[o:o + 8]) != hcrc:
            o += 4
            continue
        body = d[o:o + totlen]
        if ntype == INODE:
            f = list(struct.unpack_from(e + INODE_FMT, body))
            csize, dsize, compr = f[14], f[15], f[16]
            data = decompress(compr, body[68:68 + csize], dsize)
            if dsize:
                packed = lzma_compress(data) if a.compr == "lzma" else rtime_compress(data)
                method = COMPR_LZMA if a.compr == "lzma" else COMPR_RTIME
                if len(packed) >= dsize:
                    packed, method = data, COMPR_NONE
            else:
                packed, method = b"", compr
            f[2] = 68 + len(packed)
            f[14], f[16], f[17] = len(packed), method, 0
            f[3] = crc(struct.pack(e + "HHI", *f[:3]))
            f[19] = crc(packed)                                     # data_crc
            head = struct.pack(e + INODE_FMT, *f)
            f[20] = crc(head[:60])                                  # node_crc over the first 60 bytes
            nodes.append(struct.pack(e + INODE_FMT, *f) + packed)
        elif ntype != CLEANMARKER:
            nodes.append(body)
        o += (totlen + 3) & ~3

    clean = struct.pack(e + "HHI", MAGIC, CLEANMARKER, 12)
    clean += struct.pack(e + "I", crc(clean))
    out = bytearray()
    block = a.eraseblock
    for n in nodes:
        n = n + b"\xff" * (-len(n) % 4)
        if len(out) % block == 0:
            out += clean
        if len(out) % block + len(n) > block:
            out += b"\xff" * (-len(out) % block)
            out += clean
        out += n
    out += b"\xff" * (-len(out) % block)
    open(a.out, "wb").write(out)


if __name__ == "__main__":
    main()
