/* test_sections.c - section walk, roles, owners and selectors on the real
 * hives (EdkMdb.h, MFCMAPI guid.h, OutlookTrace). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapiprof/mapiprof.h"
#include "testutil.h"

#define REGIPY  "real/regipy/NTUSER_BAGMRU.DAT"
#define NOTATIN "real/notatin/win7_ntuser.dat"
#define PLASO   "real/plaso/NTUSER-WIN7.DAT"

/* notatin's service sections (PR_SERVICES order) and providers. */
#define N_CONTAB     "4aa0a38629842a4b8042698b62d8334d"
#define N_OMSAB      "f117552bb18a1a48bf04798a6dabaf05"
#define N_MSUPST     "54973c7936bc754aa8676014aa5a2c23"
#define N_CONTAB_PRV "bc8e9973faa1bc40834ed6ad58aee2dd"
#define N_OMSAB_PRV  "37277e4116557049ab05950b2207d2ef"
#define N_MSUPST_PRV "847a94f3c7daf447aeec5a9d4fa02acb"
#define ACCOUNTS     "9375CFF0413111d3B88A00104B2A6676"

TestSuite(sections, .init = tu_setup, .fini = tu_teardown);

/* The profile of tu_file the tests look at. */
static size_t prof;

/* The section whose uid equals uid exactly (as stored). */
static const struct mapiprof_section *
section(const char *uid)
{
	return mapiprof_section_at(tu_file, prof, tu_section(prof, uid));
}

static void
expect_role(const char *uid, const char *role, const char *service, const char *owner)
{
	const struct mapiprof_section *s = section(uid);
	cr_assert_str_eq(s->role, role, "%s: role %s", uid, s->role);
	if (service == NULL)
		cr_assert_null(s->service, "%s: service %s", uid, s->service);
	else
		cr_assert(s->service != NULL && strcmp(s->service, service) == 0,
		          "%s: service %s, want %s", uid, s->service, service);
	if (owner == NULL)
		cr_assert_null(s->owner, "%s: owner %s", uid, s->owner);
	else
		cr_assert(s->owner != NULL && strcmp(s->owner, owner) == 0, "%s: owner %s", uid,
		          s->owner);
}

/* Resolves selector; returns the count and the uid of the first match. */
static size_t
select_n(const char *selector, const char **first)
{
	size_t *idx = NULL, n = 0;
	cr_assert_eq(mapiprof_select(tu_file, prof, selector, &idx, &n), MAPIPROF_OK, "%s: %s",
	             selector, mapiprof_errmsg(tu_ctx));
	if (first != NULL)
		*first = n > 0 ? mapiprof_section_at(tu_file, prof, idx[0])->uid : NULL;
	mapiprof_free(idx);
	return n;
}

Test(sections, notatin_well_known_sections_have_their_roles)
{
	prof = tu_open_outlook(NOTATIN);
	expect_role("0a0d020000000000c000000000000046", "outlook", NULL, NULL);
	expect_role("13dbb0c8aa05101a9bb000aa002fc45a", "global", NULL, NULL);
	expect_role("9207f3e0a3b11019908b08002b2a56c2", "services", NULL, NULL);
	expect_role("8503020000000000c000000000000046", "instance", NULL, NULL);
	expect_role(ACCOUNTS, "accounts", NULL, NULL);
}

/* An account's service is the service section its "Service UID" names. */
Test(sections, notatin_account_subkeys_are_accounts_of_their_service)
{
	prof = tu_open_outlook(NOTATIN);
	expect_role(ACCOUNTS "\\00000001", "account", "OMSAB", NULL);
	expect_role(ACCOUNTS "\\00000002", "account", "CONTAB", NULL);
	expect_role(ACCOUNTS "\\00000004", "account", "MSUPST MS", NULL);
}

Test(sections, plaso_account_1_is_an_account_of_omsab)
{
	prof = tu_open_outlook(PLASO);
	expect_role(ACCOUNTS "\\00000001", "account", "OMSAB", NULL);
	expect_role(ACCOUNTS "\\00000002", "account", "CONTAB", NULL);
	expect_role(ACCOUNTS "\\00000004", "account", "MSUPST MS", NULL);
}

