/* out_deleted.c - list --deleted and show --deleted output (out_deleted.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mapiprof/mapiprof.h>

#include "escape.h"
#include "fmt.h"
#include "memfile.h"
#include "out_deleted.h"
#include "out_json.h"
#include "out_text.h"

static int
load(struct mapiprof_file *f, const struct mapiprof_deleted_key **k, size_t *n, int *truncated,
     int *lib_failed)
{
	*lib_failed = mapiprof_deleted_keys(f, k, n, truncated) != MAPIPROF_OK;
	return *lib_failed ? -1 : 0;
}

/* ---- list ---------------------------------------------------------------- */

/* The recovered keys of one profile (root and name), or the orphans. */
struct group {
	const char *root, *profile; /* NULL, NULL: orphans */
	int deleted;                /* the profile has no live key */
	int64_t last_write;         /* of the recovered profile key */
	size_t keys, values;
};

/* Groups the recovered keys by profile; *g malloc'd. */
static int
group(const struct mapiprof_deleted_key *k, size_t n, struct group **g, size_t *ng)
{
	*ng = 0;
	*g = calloc(n > 0 ? n : 1u, sizeof(**g));
	if (*g == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		for (; j < *ng; j++)
			if ((k[i].orphan && (*g)[j].profile == NULL) ||
			    (!k[i].orphan && (*g)[j].profile != NULL &&
			     strcasecmp((*g)[j].root, k[i].root) == 0 &&
			     strcasecmp((*g)[j].profile, k[i].profile) == 0))
				break;
		if (j == *ng) {
			(*g)[j] = (struct group){NULL, NULL, 1, 0, 0, 0};
			if (!k[i].orphan) {
				(*g)[j].root = k[i].root;
				(*g)[j].profile = k[i].profile;
				(*g)[j].deleted = k[i].live_profile == SIZE_MAX;
			}
			(*ng)++;
		}
		if (k[i].section == NULL && !k[i].orphan)
			(*g)[j].last_write = k[i].last_write;
		(*g)[j].keys += k[i].deleted && k[i].path != NULL;
		(*g)[j].values += k[i].nprops;
	}
	return 0;
}

int
od_list_text(struct mapiprof_file *f, int *lib_failed)
{
	const struct mapiprof_deleted_key *k = NULL;
	size_t n = 0, ng = 0;
	int truncated = 0, rc = 0;
	struct group *g = NULL;
	if (!mapiprof_deleted_supported(f)) {
		*lib_failed = 0;
		return fputs(OD_NOTHING, stdout) == EOF ? -1 : 0;
	}
	if (load(f, &k, &n, &truncated, lib_failed) != 0 || group(k, n, &g, &ng) != 0)
		return -1;
	if (ng == 0)
		fputs("deleted: nothing recovered\n", stdout);
	for (size_t i = 0; i < ng; i++) {
		char when[48];
		if (g[i].profile == NULL) {
			fputs("orphans [deleted]\n", stdout);
		} else {
			fputs("profile: ", stdout);
			rc |= esc_fputs(g[i].profile, stdout);
			fputs(g[i].deleted ? " [deleted]\n  root: " : "\n  root: ", stdout);
			rc |= esc_fputs(g[i].root, stdout);
			fputc('\n', stdout);
			if (g[i].last_write != 0 &&
			    fmt_filetime(g[i].last_write, when, sizeof(when)) == 0)
				printf("  last write: %s\n", when);
		}
		printf("  recovered: %zu deleted key%s, %zu value%s\n", g[i].keys,
		       g[i].keys == 1 ? "" : "s", g[i].values, g[i].values == 1 ? "" : "s");
	}
	if (truncated)
		fputs("deleted: more was found than is kept; the rest is not shown\n", stdout);
	free(g);
	return rc;
}

int
od_list_json(struct mapiprof_file *f, json_t *obj, int *lib_failed)
{
	const struct mapiprof_deleted_key *k = NULL;
	size_t n = 0, ng = 0;
	int truncated = 0, bad = 0;
	struct group *g = NULL;
	json_t *a = json_array();
	*lib_failed = 0;
	if (a == NULL)
		return -1;
	if (mapiprof_deleted_supported(f) &&
	    (load(f, &k, &n, &truncated, lib_failed) != 0 || group(k, n, &g, &ng) != 0)) {
		json_decref(a);
		return -1;
	}
	for (size_t i = 0; !bad && i < ng; i++) {
		json_t *o = json_object();
		bad |= oj_push(a, o);
		if (bad)
			break;
		bad |= oj_set(o, "name", oj_string(g[i].profile));
		bad |= oj_set(o, "root", oj_string(g[i].root));
		bad |= oj_set(o, "orphans", json_boolean(g[i].profile == NULL));
		bad |= oj_set(o, "deleted", json_boolean(g[i].deleted));
		bad |= oj_set(o, "last_write", oj_time(g[i].last_write));
		bad |= oj_set(o, "keys", json_integer((json_int_t)g[i].keys));
		bad |= oj_set(o, "values", json_integer((json_int_t)g[i].values));
	}
	free(g);
	bad |= oj_set(obj, "deleted", a);
	if (!mapiprof_deleted_supported(f))
		bad |=
		    oj_set(obj, "deleted_note", json_string("a .reg file keeps no deleted data"));
	if (truncated)
		bad |= oj_set(obj, "deleted_truncated", json_true());
	return bad ? -1 : 0;
}

/* ---- show ---------------------------------------------------------------- */

