/* cmd_prf_stage.c - "mapiprof prf stage": make Outlook build its profile
 * from a PRF file at its next start (ImportPRF set, FirstRun and First-Run
 * deleted; mapiprof_plan_prf_stage), in each FILE through the write
 * pipeline of edit and apply. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <mapiprof/mapiprof.h>

#include "cmd_prf.h"
#include "diag.h"
#include "exitcode.h"
#include "write.h"

#define CMD "prf stage"

/* Long option without a short form, beyond opt.h's. */
enum { OPT_OFFICE = 0x1000 };

struct stage_arg {
	const char *office; /* --office VER, or NULL: the file's newest */
	const char *winpath;
};

static int
plan_stage(const struct write_opts *o, struct mapiprof_file *f, const void *arg,
           struct mapiprof_plan **out)
{
	const struct stage_arg *a = arg;
	(void)o;
	return mapiprof_plan_prf_stage(f, a->office, a->winpath, out);
}

/* 1 when p is an absolute Windows path: a drive ("C:\") or a UNC share
 * ("\\server\share"). */
static int
is_absolute(const char *p)
{
	int drive = ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':' &&
	            p[2] == '\\';
	return drive || (p[0] == '\\' && p[1] == '\\' && p[2] != '\0' && p[2] != '\\');
}

/* WINPATH as mapiprof_prf_stage_valid wants it (else a usage error);
 * a warning when Outlook may not find the file there. */
static int
check_winpath(const char *office, const char *winpath)
{
	const char *why = NULL;
	if (!mapiprof_prf_stage_valid(office, winpath, &why))
		return diag_usage(CMD, "%s", why);
	size_t n = strlen(winpath);
	if (!is_absolute(winpath))
		diag(CMD,
		     "warning: '%s' is not an absolute Windows path (C:\\... or "
		     "\\\\server\\share\\...): Outlook resolves it from its own working "
		     "directory",
		     winpath);
	if (n < 4 || strcasecmp(winpath + n - 4, ".prf") != 0)
		diag(CMD, "warning: '%s' does not end in .prf", winpath);
	return EXIT_OK;
}

static int
parse(int argc, char *argv[], struct write_opts *o, struct stage_arg *a)
{
	static const struct option longopts[] = {
	    WRITE_LONGOPTS,
	    {"office", required_argument, NULL, OPT_OFFICE},
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS WRITE_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (c == OPT_OFFICE)
			a->office = optarg;
		else if (!wr_option(o, c))
			return opt_common(CMD, c, argv);
	}
	if (o->profile != NULL || o->all_profiles)
		return diag_usage(CMD, "--profile and --all-profiles do not apply: the key is "
		                       "outside the profiles");
	if (optind >= argc)
		return diag_usage(CMD, "no WINPATH given");
	a->winpath = argv[optind];
	int status = check_winpath(a->office, a->winpath);
	if (status == EXIT_OK)
		status = wr_validate(o, argv + optind + 1, argc - optind - 1);
	return status == EXIT_OK ? -1 : status;
}

int
prf_stage(int argc, char *argv[])
{
	struct stage_arg a = {0};
	struct write_opts o = {.cmd = CMD, .planner = plan_stage, .planner_arg = &a};
	struct mapiprof_ctx *ctx = NULL;
	int status = parse(argc, argv, &o, &a);
	if (status >= 0)
		return status;
	if ((status = wr_ctx(&o, &ctx)) != EXIT_OK)
		return status;
	status = wr_files(&o, ctx, NULL, argv + optind + 1, (size_t)(argc - optind - 1));
	mapiprof_ctx_free(ctx);
	return status;
}