Test(sections, notatin_services_and_providers_link_to_their_service)
{
	prof = tu_open_outlook(NOTATIN);
	expect_role(N_CONTAB, "service", "CONTAB", NULL);
	expect_role(N_OMSAB, "service", "OMSAB", NULL);
	expect_role(N_MSUPST, "service", "MSUPST MS", NULL);
	expect_role(N_CONTAB_PRV, "provider", "CONTAB", N_CONTAB);
	expect_role(N_OMSAB_PRV, "provider", "OMSAB", N_OMSAB);
	expect_role(N_MSUPST_PRV, "provider", "MSUPST MS", N_MSUPST);
}

Test(sections, regipy_roles_in_an_office_profile)
{
	prof = tu_open_outlook(REGIPY);
	expect_role("0a0d020000000000c000000000000046", "outlook", NULL, NULL);
	expect_role("4dcea1bdd75d6f4cb65170ec889cadda", "service", "CONTAB", NULL);
	expect_role("d4eeded2d3c3fc4ca46d35e579df8bcd", "service", "MSUPST MS", NULL);
	expect_role("0ae1fb8ed673e5499ac19850e84bbf46", "provider", "CONTAB",
	            "4dcea1bdd75d6f4cb65170ec889cadda");
	expect_role("6876da12b533bc47a32ce78191722d01", "provider", "MSUPST MS",
	            "d4eeded2d3c3fc4ca46d35e579df8bcd");
	expect_role(ACCOUNTS "\\00000002", "account", "MSUPST MS", NULL);
}

Test(sections, nested_keys_are_sections_with_their_path_as_uid)
{
	prof = tu_open_outlook(PLASO);
	const struct mapiprof_section *s =
	    section("{D9734F19-8CFB-411D-BC59-833E334FCB5E}\\Calendar Summary");
	cr_assert_str_eq(s->role, "unknown");
	cr_assert_neq(s->last_write, 0);
	/* A parent comes before its children. */
	size_t parent = SIZE_MAX, child = SIZE_MAX;
	for (size_t i = 0; i < mapiprof_section_count(tu_file, prof); i++) {
		const char *uid = mapiprof_section_at(tu_file, prof, i)->uid;
		if (strcmp(uid, "{D9734F19-8CFB-411D-BC59-833E334FCB5E}") == 0)
			parent = i;
		if (strcmp(uid, s->uid) == 0)
			child = i;
	}
	cr_assert_lt(parent, child);
}

Test(sections, notatin_walk_counts_every_key)
{
	prof = tu_open_outlook(NOTATIN);
	/* 42 direct children, 3 account subkeys and one Calendar Summary
	 * key below {D9734F19-...} (counted with reglookup). */
	cr_assert_eq(mapiprof_section_count(tu_file, prof), 46);
	cr_assert_eq(mapiprof_section_count(tu_file, prof + 1), 0);
	cr_assert_null(mapiprof_section_at(tu_file, prof, 46));
}

Test(sections, select_global_finds_the_global_section)
{
	prof = tu_open_outlook(NOTATIN);
	const char *uid;
	cr_assert_eq(select_n("global", &uid), 1);
	cr_assert_str_eq(uid, "13dbb0c8aa05101a9bb000aa002fc45a");
	cr_assert_eq(select_n("outlook", &uid), 1);
	cr_assert_str_eq(uid, "0a0d020000000000c000000000000046");
	cr_assert_eq(select_n("services", NULL), 1);
	cr_assert_eq(select_n("instance", NULL), 1);
}

Test(sections, select_service_by_name_or_first_word)
{
	prof = tu_open_outlook(NOTATIN);
	const char *uid;
	cr_assert_eq(select_n("service:MSUPST", &uid), 1);
	cr_assert_str_eq(uid, N_MSUPST);
	cr_assert_eq(select_n("service:msupst ms", &uid), 1);
	cr_assert_str_eq(uid, N_MSUPST);
	cr_assert_eq(select_n("service:contab", &uid), 1);
	cr_assert_str_eq(uid, N_CONTAB);
	cr_assert_eq(select_n("service:MSUPS", NULL), 0);
}

