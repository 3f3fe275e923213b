/* test_regf_new.c - the empty hive mp_regf_create_empty() writes: a clean
 * base block, hivex can open and extend it, and the result is read back by
 * other tools (reglookup, regfexport); laid out like hivex's
 * images/minimal. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "regf/empty.h"
#include "regf/hiveinfo.h"
#include "store/store.h"
#include "testutil.h"

#define REGLOOKUP  "/usr/bin/reglookup"
#define REGFEXPORT "/usr/bin/regfexport"

TestSuite(regf_new, .init = tu_setup, .fini = tu_teardown);

static char *
create(const char *name, unsigned minor, const char *root)
{
	char *p = tu_tmp_path(name);
	cr_assert_eq(mp_regf_create_empty(tu_ctx, p, minor, root, 0), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return p;
}

static uint32_t
le32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

Test(regf_new, writes_8192_byte_clean_hive_with_valid_checksum)
{
	unsigned minors[] = {3, 5};
	for (size_t i = 0; i < 2; i++) {
		char name[16];
		snprintf(name, sizeof(name), "e%u.dat", minors[i]);
		char *p = create(name, minors[i], "ROOT");
		struct mapiprof_info *info = NULL;
		cr_assert_eq(mapiprof_inspect(tu_ctx, p, &info), MAPIPROF_OK, "%s",
		             mapiprof_errmsg(tu_ctx));
		cr_assert_eq(info->size, 8192);
		cr_assert_eq(info->seq1, 1);
		cr_assert_eq(info->seq2, 1);
		cr_assert_eq(info->major, 1);
		cr_assert_eq(info->minor, minors[i]);
		cr_assert_eq(info->file_type, 0);
		cr_assert_eq(info->bins_size, 0x1000);
		cr_assert_eq(info->checksum_ok, 1);
		cr_assert_eq(info->dirty, 0);
		cr_assert_gt(info->last_written, 0);
		mapiprof_info_free(info);
		free(p);
	}
}

Test(regf_new, checksum_avoids_values_where_hivex_and_windows_disagree)
{
	char *p = create("c.dat", 5, "ROOT");
	size_t len = 0;
	char *img = tu_read(p, &len);
	cr_assert_eq(len, 8192);
	uint32_t plain = 0, windows = 0;
	mp_regf_checksum((const uint8_t *)img, &plain, &windows);
	cr_assert_neq(plain, 0);
	cr_assert_neq(plain, 0xFFFFFFFFu);
	cr_assert_eq(le32(img + 0x1FC), plain, "stored = plain XOR = Windows rule");
	cr_assert_eq(memcmp(img + 0x1000, "hbin", 4), 0);
	cr_assert_eq(memcmp(img + 0x1000 + 20, img + 0x0C, 8), 0, "bin timestamp copies header");
	free(img);
	free(p);
}

Test(regf_new, cells_tile_the_bin_root_nk_sk_then_one_free_cell)
{
	char *p = create("t.dat", 5, "ROOT");
	size_t len = 0;
	char *img = tu_read(p, &len);
	const char *bin = img + 0x1000;
	/* root nk at 0x20 */
	int32_t nk_size = (int32_t)le32(bin + 0x20);
	cr_assert_lt(nk_size, 0, "allocated");
	cr_assert_eq(memcmp(bin + 0x24, "nk", 2), 0);
	cr_assert_eq((unsigned char)bin[0x26], 0x2C);
	cr_assert_eq(memcmp(bin + 0x24 + 76, "ROOT", 4), 0);
	uint32_t sk_rel = le32(bin + 0x24 + 44);
	cr_assert_eq(sk_rel, 0x20u + (uint32_t)-nk_size, "sk follows the nk");
	/* sk: allocated, links to itself, refcount 1 */
	int32_t sk_size = (int32_t)le32(bin + sk_rel);
	cr_assert_lt(sk_size, 0);
	cr_assert_eq(memcmp(bin + sk_rel + 4, "sk", 2), 0);
	cr_assert_eq(le32(bin + sk_rel + 8), sk_rel);
	cr_assert_eq(le32(bin + sk_rel + 12), sk_rel);
	cr_assert_eq(le32(bin + sk_rel + 16), 1);
	/* the rest: one free cell reaching the end of the bin */
	uint32_t free_rel = sk_rel + (uint32_t)-sk_size;
	int32_t free_size = (int32_t)le32(bin + free_rel);
	cr_assert_gt(free_size, 0);
	cr_assert_eq(free_rel + (uint32_t)free_size, 0x1000u);
	free(img);
	free(p);
}

