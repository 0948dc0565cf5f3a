// `baseline-agent --push`: the socket, HTTP/1.1 and TLS (BearSSL) side, compiled only into the static agent
// (the Makefile builds BearSSL from Debian's source tarball and links it; Package.swift excludes static/).
// The spool, retry and policy logic is Swift (Sources/BaselineAgent/AgentPush.swift); this file sends one request.
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "bearssl.h"
#include "CBaselineSys.h"

static int neg_errno(void) { return errno ? -errno : -EIO; }

static const char *net_error(int e) {
    switch (e) {
    case ECONNREFUSED: return "connection refused";
    case ETIMEDOUT: return "timed out";
    case ECONNRESET: return "connection reset";
    case EPIPE: return "connection closed";
    case ENETUNREACH: return "network unreachable";
    case EHOSTUNREACH: return "host unreachable";
    case EADDRNOTAVAIL: return "address not available";
    default: return bl_strerror(e);
    }
}

// --- small file-system helpers for the spool ---

int bl_mkdir(const char *path, unsigned mode) {
    if (mkdir(path, (mode_t)mode) == 0) return 0;
    if (errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
        return -ENOTDIR;
    }
    return neg_errno();
}

int bl_unlink(const char *path) { return unlink(path) == 0 ? 0 : neg_errno(); }

int bl_rename(const char *from, const char *to) { return rename(from, to) == 0 ? 0 : neg_errno(); }

int bl_fsync_dir(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return neg_errno();
    int rc = fsync(fd) == 0 ? 0 : neg_errno();
    close(fd);
    return rc;
}

int bl_lock_file(const char *path) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return neg_errno();
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) { int e = neg_errno(); close(fd); return e; }
    return fd;   // held until the process exits
}

int64_t bl_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bl_sleep_ms(int ms) {
    if (ms <= 0) return;
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L }, rem;
    while (nanosleep(&ts, &rem) != 0 && errno == EINTR) ts = rem;
}

// --- sockets with one deadline ---

static int remaining(int64_t deadline) {
    int64_t r = deadline - bl_monotonic_ms();
    return r <= 0 ? 0 : (r > 0x7fffffff ? 0x7fffffff : (int)r);
}

static int wait_fd(int fd, short events, int64_t deadline) {
    for (;;) {
        int ms = remaining(deadline);
        if (ms == 0) return -ETIMEDOUT;
        struct pollfd p = { fd, events, 0 };
        int r = poll(&p, 1, ms);
        if (r > 0) return 0;
        if (r == 0) return -ETIMEDOUT;
        if (errno != EINTR) return neg_errno();
    }
}

static int connect_to(const char *host, int port, int64_t deadline, char *err, size_t cap) {
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(host, ps, &hints, &res);
    if (g != 0 || !res) { snprintf(err, cap, "cannot resolve %s", host); return -1; }
    int last = ECONNREFUSED;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) { last = errno; continue; }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) { freeaddrinfo(res); return fd; }
        if (errno == EINPROGRESS) {
            int w = wait_fd(fd, POLLOUT, deadline);
            int so = 0;
            socklen_t sl = sizeof so;
            if (w == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) == 0 && so == 0) { freeaddrinfo(res); return fd; }
            last = w == -ETIMEDOUT ? ETIMEDOUT : (so ? so : errno);
        } else {
            last = errno;
        }
        close(fd);
    }
    freeaddrinfo(res);
    snprintf(err, cap, "%s:%d: cannot connect: %s", host, port, net_error(last));
    return -1;
}

typedef struct { int fd; int64_t deadline; } io_ctx;

static int sock_read(void *ctx, unsigned char *buf, size_t len) {
    io_ctx *io = ctx;
    for (;;) {
        ssize_t n = read(io->fd, buf, len);
        if (n > 0) return (int)n;
        if (n == 0) return -1;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (wait_fd(io->fd, POLLIN, io->deadline) != 0) { errno = ETIMEDOUT; return -1; }
    }
}

