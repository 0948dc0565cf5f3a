#define _GNU_SOURCE
// 64-bit file offsets and inode numbers on 32-bit targets (armv7): without it readdir() and fstat() fail with
// EOVERFLOW on file systems with large inode numbers.
#define _FILE_OFFSET_BITS 64
#include "CBaselineSys.h"
#ifdef __GLIBC__
#include <crypt.h>
#define BL_CRYPT_DATA_SIZE ((int)sizeof(struct crypt_data))
#else
// libxcrypt's crypt_rn, declared here for libcs without <crypt.h> (musl, in the static agent builds).
// libxcrypt sizes struct crypt_data to exactly 32768 bytes.
char *crypt_rn(const char *phrase, const char *setting, void *data, int size);
#define BL_CRYPT_DATA_SIZE 32768
#endif
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>   // rename() only
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int neg_errno(void) { return errno ? -errno : -EIO; }

int bl_open_root(const char *path) {
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? neg_errno() : fd;
}

int bl_openat_path(int dirfd, const char *name) {
    int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? neg_errno() : fd;
}

int bl_fstat(int fd, bl_stat_t *out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return neg_errno();
    switch (st.st_mode & S_IFMT) {
    case S_IFREG: out->type = BL_T_REG; break;
    case S_IFDIR: out->type = BL_T_DIR; break;
    case S_IFLNK: out->type = BL_T_LNK; break;
    case S_IFIFO: out->type = BL_T_FIFO; break;
    case S_IFSOCK: out->type = BL_T_SOCK; break;
    case S_IFCHR: out->type = BL_T_CHR; break;
    case S_IFBLK: out->type = BL_T_BLK; break;
    default: out->type = BL_T_OTHER;
    }
    out->mode = (uint32_t)(st.st_mode & 07777);
    out->size = (int64_t)st.st_size;
    out->ino = (uint64_t)st.st_ino;
    out->dev = (uint64_t)st.st_dev;
    out->mtime = (int64_t)st.st_mtime;
    return 0;
}

long bl_readlink_fd(int fd, char *buf, size_t cap) {
    ssize_t n = readlinkat(fd, "", buf, cap);
    if (n < 0) return neg_errno();
    if ((size_t)n >= cap) return -ENAMETOOLONG;
    buf[n] = 0;
    return (long)n;
}

int bl_openat_read(int dirfd, const char *name) {
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    return fd < 0 ? neg_errno() : fd;
}

int bl_open_host_file(const char *path) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return neg_errno();
    struct stat st;
    if (fstat(fd, &st) != 0) { int e = neg_errno(); close(fd); return e; }
    if (S_ISDIR(st.st_mode)) { close(fd); return -EISDIR; }
    if (!S_ISREG(st.st_mode)) { close(fd); return -EINVAL; }
    return fd;
}

long bl_read(int fd, void *buf, size_t n) {
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r >= 0) return (long)r;
        if (errno == EINTR) continue;
        return neg_errno();
    }
}

int bl_close(int fd) { return close(fd) == 0 ? 0 : neg_errno(); }

long bl_list_dir(int dirfd, char *buf, size_t cap, size_t *needed) {
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return neg_errno();
    DIR *d = fdopendir(fd);
    if (!d) { int e = neg_errno(); close(fd); return e; }
    size_t used = 0, need = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        size_t len = strlen(e->d_name) + 1;
        need += len;
        if (used + len <= cap) { memcpy(buf + used, e->d_name, len); used += len; }
        errno = 0;
    }
    int rerr = errno;
    closedir(d);
    if (rerr) return -rerr;
    if (needed) *needed = need;
    if (need > cap) return -ENOBUFS;
    return (long)used;
}

void *bl_crypt_data_new(void) { return calloc(1, BL_CRYPT_DATA_SIZE); }
void bl_crypt_data_free(void *data) { free(data); }

const char *bl_crypt(const char *phrase, const char *setting, void *data) {
    // crypt_rn never returns a "*0" failure token; it returns NULL on error.
    return crypt_rn(phrase, setting, data, BL_CRYPT_DATA_SIZE);
}

int64_t bl_time_now(void) { return (int64_t)time(NULL); }

