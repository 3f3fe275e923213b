/* test_abi.c - the shared library's exported symbols are its ABI: exactly the
 * functions abi/libmapiprof.symbols lists (and the version script and the
 * public header declare), each versioned MAPIPROF_0, and none of the
 * library's internal functions.  tools/check_abi.py compares the lists
 * with `nm -D`; the loader is asked directly too.  Built only where the
 * version script is used (ELF, see src/lib/meson.build). */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

TestSuite(abi, .init = tu_setup, .fini = tu_teardown);

#define SYMBOLS MP_SOURCE_DIR "/abi/libmapiprof.symbols"
#define MAP     MP_SOURCE_DIR "/src/lib/libmapiprof.map"
#define HEADER  MP_SOURCE_DIR "/include/mapiprof/mapiprof.h"

/* Runs tools/check_abi.py on the built library with the given symbol list. */
static void
check_abi(const char *symbols, struct tu_run *r)
{
	char *const argv[] = {(char *)MP_PYTHON,
	                      (char *)MP_SOURCE_DIR "/tools/check_abi.py",
	                      (char *)MP_LIBMAPIPROF,
	                      (char *)symbols,
	                      (char *)MAP,
	                      (char *)HEADER,
	                      NULL};
	cr_assert_eq(tu_run(argv, r), 0, "cannot run tools/check_abi.py");
}

Test(abi, the_library_exports_exactly_the_listed_symbols)
{
	struct tu_run r;
	check_abi(SYMBOLS, &r);
	cr_assert_eq(r.status, 0, "the exported symbols changed:\n%s", r.err);
	cr_assert_str_empty(r.err);
	tu_run_free(&r);
}

/* The list with one exported function left out and one that does not
 * exist: both differences are named, with what they mean. */
Test(abi, a_symbol_added_or_removed_without_the_list_fails_naming_it)
{
	size_t len;
	char *text = tu_read(SYMBOLS, &len);
	cr_assert_not_null(text);
	const char *line = strstr(text, "\nmapiprof_open\n");
	cr_assert_not_null(line, "abi/libmapiprof.symbols lists no mapiprof_open");
	char *edited = malloc(len + 64);
	cr_assert_not_null(edited);
	size_t head = (size_t)(line - text) + 1, skip = strlen("mapiprof_open\n");
	memcpy(edited, text, head);
	snprintf(edited + head, len + 64 - head, "%smapiprof_gone\n", line + 1 + skip);
	char *path = tu_tmp_write("edited.symbols", edited, strlen(edited));

	struct tu_run r;
	check_abi(path, &r);
	cr_assert_eq(r.status, 1, "exit %d\n%s", r.status, r.err);
	cr_assert_not_null(strstr(r.err, "exports mapiprof_open, which"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "a new public function is an ABI addition"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "lists mapiprof_gone, which"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "breaks the ABI"), "%s", r.err);
	tu_run_free(&r);
	free(path);
	free(edited);
	free(text);
}

/* The loader finds the public functions in libmapiprof.so and none of the
 * internal ones the unit tests link statically. */
Test(abi, internal_functions_are_not_exported)
{
	void *h = dlopen(MP_LIBMAPIPROF, RTLD_NOW | RTLD_LOCAL);
	cr_assert_not_null(h, "%s", dlerror());
	cr_assert_not_null(dlsym(h, "mapiprof_open"));
	cr_assert_not_null(dlsym(h, "mapiprof_plan_write"));
	static const char *const internal[] = {"mp_seterr", "mp_arena_alloc", "mp_store_hive_open",
	                                       "mp_regf_patch", "mp_commit_set_io"};
	for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
		cr_assert_null(dlsym(h, internal[i]), "%s is exported", internal[i]);
	dlclose(h);
}
