/* tree.h - building plans that change the key tree itself (profile
 * administration, imports): path keys (store/changes.h) that delete a key
 * and everything below it, create a whole key tree copied from a store, or
 * set a value of a key outside the sections, each with its public change
 * (MAPIPROF_CHANGE_KEY_DELETE, _KEY_ADD, _VALUE). */
#ifndef MP_PLAN_TREE_H
#define MP_PLAN_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "mapi/locate.h"
#include "plan/plan.h"

/* A plan in the making, on the open file (the target). */
struct mp_tree_plan {
	struct mapiprof_file *file;
	struct mapiprof_ctx *ctx;
	struct mapiprof_plan *plan; /* its arena holds every string and byte */
	struct mp_key_change *keys; /* malloc'd, moved into the plan by mp_tree_finish */
	size_t nkeys, kcap;
	struct mapiprof_change *changes; /* malloc'd, likewise */
	size_t nchanges, ccap;
	size_t ncopied; /* keys copied by mp_tree_copy so far */
};

/* Starts an empty plan on file. */
int mp_tree_begin(struct mp_tree_plan *t, struct mapiprof_file *file);
/* Deletes the key at path (from the hive root, as stored) and everything
 * below it.  profile and name say which profile that is (for the change). */
int mp_tree_delete(struct mp_tree_plan *t, const char *path, size_t profile, const char *name);
/* Sets value vname of the key at path to type and data[0..len), or deletes
 * it (del); the key is created when absent.  Nothing is planned when the
 * key already holds exactly that.  name: the profile the change is about. */
int mp_tree_set_value(struct mp_tree_plan *t, const char *path, const char *vname, int del,
                      uint32_t type, const uint8_t *data, size_t len, const char *name);
/* Creates the key at path (whose last component must not exist, unless
 * this plan deleted it) as a copy of key from of store src and everything
 * below it: every key at any depth in stored order, every value (name,
 * type, bytes) in stored order.  At most MP_MAX_SECTIONS_PER_PROFILE keys
 * and MP_MAX_KEY_DEPTH levels (MAPIPROF_E_LIMIT); a name the store could
 * not decode fails (MAPIPROF_E_FORMAT).  name: the new profile's name. */
int mp_tree_copy(struct mp_tree_plan *t, struct mp_store *src, mp_key from, const char *path,
                 const char *name);
/* Hands the plan over (*out) and ends t. */
int mp_tree_finish(struct mp_tree_plan *t, struct mapiprof_plan **out);
/* Ends t without a plan (after a failure). */
void mp_tree_abort(struct mp_tree_plan *t);

/* The key holding DefaultProfile for profile p's root: the Profiles key
 * of a Windows Messaging Subsystem root, its parent (Outlook) for an Office
 * root (OutlookTrace; Grundgeiger, "CDO & MAPI Programming", ch. 2); in
 * arena a. */
const char *mp_tree_default_key(struct mp_arena *a, const char *root, const char *kind);
/* The string value naming the default profile. */
#define MP_DEFAULT_PROFILE_VALUE "DefaultProfile"

#endif
