// libarchive (tar, cpio, and their gzip/xz/zstd/bzip2 compression) for reading firmware images.
#include <archive.h>
#include <archive_entry.h>
