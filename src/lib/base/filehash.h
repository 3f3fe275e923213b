/* filehash.h - the sha256 of a whole input file, by nettle (whose x86-64
 * build picks the CPU's SHA instructions itself), computed only when asked
 * for: in a second thread while the caller decodes the file, where a second
 * CPU is online, or at the moment the digest is wanted. */
#ifndef MP_FILEHASH_H
#define MP_FILEHASH_H

#include <stdint.h>

#include "base/ctx.h"

struct mp_filehash;

/* Begins the sha256 of the file at path: opens it now (what is hashed is
 * that file, to the size it has now).  With background set and more than
 * one CPU online, a thread reads and hashes it at once; otherwise nothing
 * is read before mp_filehash_end.  A file that cannot be opened or read is
 * reported by mp_filehash_end.  Fails only when out of memory. */
int mp_filehash_begin(struct mapiprof_ctx *ctx, const char *path, int background,
                      struct mp_filehash **out);
/* The digest as lower-case hex into out[65]: waits for the thread, or
 * hashes now.  Frees h.  Errors name path. */
int mp_filehash_end(struct mapiprof_ctx *ctx, struct mp_filehash *h, char out[65]);
/* Drops h without a digest: a running thread stops at its next chunk and
 * is waited for.  NULL is ignored. */
void mp_filehash_cancel(struct mp_filehash *h);

/* Bytes hashed by this process so far, and how many of them by a second
 * thread (for tests: what was hashed, and where). */
uint64_t mp_filehash_bytes(void);
uint64_t mp_filehash_bytes_threaded(void);

#endif