int bl_random(void *buf, size_t n) {
#ifdef SYS_getrandom
    size_t got = 0;
    while (got < n) {
        long r = syscall(SYS_getrandom, (char *)buf + got, n - got, 0);
        if (r < 0) { if (errno == EINTR) continue; break; }
        got += (size_t)r;
    }
    if (got == n) return 0;
#endif
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return neg_errno();
    size_t off = 0;
    while (off < n) {
        ssize_t r = read(fd, (char *)buf + off, n - off);
        if (r <= 0) { if (r < 0 && errno == EINTR) continue; close(fd); return -EIO; }
        off += (size_t)r;
    }
    close(fd);
    return 0;
}

int bl_write_fd(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; return neg_errno(); }
        p += w; n -= (size_t)w;
    }
    return 0;
}

int bl_write_file_atomic(const char *path, const void *data, size_t n) {
    // Only a regular file (or a new one) is replaced by rename; a device, FIFO or socket (e.g. /dev/null,
    // /dev/stdout) is written to in place, never replaced.
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) return -EISDIR;
        int dfd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (dfd < 0) return neg_errno();
        int wrc = bl_write_fd(dfd, data, n);
        close(dfd);
        return wrc;
    }
    // "<path>.tmp.<pid>", built by hand: snprintf would pull glibc's whole printf machinery into the static agent.
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) return -ENOMEM;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.", 5);
    char digits[24];
    int nd = 0;
    unsigned long pid = (unsigned long)getpid();
    do { digits[nd++] = (char)('0' + pid % 10); pid /= 10; } while (pid && nd < 24);
    size_t at = plen + 5;
    while (nd > 0) tmp[at++] = digits[--nd];
    tmp[at] = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) { int e = neg_errno(); free(tmp); return e; }
    int rc = bl_write_fd(fd, data, n);
    if (rc == 0 && fsync(fd) != 0) rc = neg_errno();
    if (close(fd) != 0 && rc == 0) rc = neg_errno();
    if (rc == 0 && rename(tmp, path) != 0) rc = neg_errno();
    if (rc != 0) unlink(tmp);
    free(tmp);
    return rc;
}

int bl_isatty(int fd) { return isatty(fd); }

// The messages of the errors the tools meet, in glibc's words. strerror() itself would pull gettext, locale and
// iconv tables (hundreds of KiB) into the static agent.
const char *bl_strerror(int err) {
    switch (err < 0 ? -err : err) {
    case EPERM: return "Operation not permitted";
    case ENOENT: return "No such file or directory";
    case EIO: return "Input/output error";
    case ENXIO: return "No such device or address";
    case E2BIG: return "Argument list too long";
    case EBADF: return "Bad file descriptor";
    case ENOMEM: return "Cannot allocate memory";
    case EACCES: return "Permission denied";
    case EFAULT: return "Bad address";
    case EBUSY: return "Device or resource busy";
    case EEXIST: return "File exists";
    case EXDEV: return "Invalid cross-device link";
    case ENODEV: return "No such device";
    case ENOTDIR: return "Not a directory";
    case EISDIR: return "Is a directory";
    case EINVAL: return "Invalid argument";
    case ENFILE: return "Too many open files in system";
    case EMFILE: return "Too many open files";
    case ETXTBSY: return "Text file busy";
    case EFBIG: return "File too large";
    case ENOSPC: return "No space left on device";
    case ESPIPE: return "Illegal seek";
    case EROFS: return "Read-only file system";
    case EMLINK: return "Too many links";
    case EPIPE: return "Broken pipe";
    case ERANGE: return "Numerical result out of range";
    case ENAMETOOLONG: return "File name too long";
    case ENOSYS: return "Function not implemented";
    case ELOOP: return "Too many levels of symbolic links";
    case EOVERFLOW: return "Value too large for defined data type";
    case ENOBUFS: return "No buffer space available";
    case EDQUOT: return "Disk quota exceeded";
    case ESTALE: return "Stale file handle";
    case EAGAIN: return "Resource temporarily unavailable";
    case EINTR: return "Interrupted system call";
    default: return "Unknown error";
    }
}

int bl_getenv_copy(const char *name, char *buf, size_t cap) {
    const char *v = getenv(name);
    if (!v) return -1;
    size_t len = strlen(v);
    if (cap > 0) {
        size_t c = len < cap - 1 ? len : cap - 1;
        memcpy(buf, v, c);
        buf[c] = 0;
    }
    return (int)len;
}

// Everything is written with write(2), so there is no stdio buffer to flush: _exit keeps stdio out of the agent.
void bl_exit(int code) { _exit(code); }

