/* test_tree_plan.c - the library's plans that change the key tree: profile
 * name checks, the changes a delete/copy plans (kinds, keys, nested keys
 * and every value type in order), [-KEY] in mapiprof_plan_reg, and the cap
 * on the keys a copy may plan. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "testutil.h"

TestSuite(tree_plan, .init = tu_setup, .fini = tu_teardown);

/* 1 when hay[0..n) holds needle[0..m). */
static int
has_bytes(const void *hay, size_t n, const void *needle, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (memcmp((const char *)hay + i, needle, m) == 0)
			return 1;
	return 0;
}

Test(tree_plan, office_versions_as_the_registry_keys_them)
{
	cr_assert(mapiprof_office_version_valid("16.0"));
	cr_assert(mapiprof_office_version_valid("8.5"));
	cr_assert_not(mapiprof_office_version_valid(NULL));
	cr_assert_not(mapiprof_office_version_valid(""));
	cr_assert_not(mapiprof_office_version_valid("16"));
	cr_assert_not(mapiprof_office_version_valid("16."));
	cr_assert_not(mapiprof_office_version_valid(".0"));
	cr_assert_not(mapiprof_office_version_valid("16.0x"));
	cr_assert_not(mapiprof_office_version_valid("1234567890.0"));
}

Test(tree_plan, profile_names)
{
	cr_assert(mapiprof_profile_name_valid("Outlook"));
	cr_assert(mapiprof_profile_name_valid("Caf\xc3\xa9 2"));
	cr_assert_not(mapiprof_profile_name_valid(""));
	cr_assert_not(mapiprof_profile_name_valid(NULL));
	cr_assert_not(mapiprof_profile_name_valid("a\\b"));
	cr_assert_not(mapiprof_profile_name_valid("a\tb"));
	cr_assert_not(mapiprof_profile_name_valid("a\x7f"));
	char longname[300];
	memset(longname, 'x', 256);
	longname[256] = '\0';
	cr_assert_not(mapiprof_profile_name_valid(longname));
	longname[255] = '\0';
	cr_assert(mapiprof_profile_name_valid(longname));
}

Test(tree_plan, copy_plans_every_key_and_value_in_order)
{
	char *f = tu_stage_built("every-type.dat");
	tu_open(f);
	const struct mapiprof_profile *p = mapiprof_profile_at(tu_file, 0);
	cr_assert_not_null(p);
	struct mapiprof_plan *plan = NULL;
	cr_assert_eq(mapiprof_plan_profile_copy(tu_file, p->name, "Z", NULL, &plan), MAPIPROF_OK,
	             "%s", mapiprof_errmsg(tu_ctx));
	size_t n = mapiprof_plan_count(plan), adds = 0, vals = 0;
	const struct mapiprof_change *c0 = mapiprof_plan_at(plan, 0);
	cr_assert_eq(c0->kind, MAPIPROF_CHANGE_KEY_ADD);
	cr_assert(strstr(c0->key, "\\Z") != NULL &&
	              strchr(strstr(c0->key, "\\Z") + 1, '\\') == NULL,
	          "%s", c0->key);
	for (size_t i = 0; i < n; i++) {
		const struct mapiprof_change *c = mapiprof_plan_at(plan, i);
		adds += c->kind == MAPIPROF_CHANGE_KEY_ADD;
		vals += c->kind == MAPIPROF_CHANGE_VALUE;
		if (c->kind == MAPIPROF_CHANGE_VALUE) {
			cr_assert_null(c->before);
			cr_assert_not_null(c->after);
		}
	}
	size_t nvals = 0;
	for (size_t s = 0; s < mapiprof_section_count(tu_file, 0); s++) {
		const struct mapiprof_prop *props = NULL;
		size_t np = 0;
		cr_assert_eq(mapiprof_section_props(tu_file, 0, s, &props, &np), MAPIPROF_OK);
		nvals += np;
	}
	cr_assert_eq(adds, mapiprof_section_count(tu_file, 0) + 1);
	cr_assert_eq(vals, nvals);
	mapiprof_plan_free(plan);
	free(f);
}

Test(tree_plan, delete_as_reg_is_a_minus_block)
{
	char *f = tu_stage_built("exchange-mapi.dat");
	tu_open(f);
	struct mapiprof_plan *plan = NULL;
	const struct mapiprof_profile *p = mapiprof_profile_at(tu_file, 0);
	cr_assert_eq(mapiprof_plan_profile_delete(tu_file, p->name, NULL, &plan), MAPIPROF_OK);
	cr_assert_eq(mapiprof_plan_at(plan, 0)->kind, MAPIPROF_CHANGE_KEY_DELETE);
	void *out = NULL;
	size_t len = 0, wlen = 0;
	struct mapiprof_reg_opts ro = {"HKEY_USERS\\S-1"};
	cr_assert_eq(mapiprof_plan_reg(tu_file, plan, &ro, &out, &len), MAPIPROF_OK);
	char want[512];
	snprintf(want, sizeof(want), "\r\n[-HKEY_USERS\\S-1\\%s\\%s]\r\n", p->root, p->name);
	uint8_t *w = tu_utf16_bom(want, &wlen);
	cr_assert(has_bytes(out, len, w + 2, wlen - 2));
	free(w);
	mapiprof_free(out);
	mapiprof_plan_free(plan);
	free(f);
}

/* Keys deeper than the section walk goes (which caps what it loads) are
 * still copied, so the copy has its own cap. */
Test(tree_plan, a_copy_of_too_many_keys_fails_cleanly)
{
	const char *head = "Windows Registry Editor Version 5.00\n\n"
	                   "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\"
	                   "Windows Messaging Subsystem\\Profiles\\Big\\1\\2\\3\\4\\5\\6\\7\\8]\n";
	size_t cap = 25000u * 140u, len = 0;
	char *buf = malloc(cap);
	len = (size_t)snprintf(buf, cap, "%s", head);
	for (unsigned i = 0; i < 20001u; i++)
		len +=
		    (size_t)snprintf(buf + len, cap - len,
		                     "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\"
		                     "CurrentVersion\\Windows Messaging Subsystem\\Profiles\\Big\\"
		                     "1\\2\\3\\4\\5\\6\\7\\8\\k%05u]\n",
		                     i);
	char *f = tu_tmp_write("big.reg", buf, len);
	free(buf);
	tu_open(f);
	struct mapiprof_plan *plan = NULL;
	cr_assert_eq(mapiprof_plan_profile_copy(tu_file, "Big", "Big2", NULL, &plan),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_LIMIT, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_null(plan);
	free(f);
}
