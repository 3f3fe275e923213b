/* test_cli.c - the built mapiprof binary on the real hives and the built
 * fixtures: every command in text and JSON (parsed back with jansson), the
 * read-only guarantee, escaping of hostile names, usage == man SYNOPSIS,
 * and the escaping function itself (src/cli/escape.c, compiled in). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testjson.h"
#include "testutil.h"

#include "../src/cli/escape.c"

#define REGIPY  "real/regipy/NTUSER_BAGMRU.DAT"
#define NOTATIN "real/notatin/win7_ntuser.dat"
#define PLASO   "real/plaso/NTUSER-WIN7.DAT"

#define REGIPY_PST          "C:\\Users\\tony\\Documents\\Outlook Files\\Outlook.pst"
#define REGIPY_PST_PROVIDER "6876da12b533bc47a32ce78191722d01"
#define REGIPY_SHA256       "5fb553dcc3231500e57212d984321610d790d467965ace2c5f770ef7903e9fc1"
#define OFFICE16_ROOT       "SOFTWARE\\Microsoft\\Office\\16.0\\Outlook\\Profiles"
#define WMS_ROOT                                                                                   \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"

TestSuite(cli, .init = tu_setup, .fini = tu_teardown);

/* The section of the first profile of file object f with this uid. */
static json_t *
section_by_uid(json_t *f, const char *uid)
{
	return tj_find(tj_first_sections(f), "uid", uid);
}

/* The first property named vn in any section of the first profile of f. */
static json_t *
prop_anywhere(json_t *f, const char *vn)
{
	json_t *secs = tj_first_sections(f);
	size_t i, k;
	json_t *s, *p;
	json_array_foreach(secs, i, s)
	{
		json_array_foreach(json_object_get(s, "properties"), k, p)
		{
			if (strcmp(tj_str(p, "value_name"), vn) == 0)
				return p;
		}
	}
	cr_assert_fail("no property %s", vn);
	return NULL;
}

/* ---- list ------------------------------------------------------------- */

Test(cli, list_text_shows_outlook_default_profile_of_each_real_hive)
{
	const char *hives[] = {REGIPY, NOTATIN, PLASO};
	for (size_t i = 0; i < 3; i++) {
		char *h = tu_stage_src(hives[i]);
		TU_CLI("list", h);
		cr_assert_eq(tu_last.status, 0, "%s: %s", hives[i], tu_last.err);
		cr_assert_str_empty(tu_last.err);
		cr_assert_not_null(strstr(tu_last.out, "profile: Outlook (default)\n"), "%s",
		                   tu_last.out);
		cr_assert_not_null(strstr(tu_last.out, "MSUPST MS"));
		free(h);
	}
}

Test(cli, list_json_regipy_office16_root_and_services)
{
	char *h = tu_stage_src(REGIPY);
	json_t *f = TJ_CLI("list", "--json", h);
	cr_assert_eq(tu_count_lines(tu_last.out), 1);
	cr_assert_str_eq(tj_str(f, "file"), h);
	cr_assert_str_eq(tj_str(f, "sha256"), REGIPY_SHA256);
	cr_assert_str_eq(tj_str(f, "format"), "regf");
	json_t *profs = json_object_get(f, "profiles");
	cr_assert_eq(json_array_size(profs), 1);
	json_t *p = json_array_get(profs, 0);
	cr_assert_str_eq(tj_str(p, "name"), "Outlook");
	cr_assert_str_eq(tj_str(p, "root"), OFFICE16_ROOT);
	cr_assert_str_eq(tj_str(p, "root_kind"), "office");
	cr_assert_str_eq(tj_str(p, "office_version"), "16.0");
	cr_assert(json_is_true(json_object_get(p, "default")));
	cr_assert_eq(strlen(tj_str(p, "last_write")), strlen("2022-05-18T20:35:27.0893493Z"));
	json_t *sv = json_object_get(p, "services");
	cr_assert_eq(json_array_size(sv), 2);
	cr_assert_str_eq(json_string_value(json_array_get(sv, 0)), "CONTAB");
	cr_assert_str_eq(json_string_value(json_array_get(sv, 1)), "MSUPST MS");
	json_decref(f);
	free(h);
}

Test(cli, list_json_streams_one_line_per_file)
{
	char *a = tu_stage_src(NOTATIN), *b = tu_stage_src(PLASO);
	TU_CLI("list", "--json", a, b);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_eq(tu_count_lines(tu_last.out), 2);
	json_t *ja = tj_line(tu_last.out, 0), *jb = tj_line(tu_last.out, 1);
	cr_assert_str_eq(tj_str(ja, "file"), a);
	cr_assert_str_eq(tj_str(jb, "file"), b);
	json_t *p = json_array_get(json_object_get(ja, "profiles"), 0);
	cr_assert_str_eq(tj_str(p, "root"), WMS_ROOT);
	cr_assert_str_eq(tj_str(p, "root_kind"), "wms");
	cr_assert(json_is_null(json_object_get(p, "office_version")));
	cr_assert_eq(json_array_size(json_object_get(p, "services")), 3);
	json_decref(ja);
	json_decref(jb);
	free(a);
	free(b);
}

Test(cli, list_multi_root_orders_office16_first)
{
	char *h = tu_stage_built("multi-root.dat");
	json_t *f = TJ_CLI("list", "--json", h);
	json_t *profs = json_object_get(f, "profiles");
	cr_assert_geq(json_array_size(profs), 7);
	json_t *first = json_array_get(profs, 0);
	cr_assert_str_eq(tj_str(first, "office_version"), "16.0");
	json_t *last = json_array_get(profs, json_array_size(profs) - 1);
	cr_assert_str_eq(tj_str(last, "root_kind"), "wms9x");
	json_decref(f);
	free(h);
}

