// JFFS2 read natively from the mapped image, in place (either byte order; data nodes stored plain, as zeros, or
// compressed with rtime, zlib or OpenWrt's LZMA): every node whose header, node and data CRCs check is collected, the
// newest directory entry per (parent, name) wins (inode 0: deleted), a file is rebuilt from its data nodes in version
// order, and the tree is walked from inode 1 into the visitor. Nothing is extracted to disk. Hostile images are
// contained: every length is checked against the image, names that are not one path component are refused, a
// directory reached twice (a loop) is not entered again, the depth is bounded, and decompressed bytes count against
// max_total. Layouts follow the kernel's include/uapi/linux/jffs2.h; the LZMA parameters those of OpenWrt's
// JFFS2_COMPR_LZMA patch (lc=0 lp=0 pb=0, 8 KiB dictionary), as jefferson reads them.
#include "CImageReaders.h"
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

enum { NT_DIRENT = 0xE001, NT_INODE = 0xE002 };
enum { C_NONE = 0, C_ZERO = 1, C_RTIME = 2, C_ZLIB = 6, C_LZMA = 8 };
#define MAX_NODES (4u << 20)
#define MAX_DEPTH 64
#define MAX_DSIZE (1u << 20)

struct dent { uint32_t pino, version, ino; const uint8_t *name; uint8_t nsize; };
struct inod { uint32_t ino, version, mode, isize, offset, csize, dsize; uint8_t compr, seen; const uint8_t *data; };

struct jr {
    const uint8_t *b; size_t n; int be;
    struct dent *d; size_t nd, capd;
    struct inod *in; size_t ni, capi;
    size_t max_file; uint64_t max_total, total;
    void *ctx; bl_sqfs_visit visit, refused;
    char *err; size_t errlen;
    uint8_t *tmp;
};

static uint32_t r16(const struct jr *j, size_t o) { return j->be ? (uint32_t)j->b[o] << 8 | j->b[o + 1] : j->b[o] | (uint32_t)j->b[o + 1] << 8; }
static uint32_t r32(const struct jr *j, size_t o) {
    return j->be ? (uint32_t)j->b[o] << 24 | (uint32_t)j->b[o + 1] << 16 | (uint32_t)j->b[o + 2] << 8 | j->b[o + 3]
                 : j->b[o] | (uint32_t)j->b[o + 1] << 8 | (uint32_t)j->b[o + 2] << 16 | (uint32_t)j->b[o + 3] << 24;
}
// JFFS2's CRC-32: seed 0, no inversion (zlib's crc32 inverts before and after).
static uint32_t jcrc(const uint8_t *p, size_t len) { return ~(uint32_t)crc32(0xFFFFFFFFul, p, (uInt)len); }

static int fail(struct jr *j, const char *msg) { snprintf(j->err, j->errlen, "%s", msg); return -1; }

static int push(void **arr, size_t *n, size_t *cap, size_t size) {
    if (*n < *cap) return 0;
    size_t c = *cap ? *cap * 2 : 1024;
    void *p = realloc(*arr, c * size);
    if (!p) return -1;
    *arr = p; *cap = c;
    return 0;
}

static int scan(struct jr *j) {
    size_t o = 0;
    while (o + 12 <= j->n) {
        if (r16(j, o) != 0x1985 || jcrc(j->b + o, 8) != r32(j, o + 8)) { o += 4; continue; }
        uint32_t type = r16(j, o + 2), tot = r32(j, o + 4);
        if (tot < 12 || tot > j->n - o) { o += 4; continue; }
        if (j->nd + j->ni >= MAX_NODES) return fail(j, "more than 4,194,304 JFFS2 nodes; refusing the image");
        if (type == NT_DIRENT && tot >= 40 && jcrc(j->b + o, 32) == r32(j, o + 32)) {
            uint8_t ns = j->b[o + 28];
            if (40u + ns <= tot && jcrc(j->b + o + 40, ns) == r32(j, o + 36)) {
                if (push((void **)&j->d, &j->nd, &j->capd, sizeof *j->d)) return fail(j, "out of memory");
                j->d[j->nd++] = (struct dent){ r32(j, o + 12), r32(j, o + 16), r32(j, o + 20), j->b + o + 40, ns };
            }
        } else if (type == NT_INODE && tot >= 68 && jcrc(j->b + o, 60) == r32(j, o + 64)) {
            uint32_t csize = r32(j, o + 48);
            if (68ull + csize <= tot && (csize == 0 || jcrc(j->b + o + 68, csize) == r32(j, o + 60))) {
                if (push((void **)&j->in, &j->ni, &j->capi, sizeof *j->in)) return fail(j, "out of memory");
                j->in[j->ni++] = (struct inod){ r32(j, o + 12), r32(j, o + 16), r32(j, o + 20), r32(j, o + 28), r32(j, o + 44),
                                               csize, r32(j, o + 52), j->b[o + 56], 0, j->b + o + 68 };
            }
        }
        o += ((size_t)tot + 3) & ~(size_t)3;
    }
    return 0;
}

