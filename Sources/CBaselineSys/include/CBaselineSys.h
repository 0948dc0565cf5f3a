// CBaselineSys: the small C surface BaselineCore uses to talk to libc and libcrypt.
// Plain functions only (no variadics, no macros), so Embedded Swift can call them.
#ifndef CBASELINESYS_H
#define CBASELINESYS_H
#include <stddef.h>
#include <stdint.h>

enum {
    BL_T_OTHER = 0, BL_T_REG = 1, BL_T_DIR = 2, BL_T_LNK = 3,
    BL_T_FIFO = 4, BL_T_SOCK = 5, BL_T_CHR = 6, BL_T_BLK = 7
};

typedef struct {
    int32_t type;      // BL_T_*
    uint32_t mode;     // permission bits
    int64_t size;
    uint64_t ino;
    uint64_t dev;
    int64_t mtime;
} bl_stat_t;

// All functions return a negative errno on failure.
int bl_open_root(const char *path);                  // O_PATH|O_DIRECTORY of an absolute or relative host path
int bl_openat_path(int dirfd, const char *name);     // O_PATH|O_NOFOLLOW: never follows the last component
int bl_fstat(int fd, bl_stat_t *out);
long bl_readlink_fd(int fd, char *buf, size_t cap);  // target of an O_PATH symlink fd
int bl_openat_read(int dirfd, const char *name);     // O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY
int bl_open_host_file(const char *path);             // O_RDONLY|O_NONBLOCK of a host path (profiles, keys); regular files only
long bl_read(int fd, void *buf, size_t n);
int bl_close(int fd);
// Writes the entry names of directory `dirfd` (an O_PATH fd is fine) into buf, NUL-separated, skipping "." and "..".
// Returns bytes used; if the names do not fit, returns -(ENOBUFS) and stores the needed size in *needed.
long bl_list_dir(int dirfd, char *buf, size_t cap, size_t *needed);

// libcrypt (libxcrypt). data is an opaque buffer from bl_crypt_data_new.
void *bl_crypt_data_new(void);
void bl_crypt_data_free(void *data);
// Returns the hash string (NUL-terminated, inside data) or NULL when the setting is invalid/unsupported.
const char *bl_crypt(const char *phrase, const char *setting, void *data);

// Default-password search on a pthread pool: every candidate (in the order given: likely ones first) against every
// hash setting, candidate-major, each thread with its own crypt data; a hash is dropped as soon as a candidate
// matches it (the earliest matching candidate wins, whatever the thread timing). found[h]: index of the matching
// candidate, -1 when none matched, -2 when crypt(3) refuses the setting (an unsupported scheme). Stops when budget_ms (> 0) of wall time is spent: returns 1 then (cut short), 0 when every
// pair was tested, negative errno on failure. *tested: the (candidate, hash) pairs crypt(3) ran on.
int bl_crypt_search(const char *const *candidates, int n_candidates, const char *const *hashes, int n_hashes,
                    int threads, int64_t budget_ms, int *found, int64_t *tested);
// Threads for the search: the online CPUs, bounded by MemAvailable / per_thread_bytes (yescrypt and scrypt take
// their memory cost per thread); at least 1.
int bl_crypt_threads(int64_t per_thread_bytes);

int64_t bl_time_now(void);                           // seconds since the epoch
int bl_random(void *buf, size_t n);                  // getrandom, with a /dev/urandom fallback
// Writes data to path atomically: temp file in the same directory, fsync, rename.
int bl_write_file_atomic(const char *path, const void *data, size_t n);
int bl_write_fd(int fd, const void *data, size_t n); // full write, retrying on EINTR
int bl_isatty(int fd);
const char *bl_strerror(int err);
int bl_getenv_copy(const char *name, char *buf, size_t cap); // length, or -1 when unset
void bl_exit(int code);
int bl_arg_count(void);                             // the process arguments (argv[0] included)
const char *bl_arg(int i);
// `baseline-agent --push` (Sources/CBaselineSys/static/agent_push.c): only in the static agent the Makefile links
// with BearSSL; the SwiftPM build neither compiles nor calls these (the push path is behind BASELINE_C_MAIN).
enum { BL_PUSH_RETRY = -1, BL_PUSH_FATAL = -2 };
// One POST of body to http(s)://host:port/path with "Authorization: Bearer token", within timeout_ms. Returns the
// HTTP status, BL_PUSH_RETRY (network trouble, worth another try) or BL_PUSH_FATAL (TLS verification failed, bad
// --ca-file/--pin: retrying cannot help); err gets one line for anything but a 2xx.
// TLS: with pin_hex (64 hex digits: SHA-256 of the server certificate's SubjectPublicKeyInfo) the key is pinned;
// otherwise the chain must lead to a certificate in ca_file (PEM) and name host, valid by the device clock.
int bl_push_post(const char *host, int port, const char *path, int use_tls, const char *ca_file, const char *pin_hex,
                 const char *token, const void *body, size_t body_len, int timeout_ms, char *err, size_t cap);
int bl_push_check_ca(const char *ca_file, char *err, size_t cap);   // certificates in the file (> 0), or -1 and err
int bl_mkdir(const char *path, unsigned mode);    // 0 when it exists as a directory
int bl_unlink(const char *path);
int bl_rename(const char *from, const char *to);
int bl_fsync_dir(const char *path);
int bl_lock_file(const char *path);               // flock(LOCK_EX|LOCK_NB) on path (created); fd, or -EWOULDBLOCK
int64_t bl_monotonic_ms(void);
void bl_sleep_ms(int ms);
#endif
