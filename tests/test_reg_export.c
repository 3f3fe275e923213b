/* test_reg_export.c - profiles and plans as regedit 5.00 files
 * (write/export.c) and the atomic save (save.c): every fixture hive and real
 * hive exported and opened again decodes identically; regedit's exact
 * layout; roots, errors; a plan as a .reg; mapiprof_save's guarantees. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/platform.h"
#include "base/utf16.h"
#include "mapi/locate.h"
#include "mapi/section.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_int.h"

TestSuite(reg_export, .init = tu_setup, .fini = tu_teardown);
TestSuite(save, .init = tu_setup, .fini = tu_teardown);

#define WMS_KEY                                                                                    \
	"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging "   \
	"Subsystem\\Profiles"
#define GLOBAL "13dbb0c8aa05101a9bb000aa002fc45a"
#define EMSAB  "dca740c8c042101ab4b908002b2fe182"

/* ---- helpers --------------------------------------------------------- */

/* An export (BOM + UTF-16LE) as UTF-8 text, checked to be regedit 5.00. */
static char *
as_text(const void *out, size_t len)
{
	const uint8_t *p = out;
	cr_assert(len >= 2 && p[0] == 0xFF && p[1] == 0xFE, "no UTF-16LE BOM");
	char *s = NULL;
	size_t n = 0;
	int lossy = 0;
	cr_assert_eq(mp_utf16le_to_utf8(tu_ctx, p + 2, len - 2, &s, &n, &lossy), MAPIPROF_OK);
	cr_assert(!lossy);
	return s;
}

/* Asserts that out[0..len) is exactly the regedit 5.00 form (BOM FF FE,
 * UTF-16LE) of the UTF-8 text want. */
static void
assert_regedit5_is(const void *out, size_t len, const char *want)
{
	char *text = as_text(out, len);
	cr_assert_str_eq(text, want);
	size_t wlen = 0;
	uint8_t *w = tu_utf16_bom(want, &wlen);
	cr_assert_eq(len, wlen);
	cr_assert_eq(memcmp(out, w, len), 0);
	free(w);
	free(text);
}

/* Every profile of tu_file exported with opts (may be NULL), as UTF-8 text
 * (as_text); malloc'd. */
static char *
export_text(const struct mapiprof_reg_opts *opts)
{
	void *out = NULL;
	size_t len = 0;
	cr_assert_eq(mapiprof_export_reg(tu_file, NULL, 0, opts, &out, &len), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	char *text = as_text(out, len);
	mapiprof_free(out);
	return text;
}

/* Exports profiles (NULL: all) of tu_file, writes the result to tu_tmp/name
 * and opens it; returns the open export. */
static struct mapiprof_file *
export_and_open(const size_t *profiles, size_t n, const char *root, const char *name)
{
	void *out = NULL;
	size_t len = 0;
	struct mapiprof_reg_opts opts = {root};
	cr_assert_eq(mapiprof_export_reg(tu_file, profiles, n, &opts, &out, &len), MAPIPROF_OK,
	             "export: %s", mapiprof_errmsg(tu_ctx));
	char *path = tu_tmp_write(name, out, len);
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &f), MAPIPROF_OK, "open %s: %s", path,
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(mapiprof_file_info(f)->format, "reg");
	free(path);
	mapiprof_free(out);
	return f;
}

static void
assert_same_str(const char *a, const char *b, const char *what)
{
	if (a == NULL || b == NULL)
		cr_assert(a == b, "%s: %s vs %s", what, a ? a : "NULL", b ? b : "NULL");
	else
		cr_assert_str_eq(a, b, "%s", what);
}

