/* cmd_import.c - "mapiprof import": profiles of an export (a .reg file
 * that regedit, reg export or mapiprof export wrote) planned into each
 * FILE by the library and written by the write pipeline (write.h). */
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "diag.h"
#include "exitcode.h"
#include "report.h"
#include "write.h"

enum { OPT_OFFICE = 0x200, OPT_WMS, OPT_REPLACE, OPT_AS, OPT_DEFAULT };

/* Ignored keys named one per line; past this many, only their count. */
#define IGNORED_SHOWN 10u

struct import_args {
	struct mapiprof_file *src;
	struct mapiprof_import_opts opts;
};

static int
planner(const struct write_opts *o, struct mapiprof_file *f, const void *arg,
        struct mapiprof_plan **out)
{
	const struct import_args *a = arg;
	(void)o;
	return mapiprof_plan_import(f, a->src, &a->opts, out);
}

static int
parse(int argc, char *argv[], struct write_opts *o, struct import_args *a)
{
	static const struct option longopts[] = {
	    WRITE_LONGOPTS,
	    {"as", required_argument, NULL, OPT_AS},
	    {"default", no_argument, NULL, OPT_DEFAULT},
	    {"office", required_argument, NULL, OPT_OFFICE},
	    {"wms", no_argument, NULL, OPT_WMS},
	    {"replace", no_argument, NULL, OPT_REPLACE},
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	struct mapiprof_import_opts *io = &a->opts;
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS WRITE_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (c == OPT_PROFILE)
			io->profile = optarg; /* the export's profile, not a target's */
		else if (c == OPT_AS)
			io->as = optarg;
		else if (c == OPT_DEFAULT)
			io->set_default = 1;
		else if (c == OPT_OFFICE)
			io->office = optarg;
		else if (c == OPT_WMS)
			io->wms = 1;
		else if (c == OPT_REPLACE)
			io->replace = 1;
		else if (!wr_option(o, c))
			return opt_common("import", c, argv);
	}
	if (o->all_profiles)
		return diag_usage("import", "--all-profiles does not apply: every profile of the "
		                            "export is imported unless --profile picks one");
	if (io->office != NULL && io->wms)
		return diag_usage("import", "--office and --wms exclude each other");
	if (io->office != NULL && !mapiprof_office_version_valid(io->office))
		return diag_usage("import", "invalid --office '%s': a version such as 16.0",
		                  io->office);
	const char *names[2] = {io->profile, io->as};
	for (int i = 0; i < 2; i++)
		if (names[i] != NULL && !mapiprof_profile_name_valid(names[i]))
			return diag_usage("import",
			                  "invalid profile name '%s': 1 to 255 characters without "
			                  "'\\' or control characters",
			                  names[i]);
	if (optind >= argc)
		return diag_usage("import", "no EXPORT given");
	char *const *files = argv + optind + 1;
	int nfiles = argc - optind - 1;
	for (int i = 0; i < nfiles; i++)
		if (opt_same_file(argv[optind], files[i]))
			return diag_usage("import", "EXPORT '%s' is also a FILE to write",
			                  argv[optind]);
	int status = wr_validate(o, files, nfiles);
	return status == EXIT_OK ? -1 : status;
}

/* Says which keys of the export are not imported: one note per key (the
 * top of each subtree), the first IGNORED_SHOWN of them, then a count. */
static int
list_ignored(struct mapiprof_ctx *ctx, const char *export, struct import_args *a)
{
	char **paths = NULL;
	size_t n = 0;
	if (mapiprof_import_ignored(a->src, &a->opts, &paths, &n) != MAPIPROF_OK) {
		struct run r = {"import", 0, ctx};
		return report_lib(&r, export);
	}
	for (size_t i = 0; i < n && i < IGNORED_SHOWN; i++)
		diag(export, "note: not imported: %s", paths[i]);
	if (n > IGNORED_SHOWN)
		diag(export, "note: ... and %zu more keys not imported", n - IGNORED_SHOWN);
	mapiprof_free_strings(paths, n);
	return EXIT_OK;
}

int
cmd_import(int argc, char *argv[])
{
	struct write_opts o = {.cmd = "import"};
	struct import_args a = {0};
	struct mapiprof_ctx *ctx = NULL;
	int status = parse(argc, argv, &o, &a);
	if (status >= 0)
		return status;
	if ((status = wr_ctx(&o, &ctx)) != EXIT_OK)
		return status;
	const char *export = argv[optind];
	if (mapiprof_open(ctx, export, MAPIPROF_OPEN_NO_HASH, &a.src) != MAPIPROF_OK) {
		struct run r = {"import", 0, ctx};
		status = report_lib(&r, export);
		goto out;
	}
	if (a.opts.as != NULL && a.opts.profile == NULL && mapiprof_profile_count(a.src) > 1) {
		status = diag_usage("import", "%s holds %zu profiles: --as needs --profile NAME",
		                    export, mapiprof_profile_count(a.src));
		goto out;
	}
	if ((status = list_ignored(ctx, export, &a)) != EXIT_OK)
		goto out;
	o.planner = planner;
	o.planner_arg = &a;
	status = wr_files(&o, ctx, NULL, argv + optind + 1, (size_t)(argc - optind - 1));
out:
	mapiprof_close(a.src);
	mapiprof_ctx_free(ctx);
	return status;
}
