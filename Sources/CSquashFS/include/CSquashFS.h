// SquashFS images through libsquashfs (squashfs-tools-ng), walked into callbacks; nothing is written to disk.
#ifndef CSQUASHFS_H
#define CSQUASHFS_H
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
// `refused` and skipped. max_total bounds the decompressed bytes read in all (bombs).
int bl_sqfs_read(const char *file, size_t max_file, uint64_t max_total, void *ctx, bl_sqfs_visit visit,
                 bl_sqfs_visit refused, char *err, size_t errlen);
#endif
