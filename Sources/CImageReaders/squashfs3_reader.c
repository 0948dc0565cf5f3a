/* SquashFS 3.0/3.1, little- and big-endian, read in place from the mapped file: the layout squashfs-tools 3.x
 * writes (squashfs-tools 4.x squashfs_compat.h, "layout 3.x"), with zlib blocks and the LZMA blocks of the vendor
 * kernels of the 2.6 era (Junjiro Okajima's sqlzma, OpenWrt's and TP-Link's LZMA SquashFS 3): there the compressor is
 * not named in the super block; a block that starts with 0x5D is an LZMA "alone" stream (5 property bytes, then the
 * 64-bit little-endian uncompressed size), anything else is zlib (sqlzma's is_lzma()). A size field larger than the
 * block may hold means the variant without it (props then data, as sasquatch's lzma_standard_uncompress accepts).
 * sqlzma's mksquashfs may also mark such images with its own magic, 'shsq' ('qshs' big-endian; sqmagic.h): read the same.
 * A block that starts with 0x00 is the bare LZMA stream without properties (lc=3 lp=0 pb=2), the variant 7-Zip reads.
 * Not read: LZMA with other properties stored elsewhere or nowhere (sasquatch's brute-forced "adaptive" variant,
 * DD-WRT's lzmawrt), SquashFS 1.x/2.x (other inode layouts).
 *
 * Hostile input: every offset and length is checked against bytes_used (itself within the file), metadata blocks
 * decompress to at most 8 KiB and data blocks to at most the block size (<= 1 MiB), every decompressed byte counts
 * against max_total, a directory that is reached twice stops the read (a loop), names with '/', NUL, "." or ".." are
 * refused, nesting is bounded. Bitfields follow squashfs-tools: little-endian images pack them LSB first,
 * big-endian images MSB first (SQUASHFS_SWAP). */
#define _GNU_SOURCE
#include "CImageReaders.h"
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define META_SIZE 8192u
#define META_UNCOMPRESSED 0x8000u
#define DATA_UNCOMPRESSED (1u << 24)
#define INVALID_FRAG 0xFFFFFFFFu
#define FLAG_CHECK (1u << 2)
#define CACHE_SLOTS 512u

enum { T_DIR = 1, T_FILE, T_SYMLINK, T_BLKDEV, T_CHRDEV, T_FIFO, T_SOCKET, T_LDIR, T_LREG };

struct meta_slot { uint64_t at; uint64_t next; uint32_t len; int used; unsigned char data[META_SIZE]; };

struct sq3 {
    const unsigned char *img;   /* the file system's first byte (in the mapping) */
    uint64_t size;              /* bytes_used: nothing past it is read */
    int be, check;
    uint32_t block_size, fragments;
    uint64_t inode_start, dir_start, frag_start;
    int lzma_seen;
    struct meta_slot *cache;
    z_stream z;
    int z_ready;
    lzma_stream lz;
    unsigned char *frag_buf;    /* the last fragment block decompressed */
    uint64_t frag_at;
    uint32_t frag_len;
    int frag_valid;
    uint64_t total, max_total;
    char *err;
    size_t errlen;
};

/* A field of `bits` at bit `pos` of a struct of `total` bits at p, as squashfs-tools lays it out. */
static uint64_t field(const unsigned char *p, unsigned total, unsigned pos, unsigned bits, int be) {
    uint64_t v = 0;
    for (unsigned k = 0; k < bits; k++) {
        unsigned i = be ? total - pos - bits + k : pos + k;      /* bit index from the struct's least significant bit */
        unsigned byte = be ? total / 8 - 1 - i / 8 : i / 8;
        if ((p[byte] >> (i % 8)) & 1) v |= (uint64_t)1 << k;
    }
    return v;
}
/* Plain integers are the same rule with whole bytes. */
static uint64_t num(const struct sq3 *s, const unsigned char *p, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned k = 0; k < bytes; k++) v |= (uint64_t)p[s->be ? bytes - 1 - k : k] << (8 * k);
    return v;
}

