/* test_real_hives.c - the public API on the three real NTUSER.DAT hives in
 * fixtures/real (fixtures/real/README.md, fixtures/README.md): profile, root,
 * default, services, sections, value counts, PST paths, the opaque POP3
 * password, and every multi-value property decoded without error. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapiprof/mapiprof.h"
#include "testutil.h"

#define WMS_ROOT                                                                                   \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"

TestSuite(real_hives, .init = tu_setup, .fini = tu_teardown);

static void
assert_services(size_t p, const char *const *want, size_t n)
{
	const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, p);
	cr_assert_eq(pr->nservices, n, "nservices %zu", pr->nservices);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(pr->services[i], want[i]);
}

/* Total decoded values of a profile, every decoded value checked for
 * sanity on the way. */
static size_t
count_values(size_t p)
{
	size_t total = 0, ns = mapiprof_section_count(tu_file, p);
	for (size_t s = 0; s < ns; s++) {
		const struct mapiprof_prop *props;
		size_t n;
		cr_assert_eq(mapiprof_section_props(tu_file, p, s, &props, &n), MAPIPROF_OK, "%s",
		             mapiprof_errmsg(tu_ctx));
		for (size_t i = 0; i < n; i++)
			cr_assert_not_null(props[i].value_name);
		total += n;
	}
	return total;
}

/* Checks every multi-value property of the profile: decoded, no error, the
 * given offset width (MV_LONG has none); returns how many there were. */
static size_t
check_multivalues(size_t p, int width)
{
	size_t seen = 0, ns = mapiprof_section_count(tu_file, p);
	for (size_t s = 0; s < ns; s++) {
		const struct mapiprof_prop *props;
		size_t n;
		cr_assert_eq(mapiprof_section_props(tu_file, p, s, &props, &n), MAPIPROF_OK);
		for (size_t i = 0; i < n; i++) {
			const struct mapiprof_prop *pr = &props[i];
			if (!pr->is_tag || (pr->tag & 0x1000u) == 0)
				continue;
			seen++;
			cr_assert_null(pr->error, "%s\\%s: %s",
			               mapiprof_section_at(tu_file, p, s)->uid, pr->value_name,
			               pr->error);
			cr_assert(pr->count >= 1, "%s has no elements", pr->value_name);
			if ((pr->tag & 0xFFFFu) == 0x1003u) {
				cr_assert_eq(pr->kind, MAPIPROF_V_MV_INT);
				cr_assert_eq(pr->count, pr->len / 4);
				continue;
			}
			cr_assert(pr->kind == MAPIPROF_V_MV_STRING ||
			              pr->kind == MAPIPROF_V_MV_BINARY,
			          "%s kind %d", pr->value_name, (int)pr->kind);
			cr_assert_eq(pr->mv_offset_width, width, "%s width %d", pr->value_name,
			             pr->mv_offset_width);
		}
	}
	return seen;
}

/* ---- regipy: Windows 10, Outlook 2016, dirty, 64-bit layout ------------- */

Test(real_hives, regipy_outlook_profile_under_capital_software_office16_root)
{
	size_t p = tu_open_outlook("real/regipy/NTUSER_BAGMRU.DAT");
	const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, p);
	cr_assert_str_eq(pr->name, "Outlook");
	cr_assert_str_eq(pr->root, "SOFTWARE\\Microsoft\\Office\\16.0\\Outlook\\Profiles");
	cr_assert_str_eq(pr->root_kind, "office");
	cr_assert_str_eq(pr->office_version, "16.0");
	cr_assert_eq(pr->is_default, 1);
	cr_assert_eq(mapiprof_profile_count(tu_file), 1);
	size_t d;
	cr_assert_eq(mapiprof_profile_find(tu_file, NULL, &d), MAPIPROF_OK);
	cr_assert_eq(d, p);
	static const char *const svc[] = {"CONTAB", "MSUPST MS"};
	assert_services(p, svc, 2);
}

Test(real_hives, regipy_is_reported_dirty_but_opens)
{
	tu_open_outlook("real/regipy/NTUSER_BAGMRU.DAT");
	const struct mapiprof_info *info = mapiprof_file_info(tu_file);
	cr_assert_not_null(info);
	cr_assert_eq(info->seq1, 29989u);
	cr_assert_eq(info->seq2, 29988u);
	cr_assert_eq(info->dirty, 1);
	cr_assert_eq(info->minor, 5u);
}

