// Entry point and libc compatibility for the static baseline-agent builds, which link musl instead of glibc
// (a static glibc alone would be ~640 KiB of the 1 MiB budget). Not part of the SwiftPM build (excluded in
// Package.swift); the Makefile compiles it for each architecture.
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include "CBaselineSys.h"

void bl_set_args(int argc, char **argv);
int baseline_agent_main(void);   // Swift, @_cdecl

int main(int argc, char **argv) {
    bl_set_args(argc, argv);
    return baseline_agent_main();
}

// The Embedded Swift runtime and libxcrypt use arc4random_buf, which musl 1.2.3 does not have.
void arc4random_buf(void *buf, size_t n) {
    if (bl_random(buf, n) != 0) memset(buf, 0, n);   // bl_random falls back to /dev/urandom; both failing is fatal below
}

// glibc fortify entry points that Debian's libcrypt.a (built against glibc) calls.
void __explicit_bzero_chk(void *p, size_t n, size_t destlen) {
    (void)destlen;
    explicit_bzero(p, n);
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...) {
    (void)flag; (void)slen;
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(s, maxlen, fmt, ap);
    va_end(ap);
    return r;
}
