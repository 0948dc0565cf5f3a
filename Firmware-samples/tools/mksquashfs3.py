#!/usr/bin/env python3
"""mksquashfs3.py: write a SquashFS 3.1 image (squashfs-tools 3.x layout, gzip/zlib or sqlzma's LZMA), little- or
big-endian.

Debian's mksquashfs only writes 4.0, but old router firmware (2008-2012 TP-Link, D-Link...) carries 3.x images, and
squashfs-tools 4.x's unsquashfs still reads the zlib ones in both byte orders: this is its oracle.

    python3 mksquashfs3.py [--endian little|big] [--comp gzip|lzma] [--sqlzma-magic] [--lzma-no-size|--lzma-no-props]
                           [--block-size 65536] [--all-root] [--mtime N] [--no-fragments] SRC_DIR OUT_IMAGE

--comp lzma writes the layout of Junjiro Okajima's sqlzma patches (the LZMA SquashFS 3 of 2.6-era OpenWrt and vendor
kernels): the super block is unchanged (3.x names no compressor) and every compressed block, data and metadata, is an
LZMA "alone" stream -- the properties byte 0x5D (lc=3 lp=0 pb=2), the 32-bit dictionary size, the 64-bit
little-endian uncompressed size -- which readers tell from zlib by its first byte (sqlzma.h is_lzma(): 0x5D). Python's
lzma module (liblzma) writes the stream with an end-of-payload marker after the declared size; sqlzma's readers stop at
the declared size, so the marker is never reached. --sqlzma-magic gives the image the magic sqlzma's mksquashfs can
give LZMA images instead of hsqs/sqsh (sqmagic.h SQUASHFS_MAGIC_LZMA: 'shsq' on disk, 'qshs' big-endian). unsquashfs
4.x reads no LZMA SquashFS 3; 7-Zip reads these images only under the sqlzma magic (per block: 0x5D is LZMA, anything
else zlib), which makes it the oracle for the LZMA layout. --lzma-no-size drops the size field (properties, then the
stream: a vendor variant sasquatch's lzma_standard_uncompress accepts; no oracle here). --lzma-no-props writes the bare
stream (no properties, no size; it starts with the range coder's 0x00), which 7-Zip reads under the standard magic
when an image's first block starts with 0x00 (lc=3 lp=0 pb=2, dictionary = block size).

Structures follow squashfs-tools' squashfs_compat.h (the "layout 3.x" structs and their SQUASHFS_SWAP_*_3 macros),
the reader unsquash-3.c / unsquash-123.c (table order and sanity checks) and the 3.x kernel's get_dir_index_using_name
(directory index semantics). Every on-disk struct is written as a list of (bits, value) fields, in the order of the
struct: little-endian images pack bitfields LSB first (gcc on x86/mipsel), big-endian images MSB first -- exactly
what SQUASHFS_SWAP(value, p, pos, bits) reads on the other byte order. Plain ints are the same rule with whole bytes.

Layout (as mksquashfs 3.x writes it, and as read_filesystem_tables() in unsquash-3.c checks it):
  superblock (119 bytes) | data and fragment blocks | inode table | directory table |
  fragment table blocks | fragment index (= fragment_table_start) | uid table | guid table (ends at bytes_used) |
  zeros to a 4 KiB multiple
No export (NFS lookup) table: lookup_table_start = SQUASHFS_INVALID_BLK.
Output is deterministic: names are sorted (strcmp order, as squashfs requires), times come from --mtime,
SOURCE_DATE_EPOCH or the files themselves, and zlib and liblzma output is stable for the same input.
"""
import argparse
import lzma
import os
import stat
import sys
import zlib

