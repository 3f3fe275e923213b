/* test_layers.c - the layer check (tools/check_layers.py) passes on the
 * library and the CLI, and fails, naming the place, on each kind of
 * violation: an upward include, an include without its layer folder, a
 * cycle, an upward call seen only in the objects, and a CLI file that
 * includes a library header. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

/* Runs the check over lib (a src/lib-like tree), with the archive and the
 * flat folder when not NULL. */
static void
check(const char *lib, const char *archive, const char *flat, struct tu_run *r)
{
	char *argv[9];
	int n = 0;
	argv[n++] = (char *)MP_PYTHON;
	argv[n++] = (char *)MP_SOURCE_DIR "/tools/check_layers.py";
	if (archive != NULL) {
		argv[n++] = (char *)"--archive";
		argv[n++] = (char *)archive;
	}
	if (flat != NULL) {
		argv[n++] = (char *)"--flat";
		argv[n++] = (char *)flat;
	}
	argv[n++] = (char *)lib;
	argv[n] = NULL;
	cr_assert_eq(tu_run(argv, r), 0, "could not run %s", MP_PYTHON);
}

/* Writes text to dir/rel, creating rel's one folder level. */
static void
put(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	const char *slash = strchr(rel, '/');
	if (slash != NULL) {
		snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(slash - rel), rel);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	cr_assert_eq(tu_write(path, text, strlen(text)), 0, "%s", path);
}

/* The check over lib (and flat) fails, and its diagnostics hold want. */
static void
assert_fails(const char *lib, const char *archive, const char *flat, const char *want)
{
	struct tu_run r;
	check(lib, archive, flat, &r);
	cr_assert_eq(r.status, 1, "exit %d: %s%s", r.status, r.out, r.err);
	cr_assert(strstr(r.err, want) != NULL, "no '%s' in: %s", want, r.err);
	tu_run_free(&r);
}

Test(layers, library_and_cli_have_no_upward_dependency_and_no_cycle)
{
	struct tu_run r;
	check(MP_SOURCE_DIR "/src/lib", MP_CORE_ARCHIVE, MP_SOURCE_DIR "/src/cli", &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "no upward dependency, no cycle") != NULL, "%s", r.out);
	tu_run_free(&r);
}

Test(layers, upward_include_is_reported_with_its_line)
{
	char *d = tu_mkdtemp();
	put(d, "base/a.c", "#include \"base/a.h\"\n#include \"store/b.h\"\n");
	put(d, "base/a.h", "\n");
	put(d, "store/b.h", "\n");
	assert_fails(d, NULL, NULL,
	             "base/a.c:2: base/ includes \"store/b.h\" of store/, a higher layer");
	tu_rmtree(d);
	free(d);
}

Test(layers, include_without_its_folder_is_reported)
{
	char *d = tu_mkdtemp();
	put(d, "store/s.c", "#include \"ctx.h\"\n");
	put(d, "base/ctx.h", "\n");
	assert_fails(d, NULL, NULL, "store/s.c:1: includes \"ctx.h\" without its layer folder");
	tu_rmtree(d);
	free(d);
}

Test(layers, cycle_within_a_layer_is_reported)
{
	char *d = tu_mkdtemp();
	put(d, "regf/x.c", "#include \"regf/y.h\"\n");
	put(d, "regf/x.h", "\n");
	put(d, "regf/y.c", "#include \"regf/x.h\"\n");
	put(d, "regf/y.h", "\n");
	assert_fails(d, NULL, NULL, "cycle between regf/x, regf/y");
	tu_rmtree(d);
	free(d);
}

Test(layers, facade_header_included_by_a_layer_is_reported)
{
	char *d = tu_mkdtemp();
	put(d, "file.h", "\n");
	put(d, "write/w.c", "#include \"file.h\"\n");
	assert_fails(d, NULL, NULL, "write/w.c:1: write/ includes \"file.h\" of the facade");
	tu_rmtree(d);
	free(d);
}

Test(layers, upward_call_is_found_in_the_objects)
{
	/* tests/layers: base/low.c calls store/high.c through its own
	 * prototype; the includes alone pass. */
	struct tu_run r;
	check(MP_SOURCE_DIR "/tests/layers", NULL, NULL, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	assert_fails(MP_SOURCE_DIR "/tests/layers", MP_LAYERS_ARCHIVE, NULL,
	             "base/low (base/) uses layer_high of store/high (store/), a higher layer");
}

Test(layers, cli_including_a_library_header_is_reported)
{
	char *lib = tu_mkdtemp();
	char *cli = tu_mkdtemp();
	put(lib, "base/ctx.h", "\n");
	put(cli, "main.c", "#include \"main.h\"\n#include \"base/ctx.h\"\n");
	put(cli, "main.h", "\n");
	assert_fails(lib, NULL, cli, "main.c:2: includes \"base/ctx.h\": only the public API");
	tu_rmtree(lib);
	tu_rmtree(cli);
	free(lib);
	free(cli);
}

Test(layers, cycle_in_the_cli_is_reported)
{
	char *lib = tu_mkdtemp();
	char *cli = tu_mkdtemp();
	put(cli, "main.c", "#include \"diag.h\"\n");
	put(cli, "main.h", "\n");
	put(cli, "diag.c", "#include \"main.h\"\n");
	put(cli, "diag.h", "\n");
	assert_fails(lib, NULL, cli, "cycle between ");
	assert_fails(lib, NULL, cli, "/diag, ");
	tu_rmtree(lib);
	tu_rmtree(cli);
	free(lib);
	free(cli);
}
