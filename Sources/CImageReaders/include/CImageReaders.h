// C readers for firmware images: SquashFS 4 through libsquashfs, SquashFS 3 by squashfs3_reader.c (zlib, liblzma) and
// ext2/3/4 through libext2fs, walked into callbacks;
// nothing is written to disk.
#ifndef CIMAGEREADERS_H
#define CIMAGEREADERS_H
#include <stddef.h>
#include <stdint.h>

// type: 1 regular, 2 directory, 3 symlink, 4 FIFO, 5 socket, 6 character device, 7 block device (BL_T_* values)
// For regular files `data` holds the first `len` bytes (at most max_file), `size` the full size, `complete` 0 when
// the content was cut. For symlinks `target` is the link text. Return non-zero from the callback to stop.
typedef int (*bl_sqfs_visit)(void *ctx, const char *path, int type, const char *target,
                             const unsigned char *data, size_t len, uint64_t size, unsigned mode, int complete);

// 1 = the file is a SquashFS image (magic "hsqs"), 0 = not, negative errno when unreadable.
int bl_sqfs_probe(const char *file);
// 0 on success; otherwise a message in err. Entries whose names are "." / ".." or contain '/' are reported through
// `refused` (type 0) and skipped; a regular file whose data cannot be read is reported through `refused` with type -1
// and visited with what could be read (complete 0), so one damaged file does not hide the rest of the image. max_total bounds the decompressed bytes read in all (bombs).
int bl_sqfs_read(const char *file, size_t max_file, uint64_t max_total, void *ctx, bl_sqfs_visit visit,
                 bl_sqfs_visit refused, char *err, size_t errlen);
// As bl_sqfs_read, for the SquashFS starting `offset` bytes into the file (a vendor firmware file: header, kernel,
// then the root file system), read in place. The regular file at `spool_path` (e.g. "/rootfs.img") is written whole to `spool_fd` instead of
// being visited (nested images in update bundles); an error when there is no such file.
int bl_sqfs_read_spool(const char *file, uint64_t offset, size_t max_file, uint64_t max_total, void *ctx, bl_sqfs_visit visit,
                       bl_sqfs_visit refused, const char *spool_path, int spool_fd, char *err, size_t errlen);
// An anonymous in-memory file (memfd; an unlinked O_TMPFILE when memfd is unavailable) for a nested image; its
// path for the readers is /proc/self/fd/N. Negative errno on failure.
int bl_spool_fd(void);

// SquashFS 3.0/3.1 (either byte order; zlib blocks and sqlzma's LZMA blocks), read in place from the mapped file at
// `offset` by Baseline's own reader (squashfs3_reader.c); otherwise as bl_sqfs_read_spool.
int bl_sqfs3_read(const char *file, uint64_t offset, size_t max_file, uint64_t max_total, void *ctx, bl_sqfs_visit visit,
                  bl_sqfs_visit refused, const char *spool_path, int spool_fd, char *err, size_t errlen);
// 1 when the first inode-table block of a SquashFS 3 image (n bytes at b, tables at image offsets) is LZMA.
int bl_sqfs3_probe_lzma(const unsigned char *b, size_t n, int be, uint64_t inode_start, int check);

// JFFS2 (either byte order; plain, zero, rtime, zlib and OpenWrt-LZMA data nodes), read in place from the mapped file:
// the `length` bytes at `offset` (0: to the end). Files whose nodes use another compression (LZO, rubin) are visited
// with what could be read (complete 0) and reported through `refused` with type -1.
int bl_jffs2_read(const char *file, uint64_t offset, uint64_t length, int big_endian, size_t max_file, uint64_t max_total,
                  void *ctx, bl_sqfs_visit visit, bl_sqfs_visit refused, char *err, size_t errlen);

// ext2/3/4: 1 = the file has the ext super block magic, 0 = not, negative errno when unreadable.
int bl_ext_probe(const char *file);
// As bl_sqfs_read_spool for ext2/3/4 images at `offset` (read-only through libext2fs; spool_path may be NULL).
int bl_ext_read_spool(const char *file, uint64_t offset, size_t max_file, uint64_t max_total, void *ctx, bl_sqfs_visit visit,
                      bl_sqfs_visit refused, const char *spool_path, int spool_fd, char *err, size_t errlen);
#endif
