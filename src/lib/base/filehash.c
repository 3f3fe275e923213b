/* filehash.c - the sha256 of a whole file, in a second thread or on demand
 * (filehash.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "base/filehash.h"
#include "base/hex.h"
#include "base/platform.h"

/* Bytes read per step: small enough to stay in the L2 cache between the
 * copy and the hash, large enough that the calls cost nothing. */
#define CHUNK (256u * 1024u)

struct mp_filehash {
	char *path;
	int fd;                  /* -1 when the open failed (err says why) */
	uint64_t size;           /* bytes to hash: the size at the open */
	struct mapiprof_ctx err; /* the reading's error, kept for mp_filehash_end */
	int failed;
	char hex[65];
	int threaded; /* a thread is running (or ran) the hash */
	pthread_t thread;
	atomic_int stop; /* mp_filehash_cancel: the thread gives up */
};

static _Atomic uint64_t hashed_bytes, hashed_bytes_threaded;

uint64_t
mp_filehash_bytes(void)
{
	return atomic_load(&hashed_bytes);
}

uint64_t
mp_filehash_bytes_threaded(void)
{
	return atomic_load(&hashed_bytes_threaded);
}

/* Reads and hashes h->size bytes of h->fd into h->hex; a failure is left
 * in h->err.  Touches nothing outside h but the byte counters. */
static void
hash_now(struct mp_filehash *h)
{
	uint8_t *buf = malloc(CHUNK);
	if (buf == NULL) {
		mp_nomem(&h->err);
		h->failed = 1;
		return;
	}
	struct sha256_ctx sha;
	sha256_init(&sha);
	for (uint64_t off = 0; off < h->size; off += CHUNK) {
		size_t n = h->size - off < CHUNK ? (size_t)(h->size - off) : CHUNK;
		if (atomic_load(&h->stop) || mp_pread_full(&h->err, h->fd, buf, n, off) != 0) {
			h->failed = 1;
			free(buf);
			return;
		}
		sha256_update(&sha, n, buf);
		atomic_fetch_add(&hashed_bytes, n);
		if (h->threaded)
			atomic_fetch_add(&hashed_bytes_threaded, n);
	}
	free(buf);
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_digest(&sha, sizeof(digest), digest);
	mp_hex_encode(digest, sizeof(digest), h->hex);
}

static void *
hash_thread(void *arg)
{
	hash_now(arg);
	return NULL;
}

int
mp_filehash_begin(struct mapiprof_ctx *ctx, const char *path, int background,
                  struct mp_filehash **out)
{
	struct mp_filehash *h = calloc(1, sizeof(*h));
	*out = NULL;
	if (h == NULL || (h->path = strdup(path)) == NULL) {
		free(h);
		return mp_nomem(ctx);
	}
	h->fd = -1;
	atomic_init(&h->stop, 0);
	enum mp_file_kind kind;
	int64_t mtime;
	if (mp_open_read(&h->err, path, &h->fd) != MAPIPROF_OK ||
	    mp_fd_stat(&h->err, h->fd, &h->size, &kind, &mtime) != MAPIPROF_OK) {
		h->failed = 1;
		*out = h;
		return MAPIPROF_OK;
	}
	if (background && mp_second_cpu()) {
		h->threaded = 1;
		if (pthread_create(&h->thread, NULL, hash_thread, h) != 0)
			h->threaded = 0; /* hashed by mp_filehash_end instead */
	}
	*out = h;
	return MAPIPROF_OK;
}

/* Waits for the thread, closes the file and frees h. */
static void
finish(struct mp_filehash *h)
{
	if (h->threaded)
		pthread_join(h->thread, NULL);
	mp_close(h->fd);
	free(h->err.file);
	free(h->path);
	free(h);
}

int
mp_filehash_end(struct mapiprof_ctx *ctx, struct mp_filehash *h, char out[65])
{
	if (!h->threaded && !h->failed)
		hash_now(h);
	if (h->threaded)
		pthread_join(h->thread, NULL);
	h->threaded = 0;
	int rc = MAPIPROF_OK;
	if (h->failed) {
		mp_seterr(ctx, h->err.code, "cannot hash the file: %s", h->err.msg);
		if (ctx != NULL)
			ctx->saved_errno = h->err.saved_errno;
		mp_seterr_file(ctx, h->path);
		rc = MAPIPROF_FAILED;
	} else {
		memcpy(out, h->hex, sizeof(h->hex));
	}
	finish(h);
	return rc;
}

void
mp_filehash_cancel(struct mp_filehash *h)
{
	if (h == NULL)
		return;
	atomic_store(&h->stop, 1);
	finish(h);
}
