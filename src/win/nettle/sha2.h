/* nettle/sha2.h for the Windows build: the SHA-256 calls of nettle's API
 * that mapiprof uses (nettle manual, "Recommended hash functions"), over
 * the system's own CNG (bcrypt.dll), so that the Windows build needs no
 * nettle.  Only on Windows: meson.build puts this folder on the include
 * path there, and compiles sha256_bcrypt.c. */
#ifndef MP_WIN_NETTLE_SHA2_H
#define MP_WIN_NETTLE_SHA2_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256_ctx {
	void *hash; /* BCRYPT_HASH_HANDLE, or NULL once CNG failed */
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, size_t length, const uint8_t *data);
/* Writes the digest (all zero bytes if CNG failed, which it does only out
 * of memory) and starts a new hash, as nettle's does. */
void sha256_digest(struct sha256_ctx *ctx, size_t length, uint8_t *digest);

#endif
