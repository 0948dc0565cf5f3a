// ext2/3/4 images through libext2fs (e2fsprogs), read-only, walked into the same callbacks as SquashFS.
#define _GNU_SOURCE
#include "CImageReaders.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>

int bl_ext_probe(const char *file) {
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return -errno;
    unsigned char magic[2] = {0};
    ssize_t n = pread(fd, magic, 2, 1024 + 56);
    close(fd);
    return n == 2 && magic[0] == 0x53 && magic[1] == 0xEF;
}

struct ewalk {
    ext2_filsys fs;
    size_t max_file;
    uint64_t max_total, total;
    void *ctx;
    bl_sqfs_visit visit, refused;
    unsigned char *buf;
    char *err;
    size_t errlen;
    int depth, failed;
    const char *path;
    const char *spool_path;
    int spool_fd, spooled;
};

static int walk_dir(struct ewalk *w, ext2_ino_t dir, const char *path);

static int kind_of(unsigned mode) {
    if (LINUX_S_ISREG(mode)) return 1;
    if (LINUX_S_ISDIR(mode)) return 2;
    if (LINUX_S_ISLNK(mode)) return 3;
    if (LINUX_S_ISFIFO(mode)) return 4;
    if (LINUX_S_ISSOCK(mode)) return 5;
    if (LINUX_S_ISCHR(mode)) return 6;
    if (LINUX_S_ISBLK(mode)) return 7;
    return 0;
}

// Reads up to `want` bytes of an inode's content into buf; -1 with err set on failure.
static long read_inode_data(struct ewalk *w, ext2_ino_t ino, unsigned char *buf, size_t want, const char *child) {
    ext2_file_t f;
    errcode_t e = ext2fs_file_open(w->fs, ino, 0, &f);
    if (e) { snprintf(w->err, w->errlen, "corrupt image: cannot open '%s' (%s)", child, error_message(e)); return -1; }
    size_t got = 0;
    while (got < want) {
        unsigned int n = 0;
        unsigned int chunk = (unsigned int)(want - got > 1048576 ? 1048576 : want - got);
        e = ext2fs_file_read(f, buf + got, chunk, &n);
        if (e) { ext2fs_file_close(f); snprintf(w->err, w->errlen, "corrupt or truncated image: cannot read '%s' (%s)", child, error_message(e)); return -1; }
        if (n == 0) break;
        got += n;
    }
    ext2fs_file_close(f);
    return (long)got;
}

static int spool(struct ewalk *w, ext2_ino_t ino, uint64_t size, const char *child) {
    ext2_file_t f;
    errcode_t e = ext2fs_file_open(w->fs, ino, 0, &f);
    if (e) { snprintf(w->err, w->errlen, "corrupt image: cannot open '%s' (%s)", child, error_message(e)); return -1; }
    unsigned char *chunk = malloc(1048576);
    if (!chunk) { ext2fs_file_close(f); return -1; }
    uint64_t off = 0;
    int rc = 0;
    while (off < size) {
        unsigned int n = 0;
        e = ext2fs_file_read(f, chunk, 1048576, &n);
        if (e) { snprintf(w->err, w->errlen, "corrupt or truncated image: cannot read '%s' (%s)", child, error_message(e)); rc = -1; break; }
        if (n == 0) break;
        if (w->total + n > w->max_total) { snprintf(w->err, w->errlen, "'%s' expands beyond %llu bytes; refusing it (archive bomb?)", child, (unsigned long long)w->max_total); rc = -1; break; }
        for (unsigned int done = 0; done < n;) {
            ssize_t m = write(w->spool_fd, chunk + done, n - done);
            if (m < 0) { if (errno == EINTR) continue; snprintf(w->err, w->errlen, "cannot hold '%s' in memory: %s", child, strerror(errno)); rc = -1; break; }
            done += (unsigned int)m;
        }
        if (rc) break;
        off += n;
        w->total += n;
    }
    free(chunk);
    ext2fs_file_close(f);
    if (rc == 0) w->spooled = 1;
    return rc;
}

