/* test_props.c - decoded section properties on the real hives: strings, UID
 * references, both multi-value layouts, property specs and lookups. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapiprof/mapiprof.h"
#include "testutil.h"

#define REGIPY  "real/regipy/NTUSER_BAGMRU.DAT"
#define NOTATIN "real/notatin/win7_ntuser.dat"
#define PLASO   "real/plaso/NTUSER-WIN7.DAT"

#define SERVICES_UID "9207f3e0a3b11019908b08002b2a56c2"
#define ACCOUNTS     "9375CFF0413111d3B88A00104B2A6676"

TestSuite(props, .init = tu_setup, .fini = tu_teardown);

/* The profile of tu_file the tests look at. */
static size_t prof;

static const struct mapiprof_prop *
prop(const char *uid, const char *spec)
{
	return tu_prop(prof, tu_section(prof, uid), spec);
}

Test(props, regipy_pst_path_in_001f6700)
{
	prof = tu_open_outlook(REGIPY);
	const struct mapiprof_prop *p = prop("6876da12b533bc47a32ce78191722d01", "001f6700");
	cr_assert_eq(p->kind, MAPIPROF_V_STRING);
	cr_assert_null(p->error);
	cr_assert_eq(p->tag, 0x6700001Fu);
	cr_assert_str_eq(p->s, "C:\\Users\\tony\\Documents\\Outlook Files\\Outlook.pst");
}

Test(props, notatin_pst_path_in_001f6700)
{
	prof = tu_open_outlook(NOTATIN);
	const struct mapiprof_prop *p = prop("847a94f3c7daf447aeec5a9d4fa02acb", "0x6700001F");
	cr_assert_eq(p->kind, MAPIPROF_V_STRING);
	cr_assert_str_eq(p->s, "C:\\Users\\jmroberts\\Documents\\Outlook Files\\Outlook.pst");
}

Test(props, provider_range_tag_is_named_in_the_owning_service_scope)
{
	prof = tu_open_outlook(REGIPY);
	/* 0x67020003 is PR_OST_ENCRYPTION for Exchange and PR_PST_ENCRYPTION
	 * for the PST provider (MFCMAPI genTagArray.h, MSPST.h): this provider
	 * belongs to MSUPST MS. */
	const struct mapiprof_prop *p = prop("6876da12b533bc47a32ce78191722d01", "00036702");
	cr_assert_not_null(p->name);
	cr_assert_str_eq(p->name, "PR_PST_ENCRYPTION");
}

Test(props, pr_services_shown_as_uids_of_the_service_sections)
{
	prof = tu_open_outlook(NOTATIN);
	const struct mapiprof_prop *p = prop(SERVICES_UID, "PR_SERVICES");
	cr_assert_eq(p->nuids, 3);
	static const char *const want[] = {
	    "4aa0a38629842a4b8042698b62d8334d",
	    "f117552bb18a1a48bf04798a6dabaf05",
	    "54973c7936bc754aa8676014aa5a2c23",
	};
	for (size_t i = 0; i < 3; i++) {
		cr_assert_str_eq(p->uids[i].uid, want[i]);
		cr_assert_neq(p->uids[i].section, SIZE_MAX);
		const struct mapiprof_section *s =
		    mapiprof_section_at(tu_file, prof, p->uids[i].section);
		cr_assert_str_eq(s->uid, want[i]);
		cr_assert_str_eq(s->role, "service");
	}
}

Test(props, provider_back_pointer_resolves_to_its_service)
{
	prof = tu_open_outlook(REGIPY);
	const struct mapiprof_prop *p = prop("6876da12b533bc47a32ce78191722d01", "01023d0c");
	cr_assert_eq(p->nuids, 1);
	cr_assert_str_eq(p->uids[0].uid, "d4eeded2d3c3fc4ca46d35e579df8bcd");
	cr_assert_eq(p->uids[0].section, tu_section(prof, "d4eeded2d3c3fc4ca46d35e579df8bcd"));
}

Test(props, account_service_uid_names_its_service_section)
{
	prof = tu_open_outlook(NOTATIN);
	const struct mapiprof_prop *p = prop(ACCOUNTS "\\00000004", "service uid");
	cr_assert_eq(p->is_tag, 0);
	cr_assert_str_eq(p->value_name, "Service UID");
	cr_assert_eq(p->nuids, 1);
	cr_assert_eq(p->uids[0].section, tu_section(prof, "54973c7936bc754aa8676014aa5a2c23"));
}

Test(props, non_uid_binary_has_no_uids)
{
	prof = tu_open_outlook(NOTATIN);
	/* PR_SEARCH_KEY of the instance section: 16 bytes naming no section. */
	const struct mapiprof_prop *p = prop("8503020000000000c000000000000046", "0102300b");
	cr_assert_eq(p->len, 16);
	cr_assert_eq(p->nuids, 0);
}

