/* kids.h - finding children by name among thousands: each parent's
 * children read once, sorted by name (mp_name_casecmp), and searched by
 * bisection.  mp_store_child reads and decodes every child's name on each
 * call, so creating or checking n keys below one parent that way takes
 * n^2 name reads. */
#ifndef MP_STORE_KIDS_H
#define MP_STORE_KIDS_H

#include "store/store.h"

/* The last few parents' sorted children (a key's children change only
 * through mp_kids_added while the cache is in use). */
struct mp_kids;

struct mp_kids *mp_kids_new(struct mp_store *s);
void mp_kids_free(struct mp_kids *k);
/* As mp_store_child. */
int mp_kids_child(struct mp_kids *k, mp_key parent, const char *name, mp_key *out);
/* As mp_store_path. */
int mp_kids_path(struct mp_kids *k, mp_key from, const char *path, mp_key *out);
/* Records that child, named name, was just added below parent. */
int mp_kids_added(struct mp_kids *k, mp_key parent, const char *name, mp_key child);

#endif