static int cmp_dent(const void *a, const void *b) {
    const struct dent *x = a, *y = b;
    if (x->pino != y->pino) return x->pino < y->pino ? -1 : 1;
    size_t m = x->nsize < y->nsize ? x->nsize : y->nsize;
    int c = memcmp(x->name, y->name, m);
    if (c) return c;
    if (x->nsize != y->nsize) return x->nsize < y->nsize ? -1 : 1;
    return x->version < y->version ? -1 : x->version > y->version;
}
static int cmp_inod(const void *a, const void *b) {
    const struct inod *x = a, *y = b;
    if (x->ino != y->ino) return x->ino < y->ino ? -1 : 1;
    return x->version < y->version ? -1 : x->version > y->version;
}

// rtime (the kernel's compr_rtime.c): a byte, then how many bytes to copy from after its previous occurrence.
static int rtime(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen) {
    size_t pos[256] = { 0 }, o = 0, i = 0;
    while (o < outlen) {
        if (i + 2 > inlen) return -1;
        uint8_t v = in[i++];
        size_t rep = in[i++], back = pos[v];
        out[o++] = v;
        pos[v] = o;
        if (rep > outlen - o) return -1;
        while (rep--) out[o++] = out[back++];
    }
    return 0;
}

static int decompress(struct jr *j, const struct inod *n, uint8_t *out) {
    switch (n->compr) {
    case C_NONE: if (n->csize < n->dsize) return -1; memcpy(out, n->data, n->dsize); return 0;
    case C_ZERO: memset(out, 0, n->dsize); return 0;
    case C_RTIME: return rtime(n->data, n->csize, out, n->dsize);
    case C_ZLIB: {
        uLongf len = n->dsize;
        return uncompress(out, &len, n->data, n->csize) == Z_OK && len == n->dsize ? 0 : -1;
    }
    case C_LZMA: {
        lzma_options_lzma opt = { .dict_size = 0x2000, .lc = 0, .lp = 0, .pb = 0 };
        lzma_filter f[2] = { { .id = LZMA_FILTER_LZMA1, .options = &opt }, { .id = LZMA_VLI_UNKNOWN } };
        lzma_stream s = LZMA_STREAM_INIT;
        if (lzma_raw_decoder(&s, f) != LZMA_OK) return -1;
        s.next_in = n->data; s.avail_in = n->csize; s.next_out = out; s.avail_out = n->dsize;
        lzma_ret r = lzma_code(&s, LZMA_FINISH);
        size_t got = n->dsize - s.avail_out;
        lzma_end(&s);
        return (r == LZMA_OK || r == LZMA_STREAM_END) && got == n->dsize ? 0 : -1;
    }
    default: (void)j; return -1;
    }
}

// The inode nodes of `ino` (sorted by version), as [lo, hi).
static void nodes_of(const struct jr *j, uint32_t ino, size_t *lo, size_t *hi) {
    size_t a = 0, b = j->ni;
    while (a < b) { size_t m = (a + b) / 2; if (j->in[m].ino < ino) a = m + 1; else b = m; }
    *lo = a;
    while (b < j->ni && j->in[b].ino == ino) b++;
    *hi = b;
}

static int visit_inode(struct jr *j, const char *path, uint32_t ino, int depth);

static int walk_dir(struct jr *j, const char *path, uint32_t dino, int depth) {
    if (depth > MAX_DEPTH) return 0;
    size_t a = 0, b = j->nd;
    while (a < b) { size_t m = (a + b) / 2; if (j->d[m].pino < dino) a = m + 1; else b = m; }
    for (size_t k = a; k < j->nd && j->d[k].pino == dino; k++) {
        const struct dent *e = &j->d[k];
        // The newest entry of each name only (sorted by name, then version).
        if (k + 1 < j->nd && j->d[k + 1].pino == dino && j->d[k + 1].nsize == e->nsize && !memcmp(j->d[k + 1].name, e->name, e->nsize)) continue;
        if (e->ino == 0) continue;                       // unlinked
        char child[4096];
        int bad = e->nsize == 0 || memchr(e->name, '/', e->nsize) || memchr(e->name, 0, e->nsize)
                  || (e->nsize == 1 && e->name[0] == '.') || (e->nsize == 2 && e->name[0] == '.' && e->name[1] == '.');
        int len = snprintf(child, sizeof child, "%s/%.*s", strcmp(path, "/") ? path : "", (int)e->nsize, (const char *)e->name);
        if (len < 0 || (size_t)len >= sizeof child) bad = 1;
        if (bad) {
            char shown[300];
            snprintf(shown, sizeof shown, "%s/%.*s", strcmp(path, "/") ? path : "", (int)(e->nsize > 200 ? 200 : e->nsize), (const char *)e->name);
            for (char *c = shown; *c; c++) if ((unsigned char)*c < 32) *c = '?';
            if (j->refused(j->ctx, shown, 0, NULL, NULL, 0, 0, 0, 0)) return 1;
            continue;
        }
        int rc = visit_inode(j, child, e->ino, depth + 1);
        if (rc) return rc;
    }
    return 0;
}

