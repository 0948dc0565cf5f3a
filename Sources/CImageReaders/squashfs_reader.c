#define _GNU_SOURCE
#include "CImageReaders.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/super.h>

int bl_sqfs_probe(const char *file) {
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return -errno;
    char magic[4] = {0};
    ssize_t n = read(fd, magic, 4);
    close(fd);
    return n == 4 && memcmp(magic, "hsqs", 4) == 0;
}

struct walk {
    sqfs_data_reader_t *data;
    size_t max_file;
    uint64_t max_total;
    uint64_t total;
    void *ctx;
    bl_sqfs_visit visit, refused;
    unsigned char *buf;
    char *err;
    size_t errlen;
    int depth;
    const char *spool_path;   // stream this regular file whole into spool_fd (nested images)
    int spool_fd;
    int spooled;
};

static int kind_of(const sqfs_inode_generic_t *in) {
    switch (in->base.type) {
    case SQFS_INODE_FILE: case SQFS_INODE_EXT_FILE: return 1;
    case SQFS_INODE_DIR: case SQFS_INODE_EXT_DIR: return 2;
    case SQFS_INODE_SLINK: case SQFS_INODE_EXT_SLINK: return 3;
    case SQFS_INODE_FIFO: case SQFS_INODE_EXT_FIFO: return 4;
    case SQFS_INODE_SOCKET: case SQFS_INODE_EXT_SOCKET: return 5;
    case SQFS_INODE_CDEV: case SQFS_INODE_EXT_CDEV: return 6;
    case SQFS_INODE_BDEV: case SQFS_INODE_EXT_BDEV: return 7;
    default: return 0;
    }
}

static int visit_node(struct walk *w, const sqfs_tree_node_t *node, const char *path) {
    if (++w->depth > 256) { snprintf(w->err, w->errlen, "directory nesting deeper than 256 levels"); return -1; }
    for (const sqfs_tree_node_t *c = node->children; c; c = c->next) {
        const char *name = (const char *)c->name;
        size_t plen = strlen(path), nlen = strlen(name);
        char *child = malloc(plen + nlen + 2);
        if (!child) { snprintf(w->err, w->errlen, "out of memory"); return -1; }
        memcpy(child, path, plen);
        child[plen] = '/';
        memcpy(child + plen + 1, name, nlen + 1);
        if (nlen == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/')) {
            w->refused(w->ctx, child, 0, NULL, NULL, 0, 0, 0, 0);
            free(child);
            continue;
        }
        const sqfs_inode_generic_t *in = c->inode;
        int kind = kind_of(in);
        int rc = 0;
        if (kind == 1 && w->spool_path && strcmp(child, w->spool_path) == 0) {
            sqfs_u64 size = 0, off = 0;
            sqfs_inode_get_file_size(in, &size);
            unsigned char *chunk = malloc(1048576);
            if (!chunk) { free(child); return -1; }
            while (off < size) {
                if (w->total + (size - off > 1048576 ? 1048576 : size - off) > w->max_total) {
                    snprintf(w->err, w->errlen, "'%s' expands beyond %llu bytes; refusing it (archive bomb?)", child, (unsigned long long)w->max_total);
                    free(chunk); free(child); return -1;
                }
                sqfs_u32 want = (sqfs_u32)(size - off > 1048576 ? 1048576 : size - off);
                sqfs_s32 r = sqfs_data_reader_read(w->data, in, off, chunk, want);
                if (r <= 0) { snprintf(w->err, w->errlen, "corrupt image: cannot read '%s' (libsquashfs error %d)", child, (int)r); free(chunk); free(child); return -1; }
                for (sqfs_s32 done = 0; done < r;) {
                    ssize_t n = write(w->spool_fd, chunk + done, (size_t)(r - done));
                    if (n < 0) { if (errno == EINTR) continue; snprintf(w->err, w->errlen, "cannot hold '%s' in memory: %s", child, strerror(errno)); free(chunk); free(child); return -1; }
                    done += (sqfs_s32)n;
                }
                off += (sqfs_u64)r;
                w->total += (uint64_t)r;
            }
            free(chunk);
            w->spooled = 1;
        } else if (kind == 1) {
            sqfs_u64 size = 0;
            sqfs_inode_get_file_size(in, &size);
            size_t want = size < w->max_file ? (size_t)size : w->max_file;
            size_t got = 0;
            int complete = 1;
            while (got < want) {
                if (w->total >= w->max_total) { complete = 0; break; }
                sqfs_u32 chunk = (sqfs_u32)(want - got > 1048576 ? 1048576 : want - got);
                sqfs_s32 r = sqfs_data_reader_read(w->data, in, got, w->buf + got, chunk);
                if (r < 0) {
                    /* A file whose blocks cannot be read: the rest of the image is still audited, the file is reported. */
                    w->refused(w->ctx, child, -1, NULL, NULL, 0, 0, 0, 0);
                    complete = 0;
                    break;
                }
                if (r == 0) break;
                got += (size_t)r;
                w->total += (uint64_t)r;
            }
            if (got < size) complete = 0;
            rc = w->visit(w->ctx, child, 1, NULL, w->buf, got, size, in->base.mode & 07777, complete);
        } else if (kind == 3) {
            size_t tlen = in->data.slink.target_size;
            char *target = malloc(tlen + 1);
            if (!target) { free(child); return -1; }
            memcpy(target, (const char *)in->extra, tlen);
            target[tlen] = 0;
            rc = w->visit(w->ctx, child, 3, target, NULL, 0, tlen, 0777, 1);
            free(target);
        } else if (kind == 2) {
            rc = w->visit(w->ctx, child, 2, NULL, NULL, 0, 0, in->base.mode & 07777, 1);
            if (rc == 0 && visit_node(w, c, child) != 0) rc = -1;
        } else if (kind != 0) {
            rc = w->visit(w->ctx, child, kind, NULL, NULL, 0, 0, in->base.mode & 07777, 1);
        }
        free(child);
        if (rc != 0) return -1;
    }
    w->depth--;
    return 0;
}