/* ---- show ------------------------------------------------------------- */

Test(cli, show_json_regipy_fields_are_typed)
{
	char *h = tu_stage_src(REGIPY);
	json_t *f = TJ_CLI("show", "--json", h);
	cr_assert_eq(tu_count_lines(tu_last.out), 1);
	json_t *p = json_array_get(json_object_get(f, "profiles"), 0);
	cr_assert_str_eq(tj_str(p, "name"), "Outlook");
	cr_assert_str_eq(tj_str(p, "root"), OFFICE16_ROOT);
	cr_assert(json_is_true(json_object_get(p, "default")));
	/* The PST path: a PT_UNICODE string in the MSUPST provider section. */
	json_t *sec = section_by_uid(f, REGIPY_PST_PROVIDER);
	cr_assert_str_eq(tj_str(sec, "role"), "provider");
	cr_assert_str_eq(tj_str(sec, "service"), "MSUPST MS");
	cr_assert_str_eq(tj_str(sec, "owner"), "d4eeded2d3c3fc4ca46d35e579df8bcd");
	cr_assert(json_is_string(json_object_get(sec, "last_write")));
	json_t *pst = prop_anywhere(f, "001f6700");
	cr_assert_str_eq(tj_str(pst, "tag"), "0x6700001f");
	cr_assert_str_eq(tj_str(pst, "name"), "PR_PST_PATH_W");
	cr_assert_str_eq(tj_str(pst, "type"), "PT_UNICODE");
	cr_assert_str_eq(tj_str(pst, "reg_type"), "REG_BINARY");
	cr_assert_str_eq(tj_str(pst, "value"), REGIPY_PST);
	cr_assert_null(json_object_get(pst, "flags"));
	cr_assert_null(json_object_get(pst, "raw"));
	json_decref(f);
	free(h);
}

Test(cli, show_json_every_tag_is_0x_and_8_lowercase_hex_digits)
{
	char *h = tu_stage_src(NOTATIN);
	json_t *f = TJ_CLI("show", "--json", h);
	json_t *secs = tj_first_sections(f);
	size_t i, k, ntags = 0;
	json_t *s, *p;
	json_array_foreach(secs, i, s)
	{
		json_array_foreach(json_object_get(s, "properties"), k, p)
		{
			json_t *t = json_object_get(p, "tag");
			if (json_is_null(t))
				continue;
			const char *tag = json_string_value(t);
			cr_assert_not_null(tag);
			cr_assert_eq(strlen(tag), 10, "%s", tag);
			cr_assert_eq(strncmp(tag, "0x", 2), 0);
			cr_assert_eq(strspn(tag + 2, "0123456789abcdef"), 8, "%s", tag);
			ntags++;
		}
	}
	cr_assert_gt(ntags, 100);
	json_decref(f);
	free(h);
}

Test(cli, show_json_mv_arrays_carry_their_layout)
{
	char *r = tu_stage_src(REGIPY), *n = tu_stage_src(NOTATIN);
	json_t *f = TJ_CLI("show", "--json", r);
	json_t *mv = prop_anywhere(f, "101f6627");
	cr_assert_str_eq(tj_str(mv, "type"), "PT_MV_UNICODE");
	json_t *v = json_object_get(mv, "value");
	cr_assert(json_is_array(v));
	cr_assert_eq(json_array_size(v), 1);
	cr_assert_str_eq(json_string_value(json_array_get(v, 0)), "Outlook Data File");
	cr_assert_eq(json_integer_value(json_object_get(mv, "mv_layout")), 64);
	json_t *ml = prop_anywhere(f, "10036621");
	cr_assert(json_is_integer(json_array_get(json_object_get(ml, "value"), 0)));
	cr_assert_null(json_object_get(ml, "mv_layout"));
	json_decref(f);

	f = TJ_CLI("show", "--json", n);
	mv = prop_anywhere(f, "101e3d0f");
	cr_assert_eq(json_integer_value(json_object_get(mv, "mv_layout")), 32);
	cr_assert(json_is_string(json_array_get(json_object_get(mv, "value"), 0)));
	json_decref(f);
	free(r);
	free(n);
}

Test(cli, show_json_uid_references_name_their_section)
{
	char *h = tu_stage_src(REGIPY);
	json_t *f = TJ_CLI("show", "--json", "--section", "services", h);
	json_t *secs = tj_first_sections(f);
	cr_assert_eq(json_array_size(secs), 1);
	cr_assert_str_eq(tj_str(json_array_get(secs, 0), "role"), "services");
	json_t *svc = prop_anywhere(f, "01023d0e");
	json_t *uids = json_object_get(svc, "uids");
	cr_assert_eq(json_array_size(uids), 2);
	json_t *u0 = json_array_get(uids, 0), *u1 = json_array_get(uids, 1);
	cr_assert_str_eq(tj_str(u0, "uid"), "4dcea1bdd75d6f4cb65170ec889cadda");
	cr_assert_str_eq(tj_str(u0, "role"), "service");
	cr_assert_str_eq(tj_str(u0, "service"), "CONTAB");
	cr_assert_str_eq(tj_str(u1, "service"), "MSUPST MS");
	json_decref(f);
	free(h);
}