MAGIC = 0x73717368                       # squashfs_fs.h SQUASHFS_MAGIC ("hsqs" on disk LE, "sqsh" BE)
SQLZMA_MAGIC = 0x71736873                # sqmagic.h SQUASHFS_MAGIC_LZMA ("shsq" on disk LE, "qshs" BE)
METADATA_SIZE = 8192                     # SQUASHFS_METADATA_SIZE
META_UNCOMPRESSED = 1 << 15              # SQUASHFS_COMPRESSED_BIT (metadata block length word)
DATA_UNCOMPRESSED = 1 << 24              # SQUASHFS_COMPRESSED_BIT_BLOCK (block list / fragment size word)
INVALID_FRAG = 0xFFFFFFFF                # SQUASHFS_INVALID_FRAG
INVALID_BLK = 0xFFFFFFFFFFFFFFFF         # SQUASHFS_INVALID_BLK (-1LL)
GUID_SAME_AS_UID = 255                   # squashfs_compat.h SQUASHFS_GUIDS: guid index 255 means gid = uid
MAX_UIDS, MAX_GUIDS = 256, 255           # SQUASHFS_UIDS, SQUASHFS_GUIDS
FLAG_NO_FRAG = 1 << 4                    # squashfs_fs.h: NOI 0, NOD 1, CHECK 2, NOF 3, NO_FRAG 4, ALWAYS_FRAG 5,
                                         # DUPLICATE 6, EXPORT 7 (we set none of the others: all compressed)
# inode types (squashfs_fs.h): the basic ones also go in the 3-bit type of a directory entry
DIR_T, FILE_T, SYMLINK_T, BLKDEV_T, CHRDEV_T, FIFO_T, SOCKET_T, LDIR_T, LREG_T = 1, 2, 3, 4, 5, 6, 7, 8, 9

BE = False  # set from --endian
COMP = "gzip"  # set from --comp
DICT = 65536  # LZMA dictionary size: the block size, as sqlzma's mksquashfs uses it
NO_SIZE = False  # set from --lzma-no-size
NO_PROPS = False  # set from --lzma-no-props


