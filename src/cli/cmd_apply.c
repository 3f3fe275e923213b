/* cmd_apply.c - "mapiprof apply": apply a recipe (a built-in name or a
 * recipe file) to the selected profiles of each file. */
#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "diag.h"
#include "exitcode.h"
#include "write.h"

static int
parse(int argc, char *argv[], struct write_opts *o)
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
			return opt_common("apply", c, argv);
	}
	if (optind >= argc)
		return diag_usage("apply", "no RECIPE given");
	int status = wr_validate(o, argv + optind + 1, argc - optind - 1);
	return status == EXIT_OK ? -1 : status;
}

int
cmd_apply(int argc, char *argv[])
{
	struct write_opts o = {.cmd = "apply"};
	struct mapiprof_ctx *ctx = NULL;
	struct mapiprof_recipe *recipe = NULL;
	int status = parse(argc, argv, &o);
	if (status >= 0)
		return status;
	if ((status = wr_ctx(&o, &ctx)) != EXIT_OK)
		return status;
	if (mapiprof_recipe_load(ctx, argv[optind], &recipe) != MAPIPROF_OK)
		status = wr_recipe_error(&o, ctx);
	else
		status = wr_files(&o, ctx, recipe, argv + optind + 1, (size_t)(argc - optind - 1));
	if (recipe != NULL)
		mapiprof_recipe_free(recipe);
	mapiprof_ctx_free(ctx);
	return status;
}
