/* test_hiveinfo.c - mapiprof_inspect() on the real hives, on broken copies
 * of them, and on transaction logs beside a hive; the checksum rule of
 * mp_regf_checksum (regf spec "Base block"; ReactOS hivesum.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regf/hiveinfo.h"
#include "testutil.h"

TestSuite(hiveinfo, .init = tu_setup, .fini = tu_teardown);

static struct mapiprof_info *
inspect_ok(const char *path)
{
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, path, &info), MAPIPROF_OK, "%s: %s", path,
	             mapiprof_errmsg(tu_ctx));
	cr_assert_not_null(info);
	return info;
}

static void
inspect_fails(const char *path, enum mapiprof_error code)
{
	struct mapiprof_info *info = (struct mapiprof_info *)1;
	cr_assert_eq(mapiprof_inspect(tu_ctx, path, &info), MAPIPROF_FAILED);
	cr_assert_null(info);
	cr_assert_eq(mapiprof_errcode(tu_ctx), code, "code %d, message '%s'",
	             mapiprof_errcode(tu_ctx), mapiprof_errmsg(tu_ctx));
	cr_assert_null(strchr(mapiprof_errmsg(tu_ctx), '\n'), "one-line message");
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), path);
}

Test(hiveinfo, regipy_is_dirty_with_seq_29989_29988_version_1_5)
{
	char *p = tu_fixture_src("real/regipy/NTUSER_BAGMRU.DAT");
	int64_t m0 = tu_mtime_ns(p);
	struct mapiprof_info *info = inspect_ok(p);
	cr_assert_str_eq(info->format, "regf");
	cr_assert_eq(info->seq1, 29989);
	cr_assert_eq(info->seq2, 29988);
	cr_assert_eq(info->major, 1);
	cr_assert_eq(info->minor, 5);
	cr_assert_eq(info->file_type, 0);
	cr_assert_eq(info->checksum_ok, 1);
	cr_assert_eq(info->dirty, 1);
	cr_assert_eq(info->size, 6553600);
	cr_assert_str_eq(info->sha256,
	                 "5fb553dcc3231500e57212d984321610d790d467965ace2c5f770ef7903e9fc1");
	cr_assert_eq(info->nlogs, 0);
	cr_assert_eq(tu_mtime_ns(p), m0, "inspect never writes");
	mapiprof_info_free(info);
	free(p);
}

Test(hiveinfo, notatin_is_clean_with_seq_93472_version_1_3)
{
	char *p = tu_fixture_src("real/notatin/win7_ntuser.dat");
	struct mapiprof_info *info = inspect_ok(p);
	cr_assert_eq(info->seq1, 93472);
	cr_assert_eq(info->seq2, 93472);
	cr_assert_eq(info->major, 1);
	cr_assert_eq(info->minor, 3);
	cr_assert_eq(info->checksum_ok, 1);
	cr_assert_eq(info->checksum_stored, info->checksum_computed);
	cr_assert_eq(info->dirty, 0);
	cr_assert_str_eq(info->sha256,
	                 "5bfc046ffdcfb310e148d668cfb71c310ca7729ebad61ce034b7616eb5842dd9");
	cr_assert_leq((uint64_t)4096 + info->bins_size, info->size);
	cr_assert_gt(info->last_written, 0);
	mapiprof_info_free(info);
	free(p);
}

Test(hiveinfo, plaso_is_clean_with_seq_10407)
{
	char *p = tu_fixture_src("real/plaso/NTUSER-WIN7.DAT");
	struct mapiprof_info *info = inspect_ok(p);
	cr_assert_eq(info->seq1, 10407);
	cr_assert_eq(info->seq2, 10407);
	cr_assert_eq(info->dirty, 0);
	cr_assert_str_eq(info->sha256,
	                 "672abb15ae62fa8c002c5ee0a730cf83cd5f40706d5ffdec8f1179cf47a0bd03");
	mapiprof_info_free(info);
	free(p);
}

Test(hiveinfo, missing_file_is_noent)
{
	char *p = tu_tmp_path("absent.dat");
	inspect_fails(p, MAPIPROF_E_NOENT);
	free(p);
}

Test(hiveinfo, directory_is_isdir)
{
	inspect_fails(tu_tmp, MAPIPROF_E_ISDIR);
	cr_assert_str_eq(mapiprof_errmsg(tu_ctx), "is a directory");
}

Test(hiveinfo, file_without_regf_signature_is_format)
{
	static char text[8192];
	memset(text, 'A', sizeof(text));
	char *p = tu_tmp_write("text.dat", text, sizeof(text));
	inspect_fails(p, MAPIPROF_E_FORMAT);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "regf"), "%s", mapiprof_errmsg(tu_ctx));
	free(p);
	p = tu_tmp_write("tiny.dat", "re", 2);
	inspect_fails(p, MAPIPROF_E_FORMAT);
	free(p);
}

Test(hiveinfo, regf_shorter_than_base_block_is_truncated)
{
	size_t len = 0;
	char *data = tu_read_src("real/plaso/NTUSER-WIN7.DAT", &len);
	char *p = tu_tmp_write("short.dat", data, 1000);
	inspect_fails(p, MAPIPROF_E_TRUNCATED);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "1000"), "%s", mapiprof_errmsg(tu_ctx));
	free(p);
	free(data);
}

Test(hiveinfo, truncated_copy_reports_both_sizes)
{
	size_t len = 0;
	char *data = tu_read_src("real/notatin/win7_ntuser.dat", &len);
	char *p = tu_tmp_write("cut.dat", data, 65536);
	inspect_fails(p, MAPIPROF_E_TRUNCATED);
	const char *msg = mapiprof_errmsg(tu_ctx);
	cr_assert_not_null(strstr(msg, "65536"), "%s", msg);
	char need[32];
	uint32_t bins = (uint32_t)(uint8_t)data[0x28] | (uint32_t)(uint8_t)data[0x29] << 8 |
	                (uint32_t)(uint8_t)data[0x2A] << 16 | (uint32_t)(uint8_t)data[0x2B] << 24;
	snprintf(need, sizeof(need), "%lu", 4096ul + bins);
	cr_assert_not_null(strstr(msg, need), "message '%s' lacks needed size %s", msg, need);
	free(p);
	free(data);
}

Test(hiveinfo, flipped_checksum_byte_is_dirty_not_an_error)
{
	size_t len = 0;
	char *data = tu_read_src("real/plaso/NTUSER-WIN7.DAT", &len);
	data[0x1FC] = (char)(data[0x1FC] ^ 0x01);
	char *p = tu_tmp_write("flip.dat", data, len);
	struct mapiprof_info *info = inspect_ok(p);
	cr_assert_eq(info->checksum_ok, 0);
	cr_assert_eq(info->dirty, 1);
	cr_assert_eq(info->seq1, info->seq2);
	cr_assert_neq(info->checksum_stored, info->checksum_computed);
	mapiprof_info_free(info);
	free(p);
	free(data);
}

/* A base block whose 127 dwords XOR to zero (the Windows rule then wants 1). */
static void
zero_xor_base_block(uint8_t *bb)
{
	memset(bb, 0, 4096);
	memcpy(bb, "regf", 4);
	bb[0x04] = bb[0x08] = 1;
	bb[0x14] = 1;
	bb[0x18] = 3;
	bb[0x20] = 1;
	bb[0x24] = 0x20;
	bb[0x29] = 0x10;
	bb[0x2C] = 1;
	uint32_t plain = 0;
	mp_regf_checksum(bb, &plain, NULL);
	/* Cancel the XOR with a dword in the reserved area (0x70..0x1FB). */
	for (int i = 0; i < 4; i++)
		bb[0x100 + i] = (uint8_t)(plain >> (8 * i));
}