static int sock_write(void *ctx, const unsigned char *buf, size_t len) {
    io_ctx *io = ctx;
    for (;;) {
        ssize_t n = send(io->fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) return (int)n;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (wait_fd(io->fd, POLLOUT, io->deadline) != 0) { errno = ETIMEDOUT; return -1; }
    }
}

static int bl_write_all_sock(io_ctx *io, const void *p, size_t n) {
    const unsigned char *b = p;
    while (n > 0) {
        int w = sock_write(io, b, n);
        if (w < 0) return -1;
        b += w; n -= (size_t)w;
    }
    return 0;
}

// --- trust anchors from a PEM file (one or more CERTIFICATE blocks) ---

typedef struct { unsigned char *buf; size_t len, cap; } bytes;

static int bytes_add(bytes *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t c = b->cap ? b->cap * 2 : 1024;
        while (c < b->len + n) c *= 2;
        unsigned char *nb = realloc(b->buf, c);
        if (!nb) return -1;
        b->buf = nb; b->cap = c;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    return 0;
}
static void bytes_sink(void *ctx, const void *p, size_t n) { bytes_add(ctx, p, n); }

static int read_file(const char *path, bytes *out) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return neg_errno();
    unsigned char tmp[4096];
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n == 0) break;
        if (n < 0) { if (errno == EINTR) continue; int e = neg_errno(); close(fd); return e; }
        if (out->len + (size_t)n > (1u << 20) || bytes_add(out, tmp, (size_t)n) != 0) { close(fd); return -EFBIG; }
    }
    close(fd);
    return 0;
}

static unsigned char *dup_bytes(const unsigned char *p, size_t n) {
    unsigned char *d = malloc(n ? n : 1);
    if (d) memcpy(d, p, n);
    return d;
}

// One trust anchor per certificate (CA or not: a self-signed server certificate may be its own anchor).
static int add_anchor(br_x509_trust_anchor **tas, size_t *n, const unsigned char *der, size_t len) {
    bytes dn = { 0 };
    br_x509_decoder_context dc;
    br_x509_decoder_init(&dc, bytes_sink, &dn);
    br_x509_decoder_push(&dc, der, len);
    br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
    if (!pk) { free(dn.buf); return -1; }
    br_x509_trust_anchor *nt = realloc(*tas, (*n + 1) * sizeof **tas);
    if (!nt) { free(dn.buf); return -1; }
    *tas = nt;
    br_x509_trust_anchor *ta = &nt[*n];
    memset(ta, 0, sizeof *ta);
    ta->dn.data = dn.buf;
    ta->dn.len = dn.len;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta->pkey.key_type = pk->key_type;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        ta->pkey.key.rsa.n = dup_bytes(pk->key.rsa.n, pk->key.rsa.nlen);
        ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        ta->pkey.key.rsa.e = dup_bytes(pk->key.rsa.e, pk->key.rsa.elen);
        ta->pkey.key.rsa.elen = pk->key.rsa.elen;
    } else {
        ta->pkey.key.ec.curve = pk->key.ec.curve;
        ta->pkey.key.ec.q = dup_bytes(pk->key.ec.q, pk->key.ec.qlen);
        ta->pkey.key.ec.qlen = pk->key.ec.qlen;
    }
    (*n)++;
    return 0;
}

static void free_anchors(br_x509_trust_anchor *tas, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(tas[i].dn.data);
        if (tas[i].pkey.key_type == BR_KEYTYPE_RSA) { free(tas[i].pkey.key.rsa.n); free(tas[i].pkey.key.rsa.e); }
        else free(tas[i].pkey.key.ec.q);
    }
    free(tas);
}

