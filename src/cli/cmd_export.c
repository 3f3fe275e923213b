/* cmd_export.c - "mapiprof export": profiles of a hive or a .reg file as a
 * regedit 5.00 file (UTF-16LE with BOM, CRLF) that `reg import` accepts, on
 * standard output or atomically into -o OUT (man page, export). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "diag.h"
#include "exitcode.h"
#include "image.h"
#include "opt.h"
#include "report.h"
#include "stdio_files.h"

struct export_opts {
	const char **profiles; /* --profile NAME..., nprofiles of them */
	size_t nprofiles;
	int all_profiles;     /* --all-profiles */
	const char *root;     /* --root KEY, or NULL: HKEY_CURRENT_USER */
	const char *output;   /* -o OUT, or NULL: standard output */
	const char *codepage; /* --codepage CP */
	unsigned open_flags;  /* --no-logs: MAPIPROF_OPEN_NO_LOGS */
	const char *file;
	const char *image; /* --image DIR: FILE is a path inside it */
};

static int
check(const struct export_opts *o, char *const files[], int nfiles)
{
	if (nfiles < 1)
		return diag_usage("export", "no FILE given");
	if (nfiles > 1)
		return diag_usage("export", "too many arguments: export takes one FILE");
	if (o->nprofiles > 0 && o->all_profiles)
		return diag_usage("export", "--profile and --all-profiles exclude each other");
	if (o->root != NULL && !mapiprof_reg_root_valid(o->root))
		return diag_usage("export",
		                  "invalid --root '%s': a key path starting with a root such as "
		                  "HKEY_CURRENT_USER, HKCU, HKEY_USERS or HKU",
		                  o->root);
	if (o->output != NULL && o->output[0] == '\0')
		return diag_usage("export", "empty -o OUT");
	if (o->output != NULL && opt_same_file(o->output, files[0]))
		return diag_usage("export", "-o OUT must not be the input FILE");
	if ((o->output == NULL || sf_is_dash(o->output)) && isatty(STDOUT_FILENO))
		return diag_usage("export", "refusing to write UTF-16 to a terminal: redirect "
		                            "standard output or use -o OUT");
	return EXIT_OK;
}

static int
parse(int argc, char *argv[], struct export_opts *o)
{
	static const struct option longopts[] = {
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"all-profiles", no_argument, NULL, OPT_ALL_PROFILES},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"codepage", required_argument, NULL, OPT_CODEPAGE},
	    OPT_NO_LOGS_LONGOPT,
	    IMAGE_LONGOPT,
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS "o:", longopts, NULL)) != -1) {
		if (c == OPT_PROFILE)
			o->profiles[o->nprofiles++] = optarg;
		else if (c == OPT_ALL_PROFILES)
			o->all_profiles = 1;
		else if (c == OPT_ROOT)
			o->root = optarg;
		else if (c == 'o')
			o->output = optarg;
		else if (c == OPT_CODEPAGE)
			o->codepage = optarg;
		else if (c == OPT_NO_LOGS)
			o->open_flags |= MAPIPROF_OPEN_NO_LOGS;
		else if (c == OPT_IMAGE)
			o->image = optarg;
		else
			return opt_common("export", c, argv);
	}
	int status = check(o, argv + optind, argc - optind);
	if (status != EXIT_OK)
		return status;
	o->file = argv[optind];
	return -1;
}

/* The indices of the --profile profiles (duplicates dropped), or of the
 * default profile; *idx is malloc'd.  With --all-profiles *idx is NULL
 * (every profile with its Profiles key).  Returns EXIT_OK or a reported
 * failure. */
static int
pick_profiles(const struct run *r, const struct export_opts *o, struct mapiprof_file *f,
              size_t **idx, size_t *n)
{
	size_t want = o->nprofiles > 0 ? o->nprofiles : 1;
	*idx = NULL;
	*n = 0;
	if (mapiprof_profile_count(f) == 0)
		return report_fail(r, o->file, "no_profiles", "no MAPI profile found");
	if (o->all_profiles)
		return EXIT_OK;
	if ((*idx = malloc(want * sizeof(**idx))) == NULL)
		return report_fail(r, o->file, "no_memory", "out of memory");
	for (size_t i = 0; i < want; i++) {
		size_t p;
		if (mapiprof_profile_find(f, o->nprofiles > 0 ? o->profiles[i] : NULL, &p) !=
		    MAPIPROF_OK)
			return report_lib(r, o->file);
		size_t j = 0;
		while (j < *n && (*idx)[j] != p)
			j++;
		if (j == *n)
			(*idx)[(*n)++] = p;
	}
	return EXIT_OK;
}

/* Writes the export to -o OUT (atomically) or to standard output. */
static int
put(const struct run *r, const struct export_opts *o, const void *data, size_t len)
{
	if (o->output != NULL && !sf_is_dash(o->output)) {
		if (mapiprof_save(r->ctx, o->output, data, len) != MAPIPROF_OK)
			return report_lib(r, o->output);
		if (mapiprof_note(r->ctx)[0] != '\0')
			diag(o->output, "note: %s", mapiprof_note(r->ctx));
		return EXIT_OK;
	}
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
		diag(NULL, "error writing to standard output");
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int
export_file(const struct run *r, const struct export_opts *o)
{
	struct mapiprof_reg_opts ro = {o->root};
	struct mapiprof_file *f = NULL;
	size_t *idx = NULL, n = 0;
	void *data = NULL;
	size_t len = 0;
	int status;
	if (sf_open(r->ctx, o->file, MAPIPROF_OPEN_NO_HASH | o->open_flags, &f) != MAPIPROF_OK)
		return report_lib(r, o->file);
	if ((status = pick_profiles(r, o, f, &idx, &n)) != EXIT_OK)
		goto out;
	if (mapiprof_export_reg(f, idx, n, &ro, &data, &len) != MAPIPROF_OK) {
		status = report_lib(r, o->file);
		goto out;
	}
	status = put(r, o, data, len);
out:
	mapiprof_free(data);
	free(idx);
	mapiprof_close(f);
	return status;
}

/* The FILE operand, or the path it names inside --image (image_each). */
static int
export_one(const struct run *r, const void *arg, const char *path)
{
	struct export_opts o = *(const struct export_opts *)arg;
	o.file = path;
	return export_file(r, &o);
}

int
cmd_export(int argc, char *argv[])
{
	struct export_opts o = {0};
	struct run r = {"export", 0, NULL};
	int status = EXIT_ERROR;
	o.profiles = malloc((argc > 0 ? (size_t)argc : 1) * sizeof(*o.profiles));
	if (o.profiles == NULL) {
		diag("export", "out of memory");
		goto out;
	}
	if ((status = parse(argc, argv, &o)) >= 0)
		goto out;
	status = EXIT_ERROR;
	if ((r.ctx = report_ctx_new()) == NULL)
		goto out;
	if ((status = opt_codepage(r.ctx, "export", o.codepage)) != EXIT_OK)
		goto out;
	status = image_each(&r, o.image, (char *const *)&o.file, 1, export_one, &o);
out:
	mapiprof_ctx_free(r.ctx);
	free(o.profiles);
	return status;
}
