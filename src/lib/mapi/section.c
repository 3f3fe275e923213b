/* section.c - the sections of a profile: walk, roles and cross-references
 * (EdkMdb.h, OutlookTrace; Microsoft Learn, "Using Multiple Exchange
 * Accounts"), selectors, decoded properties. */
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/limits.h"
#include "base/nearest.h"
#include "base/utf16.h"
#include "mapi/account.h"
#include "mapi/section.h"

/* The Outlook account manager key (OutlookTrace): one subkey per account. */
#define ACCOUNTS_UID "9375CFF0413111d3B88A00104B2A6676"

/* Well-known section key names and their roles (EdkMdb.h, MAPIGuid.h,
 * MFCMAPI guid.h, OutlookTrace); compared case-insensitively, the account
 * manager key is mixed case. */
static const struct {
	const char *uid;
	const char *role;
} fixed_roles[] = {
    {"13dbb0c8aa05101a9bb000aa002fc45a", "global"},   /* pbGlobalProfileSectionGuid */
    {"dca740c8c042101ab4b908002b2fe182", "emsab"},    /* MUIDEMSAB */
    {"0a0d020000000000c000000000000046", "outlook"},  /* IID_CAPONE_PROF */
    {"9207f3e0a3b11019908b08002b2a56c2", "services"}, /* MAPI's service table root */
    {"8503020000000000c000000000000046", "instance"}, /* MUID_PROFILE_INSTANCE */
    {ACCOUNTS_UID, "accounts"},                       /* Outlook account manager */
};

#define SERVICES_UID "9207f3e0a3b11019908b08002b2a56c2"

/* Value names (type then ID, MFCMAPI's %04x%04x) of the cross-references
 * read at load. */
#define VN_SERVICES    "01023d0e" /* PR_SERVICES: concatenated service UIDs */
#define VN_SERVICE_UID "01023d0c" /* PR_SERVICE_UID: provider -> service */
#define VN_EMSMDB_UID  "01023d15" /* PR_EMSMDB_SECTION_UID (Outlook 2010+) */
#define VN_NAME_W      "001f3d09" /* PR_SERVICE_NAME_W, REG_BINARY UTF-16LE */
#define VN_NAME_A      "001e3d09" /* PR_SERVICE_NAME_A, REG_SZ */
/* An account's service section: 16 bytes, not a tag (account manager,
 * OutlookTrace). */
#define VN_ACCOUNT_SERVICE "Service UID"

/* Binary tags that hold UIDs of sections (OutlookTrace, RegRipper
 * outlook2.pl): shown even when a UID names no section of the profile. */
static const uint32_t uid_list_tags[] = {
    0x3D0E0102, /* PR_SERVICES */
    0x3D000102, /* PR_STORE_PROVIDERS */
    0x3D010102, /* PR_AB_PROVIDERS */
    0x3D020102, /* PR_TRANSPORT_PROVIDERS */
    0x3D0C0102, /* PR_SERVICE_UID */
    0x3D150102, /* PR_EMSMDB_SECTION_UID */
    0x3D060102, /* PR_AB_DEFAULT_DIR */
};

/* Service name prefixes (case-insensitive) to decode scopes
 * (provider-defined IDs, EdkMdb.h); "MSPST AB" must precede "MSPST". */
static const struct {
	const char *prefix;
	const char *provider;
} service_scopes[] = {
    {"MSEMS", "exchange"}, {"EMSDelegate", "exchange"}, {"EMSABP", "exchange"},
    {"CONTAB", "contab"},  {"MSPST AB", "pab"},         {"MSUPST", "pst"},
    {"MSPST", "pst"},      {"EMABLT", "ldap"},
};

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* 1 when the first n bytes of a and b are equal ignoring ASCII case. */
static int
ascii_ncaseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return 0;
		if (a[i] == '\0')
			return 1;
	}
	return 1;
}

/* Parses exactly 32 hex digits (any case) into 16 bytes in order (KB
 * Q175107, OutlookTrace). */
