/* test_cli_same_as_native.c - the CLI under test (MP_TEST_CLI: the Windows
 * build's mapiprof.exe under Wine, tests/wine-tests.sh) writes what the
 * native CLI writes: a recipe applied by each to its own copy of a fixture
 * hive, both read back by reglookup.  Run without an override, it checks
 * the native CLI against itself (the changes are still counted). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

TestSuite(same_as_native, .init = tu_setup, .fini = tu_teardown);

/* reglookup's records of hive, each without its last field (a key's
 * last-write time: the two writes happen at different moments). */
static void
dump_timeless(const char *hive, struct tu_dump *d)
{
	tu_dump_reglookup(hive, d);
	for (size_t i = 0; i < d->n; i++) {
		char *comma = strrchr(d->rec[i], ',');
		cr_assert_not_null(comma, "reglookup record without fields: %s", d->rec[i]);
		*comma = '\0';
	}
}

/* Records of after that before lacks. */
static size_t
count_new(const struct tu_dump *before, const struct tu_dump *after)
{
	size_t n = 0;
	for (size_t i = 0; i < after->n; i++)
		n += !tu_dump_has(before, after->rec[i]);
	return n;
}

Test(same_as_native, gc_referral_recipe_writes_the_native_five_changes)
{
	char *orig = tu_stage_built("exchange-mapi.dat");
	char *mine = tu_stage(orig, "under-test.dat");
	char *native = tu_stage(orig, "native.dat");

	TU_CLI("apply", "exchange2007-gc-referral", mine);
	cr_assert_eq(tu_last.status, 0, "program under test: %s", tu_last.err);
	struct tu_run r;
	char *argv[] = {(char *)MP_CLI, "apply", "exchange2007-gc-referral", native, NULL};
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "native: %s", r.err);
	tu_run_free(&r);

	struct tu_dump before, a, b;
	dump_timeless(orig, &before);
	dump_timeless(mine, &a);
	dump_timeless(native, &b);
	cr_assert_eq(count_new(&before, &b), 5, "the native CLI's changes");
	cr_assert_eq(count_new(&before, &a), 5, "the changes of the program under test");
	tu_dump_assert_same(&a, &b);
	tu_dump_free(&before);
	tu_dump_free(&a);
	tu_dump_free(&b);
	free(orig);
	free(mine);
	free(native);
}