Test(sections, select_raw_uid_in_upper_case)
{
	prof = tu_open_outlook(NOTATIN);
	const char *uid;
	cr_assert_eq(select_n("4AA0A38629842A4B8042698B62D8334D", &uid), 1);
	cr_assert_str_eq(uid, N_CONTAB);
	cr_assert_eq(select_n("9375cff0413111d3b88a00104b2a6676", &uid), 1);
	cr_assert_str_eq(uid, ACCOUNTS);
	cr_assert_eq(select_n("00000000000000000000000000000000", NULL), 0);
}

Test(sections, select_accounts_includes_account_subkeys)
{
	prof = tu_open_outlook(NOTATIN);
	const char *uid;
	cr_assert_eq(select_n("accounts", &uid), 4);
	cr_assert_str_eq(uid, ACCOUNTS);
}

Test(sections, select_without_match_is_empty_not_an_error)
{
	prof = tu_open_outlook(REGIPY);
	cr_assert_eq(select_n("emsmdb", NULL), 0);
	cr_assert_eq(select_n("emsab", NULL), 0);
	cr_assert_eq(select_n("service:MSEMS", NULL), 0);
}

Test(sections, invalid_selector_is_eselector_listing_the_forms)
{
	prof = tu_open_outlook(NOTATIN);
	size_t *idx = (size_t *)1, n = 7;
	cr_assert_eq(mapiprof_select(tu_file, prof, "globl", &idx, &n), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_SELECTOR);
	cr_assert_null(idx);
	cr_assert_eq(n, 0);
	const char *msg = mapiprof_errmsg(tu_ctx);
	cr_assert(strstr(msg, "globl") != NULL, "%s", msg);
	cr_assert(strstr(msg, "service:NAME") != NULL, "%s", msg);
	cr_assert(strstr(msg, "emsmdb") != NULL, "%s", msg);
}

Test(sections, selector_syntax_checked_without_a_file)
{
	cr_assert(mapiprof_selector_valid("global"));
	cr_assert(mapiprof_selector_valid("emsab"));
	cr_assert(mapiprof_selector_valid("accounts"));
	cr_assert(mapiprof_selector_valid("emsmdb"));
	cr_assert(mapiprof_selector_valid("service:MSEMS"));
	cr_assert(mapiprof_selector_valid("13DBB0C8AA05101A9BB000AA002FC45A"));
	cr_assert_not(mapiprof_selector_valid(""));
	cr_assert_not(mapiprof_selector_valid("service:"));
	cr_assert_not(mapiprof_selector_valid("13dbb0c8aa05101a9bb000aa002fc45"));
	cr_assert_not(mapiprof_selector_valid("13dbb0c8aa05101a9bb000aa002fc45ag"));
	cr_assert_not(mapiprof_selector_valid("{13dbb0c8-aa05-101a-9bb0-00aa002fc45a}"));
	cr_assert_not(mapiprof_selector_valid("everything"));
	cr_assert_not(mapiprof_selector_valid(NULL));
}

/* ---- fixture hives built from fixtures/NAME.reg ------------------------ */

/* outlook2016-two-accounts: two MSEMS services, each with an emsmdb section. */
#define W_SVC1    "f2280fdaeaa4ced8b5233712ff8f6008"
#define W_EMSMDB1 "7e6a5c0be50b8ecef2131e2d0a8b4fef"
#define W_STORE1  "ea26d5de6ccee461bf7b598605074446"
#define W_SVC2    "4f62d0d4cbe22f851852612dcb9371e7"
#define W_EMSMDB2 "36de8fa92747df44444b34fc3e2451d3"

static void
open_built(const char *name, const char *profile)
{
	tu_open_built(name);
	prof = tu_profile(profile);
}