Test(real_hives, regipy_sections_and_roles)
{
	size_t p = tu_open_outlook("real/regipy/NTUSER_BAGMRU.DAT");
	cr_assert_eq(mapiprof_section_count(tu_file, p), 16);
	cr_assert_str_eq(
	    mapiprof_section_at(tu_file, p, tu_section(p, "0a0d020000000000c000000000000046"))
	        ->role,
	    "outlook");
	cr_assert_str_eq(
	    mapiprof_section_at(tu_file, p, tu_section(p, "8503020000000000c000000000000046"))
	        ->role,
	    "instance");
	cr_assert_str_eq(
	    mapiprof_section_at(tu_file, p, tu_section(p, "9207f3e0a3b11019908b08002b2a56c2"))
	        ->role,
	    "services");
	size_t g = tu_section(p, "13dbb0c8aa05101a9bb000aa002fc45a");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, g)->role, "global");
	const struct mapiprof_prop *props;
	size_t n;
	cr_assert_eq(mapiprof_section_props(tu_file, p, g, &props, &n), MAPIPROF_OK);
	cr_assert_eq(n, 0, "the global section is empty in all real hives");
	size_t s = tu_section(p, "3517490d76624c419a828607e2a54604");
	cr_assert_str_eq(tu_prop(p, s, "001f6000")->s, "Outlook");
	s = tu_section(p, "8503020000000000c000000000000046");
	cr_assert_eq(tu_prop(p, s, "PR_SEARCH_KEY")->len, 16);
}

Test(real_hives, regipy_account_manager_lists_contab_and_pst)
{
	size_t p = tu_open_outlook("real/regipy/NTUSER_BAGMRU.DAT");
	size_t a = tu_section(p, "9375CFF0413111d3B88A00104B2A6676");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, a)->role, "accounts");
	size_t a1 = tu_section(p, "9375CFF0413111d3B88A00104B2A6676\\00000001");
	size_t a2 = tu_section(p, "9375CFF0413111d3B88A00104B2A6676\\00000002");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, a1)->role, "account");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, a2)->role, "account");
	/* regipy stores these two as REG_SZ (notatin and plaso: UTF-16 binary). */
	cr_assert_str_eq(tu_prop(p, a1, "Account Name")->s, "Outlook Address Book");
	cr_assert_str_eq(tu_prop(p, a1, "Service Name")->s, "CONTAB");
	cr_assert_str_eq(tu_prop(p, a2, "Account Name")->s, "Outlook Data File");
	cr_assert_str_eq(tu_prop(p, a2, "Service Name")->s, "MSUPST MS");
	const struct mapiprof_prop *uid = tu_prop(p, a2, "Service UID");
	cr_assert_eq(uid->len, 16);
	cr_assert_eq(memcmp(uid->data,
	                    "\xd4\xee\xde\xd2\xd3\xc3\xfc\x4c\xa4\x6d\x35\xe5\x79\xdf\x8b\xcd", 16),
	             0);
	size_t *idx;
	size_t n;
	cr_assert_eq(mapiprof_select(tu_file, p, "service:MSUPST", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, idx[0])->uid,
	                 "d4eeded2d3c3fc4ca46d35e579df8bcd");
	mapiprof_free(idx);
}

Test(real_hives, regipy_pst_path_and_unicode_config_flag)
{
	size_t p = tu_open_outlook("real/regipy/NTUSER_BAGMRU.DAT");
	size_t s = tu_section(p, "6876da12b533bc47a32ce78191722d01");
	const struct mapiprof_section *sec = mapiprof_section_at(tu_file, p, s);
	cr_assert_str_eq(sec->role, "provider");
	cr_assert_str_eq(sec->owner, "d4eeded2d3c3fc4ca46d35e579df8bcd");
	const struct mapiprof_prop *pst = tu_prop(p, s, "001f6700");
	cr_assert_eq(pst->kind, MAPIPROF_V_STRING);
	cr_assert_str_eq(pst->s, "C:\\Users\\tony\\Documents\\Outlook Files\\Outlook.pst");
	const struct mapiprof_prop *cf = tu_prop(p, s, "00036770");
	cr_assert_eq(cf->kind, MAPIPROF_V_INT);
	cr_assert_eq(cf->i, 0x80000000);
}

