/* plan.c - plans a recipe on profiles of an open file, reading only: which
 * profiles it applies to, the sections each edit selects (or creates), and
 * for every touched value its final state after all edits, as public
 * changes (before/after decoded) and per-key ops for the writer (plan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapi/decode.h"
#include "mapi/locate.h"
#include "mapi/section.h"
#include "plan/edit.h"
#include "plan/plan.h"

/* Provider-defined IDs: Exchange settings in a global section (EdkMdb.h). */
#define PROVIDER_ID_MIN 0x6600u
#define PROVIDER_ID_MAX 0x67FFu

#define SKIP_NO_EXCHANGE                                                                           \
	"no Exchange service (MSEMS) and no Exchange settings in the global section"
#define SKIP_NOT_LEGACY                                                                            \
	"its Exchange settings are in per-account emsmdb sections (Outlook 2010 or later), "       \
	"which this recipe, made for the global section, does not change"

/* Sections an edit may create when its selector matches nothing: the
 * well-known UIDs (EdkMdb.h, MAPIGuid.h, MFCMAPI guid.h; lower case as in
 * KB Q175107), and their decode scopes. */
static const struct {
	const char *role;
	const char *uid;
	const char *provider;
} creatable[] = {
    {"global", "13dbb0c8aa05101a9bb000aa002fc45a", "exchange"}, /* pbGlobalProfileSectionGuid */
    {"emsab", "dca740c8c042101ab4b908002b2fe182", "exchange"},  /* MUIDEMSAB */
    {"outlook", "0a0d020000000000c000000000000046", "outlook"}, /* IID_CAPONE_PROF */
    {"services", "9207f3e0a3b11019908b08002b2a56c2", NULL},     /* message-service table */
    {"instance", "8503020000000000c000000000000046", NULL},     /* MUID_PROFILE_INSTANCE */
};

/* A value's state: absent, or REG type and bytes. */
struct vstate {
	int present;
	uint32_t reg_type;
	const uint8_t *data;
	size_t len;
};

/* One value touched while planning. */
struct wval {
	const char *value_name; /* as stored, or lower-case TTTTIIII when new */
	uint32_t tag;
	const struct mapiprof_prop *stored; /* the file's decoded value, or NULL */
	struct vstate orig, cur;
	const char *edit;      /* the last edit that changed it */
	const char *prop_name; /* the edit's name for the tag */
};

/* One section key touched while planning. */
struct wkey {
	size_t profile;
	size_t section;  /* index in the profile's sections; SIZE_MAX when new */
	const char *uid; /* as stored; lower case when new */
	const char *role;
	struct mp_scope scope;
	struct wval *vals; /* malloc'd */
	size_t nvals, cap;
};

struct builder {
	struct mapiprof_file *file;
	struct mapiprof_ctx *ctx;
	struct mapiprof_plan *plan;
	struct wkey *keys; /* malloc'd */
	size_t nkeys, cap;
};

static const char *
profile_name(const struct builder *b, size_t p)
{
	return b->file->profiles[p].pub.name;
}

/* ---- which profiles ------------------------------------------------------ */

/* 1 when the profile has an MSEMS service or Exchange settings (a value with
 * a provider-defined ID, EdkMdb.h) in its global section; 0 when not; -1 on
 * error. */
static int
has_exchange(struct builder *b, size_t p)
{
	const struct mp_profile *pr = &b->file->profiles[p];
	for (size_t i = 0; i < pr->pub.nservices; i++)
		if (mp_name_casecmp(pr->pub.services[i], "MSEMS") == 0)
			return 1;
	for (size_t s = 0; s < pr->sections.n; s++) {
		if (strcmp(pr->sections.v[s].pub.role, "global") != 0)
			continue;
		const struct mapiprof_prop *props = NULL;
		size_t n = 0;
		if (mapiprof_section_props(b->file, p, s, &props, &n) != MAPIPROF_OK)
			return -1;
		for (size_t i = 0; i < n; i++) {
			uint32_t id = props[i].tag >> 16;
			if (props[i].is_tag && id >= PROVIDER_ID_MIN && id <= PROVIDER_ID_MAX)
				return 1;
		}
	}
	return 0;
}

