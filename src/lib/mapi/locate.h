/* locate.h - finding the MAPI profiles of a store: every Profiles root, the
 * default profile, the services of each profile (MFCMAPI RegistryDialog.cpp,
 * OutlookTrace); and the open file that holds them.  Uses only the store
 * interface. */
#ifndef MP_LOCATE_H
#define MP_LOCATE_H

#include <stddef.h>

#include "base/ctx.h"
#include "mapi/section.h"
#include "store/store.h"

/* One profile key. */
struct mp_profile {
	struct mapiprof_profile pub; /* strings live in the file's arena */
	mp_key key;
	struct mp_section_set sections;
};

struct mp_recovered;
struct mp_filehash;

/* An open file (file.c): everything it hands out lives in arena. */
struct mapiprof_file {
	struct mapiprof_ctx *ctx;
	const char *path; /* where the bytes are */
	const char *name; /* what messages call it: path, or mapiprof_open_as's name ("-") */
	struct mapiprof_info *info; /* base block facts; NULL for formats without one */
	struct mp_store *store;
	struct mp_arena arena;
	struct mp_profile *profiles; /* newest root first (see mp_locate_profiles) */
	size_t nprofiles;
	/* A dirty hive read with its transaction logs replayed: the recovered
	 * image the store was opened on (recover.h); NULL otherwise. */
	struct mp_recovered *recovered;
	int lock_fd; /* MAPIPROF_OPEN_LOCK: holds the lock; -1 without */
	/* What mapiprof_deleted_keys recovered from free space (deleted.c),
	 * loaded on first use. */
	int deleted_loaded, deleted_truncated;
	struct mapiprof_deleted_key *deleted;
	size_t ndeleted;
	/* MAPIPROF_OPEN_HASH_LATER: the sha256 under way (base/filehash.h) until
	 * mapiprof_file_sha256 collects it; NULL otherwise. */
	struct mp_filehash *hash;
};

/* Parses an Office version key name "NN.N" (decimal digits, a dot, decimal
 * digits; at most 9 digits each) into *major and *minor.  Returns 1 when
 * name is a version, else 0. */
int mp_office_version_parse(const char *name, unsigned long *major, unsigned long *minor);

/* Finds the profiles below every root of s, case-insensitively:
 *   Software\Microsoft\Office\<NN.N>\Outlook\Profiles     "office", NN.N descending
 *   Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles  "wms"
 *   Software\Microsoft\Windows Messaging Subsystem\Profiles                            "wms9x"
 * in that order, profiles of one root in stored order, each with its
 * sections loaded (mp_section_load) and its services named.  Everything is
 * allocated in a; *out is NULL when n == 0.  Fails on store errors, NOMEM
 * or MAPIPROF_E_LIMIT (more than MP_MAX_PROFILES in one root). */
int mp_locate_profiles(struct mp_store *s, struct mp_arena *a, struct mp_profile **out, size_t *n);

#endif