Test(real_hives, regipy_value_count_is_95)
{
	size_t p = tu_open_outlook("real/regipy/NTUSER_BAGMRU.DAT");
	cr_assert_eq(count_values(p), 95);
}

Test(real_hives, regipy_every_multivalue_decodes_with_64bit_layout)
{
	size_t p = tu_open_outlook("real/regipy/NTUSER_BAGMRU.DAT");
	cr_assert_eq(check_multivalues(p, 8), 15);
	size_t s = tu_section(p, "0ae1fb8ed673e5499ac19850e84bbf46");
	const struct mapiprof_prop *mv = tu_prop(p, s, "101f6627");
	cr_assert_eq(mv->kind, MAPIPROF_V_MV_STRING);
	cr_assert_eq(mv->count, 1);
	cr_assert_str_eq(mv->strs[0], "Outlook Data File");
	mv = tu_prop(p, s, "11026626");
	cr_assert_eq(mv->kind, MAPIPROF_V_MV_BINARY);
	cr_assert_eq(mv->count, 1);
	cr_assert_eq(mv->blobs[0].len, 0x9a);
}

/* ---- notatin: Windows 7, Outlook 2010 era, clean, 32-bit layout ---------- */

Test(real_hives, notatin_outlook_profile_under_wms_root)
{
	size_t p = tu_open_outlook("real/notatin/win7_ntuser.dat");
	const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, p);
	cr_assert_str_eq(pr->root, WMS_ROOT);
	cr_assert_str_eq(pr->root_kind, "wms");
	cr_assert_null(pr->office_version);
	cr_assert_eq(pr->is_default, 1);
	static const char *const svc[] = {"CONTAB", "OMSAB", "MSUPST MS"};
	assert_services(p, svc, 3);
	cr_assert_eq(mapiprof_section_count(tu_file, p), 46);
	cr_assert_eq(mapiprof_file_info(tu_file)->dirty, 0);
}

/* The 13 AcctSettings sections are the accounts' preference sections (named
 * by "Preferences UID"); accounts 1..13 were created over time, only 1, 2
 * and 4 remain, so ten are orphans (fixtures/README.md). */
Test(real_hives, notatin_has_13_acctsettings_sections_three_referenced)
{
	size_t p = tu_open_outlook("real/notatin/win7_ntuser.dat");
	int seen[14] = {0};
	size_t ns = mapiprof_section_count(tu_file, p);
	for (size_t s = 0; s < ns; s++) {
		const struct mapiprof_prop *dn;
		if (mapiprof_prop_find(tu_file, p, s, "001f3001", &dn) != MAPIPROF_OK)
			continue;
		if (dn->s == NULL || strncmp(dn->s, "AcctSettings00", 14) != 0)
			continue;
		int k = atoi(dn->s + 12);
		cr_assert(k >= 1 && k <= 13, "%s", dn->s);
		seen[k]++;
	}
	for (int k = 1; k <= 13; k++)
		cr_assert_eq(seen[k], 1, "AcctSettings%04d seen %d times", k, seen[k]);
	mapiprof_clear_error(tu_ctx);
	static const struct {
		const char *acct, *prefs;
		int n;
	} refs[] = {
	    {"9375CFF0413111d3B88A00104B2A6676\\00000001", "74bf3c596b6d7549bd3a951d45fc79cc", 1},
	    {"9375CFF0413111d3B88A00104B2A6676\\00000002", "7b08e28fba6a344ba2f941d0ca66948f", 2},
	    {"9375CFF0413111d3B88A00104B2A6676\\00000004", "39a9ec61bbba0848a9a3f5cd86dab4ba", 4},
	};
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		const struct mapiprof_prop *pu =
		    tu_prop(p, tu_section(p, refs[i].acct), "Preferences UID");
		char hex[33];
		for (size_t b = 0; b < 16 && pu->len == 16; b++)
			snprintf(hex + 2 * b, 3, "%02x", pu->data[b]);
		cr_assert_eq(pu->len, 16);
		cr_assert_str_eq(hex, refs[i].prefs);
		char want[20];
		snprintf(want, sizeof(want), "AcctSettings%04d", refs[i].n);
		cr_assert_str_eq(tu_prop(p, tu_section(p, refs[i].prefs), "001f3001")->s, want);
	}
	const struct mapiprof_prop *next =
	    tu_prop(p, tu_section(p, "9375CFF0413111d3B88A00104B2A6676"), "NextAccountID");
	cr_assert_eq(next->kind, MAPIPROF_V_INT);
	cr_assert_eq(next->i, 14);
}

