// Update-bundle signatures verified with OpenSSL's libcrypto (host side only): CMS signatures (RAUC, SWUpdate built
// with CONFIG_SIGALG_CMS) against a keyring of CA certificates, and plain signatures over SHA-256 (Mender's
// manifest.sig, SWUpdate's raw RSA) against a public key. Nothing here is hand-written cryptography.
#ifndef CBUNDLECRYPTO_H
#define CBUNDLECRYPTO_H
#include <stddef.h>
#include <stdint.h>

enum {
    BL_SIG_VERIFIED = 0,        // the signature covers the content and the signer chains to the keyring
    BL_SIG_BAD = 1,             // the signature does not match the content (tampered payload or manifest)
    BL_SIG_UNTRUSTED = 2,       // the signature matches, but the signer does not chain to the keyring
    BL_SIG_UNREADABLE = 3,      // the signature (or keyring, or key) cannot be parsed
    BL_SIG_NO_KEYRING = 4,      // the signature matches; there was no keyring to check the signer against
};

typedef struct {
    char subject[256];          // the signer certificate's subject, one line (RFC 2253)
    char issuer[256];
    int64_t not_before;         // seconds since the epoch
    int64_t not_after;
    char sha256[65];            // SHA-256 of the signer certificate (DER), hex
    char spki_sha256[65];       // SHA-256 of its SubjectPublicKeyInfo (DER), hex
    char reason[256];           // why it did not verify, in OpenSSL's words
} bl_signer_info;

/// A DER CMS SignedData: detached over `content` (content != NULL) or with the content inside (content == NULL; the
/// signed content is copied to `*attached`/`*attached_len`, free with bl_free). `keyring`: PEM certificates (or NULL).
int bl_cms_verify(const uint8_t *sig, size_t sig_len, const uint8_t *content, size_t content_len,
                  const char *keyring, size_t keyring_len, bl_signer_info *info,
                  uint8_t **attached, size_t *attached_len);

/// A signature over SHA-256(data) by the private half of the PEM public key (RSA PKCS#1 v1.5, ECDSA, Ed25519 signs
/// the data itself). Returns BL_SIG_VERIFIED, BL_SIG_BAD or BL_SIG_UNREADABLE; `info->spki_sha256` names the key.
int bl_pubkey_verify(const uint8_t *sig, size_t sig_len, const uint8_t *data, size_t data_len,
                     const char *pubkey_pem, size_t pubkey_len, bl_signer_info *info);

/// Certificates in a PEM keyring: how many parse (0 when none does).
int bl_keyring_count(const char *keyring, size_t keyring_len);

/// The dm-verity root hash (SHA-256, 4 KiB data and hash blocks, salt first) of `len` bytes (a multiple of 4096):
/// what RAUC's verity manifest signs for its payload. 0 on success.
int bl_verity_root(const uint8_t *data, size_t len, const uint8_t *salt, size_t salt_len, uint8_t out[32]);

/// Incremental SHA-256 (OpenSSL EVP) for payloads read in pieces: new, update as often as needed, final (which
/// writes the digest and frees the context; NULL from new when out of memory).
void *bl_sha256_new(void);
void bl_sha256_update(void *ctx, const uint8_t *data, size_t len);
void bl_sha256_final(void *ctx, uint8_t out[32]);

void bl_free(void *p);
#endif
