/* test_props.c - decoded section properties on the real hives: strings, UID
 * references, both multi-value layouts, property specs and lookups. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapiprof/mapiprof.h"
#include "reg_to_hive.h"
#include "testutil.h"

#define REGIPY  "real/regipy/NTUSER_BAGMRU.DAT"
#define NOTATIN "real/notatin/win7_ntuser.dat"
#define PLASO   "real/plaso/NTUSER-WIN7.DAT"

#define SERVICES_UID "9207f3e0a3b11019908b08002b2a56c2"
#define ACCOUNTS     "9375CFF0413111d3B88A00104B2A6676"

static char *tmp;
static struct mapiprof_ctx *ctx;
static struct mapiprof_file *file;
static size_t prof;

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
	mapiprof_ctx_free(ctx);
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(props, .init = setup, .fini = teardown);

static void
open_copy(const char *rel)
{
	mapiprof_close(file);
	file = NULL;
	char *src = tu_fixture_src(rel);
	char *dst = malloc(strlen(tmp) + 16);
	cr_assert_not_null(dst);
	sprintf(dst, "%s/ntuser.dat", tmp);
	cr_assert_eq(tu_copy(src, dst), 0);
	cr_assert_eq(mapiprof_open(ctx, dst, 0, &file), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	cr_assert_eq(mapiprof_profile_find(file, "Outlook", &prof), MAPIPROF_OK);
	free(dst);
	free(src);
}

static size_t
section_index(const char *uid)
{
	for (size_t i = 0; i < mapiprof_section_count(file, prof); i++)
		if (strcmp(mapiprof_section_at(file, prof, i)->uid, uid) == 0)
			return i;
	cr_assert_fail("no section %s", uid);
	return SIZE_MAX;
}

static const struct mapiprof_prop *
prop(const char *uid, const char *spec)
{
	const struct mapiprof_prop *p = NULL;
	cr_assert_eq(mapiprof_prop_find(file, prof, section_index(uid), spec, &p), MAPIPROF_OK,
	             "%s %s: %s", uid, spec, mapiprof_errmsg(ctx));
	cr_assert_not_null(p);
	return p;
}

Test(props, regipy_pst_path_in_001f6700)
{
	open_copy(REGIPY);
	const struct mapiprof_prop *p = prop("6876da12b533bc47a32ce78191722d01", "001f6700");
	cr_assert_eq(p->kind, MAPIPROF_V_STRING);
	cr_assert_null(p->error);
	cr_assert_eq(p->tag, 0x6700001Fu);
	cr_assert_str_eq(p->s, "C:\\Users\\tony\\Documents\\Outlook Files\\Outlook.pst");
}

Test(props, notatin_pst_path_in_001f6700)
{
	open_copy(NOTATIN);
	const struct mapiprof_prop *p = prop("847a94f3c7daf447aeec5a9d4fa02acb", "0x6700001F");
	cr_assert_eq(p->kind, MAPIPROF_V_STRING);
	cr_assert_str_eq(p->s, "C:\\Users\\jmroberts\\Documents\\Outlook Files\\Outlook.pst");
}

Test(props, provider_range_tag_is_named_in_the_owning_service_scope)
{
	open_copy(REGIPY);
	/* 0x67020003 is PR_OST_ENCRYPTION for Exchange and PR_PST_ENCRYPTION
	 * for the PST provider (§5, §8.7): this provider belongs to MSUPST MS. */
	const struct mapiprof_prop *p = prop("6876da12b533bc47a32ce78191722d01", "00036702");
	cr_assert_not_null(p->name);
	cr_assert_str_eq(p->name, "PR_PST_ENCRYPTION");
}

Test(props, pr_services_shown_as_uids_of_the_service_sections)
{
	open_copy(NOTATIN);
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
		    mapiprof_section_at(file, prof, p->uids[i].section);
		cr_assert_str_eq(s->uid, want[i]);
		cr_assert_str_eq(s->role, "service");
	}
}

Test(props, provider_back_pointer_resolves_to_its_service)
{
	open_copy(REGIPY);
	const struct mapiprof_prop *p = prop("6876da12b533bc47a32ce78191722d01", "01023d0c");
	cr_assert_eq(p->nuids, 1);
	cr_assert_str_eq(p->uids[0].uid, "d4eeded2d3c3fc4ca46d35e579df8bcd");
	cr_assert_eq(p->uids[0].section, section_index("d4eeded2d3c3fc4ca46d35e579df8bcd"));
}

Test(props, account_service_uid_names_its_service_section)
{
	open_copy(NOTATIN);
	const struct mapiprof_prop *p = prop(ACCOUNTS "\\00000004", "service uid");
	cr_assert_eq(p->is_tag, 0);
	cr_assert_str_eq(p->value_name, "Service UID");
	cr_assert_eq(p->nuids, 1);
	cr_assert_eq(p->uids[0].section, section_index("54973c7936bc754aa8676014aa5a2c23"));
}

