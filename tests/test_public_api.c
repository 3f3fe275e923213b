/* test_public_api.c - the shipped shared library exports the public API and
 * the header stands alone: this program includes only <mapiprof/mapiprof.h>
 * and links libmapiprof.so, not the internal objects. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "testutil.h"

Test(public_api, reads_a_real_hive_through_the_shared_library)
{
	char *dir = tu_mkdtemp();
	char path[4096];
	snprintf(path, sizeof(path), "%s/ntuser.dat", dir);
	char *src = tu_fixture_src("real/notatin/win7_ntuser.dat");
	cr_assert_eq(tu_copy(src, path), 0);

	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	cr_assert_not_null(ctx);
	cr_assert_str_eq(mapiprof_version(), MAPIPROF_VERSION);
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(ctx, path, 0, &f), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	cr_assert_eq(mapiprof_profile_count(f), 1);
	size_t p;
	cr_assert_eq(mapiprof_profile_find(f, NULL, &p), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(f, p)->name, "Outlook");
	size_t *idx = NULL, n = 0;
	cr_assert_eq(mapiprof_select(f, p, "instance", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 1);
	const struct mapiprof_prop *prop = NULL;
	cr_assert_eq(mapiprof_prop_find(f, p, idx[0], "PR_SEARCH_KEY", &prop), MAPIPROF_OK);
	cr_assert_eq(prop->tag, 0x300B0102u);
	cr_assert_eq(prop->kind, MAPIPROF_V_BINARY);
	cr_assert_eq(prop->len, 16);
	mapiprof_free(idx);
	mapiprof_close(f);
	mapiprof_ctx_free(ctx);
	free(src);
	tu_rmtree(dir);
	free(dir);
}

Test(public_api, tag_table_is_exported)
{
	cr_assert_gt(mapiprof_tag_count(), 100);
	int found = 0;
	for (size_t i = 0; i < mapiprof_tag_count(); i++)
		if (strcmp(mapiprof_tag_at(i)->name, "PR_PROFILE_CONNECT_FLAGS") == 0)
			found = mapiprof_tag_at(i)->tag == 0x66040003u;
	cr_assert(found);
	cr_assert_gt(mapiprof_flag_count(), 50);
}

Test(public_api, errors_carry_code_file_and_message)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(ctx, "/nonexistent/ntuser.dat", 0, &f), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_NOENT);
	cr_assert_str_eq(mapiprof_errfile(ctx), "/nonexistent/ntuser.dat");
	cr_assert_gt(strlen(mapiprof_errmsg(ctx)), 0);
	mapiprof_clear_error(ctx);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_NONE);
	mapiprof_ctx_free(ctx);
}

Test(public_api, filetime_iso_is_exported_with_the_library_contract)
{
	char buf[32];
	cr_assert_eq(mapiprof_filetime_iso(INT64_C(116444736000000000), buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	cr_assert_eq(mapiprof_filetime_iso(INT64_C(0x01cebee595e82f9c), buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "2013-10-01T20:34:11.2133020Z");
	cr_assert_eq(mapiprof_filetime_iso(-1, buf, sizeof(buf)), -1);
	cr_assert_eq(mapiprof_filetime_iso(INT64_C(2650467744000000000), buf, sizeof(buf)), -1);
	cr_assert_eq(mapiprof_filetime_iso(0, buf, 20), -1);
}

/* What a timeline of deleted data reads: each recovered key with its path,
 * time, profile and role, and its values decoded as live ones. */
Test(public_api, deleted_keys_are_exported_with_path_time_profile_and_role)
{
	char *dir = tu_mkdtemp();
	char path[4096];
	snprintf(path, sizeof(path), "%s/ntuser.dat", dir);
	char *src = tu_fixture("exchange-mapi.dat");
	cr_assert_eq(tu_copy(src, path), 0);
	struct tu_run r;
	cr_assert_eq(tu_cli(&r, "profile", "delete", "Personal", path, (char *)NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);

	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(ctx, path, 0, &f), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	cr_assert_eq(mapiprof_deleted_supported(f), 1);
	const struct mapiprof_deleted_key *k = NULL;
	size_t n = 0;
	int truncated = 1;
	cr_assert_eq(mapiprof_deleted_keys(f, &k, &n, &truncated), MAPIPROF_OK);
	cr_assert_eq(truncated, 0);
	size_t profiles = 0, sections = 0;
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(k[i].profile, "Personal");
		cr_assert_eq(k[i].deleted, 1);
		cr_assert_eq(k[i].live_profile, SIZE_MAX);
		cr_assert_gt(k[i].last_write, 0);
		cr_assert_not_null(strstr(k[i].path, "\\Profiles\\Personal"));
		if (strcmp(k[i].role, "profile") == 0) {
			profiles++;
			cr_assert_null(k[i].section);
		} else {
			sections++;
			cr_assert_not_null(k[i].section);
		}
		for (size_t j = 0; j < k[i].nprops; j++) {
			cr_assert_not_null(k[i].props[j].prop.value_name);
			cr_assert_gt(k[i].props[j].offset, 4096u);
		}
	}
	cr_assert_eq(profiles, 1);
	cr_assert_eq(sections, 5);
	mapiprof_close(f);

	/* A .reg file: nothing to recover, and not an error. */
	char *reg = tu_fixture_src("exchange-mapi.reg");
	cr_assert_eq(mapiprof_open(ctx, reg, 0, &f), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	cr_assert_eq(mapiprof_deleted_supported(f), 0);
	cr_assert_eq(mapiprof_deleted_keys(f, &k, &n, NULL), MAPIPROF_OK);
	cr_assert_eq(n, 0);
	mapiprof_close(f);
	mapiprof_ctx_free(ctx);
	free(reg);
	free(src);
	tu_rmtree(dir);
	free(dir);
}