/* Section i of profile p decodes the same in both files. */
static void
assert_same_section(struct mapiprof_file *a, size_t pa, struct mapiprof_file *b, size_t pb,
                    size_t i)
{
	const struct mapiprof_section *sa = mapiprof_section_at(a, pa, i);
	const struct mapiprof_section *sb = mapiprof_section_at(b, pb, i);
	cr_assert_str_eq(sa->uid, sb->uid);
	assert_same_str(sa->role, sb->role, sa->uid);
	assert_same_str(sa->service, sb->service, sa->uid);
	assert_same_str(sa->owner, sb->owner, sa->uid);
	const struct mapiprof_prop *xa = NULL, *xb = NULL;
	size_t na = 0, nb = 0;
	cr_assert_eq(mapiprof_section_props(a, pa, i, &xa, &na), MAPIPROF_OK);
	cr_assert_eq(mapiprof_section_props(b, pb, i, &xb, &nb), MAPIPROF_OK);
	cr_assert_eq(na, nb, "section %s: %zu props, export has %zu", sa->uid, na, nb);
	for (size_t k = 0; k < na; k++) {
		cr_assert_str_eq(xa[k].value_name, xb[k].value_name, "%s", sa->uid);
		cr_assert_eq(xa[k].reg_type, xb[k].reg_type, "%s %s", sa->uid, xa[k].value_name);
		cr_assert_eq(xa[k].kind, xb[k].kind, "%s %s", sa->uid, xa[k].value_name);
		cr_assert_eq(xa[k].len, xb[k].len, "%s %s", sa->uid, xa[k].value_name);
		cr_assert(xa[k].len == 0 || memcmp(xa[k].data, xb[k].data, xa[k].len) == 0,
		          "%s %s: bytes", sa->uid, xa[k].value_name);
		assert_same_str(xa[k].s, xb[k].s, xa[k].value_name);
	}
}

/* Profile pa of a and pb of b: same name, root, default flag (when
 * with_default), services, sections with their values, and the whole tree
 * below the profile key. */
static void
assert_same_profile(struct mapiprof_file *a, size_t pa, struct mapiprof_file *b, size_t pb,
                    int with_default)
{
	const struct mapiprof_profile *x = mapiprof_profile_at(a, pa);
	const struct mapiprof_profile *y = mapiprof_profile_at(b, pb);
	cr_assert_str_eq(x->name, y->name);
	cr_assert_str_eq(x->root, y->root, "%s", x->name);
	cr_assert_str_eq(x->root_kind, y->root_kind, "%s", x->name);
	assert_same_str(x->office_version, y->office_version, x->name);
	if (with_default)
		cr_assert_eq(x->is_default, y->is_default, "%s: default", x->name);
	cr_assert_eq(x->nservices, y->nservices, "%s", x->name);
	for (size_t i = 0; i < x->nservices; i++)
		cr_assert_str_eq(x->services[i], y->services[i], "%s", x->name);
	size_t n = mapiprof_section_count(a, pa);
	cr_assert_eq(n, mapiprof_section_count(b, pb), "%s: sections", x->name);
	for (size_t i = 0; i < n; i++)
		assert_same_section(a, pa, b, pb, i);
	tu_assert_same_tree(a->store, a->profiles[pa].key, b->store, b->profiles[pb].key, x->name,
	                    TU_SAME_ORDER);
}

/* The whole export of tu_file opened again decodes identically. */
static void
assert_export_decodes_identically(void)
{
	struct mapiprof_file *e = export_and_open(NULL, 0, NULL, "export.reg");
	size_t n = mapiprof_profile_count(tu_file);
	cr_assert_eq(mapiprof_profile_count(e), n);
	for (size_t i = 0; i < n; i++)
		assert_same_profile(tu_file, i, e, i, 1);
	mapiprof_close(e);
}

/* ---- every fixture, parsed back ------------------------------------- */

static const char *const hives[] = {
    "exchange-mapi.dat",
    "outlook2016-two-accounts.dat",
    "every-type.dat",
    "malformed.dat",
    "hostile-names.dat",
    "no-profiles.dat",
    "multi-root.dat",
    "real/notatin/win7_ntuser.dat",
    "real/plaso/NTUSER-WIN7.DAT",
    "real/regipy/NTUSER_BAGMRU.DAT",
};

ParameterizedTestParameters(reg_export, hive_export_decodes_identically)
{
	return tu_index_params(sizeof(hives) / sizeof(hives[0]));
}

