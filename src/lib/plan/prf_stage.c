/* prf_stage.c - mapiprof_plan_prf_stage: the plan that makes Outlook build
 * its profile from a PRF file at its next start.  Outlook reads
 * Office\<ver>\Outlook\Setup\ImportPRF when it starts and no FirstRun or
 * First-Run value is in that key (Microsoft Learn, "Customize Outlook
 * profiles by using an Outlook Profile File (PRF)", which names the
 * ImportPRF value; deployment scripts report that either value makes
 * Outlook skip the import). */
#include <stdlib.h>
#include <string.h>

#include "base/utf16.h"
#include "mapi/decode.h"
#include "mapi/locate.h"
#include "plan/plan.h"

#define OFFICE_KEY     "Software\\Microsoft\\Office"
#define SETUP_SUBKEY   "Outlook\\Setup"
#define IMPORT_VALUE   "ImportPRF"
#define DEFAULT_OFFICE "16.0" /* Office 2016 and later, Microsoft 365 Apps */
/* REG_SZ data is at most 32767 characters where a path is concerned
 * (Microsoft Learn, "Maximum Path Length Limitation"). */
#define MAX_PATH_BYTES 32767u

/* The values the import waits for: gone before Outlook reads ImportPRF. */
static const char *const first_run[] = {"FirstRun", "First-Run"};

/* One value of the plan while building it. */
struct sval {
	const char *name;           /* as stored, or ours when new */
	const struct mp_value *cur; /* the stored value, or NULL */
	int del;
	const uint8_t *data; /* the new REG_SZ data when !del */
	size_t len;
};

/* 1 when s is "N.0" with N of 1 to 3 digits; *major = N. */
static int
office_version(const char *s, unsigned *major)
{
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n > 3 || strcmp(s + n, ".0") != 0)
		return 0;
	*major = (unsigned)strtoul(s, NULL, 10);
	return 1;
}

int
mapiprof_prf_stage_valid(const char *office, const char *prf_path, const char **why)
{
	unsigned major = 0;
	const char *w = NULL;
	if (office != NULL && !office_version(office, &major))
		w = "the Office version must look like 16.0";
	else if (prf_path == NULL || prf_path[0] == '\0')
		w = "the PRF path is empty";
	else if (strlen(prf_path) > MAX_PATH_BYTES)
		w = "the PRF path is longer than 32767 bytes";
	for (const unsigned char *p = (const unsigned char *)prf_path; w == NULL && *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7F)
			w = "the PRF path holds a control character";
	if (w == NULL) {
		uint8_t *u16 = NULL;
		size_t n = 0;
		if (mp_utf8_to_utf16le(NULL, prf_path, strlen(prf_path), &u16, &n) != MAPIPROF_OK)
			w = "the PRF path is not valid UTF-8";
		free(u16);
	}
	if (why != NULL)
		*why = w;
	return w == NULL;
}

/* The newest "N.0" child of Software\Microsoft\Office with an Outlook
 * subkey, as stored, in arena a; DEFAULT_OFFICE when none. */
