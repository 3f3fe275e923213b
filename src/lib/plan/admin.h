/* admin.h - what the profile and import plans share (profile_admin.c):
 * name checks, finding a profile in a root, setting DefaultProfile. */
#ifndef MP_PLAN_ADMIN_H
#define MP_PLAN_ADMIN_H

#include <stddef.h>

#include "plan/tree.h"

/* MAPIPROF_E_INVALID naming what (e.g. "new profile name") unless
 * mapiprof_profile_name_valid(name). */
int mp_admin_check_name(struct mapiprof_ctx *ctx, const char *what, const char *name);
/* The first profile named name (case-insensitively) in the root opts
 * names (any root when opts is NULL or names none); MAPIPROF_E_NOPROFILES
 * or MAPIPROF_E_NOPROFILE otherwise (without the file name). */
int mp_admin_find(struct mapiprof_file *file, const char *name,
                  const struct mapiprof_admin_opts *opts, size_t *index);
/* Plans DefaultProfile = name (REG_SZ) for the Profiles root at root of
 * the given kind ("office", "wms", "wms9x"). */
int mp_admin_set_default(struct mp_tree_plan *t, const char *root, const char *kind,
                         const char *name);

#endif
