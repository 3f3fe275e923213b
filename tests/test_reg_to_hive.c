/* test_reg_to_hive.c - the fixture builder: a hive built from a .reg file
 * holds exactly the keys and values of the .reg store, read back both with
 * our hive store and with reglookup (an independent parser); the output is
 * replaced atomically, temporary files never remain; mkhive's exit codes. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regtext/parse.h"
#include "regtext/to_hive.h"
#include "store/reg.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_int.h"

#define V5 "Windows Registry Editor Version 5.00\r\n"

/* Every kind of data, non-ASCII and control-character key names, a deleted
 * key and a key under another root. */
static const char sample_reg[] =
    V5 "\r\n"
       "[HKEY_CURRENT_USER\\Software\\Test]\r\n"
       "\"Str\"=\"hello\"\r\n"
       "@=\"def\"\r\n"
       "\"Bin\"=hex:01,02,03,ff\r\n"
       "\"Dw\"=dword:0000abcd\r\n"
       "\"Multi\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"
       "\"Q\"=hex(b):01,00,00,00,00,00,00,00\r\n"
       "\"Empty\"=hex:\r\n"
       "\r\n"
       "[HKEY_CURRENT_USER\\Software\\Test\\\xc3\x84rger\\\xe6\x97\xa5\xe6\x9c\xac]\r\n"
       "\"v\xc3\xa9\"=\"ok\"\r\n"
       "\r\n"
       "[HKEY_CURRENT_USER\\Software\\Test\\ctl\x01x\tt]\r\n"
       "\"a\"=dword:1\r\n"
       "\r\n"
       "[HKEY_CURRENT_USER\\Software\\Test\\Gone\\Sub]\r\n"
       "\"g\"=dword:2\r\n"
       "[-HKEY_CURRENT_USER\\Software\\Test\\Gone]\r\n"
       "[HKEY_USERS\\S-1-5-21-1\\Software\\Test]\r\n"
       "\"Str\"=\"hello again\"\r\n"
       "[HKEY_LOCAL_MACHINE\\SOFTWARE\\M]\r\n";

TestSuite(reg_to_hive, .init = tu_setup, .fini = tu_teardown);
TestSuite(mkhive, .init = tu_setup, .fini = tu_teardown);

