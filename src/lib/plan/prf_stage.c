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
#include "mapi/locate.h"
#include "plan/plan.h"
#include "plan/tree.h"

#define OFFICE_KEY     "Software\\Microsoft\\Office"
#define SETUP_SUBKEY   "Outlook\\Setup"
#define IMPORT_VALUE   "ImportPRF"
#define DEFAULT_OFFICE "16.0" /* Office 2016 and later, Microsoft 365 Apps */
/* REG_SZ data is at most 32767 characters where a path is concerned
 * (Microsoft Learn, "Maximum Path Length Limitation"). */
#define MAX_PATH_BYTES 32767u

/* The values the import waits for: gone before Outlook reads ImportPRF. */
static const char *const first_run[] = {"FirstRun", "First-Run"};

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

/* The plan on file: ImportPRF set and FirstRun/First-Run deleted in the
 * Setup key of office (the newest one when NULL), the keys on the way
 * created when missing (plan/tree.h: a value already so plans nothing). */
static int
build(struct mapiprof_file *file, const char *office, const char *prf_path,
      struct mapiprof_plan **out)
{
	struct mp_store *s = file->store;
	struct mp_tree_plan t;
	const uint8_t *data = NULL;
	size_t len = 0;
	mp_key root = 0;
	if (mp_tree_begin(&t, file) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct mp_arena *a = &t.plan->arena;
	int rc = s->ops->root(s, &root);
	if (rc == MAPIPROF_OK && office == NULL)
		rc = default_office(s, root, a, &office);
	const char *path = rc == MAPIPROF_OK
	                       ? mp_arena_printf(a, "%s\\%s\\%s", OFFICE_KEY, office, SETUP_SUBKEY)
	                       : NULL;
	if (rc == MAPIPROF_OK && path == NULL)
		rc = mp_nomem(file->ctx);
	if (rc == MAPIPROF_OK)
		rc = import_data(file->ctx, a, prf_path, &data, &len);
	if (rc == MAPIPROF_OK)
		rc = mp_tree_set_value(&t, path, IMPORT_VALUE, 0, MP_REG_SZ, data, len, NULL);
	for (size_t i = 0; rc == MAPIPROF_OK && i < sizeof(first_run) / sizeof(first_run[0]); i++)
		rc = mp_tree_set_value(&t, path, first_run[i], 1, 0, NULL, 0, NULL);
	if (rc != MAPIPROF_OK) {
		mp_tree_abort(&t);
		return MAPIPROF_FAILED;
	}
	return mp_tree_finish(&t, out);
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
	if (build(file, office, prf_path, out) != MAPIPROF_OK) {
		mp_seterr_file(file->ctx, file->path);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}