ParameterizedTest(size_t *i, reg_export, hive_export_decodes_identically)
{
	const char *h = hives[*i];
	if (strncmp(h, "real/", 5) == 0)
		tu_open_src(h);
	else
		tu_open_built(h);
	if (strcmp(h, "no-profiles.dat") != 0)
		cr_assert_gt(mapiprof_profile_count(tu_file), 0, "%s", h);
	assert_export_decodes_identically();
}

Test(reg_export, reg_export_exports_identically_again)
{
	/* Export of an export: the .reg store is read the same way. */
	tu_open_built("multi-root.dat");
	struct mapiprof_file *e = export_and_open(NULL, 0, NULL, "first.reg");
	struct mapiprof_file *hive = tu_file;
	tu_file = e;
	assert_export_decodes_identically();
	tu_file = hive;
	mapiprof_close(e);
}

Test(reg_export, listed_profiles_export_only_their_subtrees)
{
	tu_open_built("multi-root.dat");
	size_t n = mapiprof_profile_count(tu_file);
	cr_assert_geq(n, 3);
	size_t pick[] = {n - 1, 0};
	struct mapiprof_file *e = export_and_open(pick, 2, NULL, "two.reg");
	cr_assert_eq(mapiprof_profile_count(e), 2);
	/* The export's own order is newest root first, as locate sorts. */
	for (size_t i = 0; i < 2; i++) {
		size_t j = 0;
		cr_assert_eq(
		    mapiprof_profile_find(e, mapiprof_profile_at(tu_file, pick[i])->name, &j),
		    MAPIPROF_OK);
		assert_same_profile(tu_file, pick[i], e, j, 0);
		cr_assert(!mapiprof_profile_at(e, j)->is_default, "no DefaultProfile exported");
	}
	mapiprof_close(e);
}

/* ---- layout ---------------------------------------------------------- */

/* A small profile written as regedit writes it: keys in sorted order, a
 * blank line before every key line, values in stored order, every form. */
static const char synth_export[] =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "[" WMS_KEY "]\r\n"
    "\"DefaultProfile\"=\"Synth\"\r\n"
    "\r\n"
    "[" WMS_KEY "\\Synth]\r\n"
    "\r\n"
    "[" WMS_KEY "\\Synth\\9207f3e0a3b11019908b08002b2a56c2]\r\n"
    "\"01023d0e\"=hex:1a,d0,ef,2b,ee,dd,41,a3,b7,7c,a0,6c,0c,fb,8a,5b\r\n"
    "\"001f3001\"=hex:6a,00,6f,00,68,00,6e,00,2e,00,64,00,6f,00,65,00,40,00,65,00,78,\\\r\n"
    "  00,61,00,6d,00,70,00,6c,00,65,00,2e,00,63,00,6f,00,6d,00,00,00\r\n"
    "@=\"default \\\"quoted\\\" C:\\\\path\"\r\n"
    "\"Dw\"=dword:00000100\r\n"
    "\"Multi\"=hex(7):4c,00,31,00,00,00,4c,00,32,00,00,00,00,00\r\n"
    "\"Q\"=hex(b):01,00,00,00,00,00,00,00\r\n"
    "\"NoTerm\"=hex(1):61,00\r\n"
    "\"Ctl\"=hex(1):61,00,0a,00,00,00\r\n"
    "\"Empty\"=hex:\r\n"
    "\"Prüfung 日本\"=\"Grüße 日本\"\r\n"
    "\r\n"
    "[" WMS_KEY "\\Synth\\9207f3e0a3b11019908b08002b2a56c2\\Sub]\r\n"
    "\r\n"
    "[" WMS_KEY "\\Synth\\a0000000000000000000000000000000]\r\n"
    "\"x\"=hex(0):\r\n"
    "\r\n";