Test(cli, show_text_lists_section_header_and_property_line)
{
	char *h = tu_stage_src(REGIPY);
	TU_CLI("show", "--section", REGIPY_PST_PROVIDER, h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "  section: " REGIPY_PST_PROVIDER "\n"), "%s",
	                   tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "role: provider, service: MSUPST MS, owner: "));
	cr_assert_not_null(
	    strstr(tu_last.out,
	           "    001f6700  0x6700001f  PR_PST_PATH_W  PT_UNICODE  \"" REGIPY_PST "\"\n"));
	cr_assert_not_null(
	    strstr(tu_last.out, "-> d4eeded2d3c3fc4ca46d35e579df8bcd (service MSUPST MS)"));
	cr_assert_not_null(strstr(tu_last.out, "PR_RESOURCE_TYPE  PT_LONG  33 (0x00000021)  "
	                                       "MAPI_STORE_PROVIDER\n"));
	cr_assert_null(strstr(tu_last.out, "raw: "));
	free(h);
}

Test(cli, show_raw_adds_hex_of_every_value)
{
	char *h = tu_stage_src(REGIPY);
	TU_CLI("show", "--raw", "--section", REGIPY_PST_PROVIDER, h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "      raw: 21000000\n"), "%s", tu_last.out);
	json_t *f = TJ_CLI("show", "--raw", "--json", "--section", REGIPY_PST_PROVIDER, h);
	cr_assert_str_eq(tj_str(prop_anywhere(f, "00033e03"), "raw"), "21000000");
	json_decref(f);
	free(h);
}

Test(cli, show_profile_name_is_case_insensitive_and_unknown_fails)
{
	char *h = tu_stage_src(PLASO);
	TU_CLI("show", "--profile", "OUTLOOK", "--section", "instance", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "profile: Outlook (default)"));
	cr_assert_not_null(strstr(tu_last.out, "role: instance"));
	TU_CLI("show", "--profile", "Nope", h);
	cr_assert_eq(tu_last.status, 1);
	cr_assert_eq(tu_count_lines(tu_last.err), 1, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.err, h));
	free(h);
}

/* A secret is named and sized, never decoded; its bytes appear only with
 * --raw. */
Test(cli, show_plaso_pop3_password_is_a_secret_bytes_only_with_raw)
{
	char *h = tu_stage_src(PLASO);
	json_t *f = TJ_CLI("show", "--json", "--section", "accounts", h);
	json_t *pw = prop_anywhere(f, "POP3 Password");
	cr_assert(json_is_null(json_object_get(pw, "value")));
	cr_assert(json_is_true(json_object_get(pw, "secret")));
	cr_assert(json_is_true(json_object_get(pw, "opaque")));
	cr_assert_eq(json_integer_value(json_object_get(pw, "length")), 189);
	json_t *d = json_object_get(pw, "decoded");
	cr_assert_str_eq(tj_str(d, "kind"), "secret");
	cr_assert_str_eq(tj_str(d, "format"), "DPAPI blob");
	cr_assert_eq(json_integer_value(json_object_get(d, "size")), 189);
	cr_assert_null(json_object_get(pw, "raw"));
	json_decref(f);
	f = TJ_CLI("show", "--json", "--raw", "--section", "accounts", h);
	pw = prop_anywhere(f, "POP3 Password");
	cr_assert_eq(strlen(tj_str(pw, "raw")), 2 * 189);
	cr_assert_eq(strncmp(tj_str(pw, "raw"), "0201000000d08c9ddf0115d1118c7a00c04fc297eb", 42),
	             0);
	json_decref(f);
	TU_CLI("show", "--section", "accounts", h);
	const char *line = strstr(tu_last.out, "POP3 Password");
	cr_assert_not_null(line);
	cr_assert_not_null(strstr(line, "<secret: DPAPI blob, 189 bytes>"));
	const char *eol = strchr(line, '\n');
	cr_assert(strncmp(eol + 1, "      raw:", 10) != 0, "secret bytes printed without --raw");
	TU_CLI("show", "--raw", "--section", "accounts", h);
	line = strstr(tu_last.out, "POP3 Password");
	eol = strchr(line, '\n');
	cr_assert(strncmp(eol + 1, "      raw: 0201000000d08c9ddf", 29) == 0, "%s", eol + 1);
	free(h);
}

Test(cli, show_every_type_values_in_json)
{
	char *h = tu_stage_built("every-type.dat");
	json_t *f = TJ_CLI("show", "--json", h);
	cr_assert_eq(json_integer_value(json_object_get(prop_anywhere(f, "00026780"), "value")),
	             4660);
	cr_assert_eq(json_integer_value(json_object_get(prop_anywhere(f, "00036782"), "value")),
	             4294967294);
	cr_assert(json_is_true(json_object_get(prop_anywhere(f, "000b6783"), "value")));
	cr_assert(json_is_false(json_object_get(prop_anywhere(f, "000b6784"), "value")));
	cr_assert_str_eq(tj_str(prop_anywhere(f, "00406786"), "value"), "2009-02-13T23:31:30Z");
	cr_assert_str_eq(tj_str(prop_anywhere(f, "00486787"), "value"),
	                 "{ED475414-B0D6-11D2-8C3B-00104B2A6676}");
	cr_assert_str_eq(tj_str(prop_anywhere(f, "01026788"), "value"), "deadbeef00ff");
	cr_assert_str_eq(tj_str(prop_anywhere(f, "001f678a"), "value"),
	                 "Gr\xc3\xbc\xc3\x9f"
	                 "e, \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x98\x80");
	json_t *mvb = prop_anywhere(f, "11026792");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(mvb, "value"), 1)), "");
	cr_assert_eq(json_integer_value(json_object_get(mvb, "mv_layout")), 32);
	json_t *sec = prop_anywhere(f, "S01026794");
	cr_assert(json_is_true(json_object_get(sec, "secure")));
	cr_assert(json_is_true(json_object_get(sec, "opaque")));
	cr_assert(json_is_null(json_object_get(sec, "value")));
	json_t *fl = json_object_get(prop_anywhere(f, "00036601"), "flags");
	cr_assert_eq(json_array_size(fl), 3);
	cr_assert_str_eq(json_string_value(json_array_get(fl, 2)), "0x100000");
	cr_assert(json_is_null(json_object_get(prop_anywhere(f, "NotATag"), "tag")));
	json_decref(f);
	free(h);
}