/* Number of entries in tu_tmp. */
static int
dir_entries(void)
{
	DIR *d = opendir(tu_tmp);
	cr_assert_not_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static unsigned
hive_minor(const char *path)
{
	size_t len = 0;
	char *p = tu_read(path, &len);
	cr_assert_not_null(p);
	cr_assert_geq(len, 8192);
	cr_assert_eq(memcmp(p, "regf", 4), 0);
	unsigned minor = (unsigned char)p[0x18];
	cr_assert_eq(p[0x14], 1); /* major */
	free(p);
	return minor;
}

/* Asserts that the hive at hive_path holds exactly the tree of the .reg
 * file at reg_path (tu_assert_same_tree, subkeys looked up by name: the hive
 * sorts them), want_keys keys with the root. */
static void
assert_same_as_reg(const char *reg_path, const char *hive_path, size_t want_keys)
{
	struct mp_store *reg = NULL, *hive = NULL;
	mp_key rr = 0, hr = 0;
	cr_assert_eq(mp_reg_parse_store(tu_ctx, reg_path, NULL, &reg), MAPIPROF_OK);
	cr_assert_eq(mp_store_hive_open(tu_ctx, hive_path, 0, &hive), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(reg->ops->root(reg, &rr), MAPIPROF_OK);
	cr_assert_eq(hive->ops->root(hive, &hr), MAPIPROF_OK);
	cr_assert_eq(tu_assert_same_tree(reg, rr, hive, hr, "root", TU_BY_NAME), want_keys);
	mp_store_close(hive);
	mp_store_close(reg);
}

static void
build(const char *in, const char *out, unsigned minor)
{
	cr_assert_eq(mp_reg_to_hive(tu_ctx, in, out, minor, TU_FT_2024), MAPIPROF_OK, "%s: %s",
	             mapiprof_errfile(tu_ctx) != NULL ? mapiprof_errfile(tu_ctx) : "",
	             mapiprof_errmsg(tu_ctx));
}

Test(reg_to_hive, hive_holds_every_key_and_value_as_our_hive_store_reads_it)
{
	char *in = tu_tmp_write("in.reg", sample_reg, sizeof(sample_reg) - 1);
	char *out = tu_tmp_path("out.dat");
	build(in, out, 3);
	/* root, Software, Test, Ärger, 日本, ctl, HKEY_LOCAL_MACHINE, SOFTWARE, M */
	assert_same_as_reg(in, out, 9);
	cr_assert_eq(hive_minor(out), 3);
	free(out);
	free(in);
}

Test(reg_to_hive, hive_reads_back_the_same_with_reglookup)
{
	char *in = tu_tmp_write("in.reg", sample_reg, sizeof(sample_reg) - 1);
	char *out = tu_tmp_path("out.dat");
	build(in, out, 3);
	char *argv[] = {"/usr/bin/reglookup", "-H", out, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "reglookup: %s", r.err);
	/* reglookup prints %XX for bytes it cannot show: Latin-1 names as their
	 * byte, UTF-16 names as their raw UTF-16LE bytes (日 = E5 65, 本 = 2C 67). */
	const char *want[] = {
	    "\n/Software/Test/Str,SZ,hello again,\n",
	    "\n/Software/Test/,SZ,def,\n",
	    "\n/Software/Test/Bin,BINARY,%01%02%03%FF,\n",
	    "\n/Software/Test/Dw,DWORD,0x0000ABCD,\n",
	    "\n/Software/Test/Multi,MULTI_SZ,a|b,\n",
	    "\n/Software/Test/Q,QWORD,0x0000000000000001,\n",
	    "\n/Software/Test/Empty,BINARY,", /* reglookup shows "(null)" */
	    "\n/Software/Test/%C4rger/%E5e%2Cg,KEY,",
	    "\n/Software/Test/%C4rger/%E5e%2Cg/v%E9,SZ,ok,\n",
	    "\n/Software/Test/ctl%01x%09t,KEY,",
	    "\n/Software/Test/ctl%01x%09t/a,DWORD,0x00000001,\n",
	    "\n/HKEY_LOCAL_MACHINE/SOFTWARE/M,KEY,",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_not_null(strstr(r.out, want[i]), "missing '%s' in:\n%s", want[i], r.out);
	cr_assert_null(strstr(r.out, "Gone"), "deleted key in the hive:\n%s", r.out);
	size_t keys = 0;
	for (const char *p = r.out; (p = strstr(p, ",KEY,")) != NULL; p++)
		keys++;
	cr_assert_eq(keys, 9, "%s", r.out);
	tu_run_free(&r);
	free(out);
	free(in);
}

Test(reg_to_hive, utf16_regedit_export_builds_the_same_hive)
{
	const char *text = V5 "\r\n[HKEY_CURRENT_USER\\Software\\\xc3\x84]\r\n"
	                      "\"001f3001\"=hex:6a,00,6f,00,\\\r\n  00,00\r\n"
	                      "\"s\"=\"\xe2\x82\xac\"\r\n\r\n";
	size_t len = 0;
	uint8_t *buf = tu_utf16_bom(text, &len);
	char *in = tu_tmp_write("in.reg", buf, len);
	char *out = tu_tmp_path("out.dat");
	build(in, out, 5);
	assert_same_as_reg(in, out, 3);
	struct mp_store *hive = NULL;
	mp_key root = 0, k = 0;
	struct mp_value *v = NULL;
	size_t n = 0;
	cr_assert_eq(mp_store_hive_open(tu_ctx, out, 0, &hive), MAPIPROF_OK);
	cr_assert_eq(hive->ops->root(hive, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(hive, root, "software\\\xc3\xa4", &k), MAPIPROF_OK);
	cr_assert_neq(k, 0);
	cr_assert_eq(hive->ops->values(hive, k, &v, &n), MAPIPROF_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(v[0].len, 6);
	cr_assert_eq(memcmp(v[0].data, "j\0o\0\0\0", 6), 0);
	cr_assert_eq(memcmp(v[1].data, "\xac\x20\0\0", 4), 0);
	mp_store_values_free(v, n);
	mp_store_close(hive);
	cr_assert_eq(hive_minor(out), 5);
	free(out);
	free(in);
	free(buf);
}

/* Asserts that key k of hive and every key below it was last written at ft;
 * returns the number of keys. */
static size_t
assert_key_times(struct mp_store *hive, mp_key k, int64_t ft)
{
	int64_t t = 0;
	cr_assert_eq(hive->ops->key_mtime(hive, k, &t), MAPIPROF_OK);
	cr_assert_eq(t, ft, "key time %lld, want %lld", (long long)t, (long long)ft);
	mp_key *kids = NULL;
	size_t n = 0, keys = 1;
	cr_assert_eq(hive->ops->children(hive, k, &kids, &n), MAPIPROF_OK);
	for (size_t i = 0; i < n; i++)
		keys += assert_key_times(hive, kids[i], ft);
	free(kids);
	return keys;
}

Test(reg_to_hive, same_input_and_filetime_give_identical_bytes_and_key_times)
{
	char *in = tu_tmp_write("in.reg", sample_reg, sizeof(sample_reg) - 1);
	char *a = tu_tmp_path("a.dat"), *b = tu_tmp_path("b.dat");
	build(in, a, 5);
	build(in, b, 5);
	tu_assert_same_file(b, a);
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, a, &info), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	int64_t ft = info->last_written;
	mapiprof_info_free(info);
	/* At most three ticks later, to keep the checksum off 0 and ~0 (ReactOS
	 * hivesum.c). */
	cr_assert(ft >= TU_FT_2024 && ft <= TU_FT_2024 + 3, "base block %lld", (long long)ft);
	struct mp_store *hive = NULL;
	mp_key root = 0;
	cr_assert_eq(mp_store_hive_open(tu_ctx, a, 0, &hive), MAPIPROF_OK);
	cr_assert_eq(hive->ops->root(hive, &root), MAPIPROF_OK);
	cr_assert_eq(assert_key_times(hive, root, ft), 9);
	mp_store_close(hive);
	free(b);
	free(a);
	free(in);
}

Test(reg_to_hive, existing_output_is_replaced_and_no_temporary_file_remains)
{
	char *in = tu_tmp_write("in.reg", sample_reg, sizeof(sample_reg) - 1);
	char *out = tu_tmp_write("out.dat", "old", 3);
	build(in, out, 3);
	cr_assert_eq(hive_minor(out), 3);
	build(in, out, 3); /* meson reruns the builder over its own output */
	cr_assert_eq(dir_entries(), 2);
	free(out);
	free(in);
}

Test(reg_to_hive, parse_error_names_the_line_and_leaves_the_output_alone)
{
	const char *text = V5 "[HKCU\\A]\r\n\"x\"=hex:01,1ff\r\n";
	char *in = tu_tmp_write("in.reg", text, strlen(text));
	char *out = tu_tmp_write("out.dat", "old", 3);
	cr_assert_eq(mp_reg_to_hive(tu_ctx, in, out, 3, 0), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert_str_eq(mapiprof_errmsg(tu_ctx), "line 3: hex byte greater than ff");
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), in);
	tu_assert_file_is(out, "old", 3);
	cr_assert_eq(dir_entries(), 2);
	free(out);
	free(in);
}

Test(reg_to_hive, hive_error_removes_the_temporary_files)
{
	/* 20000 bytes cannot be written into a 1.5 hive without 'db' records
	 * (regf spec "Big data"): the hive store refuses it. */
	size_t n = 20000, cap = strlen(V5) + 64 + n * 3;
	char *text = malloc(cap);
	cr_assert_not_null(text);
	strcpy(text, V5 "[HKCU\\A]\r\n\"big\"=hex:00");
	char *p = text + strlen(text);
	for (size_t i = 1; i < n; i++, p += 3)
		memcpy(p, ",00", 3);
	strcpy(p, "\r\n");
	char *in = tu_tmp_write("in.reg", text, strlen(text));
	char *out = tu_tmp_path("out.dat");
	cr_assert_eq(mp_reg_to_hive(tu_ctx, in, out, 5, 0), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_LIMIT, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(tu_exists(out), 0);
	cr_assert_eq(dir_entries(), 1);
	build(in, out, 3); /* 1.3 hives have no such limit */
	free(out);
	free(in);
	free(text);
}

Test(reg_to_hive, minor_other_than_3_or_5_is_refused)
{
	char *in = tu_tmp_write("in.reg", sample_reg, sizeof(sample_reg) - 1);
	char *out = tu_tmp_path("out.dat");
	cr_assert_eq(mp_reg_to_hive(tu_ctx, in, out, 4, 0), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert_eq(tu_exists(out), 0);
	free(out);
	free(in);
}

/* ---- mkhive ------------------------------------------------------------- */

static int
run_mkhive(struct tu_run *r, const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = {MP_MKHIVE, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
	cr_assert_eq(tu_run(argv, r), 0);
	return r->status;
}

Test(mkhive, builds_a_hive_and_exits_0)
{
	char *in = tu_tmp_write("in.reg", sample_reg, sizeof(sample_reg) - 1);
	char *out = tu_tmp_path("out.dat");
	struct tu_run r;
	cr_assert_eq(run_mkhive(&r, "--minor", "5", in, out), 0, "%s", r.err);
	cr_assert_eq(r.errlen, 0);
	tu_run_free(&r);
	cr_assert_eq(hive_minor(out), 5);
	assert_same_as_reg(in, out, 9);
	cr_assert_eq(run_mkhive(&r, in, out, NULL, NULL), 0, "%s", r.err);
	tu_run_free(&r);
	cr_assert_eq(hive_minor(out), 3);
	free(out);
	free(in);
}

Test(mkhive, bad_input_exits_1_naming_file_and_line)
{
	const char *text = V5 "[HKCU\\A]\r\n\r\n\"x\"=\"open\r\n";
	char *in = tu_tmp_write("in.reg", text, strlen(text));
	char *out = tu_tmp_path("out.dat");
	struct tu_run r;
	cr_assert_eq(run_mkhive(&r, in, out, NULL, NULL), 1);
	char want[600];
	snprintf(want, sizeof(want), "mkhive: %s: line 4: unterminated string\n", in);
	cr_assert_str_eq(r.err, want);
	tu_run_free(&r);
	cr_assert_eq(tu_exists(out), 0);
	char *missing = tu_tmp_path("missing.reg");
	cr_assert_eq(run_mkhive(&r, missing, out, NULL, NULL), 1);
	cr_assert_not_null(strstr(r.err, missing), "%s", r.err);
	tu_run_free(&r);
	cr_assert_eq(dir_entries(), 1);
	free(missing);
	free(out);
	free(in);
}

Test(mkhive, usage_errors_exit_2)
{
	char *in = tu_tmp_write("in.reg", sample_reg, sizeof(sample_reg) - 1);
	char *out = tu_tmp_path("out.dat");
	struct tu_run r;
	cr_assert_eq(run_mkhive(&r, NULL, NULL, NULL, NULL), 2);
	cr_assert_not_null(strstr(r.err, "usage: mkhive"));
	tu_run_free(&r);
	cr_assert_eq(run_mkhive(&r, in, NULL, NULL, NULL), 2);
	tu_run_free(&r);
	cr_assert_eq(run_mkhive(&r, in, out, "extra", NULL), 2);
	tu_run_free(&r);
	cr_assert_eq(run_mkhive(&r, "--minor", "4", in, out), 2);
	tu_run_free(&r);
	cr_assert_eq(run_mkhive(&r, "--frob", in, out, NULL), 2);
	tu_run_free(&r);
	cr_assert_eq(run_mkhive(&r, "--codepage", "NO-SUCH-CP", in, out), 2);
	tu_run_free(&r);
	cr_assert_eq(tu_exists(out), 0);
	free(out);
	free(in);
}

/* The last-write time mkhive stamped into the hive at path. */
static int64_t
stamped(const char *path)
{
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, path, &info), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	int64_t ft = info->last_written;
	mapiprof_info_free(info);
	return ft;
}

Test(mkhive, stamps_2024_or_source_date_epoch_for_reproducible_fixtures)
{
	char *in = tu_tmp_write("in.reg", sample_reg, sizeof(sample_reg) - 1);
	char *a = tu_tmp_path("a.dat"), *b = tu_tmp_path("b.dat");
	struct tu_run r;
	cr_assert_eq(unsetenv("SOURCE_DATE_EPOCH"), 0);
	cr_assert_eq(run_mkhive(&r, in, a, NULL, NULL), 0, "%s", r.err);
	tu_run_free(&r);
	int64_t ft = stamped(a);
	cr_assert(ft >= TU_FT_2024 && ft <= TU_FT_2024 + 3, "%lld", (long long)ft);
	/* 2023-11-14T22:13:20Z */
	cr_assert_eq(setenv("SOURCE_DATE_EPOCH", "1700000000", 1), 0);
	cr_assert_eq(run_mkhive(&r, in, b, NULL, NULL), 0, "%s", r.err);
	tu_run_free(&r);
	ft = stamped(b);
	int64_t want = (INT64_C(1700000000) + INT64_C(11644473600)) * 10000000;
	cr_assert(ft >= want && ft <= want + 3, "%lld", (long long)ft);
	cr_assert_eq(run_mkhive(&r, in, a, NULL, NULL), 0, "%s", r.err);
	tu_run_free(&r);
	tu_assert_same_file(a, b);
	free(b);
	free(a);
	free(in);
}

Test(mkhive, malformed_source_date_epoch_is_a_usage_error)
{
	char *in = tu_tmp_write("in.reg", sample_reg, sizeof(sample_reg) - 1);
	char *out = tu_tmp_path("out.dat");
	static const char *const bad[] = {"yesterday", "-1", "1.5", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tu_run r;
		cr_assert_eq(setenv("SOURCE_DATE_EPOCH", bad[i], 1), 0);
		cr_assert_eq(run_mkhive(&r, in, out, NULL, NULL), 2, "%s: %s", bad[i], r.err);
		cr_assert_not_null(strstr(r.err, "SOURCE_DATE_EPOCH"), "%s", r.err);
		tu_run_free(&r);
	}
	cr_assert_eq(tu_exists(out), 0);
	free(out);
	free(in);
}