Test(reg_export, export_is_regedits_exact_layout)
{
	tu_open_reg(synth_export, "Synth");
	void *out = NULL;
	size_t len = 0;
	cr_assert_eq(mapiprof_export_reg(tu_file, NULL, 0, NULL, &out, &len), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	assert_regedit5_is(out, len, synth_export);
	mapiprof_free(out);
}

Test(reg_export, fixture_export_has_a_blank_line_before_every_key_and_ends_with_one)
{
	tu_open_built("exchange-mapi.dat");
	char *text = export_text(NULL);
	const char *head = "Windows Registry Editor Version 5.00\r\n\r\n[" WMS_KEY "]\r\n"
	                   "\"DefaultProfile\"=\"Exchange\"\r\n\r\n[" WMS_KEY "\\Exchange]\r\n";
	cr_assert_eq(strncmp(text, head, strlen(head)), 0, "%.300s", text);
	size_t n = strlen(text), keys = 0;
	cr_assert_eq(strcmp(text + n - 4, "\r\n\r\n"), 0);
	cr_assert(text[n - 5] != '\n', "exactly one final blank line");
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\n')
			cr_assert(i > 0 && text[i - 1] == '\r', "bare LF at %zu", i);
		if (text[i] == '[' && i > 0 && text[i - 1] == '\n') {
			keys++;
			cr_assert(i >= 4 && strncmp(text + i - 4, "\r\n\r\n", 4) == 0,
			          "key line at %zu without a blank line before it", i);
		}
	}
	cr_assert_eq(keys, 2 + mapiprof_section_count(tu_file, tu_profile("Exchange")) + 1 +
	                       mapiprof_section_count(tu_file, tu_profile("Personal")));
	free(text);
}

Test(reg_export, office_roots_carry_their_default_profile_from_the_outlook_key)
{
	tu_open_built("outlook2016-two-accounts.dat");
	char *text = export_text(NULL);
	const char *head = "Windows Registry Editor Version 5.00\r\n\r\n"
	                   "[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook]\r\n"
	                   "\"DefaultProfile\"=\"Work\"\r\n\r\n"
	                   "[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook\\"
	                   "Profiles]\r\n";
	cr_assert_eq(strncmp(text, head, strlen(head)), 0, "%.400s", text);
	free(text);
}

/* ---- roots and errors ------------------------------------------------ */

Test(reg_export, root_option_prefixes_every_key_and_parses_back)
{
	tu_open_built("exchange-mapi.dat");
	const char *root = "HKEY_USERS\\S-1-5-21-1004336348-1177238915-682003330-512";
	struct mapiprof_file *e = export_and_open(NULL, 0, root, "users.reg");
	cr_assert_eq(mapiprof_profile_count(e), mapiprof_profile_count(tu_file));
	for (size_t i = 0; i < mapiprof_profile_count(e); i++)
		assert_same_profile(tu_file, i, e, i, 1);
	mapiprof_close(e);
	struct mapiprof_reg_opts opts = {root};
	char *text = export_text(&opts);
	size_t keys = 0;
	for (const char *p = strstr(text, "\n["); p != NULL; p = strstr(p + 1, "\n[")) {
		cr_assert_eq(strncmp(p + 2, root, strlen(root)), 0);
		cr_assert_eq(p[2 + strlen(root)], '\\');
		keys++;
	}
	cr_assert_gt(keys, 10);
	free(text);
}

Test(reg_export, refuses_roots_that_are_not_full_root_paths)
{
	tu_open_built("exchange-mapi.dat");
	static const char *const bad[] = {
	    "",
	    "HKCUX",
	    "HKU\\",
	    "Software",
	    "HKEY_CURRENT_USERS",
	    "HKEY_CURRENT_USER\\",
	    "HKEY_USERS\\\\x",
	    "HKEY_USERS\\a\nb",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *out = NULL;
		size_t len = 0;
		struct mapiprof_reg_opts opts = {bad[i]};
		cr_assert_eq(mapiprof_export_reg(tu_file, NULL, 0, &opts, &out, &len),
		             MAPIPROF_FAILED, "root '%s'", bad[i]);
		cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID, "root '%s'", bad[i]);
		cr_assert_null(out);
	}
	/* Root names are matched as regedit matches them: any case. */
	void *out = NULL;
	size_t len = 0;
	struct mapiprof_reg_opts opts = {"hkey_local_machine\\SOFTWARE\\Copy"};
	cr_assert_eq(mapiprof_export_reg(tu_file, NULL, 0, &opts, &out, &len), MAPIPROF_OK);
	mapiprof_free(out);
}