Test(cli, show_malformed_values_carry_error_and_hex)
{
	char *h = tu_stage_built("malformed.dat");
	json_t *f = TJ_CLI("show", "--json", h);
	json_t *p = prop_anywhere(f, "00036780");
	cr_assert(json_is_string(json_object_get(p, "error")));
	cr_assert_str_eq(tj_str(p, "value"), "010203");
	json_decref(f);
	TU_CLI("show", h);
	cr_assert_not_null(strstr(tu_last.out, "PT_LONG  ERROR: "), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "raw: 010203\n"));
	free(h);
}

Test(cli, show_emsab_json_holds_referred_gc)
{
	char *h = tu_stage_built("exchange-mapi.dat");
	json_t *f = TJ_CLI("show", "--section", "emsab", "--json", h);
	json_t *secs = tj_first_sections(f);
	cr_assert_eq(json_array_size(secs), 1);
	cr_assert_str_eq(tj_str(json_array_get(secs, 0), "uid"),
	                 "dca740c8c042101ab4b908002b2fe182");
	json_t *gc = prop_anywhere(f, "001e6602");
	cr_assert_str_eq(tj_str(gc, "reg_type"), "REG_SZ");
	cr_assert_gt(strlen(tj_str(gc, "value")), 0);
	json_decref(f);
	free(h);
}

Test(cli, show_emsmdb_selector_finds_both_accounts)
{
	char *h = tu_stage_built("outlook2016-two-accounts.dat");
	json_t *f = TJ_CLI("show", "--section", "emsmdb", "--json", h);
	json_t *secs = tj_first_sections(f);
	cr_assert_eq(json_array_size(secs), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *s = json_array_get(secs, i);
		cr_assert_str_eq(tj_str(s, "role"), "emsmdb");
		cr_assert(json_is_string(json_object_get(s, "owner")));
	}
	json_decref(f);
	free(h);
}

/* ---- get -------------------------------------------------------------- */

Test(cli, get_plain_prints_only_the_value)
{
	char *h = tu_stage_src(REGIPY);
	TU_CLI("get", "--section", REGIPY_PST_PROVIDER, "PR_PST_PATH_W", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_eq(tu_last.out, REGIPY_PST "\n");
	cr_assert_str_empty(tu_last.err);
	TU_CLI("get", "--section", "services", "0x3d0e0102", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_eq(tu_last.out,
	                 "4dcea1bdd75d6f4cb65170ec889caddad4eeded2d3c3fc4ca46d35e579df8bcd\n");
	TU_CLI("get", "--section", REGIPY_PST_PROVIDER, "00033e03", h);
	cr_assert_str_eq(tu_last.out, "33\n");
	free(h);
}

Test(cli, get_mv_prints_one_element_per_line)
{
	char *h = tu_stage_built("every-type.dat");
	TU_CLI("get", "--section", "global", "1003678d", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_eq(tu_last.out, "1\n2\n4294967295\n");
	TU_CLI("get", "--section", "global", "101f6790", h);
	cr_assert_str_eq(tu_last.out, "one\ntwo\ndrei\n");
	TU_CLI("get", "--section", "global", "000b6784", h);
	cr_assert_str_eq(tu_last.out, "false\n");
	free(h);
}

Test(cli, get_json_values_are_typed)
{
	char *h = tu_stage_src(REGIPY);
	json_t *o =
	    TJ_CLI("get", "--json", "--section", REGIPY_PST_PROVIDER, "PR_RESOURCE_TYPE", h);
	cr_assert_eq(tu_count_lines(tu_last.out), 1);
	cr_assert_str_eq(tj_str(o, "file"), h);
	cr_assert_str_eq(tj_str(o, "profile"), "Outlook");
	cr_assert_str_eq(tj_str(o, "section"), REGIPY_PST_PROVIDER);
	cr_assert_str_eq(tj_str(o, "value_name"), "00033e03");
	cr_assert_str_eq(tj_str(o, "tag"), "0x3e030003");
	cr_assert_str_eq(tj_str(o, "type"), "PT_LONG");
	cr_assert_str_eq(tj_str(o, "reg_type"), "REG_BINARY");
	cr_assert(json_is_integer(json_object_get(o, "value")));
	cr_assert_eq(json_integer_value(json_object_get(o, "value")), 33);
	json_t *fl = json_object_get(o, "flags");
	cr_assert_eq(json_array_size(fl), 1);
	cr_assert_str_eq(json_string_value(json_array_get(fl, 0)), "MAPI_STORE_PROVIDER");
	json_decref(o);

	o = TJ_CLI("get", "--json", "--section", REGIPY_PST_PROVIDER, "001f6700", h);
	cr_assert_str_eq(tj_str(o, "value"), REGIPY_PST);
	cr_assert(json_is_array(json_object_get(o, "flags")));
	cr_assert_eq(json_array_size(json_object_get(o, "flags")), 0);
	json_decref(o);
	free(h);
}

Test(cli, get_global_connect_flags_of_exchange_profile)
{
	char *h = tu_stage_built("exchange-mapi.dat");
	TU_CLI("get", "--section", "global", "PR_PROFILE_CONNECT_FLAGS", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_eq(tu_last.out, "2\n");
	json_t *o = TJ_CLI("get", "--json", "--section", "global", "pr_profile_connect_flags", h);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "flags"), 0)),
	                 "CONNECT_NO_RPC_ENCRYPTION");
	json_decref(o);
	free(h);
}