def pack(*fields):
    """Pack (bits, value) fields in struct order: LE = LSB-first bitfields, BE = MSB-first (SQUASHFS_SWAP)."""
    total = sum(bits for bits, _ in fields)
    assert total % 8 == 0
    acc, pos = 0, 0
    for bits, value in fields:
        value &= (1 << bits) - 1
        acc |= value << (total - pos - bits if BE else pos)
        pos += bits
    return acc.to_bytes(total // 8, "big" if BE else "little")


def u16(v): return pack((16, v))
def u32(v): return pack((32, v))
def u64(v): return pack((64, v))


def lzma_alone(data):
    """sqlzma: an LZMA alone stream whose header carries the real uncompressed size (liblzma writes 'unknown')."""
    c = lzma.compress(bytes(data), format=lzma.FORMAT_ALONE,
                      filters=[{"id": lzma.FILTER_LZMA1, "preset": 9, "dict_size": DICT, "lc": 3, "lp": 0, "pb": 2}])
    assert c[0] == 0x5D and c[5:13] == b"\xff" * 8
    if NO_SIZE:  # the variant without the size field (properties, then the stream), which sasquatch also reads
        return c[:5] + c[13:]
    if NO_PROPS:  # the bare stream (lc=3 lp=0 pb=2, dictionary = block size), which 7-Zip reads ("no props" LZMA)
        return c[13:]
    return c[:5] + len(data).to_bytes(8, "little") + c[13:]


def compress(data, uncompressed_bit):
    """mksquashfs: zlib compress2(level 9) (or sqlzma's LZMA); keep the raw bytes (and set the bit) unless that is
    smaller."""
    c = lzma_alone(data) if COMP == "lzma" else zlib.compress(bytes(data), 9)
    return (c, len(c)) if len(c) < len(data) else (bytes(data), len(data) | uncompressed_bit)


class MetaWriter:
    """A metadata table (inodes, directories, fragment entries): 8 KiB chunks, each stored as a 16-bit length word
    (bit 15 = stored uncompressed) and the zlib data. A position is (start of the chunk in the compressed table,
    offset in the uncompressed chunk): the inode reference / directory start mksquashfs uses."""
    def __init__(self):
        self.out, self.buf, self.starts = bytearray(), bytearray(), []

    def pos(self):
        return len(self.out), len(self.buf)

    def upos(self):  # position in the uncompressed stream
        return len(self.starts) * METADATA_SIZE + len(self.buf)

    def block_start(self, upos):  # compressed start of the chunk holding uncompressed byte upos
        k = upos // METADATA_SIZE
        return self.starts[k] if k < len(self.starts) else len(self.out)

    def add(self, data):
        self.buf += data
        while len(self.buf) >= METADATA_SIZE:
            self._flush(self.buf[:METADATA_SIZE])
            del self.buf[:METADATA_SIZE]

    def _flush(self, chunk):
        self.starts.append(len(self.out))
        c, word = compress(chunk, META_UNCOMPRESSED)
        self.out += u16(word) + c

    def finish(self):
        if self.buf:
            self._flush(self.buf)
            self.buf = bytearray()
        return bytes(self.out)


class Node:
    def __init__(self, path, name, st):
        self.path, self.name, self.st = path, name, st
        self.children = []
        self.ino = 0      # inode number
        self.ref = None   # (inode block, offset) once written
        self.links = 1    # links to a hard-linked file inside the tree


def scan(path, name, dev_ino):
    node = Node(path, name, os.lstat(path))
    if stat.S_ISDIR(node.st.st_mode):
        names = sorted(os.fsencode(n) for n in os.listdir(path))  # strcmp order (squashfs requires sorted dirs)
        for n in names:
            if len(n) > 256:
                sys.exit("mksquashfs3: name longer than 256 bytes: %r" % n)
            node.children.append(scan(os.path.join(path, os.fsdecode(n)), n, dev_ino))
    elif stat.S_ISREG(node.st.st_mode) and node.st.st_nlink > 1:
        key = (node.st.st_dev, node.st.st_ino)
        first = dev_ino.setdefault(key, node)
        first.links += first is not node
        node.link_to = first
    return node


def number(node, counter):
    """Inode numbers in the order inodes are written (post-order); hard links share the first one's number."""
    for c in node.children:
        number(c, counter)
    first = getattr(node, "link_to", node)
    if first is not node:
        node.ino = first.ino
    else:
        counter[0] += 1
        node.ino = counter[0]


class Writer:
    def __init__(self, args):
        self.bs = args.block_size
        self.frags = not args.no_fragments
        self.all_root, self.mtime = args.all_root, args.mtime
        self.img = bytearray(119)           # sizeof(struct squashfs_super_block_3), filled in last
        self.inodes, self.dirs = MetaWriter(), MetaWriter()
        self.frag_buf, self.frag_entries = bytearray(), []
        self.uids, self.guids = [], []
        self.inode_count = 0
        self.max_mtime = 0

    # -- ids, times
    def ids(self, st):
        uid, gid = (0, 0) if self.all_root else (st.st_uid, st.st_gid)
        if uid not in self.uids:
            self.uids.append(uid)
        if len(self.uids) > MAX_UIDS:
            sys.exit("mksquashfs3: more than 256 uids (use --all-root)")
        if gid == uid:
            return self.uids.index(uid), GUID_SAME_AS_UID
        if gid not in self.guids:
            self.guids.append(gid)
        if len(self.guids) > MAX_GUIDS:
            sys.exit("mksquashfs3: more than 255 gids (use --all-root)")
        return self.uids.index(uid), self.guids.index(gid)

    def time(self, st):
        t = self.mtime if self.mtime is not None else int(st.st_mtime)
        self.max_mtime = max(self.max_mtime, t)
        return t

    def base(self, itype, node):
        """squashfs_base_inode_header_3: inode_type:4 mode:12 uid:8 guid:8 mtime:32 inode_number:32."""
        uid_i, gid_i = self.ids(node.st)
        return [(4, itype), (12, stat.S_IMODE(node.st.st_mode)), (8, uid_i), (8, gid_i),
                (32, self.time(node.st)), (32, node.ino)]

    def add_inode(self, node, data):
        node.ref = self.inodes.pos()
        self.inodes.add(data)
        self.inode_count += 1

    # -- file data
    def write_block(self, data):
        c, word = compress(data, DATA_UNCOMPRESSED)
        self.img += c
        return word

    def fragment(self, tail):
        """Tail end of a file into the fragment block being filled (mksquashfs 3.x get_file_fragment)."""
        if len(self.frag_buf) + len(tail) > self.bs:
            self.flush_fragment()
        index, offset = len(self.frag_entries), len(self.frag_buf)
        self.frag_buf += tail
        return index, offset

    def flush_fragment(self):
        if self.frag_buf:
            start = len(self.img)
            self.frag_entries.append((start, self.write_block(self.frag_buf)))
            self.frag_buf = bytearray()

    def file(self, node):
        with open(node.path, "rb") as f:
            data = f.read()
        size, start = len(data), len(self.img)
        nfull = size // self.bs if self.frags else -(-size // self.bs)
        blocks = [self.write_block(data[i * self.bs:(i + 1) * self.bs]) for i in range(nfull)]
        frag, frag_off = INVALID_FRAG, 0
        if self.frags and size % self.bs:
            frag, frag_off = self.fragment(data[nfull * self.bs:])
        blist = b"".join(u32(b) for b in blocks)  # block list: unsigned ints (read_block_list, SWAP_INTS_3)
        if node.links > 1 or size >= 1 << 32:
            # squashfs_lreg_inode_header_3: base, nlink:32, start_block:64, fragment:32, offset:32, file_size:64
            head = pack(*self.base(LREG_T, node), (32, node.links), (64, start), (32, frag), (32, frag_off),
                        (64, size))
        else:
            # squashfs_reg_inode_header_3: base, start_block:64, fragment:32, offset:32, file_size:32
            head = pack(*self.base(FILE_T, node), (64, start), (32, frag), (32, frag_off), (32, size))
        self.add_inode(node, head + blist)

    # -- other inodes
    def special(self, node):
        m = node.st.st_mode
        if stat.S_ISLNK(m):
            target = os.fsencode(os.readlink(node.path))
            # squashfs_symlink_inode_header_3: base, nlink:32, symlink_size:16, then the target (no NUL)
            self.add_inode(node, pack(*self.base(SYMLINK_T, node), (32, 1), (16, len(target))) + target)
        elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
            rdev = (os.major(node.st.st_rdev) & 0xFF) << 8 | (os.minor(node.st.st_rdev) & 0xFF)  # 16-bit 3.x rdev
            t = CHRDEV_T if stat.S_ISCHR(m) else BLKDEV_T
            # squashfs_dev_inode_header_3: base, nlink:32, rdev:16
            self.add_inode(node, pack(*self.base(t, node), (32, 1), (16, rdev)))
        elif stat.S_ISFIFO(m) or stat.S_ISSOCK(m):
            # squashfs_ipc_inode_header_3: base, nlink:32
            self.add_inode(node, pack(*self.base(FIFO_T if stat.S_ISFIFO(m) else SOCKET_T, node), (32, 1)))
        else:
            sys.exit("mksquashfs3: unsupported file type: %s" % node.path)

    @staticmethod
    def entry_type(node):
        m = node.st.st_mode
        for test, t in ((stat.S_ISDIR, DIR_T), (stat.S_ISREG, FILE_T), (stat.S_ISLNK, SYMLINK_T),
                        (stat.S_ISBLK, BLKDEV_T), (stat.S_ISCHR, CHRDEV_T), (stat.S_ISFIFO, FIFO_T)):
            if test(m):
                return t
        return SOCKET_T

    # -- directories
    def directory(self, node, parent_ino):
        for c in node.children:
            if stat.S_ISDIR(c.st.st_mode):
                self.directory(c, node.ino)
            elif stat.S_ISREG(c.st.st_mode):
                first = getattr(c, "link_to", c)
                if first.ref is None:
                    self.file(first)
                c.ref = first.ref
            else:
                self.special(c)
        # Group entries under headers as mksquashfs 4.x add_dir() / 3.x do: a new header after 256 entries, when the
        # inode block changes, when the inode number delta leaves int16, or every ~8 KiB (then also an index entry).
        groups, index, upos, index_base = [], [], 0, 0
        for c in node.children:
            blk, ino, esize = c.ref[0], c.ino, 5 + len(c.name)
            g = groups[-1] if groups else None
            far = upos + esize - index_base > METADATA_SIZE
            if g is None or len(g[2]) == 256 or blk != g[0] or not -32768 <= ino - g[1] <= 32767 or far:
                if g is not None and far:
                    index.append((upos, c.name))
                    index_base = upos
                groups.append((blk, ino, []))
                upos += 9
            groups[-1][2].append(c)
            upos += esize
        listing = bytearray()
        for blk, ino, ents in groups:
            # squashfs_dir_header_3: count:8 (entries - 1), start_block:32 (inode block), inode_number:32
            listing += pack((8, len(ents) - 1), (32, blk), (32, ino))
            for c in ents:
                # squashfs_dir_entry_3: offset:13 (in inode block), type:3, size:8 (name length - 1),
                # inode_number:16 (signed delta to the header's), then the name
                listing += pack((13, c.ref[1]), (3, self.entry_type(c)), (8, len(c.name) - 1),
                                (16, c.ino - ino)) + c.name
        assert len(listing) == upos
        dstart = self.dirs.upos()
        dblock, doff = self.dirs.pos()
        self.dirs.add(listing)
        nlink = 2 + sum(1 for c in node.children if stat.S_ISDIR(c.st.st_mode))
        size = len(listing) + 3  # directory file_size counts "." and ".." as 3 bytes (unsquash-3.c: data - 3)
        if index or size >= 1 << 19:
            # squashfs_ldir_inode_header_3: base, nlink:32, file_size:27, offset:13, start_block:32, i_count:16,
            # parent_inode:32, then squashfs_dir_index_3 entries: index:32 (byte position in this listing),
            # start_block:32 (directory block holding it), size:8 (name length - 1), name. The kernel resumes at
            # start_block with offset (index + dir offset) % 8192 (get_dir_index_using_name).
            data = pack(*self.base(LDIR_T, node), (32, nlink), (27, size), (13, doff), (32, dblock),
                        (16, len(index)), (32, parent_ino))
            for pos, name in index:
                data += pack((32, pos), (32, self.dirs.block_start(dstart + pos)), (8, len(name) - 1)) + name
        else:
            # squashfs_dir_inode_header_3: base, nlink:32, file_size:19, offset:13, start_block:32, parent_inode:32
            data = pack(*self.base(DIR_T, node), (32, nlink), (19, size), (13, doff), (32, dblock),
                        (32, parent_ino))
        self.add_inode(node, data)

    # -- whole image
    def build(self, root, ninodes):
        self.directory(root, ninodes + 1)  # the root's parent is "inodes + 1", as in mksquashfs
        self.flush_fragment()
        inode_start = len(self.img)
        self.img += self.inodes.finish()
        dir_start = len(self.img)
        self.img += self.dirs.finish()
        # fragment table: squashfs_fragment_entry_3 (start_block:64, size:32, pending:32) in metadata blocks,
        # then the index of those blocks (long longs): fragment_table_start points at the index
        ftab = MetaWriter()
        for start, word in self.frag_entries:
            ftab.add(pack((64, start), (32, word), (32, 0)))
        ftab_base = len(self.img)
        self.img += ftab.finish()
        frag_start = len(self.img)
        self.img += b"".join(u64(ftab_base + s) for s in ftab.starts)
        uid_start = len(self.img)
        self.img += b"".join(u32(u) for u in self.uids)
        guid_start = len(self.img) if self.guids else 0  # unsquash-3.c: no guids => guid_start 0
        self.img += b"".join(u32(g) for g in self.guids)
        bytes_used = len(self.img)
        mkfs_time = self.mtime if self.mtime is not None else self.max_mtime
        root_ref = root.ref[0] << 16 | root.ref[1]
        log = self.bs.bit_length() - 1
        flags = 0 if self.frags else FLAG_NO_FRAG
        # squashfs_super_block_3 (the *_2 fields are the 32-bit copies 2.x readers use; block_size_1 is 1.x's)
        sb = pack((32, MAGIC), (32, self.inode_count), (32, bytes_used), (32, uid_start), (32, guid_start),
                  (32, inode_start), (32, dir_start), (16, 3), (16, 1), (16, self.bs), (16, log), (8, flags),
                  (8, len(self.uids)), (8, len(self.guids)), (32, mkfs_time), (64, root_ref), (32, self.bs),
                  (32, len(self.frag_entries)), (32, frag_start), (64, bytes_used), (64, uid_start),
                  (64, guid_start), (64, inode_start), (64, dir_start), (64, frag_start), (64, INVALID_BLK))
        assert len(sb) == 119
        self.img[:119] = sb
        self.img += bytes(-len(self.img) % 4096)  # mksquashfs pads the image to 4 KiB (bytes_used stays unpadded)
        return bytes(self.img)


def main():
    global BE, COMP, DICT, MAGIC, NO_SIZE, NO_PROPS
    p = argparse.ArgumentParser(description="Write a SquashFS 3.1 (gzip or sqlzma LZMA) image, little- or big-endian.")
    p.add_argument("--endian", choices=("little", "big"), default="little")
    p.add_argument("--comp", choices=("gzip", "lzma"), default="gzip")
    p.add_argument("--sqlzma-magic", action="store_true", help="write sqlzma's magic ('shsq'/'qshs') instead of hsqs/sqsh")
    p.add_argument("--lzma-no-size", action="store_true", help="LZMA blocks without the 8-byte size field")
    p.add_argument("--lzma-no-props", action="store_true", help="LZMA blocks without properties and size: the bare stream")
    p.add_argument("--block-size", type=int, default=65536)
    p.add_argument("--all-root", action="store_true", help="make every file owned by 0:0")
    p.add_argument("--mtime", type=int, help="time of every inode and of the image (default SOURCE_DATE_EPOCH, "
                   "else each file's own mtime, the image taking the newest)")
    p.add_argument("--no-fragments", action="store_true", help="store tail ends as short blocks")
    p.add_argument("src")
    p.add_argument("out")
    args = p.parse_args()
    BE = args.endian == "big"
    COMP, DICT, NO_SIZE, NO_PROPS = args.comp, args.block_size, args.lzma_no_size, args.lzma_no_props
    if args.sqlzma_magic:
        MAGIC = SQLZMA_MAGIC
    if args.block_size < 4096 or args.block_size > 1 << 20 or args.block_size & (args.block_size - 1):
        p.error("--block-size must be a power of two from 4096 to 1048576")
    if args.mtime is None and os.environ.get("SOURCE_DATE_EPOCH"):
        args.mtime = int(os.environ["SOURCE_DATE_EPOCH"])
    if not os.path.isdir(args.src):
        p.error("%s is not a directory" % args.src)
    root = scan(args.src, b"", {})
    counter = [0]
    number(root, counter)
    image = Writer(args).build(root, counter[0])
    with open(args.out, "wb") as f:
        f.write(image)


if __name__ == "__main__":
    main()