/* The short roots (reg.exe's HKCU, HKU, HKLM) are written in full. */
Test(reg_export, writes_a_short_root_in_full)
{
	tu_open_built("exchange-mapi.dat");
	cr_assert(mapiprof_reg_root_valid("HKCU"));
	cr_assert(mapiprof_reg_root_valid("hklm\\TEMP"));
	cr_assert_not(mapiprof_reg_root_valid("HKCUX"));
	struct mapiprof_reg_opts opts = {"hku\\S-1-5-21-1"};
	char *text = export_text(&opts);
	cr_assert_not_null(strstr(text, "\n[HKEY_USERS\\S-1-5-21-1\\Software\\"), "%s", text);
	cr_assert_null(strstr(text, "[hku"), "%s", text);
	free(text);
}

Test(reg_export, refuses_a_profile_index_out_of_range)
{
	tu_open_built("exchange-mapi.dat");
	size_t bad = mapiprof_profile_count(tu_file);
	void *out = NULL;
	size_t len = 0;
	cr_assert_eq(mapiprof_export_reg(tu_file, &bad, 1, NULL, &out, &len), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert_null(out);
}

/* Replaces every occurrence of from (n bytes) in the file at path. */
static void
patch_file(const char *path, const void *from, const void *to, size_t n)
{
	size_t len = 0, hits = 0;
	char *data = tu_read(path, &len);
	cr_assert_not_null(data);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(data + i, from, n) == 0) {
			memcpy(data + i, to, n);
			hits++;
		}
	cr_assert_gt(hits, 0, "pattern not found in %s", path);
	cr_assert_eq(tu_write(path, data, len), 0);
	free(data);
}

Test(reg_export, refuses_a_value_name_the_hive_cannot_decode)
{
	/* A value named U+65E5 U+672C, which the hive stores as UTF-16LE. */
	static const char name[] = "\"\xE6\x97\xA5\xE6\x9C\xAC\"=hex:01\n";
	static const char reg[] = TU_REG_HEADER TU_SYNTH_KEY GLOBAL "]\n" /* the section */;
	char text[sizeof(reg) + sizeof(name)];
	snprintf(text, sizeof(text), "%s%s", reg, name);
	tu_open_reg(text, "Synth");
	mapiprof_close(tu_file);
	tu_file = NULL;
	char *dat = tu_tmp_path("reg.dat");
	/* U+65E5 U+672C in the vk name become unpaired surrogates D800 D800. */
	patch_file(dat, "\xE5\x65\x2C\x67", "\x00\xD8\x00\xD8", 4);
	tu_open(dat);
	void *out = NULL;
	size_t len = 0;
	cr_assert_eq(mapiprof_export_reg(tu_file, NULL, 0, NULL, &out, &len), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "Synth\\" GLOBAL "'"), "%s",
	                   mapiprof_errmsg(tu_ctx));
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "cannot be decoded"));
	cr_assert_null(out);
	free(dat);
}

/* ---- plans ------------------------------------------------------------- */

static struct mapiprof_plan *
plan_edits(const char *const *edits, size_t n, const char *profile)
{
	struct mapiprof_recipe *r = NULL;
	struct mapiprof_plan *plan = NULL;
	size_t p = tu_profile(profile);
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, edits, n, &r), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_plan_build(tu_file, r, &p, 1, &plan), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	mapiprof_recipe_free(r);
	return plan;
}

