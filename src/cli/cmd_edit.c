/* cmd_edit.c - "mapiprof edit": apply edits given with -e to the selected
 * profiles of each file (the edit grammar: mapiprof.h, enum mapiprof_op). */
#include <stdlib.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "diag.h"
#include "exitcode.h"
#include "write.h"

struct edit_opts {
	struct write_opts w;
	const char **edits; /* -e EDIT..., nedits of them */
	size_t nedits;
};

static int
parse(int argc, char *argv[], struct edit_opts *o)
{
	static const struct option longopts[] = {
	    {"edit", required_argument, NULL, 'e'},
	    WRITE_LONGOPTS,
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS "e:" WRITE_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (c == 'e')
			o->edits[o->nedits++] = optarg;
		else if (!wr_option(&o->w, c))
			return opt_common("edit", c, argv);
	}
	if (o->nedits == 0)
		return diag_usage("edit", "no -e EDIT given");
	int status = wr_validate(&o->w, argv + optind, argc - optind);
	return status == EXIT_OK ? -1 : status;
}

int
cmd_edit(int argc, char *argv[])
{
	struct edit_opts o = {{.cmd = "edit"}, NULL, 0};
	struct mapiprof_ctx *ctx = NULL;
	struct mapiprof_recipe *recipe = NULL;
	int status = EXIT_ERROR;
	o.edits = malloc((argc > 0 ? (size_t)argc : 1) * sizeof(*o.edits));
	if (o.edits == NULL) {
		diag("edit", "out of memory");
		goto out;
	}
	if ((status = parse(argc, argv, &o)) >= 0)
		goto out;
	if ((status = wr_ctx(&o.w, &ctx)) != EXIT_OK)
		goto out;
	if (mapiprof_recipe_from_edits(ctx, o.edits, o.nedits, &recipe) != MAPIPROF_OK) {
		status = wr_recipe_error(&o.w, ctx);
		goto out;
	}
	status = wr_files(&o.w, ctx, recipe, argv + optind, (size_t)(argc - optind));
out:
	if (recipe != NULL)
		mapiprof_recipe_free(recipe);
	mapiprof_ctx_free(ctx);
	free(o.edits);
	return status;
}