// Command-line arguments without Foundation: glibc passes argc/argv to ELF constructors, in static binaries too.
// musl calls constructors without arguments; the static (musl) builds set them from their C main instead.
static int g_argc;
static char **g_argv;
#ifdef __GLIBC__
__attribute__((constructor)) static void bl_capture_args(int argc, char **argv, char **envp) {
    (void)envp;
    g_argc = argc;
    g_argv = argv;
}
#endif
void bl_set_args(int argc, char **argv) { g_argc = argc; g_argv = argv; }
int bl_arg_count(void) { return g_argc; }
const char *bl_arg(int i) { return (i >= 0 && i < g_argc && g_argv) ? g_argv[i] : 0; }

// --- Default-password search (bl_crypt_search) ---------------------------------------------------------------
struct bl_search {
    const char *const *cands;
    const char *const *hashes;
    int nc, nh;
    int64_t deadline_ns;        // CLOCK_MONOTONIC; 0: none
    int *found;                 // per hash: the smallest matching candidate index, or nc (none yet)
    long next;                  // the next (candidate, hash) pair, candidate-major; taken with __atomic_fetch_add
    int64_t tested;
    int cut;
};

static int64_t mono_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int ct_equal(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = (unsigned char)(la != lb);
    for (size_t i = 0; i < la && i < lb; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static void *search_worker(void *arg) {
    struct bl_search *s = arg;
    void *data = bl_crypt_data_new();
    if (!data) return NULL;
    long total = (long)s->nc * s->nh;
    int64_t mine = 0;
    for (;;) {
        if (__atomic_load_n(&s->cut, __ATOMIC_RELAXED)) break;
        long k = __atomic_fetch_add(&s->next, 1, __ATOMIC_RELAXED);
        if (k >= total) break;
        int c = (int)(k / s->nh), h = (int)(k % s->nh);
        if (__atomic_load_n(&s->found[h], __ATOMIC_RELAXED) <= c) continue;   // already found at this or an earlier candidate
        if (s->deadline_ns && mono_ns() > s->deadline_ns) { __atomic_store_n(&s->cut, 1, __ATOMIC_RELAXED); break; }
        const char *r = crypt_rn(s->cands[c], s->hashes[h], data, BL_CRYPT_DATA_SIZE);
        mine++;
        if (!r || r[0] == '*') {            // a setting crypt(3) refuses: no candidate can match it
            __atomic_store_n(&s->found[h], -2, __ATOMIC_RELAXED);
            continue;
        }
        if (ct_equal(r, s->hashes[h])) {
            int cur = __atomic_load_n(&s->found[h], __ATOMIC_RELAXED);
            while (c < cur && !__atomic_compare_exchange_n(&s->found[h], &cur, c, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
        }
    }
    __atomic_fetch_add(&s->tested, mine, __ATOMIC_RELAXED);
    bl_crypt_data_free(data);
    return NULL;
}

int bl_crypt_search(const char *const *candidates, int n_candidates, const char *const *hashes, int n_hashes,
                    int threads, int64_t budget_ms, int *found, int64_t *tested) {
    struct bl_search s;
    memset(&s, 0, sizeof s);
    s.cands = candidates; s.hashes = hashes; s.nc = n_candidates; s.nh = n_hashes; s.found = found;
    s.deadline_ns = budget_ms > 0 ? mono_ns() + budget_ms * 1000000 : 0;
    for (int h = 0; h < n_hashes; h++) found[h] = n_candidates;
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    pthread_t tids[64];
    int started = 0;
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&tids[started], NULL, search_worker, &s) != 0) break;
        started++;
    }
    search_worker(&s);                  // the calling thread works too
    for (int i = 0; i < started; i++) pthread_join(tids[i], NULL);
    for (int h = 0; h < n_hashes; h++) if (found[h] >= n_candidates) found[h] = -1;   // -2 (refused setting) stays
    if (tested) *tested = s.tested;
    return s.cut ? 1 : 0;
}

int bl_crypt_threads(int64_t per_thread_bytes) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1) cpus = 1;
    if (per_thread_bytes > 0) {
        int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            char buf[4096];
            ssize_t n = read(fd, buf, sizeof buf - 1);
            close(fd);
            if (n > 0) {
                buf[n] = 0;
                const char *m = strstr(buf, "MemAvailable:");
                if (m) {
                    long long kib = strtoll(m + 13, NULL, 10);
                    long long fit = kib * 1024 / per_thread_bytes;
                    if (fit < cpus) cpus = fit < 1 ? 1 : (long)fit;
                }
            }
        }
    }
    return (int)cpus;
}
