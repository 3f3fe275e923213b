/* test_locate.c - mapiprof_open and the profile locator on the real hives:
 * roots, default profile, services, open errors, read-only reading. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mapiprof/mapiprof.h"
#include "testutil.h"

#define REGIPY  "real/regipy/NTUSER_BAGMRU.DAT"
#define NOTATIN "real/notatin/win7_ntuser.dat"
#define PLASO   "real/plaso/NTUSER-WIN7.DAT"

#define WMS_ROOT                                                                                   \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"

TestSuite(locate, .init = tu_setup, .fini = tu_teardown);

static const struct mapiprof_profile *
outlook_profile(void)
{
	return mapiprof_profile_at(tu_file, tu_profile("Outlook"));
}

static void
expect_open_error(const char *path, enum mapiprof_error code)
{
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &f), MAPIPROF_FAILED);
	cr_assert_null(f);
	cr_assert_eq(mapiprof_errcode(tu_ctx), code, "code %d, message: %s",
	             mapiprof_errcode(tu_ctx), mapiprof_errmsg(tu_ctx));
	cr_assert_str_neq(mapiprof_errmsg(tu_ctx), "");
	cr_assert_not_null(mapiprof_errfile(tu_ctx));
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), path);
}

Test(locate, regipy_finds_office_root_spelled_in_capitals)
{
	tu_open_src(REGIPY);
	cr_assert_eq(mapiprof_profile_count(tu_file), 1);
	const struct mapiprof_profile *p = outlook_profile();
	cr_assert_str_eq(p->name, "Outlook");
	cr_assert_str_eq(p->root, "SOFTWARE\\Microsoft\\Office\\16.0\\Outlook\\Profiles");
	cr_assert_str_eq(p->root_kind, "office");
	cr_assert_str_eq(p->office_version, "16.0");
	cr_assert_eq(p->is_default, 1);
	cr_assert_neq(p->last_write, 0);
}

Test(locate, regipy_services_in_pr_services_order)
{
	tu_open_src(REGIPY);
	const struct mapiprof_profile *p = outlook_profile();
	cr_assert_eq(p->nservices, 2);
	cr_assert_str_eq(p->services[0], "CONTAB");
	cr_assert_str_eq(p->services[1], "MSUPST MS");
}

Test(locate, notatin_finds_wms_root_with_default_profile)
{
	tu_open_src(NOTATIN);
	cr_assert_eq(mapiprof_profile_count(tu_file), 1);
	const struct mapiprof_profile *p = outlook_profile();
	cr_assert_str_eq(p->root, WMS_ROOT);
	cr_assert_str_eq(p->root_kind, "wms");
	cr_assert_null(p->office_version);
	cr_assert_eq(p->is_default, 1);
}

Test(locate, notatin_services_are_contab_omsab_msupst)
{
	tu_open_src(NOTATIN);
	const struct mapiprof_profile *p = outlook_profile();
	cr_assert_eq(p->nservices, 3);
	cr_assert_str_eq(p->services[0], "CONTAB");
	cr_assert_str_eq(p->services[1], "OMSAB");
	cr_assert_str_eq(p->services[2], "MSUPST MS");
}

Test(locate, plaso_profile_has_a_pst_service)
{
	tu_open_src(PLASO);
	const struct mapiprof_profile *p = outlook_profile();
	cr_assert_str_eq(p->root, WMS_ROOT);
	cr_assert_str_eq(p->root_kind, "wms");
	cr_assert_eq(p->is_default, 1);
	int pst = 0;
	for (size_t i = 0; i < p->nservices; i++)
		pst += strncmp(p->services[i], "MSUPST", 6) == 0;
	cr_assert_eq(pst, 1);
}

Test(locate, find_default_and_by_name_ignoring_case)
{
	tu_open_src(NOTATIN);
	size_t def = SIZE_MAX, named = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(tu_file, NULL, &def), MAPIPROF_OK);
	cr_assert_eq(mapiprof_profile_find(tu_file, "oUTLOOK", &named), MAPIPROF_OK);
	cr_assert_eq(def, named);
	cr_assert_null(mapiprof_profile_at(tu_file, mapiprof_profile_count(tu_file)));
}

Test(locate, unknown_profile_name_is_enoprofile)
{
	tu_open_src(NOTATIN);
	size_t i;
	cr_assert_eq(mapiprof_profile_find(tu_file, "Nobody", &i), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROFILE);
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "Nobody") != NULL, "%s", mapiprof_errmsg(tu_ctx));
}

Test(locate, file_path_and_info_describe_the_hive)
{
	char *path = tu_stage_src(REGIPY);
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &tu_file), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(mapiprof_file_path(tu_file), path);
	const struct mapiprof_info *info = mapiprof_file_info(tu_file);
	cr_assert_not_null(info);
	cr_assert_str_eq(info->format, "regf");
	/* regipy's hive is dirty (sequence 29989/29988): still readable. */
	cr_assert_neq(info->seq1, info->seq2);
	cr_assert_eq(info->checksum_ok, 1);
	free(path);
}