Test(sections, emsmdb_sections_belong_to_their_exchange_service)
{
	open_built("outlook2016-two-accounts.dat", "Work");
	expect_role(W_SVC1, "service", "MSEMS", NULL);
	expect_role(W_SVC2, "service", "MSEMS", NULL);
	expect_role(W_EMSMDB1, "emsmdb", "MSEMS", W_SVC1);
	expect_role(W_EMSMDB2, "emsmdb", "MSEMS", W_SVC2);
	expect_role(W_STORE1, "provider", "MSEMS", W_SVC1);
	/* Present but unused in Outlook 2010+ ("Using Multiple Exchange
	 * Accounts"): still the global role. */
	expect_role("13dbb0c8aa05101a9bb000aa002fc45a", "global", NULL, NULL);
}

Test(sections, two_accounts_each_belong_to_their_own_msems_service)
{
	open_built("outlook2016-two-accounts.dat", "Work");
	static const struct {
		const char *account, *service;
	} want[] = {{ACCOUNTS "\\00000001", W_SVC1}, {ACCOUNTS "\\00000002", W_SVC2}};
	for (size_t i = 0; i < 2; i++) {
		expect_role(want[i].account, "account", "MSEMS", NULL);
		size_t s = tu_section(prof, want[i].account);
		const struct mapiprof_prop *p = tu_prop(prof, s, "Service UID");
		cr_assert_eq(p->nuids, 1);
		cr_assert_eq(p->uids[0].section, tu_section(prof, want[i].service), "%s",
		             want[i].account);
	}
}