Test(real_hives, notatin_pst_path_under_jmroberts)
{
	size_t p = tu_open_outlook("real/notatin/win7_ntuser.dat");
	size_t s = tu_section(p, "847a94f3c7daf447aeec5a9d4fa02acb");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->owner,
	                 "54973c7936bc754aa8676014aa5a2c23");
	cr_assert_str_eq(tu_prop(p, s, "001f6700")->s,
	                 "C:\\Users\\jmroberts\\Documents\\Outlook Files\\Outlook.pst");
	cr_assert_eq(tu_prop(p, s, "00036770")->i, 0x80000000);
}

Test(real_hives, notatin_value_count_is_149)
{
	size_t p = tu_open_outlook("real/notatin/win7_ntuser.dat");
	cr_assert_eq(count_values(p), 149);
}

Test(real_hives, notatin_every_multivalue_decodes_with_32bit_layout)
{
	size_t p = tu_open_outlook("real/notatin/win7_ntuser.dat");
	cr_assert_eq(check_multivalues(p, 4), 18);
	/* 101e3d0f: count 1, offset 8, "contab.dll" (fixtures/real/README.md). */
	size_t s = tu_section(p, "4aa0a38629842a4b8042698b62d8334d");
	const struct mapiprof_prop *mv = tu_prop(p, s, "101e3d0f");
	cr_assert_eq(mv->kind, MAPIPROF_V_MV_STRING);
	cr_assert_eq(mv->mv_offset_width, 4);
	cr_assert_eq(mv->count, 1);
	cr_assert_eq(mv->data[4], 8);
	cr_assert_str_eq(mv->strs[0], "contab.dll");
	s = tu_section(p, "9207f3e0a3b11019908b08002b2a56c2");
	mv = tu_prop(p, s, "11023d05");
	cr_assert_eq(mv->kind, MAPIPROF_V_MV_BINARY);
	cr_assert_eq(mv->count, 2);
	cr_assert_eq(mv->blobs[0].len, 0x44);
	cr_assert_eq(mv->blobs[1].len, 0x44);
}

/* notatin (and regipy) have no mail account: their CLSID_OlkMail category
 * value is a zero-length REG_BINARY (reglookup prints it as "(null)"). */
Test(real_hives, notatin_empty_mail_category_value_is_zero_length_binary)
{
	size_t p = tu_open_outlook("real/notatin/win7_ntuser.dat");
	size_t s = tu_section(p, "9375CFF0413111d3B88A00104B2A6676");
	const struct mapiprof_prop *v = tu_prop(p, s, "{ED475418-B0D6-11D2-8C3B-00104B2A6676}");
	cr_assert_eq(v->is_tag, 0);
	cr_assert_str_eq(v->reg_type_name, "REG_BINARY");
	cr_assert_eq(v->kind, MAPIPROF_V_BINARY);
	cr_assert_null(v->error, "%s", v->error);
	cr_assert_eq(v->len, 0);
	v = tu_prop(p, s, "{ED475420-B0D6-11D2-8C3B-00104B2A6676}");
	cr_assert_eq(v->len, 4);
	cr_assert_eq(memcmp(v->data, "\x04\0\0\0", 4), 0, "store category: account 4");
}

/* ---- plaso: Windows 7, Outlook 2010, POP3 account, 64-bit layout -------- */

Test(real_hives, plaso_outlook_profile_under_wms_root)
{
	size_t p = tu_open_outlook("real/plaso/NTUSER-WIN7.DAT");
	const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, p);
	cr_assert_str_eq(pr->root, WMS_ROOT);
	cr_assert_str_eq(pr->root_kind, "wms");
	cr_assert_eq(pr->is_default, 1);
	static const char *const svc[] = {"CONTAB", "OMSAB", "MSUPST MS"};
	assert_services(p, svc, 3);
	cr_assert_eq(mapiprof_section_count(tu_file, p), 24);
}