static int
picked(const struct mapiprof_deleted_key *k, const struct od_filter *flt)
{
	size_t i = 0;
	if (flt->nprofiles > 0) {
		if (k->profile == NULL)
			return 0;
		for (; i < flt->nprofiles && strcasecmp(flt->profiles[i], k->profile) != 0; i++)
			;
		if (i == flt->nprofiles)
			return 0;
	}
	if (flt->nsections == 0)
		return 1;
	for (i = 0; i < flt->nsections; i++)
		if ((k->section != NULL && strcasecmp(flt->sections[i], k->section) == 0) ||
		    (k->role != NULL && strcmp(flt->sections[i], k->role) == 0))
			return 1;
	return 0;
}

/* One property, its first line marked. */
static int
text_prop(struct mapiprof_file *f, const struct mapiprof_deleted_prop *p, int raw)
{
	struct memfile mem;
	if (memfile_open(&mem) != 0)
		return -1;
	int rc = ot_prop(mem.f, f, SIZE_MAX, &p->prop, 0, raw);
	if (memfile_close(&mem) != 0)
		return -1;
	char *buf = mem.buf;
	fputs(p->earlier ? "    [deleted, earlier version] " : "    [deleted] ", stdout);
	for (char *line = buf; rc == 0 && *line != '\0';) {
		char *nl = strchr(line, '\n');
		size_t n = nl != NULL ? (size_t)(nl - line) + 1u : strlen(line);
		if (line != buf)
			fputs("    ", stdout);
		fwrite(line, 1, n, stdout);
		line += n;
	}
	free(buf);
	return rc;
}

int
od_show_text(struct mapiprof_file *f, const struct od_filter *flt, int *lib_failed)
{
	const struct mapiprof_deleted_key *k = NULL;
	size_t n = 0;
	int truncated = 0, rc = 0;
	if (!mapiprof_deleted_supported(f)) {
		*lib_failed = 0;
		return fputs(OD_NOTHING, stdout) == EOF ? -1 : 0;
	}
	if (load(f, &k, &n, &truncated, lib_failed) != 0)
		return -1;
	fputs("deleted:\n", stdout);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char when[48];
		if (!picked(&k[i], flt))
			continue;
		if (k[i].path == NULL) {
			fputs("  orphan values [deleted] (no key found)\n", stdout);
		} else {
			fputs(k[i].orphan ? "  orphan: " : "  key: ", stdout);
			rc |= esc_fputs(k[i].path, stdout);
			fputs(k[i].deleted ? " [deleted]\n" : "\n", stdout);
			fputs("    role: ", stdout);
			rc |= esc_fputs(k[i].role, stdout);
			if (fmt_filetime(k[i].last_write, when, sizeof(when)) != 0)
				strcpy(when, "-");
			printf(", last write: %s, nk at 0x%llx\n", when,
			       (unsigned long long)k[i].offset);
		}
		for (size_t j = 0; rc == 0 && j < k[i].nprops; j++)
			rc |= text_prop(f, &k[i].props[j], flt->raw);
	}
	if (truncated)
		fputs("deleted: more was found than is kept; the rest is not shown\n", stdout);
	return rc;
}

static json_t *
json_key(struct mapiprof_file *f, const struct mapiprof_deleted_key *k, int raw)
{
	json_t *o = json_object(), *a = json_array();
	if (o == NULL || a == NULL) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	int bad = oj_set(o, "path", oj_string(k->path));
	bad |= oj_set(o, "deleted", json_boolean(k->deleted));
	bad |= oj_set(o, "orphan", json_boolean(k->orphan));
	bad |= oj_set(o, "profile", oj_string(k->profile));
	bad |= oj_set(o, "root", oj_string(k->root));
	bad |= oj_set(o, "section", oj_string(k->section));
	bad |= oj_set(o, "role", oj_string(k->role));
	bad |= oj_set(o, "last_write", oj_time(k->last_write));
	bad |=
	    oj_set(o, "offset", k->offset != 0 ? json_integer((json_int_t)k->offset) : json_null());
	for (size_t j = 0; !bad && j < k->nprops; j++) {
		const struct mapiprof_deleted_prop *p = &k->props[j];
		json_t *po = json_object();
		bad |= oj_push(a, po);
		bad |= bad ? 0 : oj_prop_fill(po, f, SIZE_MAX, &p->prop, raw, 0);
		bad |= bad ? 0 : oj_set(po, "deleted", json_true());
		bad |= bad ? 0 : oj_set(po, "earlier", json_boolean(p->earlier));
		if (p->data_overwritten)
			bad |= bad ? 0 : oj_set(po, "data_overwritten", json_true());
		bad |= bad ? 0 : oj_set(po, "offset", json_integer((json_int_t)p->offset));
	}
	bad |= oj_set(o, "properties", a);
	return oj_done(o, bad);
}

int
od_show_json(struct mapiprof_file *f, const struct od_filter *flt, json_t *obj, int *lib_failed)
{
	const struct mapiprof_deleted_key *k = NULL;
	size_t n = 0;
	int truncated = 0, bad = 0;
	json_t *a = json_array();
	*lib_failed = 0;
	if (a == NULL)
		return -1;
	if (mapiprof_deleted_supported(f) && load(f, &k, &n, &truncated, lib_failed) != 0) {
		json_decref(a);
		return -1;
	}
	for (size_t i = 0; !bad && i < n; i++)
		if (picked(&k[i], flt))
			bad |= oj_push(a, json_key(f, &k[i], flt->raw));
	bad |= oj_set(obj, "deleted", a);
	if (!mapiprof_deleted_supported(f))
		bad |=
		    oj_set(obj, "deleted_note", json_string("a .reg file keeps no deleted data"));
	if (truncated)
		bad |= oj_set(obj, "deleted_truncated", json_true());
	return bad ? -1 : 0;
}