static int fail(struct sq3 *s, const char *fmt, unsigned long long a, unsigned long long b) {
    if (!s->err[0]) snprintf(s->err, s->errlen, fmt, a, b);
    return -1;
}

/* One compressed block (zlib, or sqlzma's LZMA) into out (cap bytes at most); the decompressed length or -1. */
static long inflate_block(struct sq3 *s, const unsigned char *in, size_t inlen, unsigned char *out, size_t cap) {
    if (inlen == 0) return -1;
    if (in[0] == 0x5D || in[0] == 0x00) {
        /* LZMA alone: properties (lc/lp/pb byte, 32-bit dictionary size), then the 64-bit size. A block starting with
           0x00 (never zlib's first byte; always an LZMA range coder's) is the variant 7-Zip reads as "no properties":
           the bare stream, lc=3 lp=0 pb=2. */
        int bare = in[0] == 0x00;
        if (inlen < 5) return -1;
        s->lzma_seen = 1;
        lzma_options_lzma opt;
        lzma_filter filters[2] = { { LZMA_FILTER_LZMA1, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
        unsigned props = bare ? 0x5D : in[0];
        if (props >= 9 * 5 * 5) return -1;
        memset(&opt, 0, sizeof(opt));
        opt.lc = props % 9; props /= 9; opt.lp = props % 5; opt.pb = props / 5;
        if (opt.lc + opt.lp > LZMA_LCLP_MAX) return -1;
        /* The decoder never needs a dictionary larger than what it writes: a forged 4 GiB one is not allocated. */
        opt.dict_size = LZMA_DICT_SIZE_MIN;
        while (opt.dict_size < cap) opt.dict_size <<= 1;
        uint64_t want = cap;
        size_t skip = bare ? 0 : 5;
        if (!bare && inlen >= 13) {
            uint64_t sz = 0;
            for (int k = 0; k < 8; k++) sz |= (uint64_t)in[5 + k] << (8 * k);
            if (sz <= cap) { want = sz; skip = 13; }           /* otherwise: the variant without the size field */
        }
        if (lzma_raw_decoder(&s->lz, filters) != LZMA_OK) return -1;
        s->lz.next_in = in + skip; s->lz.avail_in = inlen - skip;
        s->lz.next_out = out; s->lz.avail_out = (size_t)want;
        lzma_ret r = LZMA_OK;
        while (s->lz.avail_out > 0 && s->lz.avail_in > 0 && r == LZMA_OK) r = lzma_code(&s->lz, LZMA_RUN);
        size_t got = (size_t)want - s->lz.avail_out;
        if (r != LZMA_OK && r != LZMA_STREAM_END) return -1;
        if (skip == 13 && got != want) {
            /* The input ran out before the declared size: only the decoder's buffered tail may remain. */
            while (s->lz.avail_out > 0 && (r = lzma_code(&s->lz, LZMA_FINISH)) == LZMA_OK) {}
            got = (size_t)want - s->lz.avail_out;
            if (got != want) return -1;
        }
        return (long)got;
    }
    if (!s->z_ready) {
        memset(&s->z, 0, sizeof(s->z));
        if (inflateInit(&s->z) != Z_OK) return -1;
        s->z_ready = 1;
    } else if (inflateReset(&s->z) != Z_OK) return -1;
    s->z.next_in = (unsigned char *)in; s->z.avail_in = (uInt)inlen;
    s->z.next_out = out; s->z.avail_out = (uInt)cap;
    int r = inflate(&s->z, Z_FINISH);
    if (r != Z_STREAM_END) return -1;                       /* corrupt, or more than cap bytes (a bomb) */
    return (long)(cap - s->z.avail_out);
}

/* The metadata block at image offset `at`: its bytes (at most 8 KiB) and where the next one starts. */
static struct meta_slot *meta_block(struct sq3 *s, uint64_t at) {
    struct meta_slot *slot = &s->cache[(at * 0x9E3779B97F4A7C15ull >> 40) % CACHE_SLOTS];
    if (slot->used && slot->at == at) return slot;
    unsigned hdr = 2 + (s->check ? 1 : 0);
    if (at >= s->size || s->size - at < hdr) { fail(s, "corrupt image: a metadata block at %llu is outside the image (%llu bytes)", at, s->size); return NULL; }
    uint32_t word = (uint32_t)num(s, s->img + at, 2);
    uint32_t clen = word & ~META_UNCOMPRESSED;
    if (clen == 0 || clen > META_SIZE || s->size - at - hdr < clen) {
        fail(s, "corrupt image: the metadata block at %llu claims %llu bytes", at, clen);
        return NULL;
    }
    const unsigned char *src = s->img + at + hdr;
    long n;
    if (word & META_UNCOMPRESSED) { memcpy(slot->data, src, clen); n = clen; }
    else n = inflate_block(s, src, clen, slot->data, META_SIZE);
    if (n < 0) { slot->used = 0; fail(s, "corrupt image: the metadata block at %llu does not decompress (%llu bytes)", at, clen); return NULL; }
    s->total += (uint64_t)n;
    if (s->total > s->max_total) { slot->used = 0; fail(s, "metadata expands beyond %llu bytes; refusing it (archive bomb?)%.0llu", s->max_total, 0); return NULL; }
    slot->at = at; slot->next = at + hdr + clen; slot->len = (uint32_t)n; slot->used = 1;
    return slot;
}

/* A position in a metadata table: the block's image offset and the offset in its decompressed bytes. */
struct cursor { uint64_t block; uint32_t off; };

static int meta_read(struct sq3 *s, struct cursor *c, void *dst, size_t len) {
    unsigned char *d = dst;
    unsigned hops = 0;
    while (len > 0) {
        struct meta_slot *m = meta_block(s, c->block);
        if (!m) return -1;
        if (c->off >= m->len) {
            /* Past this block: on into the next (a reference may point at the very end of a full block). */
            if (m->len == 0 || ++hops > 4) return fail(s, "corrupt image: a metadata reference at %llu+%llu is past its block", c->block, c->off);
            c->off -= m->len; c->block = m->next;
            continue;
        }
        hops = 0;
        size_t take = m->len - c->off < len ? m->len - c->off : len;
        memcpy(d, m->data + c->off, take);
        d += take; len -= take; c->off += (uint32_t)take;
        if (c->off == m->len && len > 0) { c->block = m->next; c->off = 0; }
    }
    return 0;
}

struct inode {
    int type;
    unsigned mode;
    uint64_t size;              /* files: bytes; directories: listing bytes + 3; symlinks: target length */
    uint64_t start;             /* files: first data block (image offset); directories: block in the directory table */
    uint32_t frag, frag_off;    /* files */
    uint32_t dir_off;           /* directories */
    struct cursor blocks;       /* files: where the block list starts */
    struct cursor target;       /* symlinks */
};

static int read_inode(struct sq3 *s, uint64_t ref, struct inode *in) {
    uint64_t blk = ref >> 16;
    uint32_t off = (uint32_t)(ref & 0xFFFF);
    if (off >= META_SIZE || blk >= s->dir_start - s->inode_start)
        return fail(s, "corrupt image: an inode reference (%llu, %llu) is outside the inode table", blk, off);
    struct cursor c = { s->inode_start + blk, off };
    unsigned char b[40];
    if (meta_read(s, &c, b, 12)) return -1;
    int be = s->be;
    memset(in, 0, sizeof(*in));
    in->type = (int)field(b, 96, 0, 4, be);
    in->mode = (unsigned)field(b, 96, 4, 12, be);
    switch (in->type) {
    case T_FILE:        /* base, start_block:64, fragment:32, offset:32, file_size:32 */
        if (meta_read(s, &c, b + 12, 20)) return -1;
        in->start = field(b, 256, 96, 64, be); in->frag = (uint32_t)field(b, 256, 160, 32, be);
        in->frag_off = (uint32_t)field(b, 256, 192, 32, be); in->size = field(b, 256, 224, 32, be);
        in->blocks = c;
        break;
    case T_LREG:        /* base, nlink:32, start_block:64, fragment:32, offset:32, file_size:64 */
        if (meta_read(s, &c, b + 12, 28)) return -1;
        in->start = field(b, 320, 128, 64, be); in->frag = (uint32_t)field(b, 320, 192, 32, be);
        in->frag_off = (uint32_t)field(b, 320, 224, 32, be); in->size = field(b, 320, 256, 64, be);
        in->blocks = c;
        in->type = T_FILE;
        break;
    case T_DIR:         /* base, nlink:32, file_size:19, offset:13, start_block:32, parent_inode:32 */
        if (meta_read(s, &c, b + 12, 16)) return -1;
        in->size = field(b, 224, 128, 19, be); in->dir_off = (uint32_t)field(b, 224, 147, 13, be);
        in->start = field(b, 224, 160, 32, be);
        break;
    case T_LDIR:        /* base, nlink:32, file_size:27, offset:13, start_block:32, i_count:16, parent_inode:32 */
        if (meta_read(s, &c, b + 12, 19)) return -1;
        in->size = field(b, 248, 128, 27, be); in->dir_off = (uint32_t)field(b, 248, 155, 13, be);
        in->start = field(b, 248, 168, 32, be);
        in->type = T_DIR;
        break;
    case T_SYMLINK:     /* base, nlink:32, symlink_size:16, then the target */
        if (meta_read(s, &c, b + 12, 6)) return -1;
        in->size = field(b, 144, 128, 16, be);
        in->target = c;
        break;
    case T_BLKDEV: case T_CHRDEV: case T_FIFO: case T_SOCKET:
        break;
    default:
        return fail(s, "corrupt image: an inode of unknown type %llu at %llu", (unsigned long long)in->type, ref);
    }
    return 0;
}

/* Data block `len` bytes at image offset `at` (size word with the uncompressed bit) into out; decompressed length. */
static long data_block(struct sq3 *s, uint64_t at, uint32_t word, unsigned char *out, size_t cap) {
    uint32_t clen = word & ~DATA_UNCOMPRESSED;
    if (clen == 0 || clen > s->block_size || at > s->size || s->size - at < clen) return -1;
    long n;
    if (word & DATA_UNCOMPRESSED) {
        if (clen > cap) return -1;
        memcpy(out, s->img + at, clen);
        n = clen;
    } else n = inflate_block(s, s->img + at, clen, out, cap);
    return n;
}

static int fragment_block(struct sq3 *s, uint32_t index) {
    if (index >= s->fragments) return -1;
    /* The fragment index: 64-bit image offsets of the metadata blocks holding 512 entries of 16 bytes each. */
    uint64_t slot = s->frag_start + (uint64_t)(index / (META_SIZE / 16)) * 8;
    if (slot > s->size || s->size - slot < 8) return -1;
    uint64_t block = num(s, s->img + slot, 8);
    if (block >= s->size) return -1;
    struct cursor c = { block, (index % (META_SIZE / 16)) * 16 };
    unsigned char e[16];
    if (meta_read(s, &c, e, 16)) { s->err[0] = 0; return -1; }
    uint64_t start = field(e, 128, 0, 64, s->be);
    uint32_t word = (uint32_t)field(e, 128, 64, 32, s->be);
    if (s->frag_valid && s->frag_at == start) return 0;
    long n = data_block(s, start, word, s->frag_buf, s->block_size);
    if (n < 0) { s->frag_valid = 0; return -1; }
    s->frag_at = start; s->frag_len = (uint32_t)n; s->frag_valid = 1;
    return 0;
}

/* Up to `want` bytes of a regular file into out (or, with fd >= 0, all of it written to fd). 0, or -1 when a block
 * cannot be read (the file is then damaged, the image still read) and -2 on a fatal error (bomb, write error). */
static int file_data(struct sq3 *s, const struct inode *in, unsigned char *out, uint64_t want, uint64_t *got,
                     unsigned char *block, int fd) {
    uint64_t size = in->size;
    uint32_t bs = s->block_size;
    int frag = in->frag != INVALID_FRAG;
    uint64_t nblocks = frag ? size / bs : (size + bs - 1) / bs;
    uint64_t at = in->start;
    struct cursor list = in->blocks;
    *got = 0;
    for (uint64_t i = 0; i < nblocks && *got < want; i++) {
        unsigned char w[4];
        if (meta_read(s, &list, w, 4)) { s->err[0] = 0; return -1; }
        uint32_t word = (uint32_t)num(s, w, 4);
        uint64_t expect = size - i * bs < bs ? size - i * bs : bs;
        const unsigned char *src = block;
        if (word == 0) memset(block, 0, (size_t)expect);                 /* a sparse block */
        else {
            long n = data_block(s, at, word, block, bs);
            if (n < 0 || (uint64_t)n != expect) return -1;
            at += word & ~DATA_UNCOMPRESSED;
        }
        s->total += expect;
        if (s->total > s->max_total) return -2;
        uint64_t take = want - *got < expect ? want - *got : expect;
        if (fd >= 0) {
            for (uint64_t done = 0; done < take;) {
                ssize_t n = write(fd, src + done, (size_t)(take - done));
                if (n < 0) { if (errno == EINTR) continue; return -3; }
                done += (uint64_t)n;
            }
        } else memcpy(out + *got, src, (size_t)take);
        *got += take;
    }
    if (frag && *got < want) {
        uint64_t tail = size % bs;
        if (fragment_block(s, in->frag) != 0) return -1;
        if (in->frag_off > s->frag_len || s->frag_len - in->frag_off < tail) return -1;
        s->total += tail;
        if (s->total > s->max_total) return -2;
        uint64_t take = want - *got < tail ? want - *got : tail;
        if (fd >= 0) {
            for (uint64_t done = 0; done < take;) {
                ssize_t n = write(fd, s->frag_buf + in->frag_off + done, (size_t)(take - done));
                if (n < 0) { if (errno == EINTR) continue; return -3; }
                done += (uint64_t)n;
            }
        } else memcpy(out + *got, s->frag_buf + in->frag_off, (size_t)take);
        *got += take;
    }
    return 0;
}

struct walk3 {
    struct sq3 *s;
    size_t max_file;
    void *ctx;
    bl_sqfs_visit visit, refused;
    unsigned char *buf, *block;
    const char *spool_path;
    int spool_fd, spooled;
    uint64_t *seen;             /* directory inode references already read (open addressing; 0 = empty) */
    size_t seen_cap, seen_n;
    int depth;
    uint64_t entries;           /* directory entries read, refused ones too */
};

/* Directory entries in all (a forged listing of millions of refused names must not grow the problem list forever). */
#define MAX_ENTRIES 2000000u

static int seen_before(struct walk3 *w, uint64_t ref) {
    uint64_t key = ref + 1;
    if (w->seen_n * 2 >= w->seen_cap) {
        size_t cap = w->seen_cap ? w->seen_cap * 2 : 1024;
        uint64_t *t = calloc(cap, sizeof(uint64_t));
        if (!t) return -1;
        for (size_t i = 0; i < w->seen_cap; i++) if (w->seen[i]) {
            size_t h = (size_t)(w->seen[i] * 0x9E3779B97F4A7C15ull) & (cap - 1);
            while (t[h]) h = (h + 1) & (cap - 1);
            t[h] = w->seen[i];
        }
        free(w->seen); w->seen = t; w->seen_cap = cap;
    }
    size_t h = (size_t)(key * 0x9E3779B97F4A7C15ull) & (w->seen_cap - 1);
    while (w->seen[h]) { if (w->seen[h] == key) return 1; h = (h + 1) & (w->seen_cap - 1); }
    w->seen[h] = key; w->seen_n++;
    return 0;
}

static int walk_dir(struct walk3 *w, const struct inode *dir, uint64_t ref, const char *path);

static int visit_entry(struct walk3 *w, const char *child, uint64_t ref) {
    struct sq3 *s = w->s;
    struct inode in;
    if (read_inode(s, ref, &in)) return -1;
    unsigned mode = in.mode & 07777;
    switch (in.type) {
    case T_DIR: {
        int r = seen_before(w, ref);
        if (r < 0) return fail(s, "out of memory%.0llu%.0llu", 0, 0);
        if (r) { snprintf(s->err, s->errlen, "corrupt image: directory '%s' is one already read (a directory loop)", child); return -1; }
        if (w->visit(w->ctx, child, 2, NULL, NULL, 0, 0, mode, 1)) return -1;
        return walk_dir(w, &in, ref, child);
    }
    case T_FILE: {
        if (w->spool_path && strcmp(child, w->spool_path) == 0) {
            uint64_t got = 0;
            int r = file_data(s, &in, NULL, in.size, &got, w->block, w->spool_fd);
            if (r == -2) { snprintf(s->err, s->errlen, "'%s' expands beyond %llu bytes; refusing it (archive bomb?)", child, (unsigned long long)s->max_total); return -1; }
            if (r == -3) { snprintf(s->err, s->errlen, "cannot hold '%s' in memory: %s", child, strerror(errno)); return -1; }
            if (r != 0 || got != in.size) { snprintf(s->err, s->errlen, "corrupt image: cannot read '%s'", child); return -1; }
            w->spooled = 1;
            return 0;
        }
        uint64_t want = in.size < w->max_file ? in.size : w->max_file, got = 0;
        int complete = 1;
        if (s->total >= s->max_total) want = 0;
        int r = file_data(s, &in, w->buf, want, &got, w->block, -1);
        if (r == -2) { complete = 0; }
        else if (r != 0) {
            /* A file whose blocks cannot be read: the rest of the image is still audited, the file is reported. */
            w->refused(w->ctx, child, -1, NULL, NULL, 0, 0, 0, 0);
            complete = 0;
        }
        if (got < in.size) complete = 0;
        return w->visit(w->ctx, child, 1, NULL, w->buf, (size_t)got, in.size, mode, complete) ? -1 : 0;
    }
    case T_SYMLINK: {
        char *target = malloc((size_t)in.size + 1);
        if (!target) return fail(s, "out of memory%.0llu%.0llu", 0, 0);
        if (meta_read(s, &in.target, target, (size_t)in.size)) { free(target); return -1; }
        target[in.size] = 0;
        int r = w->visit(w->ctx, child, 3, target, NULL, 0, in.size, 0777, 1);
        free(target);
        return r ? -1 : 0;
    }
    case T_FIFO: return w->visit(w->ctx, child, 4, NULL, NULL, 0, 0, mode, 1) ? -1 : 0;
    case T_SOCKET: return w->visit(w->ctx, child, 5, NULL, NULL, 0, 0, mode, 1) ? -1 : 0;
    case T_CHRDEV: return w->visit(w->ctx, child, 6, NULL, NULL, 0, 0, mode, 1) ? -1 : 0;
    case T_BLKDEV: return w->visit(w->ctx, child, 7, NULL, NULL, 0, 0, mode, 1) ? -1 : 0;
    }
    return 0;
}

static int walk_dir(struct walk3 *w, const struct inode *dir, uint64_t ref, const char *path) {
    struct sq3 *s = w->s;
    (void)ref;
    if (++w->depth > 256) { snprintf(s->err, s->errlen, "directory nesting deeper than 256 levels"); return -1; }
    if (dir->dir_off >= META_SIZE || dir->start >= s->size - s->dir_start)
        return fail(s, "corrupt image: a directory listing (%llu, %llu) is outside the directory table", dir->start, dir->dir_off);
    /* file_size counts "." and ".." as 3 bytes. */
    uint64_t left = dir->size > 3 ? dir->size - 3 : 0;
    struct cursor c = { s->dir_start + dir->start, dir->dir_off };
    size_t plen = strlen(path);
    char *child = malloc(plen + 258);
    if (!child) return fail(s, "out of memory%.0llu%.0llu", 0, 0);
    memcpy(child, path, plen);
    child[plen] = '/';
    int rc = 0;
    while (left > 0 && rc == 0) {
        unsigned char h[9];
        if (left < 9) { rc = fail(s, "corrupt image: a directory listing ends inside a header (%llu bytes left)%.0llu", left, 0); break; }
        if (meta_read(s, &c, h, 9)) { rc = -1; break; }
        left -= 9;
        unsigned count = (unsigned)field(h, 72, 0, 8, s->be) + 1;
        uint64_t iblock = field(h, 72, 8, 32, s->be);
        for (unsigned k = 0; k < count && rc == 0; k++) {
            unsigned char e[5];
            if (left < 5) { rc = fail(s, "corrupt image: a directory listing ends inside an entry (%llu bytes left)%.0llu", left, 0); break; }
            if (meta_read(s, &c, e, 5)) { rc = -1; break; }
            left -= 5;
            if (++w->entries > MAX_ENTRIES) { rc = fail(s, "more than %llu directory entries; refusing the image%.0llu", MAX_ENTRIES, 0); break; }
            unsigned ioff = (unsigned)field(e, 40, 0, 13, s->be);
            unsigned nlen = (unsigned)field(e, 40, 16, 8, s->be) + 1;
            if (left < nlen) { rc = fail(s, "corrupt image: a name runs past its directory listing (%llu bytes left, %llu needed)", left, nlen); break; }
            if (meta_read(s, &c, child + plen + 1, nlen)) { rc = -1; break; }
            left -= nlen;
            char *name = child + plen + 1;
            name[nlen] = 0;
            if (memchr(name, 0, nlen) || memchr(name, '/', nlen) || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                for (unsigned q = 0; q < nlen; q++) if (name[q] == 0) name[q] = '?';
                w->refused(w->ctx, child, 0, NULL, NULL, 0, 0, 0, 0);
                continue;
            }
            if (visit_entry(w, child, iblock << 16 | ioff) != 0) rc = -1;
        }
    }
    free(child);
    w->depth--;
    return rc;
}

int bl_sqfs3_probe_lzma(const unsigned char *b, size_t n, int be, uint64_t inode_start, int check) {
    /* The first inode table block: LZMA when compressed and starting 0x5D (sqlzma) or 0x00 (bare stream). */
    unsigned hdr = 2 + (check ? 1 : 0);
    if (inode_start > n || n - inode_start < hdr + 1) return 0;
    unsigned word = be ? (unsigned)b[inode_start] << 8 | b[inode_start + 1] : (unsigned)b[inode_start + 1] << 8 | b[inode_start];
    return !(word & META_UNCOMPRESSED) && (b[inode_start + hdr] == 0x5D || b[inode_start + hdr] == 0x00);
}

int bl_sqfs3_read(const char *file, uint64_t offset, size_t max_file, uint64_t max_total, void *ctx, bl_sqfs_visit visit,
                  bl_sqfs_visit refused, const char *spool_path, int spool_fd, char *err, size_t errlen) {
    int ret = -1;
    struct sq3 s;
    struct walk3 w;
    memset(&s, 0, sizeof(s));
    memset(&w, 0, sizeof(w));
    err[0] = 0;
    s.err = err; s.errlen = errlen; s.max_total = max_total;
    void *map = MAP_FAILED;
    size_t maplen = 0;
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) { snprintf(err, errlen, "cannot open the image"); if (fd >= 0) close(fd); return -1; }
    maplen = (size_t)st.st_size;
    if ((uint64_t)st.st_size < offset || (uint64_t)st.st_size - offset < 119) {
        close(fd);
        snprintf(err, errlen, "not a valid SquashFS 3 image (no room for a super block)");
        return -1;
    }
    map = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) { snprintf(err, errlen, "cannot map the image: %s", strerror(errno)); return -1; }
    const unsigned char *sb = (const unsigned char *)map + offset;
    uint64_t avail = (uint64_t)st.st_size - offset;
    /* sqlzma's own magics (sqmagic.h SQUASHFS_MAGIC_LZMA, 'shsq' little-endian, 'qshs' big-endian) mark the same layout. */
    if (memcmp(sb, "hsqs", 4) == 0 || memcmp(sb, "shsq", 4) == 0) s.be = 0;
    else if (memcmp(sb, "sqsh", 4) == 0 || memcmp(sb, "qshs", 4) == 0) s.be = 1;
    else { snprintf(err, errlen, "not a valid SquashFS image (bad magic)"); goto out; }
    s.img = sb;
    /* squashfs_super_block_3 (119 bytes, packed). */
    unsigned major = (unsigned)num(&s, sb + 28, 2), minor = (unsigned)num(&s, sb + 30, 2);
    if (major != 3 || minor > 1) { snprintf(err, errlen, "SquashFS %u.%u is not read natively (3.0 and 3.1 are)", major, minor); goto out; }
    unsigned block_log = (unsigned)num(&s, sb + 34, 2), flags = sb[36];
    s.check = (flags & FLAG_CHECK) != 0;
    uint64_t root = num(&s, sb + 43, 8);
    s.block_size = (uint32_t)num(&s, sb + 51, 4);
    s.fragments = (uint32_t)num(&s, sb + 55, 4);
    uint64_t bytes_used = num(&s, sb + 63, 8);
    s.inode_start = num(&s, sb + 87, 8);
    s.dir_start = num(&s, sb + 95, 8);
    s.frag_start = num(&s, sb + 103, 8);
    if (s.block_size < 4096 || s.block_size > (1u << 20) || (s.block_size & (s.block_size - 1)) || block_log >= 32 || (1u << block_log) != s.block_size) {
        snprintf(err, errlen, "corrupt image: block size %u (log %u) is not a power of two from 4 KiB to 1 MiB", s.block_size, block_log); goto out;
    }
    if (bytes_used < 119 || bytes_used > avail) {
        snprintf(err, errlen, "corrupt or truncated image: the super block says %llu bytes, the file has %llu",
                 (unsigned long long)bytes_used, (unsigned long long)avail);
        goto out;
    }
    s.size = bytes_used;
    if (s.inode_start < 119 || s.inode_start >= s.dir_start || s.dir_start >= s.size) {
        snprintf(err, errlen, "corrupt image: the inode table (%llu) and directory table (%llu) are not inside %llu bytes",
                 (unsigned long long)s.inode_start, (unsigned long long)s.dir_start, (unsigned long long)s.size);
        goto out;
    }
    /* Every fragment block takes at least a byte of the image; the index is 8 bytes per 512 fragments. */
    if (s.fragments > s.size || (s.fragments > 0 && (s.frag_start >= s.size || s.size - s.frag_start < ((uint64_t)s.fragments + 511) / 512 * 8))) {
        snprintf(err, errlen, "corrupt image: the super block claims %u fragments (index at %llu) in %llu bytes",
                 s.fragments, (unsigned long long)s.frag_start, (unsigned long long)s.size);
        goto out;
    }
    s.cache = calloc(CACHE_SLOTS, sizeof(struct meta_slot));
    s.frag_buf = malloc(s.block_size);
    w.block = malloc(s.block_size);
    w.buf = malloc(max_file > 0 ? max_file : 1);
    if (!s.cache || !s.frag_buf || !w.block || !w.buf) { snprintf(err, errlen, "out of memory"); goto out; }
    lzma_stream init = LZMA_STREAM_INIT;
    s.lz = init;
    w.s = &s; w.max_file = max_file; w.ctx = ctx; w.visit = visit; w.refused = refused;
    w.spool_path = spool_path; w.spool_fd = spool_fd;
    struct inode rin;
    if (read_inode(&s, root, &rin)) goto out;
    if (rin.type != T_DIR) { snprintf(err, errlen, "corrupt image: the root inode is not a directory"); goto out; }
    seen_before(&w, root);
    if (walk_dir(&w, &rin, root, "") != 0) { if (!err[0]) snprintf(err, errlen, "stopped"); goto out; }
    if (spool_path && !w.spooled) { snprintf(err, errlen, "no regular file '%s' in the image", spool_path); goto out; }
    ret = 0;
out:
    if (s.z_ready) inflateEnd(&s.z);
    lzma_end(&s.lz);
    free(s.cache); free(s.frag_buf); free(w.block); free(w.buf); free(w.seen);
    if (map != MAP_FAILED) munmap(map, maplen);
    return ret;
}
