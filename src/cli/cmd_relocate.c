/* cmd_relocate.c - "mapiprof relocate": PST and OST paths moved from one
 * folder to another in the selected profiles of each file, through the
 * write pipeline (write.h) with the library's relocate plan. */
#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "diag.h"
#include "exitcode.h"
#include "write.h"

struct relocate_args {
	const char *from, *to;
	struct mapiprof_ctx *ctx;
};

/* What the plan leaves alone although it names a path under FROM, said
 * on standard error (also with --json: the JSON object has no place for
 * it before the write). */
static int
noted(struct mapiprof_file *f, const struct relocate_args *a, int rc)
{
	if (rc == MAPIPROF_OK && mapiprof_note(a->ctx)[0] != '\0')
		diag(mapiprof_file_path(f), "note: %s", mapiprof_note(a->ctx));
	mapiprof_clear_note(a->ctx);
	return rc;
}

/* The profiles of f the options select: every one, the --profile one or
 * the default one (a file without profiles: an empty plan, as apply
 * leaves such a file unchanged). */
static int
planner(const struct write_opts *o, struct mapiprof_file *f, const void *arg,
        struct mapiprof_plan **out)
{
	const struct relocate_args *a = arg;
	size_t one = 0;
	if (o->all_profiles || mapiprof_profile_count(f) == 0)
		return noted(f, a, mapiprof_plan_relocate(f, NULL, 0, a->from, a->to, out));
	if (mapiprof_profile_find(f, o->profile, &one) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return noted(f, a, mapiprof_plan_relocate(f, &one, 1, a->from, a->to, out));
}

static int
parse(int argc, char *argv[], struct write_opts *o, struct relocate_args *a)
{
	static const struct option longopts[] = {
	    WRITE_LONGOPTS,
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS WRITE_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (!wr_option(o, c))
			return opt_common("relocate", c, argv);
	}
	if (argc - optind < 2)
		return diag_usage("relocate",
		                  "FROM and TO are needed (the old and the new folder)");
	a->from = argv[optind];
	a->to = argv[optind + 1];
	const char *why = NULL;
	if (!mapiprof_relocate_valid(a->from, a->to, &why))
		return diag_usage("relocate", "%s", why);
	optind += 2;
	int status = wr_validate(o, argv + optind, argc - optind);
	return status == EXIT_OK ? -1 : status;
}

int
cmd_relocate(int argc, char *argv[])
{
	struct write_opts o = {.cmd = "relocate"};
	struct relocate_args a = {0};
	struct mapiprof_ctx *ctx = NULL;
	int status = parse(argc, argv, &o, &a);
	if (status >= 0)
		return status;
	if ((status = wr_ctx(&o, &ctx)) != EXIT_OK)
		return status;
	a.ctx = ctx;
	o.planner = planner;
	o.planner_arg = &a;
	status = wr_files(&o, ctx, NULL, argv + optind, (size_t)(argc - optind));
	mapiprof_ctx_free(ctx);
	return status;
}