static int
default_office(struct mp_store *s, mp_key root, struct mp_arena *a, const char **out)
{
	mp_key office = 0, *kids = NULL;
	size_t n = 0;
	unsigned best = 0;
	*out = DEFAULT_OFFICE;
	if (mp_store_path(s, root, OFFICE_KEY, &office) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (office == 0)
		return MAPIPROF_OK;
	if (s->ops->children(s, office, &kids, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; i < n && rc == MAPIPROF_OK; i++) {
		char *name = NULL;
		mp_key outlook = 0;
		unsigned major = 0;
		rc = s->ops->key_name(s, kids[i], &name);
		if (rc == MAPIPROF_OK && office_version(name, &major) && major > best)
			rc = mp_store_child(s, kids[i], "Outlook", &outlook);
		if (rc == MAPIPROF_OK && outlook != 0) {
			best = major;
			*out = mp_arena_strdup(a, name);
			if (*out == NULL)
				rc = mp_nomem(s->ctx);
		}
		free(name);
	}
	free(kids);
	return rc;
}

/* The Setup key's path from the root as stored (missing components as
 * ours), its handle (0 when missing) and how many of its components exist
 * (*have of *total). */
static int
setup_key(struct mp_store *s, mp_key root, struct mp_arena *a, const char *office,
          const char **path, mp_key *key, size_t *have, size_t *total)
{
	const char *want = mp_arena_printf(a, "%s\\%s\\%s", OFFICE_KEY, office, SETUP_SUBKEY);
	if (want == NULL)
		return mp_nomem(s->ctx);
	*total = 1;
	for (const char *c = want; *c != '\0'; c++)
		*total += *c == '\\';
	/* The longest existing prefix, then the rest as we spell it. */
	*key = 0;
	*have = 0;
	*path = want;
	for (size_t k = *total; k > 0; k--) {
		size_t cut = 0, seen = 0;
		while (want[cut] != '\0' && (want[cut] != '\\' || ++seen < k))
			cut++;
		char *prefix = mp_arena_strndup(a, want, cut);
		const char *stored = NULL;
		mp_key at = 0;
		if (prefix == NULL)
			return mp_nomem(s->ctx);
		if (mp_store_path_stored(s, root, prefix, &at, a, &stored) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (at == 0)
			continue;
		*have = k;
		*key = k == *total ? at : 0;
		*path = mp_arena_printf(a, "%s%s", stored, want + cut);
		return *path != NULL ? MAPIPROF_OK : mp_nomem(s->ctx);
	}
	return MAPIPROF_OK;
}

/* ImportPRF's data: prf_path as UTF-16LE with its terminating NUL. */
static int
import_data(struct mapiprof_ctx *ctx, struct mp_arena *a, const char *prf_path,
            const uint8_t **data, size_t *len)
{
	uint8_t *u16 = NULL;
	size_t n = 0;
	if (mp_utf8_to_utf16le(ctx, prf_path, strlen(prf_path), &u16, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint8_t *d = mp_arena_alloc(a, n + 2);
	if (d == NULL) {
		free(u16);
		return mp_nomem(ctx);
	}
	memcpy(d, u16, n);
	d[n] = d[n + 1] = 0;
	free(u16);
	*data = d;
	*len = n + 2;
	return MAPIPROF_OK;
}

/* 1 when the stored value already holds the string of want (REG_SZ, the
 * same UTF-16LE, with or without its terminating NULs). */
static int
same_string(const struct mp_value *v, const uint8_t *want, size_t wlen)
{
	if (v == NULL || v->type != MP_REG_SZ)
		return 0;
	size_t n = v->len & ~(size_t)1;
	while (n >= 2 && v->data[n - 2] == 0 && v->data[n - 1] == 0)
		n -= 2;
	return n == wlen - 2 && (n == 0 || memcmp(v->data, want, n) == 0);
}

/* ---- the plan ---------------------------------------------------------------- */

/* A decoded copy of a value state in the plan's arena (NULL when absent). */
static int
decode(struct mapiprof_ctx *ctx, struct mapiprof_plan *plan, const char *name, uint32_t type,
       const uint8_t *data, size_t len, const struct mapiprof_prop **out)
{
	static const struct mp_scope none = {0};
	struct mapiprof_prop *p = mp_arena_calloc(&plan->arena, 1, sizeof(*p));
	if (p == NULL || mp_decode_value(ctx, &plan->arena, &none, ctx->codepage, name, type, data,
	                                 len, p) != MAPIPROF_OK)
		return mp_nomem(ctx);
	/* A value outside the sections has no tag: its PT_ type is the one
	 * MAPI uses for its REG type. */
	p->type_name = type == MP_REG_SZ || type == MP_REG_EXPAND_SZ ? "PT_UNICODE"
	               : type == MP_REG_DWORD                        ? "PT_LONG"
	               : type == MP_REG_QWORD                        ? "PT_I8"
	               : type == MP_REG_MULTI_SZ                     ? "PT_MV_UNICODE"
	                                                             : "PT_BINARY";
	*out = p;
	return MAPIPROF_OK;
}

/* The public changes: a KEY_ADD per key to create (have of total
 * components of path exist), then a VALUE per op. */
static int
emit_changes(struct mapiprof_ctx *ctx, struct mapiprof_plan *plan, const char *path, size_t have,
             size_t total, const struct sval *v, size_t nv)
{
	struct mp_arena *a = &plan->arena;
	plan->changes = mp_arena_calloc(a, (total - have) + nv + 1, sizeof(*plan->changes));
	if (plan->changes == NULL)
		return mp_nomem(ctx);
	for (size_t k = have + 1; k <= total; k++) {
		size_t cut = 0, seen = 0;
		while (path[cut] != '\0' && (path[cut] != '\\' || ++seen < k))
			cut++;
		struct mapiprof_change *c = &plan->changes[plan->nchanges++];
		c->profile = MP_NO_PROFILE;
		c->kind = MAPIPROF_CHANGE_KEY_ADD;
		c->new_section = 1;
		if ((c->key = mp_arena_strndup(a, path, cut)) == NULL)
			return mp_nomem(ctx);
	}
	for (size_t i = 0; i < nv; i++) {
		struct mapiprof_change *c = &plan->changes[plan->nchanges++];
		c->profile = MP_NO_PROFILE;
		c->kind = MAPIPROF_CHANGE_VALUE;
		c->key = path;
		c->new_section = have < total;
		c->edit = "prf stage";
		c->value_name = v[i].name;
		if (v[i].cur != NULL && decode(ctx, plan, v[i].name, v[i].cur->type, v[i].cur->data,
		                               v[i].cur->len, &c->before) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (!v[i].del && decode(ctx, plan, v[i].name, MP_REG_SZ, v[i].data, v[i].len,
		                        &c->after) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* The writer's key: the Setup key (key 0: created from the root along
 * path) with one op per value. */
static int
emit_key(struct mapiprof_ctx *ctx, struct mapiprof_plan *plan, mp_key root, const char *path,
         mp_key key, const struct sval *v, size_t nv)
{
	struct mp_arena *a = &plan->arena;
	plan->keys = mp_arena_calloc(a, 1, sizeof(*plan->keys));
	struct mp_value_change *ops = mp_arena_calloc(a, nv, sizeof(*ops));
	if (plan->keys == NULL || ops == NULL)
		return mp_nomem(ctx);
	for (size_t i = 0; i < nv; i++) {
		ops[i].value_name = v[i].name;
		ops[i].del = v[i].del;
		ops[i].reg_type = v[i].del ? 0 : MP_REG_SZ;
		ops[i].data = v[i].del ? NULL : v[i].data;
		ops[i].len = v[i].del ? 0 : v[i].len;
	}
	plan->keys[0] = (struct mp_key_change){MP_NO_PROFILE, root, key, path, ops, nv};
	plan->nkeys = 1;
	return MAPIPROF_OK;
}

/* The values to change in the Setup key (stored values cur, ncur). */
static int
plan_values(struct mapiprof_ctx *ctx, struct mapiprof_plan *plan, const char *prf_path,
            const struct mp_value *cur, size_t ncur, struct sval *v, size_t *nv)
{
	const uint8_t *data = NULL;
	size_t len = 0;
	*nv = 0;
	if (import_data(ctx, &plan->arena, prf_path, &data, &len) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	const struct mp_value *imp = mp_store_value_find(cur, ncur, IMPORT_VALUE);
	if (!same_string(imp, data, len)) {
		const char *name =
		    mp_arena_strdup(&plan->arena, imp != NULL ? imp->name : IMPORT_VALUE);
		if (name == NULL)
			return mp_nomem(ctx);
		v[(*nv)++] = (struct sval){name, imp, 0, data, len};
	}
	for (size_t i = 0; i < sizeof(first_run) / sizeof(first_run[0]); i++) {
		const struct mp_value *fr = mp_store_value_find(cur, ncur, first_run[i]);
		if (fr == NULL)
			continue;
		const char *name = mp_arena_strdup(&plan->arena, fr->name);
		if (name == NULL)
			return mp_nomem(ctx);
		v[(*nv)++] = (struct sval){name, fr, 1, NULL, 0};
	}
	return MAPIPROF_OK;
}

static int
build(struct mapiprof_file *file, const char *office, const char *prf_path,
      struct mapiprof_plan *plan)
{
	struct mapiprof_ctx *ctx = file->ctx;
	struct mp_store *s = file->store;
	struct mp_value *cur = NULL;
	size_t ncur = 0, have = 0, total = 0, nv = 0;
	struct sval v[3];
	const char *path = NULL;
	mp_key root = 0, key = 0;
	if (s->ops->root(s, &root) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (office == NULL && default_office(s, root, &plan->arena, &office) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (setup_key(s, root, &plan->arena, office, &path, &key, &have, &total) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (key != 0 && s->ops->values(s, key, &cur, &ncur) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = plan_values(ctx, plan, prf_path, cur, ncur, v, &nv);
	/* The plan keeps copies of what it shows: the stored values go. */
	if (rc == MAPIPROF_OK && nv > 0)
		rc = emit_changes(ctx, plan, path, have, total, v, nv);
	if (rc == MAPIPROF_OK && nv > 0)
		rc = emit_key(ctx, plan, root, path, key, v, nv);
	mp_store_values_free(cur, ncur);
	return rc;
}

int
mapiprof_plan_prf_stage(struct mapiprof_file *file, const char *office, const char *prf_path,
                        struct mapiprof_plan **out)
{
	const char *why = NULL;
	if (out != NULL)
		*out = NULL;
	if (file == NULL || out == NULL)
		return MAPIPROF_FAILED;
	if (file->store == NULL || !mapiprof_prf_stage_valid(office, prf_path, &why)) {
		mp_seterr(file->ctx, MAPIPROF_E_INVALID, "prf stage: %s",
		          why != NULL ? why : "the file has no registry tree");
		mp_seterr_file(file->ctx, NULL);
		return MAPIPROF_FAILED;
	}
	struct mapiprof_plan *plan = calloc(1, sizeof(*plan));
	if (plan == NULL)
		return mp_nomem(file->ctx);
	if (build(file, office, prf_path, plan) != MAPIPROF_OK) {
		mp_seterr_file(file->ctx, file->path);
		mapiprof_plan_free(plan);
		return MAPIPROF_FAILED;
	}
	*out = plan;
	return MAPIPROF_OK;
}