static int visit_inode(struct jr *j, const char *path, uint32_t ino, int depth) {
    size_t lo, hi;
    nodes_of(j, ino, &lo, &hi);
    if (lo == hi) return 0;                               // an entry whose inode has no (valid) node
    const struct inod *last = &j->in[hi - 1];
    uint32_t mode = last->mode, fmt = mode & S_IFMT;
    if (fmt == S_IFDIR) {
        if (j->in[lo].seen) return 0;                     // a directory reached again (a loop, or linked twice)
        j->in[lo].seen = 1;
        if (j->visit(j->ctx, path, 2, NULL, NULL, 0, 0, mode & 07777, 1)) return 1;
        return walk_dir(j, path, ino, depth);
    }
    if (fmt == S_IFLNK) {
        char target[4097];
        size_t tl = last->dsize < 4096 ? last->dsize : 4096;
        struct inod n = *last;
        n.dsize = (uint32_t)tl;
        if (tl > 0 && decompress(j, &n, (uint8_t *)target) != 0) tl = 0;
        target[tl] = 0;
        return j->visit(j->ctx, path, 3, target, NULL, 0, tl, 0777, 1);
    }
    if (fmt != S_IFREG) {
        int kind = fmt == S_IFIFO ? 4 : fmt == S_IFSOCK ? 5 : fmt == S_IFCHR ? 6 : fmt == S_IFBLK ? 7 : 0;
        return kind ? j->visit(j->ctx, path, kind, NULL, NULL, 0, 0, mode & 07777, 1) : 0;
    }
    uint64_t size = last->isize;
    size_t keep = size < j->max_file ? (size_t)size : j->max_file;
    uint8_t *buf = keep ? calloc(keep, 1) : NULL;
    if (keep && !buf) return fail(j, "out of memory");
    int complete = size <= j->max_file, damaged = 0;
    for (size_t k = lo; k < hi; k++) {
        const struct inod *n = &j->in[k];
        if (n->dsize == 0 || n->offset >= keep) continue;
        if (n->dsize > MAX_DSIZE) { damaged = 1; continue; }
        j->total += n->dsize;
        if (j->total > j->max_total) { free(buf); return fail(j, "the JFFS2 image expands beyond the limit (a decompression bomb?)"); }
        if (decompress(j, n, j->tmp) != 0) { damaged = 1; continue; }
        size_t take = n->dsize < keep - n->offset ? n->dsize : keep - n->offset;
        memcpy(buf + n->offset, j->tmp, take);
    }
    if (damaged) {
        complete = 0;
        if (j->refused(j->ctx, path, -1, NULL, NULL, 0, 0, 0, 0)) { free(buf); return 1; }
    }
    int rc = j->visit(j->ctx, path, 1, NULL, buf, keep, size, mode & 07777, complete);
    free(buf);
    return rc;
}

int bl_jffs2_read(const char *file, uint64_t offset, uint64_t length, int big_endian, size_t max_file, uint64_t max_total,
                  void *ctx, bl_sqfs_visit visit, bl_sqfs_visit refused, char *err, size_t errlen) {
    struct jr j = { .be = big_endian, .max_file = max_file, .max_total = max_total, .ctx = ctx, .visit = visit,
                    .refused = refused, .err = err, .errlen = errlen };
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { snprintf(err, errlen, "%s", strerror(errno)); return -1; }
    struct stat st;
    if (fstat(fd, &st) != 0 || offset > (uint64_t)st.st_size) { close(fd); snprintf(err, errlen, "the JFFS2 image is outside the file"); return -1; }
    size_t fsize = (size_t)st.st_size;
    const uint8_t *map = fsize ? mmap(NULL, fsize, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (fsize && map == MAP_FAILED) { snprintf(err, errlen, "cannot map the image: %s", strerror(errno)); return -1; }
    j.b = map + offset;
    j.n = length && length < fsize - offset ? (size_t)length : fsize - (size_t)offset;
    size_t lo = 0, hi = 0;
    int rc = scan(&j);
    if (rc == 0 && j.ni == 0) rc = fail(&j, "no valid JFFS2 inode node (wrong byte order, or not JFFS2)");
    if (rc == 0) {
        qsort(j.d, j.nd, sizeof *j.d, cmp_dent);
        qsort(j.in, j.ni, sizeof *j.in, cmp_inod);
        j.tmp = malloc(MAX_DSIZE);
        if (!j.tmp) rc = fail(&j, "out of memory");
        else if (visit(ctx, "/", 2, NULL, NULL, 0, 0, 0755, 1)) rc = fail(&j, "stopped: too many entries");
        else {
            nodes_of(&j, 1, &lo, &hi);
            if (lo < hi) j.in[lo].seen = 1;               // the root is walked once, here
            if ((rc = walk_dir(&j, "/", 1, 0)) > 0) rc = fail(&j, "stopped: too many entries");
        }
    }
    free(j.d); free(j.in); free(j.tmp);
    if (map && map != MAP_FAILED) munmap((void *)map, fsize);
    return rc;
}
