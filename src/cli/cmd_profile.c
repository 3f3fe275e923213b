/* cmd_profile.c - "mapiprof profile default|copy|rename|delete": profile
 * administration through the write pipeline (write.h), one plan per
 * file made by the library's profile plans. */
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "diag.h"
#include "exitcode.h"
#include "write.h"

enum { OPT_OFFICE = 0x200, OPT_WMS, OPT_REPLACE };

enum sub { SUB_DEFAULT, SUB_COPY, SUB_RENAME, SUB_DELETE };

/* What the planner of one file needs. */
struct profile_args {
	enum sub sub;
	const char *name;     /* NAME, SRC or OLD */
	const char *new_name; /* NEW of copy and rename */
	struct mapiprof_admin_opts admin;
};

/* Deleting the default profile deletes DefaultProfile too: said on its
 * own line, besides the plan. */
static void
note_default(const char *path, const struct mapiprof_plan *plan)
{
	for (size_t i = 0; i < mapiprof_plan_count(plan); i++) {
		const struct mapiprof_change *c = mapiprof_plan_at(plan, i);
		if (c->kind == MAPIPROF_CHANGE_VALUE && c->after == NULL &&
		    strcmp(c->value_name, "DefaultProfile") == 0)
			diag(path,
			     "note: '%s' is the default profile: DefaultProfile is deleted, "
			     "so no profile is the default",
			     c->profile_name);
	}
}

static int
planner(const struct write_opts *o, struct mapiprof_file *f, const void *arg,
        struct mapiprof_plan **out)
{
	const struct profile_args *a = arg;
	(void)o;
	int rc = MAPIPROF_FAILED;
	switch (a->sub) {
	case SUB_DEFAULT:
		rc = mapiprof_plan_profile_default(f, a->name, &a->admin, out);
		break;
	case SUB_COPY:
		rc = mapiprof_plan_profile_copy(f, a->name, a->new_name, &a->admin, out);
		break;
	case SUB_RENAME:
		rc = mapiprof_plan_profile_rename(f, a->name, a->new_name, &a->admin, out);
		break;
	case SUB_DELETE:
		rc = mapiprof_plan_profile_delete(f, a->name, &a->admin, out);
		if (rc == MAPIPROF_OK && !o->json)
			note_default(mapiprof_file_path(f), *out);
		break;
	}
	return rc;
}

/* The subcommand's name operands: 1 (default, delete) or 2 (copy,
 * rename); -1 for an unknown subcommand. */
static int
sub_parse(const char *word, enum sub *sub)
{
	static const struct {
		const char *name;
		enum sub sub;
		int nargs;
	} subs[] = {
	    {"default", SUB_DEFAULT, 1},
	    {"copy", SUB_COPY, 2},
	    {"rename", SUB_RENAME, 2},
	    {"delete", SUB_DELETE, 1},
	};
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(word, subs[i].name) == 0) {
			*sub = subs[i].sub;
			return subs[i].nargs;
		}
	}
	return -1;
}

/* A profile name operand: valid (mapiprof_profile_name_valid) or a usage
 * error. */
static int
check_name(const char *what, const char *name)
{
	if (mapiprof_profile_name_valid(name))
		return EXIT_OK;
	return diag_usage("profile",
	                  "invalid %s '%s': a profile name is 1 to 255 characters without '\\' "
	                  "or control characters",
	                  what, name);
}

static int
parse(int argc, char *argv[], struct write_opts *o, struct profile_args *a, int *nfiles)
{
	static const struct option longopts[] = {
	    WRITE_LONGOPTS,
	    {"office", required_argument, NULL, OPT_OFFICE},
	    {"wms", no_argument, NULL, OPT_WMS},
	    {"replace", no_argument, NULL, OPT_REPLACE},
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS WRITE_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (c == OPT_OFFICE)
			a->admin.office = optarg;
		else if (c == OPT_WMS)
			a->admin.wms = 1;
		else if (c == OPT_REPLACE)
			a->admin.replace = 1;
		else if (!wr_option(o, c))
			return opt_common("profile", c, argv);
	}
	if (o->profile != NULL || o->all_profiles)
		return diag_usage("profile", "--profile and --all-profiles do not apply: name the "
		                             "profile as an operand");
	if (a->admin.office != NULL && a->admin.wms)
		return diag_usage("profile", "--office and --wms exclude each other");
	if (a->admin.office != NULL && !mapiprof_office_version_valid(a->admin.office))
		return diag_usage("profile", "invalid --office '%s': a version such as 16.0",
		                  a->admin.office);
	if (optind >= argc)
		return diag_usage("profile", "no subcommand given (default, copy, rename, delete)");
	int nargs = sub_parse(argv[optind], &a->sub);
	if (nargs < 0)
		return diag_usage("profile", "unknown subcommand '%s'", argv[optind]);
	if (a->sub != SUB_COPY && a->sub != SUB_RENAME && a->admin.replace)
		return diag_usage("profile", "--replace applies to copy and rename");
	optind++;
	if (argc - optind < nargs)
		return diag_usage("profile", "%s needs %s", argv[optind - 1],
		                  nargs == 1 ? "a profile NAME" : "two profile names");
	a->name = argv[optind];
	a->new_name = nargs == 2 ? argv[optind + 1] : NULL;
	int status = check_name("profile name", a->name);
	if (status == EXIT_OK && a->new_name != NULL)
		status = check_name("new profile name", a->new_name);
	if (status != EXIT_OK)
		return status;
	optind += nargs;
	*nfiles = argc - optind;
	status = wr_validate(o, argv + optind, *nfiles);
	return status == EXIT_OK ? -1 : status;
}

int
cmd_profile(int argc, char *argv[])
{
	struct write_opts o = {.cmd = "profile"};
	struct profile_args a = {0};
	struct mapiprof_ctx *ctx = NULL;
	int nfiles = 0;
	int status = parse(argc, argv, &o, &a, &nfiles);
	if (status >= 0)
		return status;
	if ((status = wr_ctx(&o, &ctx)) != EXIT_OK)
		return status;
	o.planner = planner;
	o.planner_arg = &a;
	status = wr_files(&o, ctx, NULL, argv + optind, (size_t)nfiles);
	mapiprof_ctx_free(ctx);
	return status;
}