Test(cli, get_without_profile_uses_the_default_and_first_root_wins)
{
	char *h = tu_stage_built("multi-root.dat");
	json_t *o = TJ_CLI("get", "--json", "--section", "instance", "PR_SEARCH_KEY", h);
	cr_assert_str_eq(tj_str(o, "profile"), "O16 Default");
	cr_assert_str_eq(tj_str(o, "value"), "1ee3ebbeee7116f2859a1ba714c876c1");
	json_decref(o);
	/* "Shared" exists under Office 16.0 and WMS: the newest root wins. */
	TU_CLI("get", "--profile", "shared", "--section", "instance", "PR_SEARCH_KEY", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_eq(tu_last.out, "020e07a92676023dfac563ea927fb176\n");
	free(h);
}

Test(cli, get_absent_property_fails_with_one_line)
{
	char *h = tu_stage_src(REGIPY);
	TU_CLI("get", "--section", "global", "PR_PROFILE_CONNECT_FLAGS", h);
	cr_assert_eq(tu_last.status, 1);
	cr_assert_str_empty(tu_last.out);
	cr_assert_eq(tu_count_lines(tu_last.err), 1, "%s", tu_last.err);
	cr_assert_eq(strncmp(tu_last.err, "mapiprof: ", 10), 0);
	cr_assert_not_null(strstr(tu_last.err, h));
	cr_assert_not_null(strstr(tu_last.err, "PR_PROFILE_CONNECT_FLAGS"));
	free(h);
}

Test(cli, get_opaque_and_malformed)
{
	char *h = tu_stage_built("every-type.dat");
	TU_CLI("get", "--section", "global", "S01026794", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_eq(tu_last.out, "<secret: DPAPI blob, 56 bytes>\n");
	char *m = tu_stage_built("malformed.dat");
	TU_CLI("get", "--section", "global", "00036780", m);
	cr_assert_eq(tu_last.status, 1);
	cr_assert_str_empty(tu_last.out);
	cr_assert_not_null(strstr(tu_last.err, "malformed"));
	TU_CLI("get", "--json", "--section", "global", "00036780", m);
	cr_assert_eq(tu_last.status, 1);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert(json_is_string(json_object_get(o, "error")));
	cr_assert_str_eq(tj_str(o, "value"), "010203");
	json_decref(o);
	free(h);
	free(m);
}

/* ---- info ------------------------------------------------------------- */

Test(cli, info_regipy_dirty_others_clean)
{
	char *r = tu_stage_src(REGIPY), *n = tu_stage_src(NOTATIN), *p = tu_stage_src(PLASO);
	TU_CLI("info", "--json", r, n, p);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_eq(tu_count_lines(tu_last.out), 3);
	json_t *jr = tj_line(tu_last.out, 0), *jn = tj_line(tu_last.out, 1),
	       *jp = tj_line(tu_last.out, 2);
	cr_assert_str_eq(tj_str(jr, "format"), "regf");
	cr_assert_str_eq(tj_str(jr, "version"), "1.5");
	cr_assert_eq(json_integer_value(json_object_get(jr, "seq1")), 29989);
	cr_assert_eq(json_integer_value(json_object_get(jr, "seq2")), 29988);
	cr_assert(json_is_true(json_object_get(jr, "dirty")));
	cr_assert_str_eq(tj_str(jr, "sha256"), REGIPY_SHA256);
	cr_assert_eq(json_integer_value(json_object_get(jr, "size")), 6553600);
	json_t *ck = json_object_get(jr, "checksum");
	cr_assert(json_is_true(json_object_get(ck, "ok")));
	cr_assert_str_eq(tj_str(ck, "stored"), tj_str(ck, "computed"));
	cr_assert_eq(strlen(tj_str(ck, "stored")), 10);
	cr_assert(json_is_array(json_object_get(jr, "logs")));
	cr_assert_str_eq(tj_str(jn, "version"), "1.3");
	cr_assert(json_is_false(json_object_get(jn, "dirty")));
	cr_assert_eq(json_integer_value(json_object_get(jn, "seq1")), 93472);
	cr_assert(json_is_false(json_object_get(jp, "dirty")));
	cr_assert_eq(json_integer_value(json_object_get(jp, "seq2")), 10407);
	cr_assert_str_eq(tj_str(jp, "last_written"), "2012-04-06T18:55:00.7374460Z");
	json_decref(jr);
	json_decref(jn);
	json_decref(jp);
	TU_CLI("info", r);
	cr_assert_not_null(strstr(tu_last.out, "sequence: 29989/29988\ndirty: yes\n"), "%s",
	                   tu_last.out);
	free(r);
	free(n);
	free(p);
}

Test(cli, info_lists_a_transaction_log_beside_the_hive)
{
	char *h = tu_stage_src(NOTATIN);
	size_t n = strlen(h) + 8;
	char *log = malloc(n);
	snprintf(log, n, "%s.LOG1", h);
	cr_assert_eq(tu_copy(h, log), 0);
	json_t *o = TJ_CLI("info", "--json", h);
	json_t *logs = json_object_get(o, "logs");
	cr_assert_eq(json_array_size(logs), 1);
	json_t *l = json_array_get(logs, 0);
	cr_assert_str_eq(tj_str(l, "path"), log);
	cr_assert_eq(json_integer_value(json_object_get(l, "seq1")), 93472);
	cr_assert(json_is_boolean(json_object_get(l, "newer")));
	json_decref(o);
	free(log);
	free(h);
}

/* ---- tags ------------------------------------------------------------- */

Test(cli, tags_connect_flags_shows_its_flag_bits)
{
	TU_CLI("tags", "CONNECT_FLAGS");
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "PR_PROFILE_CONNECT_FLAGS"));
	cr_assert_not_null(strstr(tu_last.out, "CONNECT_NO_RPC_ENCRYPTION"));
	cr_assert_not_null(strstr(tu_last.out, "0x66040003  00036604  PT_LONG"));
}