Test(hiveinfo, checksum_rule_maps_zero_to_one)
{
	static uint8_t bb[4096];
	zero_xor_base_block(bb);
	uint32_t plain = 7, windows = 7;
	mp_regf_checksum(bb, &plain, &windows);
	cr_assert_eq(plain, 0);
	cr_assert_eq(windows, 1);
}

Test(hiveinfo, checksum_rule_maps_all_ones_to_fffffffe)
{
	static uint8_t bb[4096];
	memset(bb, 0, sizeof(bb));
	memset(bb + 0x40, 0xFF, 4);
	uint32_t plain = 0, windows = 0;
	mp_regf_checksum(bb, &plain, &windows);
	cr_assert_eq(plain, 0xFFFFFFFFu);
	cr_assert_eq(windows, 0xFFFFFFFEu);
}

Test(hiveinfo, checksum_covers_127_dwords_only)
{
	static uint8_t bb[4096];
	memset(bb, 0, sizeof(bb));
	bb[0] = 0x12;
	bb[0x1F8 + 1] = 0x34;
	bb[0x1FC] = 0xAA; /* the checksum field itself: not included */
	bb[0x200] = 0xBB; /* past it: not included */
	uint32_t plain = 0, windows = 0;
	mp_regf_checksum(bb, &plain, &windows);
	cr_assert_eq(plain, 0x3412u);
	cr_assert_eq(windows, plain);
}

/* Writes an 8192-byte hive whose header XORs to 0 with stored checksum
 * `stored`, and inspects it. */