static int visit_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *dirent, int offset, int blocksize, char *buf, void *priv) {
    (void)dir; (void)entry; (void)offset; (void)blocksize; (void)buf;
    struct ewalk *w = priv;
    int nlen = ext2fs_dirent_name_len(dirent);
    const char *name = dirent->name;
    if ((nlen == 1 && name[0] == '.') || (nlen == 2 && name[0] == '.' && name[1] == '.')) return 0;
    size_t plen = strlen(w->path);
    char *child = malloc(plen + (size_t)nlen + 2);
    if (!child) { w->failed = 1; return DIRENT_ABORT; }
    memcpy(child, w->path, plen);
    child[plen] = '/';
    memcpy(child + plen + 1, name, (size_t)nlen);
    child[plen + 1 + nlen] = 0;
    if (nlen == 0 || memchr(name, '/', (size_t)nlen) || memchr(name, 0, (size_t)nlen)) {
        w->refused(w->ctx, child, 0, NULL, NULL, 0, 0, 0, 0);
        free(child);
        return 0;
    }
    struct ext2_inode_large inode;
    errcode_t e = ext2fs_read_inode_full(w->fs, dirent->inode, (struct ext2_inode *)&inode, sizeof(inode));
    if (e) { snprintf(w->err, w->errlen, "corrupt image: cannot read the inode of '%s' (%s)", child, error_message(e)); free(child); w->failed = 1; return DIRENT_ABORT; }
    unsigned mode = inode.i_mode;
    int kind = kind_of(mode);
    uint64_t size = EXT2_I_SIZE((struct ext2_inode *)&inode);
    int rc = 0;
    if (kind == 1 && w->spool_path && strcmp(child, w->spool_path) == 0) {
        if (spool(w, dirent->inode, size, child) != 0) { free(child); w->failed = 1; return DIRENT_ABORT; }
    } else if (kind == 1) {
        size_t want = size < w->max_file ? (size_t)size : w->max_file;
        if (w->total + want > w->max_total) want = w->max_total > w->total ? (size_t)(w->max_total - w->total) : 0;
        long got = want ? read_inode_data(w, dirent->inode, w->buf, want, child) : 0;
        if (got < 0) {
            /* A file whose blocks cannot be read: the rest of the image is still audited, the file is reported. */
            w->err[0] = 0;
            w->refused(w->ctx, child, -1, NULL, NULL, 0, 0, 0, 0);
            got = 0;
        }
        w->total += (uint64_t)got;
        rc = w->visit(w->ctx, child, 1, NULL, w->buf, (size_t)got, size, mode & 07777, (uint64_t)got == size);
    } else if (kind == 3) {
        char target[4097];
        size_t tlen = size < 4096 ? (size_t)size : 4096;
        if (ext2fs_is_fast_symlink((struct ext2_inode *)&inode)) {
            memcpy(target, (const char *)inode.i_block, tlen);
        } else if (inode.i_flags & EXT4_INLINE_DATA_FL) {
            size_t isz = 0;
            char ibuf[4096 + 64];
            if (ext2fs_inline_data_size(w->fs, dirent->inode, &isz) || isz > sizeof(ibuf) ||
                ext2fs_inline_data_get(w->fs, dirent->inode, (struct ext2_inode *)&inode, ibuf, &isz)) tlen = 0;
            else { tlen = isz < tlen ? isz : tlen; memcpy(target, ibuf, tlen); }
        } else {
            long got = read_inode_data(w, dirent->inode, (unsigned char *)target, tlen, child);
            if (got < 0) { free(child); w->failed = 1; return DIRENT_ABORT; }
            tlen = (size_t)got;
        }
        target[tlen] = 0;
        rc = w->visit(w->ctx, child, 3, target, NULL, 0, tlen, 0777, 1);
    } else if (kind == 2) {
        rc = w->visit(w->ctx, child, 2, NULL, NULL, 0, 0, mode & 07777, 1);
        if (rc == 0 && walk_dir(w, dirent->inode, child) != 0) rc = -1;
    } else if (kind != 0) {
        rc = w->visit(w->ctx, child, kind, NULL, NULL, 0, 0, mode & 07777, 1);
    }
    free(child);
    if (rc != 0) { w->failed = 1; return DIRENT_ABORT; }
    return 0;
}

static int walk_dir(struct ewalk *w, ext2_ino_t dir, const char *path) {
    if (++w->depth > 256) { snprintf(w->err, w->errlen, "directory nesting deeper than 256 levels (a loop?)"); return -1; }
    const char *saved = w->path;
    w->path = path;
    errcode_t e = ext2fs_dir_iterate2(w->fs, dir, 0, NULL, visit_entry, w);
    w->path = saved;
    w->depth--;
    if (w->failed) return -1;
    if (e) { snprintf(w->err, w->errlen, "corrupt image: cannot read directory '%s' (%s)", path[0] ? path : "/", error_message(e)); return -1; }
    return 0;
}

int bl_ext_read_spool(const char *file, uint64_t offset, size_t max_file, uint64_t max_total, void *ctx, bl_sqfs_visit visit,
                      bl_sqfs_visit refused, const char *spool_path, int spool_fd, char *err, size_t errlen) {
    struct ewalk w;
    memset(&w, 0, sizeof(w));
    err[0] = 0;
    ext2_filsys fs = NULL;
    char io_options[32];
    snprintf(io_options, sizeof io_options, "offset=%llu", (unsigned long long)offset);
    errcode_t e = ext2fs_open2(file, offset ? io_options : NULL, EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0, 0, unix_io_manager, &fs);
    if (e) { snprintf(err, errlen, "not a valid ext2/3/4 image (%s)", error_message(e)); return -1; }
    struct stat st;
    uint64_t need = (uint64_t)ext2fs_blocks_count(fs->super) * (uint64_t)fs->blocksize;
    if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < need + offset) {
        snprintf(err, errlen, "corrupt or truncated image: the super block says %llu bytes, the file has %llu",
                 (unsigned long long)need, (unsigned long long)(st.st_size > (off_t)offset ? st.st_size - (off_t)offset : 0));
        ext2fs_close_free(&fs);
        return -1;
    }
    w.fs = fs; w.max_file = max_file; w.max_total = max_total; w.ctx = ctx; w.visit = visit; w.refused = refused;
    w.err = err; w.errlen = errlen; w.spool_path = spool_path; w.spool_fd = spool_fd;
    w.buf = malloc(max_file > 0 ? max_file : 1);
    int ret = -1;
    if (!w.buf) snprintf(err, errlen, "out of memory");
    else if (walk_dir(&w, EXT2_ROOT_INO, "") == 0) {
        if (spool_path && !w.spooled) snprintf(err, errlen, "no regular file '%s' in the image", spool_path);
        else ret = 0;
    } else if (!err[0]) snprintf(err, errlen, "stopped");
    free(w.buf);
    ext2fs_close_free(&fs);
    return ret;
}
