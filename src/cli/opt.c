/* opt.c - the option handling every command shares (getopt_long). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mapiprof/mapiprof.h>

#include "commands.h"
#include "diag.h"
#include "exitcode.h"
#include "help.h"
#include "opt.h"
#include "sysfile.h"

void
opt_begin(void)
{
	optind = 1;
	opterr = 0;
}

static int
is_long(const char *arg)
{
	return arg[0] == '-' && arg[1] == '-';
}

int
opt_common(const char *cmd, int c, char *const argv[])
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	switch (c) {
	case 'h':
		help_print(stdout, cmd);
		return EXIT_OK;
	case OPT_VERSION:
		printf("mapiprof %s\n", mapiprof_version());
		return EXIT_OK;
	case ':':
		if (!is_long(arg) && optopt > 0 && optopt < 0x80)
			return diag_usage(cmd, "option -%c requires an argument", optopt);
		return diag_usage(cmd, "option %s requires an argument", arg);
	default:
		if (!is_long(arg) && optopt > 0 && optopt < 0x80)
			return diag_usage(cmd, "unknown option -%c", optopt);
		return diag_usage(cmd, "unknown option %s", arg);
	}
}

int
opt_codepage(struct mapiprof_ctx *ctx, const char *cmd, const char *cp)
{
	if (cp == NULL || mapiprof_ctx_set_codepage(ctx, cp) == MAPIPROF_OK)
		return EXIT_OK;
	const char *msg = mapiprof_errmsg(ctx);
	if (msg[0] == '\0')
		return diag_usage(cmd, "unknown code page '%s'", cp);
	return diag_usage(cmd, "%s", msg);
}

int
opt_selector(const char *cmd, const char *selector)
{
	if (mapiprof_selector_valid(selector))
		return EXIT_OK;
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	if (ctx == NULL) {
		diag(cmd, "out of memory");
		return EXIT_ERROR;
	}
	int status = EXIT_USAGE;
	if (mapiprof_selector_check(ctx, selector) != MAPIPROF_OK &&
	    mapiprof_errcode(ctx) == MAPIPROF_E_SELECTOR)
		status = diag_usage(cmd, "%s", mapiprof_errmsg(ctx));
	else
		status = diag_usage(cmd, "invalid section selector '%s'", selector);
	mapiprof_ctx_free(ctx);
	return status;
}

int
opt_wait(struct mapiprof_ctx *ctx, const char *cmd, const char *wait, int no_wait)
{
	if (wait != NULL && no_wait)
		return diag_usage(cmd, "--wait and --no-wait exclude each other");
	if (no_wait) {
		mapiprof_ctx_set_lock_wait(ctx, 0);
		return EXIT_OK;
	}
	if (wait == NULL)
		return EXIT_OK;
	char *end = NULL;
	errno = 0;
	unsigned long s = strtoul(wait, &end, 10);
	/* A day at most: a pipeline waiting longer is stuck. */
	if (wait[0] < '0' || wait[0] > '9' || *end != '\0' || errno != 0 || s > 86400ul)
		return diag_usage(cmd, "invalid --wait '%s': seconds, 0 to 86400", wait);
	mapiprof_ctx_set_lock_wait(ctx, (unsigned)s);
	return EXIT_OK;
}

int
opt_same_file(const char *a, const char *b)
{
	/* "-" is standard input as an input and standard output as an
	 * output: never one file. */
	if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
		return 0;
	if (strcmp(a, b) == 0)
		return 1;
	return sysfile_same(a, b);
}

/* The base name of path: its last component, trailing separators ignored
 * ("" for a root), into buf (at most size - 1 bytes kept). */
static const char *
base_name(const char *path, char *buf, size_t size)
{
	size_t start, len;
	pn_last(sysfile_paths(), path, &start, &len);
	snprintf(buf, size, "%.*s", (int)len, path + start);
	return buf;
}

/* The length of dir without trailing separators (a root kept whole). */
static size_t
dir_len(const char *dir)
{
	enum path_rules r = sysfile_paths();
	size_t root = pn_root_len(r, dir), len = strlen(dir);
	while (len > root && pn_is_sep(r, dir[len - 1]))
		len--;
	return len;
}

int
opt_output_dir(const char *cmd, const char *dir, const char *output, char *const files[], size_t n)
{
	struct stat st;
	char a[4096], b[4096];
	if (dir[0] == '\0')
		return diag_usage(cmd, "empty --output-dir DIR");
	if (output != NULL)
		return diag_usage(cmd, "-o and --output-dir exclude each other");
	for (size_t i = 0; i < n; i++) {
		base_name(files[i], a, sizeof(a));
		if (a[0] == '\0' || strcmp(a, ".") == 0 || strcmp(a, "..") == 0 ||
		    strcmp(files[i], "-") == 0)
			return diag_usage(cmd, "--output-dir: '%s' has no file name to write under",
			                  files[i]);
		for (size_t j = 0; j < i; j++)
			if (pn_same_name(sysfile_paths(), a, base_name(files[j], b, sizeof(b))))
				return diag_usage(
				    cmd, "--output-dir: '%s' and '%s' have the same name %s",
				    files[j], files[i], a);
	}
	/* Without trailing separators: msvcrt's stat fails on "C:\\out\\". */
	char *bare = strndup(dir, dir_len(dir));
	if (bare == NULL) {
		diag(NULL, "out of memory");
		return EXIT_ERROR;
	}
	int is_dir = stat(bare, &st) == 0 && S_ISDIR(st.st_mode);
	free(bare);
	if (!is_dir) {
		diag(dir, "--output-dir: not a directory");
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

char *
opt_output_path(const char *dir, const char *input)
{
	char base[4096];
	base_name(input, base, sizeof(base));
	return pn_join(sysfile_paths(), dir, dir_len(dir), base);
}

int
opt_backup_suffix(const char *cmd, const char *suffix)
{
	if (suffix == NULL || pn_suffix_ok(sysfile_paths(), suffix))
		return EXIT_OK;
	return diag_usage(cmd, "invalid backup suffix '%s': it must be non-empty and without %s",
	                  suffix, pn_suffix_banned(sysfile_paths()));
}
