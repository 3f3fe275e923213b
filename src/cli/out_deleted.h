/* out_deleted.h - what list --deleted and show --deleted add: the keys and
 * values recovered from a hive's free cells (mapiprof_deleted_keys), in
 * text (each marked "[deleted]") and JSON ("deleted": true). */
#ifndef MP_CLI_OUT_DELETED_H
#define MP_CLI_OUT_DELETED_H

#include <stddef.h>

#include <jansson.h>

struct mapiprof_file;

/* Which recovered keys show --deleted prints: those of the named profiles
 * (all, orphans too, when nprofiles is 0) whose section uid or role is one
 * of sections (all when nsections is 0). */
struct od_filter {
	const char *const *profiles;
	size_t nprofiles;
	const char *const *sections;
	size_t nsections;
	int raw;
};

/* The line printed (text) for a .reg file, which keeps nothing deleted. */
#define OD_NOTHING "deleted: nothing to recover (a .reg file keeps no deleted data)\n"

/* list --deleted: per profile (root and name) with recovered keys or
 * values, and for the orphans, the counts.  Text to stdout, or JSON as the
 * array "deleted" of obj.  Return 0, or -1 when out of memory or the
 * library failed (*lib_failed set: report it from the context). */
int od_list_text(struct mapiprof_file *f, int *lib_failed);
int od_list_json(struct mapiprof_file *f, json_t *obj, int *lib_failed);
/* show --deleted: every recovered key the filter picks with its values. */
int od_show_text(struct mapiprof_file *f, const struct od_filter *flt, int *lib_failed);
int od_show_json(struct mapiprof_file *f, const struct od_filter *flt, json_t *obj,
                 int *lib_failed);

#endif
