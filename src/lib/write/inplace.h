/* inplace.h - a plan written into the hive itself, journaled as Windows
 * does: the changed pages first to a new-format transaction log, then in
 * place between a dirty and a clean base block (M. Suhanov, "Windows
 * registry file format specification", "Dirty state of a hive", "New
 * format"). */
#ifndef MP_WRITE_INPLACE_H
#define MP_WRITE_INPLACE_H

#include <stddef.h>

#include "base/ctx.h"
#include "store/changes.h"
#include "write/commit_io.h"

struct mapiprof_info;

/* What an in-place write works on. */
struct mp_inplace {
	struct mapiprof_ctx *ctx;
	const struct mp_commit_io *io;
	const char *path;                 /* the hive, written in place */
	const struct mapiprof_info *info; /* its facts as read (sequence numbers, logs) */
	int in_fd;                        /* read-only, on the bytes the plan was made from */
	const struct mp_key_change *keys;
	size_t nkeys;
};

/* Writes keys[0..nkeys) (regf/patch.h) into the hive at w->path itself:
 *   1. the changed 4096-byte pages of the hive bins (the cells the patch
 *      changes, the bin it appends) as one HvLE entry, numbered with the
 *      hive's sequence number S, into FILE.LOG1 (an existing log of that
 *      name in another case, else created), fsync'd;
 *   2. the base block marked dirty (primary sequence S + 1, secondary S),
 *      fsync'd; the pages written in place, fsync'd;
 *   3. the base block clean (both S + 1, the new hive-bins size), fsync'd;
 *      the log reset to 0 bytes;
 * then the base block and pages read back and compared.  A stop at any
 * point leaves the old hive (clean, up to 2), a dirty hive whose log
 * replay gives the new one (2), or the new one (3).
 *
 * *declined = 1 with MAPIPROF_OK when the plan needs more than the hive's
 * cells and one appended bin (regf/patch.h), with why[] saying so; nothing
 * was written.  Errors: as mp_regf_patch, MAPIPROF_E_UNSAFE when the file
 * at path is not the one read, and those of the writes (the message says
 * when the hive was left dirty for its log to complete). */
int mp_inplace_write(const struct mp_inplace *w, int *declined, char *why, size_t whylen);

#endif
