/* sha256_bcrypt.c - SHA-256 through Windows CNG (Microsoft Learn,
 * "Creating a Hash with CNG": BCryptOpenAlgorithmProvider,
 * BCryptCreateHash, BCryptHashData, BCryptFinishHash), behind nettle's
 * calls (nettle/sha2.h here).  A system library rather than a hash of the
 * project's own; the algorithm provider is opened once and kept. */
#include <string.h>
#include <windows.h>
#include <bcrypt.h>

#include "nettle/sha2.h"

static BCRYPT_ALG_HANDLE
sha256_provider(void)
{
	static BCRYPT_ALG_HANDLE alg;
	static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
	BOOL pending = FALSE;
	if (InitOnceBeginInitialize(&once, 0, &pending, NULL) && pending) {
		BCRYPT_ALG_HANDLE a = NULL;
		if (BCryptOpenAlgorithmProvider(&a, BCRYPT_SHA256_ALGORITHM, NULL, 0) < 0)
			a = NULL;
		alg = a;
		InitOnceComplete(&once, 0, NULL);
	}
	return alg;
}

void
sha256_init(struct sha256_ctx *ctx)
{
	BCRYPT_ALG_HANDLE alg = sha256_provider();
	BCRYPT_HASH_HANDLE h = NULL;
	if (alg == NULL || BCryptCreateHash(alg, &h, NULL, 0, NULL, 0, 0) < 0)
		h = NULL;
	ctx->hash = h;
}

void
sha256_update(struct sha256_ctx *ctx, size_t length, const uint8_t *data)
{
	/* BCryptHashData takes a ULONG count: longer input goes in pieces. */
	while (ctx->hash != NULL && length > 0) {
		ULONG n = length > 0x40000000u ? 0x40000000u : (ULONG)length;
		if (BCryptHashData(ctx->hash, (PUCHAR)(uintptr_t)data, n, 0) < 0) {
			BCryptDestroyHash(ctx->hash);
			ctx->hash = NULL;
		}
		data += n;
		length -= n;
	}
}

void
sha256_digest(struct sha256_ctx *ctx, size_t length, uint8_t *digest)
{
	uint8_t full[SHA256_DIGEST_SIZE];
	memset(full, 0, sizeof(full));
	if (ctx->hash != NULL) {
		if (BCryptFinishHash(ctx->hash, full, sizeof(full), 0) < 0)
			memset(full, 0, sizeof(full));
		BCryptDestroyHash(ctx->hash);
	}
	memcpy(digest, full, length < sizeof(full) ? length : sizeof(full));
	sha256_init(ctx);
}
