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

static char *tmp;
static struct mapiprof_ctx *ctx;
static struct mapiprof_file *file;

static void
setup(void)
{
	tmp = tu_mkdtemp();
	cr_assert_not_null(tmp);
	ctx = mapiprof_ctx_new();
	cr_assert_not_null(ctx);
}

static void
teardown(void)
{
	mapiprof_close(file);
	file = NULL;
	mapiprof_ctx_free(ctx);
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(locate, .init = setup, .fini = teardown);

/* Path of name in the temp dir (malloc'd). */
static char *
tmp_path(const char *name)
{
	size_t n = strlen(tmp) + strlen(name) + 2;
	char *p = malloc(n);
	cr_assert_not_null(p);
	snprintf(p, n, "%s/%s", tmp, name);
	return p;
}

/* Copies a fixture into the temp dir; returns the copy's path (malloc'd). */
static char *
copy_fixture(const char *rel, const char *name)
{
	char *src = tu_fixture_src(rel);
	char *dst = tmp_path(name);
	cr_assert_eq(tu_copy(src, dst), 0, "copy %s", src);
	free(src);
	return dst;
}

static void
open_copy(const char *rel)
{
	char *path = copy_fixture(rel, "ntuser.dat");
	cr_assert_eq(mapiprof_open(ctx, path, 0, &file), MAPIPROF_OK, "open %s: %s", rel,
	             mapiprof_errmsg(ctx));
	free(path);
}

static const struct mapiprof_profile *
outlook_profile(void)
{
	size_t i = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(file, "Outlook", &i), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(ctx));
	return mapiprof_profile_at(file, i);
}

static void
expect_open_error(const char *path, enum mapiprof_error code)
{
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(ctx, path, 0, &f), MAPIPROF_FAILED);
	cr_assert_null(f);
	cr_assert_eq(mapiprof_errcode(ctx), code, "code %d, message: %s", mapiprof_errcode(ctx),
	             mapiprof_errmsg(ctx));
	cr_assert_str_neq(mapiprof_errmsg(ctx), "");
	cr_assert_not_null(mapiprof_errfile(ctx));
	cr_assert_str_eq(mapiprof_errfile(ctx), path);
}

Test(locate, regipy_finds_office_root_spelled_in_capitals)
{
	open_copy(REGIPY);
	cr_assert_eq(mapiprof_profile_count(file), 1);
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
	open_copy(REGIPY);
	const struct mapiprof_profile *p = outlook_profile();
	cr_assert_eq(p->nservices, 2);
	cr_assert_str_eq(p->services[0], "CONTAB");
	cr_assert_str_eq(p->services[1], "MSUPST MS");
}

Test(locate, notatin_finds_wms_root_with_default_profile)
{
	open_copy(NOTATIN);
	cr_assert_eq(mapiprof_profile_count(file), 1);
	const struct mapiprof_profile *p = outlook_profile();
	cr_assert_str_eq(p->root, WMS_ROOT);
	cr_assert_str_eq(p->root_kind, "wms");
	cr_assert_null(p->office_version);
	cr_assert_eq(p->is_default, 1);
}

Test(locate, notatin_services_are_contab_omsab_msupst)
{
	open_copy(NOTATIN);
	const struct mapiprof_profile *p = outlook_profile();
	cr_assert_eq(p->nservices, 3);
	cr_assert_str_eq(p->services[0], "CONTAB");
	cr_assert_str_eq(p->services[1], "OMSAB");
	cr_assert_str_eq(p->services[2], "MSUPST MS");
}

Test(locate, plaso_profile_has_a_pst_service)
{
	open_copy(PLASO);
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
	open_copy(NOTATIN);
	size_t def = SIZE_MAX, named = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(file, NULL, &def), MAPIPROF_OK);
	cr_assert_eq(mapiprof_profile_find(file, "oUTLOOK", &named), MAPIPROF_OK);
	cr_assert_eq(def, named);
	cr_assert_null(mapiprof_profile_at(file, mapiprof_profile_count(file)));
}

Test(locate, unknown_profile_name_is_enoprofile)
{
	open_copy(NOTATIN);
	size_t i;
	cr_assert_eq(mapiprof_profile_find(file, "Nobody", &i), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_NOPROFILE);
	cr_assert(strstr(mapiprof_errmsg(ctx), "Nobody") != NULL, "%s", mapiprof_errmsg(ctx));
}

