// See CBundleCrypto.h. Every verification is OpenSSL's (CMS_verify, EVP_DigestVerify); this file only moves bytes
// in and facts out.
#include "CBundleCrypto.h"
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void set_reason(bl_signer_info *info) {
    unsigned long e = ERR_peek_last_error();
    if (e) ERR_error_string_n(e, info->reason, sizeof info->reason);
    ERR_clear_error();
}

static void hex(const unsigned char *d, unsigned n, char *out) {
    static const char *h = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) { out[2 * i] = h[d[i] >> 4]; out[2 * i + 1] = h[d[i] & 15]; }
    out[2 * n] = 0;
}

static int64_t asn1_epoch(const ASN1_TIME *t) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return (int64_t)timegm(&tm);
}

static void spki_digest(EVP_PKEY *k, char *out) {
    unsigned char *der = NULL, md[32];
    unsigned n = 0;
    int len = i2d_PUBKEY(k, &der);
    if (len > 0 && EVP_Digest(der, (size_t)len, md, &n, EVP_sha256(), NULL)) hex(md, n, out);
    OPENSSL_free(der);
}

static void describe(X509 *c, bl_signer_info *info) {
    BIO *b = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(b, X509_get_subject_name(c), 0, XN_FLAG_RFC2253);
    int n = BIO_read(b, info->subject, sizeof info->subject - 1);
    info->subject[n > 0 ? n : 0] = 0;
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(b, X509_get_issuer_name(c), 0, XN_FLAG_RFC2253);
    n = BIO_read(b, info->issuer, sizeof info->issuer - 1);
    info->issuer[n > 0 ? n : 0] = 0;
    BIO_free(b);
    info->not_before = asn1_epoch(X509_get0_notBefore(c));
    info->not_after = asn1_epoch(X509_get0_notAfter(c));
    unsigned char md[32];
    unsigned len = 0;
    if (X509_digest(c, EVP_sha256(), md, &len)) hex(md, len, info->sha256);
    EVP_PKEY *k = X509_get0_pubkey(c);
    if (k) spki_digest(k, info->spki_sha256);
}

static X509_STORE *load_keyring(const char *pem, size_t len, int *count) {
    X509_STORE *store = X509_STORE_new();
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *c;
    *count = 0;
    while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(store, c) == 1) (*count)++;
        X509_free(c);
    }
    ERR_clear_error();
    BIO_free(b);
    return store;
}

int bl_keyring_count(const char *keyring, size_t keyring_len) {
    int n = 0;
    X509_STORE *s = load_keyring(keyring, keyring_len, &n);
    X509_STORE_free(s);
    return n;
}

int bl_cms_verify(const uint8_t *sig, size_t sig_len, const uint8_t *content, size_t content_len,
                  const char *keyring, size_t keyring_len, bl_signer_info *info,
                  uint8_t **attached, size_t *attached_len) {
    memset(info, 0, sizeof *info);
    if (attached) { *attached = NULL; *attached_len = 0; }
    BIO *in = BIO_new_mem_buf(sig, (int)sig_len);
    CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
    BIO_free(in);
    if (!cms) { set_reason(info); return BL_SIG_UNREADABLE; }
    STACK_OF(X509) *signers = NULL;
    int rc = BL_SIG_UNREADABLE;
    // A detached signature covers `content`; an attached one carries what it signs (RAUC's verity manifest).
    BIO *data = (content && CMS_is_detached(cms)) ? BIO_new_mem_buf(content, (int)content_len) : NULL;
    BIO *out = BIO_new(BIO_s_mem());
    // First the signature itself, whoever made it: does it cover these bytes?
    if (CMS_verify(cms, NULL, NULL, data, out, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
        set_reason(info);
        rc = BL_SIG_BAD;
        signers = CMS_get0_signers(cms);
        if (signers && sk_X509_num(signers) > 0) describe(sk_X509_value(signers, 0), info);
        goto done;
    }
    signers = CMS_get0_signers(cms);
    if (signers && sk_X509_num(signers) > 0) describe(sk_X509_value(signers, 0), info);
    if (attached && !data) {
        char *p = NULL;
        long n = BIO_get_mem_data(out, &p);
        if (n > 0) {
            *attached = malloc((size_t)n);
            if (*attached) { memcpy(*attached, p, (size_t)n); *attached_len = (size_t)n; }
        }
    }
    if (!keyring || keyring_len == 0) { rc = BL_SIG_NO_KEYRING; goto done; }
    int count = 0;
    X509_STORE *store = load_keyring(keyring, keyring_len, &count);
    if (count == 0) { X509_STORE_free(store); strcpy(info->reason, "no certificate in the keyring"); rc = BL_SIG_UNREADABLE; goto done; }
    // Then the signer: does it chain to the keyring? Validity dates are judged by the checks (against the audit
    // date and the support period), not here: a signature made while the certificate was valid still verifies.
    X509_VERIFY_PARAM *param = X509_STORE_get0_param(store);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);
    if (data) BIO_reset(data);
    BIO *out2 = BIO_new(BIO_s_mem());
    if (CMS_verify(cms, NULL, store, data, out2, CMS_BINARY) == 1) rc = BL_SIG_VERIFIED;
    else { set_reason(info); rc = BL_SIG_UNTRUSTED; }
    BIO_free(out2);
    X509_STORE_free(store);
done:
    sk_X509_free(signers);
    BIO_free(out);
    if (data) BIO_free(data);
    CMS_ContentInfo_free(cms);
    return rc;
}