Test(cli, tags_matches_tag_and_value_name_forms)
{
	const char *forms[] = {"0x66040003", "00036604", "6604", "pr_profile_connect_flags"};
	for (size_t i = 0; i < 4; i++) {
		TU_CLI("tags", "--json", forms[i]);
		cr_assert_eq(tu_last.status, 0, "%s: %s", forms[i], tu_last.err);
		json_t *o = tj_line(tu_last.out, 0);
		json_t *tags = json_object_get(o, "tags");
		int found = 0;
		size_t k;
		json_t *t;
		json_array_foreach(tags, k, t)
		{
			if (strcmp(tj_str(t, "name"), "PR_PROFILE_CONNECT_FLAGS") != 0)
				continue;
			found = 1;
			cr_assert_str_eq(tj_str(t, "tag"), "0x66040003");
			cr_assert_str_eq(tj_str(t, "value_name"), "00036604");
			cr_assert_str_eq(tj_str(t, "type"), "PT_LONG");
			json_t *fl = json_object_get(t, "flags");
			cr_assert_geq(json_array_size(fl), 2);
			json_t *f1 = json_array_get(fl, 1);
			cr_assert_str_eq(tj_str(f1, "name"), "CONNECT_NO_RPC_ENCRYPTION");
			cr_assert_str_eq(tj_str(f1, "value"), "0x00000002");
			cr_assert_str_eq(tj_str(f1, "kind"), "bits");
		}
		cr_assert(found, "%s did not find PR_PROFILE_CONNECT_FLAGS", forms[i]);
		json_decref(o);
	}
}

Test(cli, tags_flag_name_finds_its_property_and_enums_are_marked)
{
	json_t *o = TJ_CLI("tags", "--json", "RPC_C_AUTHN_GSS_NEGOTIATE");
	json_t *t = json_array_get(json_object_get(o, "tags"), 0);
	cr_assert_str_eq(tj_str(t, "name"), "PR_PROFILE_AUTH_PACKAGE");
	json_t *f0 = json_array_get(json_object_get(t, "flags"), 0);
	cr_assert_str_eq(tj_str(f0, "kind"), "enum");
	json_decref(o);
}

Test(cli, tags_without_pattern_lists_everything_and_no_match_fails)
{
	json_t *o = TJ_CLI("tags", "--json");
	cr_assert_gt(json_array_size(json_object_get(o, "tags")), 150);
	json_decref(o);
	TU_CLI("tags", "no-such-tag-anywhere");
	cr_assert_eq(tu_last.status, 1);
	cr_assert_str_empty(tu_last.out);
	cr_assert_eq(tu_count_lines(tu_last.err), 1);
}

/* ---- read-only guarantee ------------------------------------------------ */

Test(cli, read_commands_leave_the_file_byte_identical_and_untouched)
{
	const char *hives[] = {REGIPY, NOTATIN, PLASO};
	for (size_t i = 0; i < 3; i++) {
		char *h = tu_stage_src(hives[i]);
		size_t n0;
		char *before = tu_read(h, &n0);
		int64_t mt = tu_mtime_ns(h);
		json_t *o = TJ_CLI("info", "--json", h);
		char *sha = strdup(tj_str(o, "sha256"));
		json_decref(o);
		TU_CLI("list", h);
		TU_CLI("list", "--json", h);
		TU_CLI("show", h);
		TU_CLI("show", "--json", "--raw", h);
		TU_CLI("get", "--section", "services", "PR_SERVICES", h);
		TU_CLI("info", h);
		tu_assert_file_is(h, before, n0);
		cr_assert_eq(tu_mtime_ns(h), mt, "%s mtime changed", hives[i]);
		o = TJ_CLI("info", "--json", h);
		cr_assert_str_eq(tj_str(o, "sha256"), sha);
		json_decref(o);
		free(sha);
		free(before);
		free(h);
	}
}

/* ---- escaping ------------------------------------------------------------ */

/* 1 when s holds a C0 control other than newline, or DEL. */
static int
has_raw_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7F)
			return 1;
	return 0;
}

Test(cli, hostile_profile_name_is_escaped_in_text)
{
	char *h = tu_stage_built("hostile-names.dat");
	TU_CLI("list", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "profile: evil\\x1b[31mred\\x07\n"), "%s",
	                   tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "Pr\xc3\xbc"
	                                       "fung (default)"));
	cr_assert(!has_raw_control(tu_last.out));
	TU_CLI("show", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert(!has_raw_control(tu_last.out));
	cr_assert_not_null(strstr(tu_last.out, "\"line1\\x0d\\x0aline2\\x1b]0;pwned\\x07\""), "%s",
	                   tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "ctl\\x1b]0;title\\x07name  -  -  REG_SZ"));
	/* Windows paths keep their backslashes. */
	cr_assert_not_null(strstr(tu_last.out, "\"C:\\Users\\j\xc3\xbcrgen\\Documents\\"));
	free(h);
}