Test(props, non_uid_binary_has_no_uids)
{
	open_copy(NOTATIN);
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
	for (size_t s = 0; s < mapiprof_section_count(file, prof); s++) {
		const struct mapiprof_prop *props;
		size_t n;
		cr_assert_eq(mapiprof_section_props(file, prof, s, &props, &n), MAPIPROF_OK);
		for (size_t i = 0; i < n; i++) {
			const struct mapiprof_prop *p = &props[i];
			if (!p->is_tag || (p->tag & 0x1000u) == 0 || p->kind == MAPIPROF_V_OPAQUE)
				continue;
			cr_expect_null(p->error, "%s %s\\%s: %s", hive,
			               mapiprof_section_at(file, prof, s)->uid, p->value_name,
			               p->error);
			*w4 += p->mv_offset_width == 4;
			*w8 += p->mv_offset_width == 8;
		}
	}
}

Test(props, every_mv_value_in_the_real_hives_decodes)
{
	int w4 = 0, w8 = 0;
	open_copy(REGIPY);
	check_mv_values("regipy", &w4, &w8);
	cr_assert_gt(w8, 0, "no 64-bit layout in regipy");
	w4 = w8 = 0;
	open_copy(NOTATIN);
	check_mv_values("notatin", &w4, &w8);
	cr_assert_gt(w4, 0, "no 32-bit layout in notatin");
	open_copy(PLASO);
	check_mv_values("plaso", &w4, &w8);
}

Test(props, section_props_are_cached)
{
	open_copy(NOTATIN);
	size_t s = section_index(SERVICES_UID);
	const struct mapiprof_prop *a, *b;
	size_t na, nb;
	cr_assert_eq(mapiprof_section_props(file, prof, s, &a, &na), MAPIPROF_OK);
	cr_assert_eq(mapiprof_section_props(file, prof, s, &b, &nb), MAPIPROF_OK);
	cr_assert_eq(a, b);
	cr_assert_eq(na, nb);
	cr_assert_gt(na, 0);
}

Test(props, propspec_accepts_name_tag_and_value_name)
{
	uint32_t tag = 0;
	cr_assert_eq(mapiprof_parse_propspec(ctx, "PR_PROFILE_CONNECT_FLAGS", &tag), MAPIPROF_OK);
	cr_assert_eq(tag, 0x66040003u);
	tag = 0;
	cr_assert_eq(mapiprof_parse_propspec(ctx, "pr_profile_connect_flags", &tag), MAPIPROF_OK);
	cr_assert_eq(tag, 0x66040003u);
	tag = 0;
	cr_assert_eq(mapiprof_parse_propspec(ctx, "0x66040003", &tag), MAPIPROF_OK);
	cr_assert_eq(tag, 0x66040003u);
	tag = 0;
	cr_assert_eq(mapiprof_parse_propspec(ctx, "00036604", &tag), MAPIPROF_OK);
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
		cr_assert_eq(mapiprof_parse_propspec(ctx, bad[i], &tag), MAPIPROF_FAILED, "%s",
		             bad[i]);
		cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_PROPSPEC);
	}
}

Test(props, absent_property_is_enoprop_naming_section_and_profile)
{
	open_copy(NOTATIN);
	const struct mapiprof_prop *p = (const struct mapiprof_prop *)1;
	cr_assert_eq(mapiprof_prop_find(file, prof, section_index(SERVICES_UID),
	                                "PR_PROFILE_CONNECT_FLAGS", &p),
	             MAPIPROF_FAILED);
	cr_assert_null(p);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_NOPROP);
	const char *msg = mapiprof_errmsg(ctx);
	cr_assert(strstr(msg, "PR_PROFILE_CONNECT_FLAGS") != NULL, "%s", msg);
	cr_assert(strstr(msg, SERVICES_UID) != NULL, "%s", msg);
	cr_assert(strstr(msg, "Outlook") != NULL, "%s", msg);
}

Test(props, absent_non_tag_name_is_enoprop)
{
	open_copy(NOTATIN);
	const struct mapiprof_prop *p;
	cr_assert_eq(mapiprof_prop_find(file, prof, section_index(ACCOUNTS), "No Such Value", &p),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_NOPROP);
}

/* ---- a synthetic profile built with the fixture builder ---------------- */

/* 16 copies of the hex byte b, comma-separated. */
#define U(b)                                                                                       \
	b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b
#define SYNTH                                                                                      \
	"[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\"                    \
	"Windows Messaging Subsystem\\Profiles\\Synth\\"