Test(locate, file_path_and_info_describe_the_hive)
{
	char *path = copy_fixture(REGIPY, "ntuser.dat");
	cr_assert_eq(mapiprof_open(ctx, path, 0, &file), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	cr_assert_str_eq(mapiprof_file_path(file), path);
	const struct mapiprof_info *info = mapiprof_file_info(file);
	cr_assert_not_null(info);
	cr_assert_str_eq(info->format, "regf");
	/* regipy's hive is dirty (sequence 29989/29988): still readable. */
	cr_assert_neq(info->seq1, info->seq2);
	cr_assert_eq(info->checksum_ok, 1);
	free(path);
}

Test(locate, hive_without_profiles_opens_with_count_zero)
{
	char *src = malloc(strlen(MP_SHARED_DIR) + 64);
	cr_assert_not_null(src);
	sprintf(src, "%s/samples/regipy/transactions_NTUSER.DAT.xz", MP_SHARED_DIR);
	if (!tu_exists(src)) {
		free(src);
		cr_skip_test("../shared is absent");
	}
	char *argv[] = {"/bin/sh", "-c", "exec xz -dc \"$0\"", src, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "xz: %s", r.err);
	char *path = tmp_path("transactions.dat");
	cr_assert_eq(tu_write(path, r.out, r.outlen), 0);
	tu_run_free(&r);
	cr_assert_eq(mapiprof_open(ctx, path, 0, &file), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	cr_assert_eq(mapiprof_profile_count(file), 0);
	size_t i;
	cr_assert_eq(mapiprof_profile_find(file, NULL, &i), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_NOPROFILES);
	free(path);
	free(src);
}

Test(locate, missing_file_is_enoent)
{
	char *path = tmp_path("absent.dat");
	expect_open_error(path, MAPIPROF_E_NOENT);
	free(path);
}

Test(locate, directory_is_eisdir)
{
	expect_open_error(tmp, MAPIPROF_E_ISDIR);
}

Test(locate, text_file_is_not_a_hive)
{
	char *path = tmp_path("notes.txt");
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
	char *src = tu_fixture_src(NOTATIN);
	size_t len;
	char *data = tu_read(src, &len);
	cr_assert_not_null(data);
	cr_assert_gt(len, 8192);
	char *path = tmp_path("cut.dat");
	cr_assert_eq(tu_write(path, data, 8192), 0);
	expect_open_error(path, MAPIPROF_E_TRUNCATED);
	free(path);
	free(data);
	free(src);
}

Test(locate, bad_checksum_is_echecksum)
{
	char *src = tu_fixture_src(NOTATIN);
	size_t len;
	char *data = tu_read(src, &len);
	cr_assert_not_null(data);
	/* 0x30..0x6F is the base block's file name field (reg-and-regf.md
	 * §3.1): covered by the checksum, checked by nothing else. */
	data[0x40] ^= 0x5A;
	char *path = tmp_path("badsum.dat");
	cr_assert_eq(tu_write(path, data, len), 0);
	expect_open_error(path, MAPIPROF_E_CHECKSUM);
	cr_assert(strncmp(mapiprof_errmsg(ctx), "bad base block checksum (stored 0x", 34) == 0,
	          "%s", mapiprof_errmsg(ctx));
	cr_assert(strstr(mapiprof_errmsg(ctx), "computed 0x") != NULL);
	free(path);
	free(data);
	free(src);
}

Test(locate, unknown_open_flags_are_invalid)
{
	char *path = copy_fixture(NOTATIN, "ntuser.dat");
	cr_assert_eq(mapiprof_open(ctx, path, 0x80u, &file), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_INVALID);
	cr_assert_null(file);
	free(path);
}

/* Opens path, decodes every section of every profile, closes. */
static void
read_everything(const char *path)
{
	cr_assert_eq(mapiprof_open(ctx, path, 0, &file), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	for (size_t p = 0; p < mapiprof_profile_count(file); p++) {
		for (size_t s = 0; s < mapiprof_section_count(file, p); s++) {
			const struct mapiprof_prop *props;
			size_t n;
			cr_assert_eq(mapiprof_section_props(file, p, s, &props, &n), MAPIPROF_OK,
			             "%s", mapiprof_errmsg(ctx));
		}
	}
	mapiprof_close(file);
	file = NULL;
}

Test(locate, reading_never_changes_the_file)
{
	static const char *const hives[] = {REGIPY, NOTATIN, PLASO};
	for (size_t h = 0; h < 3; h++) {
		char *path = copy_fixture(hives[h], "ntuser.dat");
		size_t before_len, after_len;
		char *before = tu_read(path, &before_len);
		cr_assert_not_null(before);
		/* An mtime in the past, so a write would show even within a tick. */
		struct timespec past[2] = {{978307200, 0}, {978307200, 0}};
		cr_assert_eq(utimensat(AT_FDCWD, path, past, 0), 0);
		int64_t mtime = tu_mtime_ns(path);
		read_everything(path);
		char *after = tu_read(path, &after_len);
		cr_assert_not_null(after);
		cr_assert_eq(before_len, after_len);
		cr_assert(memcmp(before, after, before_len) == 0, "%s changed", hives[h]);
		cr_assert_eq(tu_mtime_ns(path), mtime, "%s mtime changed", hives[h]);
		free(before);
		free(after);
		free(path);
	}
}

/* ---- fixture hives built from fixtures/NAME.reg ------------------------ */

static void
open_built(const char *name)
{
	char *src = tu_fixture(name);
	char *path = tmp_path(name);
	cr_assert_eq(tu_copy(src, path), 0, "copy %s", src);
	cr_assert_eq(mapiprof_open(ctx, path, 0, &file), MAPIPROF_OK, "open %s: %s", name,
	             mapiprof_errmsg(ctx));
	free(path);
	free(src);
}

Test(locate, profiles_come_newest_root_first)
{
	open_built("multi-root.dat");
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
	cr_assert_eq(mapiprof_profile_count(file), n);
	for (size_t i = 0; i < n; i++) {
		const struct mapiprof_profile *p = mapiprof_profile_at(file, i);
		cr_assert_str_eq(p->name, want[i].name, "profile %zu", i);
		cr_assert_str_eq(p->root_kind, want[i].kind, "profile %zu", i);
		cr_assert_str_eq(p->root, want[i].root, "profile %zu", i);
		if (want[i].version == NULL)
			cr_assert_null(p->office_version, "profile %zu", i);
		else
			cr_assert_str_eq(p->office_version, want[i].version, "profile %zu", i);
		cr_assert_eq(p->is_default, want[i].is_default, "profile %zu", i);
	}
}

Test(locate, lookup_by_name_prefers_the_newest_root)
{
	open_built("multi-root.dat");
	size_t i = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(file, "SHARED", &i), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(file, i)->root_kind, "office");
	cr_assert_eq(mapiprof_profile_find(file, NULL, &i), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(file, i)->name, "O16 Default");
	cr_assert_eq(mapiprof_profile_find(file, "win9x default", &i), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(file, i)->root_kind, "wms9x");
}

Test(locate, near_miss_roots_give_no_profiles)
{
	open_built("no-profiles.dat");
	cr_assert_eq(mapiprof_profile_count(file), 0);
	size_t i;
	cr_assert_eq(mapiprof_profile_find(file, "Outlook", &i), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_NOPROFILES);
}

Test(locate, non_ascii_profile_names_match_the_default)
{
	open_built("hostile-names.dat");
	size_t i = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(file, NULL, &i), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(ctx));
	cr_assert_str_eq(mapiprof_profile_at(file, i)->name, "Pr\xC3\xBC"
	                                                     "fung");
	size_t j = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(file,
	                                   "PR\xC3\x9C"
	                                   "FUNG",
	                                   &j),
	             MAPIPROF_OK);
	cr_assert_eq(i, j);
	int japanese = 0;
	for (size_t k = 0; k < mapiprof_profile_count(file); k++)
		japanese += strcmp(mapiprof_profile_at(file, k)->name,
		                   "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x97\xE3\x83\xAD"
		                   "\xE3\x83\x95\xE3\x82\xA1\xE3\x82\xA4\xE3\x83\xAB") == 0;
	cr_assert_eq(japanese, 1);
}