// Returns the number of certificates read (> 0), or a negative value with err filled.
static int load_anchors(const char *path, br_x509_trust_anchor **tas, size_t *count, char *err, size_t cap) {
    bytes file = { 0 }, obj = { 0 };
    int rc = read_file(path, &file);
    if (rc < 0) { snprintf(err, cap, "%s: cannot read: %s", path, bl_strerror(-rc)); free(file.buf); return -1; }
    br_pem_decoder_context pc;
    br_pem_decoder_init(&pc);
    *tas = NULL; *count = 0;
    int in_cert = 0, bad = 0;
    size_t off = 0;
    unsigned char nl = '\n';
    while (!bad) {
        if (off < file.len) off += br_pem_decoder_push(&pc, file.buf + off, file.len - off);
        else if (off == file.len) { br_pem_decoder_push(&pc, &nl, 1); off++; }   // a last line without newline
        int ev = br_pem_decoder_event(&pc);
        if (ev == BR_PEM_BEGIN_OBJ) {
            const char *name = br_pem_decoder_name(&pc);
            in_cert = strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
            obj.len = 0;
            br_pem_decoder_setdest(&pc, in_cert ? bytes_sink : NULL, &obj);
        } else if (ev == BR_PEM_END_OBJ) {
            if (in_cert && add_anchor(tas, count, obj.buf, obj.len) != 0) bad = 1;
            in_cert = 0;
        } else if (ev == BR_PEM_ERROR) {
            bad = 1;
        } else if (off > file.len) {
            break;
        }
    }
    free(file.buf); free(obj.buf);
    if (bad) { free_anchors(*tas, *count); *tas = NULL; *count = 0; }
    if (bad) { snprintf(err, cap, "%s: not a PEM file of X.509 certificates with RSA or EC keys", path); return -1; }
    if (*count == 0 && !bad) { snprintf(err, cap, "%s: no CERTIFICATE block", path); return -1; }
    return (int)*count;
}

int bl_push_check_ca(const char *ca_file, char *err, size_t cap) {
    br_x509_trust_anchor *tas = NULL;
    size_t n = 0;
    int rc = load_anchors(ca_file, &tas, &n, err, cap);
    free_anchors(tas, n);
    return rc;
}

// --- public-key pinning: SHA-256 of the server certificate's SubjectPublicKeyInfo ---

// One DER header at p: returns the header length and sets *len, or 0 when malformed.
static size_t der_header(const unsigned char *p, size_t avail, size_t *len) {
    if (avail < 2) return 0;
    size_t h = 2, l = p[1];
    if (l & 0x80) {
        size_t k = l & 0x7f;
        if (k == 0 || k > 4 || avail < 2 + k) return 0;
        l = 0;
        for (size_t i = 0; i < k; i++) l = (l << 8) | p[2 + i];
        h += k;
    }
    if (l > avail - h) return 0;
    *len = l;
    return h;
}

// Finds the SubjectPublicKeyInfo element (header included) in a certificate.
static int find_spki(const unsigned char *c, size_t n, const unsigned char **spki, size_t *spki_len) {
    size_t len, h = der_header(c, n, &len);               // Certificate
    if (!h || c[0] != 0x30) return -1;
    const unsigned char *p = c + h;
    h = der_header(p, len, &len);                          // tbsCertificate
    if (!h || p[0] != 0x30) return -1;
    const unsigned char *q = p + h, *end = p + h + len;
    if (q < end && q[0] == 0xa0) {                         // [0] version
        size_t l, hh = der_header(q, (size_t)(end - q), &l);
        if (!hh) return -1;
        q += hh + l;
    }
    for (int i = 0; i < 5; i++) {                          // serial, signature, issuer, validity, subject
        size_t l, hh = der_header(q, (size_t)(end - q), &l);
        if (!hh) return -1;
        q += hh + l;
    }
    size_t l, hh = der_header(q, (size_t)(end - q), &l);
    if (!hh || q[0] != 0x30) return -1;
    *spki = q;
    *spki_len = hh + l;
    return 0;
}

typedef struct {
    const br_x509_class *vtable;
    br_x509_decoder_context dec;
    bytes cert;
    int index;
    unsigned char pin[32];
} pin_ctx;