/* PR_SERVICES lists 11.. (MSEMS), 44.. (MSPST AB) and aa.. (no section);
 * PR_AB_SEARCH_PATH is a 32-bit MV_BINARY (§3) of 55.. (a section), 8
 * bytes, and ee.. (no section); 55.. is a provider of 44..; 77.. a CONTAB
 * provider whose service 99.. is missing. */
/* clang-format off */
static const char synth_reg[] =
	"Windows Registry Editor Version 5.00\n"
	"\n"
	SYNTH "9207f3e0a3b11019908b08002b2a56c2]\n"
	"\"01023d0e\"=hex:" U("11") "," U("44") "," U("aa") "\n"
	"\"11023d05\"=hex:03,00,00,00,10,00,00,00,1c,00,00,00,08,00,00,00,2c,00,00,00,"
		"10,00,00,00,34,00,00,00," U("55") ",01,02,03,04,05,06,07,08," U("ee") "\n"
	"\n"
	SYNTH "11111111111111111111111111111111]\n"
	"\"001e3d09\"=\"MSEMS\"\n"
	"\n"
	SYNTH "44444444444444444444444444444444]\n"
	"\"001e3d09\"=\"MSPST AB\"\n"
	"\"00036601\"=hex:01,00,00,00\n"
	"\n"
	SYNTH "55555555555555555555555555555555]\n"
	"\"01023d0c\"=hex:" U("44") "\n"
	"\"00036601\"=hex:01,00,00,00\n"
	"\n"
	SYNTH "77777777777777777777777777777777]\n"
	"\"01023d0c\"=hex:" U("99") "\n"
	"\"001e3d09\"=\"CONTAB\"\n"
	"\"001e6612\"=\"Contacts\"\n";
/* clang-format on */

static void
open_synth(void)
{
	char *reg = malloc(strlen(tmp) + 16), *dat = malloc(strlen(tmp) + 16);
	cr_assert(reg != NULL && dat != NULL);
	sprintf(reg, "%s/synth.reg", tmp);
	sprintf(dat, "%s/synth.dat", tmp);
	cr_assert_eq(tu_write(reg, synth_reg, strlen(synth_reg)), 0);
	cr_assert_eq(mp_reg_to_hive(ctx, reg, dat, 5), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	cr_assert_eq(mapiprof_open(ctx, dat, 0, &file), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	cr_assert_eq(mapiprof_profile_find(file, "Synth", &prof), MAPIPROF_OK);
	free(reg);
	free(dat);
}

Test(props, dangling_uid_in_a_uid_list_has_no_section)
{
	open_synth();
	const struct mapiprof_prop *p = prop(SERVICES_UID, "01023d0e");
	cr_assert_eq(p->nuids, 3);
	cr_assert_eq(p->uids[0].section, section_index("11111111111111111111111111111111"));
	cr_assert_eq(p->uids[1].section, section_index("44444444444444444444444444444444"));
	cr_assert_str_eq(p->uids[2].uid, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	cr_assert_eq(p->uids[2].section, SIZE_MAX);
}

Test(props, mv_binary_elements_that_name_sections_are_uids)
{
	open_synth();
	const struct mapiprof_prop *p = prop(SERVICES_UID, "PR_AB_SEARCH_PATH");
	cr_assert_eq(p->kind, MAPIPROF_V_MV_BINARY, "%s", p->error);
	cr_assert_eq(p->count, 3);
	cr_assert_eq(p->nuids, 1);
	cr_assert_str_eq(p->uids[0].uid, "55555555555555555555555555555555");
	cr_assert_eq(p->uids[0].section, section_index("55555555555555555555555555555555"));
}

Test(props, pab_service_and_its_provider_decode_in_pab_scope)
{
	open_synth();
	/* 0x66010003 is PR_PROFILE_CONFIG_FLAGS for Exchange, PAB_ShowNamesBy
	 * for the personal address book ("MSPST AB"). */
	const struct mapiprof_prop *p = prop("44444444444444444444444444444444", "00036601");
	cr_assert_str_eq(p->name, "PAB_ShowNamesBy");
	p = prop("55555555555555555555555555555555", "00036601");
	cr_assert_str_eq(p->name, "PAB_ShowNamesBy");
}

Test(props, provider_of_a_missing_service_uses_its_own_service_name)
{
	open_synth();
	/* 0x6612001E: PR_PROFILE_HOME_SERVER_DN (Exchange) or
	 * PR_CONTAB_STORE_NAME (CONTAB). */
	const struct mapiprof_prop *p = prop("77777777777777777777777777777777", "001e6612");
	cr_assert_str_eq(p->name, "PR_CONTAB_STORE_NAME");
	cr_assert_str_eq(p->s, "Contacts");
}