Test(real_hives, plaso_pop3_account_password_is_opaque)
{
	size_t p = tu_open_outlook("real/plaso/NTUSER-WIN7.DAT");
	size_t s = tu_section(p, "9375CFF0413111d3B88A00104B2A6676\\00000003");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->role, "account");
	cr_assert_str_eq(tu_prop(p, s, "clsid")->s, "{ED475411-B0D6-11D2-8C3B-00104B2A6676}");
	cr_assert_str_eq(tu_prop(p, s, "POP3 Server")->s, "controller.shieldbase.local");
	cr_assert_str_eq(tu_prop(p, s, "Account Name")->s, "nfury@stark-research-labs.com");
	const struct mapiprof_prop *lv = tu_prop(p, s, "Leave on Server");
	cr_assert_eq(lv->kind, MAPIPROF_V_INT);
	cr_assert_eq(lv->i, 0x000E0003);
	const struct mapiprof_prop *pw = tu_prop(p, s, "POP3 Password");
	cr_assert_eq(pw->is_tag, 0);
	cr_assert_eq(pw->secure, 1);
	cr_assert_eq(pw->kind, MAPIPROF_V_OPAQUE);
	cr_assert_null(pw->s, "a DPAPI blob is never decoded");
	cr_assert_eq(pw->count, 0);
	cr_assert_eq(pw->len, 189);
	/* DPAPI blob header after the leading 0x02 byte: version 1, provider GUID. */
	cr_assert_eq(memcmp(pw->data, "\x02\x01\x00\x00\x00\xd0\x8c\x9d\xdf", 9), 0);
}

Test(real_hives, plaso_pst_path_and_store_owner)
{
	size_t p = tu_open_outlook("real/plaso/NTUSER-WIN7.DAT");
	size_t s = tu_section(p, "93f9ea29aea81047b2e824b6a8583e48");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->role, "provider");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->owner,
	                 "be0fb9fa761ad4409134f9df70fb8ed1");
	cr_assert_str_eq(
	    tu_prop(p, s, "001f6700")->s,
	    "C:\\Users\\nfury\\Documents\\Outlook Files\\nfury@stark-research-labs.com.pst");
}

Test(real_hives, plaso_value_count_is_148)
{
	size_t p = tu_open_outlook("real/plaso/NTUSER-WIN7.DAT");
	cr_assert_eq(count_values(p), 148);
}

/* plaso's Outlook 2010 wrote the 64-bit layout too; its 1102022a has
 * zero-length elements whose offset is the value's length. */
Test(real_hives, plaso_every_multivalue_decodes_with_64bit_layout)
{
	size_t p = tu_open_outlook("real/plaso/NTUSER-WIN7.DAT");
	cr_assert_eq(check_multivalues(p, 8), 19);
	size_t s = tu_section(p, "0a0d020000000000c000000000000046");
	const struct mapiprof_prop *mv = tu_prop(p, s, "1102022a");
	cr_assert_eq(mv->count, 10);
	cr_assert_eq(mv->len, 428);
	cr_assert_eq(mv->blobs[1].len, 0);
	mv = tu_prop(p, s, "101f031e");
	cr_assert_eq(mv->count, 10);
	cr_assert_str_eq(mv->strs[0], "Inbox");
	cr_assert_str_eq(mv->strs[1], "");
}

/* ---- all three ------------------------------------------------------------ */

/* Opening and decoding every section never writes to the tu_file. */
Test(real_hives, decoding_leaves_the_files_byte_identical)
{
	static const char *const hives[] = {"real/regipy/NTUSER_BAGMRU.DAT",
	                                    "real/notatin/win7_ntuser.dat",
	                                    "real/plaso/NTUSER-WIN7.DAT"};
	for (size_t h = 0; h < 3; h++) {
		char *path = tu_stage_src(hives[h]);
		size_t before_len;
		char *before = tu_read(path, &before_len);
		cr_assert_not_null(before);
		struct mapiprof_file *f;
		cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &f), MAPIPROF_OK, "%s",
		             mapiprof_errmsg(tu_ctx));
		for (size_t p = 0; p < mapiprof_profile_count(f); p++)
			for (size_t s = 0; s < mapiprof_section_count(f, p); s++) {
				const struct mapiprof_prop *props;
				size_t n;
				cr_assert_eq(mapiprof_section_props(f, p, s, &props, &n),
				             MAPIPROF_OK);
			}
		mapiprof_close(f);
		tu_assert_file_is(path, before, before_len);
		free(before);
		free(path);
	}
}
