/* fuzz_common.c - see fuzz_common.h. */
#include "fuzz_common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile unsigned sink;

void
fuzz_touch_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	unsigned sum = 0;
	if (b == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		sum += b[i];
	sink += sum;
}

void
fuzz_touch(const char *s)
{
	if (s != NULL)
		fuzz_touch_bytes(s, strlen(s) + 1);
}

void
fuzz_check_error(const struct mapiprof_ctx *ctx)
{
	if (mapiprof_errcode(ctx) == MAPIPROF_E_NONE || mapiprof_errmsg(ctx) == NULL ||
	    mapiprof_errmsg(ctx)[0] == '\0')
		abort();
	fuzz_touch(mapiprof_errmsg(ctx));
	fuzz_touch(mapiprof_errfile(ctx));
}

static const char *
private_dir(void)
{
	static char dir[64];
	if (dir[0] != '\0')
		return dir;
	struct stat st;
	const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/mapiprof-fuzz-XXXXXX", base);
	if (mkdtemp(dir) == NULL)
		abort();
	return dir;
}

const char *
fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", private_dir(), name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	for (size_t done = 0; done < size;) {
		ssize_t k = write(fd, data + done, size - done);
		if (k <= 0)
			abort();
		done += (size_t)k;
	}
	close(fd);
	return path;
}

static void
walk_prop(const struct mapiprof_prop *p, size_t nsections)
{
	fuzz_touch(p->value_name);
	fuzz_touch(p->name);
	fuzz_touch(p->type_name);
	fuzz_touch(p->reg_type_name);
	fuzz_touch(p->s);
	fuzz_touch(p->error);
	fuzz_touch_bytes(p->data, p->len);
	if ((p->error != NULL) != (p->kind == MAPIPROF_V_RAW && p->error != NULL))
		abort();
	switch (p->kind) {
	case MAPIPROF_V_MV_INT:
		fuzz_touch_bytes(p->ints, p->count * sizeof(*p->ints));
		break;
	case MAPIPROF_V_MV_STRING:
		for (size_t i = 0; i < p->count; i++)
			fuzz_touch(p->strs[i]);
		break;
	case MAPIPROF_V_MV_BINARY:
		for (size_t i = 0; i < p->count; i++)
			fuzz_touch_bytes(p->blobs[i].data, p->blobs[i].len);
		break;
	default:
		break;
	}
	for (size_t i = 0; i < p->nflags; i++)
		fuzz_touch(p->flags[i]);
	for (size_t i = 0; i < p->nuids; i++) {
		if (strlen(p->uids[i].uid) != 32 ||
		    (p->uids[i].section != SIZE_MAX && p->uids[i].section >= nsections))
			abort();
	}
}

static const char *const selectors[] = {
    "global",   "emsab",  "outlook",  "services",      "instance",
    "accounts", "emsmdb", "exchange", "service:MSEMS", "13dbb0c8aa05101a9bb000aa002fc45a",
};

static void
walk_profile(struct mapiprof_file *file, size_t i)
{
	const struct mapiprof_profile *pr = mapiprof_profile_at(file, i);
	if (pr == NULL)
		abort();
	fuzz_touch(pr->name);
	fuzz_touch(pr->root);
	fuzz_touch(pr->root_kind);
	fuzz_touch(pr->office_version);
	for (size_t k = 0; k < pr->nservices; k++)
		fuzz_touch(pr->services[k]);
	size_t ns = mapiprof_section_count(file, i);
	for (size_t s = 0; s < ns; s++) {
		const struct mapiprof_section *sec = mapiprof_section_at(file, i, s);
		if (sec == NULL)
			abort();
		fuzz_touch(sec->uid);
		fuzz_touch(sec->role);
		fuzz_touch(sec->service);
		fuzz_touch(sec->owner);
		const struct mapiprof_prop *props = NULL;
		size_t n = 0;
		if (mapiprof_section_props(file, i, s, &props, &n) != MAPIPROF_OK)
			continue;
		for (size_t v = 0; v < n; v++)
			walk_prop(&props[v], ns);
	}
	for (size_t k = 0; k < sizeof(selectors) / sizeof(selectors[0]); k++) {
		size_t *idx = NULL, n = 0;
		if (mapiprof_select(file, i, selectors[k], &idx, &n) == MAPIPROF_OK)
			for (size_t j = 0; j < n; j++)
				if (idx[j] >= ns)
					abort();
		mapiprof_free(idx);
	}
	size_t found = 0;
	(void)mapiprof_profile_find(file, pr->name, &found);
}

void
fuzz_walk(struct mapiprof_file *file)
{
	size_t np = mapiprof_profile_count(file);
	for (size_t i = 0; i < np; i++)
		walk_profile(file, i);
	void *out = NULL;
	size_t len = 0;
	if (mapiprof_export_reg(file, NULL, 0, NULL, &out, &len) == MAPIPROF_OK)
		fuzz_touch_bytes(out, len);
	mapiprof_free(out);
}

void
fuzz_plan(struct mapiprof_ctx *ctx, struct mapiprof_file *file)
{
	static const char *const edits[] = {
	    "exchange PR_PROFILE_CONFIG_FLAGS += CONFIG_OST_CACHE_PRIVATE",
	    "global 001f6700 = \"x\"",
	    "emsab 00036618 unset",
	};
	struct mapiprof_recipe *r = NULL;
	if (mapiprof_recipe_from_edits(ctx, edits, 3, &r) != MAPIPROF_OK)
		abort();
	size_t np = mapiprof_profile_count(file);
	size_t *all = malloc((np > 0 ? np : 1) * sizeof(*all));
	if (all == NULL)
		abort();
	for (size_t i = 0; i < np; i++)
		all[i] = i;
	struct mapiprof_plan *p = NULL;
	if (np > 0 && mapiprof_plan_build(file, r, all, np, &p) == MAPIPROF_OK) {
		void *out = NULL;
		size_t len = 0;
		if (mapiprof_plan_reg(file, p, NULL, &out, &len) == MAPIPROF_OK)
			fuzz_touch_bytes(out, len);
		mapiprof_free(out);
	}
	mapiprof_plan_free(p);
	free(all);
	mapiprof_recipe_free(r);
}