static int
add_skip(struct builder *b, size_t p, const char *reason)
{
	struct mapiprof_plan *plan = b->plan;
	struct mapiprof_skip *v = plan->skips;
	if (plan->nskips % 16 == 0) {
		v = mp_arena_calloc(&plan->arena, plan->nskips + 16, sizeof(*v));
		if (v == NULL)
			return mp_nomem(b->ctx);
		if (plan->nskips > 0)
			memcpy(v, plan->skips, plan->nskips * sizeof(*v));
		plan->skips = v;
	}
	struct mapiprof_skip *s = &v[plan->nskips];
	s->profile = p;
	s->profile_name = mp_arena_strdup(&plan->arena, profile_name(b, p));
	s->reason = reason;
	if (s->profile_name == NULL)
		return mp_nomem(b->ctx);
	plan->nskips++;
	return MAPIPROF_OK;
}

/* ---- the touched keys and values ---------------------------------------- */

/* The work key of (profile, section), or of the new section uid when
 * section is SIZE_MAX; added when absent. */
static struct wkey *
get_key(struct builder *b, size_t p, size_t section, const char *uid, const char *role,
        const char *provider)
{
	for (size_t i = 0; i < b->nkeys; i++) {
		struct wkey *k = &b->keys[i];
		if (k->profile == p && k->section == section &&
		    (section != SIZE_MAX || (uid != NULL && strcmp(k->uid, uid) == 0)))
			return k;
	}
	if (b->nkeys == b->cap) {
		size_t cap = b->cap == 0 ? 8 : b->cap * 2;
		struct wkey *v = realloc(b->keys, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		b->keys = v;
		b->cap = cap;
	}
	struct wkey *k = &b->keys[b->nkeys++];
	memset(k, 0, sizeof(*k));
	k->profile = p;
	k->section = section;
	if (section != SIZE_MAX) {
		const struct mp_section_set *set = &b->file->profiles[p].sections;
		k->uid = set->v[section].pub.uid;
		k->role = set->v[section].pub.role;
		mp_section_scope(set, section, &k->scope);
	} else {
		k->uid = uid;
		k->role = role;
		k->scope.role = role;
		k->scope.provider = provider;
	}
	return k;
}

/* The file's value of tag in the key's section (never an S-prefixed
 * secure one, MFCMAPI's convention), or NULL. */
static int
find_stored(struct builder *b, const struct wkey *k, uint32_t tag, const struct mapiprof_prop **out)
{
	*out = NULL;
	if (k->section == SIZE_MAX)
		return MAPIPROF_OK;
	const struct mapiprof_prop *props = NULL;
	size_t n = 0;
	if (mapiprof_section_props(b->file, k->profile, k->section, &props, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t i = 0; i < n; i++) {
		if (props[i].is_tag && props[i].tag == tag && !props[i].secure) {
			*out = &props[i];
			break;
		}
	}
	return MAPIPROF_OK;
}

/* The work value of the edit's tag in k; added (with the stored state) when
 * absent. */
static struct wval *
get_val(struct builder *b, struct wkey *k, const struct mp_edit *e)
{
	for (size_t i = 0; i < k->nvals; i++)
		if (k->vals[i].tag == e->tag)
			return &k->vals[i];
	const struct mapiprof_prop *st = NULL;
	if (find_stored(b, k, e->tag, &st) != MAPIPROF_OK)
		return NULL;
	if (k->nvals == k->cap) {
		size_t cap = k->cap == 0 ? 4 : k->cap * 2;
		struct wval *v = realloc(k->vals, cap * sizeof(*v));
		if (v == NULL) {
			mp_nomem(b->ctx);
			return NULL;
		}
		k->vals = v;
		k->cap = cap;
	}
	struct wval *w = &k->vals[k->nvals];
	memset(w, 0, sizeof(*w));
	w->tag = e->tag;
	w->stored = st;
	w->prop_name = e->prop_name;
	if (st != NULL) {
		w->value_name = st->value_name;
		w->orig = (struct vstate){1, st->reg_type, st->data, st->len};
	} else {
		/* Type then ID, lower case (MFCMAPI's %04x%04x). */
		w->value_name =
		    mp_arena_printf(&b->plan->arena, "%04x%04x", (unsigned)(e->tag & 0xFFFFu),
		                    (unsigned)(e->tag >> 16));
		if (w->value_name == NULL) {
			mp_nomem(b->ctx);
			return NULL;
		}
	}
	w->cur = w->orig;
	k->nvals++;
	return w;
}

/* ---- applying one edit to one value -------------------------------------- */

static int
same_state(const struct vstate *x, const struct vstate *y)
{
	if (x->present != y->present)
		return 0;
	return !x->present || (x->reg_type == y->reg_type && x->len == y->len &&
	                       (x->len == 0 || memcmp(x->data, y->data, x->len) == 0));
}

static const char *
op_text(enum mapiprof_op op)
{
	return op == MAPIPROF_OP_SET_BITS ? "+=" : op == MAPIPROF_OP_CLEAR_BITS ? "-=" : ">=";
}

/* += -= >= on a present value: old | bits, old & ~bits, max(old, value),
 * unsigned on the type's width.  A value that is malformed or of another
 * length cannot take them (MAPIPROF_E_EDIT); = replaces it. */
static int
apply_int(struct builder *b, const struct wkey *k, const struct wval *w, const struct mp_edit *e,
          struct vstate *nv)
{
	size_t width = mp_edit_int_width(e->tag);
	int pristine = w->cur.data == w->orig.data;
	const char *why = pristine && w->stored != NULL ? w->stored->error : NULL;
	if (w->cur.len != width || why != NULL) {
		char what[128];
		if (why != NULL)
			snprintf(what, sizeof(what), "is malformed (%s)", why);
		else
			snprintf(what, sizeof(what), "holds %zu bytes, not %zu", w->cur.len, width);
		mp_seterr(b->ctx, MAPIPROF_E_EDIT,
		          "profile '%s', section %s: %s (value %s) %s: '%s' cannot apply (use = to "
		          "replace it)",
		          profile_name(b, k->profile), k->uid,
		          e->prop_name != NULL ? e->prop_name : "the property", w->value_name, what,
		          op_text(e->op));
		return MAPIPROF_FAILED;
	}
	uint64_t old = mp_edit_get_le(w->cur.data, width), v = old;
	if (e->op == MAPIPROF_OP_SET_BITS)
		v = old | e->number;
	else if (e->op == MAPIPROF_OP_CLEAR_BITS)
		v = old & ~e->number;
	else if (e->number > old)
		v = e->number;
	*nv = w->cur;
	if (v == old)
		return MAPIPROF_OK;
	uint8_t *buf = mp_arena_alloc(&b->plan->arena, width);
	if (buf == NULL)
		return mp_nomem(b->ctx);
	mp_edit_put_le(buf, v, width);
	*nv = (struct vstate){1, e->reg_type, buf, width};
	return MAPIPROF_OK;
}

/* The state after e: = new value; unset delete; += bits (absent: bits);
 * -= (absent: nothing); >= (absent: value). */
static int
apply(struct builder *b, struct wkey *k, const struct mp_edit *e)
{
	struct wval *w = get_val(b, k, e);
	if (w == NULL)
		return MAPIPROF_FAILED;
	struct vstate nv = w->cur;
	switch (e->op) {
	case MAPIPROF_OP_SET:
		nv = (struct vstate){1, e->reg_type, e->data, e->len};
		break;
	case MAPIPROF_OP_UNSET:
		nv = (struct vstate){0, 0, NULL, 0};
		break;
	default:
		if (w->cur.present) {
			if (apply_int(b, k, w, e, &nv) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
		} else if (e->op != MAPIPROF_OP_CLEAR_BITS) {
			nv = (struct vstate){1, e->reg_type, e->data, e->len};
		}
		break;
	}
	if (!same_state(&nv, &w->cur)) {
		w->cur = nv;
		w->edit = e->text;
		w->prop_name = e->prop_name;
	}
	return MAPIPROF_OK;
}

/* ---- selecting sections ------------------------------------------------- */

/* The section a selector that matched nothing would create: a well-known
 * name or a raw UID (lower case, as in KB Q175107); 0 when it names none. */
static int
creatable_uid(struct builder *b, const char *selector, const char **uid, const char **role,
              const char **provider)
{
	size_t n = sizeof(creatable) / sizeof(creatable[0]);
	for (size_t i = 0; i < n; i++) {
		if (mp_name_casecmp(selector, creatable[i].role) == 0) {
			*uid = creatable[i].uid;
			*role = creatable[i].role;
			*provider = creatable[i].provider;
			return 1;
		}
	}
	if (strlen(selector) != 32 || strspn(selector, "0123456789abcdefABCDEF") != 32)
		return 0;
	char *lower = mp_arena_strdup(&b->plan->arena, selector);
	if (lower == NULL)
		return -1;
	for (char *c = lower; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	*uid = lower;
	*role = "unknown";
	*provider = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(lower, creatable[i].uid) == 0) {
			*uid = creatable[i].uid;
			*role = creatable[i].role;
			*provider = creatable[i].provider;
		}
	}
	return 1;
}

/* Applies one edit to profile p: every section its selector matches, or
 * the section it names and may create (MAPIPROF_E_NOSECTION otherwise). */
static int
plan_edit(struct builder *b, size_t p, const struct mp_edit *e)
{
	size_t *idx = NULL, n = 0;
	if (mapiprof_select(b->file, p, e->selector, &idx, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; i < n && rc == MAPIPROF_OK; i++) {
		struct wkey *k = get_key(b, p, idx[i], NULL, NULL, NULL);
		rc = k != NULL ? apply(b, k, e) : mp_nomem(b->ctx);
	}
	free(idx);
	if (n > 0 || rc != MAPIPROF_OK)
		return rc;
	const char *uid = NULL, *role = NULL, *provider = NULL;
	int c = creatable_uid(b, e->selector, &uid, &role, &provider);
	if (c < 0)
		return mp_nomem(b->ctx);
	if (c == 0) {
		mp_seterr(b->ctx, MAPIPROF_E_NOSECTION,
		          "profile '%s': no section matches '%s', and only global, emsab, outlook, "
		          "services, instance or a UID can be created",
		          profile_name(b, p), e->selector);
		return MAPIPROF_FAILED;
	}
	struct wkey *k = get_key(b, p, SIZE_MAX, uid, role, provider);
	return k != NULL ? apply(b, k, e) : mp_nomem(b->ctx);
}

/* ---- the plan from the work ---------------------------------------------- */

/* Decodes a state into a new prop of the plan (NULL when absent), with the
 * UID references of the stored value when it is that value. */
static int
decode_state(struct builder *b, const struct wkey *k, const struct wval *w, const struct vstate *s,
             const struct mapiprof_prop **out)
{
	*out = NULL;
	if (!s->present)
		return MAPIPROF_OK;
	struct mp_arena *a = &b->plan->arena;
	struct mapiprof_prop *p = mp_arena_calloc(a, 1, sizeof(*p));
	if (p == NULL || mp_decode_value(b->ctx, a, &k->scope, b->ctx->codepage, w->value_name,
	                                 s->reg_type, s->data, s->len, p) != MAPIPROF_OK)
		return mp_nomem(b->ctx);
	if (w->stored != NULL && s->data == w->orig.data && w->stored->nuids > 0) {
		p->uids = mp_arena_memdup(a, w->stored->uids, w->stored->nuids * sizeof(*p->uids));
		if (p->uids == NULL)
			return mp_nomem(b->ctx);
		p->nuids = w->stored->nuids;
	}
	*out = p;
	return MAPIPROF_OK;
}

/* The public change and the writer's op for one changed value. */
static int
emit_value(struct builder *b, const struct wkey *k, const struct wval *w, struct mapiprof_change *c,
           struct mp_value_change *op)
{
	struct mp_arena *a = &b->plan->arena;
	op->value_name = mp_arena_strdup(a, w->value_name);
	op->del = !w->cur.present;
	op->reg_type = w->cur.reg_type;
	op->len = w->cur.len;
	op->data =
	    w->cur.present
	        ? mp_arena_memdup(a, w->cur.len > 0 ? w->cur.data : (const uint8_t *)"", w->cur.len)
	        : NULL;
	c->profile = k->profile;
	c->profile_name = mp_arena_strdup(a, profile_name(b, k->profile));
	c->section = mp_arena_strdup(a, k->uid);
	c->role = k->role;
	c->new_section = k->section == SIZE_MAX;
	c->edit = mp_arena_strdup(a, w->edit);
	c->kind = MAPIPROF_CHANGE_PROP;
	c->key = mp_arena_printf(a, "%s\\%s\\%s", b->file->profiles[k->profile].pub.root,
	                         c->profile_name, k->uid);
	c->value_name = op->value_name;
	c->tag = w->tag;
	c->kind = MAPIPROF_CHANGE_PROP;
	c->key = mp_arena_printf(a, "%s\\%s\\%s", b->file->profiles[k->profile].pub.root,
	                         profile_name(b, k->profile), k->uid);
	if (op->value_name == NULL || (w->cur.present && op->data == NULL) ||
	    c->profile_name == NULL || c->section == NULL || c->edit == NULL || c->key == NULL)
		return mp_nomem(b->ctx);
	if (decode_state(b, k, w, &w->orig, &c->before) != MAPIPROF_OK ||
	    decode_state(b, k, w, &w->cur, &c->after) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	const struct mapiprof_prop *shown = c->after != NULL ? c->after : c->before;
	c->prop_name = shown != NULL && shown->name != NULL ? shown->name : w->prop_name;
	return MAPIPROF_OK;
}

/* One plan key with the ops of k's changed values (none: nothing added). */
static int
emit_key(struct builder *b, const struct wkey *k)
{
	struct mapiprof_plan *plan = b->plan;
	size_t n = 0;
	for (size_t i = 0; i < k->nvals; i++)
		n += same_state(&k->vals[i].orig, &k->vals[i].cur) ? 0u : 1u;
	if (n == 0)
		return MAPIPROF_OK;
	struct mp_key_change *pk = &plan->keys[plan->nkeys];
	pk->profile = k->profile;
	pk->profile_key = b->file->profiles[k->profile].key;
	pk->key =
	    k->section != SIZE_MAX ? b->file->profiles[k->profile].sections.v[k->section].key : 0;
	pk->uid = mp_arena_strdup(&plan->arena, k->uid);
	pk->ops = mp_arena_calloc(&plan->arena, n, sizeof(*pk->ops));
	if (pk->uid == NULL || pk->ops == NULL)
		return mp_nomem(b->ctx);
	for (size_t i = 0; i < k->nvals; i++) {
		const struct wval *w = &k->vals[i];
		if (same_state(&w->orig, &w->cur))
			continue;
		if (emit_value(b, k, w, &plan->changes[plan->nchanges], &pk->ops[pk->nops]) !=
		    MAPIPROF_OK)
			return MAPIPROF_FAILED;
		pk->nops++;
		plan->nchanges++;
	}
	plan->nkeys++;
	return MAPIPROF_OK;
}

static int
emit(struct builder *b)
{
	size_t nvals = 0;
	for (size_t i = 0; i < b->nkeys; i++)
		nvals += b->keys[i].nvals;
	struct mapiprof_plan *plan = b->plan;
	plan->changes = mp_arena_calloc(&plan->arena, nvals + 1, sizeof(*plan->changes));
	plan->keys = mp_arena_calloc(&plan->arena, b->nkeys + 1, sizeof(*plan->keys));
	if (plan->changes == NULL || plan->keys == NULL)
		return mp_nomem(b->ctx);
	for (size_t i = 0; i < b->nkeys; i++)
		if (emit_key(b, &b->keys[i]) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	return MAPIPROF_OK;
}

/* ---- the public API ----------------------------------------------------- */

/* Plans every edit on profile p, or records why the recipe skips it. */
static int
plan_profile(struct builder *b, const struct mapiprof_recipe *recipe, size_t p)
{
	const char *scope = recipe->info.applies_to;
	if (strcmp(scope, "exchange") == 0 || strcmp(scope, "exchange-legacy") == 0) {
		int has = has_exchange(b, p);
		if (has < 0)
			return MAPIPROF_FAILED;
		if (has == 0)
			return add_skip(b, p, SKIP_NO_EXCHANGE);
	}
	/* exchange-legacy: the Exchange settings must be the global section's
	 * (Outlook 2007 and earlier, the MAPI/CDO download); on a profile with
	 * emsmdb sections, values written there are read by nothing. */
	if (strcmp(scope, "exchange-legacy") == 0 &&
	    strcmp(mp_section_exchange_role(&b->file->profiles[p].sections), "global") != 0)
		return add_skip(b, p, SKIP_NOT_LEGACY);
	for (size_t i = 0; i < recipe->nedits; i++)
		if (plan_edit(b, p, &recipe->edits[i]) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	return MAPIPROF_OK;
}

static int
check_args(struct mapiprof_file *file, const struct mapiprof_recipe *recipe, const size_t *profiles,
           size_t nprofiles)
{
	if (recipe == NULL || (profiles == NULL && nprofiles > 0)) {
		mp_seterr(file->ctx, MAPIPROF_E_INVALID, "mapiprof_plan_build: missing argument");
		return MAPIPROF_FAILED;
	}
	for (size_t i = 0; i < nprofiles; i++) {
		if (profiles[i] >= file->nprofiles) {
			mp_seterr(file->ctx, MAPIPROF_E_INVALID, "no profile %zu", profiles[i]);
			return MAPIPROF_FAILED;
		}
	}
	return MAPIPROF_OK;
}

int
mapiprof_plan_build(struct mapiprof_file *file, const struct mapiprof_recipe *recipe,
                    const size_t *profiles, size_t nprofiles, struct mapiprof_plan **out)
{
	if (out != NULL)
		*out = NULL;
	if (file == NULL || out == NULL)
		return MAPIPROF_FAILED;
	if (check_args(file, recipe, profiles, nprofiles) != MAPIPROF_OK) {
		mp_seterr_file(file->ctx, NULL);
		return MAPIPROF_FAILED;
	}
	struct builder b = {file, file->ctx, NULL, NULL, 0, 0};
	int rc = MAPIPROF_FAILED;
	b.plan = calloc(1, sizeof(*b.plan));
	if (b.plan == NULL) {
		mp_nomem(file->ctx);
		goto out;
	}
	for (size_t i = 0; i < nprofiles; i++) {
		int seen = 0;
		for (size_t j = 0; j < i; j++)
			seen |= profiles[j] == profiles[i];
		if (!seen && plan_profile(&b, recipe, profiles[i]) != MAPIPROF_OK)
			goto out;
	}
	rc = emit(&b);
out:
	for (size_t i = 0; i < b.nkeys; i++)
		free(b.keys[i].vals);
	free(b.keys);
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(file->ctx, file->path);
		mapiprof_plan_free(b.plan);
		return rc;
	}
	*out = b.plan;
	return MAPIPROF_OK;
}

size_t
mapiprof_plan_count(const struct mapiprof_plan *plan)
{
	return plan != NULL ? plan->nchanges : 0;
}

const struct mapiprof_change *
mapiprof_plan_at(const struct mapiprof_plan *plan, size_t i)
{
	return plan != NULL && i < plan->nchanges ? &plan->changes[i] : NULL;
}

size_t
mapiprof_plan_skip_count(const struct mapiprof_plan *plan)
{
	return plan != NULL ? plan->nskips : 0;
}

const struct mapiprof_skip *
mapiprof_plan_skip_at(const struct mapiprof_plan *plan, size_t i)
{
	return plan != NULL && i < plan->nskips ? &plan->skips[i] : NULL;
}

void
mapiprof_plan_free(struct mapiprof_plan *plan)
{
	if (plan == NULL)
		return;
	mp_arena_free(&plan->arena);
	free(plan);
}