int bl_pubkey_verify(const uint8_t *sig, size_t sig_len, const uint8_t *data, size_t data_len,
                     const char *pubkey_pem, size_t pubkey_len, bl_signer_info *info) {
    memset(info, 0, sizeof *info);
    BIO *b = BIO_new_mem_buf(pubkey_pem, (int)pubkey_len);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    if (!k) {                                   // a certificate holds a public key too
        BIO_reset(b);
        X509 *c = PEM_read_bio_X509(b, NULL, NULL, NULL);
        if (c) { describe(c, info); k = X509_get_pubkey(c); X509_free(c); }
    }
    BIO_free(b);
    if (!k) { set_reason(info); return BL_SIG_UNREADABLE; }
    spki_digest(k, info->spki_sha256);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int id = EVP_PKEY_get_base_id(k);
    const EVP_MD *md = (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) ? NULL : EVP_sha256();
    int rc = BL_SIG_UNREADABLE;
    // ECDSA signatures written as r || s (Mender's encoding) become the DER SEQUENCE OpenSSL verifies.
    unsigned char *der = NULL;
    if (id == EVP_PKEY_EC && sig_len % 2 == 0 && sig_len <= 132 && (sig_len < 8 || sig[0] != 0x30)) {
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig, (int)(sig_len / 2), NULL), *s = BN_bin2bn(sig + sig_len / 2, (int)(sig_len / 2), NULL);
        if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
            int n = i2d_ECDSA_SIG(es, &der);
            if (n > 0) { sig = der; sig_len = (size_t)n; }
        } else { BN_free(r); BN_free(s); }
        ECDSA_SIG_free(es);
    }
    if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, k) == 1) {
        int r = EVP_DigestVerify(ctx, sig, sig_len, data, data_len);
        rc = r == 1 ? BL_SIG_VERIFIED : BL_SIG_BAD;
        if (r != 1) set_reason(info);
    } else set_reason(info);
    OPENSSL_free(der);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    return rc;
}

void bl_free(void *p) { free(p); }

int bl_verity_root(const uint8_t *data, size_t len, const uint8_t *salt, size_t salt_len, uint8_t out[32]) {
    // dm-verity (format 1, SHA-256, 4 KiB blocks): hash every data block with the salt first, pack the digests into
    // 4 KiB hash blocks (zero padded), and repeat until one block is left; the root is the salted hash of that block.
    if (len == 0 || len % 4096) return -1;
    size_t n = len / 4096;
    uint8_t *level = malloc(n * 32);
    if (!level) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned olen;
    for (size_t i = 0; i < n; i++) {
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
        EVP_DigestUpdate(ctx, salt, salt_len);
        EVP_DigestUpdate(ctx, data + i * 4096, 4096);
        EVP_DigestFinal_ex(ctx, level + i * 32, &olen);
    }
    while (1) {
        size_t blocks = (n * 32 + 4095) / 4096;
        uint8_t *next = malloc(blocks * 32);
        if (!next) { free(level); EVP_MD_CTX_free(ctx); return -1; }
        for (size_t b = 0; b < blocks; b++) {
            uint8_t block[4096];
            memset(block, 0, sizeof block);
            size_t take = n * 32 - b * 4096;
            if (take > 4096) take = 4096;
            memcpy(block, level + b * 4096, take);
            EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
            EVP_DigestUpdate(ctx, salt, salt_len);
            EVP_DigestUpdate(ctx, block, sizeof block);
            EVP_DigestFinal_ex(ctx, next + b * 32, &olen);
        }
        free(level);
        level = next;
        n = blocks;
        if (blocks == 1) break;
    }
    memcpy(out, level, 32);
    free(level);
    EVP_MD_CTX_free(ctx);
    return 0;
}

void *bl_sha256_new(void) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) { EVP_MD_CTX_free(c); return NULL; }
    return c;
}

void bl_sha256_update(void *ctx, const uint8_t *data, size_t len) {
    if (ctx && len) EVP_DigestUpdate((EVP_MD_CTX *)ctx, data, len);
}

void bl_sha256_final(void *ctx, uint8_t out[32]) {
    unsigned int n = 32;
    if (!ctx) { memset(out, 0, 32); return; }
    EVP_DigestFinal_ex((EVP_MD_CTX *)ctx, out, &n);
    EVP_MD_CTX_free((EVP_MD_CTX *)ctx);
}
