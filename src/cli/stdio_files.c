/* stdio_files.c - "-" for standard input and standard output
 * (stdio_files.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mapiprof/mapiprof.h>

#include "diag.h"
#include "stdio_files.h"
#include "sysfile.h"

/* The copy of standard input: made at the first "-", kept for the run. */
static char *spooled;

/* The aliases of the run (sf_alias). */
static struct alias {
	const char *name, *path;
} * aliases;
static size_t naliases, cap_aliases;

int
sf_alias(const char *name, const char *path)
{
	if (naliases == cap_aliases) {
		size_t ncap = cap_aliases ? cap_aliases * 2 : 8;
		struct alias *a = realloc(aliases, ncap * sizeof(*a));
		if (a == NULL)
			return -1;
		aliases = a;
		cap_aliases = ncap;
	}
	aliases[naliases++] = (struct alias){name, path};
	return 0;
}

void
sf_unalias(void)
{
	free(aliases);
	aliases = NULL;
	naliases = cap_aliases = 0;
}

/* The path an alias stands for, or NULL. */
static const char *
alias_path(const char *arg)
{
	for (size_t i = 0; arg != NULL && i < naliases; i++)
		if (strcmp(aliases[i].name, arg) == 0)
			return aliases[i].path;
	return NULL;
}

int
sf_is_dash(const char *path)
{
	return path != NULL && strcmp(path, "-") == 0;
}

/* Reads standard input into its private copy, once. */
static int
spool_stdin(struct mapiprof_ctx *ctx)
{
	if (spooled != NULL)
		return MAPIPROF_OK;
	return mapiprof_spool(ctx, STDIN_FILENO, "-", &spooled);
}

int
sf_open(struct mapiprof_ctx *ctx, const char *arg, unsigned flags, struct mapiprof_file **f)
{
	if (alias_path(arg) != NULL)
		return mapiprof_open(ctx, alias_path(arg), flags, f);
	if (!sf_is_dash(arg))
		return mapiprof_open(ctx, arg, flags, f);
	*f = NULL;
	if (spool_stdin(ctx) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mapiprof_open_as(ctx, spooled, "-", flags, f);
}

int
sf_inspect(struct mapiprof_ctx *ctx, const char *arg, unsigned flags, struct mapiprof_info **out)
{
	if (alias_path(arg) != NULL)
		return mapiprof_inspect_flags(ctx, alias_path(arg), flags, out);
	if (!sf_is_dash(arg))
		return mapiprof_inspect_flags(ctx, arg, flags, out);
	*out = NULL;
	if (spool_stdin(ctx) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mapiprof_inspect_as(ctx, spooled, "-", flags, out);
}

void
sf_cleanup(void)
{
	mapiprof_spool_remove(spooled);
	spooled = NULL;
}

int
sf_out_begin(struct sf_out *o)
{
	enum path_rules r = sysfile_paths();
	const char *tmp = sysfile_tmpdir();
	memset(o, 0, sizeof(*o));
	if ((o->dir = pn_join(r, tmp, strlen(tmp), "mapiprof-XXXXXX")) == NULL) {
		diag(NULL, "out of memory");
		return -1;
	}
	if (mkdtemp(o->dir) == NULL) {
		diag(tmp, "cannot make a temporary directory: %s", strerror(errno));
		free(o->dir);
		o->dir = NULL;
		sf_out_end(o);
		return -1;
	}
	if ((o->path = pn_join(r, o->dir, strlen(o->dir), "out")) == NULL) {
		diag(NULL, "out of memory");
		sf_out_end(o);
		return -1;
	}
	return 0;
}

/* The length of path's directory part under rules r, with the separator
 * that ends it (0 when none). */
static size_t
dir_len(enum path_rules r, const char *path)
{
	size_t start, len;
	pn_last(r, path, &start, &len);
	return start;
}

char *
sf_shown(const char *path)
{
	/* path and the alias's path are this system's (the library names a
	 * log beside its hive); the alias's name ends in a path inside the
	 * image, where '/' separates. */
	enum path_rules r = sysfile_paths();
	size_t dl = dir_len(r, path);
	for (size_t i = 0; dl > 0 && i < naliases; i++) {
		const struct alias *a = &aliases[i];
		if (dir_len(r, a->path) != dl || strncmp(a->path, path, dl) != 0)
			continue;
		size_t nl = dir_len(PATHS_POSIX, a->name), bl = strlen(path + dl);
		char *s = malloc(nl + bl + 1);
		if (s != NULL) {
			memcpy(s, a->name, nl);
			memcpy(s + nl, path + dl, bl + 1); /* "BASE" and the NUL */
		}
		return s;
	}
	return strdup(path);
}

const char *
sf_source(const char *arg)
{
	if (alias_path(arg) != NULL)
		return alias_path(arg);
	return sf_is_dash(arg) && spooled != NULL ? spooled : arg;
}

int
sf_copy_out(const char *path)
{
	char buf[64 * 1024];
	size_t n;
	FILE *in = fopen(path, "rb");
	if (in == NULL) {
		diag(NULL, "cannot read the result: %s", strerror(errno));
		return -1;
	}
	int bad = 0;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		bad |= fwrite(buf, 1, n, stdout) != n;
	bad |= ferror(in) != 0;
	fclose(in);
	if (bad || fflush(stdout) != 0) {
		diag(NULL, "error writing to standard output");
		return -1;
	}
	return 0;
}

void
sf_out_end(struct sf_out *o)
{
	if (o->path != NULL)
		unlink(o->path);
	if (o->dir != NULL)
		rmdir(o->dir);
	free(o->path);
	free(o->dir);
	o->path = o->dir = NULL;
}