/* A window of a file: a SquashFS carved out of a vendor firmware file at `offset` is read in place. */
struct window_file {
    sqfs_file_t base;
    sqfs_file_t *inner;
    sqfs_u64 offset;
};

static int window_read_at(sqfs_file_t *f, sqfs_u64 off, void *buf, size_t size) {
    struct window_file *w = (struct window_file *)f;
    if (off + w->offset < off) return SQFS_ERROR_OUT_OF_BOUNDS;
    return w->inner->read_at(w->inner, off + w->offset, buf, size);
}
static int window_write_at(sqfs_file_t *f, sqfs_u64 off, const void *buf, size_t size) {
    (void)f; (void)off; (void)buf; (void)size;
    return SQFS_ERROR_IO;
}
static sqfs_u64 window_get_size(const sqfs_file_t *f) {
    const struct window_file *w = (const struct window_file *)f;
    sqfs_u64 n = w->inner->get_size(w->inner);
    return n > w->offset ? n - w->offset : 0;
}
static int window_truncate(sqfs_file_t *f, sqfs_u64 size) { (void)f; (void)size; return SQFS_ERROR_IO; }
static void window_destroy(sqfs_object_t *o) {
    struct window_file *w = (struct window_file *)o;
    sqfs_destroy(w->inner);
    free(w);
}

static sqfs_file_t *open_window(const char *file, uint64_t offset) {
    sqfs_file_t *inner = sqfs_open_file(file, SQFS_FILE_OPEN_READ_ONLY);
    if (!inner || offset == 0) return inner;
    struct window_file *w = calloc(1, sizeof(*w));
    if (!w) { sqfs_destroy(inner); return NULL; }
    w->inner = inner;
    w->offset = offset;
    w->base.base.destroy = window_destroy;
    w->base.base.copy = NULL;
    w->base.read_at = window_read_at;
    w->base.write_at = window_write_at;
    w->base.get_size = window_get_size;
    w->base.truncate = window_truncate;
    return &w->base;
}

int bl_spool_fd(void) {
    int fd = memfd_create("baseline-nested-image", MFD_CLOEXEC);
    if (fd < 0) {
        const char *dir = getenv("TMPDIR");
        fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    }
    return fd < 0 ? -errno : fd;
}