Test(regf_new, refuses_existing_file_and_leaves_it_alone)
{
	char *p = tu_tmp_path("exists.dat");
	cr_assert_eq(tu_write(p, "keep", 4), 0);
	cr_assert_eq(mp_regf_create_empty(tu_ctx, p, 5, "ROOT", 0), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_IO);
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), p);
	tu_assert_file_is(p, "keep", 4);
	free(p);
}

Test(regf_new, refuses_other_minor_versions_and_bad_root_names)
{
	char *p = tu_tmp_path("bad.dat");
	cr_assert_eq(mp_regf_create_empty(tu_ctx, p, 4, "ROOT", 0), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert_eq(mp_regf_create_empty(tu_ctx, p, 5, "", 0), MAPIPROF_FAILED);
	cr_assert_eq(mp_regf_create_empty(tu_ctx, p, 5, "A\\B", 0), MAPIPROF_FAILED);
	cr_assert_eq(mp_regf_create_empty(tu_ctx, p, 5, "caf\xC3\xA9", 0), MAPIPROF_FAILED);
	cr_assert_eq(tu_exists(p), 0, "nothing created");
	free(p);
}

static int64_t
le64(const char *p)
{
	return (int64_t)((uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32);
}

Test(regf_new, given_filetime_is_stamped_and_gives_identical_bytes)
{
	char *a = tu_tmp_path("a.dat"), *b = tu_tmp_path("b.dat");
	cr_assert_eq(mp_regf_create_empty(tu_ctx, a, 5, "ROOT", TU_FT_2024), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mp_regf_create_empty(tu_ctx, b, 5, "ROOT", TU_FT_2024), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	size_t len = 0;
	char *img = tu_read(a, &len);
	cr_assert_eq(len, 8192);
	tu_assert_file_is(b, img, len);
	/* At most three ticks later, to keep the checksum off 0 and ~0 (ReactOS
	 * hivesum.c). */
	int64_t ts = le64(img + 0x0C);
	cr_assert(ts >= TU_FT_2024 && ts <= TU_FT_2024 + 3, "base block %lld", (long long)ts);
	cr_assert_eq(le64(img + 0x1000 + 20), ts, "first bin");
	cr_assert_eq(le64(img + 0x1000 + 0x20 + 8), ts, "root nk");
	free(img);
	free(b);
	free(a);
}

Test(regf_new, zero_filetime_stamps_the_current_time)
{
	int64_t before = ((int64_t)time(NULL) + INT64_C(11644473600)) * 10000000;
	char *p = create("now.dat", 3, "ROOT");
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, p, &info), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	int64_t after = ((int64_t)time(NULL) + INT64_C(11644473601)) * 10000000;
	cr_assert(info->last_written >= before && info->last_written <= after, "%lld",
	          (long long)info->last_written);
	mapiprof_info_free(info);
	free(p);
}

Test(regf_new, negative_filetime_is_invalid)
{
	char *p = tu_tmp_path("neg.dat");
	cr_assert_eq(mp_regf_create_empty(tu_ctx, p, 5, "ROOT", -1), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert_eq(tu_exists(p), 0, "nothing created");
	free(p);
}

static const struct mp_value vals[] = {
    {"MapiprofDword", MP_REG_DWORD, (uint8_t *)"\x2A\x00\x00\x00", 4},
    {"MapiprofBinary", MP_REG_BINARY, (uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08\x09", 9},
    {"MapiprofString", MP_REG_SZ, (uint8_t *)"h\0i\0\0\0", 6},
};

/* Creates an empty hive, adds Software\Mapiprof with vals through the hive
 * store and writes the result to tu_tmp/out.dat (returned, malloc'd). */
static char *
build_extended(unsigned minor)
{
	char *empty = create("empty.dat", minor, "ROOT");
	char *out = tu_tmp_path("out.dat");
	struct mp_store *s = NULL;
	cr_assert_eq(mp_store_hive_open(tu_ctx, empty, 1, &s), MAPIPROF_OK, "hivex refuses it: %s",
	             mapiprof_errmsg(tu_ctx));
	mp_key root = 0, sw = 0, mp = 0;
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	char *name = NULL;
	cr_assert_eq(s->ops->key_name(s, root, &name), MAPIPROF_OK);
	cr_assert_str_eq(name, "ROOT");
	free(name);
	cr_assert_eq(s->ops->add_child(s, root, "Software", &sw), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(s->ops->add_child(s, sw, "Mapiprof", &mp), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(s->ops->set_values(s, mp, vals, 3), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(s->ops->write_to(s, out), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	mp_store_close(s);
	free(empty);
	return out;
}

Test(regf_new, hivex_extends_it_and_reopens_the_result)
{
	char *out = build_extended(5);
	struct mp_store *s = NULL;
	cr_assert_eq(mp_store_hive_open(tu_ctx, out, 0, &s), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	mp_key root = 0, k = 0;
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, "software\\mapiprof", &k), MAPIPROF_OK);
	cr_assert_neq(k, 0);
	struct mp_value *v = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->values(s, k, &v, &n), MAPIPROF_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[1].len, 9);
	cr_assert_eq(v[1].data[8], 9);
	mp_store_values_free(v, n);
	mp_store_close(s);
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, out, &info), MAPIPROF_OK);
	cr_assert_eq(info->seq1, 2, "hivex_commit bumps 1/1 to 2/2");
	cr_assert_eq(info->dirty, 0);
	mapiprof_info_free(info);
	free(out);
}

static void
run_tool(const char *tool, char *const argv[], struct tu_run *r)
{
	if (!tu_exists(tool))
		cr_skip_test("%s is not installed", tool);
	cr_assert_eq(tu_run(argv, r), 0, "cannot run %s", tool);
	cr_assert_eq(r->status, 0, "%s exit %d: %s", tool, r->status, r->err);
}

Test(regf_new, reglookup_reads_the_extended_hive_with_key_and_values)
{
	unsigned minors[] = {3, 5};
	for (size_t i = 0; i < 2; i++) {
		char *out = build_extended(minors[i]);
		char *argv[] = {(char *)REGLOOKUP, out, NULL};
		struct tu_run r;
		run_tool(REGLOOKUP, argv, &r);
		cr_assert_not_null(strstr(r.out, "/Software/Mapiprof,KEY"), "%s", r.out);
		cr_assert_not_null(
		    strstr(r.out, "/Software/Mapiprof/MapiprofDword,DWORD,0x0000002A"), "%s",
		    r.out);
		cr_assert_not_null(strstr(r.out, "/Software/Mapiprof/MapiprofString,SZ,hi"), "%s",
		                   r.out);
		cr_assert_null(strstr(r.err, "ERROR"), "%s", r.err);
		tu_run_free(&r);
		remove(out);
		free(out);
		char *e = tu_tmp_path("empty.dat");
		remove(e);
		free(e);
	}
}

Test(regf_new, reglookup_shows_owner_group_and_dacl_of_the_sk)
{
	char *p = create("sd.dat", 5, "ROOT");
	char *argv[] = {(char *)REGLOOKUP, (char *)"-s", p, NULL};
	struct tu_run r;
	run_tool(REGLOOKUP, argv, &r);
	cr_assert_not_null(strstr(r.out, "S-1-5-32-544,S-1-5-18"), "owner, group: %s", r.out);
	cr_assert_not_null(strstr(r.out, "S-1-5-32-545:ALLOW"), "DACL: %s", r.out);
	cr_assert_not_null(strstr(r.out, "S-1-5-18:ALLOW"), "DACL: %s", r.out);
	tu_run_free(&r);
	free(p);
}

Test(regf_new, regfexport_reads_the_extended_hive)
{
	char *out = build_extended(5);
	char *argv[] = {(char *)REGFEXPORT, out, NULL};
	struct tu_run r;
	run_tool(REGFEXPORT, argv, &r);
	cr_assert_not_null(strstr(r.out, "Mapiprof"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "MapiprofBinary"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "MapiprofDword"), "%s", r.out);
	tu_run_free(&r);
	free(out);
}
