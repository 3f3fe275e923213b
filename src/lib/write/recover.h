/* recover.h - the recovered state of a dirty hive as mapiprof_open reads it
 * (file.c) and mapiprof_plan_write writes it (commit.c): the image the
 * transaction-log replay (regf/replay.h) produced, kept in a private temporary
 * file because hivex reads files only (hivex_open takes a path, hivex(3)).
 * mapiprof_recover (recover.c) writes such an image over the hive or to a
 * new file. */
#ifndef MP_RECOVER_H
#define MP_RECOVER_H

#include "base/buf.h"
#include "base/ctx.h"
#include "regf/replay.h"

struct mp_recovered {
	char *path;                 /* the image: created exclusively, mode 0600, in
	                               mp_tmpdir(); removed by mp_recovered_free */
	int fd;                     /* open on it (read-write) until then */
	struct mapiprof_info *info; /* its base block facts (no hash, no logs) */
};

/* Writes img (a recovered image of the hive at input, whose base name
 * names the temporary file) to a new private temporary file and inspects
 * it.  *out is NULL on failure (nothing left behind). */
int mp_recovered_create(struct mapiprof_ctx *ctx, const char *input, const struct mp_buf *img,
                        struct mp_recovered **out);
/* Closes and removes the temporary file; NULL is fine. */
void mp_recovered_free(struct mp_recovered *r);

/* Fills the state fields of info (mapiprof.h) from a replay report: state
 * "recovered", the format, entries and sequence number, and the note (why
 * the replay stopped), copied into info's memory. */
int mp_recovered_state(struct mapiprof_ctx *ctx, struct mapiprof_info *info,
                       const struct mp_regf_recovery *rep);

#endif
