/* section.h - the sections of one profile: the walk below the profile key,
 * roles from the well-known UIDs and the cross-references between sections
 * (EdkMdb.h, OutlookTrace; Microsoft Learn, "Using Multiple Exchange
 * Accounts"), selectors, and the decoded properties of a section.  Uses
 * only the store interface. */
#ifndef MP_SECTION_H
#define MP_SECTION_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "mapi/decode.h"
#include "store/store.h"

/* One key below a profile key. */
struct mp_section {
	struct mapiprof_section pub; /* strings live in the file's arena */
	mp_key key;
	size_t depth;     /* 1 = direct child of the profile key */
	size_t parent;    /* index of the parent section, SIZE_MAX at depth 1 */
	const char *name; /* PR_SERVICE_NAME (001e3d09/001f3d09) of the key itself */
	/* 16 bytes present: a direct child's 01023d0c PR_SERVICE_UID, or an
	 * account's "Service UID" (account manager, OutlookTrace). */
	int has_service_uid;
	uint8_t service_uid[16];
	int has_emsmdb_uid; /* 01023d15 PR_EMSMDB_SECTION_UID (16 bytes) present */
	uint8_t emsmdb_uid[16];
	/* Filled by mp_section_decode on first use, then cached. */
	int props_loaded;
	struct mapiprof_prop *props;
	size_t nprops;
	/* An account's summary (mapiprof_account), made on first use. */
	struct mapiprof_decoded *account;
};

/* A 16-byte UID of a direct child whose name is 32 hex digits. */
struct mp_section_uid {
	uint8_t uid[16];
	size_t index;
};

/* Every section of one profile. */
struct mp_section_set {
	struct mp_section *v; /* pre-order, children in stored order */
	size_t n;
	struct mp_section_uid *uids; /* sorted by uid for lookups */
	size_t nuids;
	const uint8_t *services; /* PR_SERVICES bytes (concatenated UIDs), or NULL */
	size_t nservices;        /* number of 16-byte UIDs in services */
	const char *where;       /* "profile 'NAME'" for messages */
};

/* Walks every key below profile (depth <= MP_MAX_SECTION_DEPTH, at most
 * MP_MAX_SECTIONS_PER_PROFILE keys), reads the cross-references of the
 * direct children and assigns roles, owners and service names.  where is
 * the profile's name for messages.  Everything is allocated in a.  Fails on
 * store errors, NOMEM, or MAPIPROF_E_LIMIT. */
int mp_section_load(struct mp_store *s, struct mp_arena *a, mp_key profile, const char *where,
                    struct mp_section_set *out);

/* The role of a direct child of a profile key by its name alone (the
 * well-known UIDs: "global", "emsab", "outlook", "services", "instance",
 * "accounts"), or NULL. */
const char *mp_section_uid_role(const char *uid);

/* Index of the direct child named by a 16-byte UID, or SIZE_MAX. */
size_t mp_section_find_uid(const struct mp_section_set *set, const uint8_t uid[16]);

/* Service names in PR_SERVICES order (UIDs without a section are skipped;
 * a service without PR_SERVICE_NAME gives ""), allocated in a. */
int mp_section_service_names(struct mapiprof_ctx *ctx, struct mp_arena *a,
                             const struct mp_section_set *set, const char *const **names,
                             size_t *n);

/* The decode scope of a section: provider from the service name,
 * "exchange" for global/emsab/emsmdb, "outlook" for outlook; role string. */
void mp_section_scope(const struct mp_section_set *set, size_t index, struct mp_scope *out);

/* 1 when selector is syntactically valid (see mapiprof_select), else 0. */
int mp_section_selector_valid(const char *selector);
/* MAPIPROF_OK for a valid selector, else MAPIPROF_E_SELECTOR listing the
 * valid ones and the nearest (mapiprof_selector_check). */
int mp_section_selector_check(struct mapiprof_ctx *ctx, const char *selector);
/* Resolves selector into a malloc'd array of indices (NULL when n == 0).
 * Fails with MAPIPROF_E_SELECTOR on a bad selector, or NOMEM. */
int mp_section_select(struct mapiprof_ctx *ctx, const struct mp_section_set *set,
                      const char *selector, size_t **indices, size_t *n);

/* Reads and decodes (once) every value of section index with codepage for
 * PT_STRING8 bytes, then fills each property's uids.  Fails on
 * store errors, NOMEM or MAPIPROF_E_LIMIT; on failure nothing is cached. */
int mp_section_decode(struct mp_store *s, struct mp_arena *a, const char *codepage,
                      struct mp_section_set *set, size_t index);

/* A REG_SZ/REG_EXPAND_SZ/REG_BINARY value holding UTF-16LE text, as UTF-8
 * up to the first NUL (a missing terminator is tolerated), in a.  *out is
 * NULL for any other type.  Fails only on NOMEM or iconv set-up errors. */
int mp_section_value_string(struct mapiprof_ctx *ctx, struct mp_arena *a, const struct mp_value *v,
                            const char **out);

/* Where a profile keeps its Exchange settings (Microsoft Learn, "Using
 * Multiple Exchange Accounts"): "emsmdb" when it has emsmdb sections
 * (Outlook 2010 and later, one per account), else "global" (Outlook 2007
 * and earlier, and the Exchange MAPI/CDO download). */
const char *mp_section_exchange_role(const struct mp_section_set *set);

#endif