Test(sections, select_emsmdb_finds_every_account)
{
	open_built("outlook2016-two-accounts.dat", "Work");
	size_t *idx = NULL, n = 0;
	cr_assert_eq(mapiprof_select(tu_file, prof, "emsmdb", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 2);
	/* Stored order: regf keeps subkeys sorted by name. */
	cr_assert_str_eq(mapiprof_section_at(tu_file, prof, idx[0])->uid, W_EMSMDB2);
	cr_assert_str_eq(mapiprof_section_at(tu_file, prof, idx[1])->uid, W_EMSMDB1);
	mapiprof_free(idx);
	cr_assert_eq(select_n("service:msems", NULL), 2);
}

Test(sections, exchange_profile_has_emsab_and_four_providers)
{
	open_built("exchange-mapi.dat", "Exchange");
	expect_role("dca740c8c042101ab4b908002b2fe182", "emsab", NULL, NULL);
	expect_role("570e782c6d99b09e2912e61a460c0425", "service", "MSEMS", NULL);
	size_t providers = 0;
	for (size_t i = 0; i < mapiprof_section_count(tu_file, prof); i++) {
		const struct mapiprof_section *s = mapiprof_section_at(tu_file, prof, i);
		if (strcmp(s->role, "provider") == 0) {
			cr_assert_str_eq(s->owner, "570e782c6d99b09e2912e61a460c0425");
			cr_assert_str_eq(s->service, "MSEMS");
			providers++;
		}
	}
	cr_assert_eq(providers, 4);
	const char *uid;
	cr_assert_eq(select_n("emsab", &uid), 1);
	cr_assert_str_eq(uid, "dca740c8c042101ab4b908002b2fe182");
	cr_assert_eq(select_n("emsmdb", NULL), 0);
}

/* ---- a synthetic profile built with the fixture builder ---------------- */

/* PR_SERVICES lists 44.. ("MSPST AB") and aa.. (no section); 77.. is a
 * CONTAB provider whose service 99.. is missing; deep\1\...\8 is nine
 * keys deep, one more than MP_MAX_SECTION_DEPTH. */
/* clang-format off */
static const char synth_reg[] =
	TU_REG_HEADER
	TU_SYNTH_KEY "9207f3e0a3b11019908b08002b2a56c2]\n"
	"\"01023d0e\"=hex:" TU_UID_HEX("44") "," TU_UID_HEX("aa") "\n"
	"\n"
	TU_SYNTH_KEY "44444444444444444444444444444444]\n"
	"\"001e3d09\"=\"MSPST AB\"\n"
	"\n"
	TU_SYNTH_KEY "77777777777777777777777777777777]\n"
	"\"01023d0c\"=hex:" TU_UID_HEX("99") "\n"
	"\"001e3d09\"=\"CONTAB\"\n"
	"\n"
	TU_SYNTH_KEY "deep\\1\\2\\3\\4\\5\\6\\7\\8]\n";
/* clang-format on */

Test(sections, provider_of_a_missing_service_keeps_the_dangling_owner)
{
	prof = tu_open_reg(synth_reg, "Synth");
	expect_role("77777777777777777777777777777777", "provider", "CONTAB",
	            "99999999999999999999999999999999");
	expect_role("44444444444444444444444444444444", "service", "MSPST AB", NULL);
	/* The dangling aa.. in PR_SERVICES names no service. */
	const struct mapiprof_profile *p = mapiprof_profile_at(tu_file, prof);
	cr_assert_eq(p->nservices, 1);
	cr_assert_str_eq(p->services[0], "MSPST AB");
	const char *uid;
	cr_assert_eq(select_n("service:mspst", &uid), 1);
	cr_assert_str_eq(uid, "44444444444444444444444444444444");
}

/* Accounts whose Service UID names a service (44..), no section (aa..), a
 * provider (77.., not a service) or has 15 bytes. */
/* clang-format off */
static const char accounts_reg[] =
	TU_REG_HEADER
	TU_SYNTH_KEY "9207f3e0a3b11019908b08002b2a56c2]\n"
	"\"01023d0e\"=hex:" TU_UID_HEX("44") "\n"
	"\n"
	TU_SYNTH_KEY "44444444444444444444444444444444]\n"
	"\"001e3d09\"=\"MSPST AB\"\n"
	"\n"
	TU_SYNTH_KEY "77777777777777777777777777777777]\n"
	"\"01023d0c\"=hex:" TU_UID_HEX("44") "\n"
	"\n"
	TU_SYNTH_KEY ACCOUNTS "\\00000001]\n"
	"\"Service UID\"=hex:" TU_UID_HEX("44") "\n"
	"\n"
	TU_SYNTH_KEY ACCOUNTS "\\00000002]\n"
	"\"Service UID\"=hex:" TU_UID_HEX("aa") "\n"
	"\n"
	TU_SYNTH_KEY ACCOUNTS "\\00000003]\n"
	"\"Service UID\"=hex:" TU_UID_HEX("77") "\n"
	"\n"
	TU_SYNTH_KEY ACCOUNTS "\\00000004]\n"
	"\"Service UID\"=hex:44,44,44,44,44,44,44,44,44,44,44,44,44,44,44\n";
/* clang-format on */

Test(sections, account_service_is_set_only_when_its_service_uid_names_a_service)
{
	prof = tu_open_reg(accounts_reg, "Synth");
	expect_role(ACCOUNTS "\\00000001", "account", "MSPST AB", NULL);
	expect_role(ACCOUNTS "\\00000002", "account", NULL, NULL);
	expect_role(ACCOUNTS "\\00000003", "account", NULL, NULL);
	expect_role(ACCOUNTS "\\00000004", "account", NULL, NULL);
	expect_role("77777777777777777777777777777777", "provider", "MSPST AB",
	            "44444444444444444444444444444444");
}

Test(sections, walk_stops_at_the_depth_cap)
{
	prof = tu_open_reg(synth_reg, "Synth");
	const struct mapiprof_section *s = section("deep\\1\\2\\3\\4\\5\\6\\7");
	cr_assert_str_eq(s->role, "unknown");
	for (size_t i = 0; i < mapiprof_section_count(tu_file, prof); i++)
		cr_assert_str_neq(mapiprof_section_at(tu_file, prof, i)->uid,
		                  "deep\\1\\2\\3\\4\\5\\6\\7\\8");
	/* 9207, 44.., 77.. and deep .. deep\1\...\7. */
	cr_assert_eq(mapiprof_section_count(tu_file, prof), 3 + 8);
}