static struct mapiprof_info *
inspect_zero_xor(uint32_t stored)
{
	static uint8_t file[8192];
	memset(file, 0, sizeof(file));
	zero_xor_base_block(file);
	for (int i = 0; i < 4; i++)
		file[0x1FC + i] = (uint8_t)(stored >> (8 * i));
	memcpy(file + 4096, "hbin", 4);
	char *p = tu_tmp_write("zx.dat", file, sizeof(file));
	struct mapiprof_info *info = inspect_ok(p);
	free(p);
	return info;
}

Test(hiveinfo, checksum_ok_accepts_windows_rule_and_plain_xor)
{
	struct mapiprof_info *info = inspect_zero_xor(1);
	cr_assert_eq(info->checksum_ok, 1, "Windows rule: XOR 0 stored as 1");
	cr_assert_eq(info->checksum_computed, 1);
	mapiprof_info_free(info);
	info = inspect_zero_xor(0);
	cr_assert_eq(info->checksum_ok, 1, "plain XOR as hivex writes it");
	mapiprof_info_free(info);
	info = inspect_zero_xor(5);
	cr_assert_eq(info->checksum_ok, 0);
	cr_assert_eq(info->dirty, 1);
	mapiprof_info_free(info);
}

Test(hiveinfo, logs_match_hive_name_case_insensitively)
{
	size_t len = 0;
	char *data = tu_read_src("real/plaso/NTUSER-WIN7.DAT", &len);
	char *hive = tu_tmp_write("Hive.DAT", data, len);
	static char logdata[1024];
	memcpy(logdata, data, sizeof(logdata)); /* a base block: seq 10407/10407 */
	free(tu_tmp_write("hive.dat.log2", logdata, sizeof(logdata)));
	free(tu_tmp_write("HIVE.DAT.LOG", "short", 5));
	free(tu_tmp_write("Hive.DAT.LOG3", logdata, sizeof(logdata)));
	free(tu_tmp_write("Hive.DAT.LOG1.bak", logdata, sizeof(logdata)));
	free(tu_tmp_write("Other.DAT.LOG1", logdata, sizeof(logdata)));
	struct mapiprof_info *info = inspect_ok(hive);
	cr_assert_eq(info->nlogs, 2);
	cr_assert(strstr(info->logs[0].path, "HIVE.DAT.LOG") != NULL);
	cr_assert_eq(info->logs[0].size, 5);
	cr_assert_eq(info->logs[0].has_header, 0);
	cr_assert_eq(info->logs[0].newer, 0);
	cr_assert(strstr(info->logs[1].path, "hive.dat.log2") != NULL);
	cr_assert_eq(info->logs[1].has_header, 1);
	cr_assert_eq(info->logs[1].seq1, 10407);
	cr_assert_eq(info->logs[1].newer, 1, "log seq1 10407 >= hive seq2 10407");
	mapiprof_info_free(info);
	free(hive);
	free(data);
}

/* Decompresses the regipy sample name.xz (fixtures/real/regipy, from
 * mkorman90/regipy's regipy_tests/data) into tu_tmp/name. */
static void
unxz_sample(const char *name)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "regipy/%s", name);
	free(tu_unxz_sample(rel, name));
}

Test(hiveinfo, regipy_transaction_logs_are_found_and_log1_is_newer)
{
	unxz_sample("transactions_NTUSER.DAT");
	unxz_sample("transactions_ntuser.dat.log1");
	unxz_sample("transactions_ntuser.dat.log2");
	char *hive = tu_tmp_path("transactions_NTUSER.DAT");
	struct mapiprof_info *info = inspect_ok(hive);
	cr_assert_eq(info->seq1, 567);
	cr_assert_eq(info->seq2, 566);
	cr_assert_eq(info->dirty, 1);
	cr_assert_eq(info->nlogs, 2);
	const struct mapiprof_logfile *l1 = &info->logs[0], *l2 = &info->logs[1];
	cr_assert(strstr(l1->path, "transactions_ntuser.dat.log1") != NULL, "%s", l1->path);
	cr_assert_eq(l1->size, 1126400);
	cr_assert_eq(l1->has_header, 1);
	cr_assert_eq(l1->seq1, 566);
	cr_assert_eq(l1->seq2, 566);
	cr_assert_eq(l1->file_type, 6);
	cr_assert_eq(l1->newer, 1);
	cr_assert_eq(l2->size, 65536);
	cr_assert_eq(l2->seq1, 562);
	cr_assert_eq(l2->file_type, 6);
	cr_assert_eq(l2->newer, 0, "log2 (562) predates the hive's last write (566)");
	mapiprof_info_free(info);
	free(hive);
}