static void
assert_plan_reg_is(const struct mapiprof_plan *plan, const char *want)
{
	void *out = NULL;
	size_t len = 0;
	cr_assert_eq(mapiprof_plan_reg(tu_file, plan, NULL, &out, &len), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	assert_regedit5_is(out, len, want);
	mapiprof_free(out);
}

Test(reg_export, plan_reg_writes_changed_values_per_section_key)
{
	tu_open_built("exchange-mapi.dat");
	const char *edits[] = {
	    "emsab PR_PROFILE_AUTH_PACKAGE = 9",
	    "global PR_PROFILE_CONFIG_FLAGS unset",
	    "global PR_PROFILE_HOME_SERVER = EXCH02",
	};
	struct mapiprof_plan *plan = plan_edits(edits, 3, "Exchange");
	cr_assert_eq(mapiprof_plan_count(plan), 3);
	assert_plan_reg_is(plan, "Windows Registry Editor Version 5.00\r\n"
	                         "\r\n"
	                         "[" WMS_KEY "\\Exchange\\" EMSAB "]\r\n"
	                         "\"00036619\"=hex:09,00,00,00\r\n"
	                         "\r\n"
	                         "[" WMS_KEY "\\Exchange\\" GLOBAL "]\r\n"
	                         "\"00036601\"=-\r\n"
	                         "\"001e6602\"=\"EXCH02\"\r\n"
	                         "\r\n");
	mapiprof_plan_free(plan);
}

Test(reg_export, plan_reg_of_an_empty_plan_is_the_header_only)
{
	tu_open_built("exchange-mapi.dat");
	const char *edits[] = {"global PR_PROFILE_HOME_SERVER = EXCH01"};
	struct mapiprof_plan *plan = plan_edits(edits, 1, "Exchange");
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	assert_plan_reg_is(plan, "Windows Registry Editor Version 5.00\r\n\r\n");
	mapiprof_plan_free(plan);
}

Test(reg_export, plan_reg_imports_to_the_planned_values)
{
	/* The emitted patch parsed back holds exactly the planned final data. */
	tu_open_built("exchange-mapi.dat");
	const char *edits[] = {
	    "emsab PR_PROFILE_AUTH_PACKAGE = 16",
	    "global PR_PROFILE_CONNECT_FLAGS += CONNECT_USE_ADMIN_PRIVILEGE",
	    ("global PR_PROFILE_USER = \"/o=Contoso/ou=Exchange Administrative Group "
	     "(FYDIBOHF23SPDLT)/cn=Recipients/cn=someone-with-a-rather-long-name\""),
	};
	struct mapiprof_plan *plan = plan_edits(edits, 3, "Exchange");
	void *out = NULL;
	size_t len = 0;
	struct mapiprof_reg_opts opts = {"HKEY_USERS\\S-1-5-21-7"};
	cr_assert_eq(mapiprof_plan_reg(tu_file, plan, &opts, &out, &len), MAPIPROF_OK);
	char *path = tu_tmp_write("patch.reg", out, len);
	struct mapiprof_file *e = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &e), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	size_t p = 0;
	cr_assert_eq(mapiprof_profile_find(e, "Exchange", &p), MAPIPROF_OK);
	for (size_t i = 0; i < mapiprof_plan_count(plan); i++) {
		const struct mapiprof_change *c = mapiprof_plan_at(plan, i);
		size_t s = 0, n = mapiprof_section_count(e, p);
		while (s < n && strcmp(mapiprof_section_at(e, p, s)->uid, c->section) != 0)
			s++;
		cr_assert_lt(s, n, "section %s", c->section);
		const struct mapiprof_prop *got = NULL;
		cr_assert_eq(mapiprof_prop_find(e, p, s, c->value_name, &got), MAPIPROF_OK);
		cr_assert_eq(got->len, c->after->len, "%s", c->value_name);
		cr_assert_eq(memcmp(got->data, c->after->data, got->len), 0, "%s", c->value_name);
		cr_assert_eq(got->reg_type, c->after->reg_type);
	}
	mapiprof_close(e);
	free(path);
	mapiprof_free(out);
	mapiprof_plan_free(plan);
}

/* ---- mapiprof_save ----------------------------------------------------- */