int bl_sqfs_read(const char *file, size_t max_file, uint64_t max_total, void *ctx, bl_sqfs_visit visit,
                 bl_sqfs_visit refused, char *err, size_t errlen) {
    return bl_sqfs_read_spool(file, 0, max_file, max_total, ctx, visit, refused, NULL, -1, err, errlen);
}

int bl_sqfs_read_spool(const char *file, uint64_t offset, size_t max_file, uint64_t max_total, void *ctx, bl_sqfs_visit visit,
                       bl_sqfs_visit refused, const char *spool_path, int spool_fd, char *err, size_t errlen) {
    int ret = -1;
    sqfs_file_t *f = NULL;
    sqfs_compressor_t *cmp = NULL;
    sqfs_id_table_t *idtbl = NULL;
    sqfs_dir_reader_t *dr = NULL;
    sqfs_data_reader_t *data = NULL;
    sqfs_tree_node_t *root = NULL;
    sqfs_super_t super;
    sqfs_compressor_config_t cfg;
    struct walk w;
    memset(&w, 0, sizeof(w));
    err[0] = 0;

    f = open_window(file, offset);
    if (!f) { snprintf(err, errlen, "cannot open the image"); goto out; }
    if (sqfs_super_read(&super, f)) { snprintf(err, errlen, "not a valid SquashFS image (bad super block)"); goto out; }
    if (super.bytes_used > f->get_size(f)) {
        snprintf(err, errlen, "corrupt or truncated image: the super block says %llu bytes, the file has %llu",
                 (unsigned long long)super.bytes_used, (unsigned long long)f->get_size(f));
        goto out;
    }
    /* Every fragment block takes at least a byte of the image: a larger count is a forged super block, and
       libsquashfs would allocate its table (16 bytes an entry) before finding out (found by Fuzz/, target image). */
    if (super.fragment_entry_count > super.bytes_used) {
        snprintf(err, errlen, "corrupt image: the super block claims %u fragments in %llu bytes",
                 (unsigned)super.fragment_entry_count, (unsigned long long)super.bytes_used);
        goto out;
    }
    if (sqfs_compressor_config_init(&cfg, super.compression_id, super.block_size, SQFS_COMP_FLAG_UNCOMPRESS) ||
        sqfs_compressor_create(&cfg, &cmp)) {
        snprintf(err, errlen, "unsupported SquashFS compressor (id %u)", (unsigned)super.compression_id); goto out;
    }
    idtbl = sqfs_id_table_create(0);
    if (!idtbl || sqfs_id_table_read(idtbl, f, &super, cmp)) { snprintf(err, errlen, "corrupt image: cannot read the id table"); goto out; }
    dr = sqfs_dir_reader_create(&super, cmp, f, 0);
    data = sqfs_data_reader_create(f, super.block_size, cmp, 0);
    if (!dr || !data) { snprintf(err, errlen, "out of memory"); goto out; }
    if (sqfs_data_reader_load_fragment_table(data, &super)) { snprintf(err, errlen, "corrupt image: cannot read the fragment table"); goto out; }
    int r = sqfs_dir_reader_get_full_hierarchy(dr, idtbl, NULL, 0, &root);
    if (r) { snprintf(err, errlen, "corrupt image: cannot read the directory tree (libsquashfs error %d)", r); goto out; }
    w.data = data; w.max_file = max_file; w.max_total = max_total; w.ctx = ctx; w.visit = visit; w.refused = refused;
    w.err = err; w.errlen = errlen; w.spool_path = spool_path; w.spool_fd = spool_fd;
    w.buf = malloc(max_file > 0 ? max_file : 1);
    if (!w.buf) { snprintf(err, errlen, "out of memory"); goto out; }
    if (visit_node(&w, root, "") != 0) { if (!err[0]) snprintf(err, errlen, "stopped"); goto out; }
    if (spool_path && !w.spooled) { snprintf(err, errlen, "no regular file '%s' in the image", spool_path); goto out; }
    ret = 0;
out:
    free(w.buf);
    if (root) sqfs_dir_tree_destroy(root);
    if (data) sqfs_destroy(data);
    if (dr) sqfs_destroy(dr);
    if (idtbl) sqfs_destroy(idtbl);
    if (cmp) sqfs_destroy(cmp);
    if (f) sqfs_destroy(f);
    return ret;
}