static void pin_start_chain(const br_x509_class **ctx, const char *server_name) {
    pin_ctx *pc = (pin_ctx *)(void *)ctx;
    (void)server_name;   // the pinned key names the server
    pc->index = 0;
    pc->cert.len = 0;
    br_x509_decoder_init(&pc->dec, NULL, NULL);
}
static void pin_start_cert(const br_x509_class **ctx, uint32_t length) { (void)ctx; (void)length; }
static void pin_append(const br_x509_class **ctx, const unsigned char *buf, size_t len) {
    pin_ctx *pc = (pin_ctx *)(void *)ctx;
    if (pc->index != 0) return;
    br_x509_decoder_push(&pc->dec, buf, len);
    if (pc->cert.len + len <= 65536) bytes_add(&pc->cert, buf, len);
}
static void pin_end_cert(const br_x509_class **ctx) { ((pin_ctx *)(void *)ctx)->index++; }
static unsigned pin_end_chain(const br_x509_class **ctx) {
    pin_ctx *pc = (pin_ctx *)(void *)ctx;
    if (pc->index == 0) return BR_ERR_X509_EMPTY_CHAIN;
    int e = br_x509_decoder_last_error(&pc->dec);
    if (e != 0) return (unsigned)e;
    const unsigned char *spki;
    size_t sl;
    if (find_spki(pc->cert.buf, pc->cert.len, &spki, &sl) != 0) return BR_ERR_X509_INVALID_VALUE;
    br_sha256_context h;
    unsigned char d[32];
    br_sha256_init(&h);
    br_sha256_update(&h, spki, sl);
    br_sha256_out(&h, d);
    unsigned diff = 0;
    for (int i = 0; i < 32; i++) diff |= (unsigned)(d[i] ^ pc->pin[i]);
    return diff ? BR_ERR_X509_NOT_TRUSTED : 0;
}
static const br_x509_pkey *pin_get_pkey(const br_x509_class *const *ctx, unsigned *usages) {
    pin_ctx *pc = (pin_ctx *)(void *)ctx;
    if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return br_x509_decoder_get_pkey(&pc->dec);
}
static const br_x509_class pin_vtable = {
    sizeof(pin_ctx), pin_start_chain, pin_start_cert, pin_append, pin_end_cert, pin_end_chain, pin_get_pkey
};

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// --- the client: TLS 1.2, ECDHE (P-256) with AES-GCM; RSA and ECDSA P-256 certificates ---
// Chosen for size (the agent's budget is 1 MiB): no ChaCha20 (AES-GCM is what collectors and reverse proxies offer
// first), no X25519/P-384/P-521 (every TLS 1.2 server takes P-256). BearSSL's constant-time implementations only.

static const uint16_t suites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

