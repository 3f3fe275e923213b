/* hivex_decides.h - a hive one of the project's own checks refuses (their
 * rules are stricter than hivex's) is judged by hivex's open (hivex
 * lib/handle.c), which decides: the lazy reader (regf/lazy.c) then reads it
 * through hivex, the writer (write/commit.c) copies it whole. */
#ifndef MP_REGF_HIVEX_DECIDES_H
#define MP_REGF_HIVEX_DECIDES_H

#include "base/ctx.h"
#include "store/store.h"

/* ctx holds the refusal of the hive at path; anything but
 * MAPIPROF_E_FORMAT is returned as it is.  Otherwise hivex opens the hive
 * read-only: MAPIPROF_OK with the error cleared when it can (its store in
 * *hx when hx is not NULL, else closed); MAPIPROF_E_FORMAT "WHAT: OUR
 * REASON; HIVEX'S" (no "WHAT: " when what is NULL) when hivex finds it
 * malformed too; hivex's own error otherwise (memory, reading). */
int mp_regf_hivex_decides(struct mapiprof_ctx *ctx, const char *path, const char *what,
                          struct mp_store **hx);

#endif