static int
parse_uid(const char *s, uint8_t out[16])
{
	return mp_hex_bytes(s, 16, out) && s[32] == '\0';
}

static int
uid_cmp(const void *a, const void *b)
{
	const struct mp_section_uid *x = a, *y = b;
	return memcmp(x->uid, y->uid, 16);
}

size_t
mp_section_find_uid(const struct mp_section_set *set, const uint8_t uid[16])
{
	size_t lo = 0, hi = set->nuids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(set->uids[mid].uid, uid, 16);
		if (c == 0)
			return set->uids[mid].index;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

int
mp_section_value_string(struct mapiprof_ctx *ctx, struct mp_arena *a, const struct mp_value *v,
                        const char **out)
{
	*out = NULL;
	if (v->type != MP_REG_SZ && v->type != MP_REG_EXPAND_SZ && v->type != MP_REG_BINARY)
		return MAPIPROF_OK;
	char *s = NULL;
	size_t slen = 0;
	if (mp_utf16le_to_utf8(ctx, v->data, v->len, &s, &slen, NULL) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	/* strdup stops at the first U+0000: the terminator, or a missing one. */
	*out = mp_arena_strdup(a, s);
	free(s);
	return *out != NULL ? MAPIPROF_OK : mp_nomem(ctx);
}

/* ---- the walk ---------------------------------------------------------- */

struct walk {
	struct mp_store *s;
	struct mp_arena *a;
	struct mp_section_set *set;
	struct mp_section *v; /* malloc'd while walking */
	size_t n, cap;
	const uint8_t *services;
	size_t nservices;
};

/* Reads the cross-references of a direct child: its service name, 3d0c,
 * 3d15, and PR_SERVICES when it is the service table root (OutlookTrace). */
static int
read_facts(struct walk *w, size_t index)
{
	struct mapiprof_ctx *ctx = w->s->ctx;
	struct mp_value *vals = NULL;
	size_t nv = 0;
	if (w->s->ops->values(w->s, w->v[index].key, &vals, &nv) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct mp_section *sec = &w->v[index];
	int rc = MAPIPROF_OK;
	const struct mp_value *v = mp_store_value_find(vals, nv, VN_NAME_W);
	if (v == NULL)
		v = mp_store_value_find(vals, nv, VN_NAME_A);
	if (v != NULL)
		rc = mp_section_value_string(ctx, w->a, v, &sec->name);
	v = mp_store_value_find(vals, nv, VN_SERVICE_UID);
	if (v != NULL && v->len == 16) {
		sec->has_service_uid = 1;
		memcpy(sec->service_uid, v->data, 16);
	}
	v = mp_store_value_find(vals, nv, VN_EMSMDB_UID);
	if (v != NULL && v->len == 16) {
		sec->has_emsmdb_uid = 1;
		memcpy(sec->emsmdb_uid, v->data, 16);
	}
	v = mp_store_value_find(vals, nv, VN_SERVICES);
	if (rc == MAPIPROF_OK && v != NULL && w->services == NULL &&
	    mp_name_casecmp(sec->pub.uid, SERVICES_UID) == 0 && v->len >= 16) {
		/* A trailing partial UID is ignored. */
		w->nservices = v->len / 16;
		w->services = mp_arena_memdup(w->a, v->data, w->nservices * 16);
		if (w->services == NULL)
			rc = mp_nomem(ctx);
	}
	mp_store_values_free(vals, nv);
	return rc;
}

/* Reads the "Service UID" of an account subkey of the account manager
 * (OutlookTrace) into the section's service_uid. */
static int
read_account_facts(struct walk *w, size_t index)
{
	struct mp_value *vals = NULL;
	size_t nv = 0;
	if (w->s->ops->values(w->s, w->v[index].key, &vals, &nv) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	const struct mp_value *v = mp_store_value_find(vals, nv, VN_ACCOUNT_SERVICE);
	if (v != NULL && v->len == 16) {
		w->v[index].has_service_uid = 1;
		memcpy(w->v[index].service_uid, v->data, 16);
	}
	/* The account type from the subkey's clsid (actMgmt.h). */
	const char *clsid = NULL;
	v = mp_store_value_find(vals, nv, "clsid");
	int rc = v != NULL ? mp_section_value_string(w->s->ctx, w->a, v, &clsid) : MAPIPROF_OK;
	const char *type = mp_account_type(clsid);
	w->v[index].pub.account_type = type != NULL ? type : "unknown";
	mp_store_values_free(vals, nv);
	return rc;
}

static int walk_children(struct walk *w, mp_key key, const char *prefix, size_t depth,
                         size_t parent);

/* Appends the key as a section, then walks below it within the depth cap. */
static int
add_section(struct walk *w, mp_key key, const char *prefix, size_t depth, size_t parent)
{
	struct mapiprof_ctx *ctx = w->s->ctx;
	if (w->n >= MP_MAX_SECTIONS_PER_PROFILE) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "%s: more than %u keys below the profile",
		          w->set->where, MP_MAX_SECTIONS_PER_PROFILE);
		return MAPIPROF_FAILED;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap == 0 ? 64 : w->cap * 2;
		struct mp_section *nv = realloc(w->v, cap * sizeof(*nv));
		if (nv == NULL)
			return mp_nomem(ctx);
		w->v = nv;
		w->cap = cap;
	}
	char *name = NULL;
	if (w->s->ops->key_name(w->s, key, &name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	const char *uid = prefix == NULL ? mp_arena_strdup(w->a, name)
	                                 : mp_arena_printf(w->a, "%s\\%s", prefix, name);
	free(name);
	if (uid == NULL)
		return mp_nomem(ctx);
	size_t me = w->n++;
	struct mp_section *sec = &w->v[me];
	memset(sec, 0, sizeof(*sec));
	sec->pub.uid = uid;
	sec->pub.role = "unknown";
	sec->key = key;
	sec->depth = depth;
	sec->parent = parent;
	if (w->s->ops->key_mtime(w->s, key, &sec->pub.last_write) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (depth == 1 && read_facts(w, me) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (depth == 2 && mp_name_casecmp(w->v[parent].pub.uid, ACCOUNTS_UID) == 0 &&
	    read_account_facts(w, me) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (depth >= MP_MAX_SECTION_DEPTH)
		return MAPIPROF_OK;
	return walk_children(w, key, uid, depth + 1, me);
}

static int
walk_children(struct walk *w, mp_key key, const char *prefix, size_t depth, size_t parent)
{
	mp_key *kids = NULL;
	size_t nk = 0;
	if (w->s->ops->children(w->s, key, &kids, &nk) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; i < nk && rc == MAPIPROF_OK; i++)
		rc = add_section(w, kids[i], prefix, depth, parent);
	free(kids);
	return rc;
}

/* Builds the sorted UID index of the direct children named by 32 hex digits. */
static int
index_uids(struct mapiprof_ctx *ctx, struct mp_arena *a, struct mp_section_set *set)
{
	set->uids = mp_arena_calloc(a, set->n, sizeof(*set->uids));
	if (set->uids == NULL)
		return mp_nomem(ctx);
	set->nuids = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct mp_section_uid *u = &set->uids[set->nuids];
		if (set->v[i].depth == 1 && parse_uid(set->v[i].pub.uid, u->uid)) {
			u->index = i;
			set->nuids++;
		}
	}
	if (set->nuids > 1)
		qsort(set->uids, set->nuids, sizeof(*set->uids), uid_cmp);
	return MAPIPROF_OK;
}

/* ---- roles ------------------------------------------------------------- */

static const char *
fixed_role(const char *uid)
{
	for (size_t i = 0; i < sizeof(fixed_roles) / sizeof(fixed_roles[0]); i++)
		if (mp_name_casecmp(uid, fixed_roles[i].uid) == 0)
			return fixed_roles[i].role;
	return NULL;
}

const char *
mp_section_uid_role(const char *uid)
{
	return fixed_role(uid);
}

static int
is_role(const struct mp_section *sec, const char *role)
{
	return strcmp(sec->pub.role, role) == 0;
}

/* Owner uid string for a 16-byte reference: the section's stored name, or
 * the lower-case hex of a dangling reference. */
static const char *
owner_of(struct mp_arena *a, const struct mp_section_set *set, const uint8_t uid[16], size_t *idx)
{
	*idx = mp_section_find_uid(set, uid);
	if (*idx != SIZE_MAX)
		return set->v[*idx].pub.uid;
	char hex[33];
	mp_hex_encode(uid, 16, hex);
	return mp_arena_strdup(a, hex);
}

/* Fixed roles, account subkeys and services; an account's
 * service is the name of the service section its Service UID names. */
static void
assign_basic_roles(struct mp_section_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct mp_section *sec = &set->v[i];
		const char *r = sec->depth == 1 ? fixed_role(sec->pub.uid) : NULL;
		if (r != NULL)
			sec->pub.role = r;
		else if (sec->depth == 2 && is_role(&set->v[sec->parent], "accounts"))
			sec->pub.role = "account";
	}
	for (size_t k = 0; k < set->nservices; k++) {
		size_t j = mp_section_find_uid(set, set->services + 16 * k);
		if (j != SIZE_MAX && is_role(&set->v[j], "unknown")) {
			set->v[j].pub.role = "service";
			set->v[j].pub.service = set->v[j].name;
		}
	}
	for (size_t i = 0; i < set->n; i++) {
		struct mp_section *sec = &set->v[i];
		if (!is_role(sec, "account") || !sec->has_service_uid)
			continue;
		size_t j = mp_section_find_uid(set, sec->service_uid);
		if (j != SIZE_MAX && is_role(&set->v[j], "service"))
			sec->pub.service = set->v[j].name;
	}
}

/* Providers (01023d0c back-pointer), then emsmdb sections (01023d15 of a
 * service or provider; "Using Multiple Exchange Accounts"). */
static int
assign_ref_roles(struct mapiprof_ctx *ctx, struct mp_arena *a, struct mp_section_set *set)
{
	size_t j;
	for (size_t i = 0; i < set->n; i++) {
		struct mp_section *sec = &set->v[i];
		if (sec->depth != 1 || !sec->has_service_uid || !is_role(sec, "unknown"))
			continue;
		sec->pub.role = "provider";
		sec->pub.owner = owner_of(a, set, sec->service_uid, &j);
		if (sec->pub.owner == NULL)
			return mp_nomem(ctx);
		sec->pub.service = j != SIZE_MAX ? set->v[j].name : NULL;
	}
	for (size_t i = 0; i < set->n; i++) {
		struct mp_section *sec = &set->v[i];
		if (!sec->has_emsmdb_uid || (!is_role(sec, "service") && !is_role(sec, "provider")))
			continue;
		j = mp_section_find_uid(set, sec->emsmdb_uid);
		if (j == SIZE_MAX || j == i ||
		    (!is_role(&set->v[j], "unknown") && !is_role(&set->v[j], "provider")))
			continue;
		struct mp_section *t = &set->v[j];
		t->pub.role = "emsmdb";
		t->pub.owner = is_role(sec, "service") ? sec->pub.uid : sec->pub.owner;
		t->pub.service = sec->pub.service;
	}
	/* Otherwise a section's own PR_SERVICE_NAME (a provider of a missing
	 * service, an orphaned service section). */
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].pub.service == NULL)
			set->v[i].pub.service = set->v[i].name;
	return MAPIPROF_OK;
}

int
mp_section_load(struct mp_store *s, struct mp_arena *a, mp_key profile, const char *where,
                struct mp_section_set *out)
{
	struct walk w;
	memset(&w, 0, sizeof(w));
	memset(out, 0, sizeof(*out));
	w.s = s;
	w.a = a;
	w.set = out;
	out->where = where;
	int rc = walk_children(&w, profile, NULL, 1, SIZE_MAX);
	if (rc != MAPIPROF_OK)
		goto out;
	out->n = w.n;
	out->v = mp_arena_memdup(a, w.v, w.n * sizeof(*w.v));
	if (out->v == NULL) {
		rc = mp_nomem(s->ctx);
		goto out;
	}
	out->services = w.services;
	out->nservices = w.nservices;
	rc = index_uids(s->ctx, a, out);
	if (rc != MAPIPROF_OK)
		goto out;
	assign_basic_roles(out);
	rc = assign_ref_roles(s->ctx, a, out);
out:
	free(w.v);
	return rc;
}

int
mp_section_service_names(struct mapiprof_ctx *ctx, struct mp_arena *a,
                         const struct mp_section_set *set, const char *const **names, size_t *n)
{
	const char **v = mp_arena_calloc(a, set->nservices + 1, sizeof(*v));
	if (v == NULL)
		return mp_nomem(ctx);
	size_t k = 0;
	for (size_t i = 0; i < set->nservices; i++) {
		size_t j = mp_section_find_uid(set, set->services + 16 * i);
		if (j == SIZE_MAX || !is_role(&set->v[j], "service"))
			continue;
		v[k++] = set->v[j].name != NULL ? set->v[j].name : "";
	}
	*names = v;
	*n = k;
	return MAPIPROF_OK;
}

static const char *
provider_of(const char *service)
{
	if (service == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(service_scopes) / sizeof(service_scopes[0]); i++) {
		const char *p = service_scopes[i].prefix;
		if (ascii_ncaseeq(service, p, strlen(p)))
			return service_scopes[i].provider;
	}
	return NULL;
}

void
mp_section_scope(const struct mp_section_set *set, size_t index, struct mp_scope *out)
{
	const struct mp_section *sec = &set->v[index];
	out->role = sec->pub.role;
	if (is_role(sec, "global") || is_role(sec, "emsab") || is_role(sec, "emsmdb"))
		out->provider = "exchange";
	else if (is_role(sec, "outlook"))
		out->provider = "outlook";
	else
		out->provider = provider_of(sec->pub.service);
}

/* ---- selectors --------------------------------------------------------- */

struct selector {
	const char *role;    /* match this role */
	int accounts;        /* the account manager and its account subkeys */
	int exchange;        /* the Exchange settings sections (see mp_section_exchange_role) */
	const char *service; /* service:NAME */
	int is_uid;
	uint8_t uid[16];
};

static const char *const selector_roles[] = {
    "global", "emsab", "outlook", "services", "instance", "emsmdb",
};

static int
parse_selector(const char *s, struct selector *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(selector_roles) / sizeof(selector_roles[0]); i++) {
		if (mp_name_casecmp(s, selector_roles[i]) == 0) {
			out->role = selector_roles[i];
			return 1;
		}
	}
	if (mp_name_casecmp(s, "accounts") == 0) {
		out->accounts = 1;
		return 1;
	}
	if (mp_name_casecmp(s, "exchange") == 0) {
		out->exchange = 1;
		return 1;
	}
	if (ascii_ncaseeq(s, "service:", 8) && strlen(s) > 8) {
		out->service = s + 8;
		return 1;
	}
	out->is_uid = strlen(s) == 32 && parse_uid(s, out->uid);
	return out->is_uid;
}

int
mp_section_selector_valid(const char *selector)
{
	struct selector sel;
	return selector != NULL && parse_selector(selector, &sel);
}

int
mp_section_selector_check(struct mapiprof_ctx *ctx, const char *selector)
{
	if (mp_section_selector_valid(selector))
		return MAPIPROF_OK;
	struct mp_nearest near;
	mp_nearest_init(&near, selector);
	for (size_t i = 0; i < sizeof(selector_roles) / sizeof(selector_roles[0]); i++)
		mp_nearest_offer(&near, selector_roles[i]);
	mp_nearest_offer(&near, "accounts");
	mp_nearest_offer(&near, "exchange");
	char hint[MP_DID_YOU_MEAN_MAX];
	mp_seterr(ctx, MAPIPROF_E_SELECTOR,
	          "'%s' is not a section selector (expected exchange, global, emsab, outlook, "
	          "services, instance, accounts, emsmdb, service:NAME or a 32-hex-digit "
	          "UID)%s",
	          selector != NULL ? selector : "",
	          mp_did_you_mean(mp_nearest_best(&near), hint, sizeof(hint)));
	mp_seterr_file(ctx, NULL);
	return MAPIPROF_FAILED;
}

/* service:NAME matches the whole service name, or its first word (the
 * real PST service is "MSUPST MS"), ignoring case. */
static int
service_matches(const char *name, const char *want)
{
	if (name == NULL)
		return 0;
	if (mp_name_casecmp(name, want) == 0)
		return 1;
	size_t word = strcspn(name, " ");
	return name[word] == ' ' && strlen(want) == word && ascii_ncaseeq(name, want, word);
}

const char *
mp_section_exchange_role(const struct mp_section_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (is_role(&set->v[i], "emsmdb"))
			return "emsmdb";
	return "global";
}

static int
selector_matches(const struct mp_section_set *set, size_t i, const struct selector *sel)
{
	const struct mp_section *sec = &set->v[i];
	if (sel->role != NULL)
		return is_role(sec, sel->role);
	if (sel->accounts)
		return is_role(sec, "accounts") || is_role(sec, "account");
	if (sel->service != NULL)
		return is_role(sec, "service") && service_matches(sec->name, sel->service);
	return mp_section_find_uid(set, sel->uid) == i;
}

int
mp_section_select(struct mapiprof_ctx *ctx, const struct mp_section_set *set, const char *selector,
                  size_t **indices, size_t *n)
{
	struct selector sel;
	*indices = NULL;
	*n = 0;
	if (selector == NULL || !parse_selector(selector, &sel))
		return mp_section_selector_check(ctx, selector);
	if (sel.exchange)
		sel.role = mp_section_exchange_role(set);
	size_t count = 0;
	for (size_t i = 0; i < set->n; i++)
		count += selector_matches(set, i, &sel) ? 1u : 0u;
	if (count == 0)
		return MAPIPROF_OK;
	size_t *v = malloc(count * sizeof(*v));
	if (v == NULL)
		return mp_nomem(ctx);
	size_t k = 0;
	for (size_t i = 0; i < set->n && k < count; i++)
		if (selector_matches(set, i, &sel))
			v[k++] = i;
	*indices = v;
	*n = k;
	return MAPIPROF_OK;
}

/* ---- properties -------------------------------------------------------- */

static int
is_uid_list_tag(uint32_t tag)
{
	for (size_t i = 0; i < sizeof(uid_list_tags) / sizeof(uid_list_tags[0]); i++)
		if (uid_list_tags[i] == tag)
			return 1;
	return 0;
}

static void
set_ref(struct mapiprof_uidref *r, const struct mp_section_set *set, const uint8_t *uid)
{
	mp_hex_encode(uid, 16, r->uid);
	r->section = mp_section_find_uid(set, uid);
}

/* A binary value (PT_BINARY, or a REG_BINARY non-tag value such as the
 * account manager's "Service UID") that is a list of 16-byte UIDs: shown
 * when every UID names a section, or always for the known list tags. */
static int
fill_binary_uids(struct mapiprof_ctx *ctx, struct mp_arena *a, const struct mp_section_set *set,
                 struct mapiprof_prop *p)
{
	if (p->is_tag && (p->tag & 0xFFFFu) != MP_PT_BINARY)
		return MAPIPROF_OK;
	if (p->len == 0 || p->len % 16 != 0)
		return MAPIPROF_OK;
	size_t n = p->len / 16;
	if (!(p->is_tag && is_uid_list_tag(p->tag)))
		for (size_t i = 0; i < n; i++)
			if (mp_section_find_uid(set, p->data + 16 * i) == SIZE_MAX)
				return MAPIPROF_OK;
	struct mapiprof_uidref *r = mp_arena_calloc(a, n, sizeof(*r));
	if (r == NULL)
		return mp_nomem(ctx);
	for (size_t i = 0; i < n; i++)
		set_ref(&r[i], set, p->data + 16 * i);
	p->uids = r;
	p->nuids = n;
	return MAPIPROF_OK;
}

/* 16-byte elements of a PT_MV_BINARY value that name sections. */
static int
fill_mv_uids(struct mapiprof_ctx *ctx, struct mp_arena *a, const struct mp_section_set *set,
             struct mapiprof_prop *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->count; i++)
		if (p->blobs[i].len == 16 && mp_section_find_uid(set, p->blobs[i].data) != SIZE_MAX)
			n++;
	if (n == 0)
		return MAPIPROF_OK;
	struct mapiprof_uidref *r = mp_arena_calloc(a, n, sizeof(*r));
	if (r == NULL)
		return mp_nomem(ctx);
	size_t k = 0;
	for (size_t i = 0; i < p->count && k < n; i++)
		if (p->blobs[i].len == 16 && mp_section_find_uid(set, p->blobs[i].data) != SIZE_MAX)
			set_ref(&r[k++], set, p->blobs[i].data);
	p->uids = r;
	p->nuids = k;
	return MAPIPROF_OK;
}

static int
fill_uids(struct mapiprof_ctx *ctx, struct mp_arena *a, const struct mp_section_set *set,
          struct mapiprof_prop *p)
{
	if (p->kind == MAPIPROF_V_BINARY && p->data != NULL)
		return fill_binary_uids(ctx, a, set, p);
	if (p->kind == MAPIPROF_V_MV_BINARY && p->blobs != NULL)
		return fill_mv_uids(ctx, a, set, p);
	return MAPIPROF_OK;
}

/* Decodes one stored value into p (mp_decode_value copies the name and the
 * bytes into the arena), then finds the UIDs it holds. */
static int
decode_one(struct mp_store *s, struct mp_arena *a, const char *codepage,
           const struct mp_scope *scope, const struct mp_section_set *set, const struct mp_value *v,
           struct mapiprof_prop *p)
{
	if (mp_decode_value(s->ctx, a, scope, codepage, v->name, v->type, v->data, v->len, p) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return fill_uids(s->ctx, a, set, p);
}

int
mp_section_decode(struct mp_store *s, struct mp_arena *a, const char *codepage,
                  struct mp_section_set *set, size_t index)
{
	struct mp_section *sec = &set->v[index];
	if (sec->props_loaded)
		return MAPIPROF_OK;
	struct mp_value *vals = NULL;
	size_t nv = 0;
	if (s->ops->values(s, sec->key, &vals, &nv) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	if (nv > MP_MAX_VALUES_PER_KEY) {
		mp_seterr(s->ctx, MAPIPROF_E_LIMIT, "%s, section %s: more than %u values",
		          set->where, sec->pub.uid, MP_MAX_VALUES_PER_KEY);
		rc = MAPIPROF_FAILED;
		goto out;
	}
	struct mapiprof_prop *props = mp_arena_calloc(a, nv, sizeof(*props));
	if (props == NULL) {
		rc = mp_nomem(s->ctx);
		goto out;
	}
	struct mp_scope scope;
	mp_section_scope(set, index, &scope);
	for (size_t i = 0; i < nv && rc == MAPIPROF_OK; i++)
		rc = decode_one(s, a, codepage, &scope, set, &vals[i], &props[i]);
	if (rc == MAPIPROF_OK) {
		sec->props = props;
		sec->nprops = nv;
		sec->props_loaded = 1;
	}
out:
	mp_store_values_free(vals, nv);
	return rc;
}