static void client_init(br_ssl_client_context *cc) {
    br_ssl_engine_context *e = &cc->eng;
    br_ssl_client_zero(cc);
    br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(e, suites, sizeof suites / sizeof suites[0]);
    br_ssl_client_set_rsapub(cc, br_rsa_i31_public);
    br_ssl_engine_set_rsavrfy(e, br_rsa_i31_pkcs1_vrfy);
    br_ssl_engine_set_ec(e, &br_ec_p256_m15);
    br_ssl_engine_set_ecdsa(e, br_ecdsa_i15_vrfy_asn1);
    br_ssl_engine_set_hash(e, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(e, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_hash(e, br_sha512_ID, &br_sha512_vtable);
    br_ssl_engine_set_prf_sha256(e, br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(e, br_tls12_sha384_prf);
    br_ssl_engine_set_gcm(e, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
    br_ssl_engine_set_aes_ctr(e, &br_aes_ct_ctr_vtable);
    br_ssl_engine_set_ghash(e, br_ghash_ctmul);
}

static const char *x509_reason(int e, int pinned) {
    switch (e) {
    case BR_ERR_X509_NOT_TRUSTED: return pinned ? "the server's public key does not match --pin" : "certificate not signed by a CA in --ca-file";
    case BR_ERR_X509_BAD_SERVER_NAME: return "certificate does not name the host in the URL";
    case BR_ERR_X509_EXPIRED: return "certificate expired or not yet valid (by this device's clock)";
    case BR_ERR_X509_TIME_UNKNOWN: return "no clock to check the certificate's validity";
    case BR_ERR_X509_BAD_SIGNATURE: return "bad certificate signature";
    case BR_ERR_X509_NOT_CA: return "an issuer in the chain is not a CA";
    case BR_ERR_X509_FORBIDDEN_KEY_USAGE: return "certificate key usage forbids TLS server use";
    case BR_ERR_X509_WEAK_PUBLIC_KEY: return "server key too weak";
    case BR_ERR_X509_UNSUPPORTED: return "unsupported certificate algorithm";
    default: return "certificate rejected";
    }
}

// Status line: "HTTP/1.x NNN ..." once the header block is complete; 0 while incomplete, -1 when malformed.
static int parse_status(const char *buf, size_t n) {
    if (n < 12) return 0;
    if (memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ') return -1;
    int code = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9') return -1;
        code = code * 10 + (buf[i] - '0');
    }
    for (size_t i = 3; i < n; i++) if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n') return code;
    return 0;
}

int bl_push_post(const char *host, int port, const char *path, int use_tls, const char *ca_file, const char *pin_hex,
                 const char *token, const void *body, size_t body_len, int timeout_ms, char *err, size_t cap) {
    int64_t deadline = bl_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 1);
    err[0] = 0;
    br_x509_trust_anchor *tas = NULL;
    size_t nta = 0;
    pin_ctx pin;
    memset(&pin, 0, sizeof pin);
    if (use_tls) {
        if (pin_hex && pin_hex[0]) {
            for (int i = 0; i < 32; i++) {
                int a = hexval(pin_hex[2 * i]), b = a < 0 ? -1 : hexval(pin_hex[2 * i + 1]);
                if (b < 0) { snprintf(err, cap, "--pin: expected sha256: and 64 hex digits"); return BL_PUSH_FATAL; }
                pin.pin[i] = (unsigned char)(a * 16 + b);
            }
            pin.vtable = &pin_vtable;
        } else if (!ca_file || !ca_file[0] || load_anchors(ca_file, &tas, &nta, err, cap) < 0) {
            if (!ca_file || !ca_file[0]) snprintf(err, cap, "https needs --ca-file or --pin");
            return BL_PUSH_FATAL;
        }
    }
    int fd = connect_to(host, port, deadline, err, cap);
    if (fd < 0) { free_anchors(tas, nta); return BL_PUSH_RETRY; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    io_ctx io = { fd, deadline };

    // The request head: the body follows it.
    bytes req = { 0 };
    char num[40];
#define ADD(str) bytes_add(&req, (str), strlen(str))
    ADD("POST "); ADD(path); ADD(" HTTP/1.1\r\nHost: "); ADD(host);
    snprintf(num, sizeof num, ":%d", port); ADD(num);
    ADD("\r\nUser-Agent: baseline-agent\r\nContent-Type: application/json\r\nConnection: close\r\nAuthorization: Bearer ");
    ADD(token);
    snprintf(num, sizeof num, "\r\nContent-Length: %lu\r\n\r\n", (unsigned long)body_len); ADD(num);
#undef ADD
    if (!req.buf) { close(fd); snprintf(err, cap, "out of memory"); return BL_PUSH_RETRY; }

    char resp[2048];
    size_t got = 0;
    int status = 0, rc = BL_PUSH_RETRY;
    if (!use_tls) {
        if (bl_write_all_sock(&io, req.buf, req.len) != 0 || bl_write_all_sock(&io, body, body_len) != 0) {
            snprintf(err, cap, "%s:%d: sending: %s", host, port, net_error(errno));
            goto out;
        }
        while (got < sizeof resp && (status = parse_status(resp, got)) == 0) {
            int n = sock_read(&io, (unsigned char *)resp + got, sizeof resp - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
    } else {
        br_ssl_client_context *cc = malloc(sizeof *cc);
        br_x509_minimal_context *xc = malloc(sizeof *xc);
        unsigned char *iobuf = malloc(BR_SSL_BUFSIZE_BIDI);
        if (!cc || !xc || !iobuf) { free(cc); free(xc); free(iobuf); snprintf(err, cap, "out of memory"); goto out; }
        client_init(cc);
        if (pin.vtable) {
            br_ssl_engine_set_x509(&cc->eng, &pin.vtable);
        } else {
            br_x509_minimal_init(xc, &br_sha256_vtable, tas, nta);
            br_x509_minimal_set_rsa(xc, br_rsa_i31_pkcs1_vrfy);
            br_x509_minimal_set_ecdsa(xc, &br_ec_p256_m15, br_ecdsa_i15_vrfy_asn1);
            br_x509_minimal_set_hash(xc, br_sha256_ID, &br_sha256_vtable);
            br_x509_minimal_set_hash(xc, br_sha384_ID, &br_sha384_vtable);
            br_x509_minimal_set_hash(xc, br_sha512_ID, &br_sha512_vtable);
            br_ssl_engine_set_x509(&cc->eng, &xc->vtable);   // the certificate's dates against the device clock
        }
        br_ssl_engine_set_buffer(&cc->eng, iobuf, BR_SSL_BUFSIZE_BIDI, 1);
        unsigned char seed[32];
        bl_random(seed, sizeof seed);
        br_ssl_engine_inject_entropy(&cc->eng, seed, sizeof seed);
        br_ssl_client_reset(cc, host, 0);
        br_sslio_context ioc;
        br_sslio_init(&ioc, &cc->eng, sock_read, &io, sock_write, &io);
        int ok = br_sslio_write_all(&ioc, req.buf, req.len) == 0 && br_sslio_write_all(&ioc, body, body_len) == 0
                 && br_sslio_flush(&ioc) == 0;
        if (ok) {
            while (got < sizeof resp && (status = parse_status(resp, got)) == 0) {
                int n = br_sslio_read(&ioc, resp + got, sizeof resp - got);
                if (n <= 0) break;
                got += (size_t)n;
            }
        }
        int le = br_ssl_engine_last_error(&cc->eng);
        if (status <= 0 && le >= BR_ERR_X509_OK + 1 && le <= BR_ERR_X509_NOT_TRUSTED) {
            snprintf(err, cap, "%s:%d: TLS: %s", host, port, x509_reason(le, pin.vtable != NULL));
            rc = BL_PUSH_FATAL;
        } else if (status <= 0 && le != 0) {
            if (le >= BR_ERR_RECV_FATAL_ALERT && le < BR_ERR_SEND_FATAL_ALERT)
                snprintf(err, cap, "%s:%d: TLS: the server sent alert %d", host, port, le - BR_ERR_RECV_FATAL_ALERT);
            else if (le == BR_ERR_IO)
                snprintf(err, cap, "%s:%d: TLS: connection %s", host, port, errno == ETIMEDOUT ? "timed out" : "closed");
            else
                snprintf(err, cap, "%s:%d: TLS: handshake failed (BearSSL error %d)", host, port, le);
        }
        free(cc); free(xc); free(iobuf);
    }
    if (status > 0) {
        rc = status;
        if (status < 200 || status > 299) {
            size_t end = 0;
            while (end < got && resp[end] != '\r' && resp[end] != '\n') end++;
            snprintf(err, cap, "%s:%d: answered '%.*s'", host, port, (int)end, resp);
        }
    } else if (!err[0]) {
        snprintf(err, cap, "%s:%d: %s", host, port, status < 0 ? "not an HTTP answer" : (remaining(deadline) == 0 ? "no answer in time" : "connection closed without an answer"));
    }
out:
    free(req.buf);
    free(pin.cert.buf);
    free_anchors(tas, nta);
    close(fd);
    return rc;
}