Test(locate, hive_without_profiles_opens_with_count_zero)
{
	char *path = tu_unxz_sample("regipy/transactions_NTUSER.DAT", "transactions.dat");
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &tu_file), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_profile_count(tu_file), 0);
	size_t i;
	cr_assert_eq(mapiprof_profile_find(tu_file, NULL, &i), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROFILES);
	free(path);
}

Test(locate, missing_file_is_enoent)
{
	char *path = tu_tmp_path("absent.dat");
	expect_open_error(path, MAPIPROF_E_NOENT);
	free(path);
}

Test(locate, directory_is_eisdir)
{
	expect_open_error(tu_tmp, MAPIPROF_E_ISDIR);
}

Test(locate, text_file_is_not_a_hive)
{
	char *path = tu_tmp_path("notes.txt");
	const char text[] = "Windows Registry? no, just some text that is long enough.\n";
	char buf[8192];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = text[i % (sizeof(text) - 1)];
	cr_assert_eq(tu_write(path, buf, sizeof(buf)), 0);
	expect_open_error(path, MAPIPROF_E_FORMAT);
	free(path);
}

Test(locate, truncated_hive_is_etruncated)
{
	size_t len;
	char *data = tu_read_src(NOTATIN, &len);
	cr_assert_gt(len, 8192);
	char *path = tu_tmp_path("cut.dat");
	cr_assert_eq(tu_write(path, data, 8192), 0);
	expect_open_error(path, MAPIPROF_E_TRUNCATED);
	free(path);
	free(data);
}

Test(locate, bad_checksum_is_echecksum)
{
	size_t len;
	char *data = tu_read_src(NOTATIN, &len);
	/* 0x30..0x6F is the base block's tu_file name field (regf spec "Base
	 * block"): covered by the checksum, checked by nothing else. */
	data[0x40] ^= 0x5A;
	char *path = tu_tmp_path("badsum.dat");
	cr_assert_eq(tu_write(path, data, len), 0);
	expect_open_error(path, MAPIPROF_E_CHECKSUM);
	cr_assert(strncmp(mapiprof_errmsg(tu_ctx), "bad base block checksum (stored 0x", 34) == 0,
	          "%s", mapiprof_errmsg(tu_ctx));
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "computed 0x") != NULL);
	free(path);
	free(data);
}

Test(locate, unknown_open_flags_are_invalid)
{
	char *path = tu_stage_src(NOTATIN);
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0x80u, &tu_file), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert_null(tu_file);
	free(path);
}

/* Opens path, decodes every section of every profile, closes. */
static void
read_everything(const char *path)
{
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &tu_file), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	for (size_t p = 0; p < mapiprof_profile_count(tu_file); p++) {
		for (size_t s = 0; s < mapiprof_section_count(tu_file, p); s++) {
			const struct mapiprof_prop *props;
			size_t n;
			cr_assert_eq(mapiprof_section_props(tu_file, p, s, &props, &n), MAPIPROF_OK,
			             "%s", mapiprof_errmsg(tu_ctx));
		}
	}
	mapiprof_close(tu_file);
	tu_file = NULL;
}