Test(cli, hostile_profile_name_round_trips_through_json)
{
	char *h = tu_stage_built("hostile-names.dat");
	json_t *f = TJ_CLI("list", "--json", h);
	cr_assert(!has_raw_control(tu_last.out));
	json_t *profs = json_object_get(f, "profiles");
	size_t i;
	json_t *p;
	int found = 0;
	json_array_foreach(profs, i, p)
	{
		found |= strcmp(tj_str(p, "name"), "evil\x1b[31mred\x07") == 0;
	}
	cr_assert(found, "%s", tu_last.out);
	json_decref(f);
	TU_CLI("get", "--profile", "evil\x1b[31mred\x07", "--section", "global", "001e6602", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_eq(tu_last.out, "srv\\x1b[2J\\x07\n");
	free(h);
}

Test(cli, diagnostics_escape_file_names_and_stay_one_line)
{
	char name[256];
	snprintf(name, sizeof(name), "%s/bad\x1b[2Jname\nx.dat", tu_tmp);
	TU_CLI("list", name);
	cr_assert_eq(tu_last.status, 1);
	cr_assert_eq(tu_count_lines(tu_last.err), 1, "%s", tu_last.err);
	cr_assert(!has_raw_control(tu_last.err));
	cr_assert_not_null(strstr(tu_last.err, "bad\\x1b[2Jname\\x0ax.dat: "), "%s", tu_last.err);
}

Test(cli, invalid_utf8_file_name_still_gives_valid_json)
{
	TU_SKIP_ON_WINDOWS("arguments are UTF-16 there: bytes that are not UTF-8 never reach "
	                   "the program");
	char name[256];
	snprintf(name, sizeof(name), "%s/bad\xff\xfe.dat", tu_tmp);
	TU_CLI("show", "--json", name);
	cr_assert_eq(tu_last.status, 1);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_not_null(strstr(tj_str(o, "file"), "bad\\xff\\xfe.dat"));
	cr_assert_str_eq(tj_str(o, "code"), "not_found");
	json_decref(o);
	cr_assert_not_null(strstr(tu_last.err, "bad\\xff\\xfe.dat"));
}

Test(cli, escape_text_controls_c1_invalid_and_backslash)
{
	char *e = esc_text("evil\x1b[31mred\x07");
	cr_assert_str_eq(e, "evil\\x1b[31mred\\x07");
	free(e);
	e = esc_text("C:\\Users\\x\x7f");
	cr_assert_str_eq(e, "C:\\Users\\x\\x7f");
	free(e);
	e = esc_text("a\xc2\x9b"
	             "b\xc2\x80"
	             "c\xc2\xa0"
	             "d");
	cr_assert_str_eq(e, "a\\u{9b}b\\u{80}c\xc2\xa0"
	                    "d");
	free(e);
	/* Lone continuation, truncated sequence, overlong, surrogate, > U+10FFFF. */
	e = esc_text("\x80|\xe4\xb8|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xf0\x9f\x98\x80");
	cr_assert_str_eq(e, "\\x80|\\xe4\\xb8|\\xc0\\xaf|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80|"
	                    "\xf0\x9f\x98\x80");
	free(e);
}

Test(cli, escape_utf8_repairs_only_invalid_bytes)
{
	cr_assert(esc_utf8_valid("Gr\xc3\xbc\xc3\x9f"
	                         "e \x1b"));
	cr_assert(!esc_utf8_valid("a\xff"));
	char *e = esc_utf8("a\x1b\xff\xc3\xbc\xe4");
	cr_assert_str_eq(e, "a\x1b\\xff\xc3\xbc\\xe4");
	cr_assert(esc_utf8_valid(e));
	json_t *j = json_string(e);
	cr_assert_not_null(j);
	json_decref(j);
	free(e);
}

/* ---- usage and the man page --------------------------------------------- */

/* Renders the SYNOPSIS of man/mapiprof.1 as plain lines, for the few mdoc
 * macros it uses (Nm Cm Op Oo Oc Fl Ar Ns); returns a malloc'd text. */
static char *
man_synopsis(void)
{
	char *man = tu_read(MP_SOURCE_DIR "/man/mapiprof.1", NULL);
	cr_assert_not_null(man);
	char *start = strstr(man, ".Sh SYNOPSIS\n");
	cr_assert_not_null(start);
	start += strlen(".Sh SYNOPSIS\n");
	char *end = strstr(start, ".Sh ");
	*end = '\0';
	size_t cap = strlen(start) + 64, len = 0;
	char *out = calloc(1, cap);
	for (char *line = strtok(start, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char *words[32], *save = NULL;
		size_t nw = 0;
		for (char *w = strtok_r(line + 1, " ", &save); w != NULL && nw < 32;
		     w = strtok_r(NULL, " ", &save))
			words[nw++] = w;
		if (nw > 0 && strcmp(words[0], "Nm") == 0 && len > 0)
			out[len++] = '\n';
		int nospace = len == 0 || out[len - 1] == '\n', flag = 0, op = 0;
		for (size_t i = 0; i < nw; i++) {
			const char *w = words[i];
			if (strcmp(w, "Op") == 0 || strcmp(w, "Oo") == 0) {
				op += strcmp(w, "Op") == 0;
				len += (size_t)sprintf(out + len, "%s[", nospace ? "" : " ");
				nospace = 1;
			} else if (strcmp(w, "Oc") == 0) {
				out[len++] = ']';
			} else if (strcmp(w, "Ns") == 0) {
				nospace = 1;
			} else if (strcmp(w, "Fl") == 0) {
				flag = 1;
			} else if (strcmp(w, "Ar") != 0 && strcmp(w, "Cm") != 0 &&
			           strcmp(w, "Nm") != 0) {
				len += (size_t)sprintf(out + len, "%s%s%s", nospace ? "" : " ",
				                       flag ? "-" : "", w);
				nospace = flag = 0;
			}
		}
		while (op-- > 0)
			out[len++] = ']';
	}
	out[len++] = '\n';
	out[len] = '\0';
	free(man);
	return out;
}

Test(cli, help_usage_lines_are_the_man_synopsis)
{
	TU_CLI("help");
	cr_assert_eq(tu_last.status, 0);
	char *syn = man_synopsis();
	/* usage lines: "usage: mapiprof ..." then "       mapiprof ...". */
	size_t cap = strlen(tu_last.out) + 1, len = 0;
	char *mine = calloc(1, cap);
	for (const char *p = tu_last.out; *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t n = (size_t)(eol - p);
		const char *m = strstr(p, "mapiprof ");
		if ((strncmp(p, "usage: ", 7) == 0 || strncmp(p, "       ", 7) == 0) && m != NULL &&
		    m < eol) {
			memcpy(mine + len, m, (size_t)(eol - m) + 1);
			len += (size_t)(eol - m) + 1;
		}
		p += n + 1;
	}
	cr_assert_str_eq(mine, syn);
	free(mine);
	free(syn);
}

Test(cli, help_and_version)
{
	TU_CLI("--version");
	cr_assert_eq(tu_last.status, 0);
	cr_assert_eq(strncmp(tu_last.out, "mapiprof ", 9), 0);
	TU_CLI("help", "get");
	cr_assert_eq(tu_last.status, 0);
	cr_assert_not_null(strstr(tu_last.out, "usage: mapiprof get [--json] [--profile NAME] "
	                                       "--section SEL [--no-logs] [--codepage CP] "
	                                       "[--image IMAGE] PROP FILE\n"));
	TU_CLI("show", "--help");
	cr_assert_eq(tu_last.status, 0);
	cr_assert_eq(strncmp(tu_last.out, "usage: mapiprof show ", 21), 0);
	TU_CLI("list", "-h");
	cr_assert_eq(tu_last.status, 0);
	cr_assert_eq(strncmp(tu_last.out, "usage: mapiprof list ", 21), 0);
	TU_CLI("--help");
	cr_assert_eq(tu_last.status, 0);
	cr_assert_not_null(strstr(tu_last.out, "  tags "));
}

Test(cli, codepage_option_is_accepted)
{
	char *h = tu_stage_built("every-type.dat");
	TU_CLI("get", "--codepage", "windows-1252", "--section", "global", "001e678c", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_eq(tu_last.out, "Caf\xc3\xa9\n");
	TU_CLI("list", "--codepage", "CP932", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	free(h);
}

/* ---- the CLI server ------------------------------------------------------ */

/* Runs mapiprof args with stdin from in (NULL: /dev/null), served when
 * served is 1, else executed. */
static void
run_as(int served, const char *in, const char *const *args, struct tu_run *r)
{
	char *const *a = (char *const *)args;
	char *sock = strdup(getenv("MP_TEST_CLI_SERVER"));
	cr_assert_not_null(sock);
	if (!served)
		cr_assert_eq(unsetenv("MP_TEST_CLI_SERVER"), 0);
	tu_stdin = in;
	cr_assert_eq(tu_cli(r, a[0], a[1], a[2], a[3], a[4], a[5], a[6], (char *)NULL), 0);
	cr_assert_eq(setenv("MP_TEST_CLI_SERVER", sock, 1), 0);
	free(sock);
}

Test(cli, a_served_command_runs_as_the_executed_program)
{
	if (getenv("MP_TEST_CLI_SERVER") == NULL)
		cr_skip_test("no CLI server (MP_TEST_EXEC=1): every command is executed");
	if (strcmp(tu_cli_program(), MP_CLI) != 0)
		cr_skip_test("the tests run %s (MP_TEST_CLI), which is never served",
		             tu_cli_program());
	char *hive = tu_stage_built("exchange-mapi.dat");
	/* What the server must carry over from the test: the working
	 * directory (a relative path), standard input, the file mode mask (the
	 * mode of a written file), the environment (TMPDIR of "-o -"), exit
	 * statuses and both streams. */
	char here[4096];
	cr_assert_not_null(getcwd(here, sizeof(here)));
	cr_assert_eq(chdir(tu_tmp), 0);
	mode_t mask = umask(077);
	const char *name = strrchr(hive, '/') + 1;
	const char *cases[][8] = {
	    {"list", name, NULL},
	    {"show", "--json", "-", NULL},
	    {"apply", "exchange2007-gc-referral", "-o", "out.dat", name, NULL},
	    {"apply", "exchange2007-gc-referral", "-o", "-", name, NULL},
	    {"lst", NULL},
	    {"get", "--section", "global", "PR_PROFILE_CONECT_FLAGS", name, NULL},
	};
	unsigned before = tu_served_runs;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tu_run s, e;
		struct stat ss, es;
		const char *in =
		    strcmp(cases[i][1] ? cases[i][1] : "", "--json") == 0 ? hive : NULL;
		if (i == 3)
			cr_assert_eq(setenv("TMPDIR", "/nonexistent-mapiprof-tmp", 1), 0);
		else
			unsetenv("TMPDIR");
		run_as(1, in, cases[i], &s);
		int swrote = stat("out.dat", &ss) == 0;
		unlink("out.dat");
		run_as(0, in, cases[i], &e);
		int ewrote = stat("out.dat", &es) == 0;
		unlink("out.dat");
		cr_assert_eq(s.status, e.status, "%s: exit %d served, %d executed\n%s", cases[i][0],
		             s.status, e.status, s.err);
		cr_assert_str_eq(s.out, e.out, "%s: stdout differs", cases[i][0]);
		cr_assert_str_eq(s.err, e.err, "%s: stderr differs", cases[i][0]);
		cr_assert_eq(swrote, ewrote);
		if (swrote)
			cr_assert_eq(ss.st_mode, es.st_mode, "mode %o served, %o executed",
			             ss.st_mode, es.st_mode);
		tu_run_free(&s);
		tu_run_free(&e);
	}
	cr_assert_eq(tu_served_runs - before, 6u, "every served run went to the server");
	umask(mask);
	cr_assert_eq(chdir(here), 0);
	free(hive);
}