/* Names in tu_tmp not in keep, a space-separated list (a temporary file
 * left over). */
static size_t
stray_files(const char *keep)
{
	size_t n = 0;
	char **names = NULL;
	cr_assert_eq(mp_dir_list(tu_ctx, tu_tmp, &names, &n), MAPIPROF_OK);
	size_t stray = 0;
	for (size_t i = 0; i < n; i++) {
		if (strstr(keep, names[i]) == NULL)
			stray++;
		free(names[i]);
	}
	free(names);
	return stray;
}

Test(save, writes_a_new_file_with_0644_less_the_umask)
{
	mode_t old = umask(027);
	char *p = tu_tmp_path("new.reg");
	cr_assert_eq(mapiprof_save(tu_ctx, p, "abc", 3), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	umask(old);
	tu_assert_file_is(p, "abc", 3);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0640);
	cr_assert_eq(stray_files("new.reg"), 0, "no temporary file left");
	free(p);
}

Test(save, replaces_an_existing_file_keeping_its_permissions)
{
	char *p = tu_tmp_write("out.reg", "old contents", 12);
	cr_assert_eq(chmod(p, 0604), 0);
	cr_assert_eq(mapiprof_save(tu_ctx, p, "new", 3), MAPIPROF_OK);
	tu_assert_file_is(p, "new", 3);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0604);
	cr_assert_eq(stray_files("out.reg"), 0);
	/* An empty file too. */
	cr_assert_eq(mapiprof_save(tu_ctx, p, NULL, 0), MAPIPROF_OK);
	tu_assert_file_is(p, "", 0);
	free(p);
}

Test(save, replaces_a_symbolic_link_with_the_file_and_its_targets_permissions)
{
	char *target = tu_tmp_write("target.reg", "old", 3);
	char *link = tu_tmp_path("link.reg");
	cr_assert_eq(chmod(target, 0600), 0);
	cr_assert_eq(symlink(target, link), 0);
	cr_assert_eq(mapiprof_save(tu_ctx, link, "new", 3), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	struct stat st;
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISREG(st.st_mode), "the link is replaced by the file");
	cr_assert_eq(st.st_mode & 07777, 0600);
	tu_assert_file_is(link, "new", 3);
	tu_assert_file_is(target, "old", 3);
	free(target);
	free(link);
}

Test(save, refuses_a_directory_and_other_non_regular_targets)
{
	char *dir = tu_tmp_path("adir");
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(mapiprof_save(tu_ctx, dir, "x", 1), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_ISDIR);
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), dir);
	char *link = tu_tmp_path("dirlink");
	cr_assert_eq(symlink(dir, link), 0);
	cr_assert_eq(mapiprof_save(tu_ctx, link, "x", 1), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_ISDIR);
	char *fifo = tu_tmp_path("fifo");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(mapiprof_save(tu_ctx, fifo, "x", 1), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert_eq(stray_files("adir dirlink fifo"), 0);
	free(fifo);
	free(link);
	free(dir);
}

Test(save, a_failed_write_leaves_the_old_file_and_no_temporary_file)
{
	char *p = tu_tmp_write("out.reg", "old contents", 12);
	/* Files may not grow past 4 KiB: the write of 64 KiB fails (EFBIG). */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {4096, 4096};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	size_t n = 65536;
	char *big = malloc(n);
	cr_assert_not_null(big);
	memset(big, 'x', n);
	cr_assert_eq(mapiprof_save(tu_ctx, p, big, n), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_IO);
	cr_assert_eq(mapiprof_errno(tu_ctx), EFBIG);
	tu_assert_file_is(p, "old contents", 12);
	cr_assert_eq(stray_files("out.reg"), 0, "temporary file removed");
	/* A missing directory fails before anything is created. */
	char *q = tu_tmp_path("no/such/dir.reg");
	cr_assert_eq(mapiprof_save(tu_ctx, q, "x", 1), MAPIPROF_FAILED);
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), q);
	free(q);
	free(big);
	free(p);
}