Test(locate, reading_never_changes_the_file)
{
	static const char *const hives[] = {REGIPY, NOTATIN, PLASO};
	for (size_t h = 0; h < 3; h++) {
		char *path = tu_stage_src(hives[h]);
		size_t before_len;
		char *before = tu_read(path, &before_len);
		cr_assert_not_null(before);
		/* An mtime in the past, so a write would show even within a tick. */
		struct timespec past[2] = {{978307200, 0}, {978307200, 0}};
		cr_assert_eq(utimensat(AT_FDCWD, path, past, 0), 0);
		int64_t mtime = tu_mtime_ns(path);
		read_everything(path);
		tu_assert_file_is(path, before, before_len);
		cr_assert_eq(tu_mtime_ns(path), mtime, "%s mtime changed", hives[h]);
		free(before);
		free(path);
	}
}

/* ---- fixture hives built from fixtures/NAME.reg ------------------------ */

Test(locate, profiles_come_newest_root_first)
{
	tu_open_built("multi-root.dat");
	static const struct {
		const char *name, *kind, *version, *root;
		int is_default;
	} want[] = {
	    {"O16 Default", "office", "16.0",
	     "SOFTWARE\\Microsoft\\Office\\16.0\\Outlook\\Profiles", 1},
	    {"Shared", "office", "16.0", "SOFTWARE\\Microsoft\\Office\\16.0\\Outlook\\Profiles", 0},
	    {"O15 Default", "office", "15.0",
	     "SOFTWARE\\Microsoft\\Office\\15.0\\Outlook\\Profiles", 1},
	    {"O15 Other", "office", "15.0", "SOFTWARE\\Microsoft\\Office\\15.0\\Outlook\\Profiles",
	     0},
	    {"Shared", "wms", NULL,
	     "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging "
	     "Subsystem\\Profiles",
	     0},
	    {"WmsDefault", "wms", NULL,
	     "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging "
	     "Subsystem\\Profiles",
	     1},
	    {"Win9x Default", "wms9x", NULL,
	     "SOFTWARE\\Microsoft\\windows messaging subsystem\\profiles", 1},
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	cr_assert_eq(mapiprof_profile_count(tu_file), n);
	for (size_t i = 0; i < n; i++) {
		const struct mapiprof_profile *p = mapiprof_profile_at(tu_file, i);
		cr_assert_str_eq(p->name, want[i].name, "profile %zu", i);
		cr_assert_str_eq(p->root_kind, want[i].kind, "profile %zu", i);
		cr_assert_str_eq(p->root, want[i].root, "profile %zu", i);
		if (want[i].version == NULL)
			cr_assert_null(p->office_version, "profile %zu", i);
		else
			cr_assert_str_eq(p->office_version, want[i].version, "profile %zu", i);
		cr_assert_eq(p->is_default, want[i].is_default, "profile %zu (%s)", i, p->name);
	}
}

Test(locate, lookup_by_name_prefers_the_newest_root)
{
	tu_open_built("multi-root.dat");
	size_t i = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(tu_file, "SHARED", &i), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(tu_file, i)->root_kind, "office");
	cr_assert_eq(mapiprof_profile_find(tu_file, NULL, &i), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(tu_file, i)->name, "O16 Default");
	cr_assert_eq(mapiprof_profile_find(tu_file, "win9x default", &i), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(tu_file, i)->root_kind, "wms9x");
}

Test(locate, near_miss_roots_give_no_profiles)
{
	tu_open_built("no-profiles.dat");
	cr_assert_eq(mapiprof_profile_count(tu_file), 0);
	size_t i;
	cr_assert_eq(mapiprof_profile_find(tu_file, "Outlook", &i), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROFILES);
}

Test(locate, non_ascii_profile_names_match_the_default)
{
	tu_open_built("hostile-names.dat");
	size_t i = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(tu_file, NULL, &i), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(mapiprof_profile_at(tu_file, i)->name, "Pr\xC3\xBC"
	                                                        "fung");
	size_t j = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(tu_file,
	                                   "PR\xC3\x9C"
	                                   "FUNG",
	                                   &j),
	             MAPIPROF_OK);
	cr_assert_eq(i, j);
	int japanese = 0;
	for (size_t k = 0; k < mapiprof_profile_count(tu_file); k++)
		japanese += strcmp(mapiprof_profile_at(tu_file, k)->name,
		                   "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x97\xE3\x83\xAD"
		                   "\xE3\x83\x95\xE3\x82\xA1\xE3\x82\xA4\xE3\x83\xAB") == 0;
	cr_assert_eq(japanese, 1);
}