/* Decodes every section of the open profile; checks every multi-value
 * property decoded; adds the MV offset widths seen to *w4 / *w8. */
static void
check_mv_values(const char *hive, int *w4, int *w8)
{
	for (size_t s = 0; s < mapiprof_section_count(tu_file, prof); s++) {
		const struct mapiprof_prop *props;
		size_t n;
		cr_assert_eq(mapiprof_section_props(tu_file, prof, s, &props, &n), MAPIPROF_OK);
		for (size_t i = 0; i < n; i++) {
			const struct mapiprof_prop *p = &props[i];
			if (!p->is_tag || (p->tag & 0x1000u) == 0 || p->kind == MAPIPROF_V_OPAQUE)
				continue;
			cr_expect_null(p->error, "%s %s\\%s: %s", hive,
			               mapiprof_section_at(tu_file, prof, s)->uid, p->value_name,
			               p->error);
			*w4 += p->mv_offset_width == 4;
			*w8 += p->mv_offset_width == 8;
		}
	}
}

Test(props, every_mv_value_in_the_real_hives_decodes)
{
	int w4 = 0, w8 = 0;
	prof = tu_open_outlook(REGIPY);
	check_mv_values("regipy", &w4, &w8);
	cr_assert_gt(w8, 0, "no 64-bit layout in regipy");
	w4 = w8 = 0;
	prof = tu_open_outlook(NOTATIN);
	check_mv_values("notatin", &w4, &w8);
	cr_assert_gt(w4, 0, "no 32-bit layout in notatin");
	prof = tu_open_outlook(PLASO);
	check_mv_values("plaso", &w4, &w8);
}

Test(props, section_props_are_cached)
{
	prof = tu_open_outlook(NOTATIN);
	size_t s = tu_section(prof, SERVICES_UID);
	const struct mapiprof_prop *a, *b;
	size_t na, nb;
	cr_assert_eq(mapiprof_section_props(tu_file, prof, s, &a, &na), MAPIPROF_OK);
	cr_assert_eq(mapiprof_section_props(tu_file, prof, s, &b, &nb), MAPIPROF_OK);
	cr_assert_eq(a, b);
	cr_assert_eq(na, nb);
	cr_assert_gt(na, 0);
}

Test(props, propspec_accepts_name_tag_and_value_name)
{
	uint32_t tag = 0;
	cr_assert_eq(mapiprof_parse_propspec(tu_ctx, "PR_PROFILE_CONNECT_FLAGS", &tag),
	             MAPIPROF_OK);
	cr_assert_eq(tag, 0x66040003u);
	tag = 0;
	cr_assert_eq(mapiprof_parse_propspec(tu_ctx, "pr_profile_connect_flags", &tag),
	             MAPIPROF_OK);
	cr_assert_eq(tag, 0x66040003u);
	tag = 0;
	cr_assert_eq(mapiprof_parse_propspec(tu_ctx, "0x66040003", &tag), MAPIPROF_OK);
	cr_assert_eq(tag, 0x66040003u);
	tag = 0;
	cr_assert_eq(mapiprof_parse_propspec(tu_ctx, "00036604", &tag), MAPIPROF_OK);
	cr_assert_eq(tag, 0x66040003u);
}

Test(props, propspec_rejects_anything_else)
{
	static const char *const bad[] = {
	    "PR_NO_SUCH_PROPERTY", "0x6604", "0x660400031", "0x6604000G", "0003660", "",
	    "Account Name",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t tag = 0;
		cr_assert_eq(mapiprof_parse_propspec(tu_ctx, bad[i], &tag), MAPIPROF_FAILED, "%s",
		             bad[i]);
		cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_PROPSPEC);
	}
}

Test(props, absent_property_is_enoprop_naming_section_and_profile)
{
	prof = tu_open_outlook(NOTATIN);
	const struct mapiprof_prop *p = (const struct mapiprof_prop *)1;
	cr_assert_eq(mapiprof_prop_find(tu_file, prof, tu_section(prof, SERVICES_UID),
	                                "PR_PROFILE_CONNECT_FLAGS", &p),
	             MAPIPROF_FAILED);
	cr_assert_null(p);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROP);
	const char *msg = mapiprof_errmsg(tu_ctx);
	cr_assert(strstr(msg, "PR_PROFILE_CONNECT_FLAGS") != NULL, "%s", msg);
	cr_assert(strstr(msg, SERVICES_UID) != NULL, "%s", msg);
	cr_assert(strstr(msg, "Outlook") != NULL, "%s", msg);
}

