/* opt.c - the option handling every command shares (getopt_long). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <mapiprof/mapiprof.h>

#include "commands.h"
#include "diag.h"
#include "exitcode.h"
#include "opt.h"

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
		usage_print(stdout, cmd);
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
opt_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}