Test(props, absent_non_tag_name_is_enoprop)
{
	prof = tu_open_outlook(NOTATIN);
	const struct mapiprof_prop *p;
	cr_assert_eq(
	    mapiprof_prop_find(tu_file, prof, tu_section(prof, ACCOUNTS), "No Such Value", &p),
	    MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROP);
}

/* ---- a synthetic profile built with the fixture builder ---------------- */

/* PR_SERVICES lists 11.. (MSEMS), 44.. (MSPST AB) and aa.. (no section);
 * PR_AB_SEARCH_PATH is a 32-bit MV_BINARY (MFCMAPI's layout) of 55.. (a
 * section), 8 bytes, and ee.. (no section); 55.. is a provider of 44..; 77..
 * a CONTAB provider whose service 99.. is missing. */
/* clang-format off */
static const char synth_reg[] =
	TU_REG_HEADER
	TU_SYNTH_KEY "9207f3e0a3b11019908b08002b2a56c2]\n"
	"\"01023d0e\"=hex:" TU_UID_HEX("11") "," TU_UID_HEX("44") "," TU_UID_HEX("aa") "\n"
	"\"11023d05\"=hex:03,00,00,00,10,00,00,00,1c,00,00,00,08,00,00,00,2c,00,00,00,"
		"10,00,00,00,34,00,00,00," TU_UID_HEX("55") ",01,02,03,04,05,06,07,08," TU_UID_HEX("ee") "\n"
	"\n"
	TU_SYNTH_KEY "11111111111111111111111111111111]\n"
	"\"001e3d09\"=\"MSEMS\"\n"
	"\n"
	TU_SYNTH_KEY "44444444444444444444444444444444]\n"
	"\"001e3d09\"=\"MSPST AB\"\n"
	"\"00036601\"=hex:01,00,00,00\n"
	"\n"
	TU_SYNTH_KEY "55555555555555555555555555555555]\n"
	"\"01023d0c\"=hex:" TU_UID_HEX("44") "\n"
	"\"00036601\"=hex:01,00,00,00\n"
	"\n"
	TU_SYNTH_KEY "77777777777777777777777777777777]\n"
	"\"01023d0c\"=hex:" TU_UID_HEX("99") "\n"
	"\"001e3d09\"=\"CONTAB\"\n"
	"\"001e6612\"=\"Contacts\"\n";
/* clang-format on */

Test(props, dangling_uid_in_a_uid_list_has_no_section)
{
	prof = tu_open_reg(synth_reg, "Synth");
	const struct mapiprof_prop *p = prop(SERVICES_UID, "01023d0e");
	cr_assert_eq(p->nuids, 3);
	cr_assert_eq(p->uids[0].section, tu_section(prof, "11111111111111111111111111111111"));
	cr_assert_eq(p->uids[1].section, tu_section(prof, "44444444444444444444444444444444"));
	cr_assert_str_eq(p->uids[2].uid, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	cr_assert_eq(p->uids[2].section, SIZE_MAX);
}

Test(props, mv_binary_elements_that_name_sections_are_uids)
{
	prof = tu_open_reg(synth_reg, "Synth");
	const struct mapiprof_prop *p = prop(SERVICES_UID, "PR_AB_SEARCH_PATH");
	cr_assert_eq(p->kind, MAPIPROF_V_MV_BINARY, "%s", p->error);
	cr_assert_eq(p->count, 3);
	cr_assert_eq(p->nuids, 1);
	cr_assert_str_eq(p->uids[0].uid, "55555555555555555555555555555555");
	cr_assert_eq(p->uids[0].section, tu_section(prof, "55555555555555555555555555555555"));
}

Test(props, pab_service_and_its_provider_decode_in_pab_scope)
{
	prof = tu_open_reg(synth_reg, "Synth");
	/* 0x66010003 is PR_PROFILE_CONFIG_FLAGS for Exchange, PAB_ShowNamesBy
	 * for the personal address book ("MSPST AB"). */
	const struct mapiprof_prop *p = prop("44444444444444444444444444444444", "00036601");
	cr_assert_str_eq(p->name, "PAB_ShowNamesBy");
	p = prop("55555555555555555555555555555555", "00036601");
	cr_assert_str_eq(p->name, "PAB_ShowNamesBy");
}

Test(props, provider_of_a_missing_service_uses_its_own_service_name)
{
	prof = tu_open_reg(synth_reg, "Synth");
	/* 0x6612001E: PR_PROFILE_HOME_SERVER_DN (Exchange) or
	 * PR_CONTAB_STORE_NAME (CONTAB). */
	const struct mapiprof_prop *p = prop("77777777777777777777777777777777", "001e6612");
	cr_assert_str_eq(p->name, "PR_CONTAB_STORE_NAME");
	cr_assert_str_eq(p->s, "Contacts");
}
