/* test_fixtures.c - every synthesised fixture (fixtures/NAME.reg, built into
 * build/fixtures/NAME.dat) decodes through the public API exactly as designed
 * (fixtures/README.md says what each one proves). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mapiprof/mapiprof.h"
#include "testutil.h"

#define WMS_ROOT                                                                                   \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
#define GLOBAL_UID   "13dbb0c8aa05101a9bb000aa002fc45a"
#define EMSAB_UID    "dca740c8c042101ab4b908002b2fe182"
#define SERVICES_UID "9207f3e0a3b11019908b08002b2a56c2"
#define INSTANCE_UID "8503020000000000c000000000000046"
#define OUTLOOK_UID  "0a0d020000000000c000000000000046"
#define ACCTMGR_UID  "9375CFF0413111d3B88A00104B2A6676"

TestSuite(fixtures, .init = tu_setup, .fini = tu_teardown);

/* The profile named exactly name (found case-insensitively). */
static size_t
profile_named(const char *name)
{
	size_t p = tu_profile(name);
	cr_assert_str_eq(mapiprof_profile_at(tu_file, p)->name, name);
	return p;
}

/* The one section a selector picks. */
static size_t
select_one(size_t p, const char *selector)
{
	size_t *idx = NULL, n = 0;
	cr_assert_eq(mapiprof_select(tu_file, p, selector, &idx, &n), MAPIPROF_OK, "%s: %s",
	             selector, mapiprof_errmsg(tu_ctx));
	cr_assert_eq(n, 1, "%s selects %zu sections", selector, n);
	size_t s = idx[0];
	mapiprof_free(idx);
	return s;
}

static int
has_flag(const struct mapiprof_prop *pr, const char *name)
{
	for (size_t i = 0; i < pr->nflags; i++)
		if (strcmp(pr->flags[i], name) == 0)
			return 1;
	return 0;
}

/* An integer property decoded cleanly to v. */
static void
assert_int(const struct mapiprof_prop *pr, int64_t v)
{
	cr_assert_null(pr->error, "%s: %s", pr->value_name, pr->error);
	cr_assert_eq(pr->kind, MAPIPROF_V_INT, "%s kind %d", pr->value_name, (int)pr->kind);
	cr_assert_eq(pr->i, v, "%s = %lld, want %lld", pr->value_name, (long long)pr->i,
	             (long long)v);
}

static void
assert_str(const struct mapiprof_prop *pr, const char *s)
{
	cr_assert_null(pr->error, "%s: %s", pr->value_name, pr->error);
	cr_assert_eq(pr->kind, MAPIPROF_V_STRING, "%s kind %d", pr->value_name, (int)pr->kind);
	cr_assert_str_eq(pr->s, s);
}

/* ---- exchange-mapi -------------------------------------------------------- */

Test(fixtures, exchange_profiles_live_in_nt_wms_root_with_default)
{
	tu_open_built("exchange-mapi.dat");
	cr_assert_eq(mapiprof_profile_count(tu_file), 2);
	size_t p = profile_named("Exchange");
	const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, p);
	cr_assert_str_eq(pr->root, WMS_ROOT);
	cr_assert_str_eq(pr->root_kind, "wms");
	cr_assert_null(pr->office_version);
	cr_assert_eq(pr->is_default, 1);
	cr_assert_eq(pr->nservices, 1);
	cr_assert_str_eq(pr->services[0], "MSEMS");
	size_t d;
	cr_assert_eq(mapiprof_profile_find(tu_file, NULL, &d), MAPIPROF_OK);
	cr_assert_eq(d, p);
	const struct mapiprof_profile *pst =
	    mapiprof_profile_at(tu_file, profile_named("Personal"));
	cr_assert_eq(pst->is_default, 0);
	cr_assert_eq(pst->nservices, 1);
	cr_assert_str_eq(pst->services[0], "MSUPST MS");
}

Test(fixtures, exchange_global_section_flags_decode_by_name)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = profile_named("Exchange");
	size_t g = select_one(p, "global");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, g)->uid, GLOBAL_UID);
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, g)->role, "global");
	assert_int(tu_prop(p, g, "PR_PROFILE_VERSION"), 0x501);
	const struct mapiprof_prop *cf = tu_prop(p, g, "00036601");
	assert_int(cf, 4);
	cr_assert(has_flag(cf, "CONFIG_SHOW_CONNECT_UI"));
	cr_assert_eq(cf->unknown_bits, 0);
	const struct mapiprof_prop *cn = tu_prop(p, g, "PR_PROFILE_CONNECT_FLAGS");
	assert_int(cn, 2);
	cr_assert_eq(cn->tag, 0x66040003u);
	cr_assert_str_eq(cn->name, "PR_PROFILE_CONNECT_FLAGS");
	cr_assert_eq(cn->has_flags, 1);
	cr_assert_eq(cn->nflags, 1);
	cr_assert_str_eq(cn->flags[0], "CONNECT_NO_RPC_ENCRYPTION");
	const struct mapiprof_prop *tf = tu_prop(p, g, "0x66050003");
	assert_int(tf, 3);
	cr_assert(has_flag(tf, "TRANSPORT_DOWNLOAD") && has_flag(tf, "TRANSPORT_UPLOAD"));
	const struct mapiprof_prop *ui = tu_prop(p, g, "00036606");
	assert_int(ui, 0);
	cr_assert(!has_flag(ui, "EDK_PROFILEUISTATE_ENCRYPTNETWORK"));
	const struct mapiprof_prop *sv = tu_prop(p, g, "PR_PROFILE_SERVER_VERSION");
	assert_int(sv, 2653);
	cr_assert(sv->i < 3000);
}

Test(fixtures, exchange_strings_are_reg_sz_pt_string8)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = profile_named("Exchange");
	size_t g = select_one(p, "global");
	const struct mapiprof_prop *hs = tu_prop(p, g, "001e6602");
	assert_str(hs, "EXCH01");
	cr_assert_eq(hs->reg_type, 1u);
	cr_assert_str_eq(hs->reg_type_name, "REG_SZ");
	cr_assert_str_eq(hs->type_name, "PT_STRING8");
	cr_assert_str_eq(hs->name, "PR_PROFILE_HOME_SERVER");
	assert_str(tu_prop(p, g, "PR_PROFILE_HOME_SERVER_DN"),
	           "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration"
	           "/cn=Servers/cn=EXCH01");
	assert_str(tu_prop(p, g, "001e6603"),
	           "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients"
	           "/cn=svc-mapi");
}

/* 101e6613 in the KB Q183015 shape: count 6, u32 offsets, first 0x1c. */
Test(fixtures, exchange_home_server_addrs_is_32bit_mv_string8)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = profile_named("Exchange");
	const struct mapiprof_prop *a = tu_prop(p, select_one(p, "global"), "101e6613");
	cr_assert_null(a->error, "%s", a->error);
	cr_assert_eq(a->kind, MAPIPROF_V_MV_STRING);
	cr_assert_str_eq(a->type_name, "PT_MV_STRING8");
	cr_assert_eq(a->mv_offset_width, 4);
	cr_assert_eq(a->count, 6);
	cr_assert_eq(a->data[4], 0x1c);
	cr_assert_str_eq(a->strs[0], "ncalrpc:EXCH01");
	cr_assert_str_eq(a->strs[1], "ncacn_ip_tcp:exch01.contoso.com");
	cr_assert_str_eq(a->strs[5], "ncacn_vns_spp:EXCH01");
}

Test(fixtures, exchange_emsab_section_uses_winnt_without_reconnect)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = profile_named("Exchange");
	size_t e = select_one(p, "emsab");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, e)->uid, EMSAB_UID);
	assert_str(tu_prop(p, e, "001e6602"), "gc01.contoso.com");
	const struct mapiprof_prop *au = tu_prop(p, e, "PR_PROFILE_AUTH_PACKAGE");
	assert_int(au, 10);
	cr_assert_eq(au->has_flags, 1);
	cr_assert_eq(au->nflags, 1);
	cr_assert_str_eq(au->flags[0], "RPC_C_AUTHN_WINNT");
	const struct mapiprof_prop *none = NULL;
	cr_assert_eq(mapiprof_prop_find(tu_file, p, e, "PR_PROFILE_ABP_ALLOW_RECONNECT", &none),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROP);
}

/* service:MSEMS -> the service; its four providers point back to it
 * (OutlookTrace). */
Test(fixtures, exchange_msems_service_owns_its_four_providers)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = profile_named("Exchange");
	size_t s = select_one(p, "service:MSEMS");
	const struct mapiprof_section *svc = mapiprof_section_at(tu_file, p, s);
	cr_assert_str_eq(svc->uid, "570e782c6d99b09e2912e61a460c0425");
	cr_assert_str_eq(svc->role, "service");
	cr_assert_str_eq(svc->service, "MSEMS");
	assert_int(tu_prop(p, s, "PR_RESOURCE_FLAGS"), 2);
	const struct mapiprof_prop *sf = tu_prop(p, s, "101e3d0f");
	cr_assert_eq(sf->mv_offset_width, 4);
	cr_assert_eq(sf->count, 3);
	cr_assert_str_eq(sf->strs[2], "emsmdb.dll");
	static const struct {
		const char *uid, *dll;
		int64_t type;
	} provs[] = {
	    {"c61e296c9758d0bcd94c4e3ce83cd668", "EMSMDB.DLL", 33},
	    {"33f642b74c6f5f0ade2adfe3ca98a66c", "EMSMDB.DLL", 33},
	    {"f77aaef2b7fa875c2a5be64f289d6c11", "EMSABP.DLL", 35},
	    {"e12887509815aeccc50a46e7a9338993", "EMSMDB.DLL", 36},
	};
	for (size_t i = 0; i < 4; i++) {
		size_t k = tu_section(p, provs[i].uid);
		const struct mapiprof_section *sec = mapiprof_section_at(tu_file, p, k);
		cr_assert_str_eq(sec->role, "provider", "%s", provs[i].uid);
		cr_assert_str_eq(sec->owner, svc->uid);
		cr_assert_str_eq(sec->service, "MSEMS");
		assert_str(tu_prop(p, k, "PR_PROVIDER_DLL_NAME"), provs[i].dll);
		assert_int(tu_prop(p, k, "PR_RESOURCE_TYPE"), provs[i].type);
		const struct mapiprof_prop *back = tu_prop(p, k, "01023d0c");
		cr_assert_eq(back->nuids, 1);
		cr_assert_str_eq(back->uids[0].uid, svc->uid);
		cr_assert_eq(back->uids[0].section, s);
	}
	const struct mapiprof_prop *priv = tu_prop(p, tu_section(p, provs[0].uid), "00033009");
	assert_int(priv, 0x1006);
	cr_assert(has_flag(priv, "STATUS_DEFAULT_STORE"));
	cr_assert(has_flag(priv, "STATUS_PRIMARY_STORE"));
}

Test(fixtures, exchange_services_section_lists_resolve_to_sections)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = profile_named("Exchange");
	size_t m = select_one(p, "services");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, m)->uid, SERVICES_UID);
	const struct mapiprof_prop *svcs = tu_prop(p, m, "PR_SERVICES");
	cr_assert_eq(svcs->kind, MAPIPROF_V_BINARY);
	cr_assert_eq(svcs->nuids, 1);
	cr_assert_eq(svcs->uids[0].section, select_one(p, "service:MSEMS"));
	const struct mapiprof_prop *stores = tu_prop(p, m, "PR_STORE_PROVIDERS");
	cr_assert_eq(stores->len, 32);
	cr_assert_eq(stores->nuids, 2);
	cr_assert_str_eq(stores->uids[0].uid, "c61e296c9758d0bcd94c4e3ce83cd668");
	cr_assert_str_eq(stores->uids[1].uid, "33f642b74c6f5f0ade2adfe3ca98a66c");
	cr_assert_neq(stores->uids[1].section, SIZE_MAX);
	size_t in = select_one(p, "instance");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, in)->uid, INSTANCE_UID);
	const struct mapiprof_prop *sk = tu_prop(p, in, "PR_SEARCH_KEY");
	cr_assert_eq(sk->kind, MAPIPROF_V_BINARY);
	cr_assert_eq(sk->len, 16);
}

Test(fixtures, exchange_pst_profile_has_msupst_and_empty_global)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = profile_named("Personal");
	size_t s = select_one(p, "service:MSUPST");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->uid,
	                 "e9fe6682d6c0a42e77bb8c7048cb0b4d");
	size_t pv = tu_section(p, "9adda8bc58ca8a14412708790c770390");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, pv)->owner,
	                 "e9fe6682d6c0a42e77bb8c7048cb0b4d");
	assert_str(tu_prop(p, pv, "001e6700"),
	           "C:\\Documents and Settings\\svc-mapi\\Local Settings\\Application Data"
	           "\\Microsoft\\Outlook\\personal.pst");
	const struct mapiprof_prop *props;
	size_t n;
	cr_assert_eq(mapiprof_section_props(tu_file, p, select_one(p, "global"), &props, &n),
	             MAPIPROF_OK);
	cr_assert_eq(n, 0);
	size_t *idx;
	cr_assert_eq(mapiprof_select(tu_file, p, "service:MSEMS", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(mapiprof_select(tu_file, p, "emsab", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 0);
}

/* ---- outlook2016-two-accounts ----------------------------------------------- */

Test(fixtures, o16_profile_default_in_office16_outlook_key)
{
	tu_open_built("outlook2016-two-accounts.dat");
	cr_assert_eq(mapiprof_profile_count(tu_file), 1);
	size_t p = profile_named("Work");
	const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, p);
	cr_assert_str_eq(pr->root, "Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles");
	cr_assert_str_eq(pr->root_kind, "office");
	cr_assert_str_eq(pr->office_version, "16.0");
	cr_assert_eq(pr->is_default, 1);
	cr_assert_eq(pr->nservices, 2);
	cr_assert_str_eq(pr->services[0], "MSEMS");
	cr_assert_str_eq(pr->services[1], "MSEMS");
	const struct mapiprof_prop *props;
	size_t n;
	cr_assert_eq(mapiprof_section_props(tu_file, p, select_one(p, "global"), &props, &n),
	             MAPIPROF_OK);
	cr_assert_eq(n, 0, "Outlook 2016 leaves the global section empty");
}

/* Both emsmdb sections are found through 01023d15, each owned by its own
 * MSEMS service; cached mode on account 1 only; legacy on account 1 only. */
Test(fixtures, o16_emsmdb_selector_finds_both_accounts_with_owners)
{
	tu_open_built("outlook2016-two-accounts.dat");
	size_t p = profile_named("Work");
	size_t *idx = NULL, n = 0;
	cr_assert_eq(mapiprof_select(tu_file, p, "emsmdb", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 2);
	static const struct {
		const char *emsmdb, *owner, *smtp, *acct, *ost;
		int64_t flags;
		int legacy, cached;
	} want[] = {
	    {"7e6a5c0be50b8ecef2131e2d0a8b4fef", "f2280fdaeaa4ced8b5233712ff8f6008",
	     "alice@contoso.com", "alice@contoso.com",
	     "C:\\Users\\alice\\AppData\\Local\\Microsoft\\Outlook\\alice@contoso.com.ost", 0x184,
	     1, 1},
	    {"36de8fa92747df44444b34fc3e2451d3", "4f62d0d4cbe22f851852612dcb9371e7",
	     "support@fabrikam.example", "Fabrikam Support",
	     "C:\\Users\\alice\\AppData\\Local\\Microsoft\\Outlook\\support@fabrikam.example.ost",
	     0x4, 0, 0},
	};
	for (size_t k = 0; k < 2; k++) {
		size_t s = tu_section(p, want[k].emsmdb);
		cr_assert(s == idx[0] || s == idx[1], "%s not selected", want[k].emsmdb);
		const struct mapiprof_section *sec = mapiprof_section_at(tu_file, p, s);
		cr_assert_str_eq(sec->role, "emsmdb");
		cr_assert_str_eq(sec->owner, want[k].owner);
		cr_assert_str_eq(sec->service, "MSEMS");
		const struct mapiprof_prop *cf = tu_prop(p, s, "PR_PROFILE_CONFIG_FLAGS");
		assert_int(cf, want[k].flags);
		cr_assert_eq(has_flag(cf, "CONFIG_OST_CACHE_PRIVATE"), want[k].cached);
		assert_str(tu_prop(p, s, "001f6641"), want[k].smtp);
		assert_str(tu_prop(p, s, "001f6620"), want[k].acct);
		assert_str(tu_prop(p, s, "001f6610"), want[k].ost);
		const struct mapiprof_prop *lg = NULL;
		int rc = mapiprof_prop_find(tu_file, p, s, "000b3d18", &lg);
		if (want[k].legacy) {
			cr_assert_eq(rc, MAPIPROF_OK);
			cr_assert_eq(lg->kind, MAPIPROF_V_BOOL);
			cr_assert_eq(lg->i, 1);
		} else {
			cr_assert_eq(rc, MAPIPROF_FAILED);
		}
		cr_assert_str_eq(
		    mapiprof_section_at(tu_file, p, tu_section(p, want[k].owner))->role, "service");
	}
	mapiprof_free(idx);
}

Test(fixtures, o16_providers_carry_emsmdb_uid_and_outlook_section_the_legacy_one)
{
	tu_open_built("outlook2016-two-accounts.dat");
	size_t p = profile_named("Work");
	static const char *const a2provs[] = {"1d3611c4da03531598f845b16e09d730",
	                                      "035cc326b3cd96cecb892dcf76512b65",
	                                      "3420f99ffc0d1f54c3d7f27e572e52ef"};
	for (size_t i = 0; i < 3; i++) {
		size_t s = tu_section(p, a2provs[i]);
		cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->role, "provider");
		cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->owner,
		                 "4f62d0d4cbe22f851852612dcb9371e7");
		const struct mapiprof_prop *u = tu_prop(p, s, "PR_EMSMDB_SECTION_UID");
		cr_assert_eq(u->nuids, 1);
		cr_assert_str_eq(u->uids[0].uid, "36de8fa92747df44444b34fc3e2451d3");
	}
	size_t o = select_one(p, "outlook");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, o)->uid, OUTLOOK_UID);
	const struct mapiprof_prop *u = tu_prop(p, o, "01023d15");
	cr_assert_eq(u->nuids, 1);
	cr_assert_str_eq(u->uids[0].uid, "7e6a5c0be50b8ecef2131e2d0a8b4fef");
	cr_assert_eq(u->uids[0].section, tu_section(p, "7e6a5c0be50b8ecef2131e2d0a8b4fef"));
	assert_int(tu_prop(p, o, "PR_CACHE_SYNC_MODE"), 2);
}

Test(fixtures, o16_account_manager_subkeys)
{
	tu_open_built("outlook2016-two-accounts.dat");
	size_t p = profile_named("Work");
	size_t *idx = NULL, n = 0;
	cr_assert_eq(mapiprof_select(tu_file, p, "accounts", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 3);
	mapiprof_free(idx);
	size_t am = tu_section(p, ACCTMGR_UID);
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, am)->role, "accounts");
	const struct mapiprof_prop *mail = tu_prop(p, am, "{ED475418-B0D6-11D2-8C3B-00104B2A6676}");
	cr_assert_eq(mail->is_tag, 0);
	cr_assert_eq(mail->len, 8);
	cr_assert_eq(memcmp(mail->data, "\x01\0\0\0\x02\0\0\0", 8), 0);
	assert_int(tu_prop(p, am, "NextAccountID"), 3);
	static const struct {
		const char *key, *svc, *name;
	} acct[] = {
	    {ACCTMGR_UID "\\00000001", "f2280fdaeaa4ced8b5233712ff8f6008", "alice@contoso.com"},
	    {ACCTMGR_UID "\\00000002", "4f62d0d4cbe22f851852612dcb9371e7", "Fabrikam Support"},
	};
	for (size_t k = 0; k < 2; k++) {
		size_t s = tu_section(p, acct[k].key);
		cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->role, "account");
		assert_str(tu_prop(p, s, "clsid"), "{ED475414-B0D6-11D2-8C3B-00104B2A6676}");
		assert_str(tu_prop(p, s, "Account Name"), acct[k].name);
		const struct mapiprof_prop *mini = tu_prop(p, s, "Mini UID");
		cr_assert_eq(mini->kind, MAPIPROF_V_INT);
		cr_assert_eq(mini->reg_type, 4u);
		const struct mapiprof_prop *su = tu_prop(p, s, "Service UID");
		cr_assert_eq(su->len, 16);
		char hex[33];
		for (size_t b = 0; b < 16; b++)
			snprintf(hex + 2 * b, 3, "%02x", su->data[b]);
		cr_assert_str_eq(hex, acct[k].svc);
	}
}

/* 64-bit layout throughout (fixtures/real/regipy): u64 string offsets,
 * 16-byte MV_BINARY descriptors. */
Test(fixtures, o16_multivalues_use_64bit_layout)
{
	tu_open_built("outlook2016-two-accounts.dat");
	size_t p = profile_named("Work");
	size_t s = tu_section(p, "7e6a5c0be50b8ecef2131e2d0a8b4fef");
	const struct mapiprof_prop *mu = tu_prop(p, s, "101f6637");
	cr_assert_null(mu->error, "%s", mu->error);
	cr_assert_eq(mu->kind, MAPIPROF_V_MV_STRING);
	cr_assert_str_eq(mu->type_name, "PT_MV_UNICODE");
	cr_assert_eq(mu->mv_offset_width, 8);
	cr_assert_eq(mu->count, 2);
	cr_assert_str_eq(mu->strs[0], "SMTP:alice@contoso.com");
	cr_assert_str_eq(mu->strs[1], "smtp:alice@contoso.onmicrosoft.com");
	size_t *idx = NULL, n = 0;
	cr_assert_eq(mapiprof_select(tu_file, p, "service:MSEMS", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 2);
	mapiprof_free(idx);
	const struct mapiprof_prop *sf =
	    tu_prop(p, tu_section(p, "f2280fdaeaa4ced8b5233712ff8f6008"), "101e3d0f");
	cr_assert_null(sf->error, "%s", sf->error);
	cr_assert_eq(sf->mv_offset_width, 8);
	cr_assert_eq(sf->count, 3);
	cr_assert_str_eq(sf->strs[1], "emsabp.dll");
	const struct mapiprof_prop *sp = tu_prop(p, select_one(p, "services"), "PR_AB_SEARCH_PATH");
	cr_assert_null(sp->error, "%s", sp->error);
	cr_assert_eq(sp->kind, MAPIPROF_V_MV_BINARY);
	cr_assert_eq(sp->mv_offset_width, 8);
	cr_assert_eq(sp->count, 2);
	cr_assert_eq(sp->blobs[0].len, 24);
	cr_assert_eq(sp->blobs[1].len, 26);
	cr_assert_eq(sp->blobs[1].data[24], 1);
	cr_assert_eq(sp->blobs[1].data[25], 2);
}

/* ---- every-type ------------------------------------------------------------ */

/* The one section of every-type.dat. */
static size_t
every_type_section(size_t *p)
{
	tu_open_built("every-type.dat");
	*p = profile_named("EveryType");
	cr_assert_eq(mapiprof_profile_at(tu_file, *p)->is_default, 1);
	cr_assert_eq(mapiprof_section_count(tu_file, *p), 1);
	return select_one(*p, "global");
}

Test(fixtures, every_type_scalars_decode)
{
	size_t p, s = every_type_section(&p);
	const struct mapiprof_prop *v = tu_prop(p, s, "00026780");
	assert_int(v, 4660);
	cr_assert_str_eq(v->type_name, "PT_I2");
	assert_int(tu_prop(p, s, "00036781"), 305419896);
	assert_int(tu_prop(p, s, "00036782"), 4294967294LL);
	v = tu_prop(p, s, "000b6783");
	cr_assert_eq(v->kind, MAPIPROF_V_BOOL);
	cr_assert_eq(v->i, 1);
	v = tu_prop(p, s, "000b6784");
	cr_assert_eq(v->kind, MAPIPROF_V_BOOL);
	cr_assert_eq(v->i, 0);
	assert_int(tu_prop(p, s, "00146785"), 72623859790382856LL);
	v = tu_prop(p, s, "00406786");
	cr_assert_null(v->error, "%s", v->error);
	cr_assert_eq(v->kind, MAPIPROF_V_TIME);
	cr_assert_eq(v->i, 128790414900000000LL);
	cr_assert_str_eq(v->s, "2009-02-13T23:31:30Z");
	v = tu_prop(p, s, "00486787");
	cr_assert_eq(v->kind, MAPIPROF_V_CLSID);
	cr_assert_eq(strcasecmp(v->s, "{ED475414-B0D6-11D2-8C3B-00104B2A6676}"), 0, "%s", v->s);
	v = tu_prop(p, s, "01026788");
	cr_assert_eq(v->kind, MAPIPROF_V_BINARY);
	cr_assert_eq(v->len, 6);
	cr_assert_eq(memcmp(v->data, "\xde\xad\xbe\xef\x00\xff", 6), 0);
	v = tu_prop(p, s, "01026789");
	cr_assert_null(v->error, "%s", v->error);
	cr_assert_eq(v->kind, MAPIPROF_V_BINARY);
	cr_assert_eq(v->len, 0);
}

Test(fixtures, every_type_strings_convert_to_utf8)
{
	size_t p, s = every_type_section(&p);
	assert_str(tu_prop(p, s, "001f678a"), "Gr\xc3\xbc\xc3\x9f"
	                                      "e, \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x98\x80");
	assert_str(tu_prop(p, s, "001f6798"), "NoNul");
	const struct mapiprof_prop *v = tu_prop(p, s, "001e678b");
	assert_str(v, "plain ANSI text");
	cr_assert_str_eq(v->reg_type_name, "REG_SZ");
	assert_str(tu_prop(p, s, "001e6799"), "");
	v = tu_prop(p, s, "001e678c");
	cr_assert_str_eq(v->reg_type_name, "REG_BINARY");
	assert_str(v, "Caf\xc3\xa9");
}

/* The three MV string/binary types in one layout. */
static void
assert_mv_layout(size_t p, size_t s, const char *s8, const char *su, const char *bin, int width)
{
	const struct mapiprof_prop *v = tu_prop(p, s, s8);
	cr_assert_null(v->error, "%s: %s", s8, v->error);
	cr_assert_eq(v->kind, MAPIPROF_V_MV_STRING);
	cr_assert_eq(v->mv_offset_width, width, "%s", s8);
	cr_assert_eq(v->count, 2);
	cr_assert_str_eq(v->strs[0], "alpha");
	cr_assert_str_eq(v->strs[1], "caf\xc3\xa9");
	v = tu_prop(p, s, su);
	cr_assert_null(v->error, "%s: %s", su, v->error);
	cr_assert_eq(v->kind, MAPIPROF_V_MV_STRING);
	cr_assert_eq(v->mv_offset_width, width, "%s", su);
	cr_assert_eq(v->count, 3);
	cr_assert_str_eq(v->strs[0], "one");
	cr_assert_str_eq(v->strs[1], "two");
	cr_assert_str_eq(v->strs[2], "drei");
	v = tu_prop(p, s, bin);
	cr_assert_null(v->error, "%s: %s", bin, v->error);
	cr_assert_eq(v->kind, MAPIPROF_V_MV_BINARY);
	cr_assert_eq(v->mv_offset_width, width, "%s", bin);
	cr_assert_eq(v->count, 3);
	cr_assert_eq(v->blobs[0].len, 3);
	cr_assert_eq(memcmp(v->blobs[0].data, "\x01\x02\x03", 3), 0);
	cr_assert_eq(v->blobs[1].len, 0);
	cr_assert_eq(v->blobs[2].len, 5);
	cr_assert_eq(memcmp(v->blobs[2].data, "\x0a\x0b\x0c\x0d\x0e", 5), 0);
}

Test(fixtures, every_type_mv_32bit_layout_has_offset_width_4)
{
	size_t p, s = every_type_section(&p);
	assert_mv_layout(p, s, "101e678e", "101f6790", "11026792", 4);
	const struct mapiprof_prop *v = tu_prop(p, s, "1003678d");
	cr_assert_null(v->error, "%s", v->error);
	cr_assert_eq(v->kind, MAPIPROF_V_MV_INT);
	cr_assert_eq(v->count, 3);
	cr_assert_eq(v->ints[0], 1);
	cr_assert_eq(v->ints[1], 2);
	cr_assert_eq(v->ints[2], 4294967295LL);
}

Test(fixtures, every_type_mv_64bit_layout_has_offset_width_8)
{
	size_t p, s = every_type_section(&p);
	assert_mv_layout(p, s, "101e678f", "101f6791", "11026793", 8);
}

/* One empty string: 10 resp. 14 bytes, too short for a blind u64 probe. */
Test(fixtures, every_type_mv_single_empty_string_in_both_layouts)
{
	size_t p, s = every_type_section(&p);
	const struct mapiprof_prop *v = tu_prop(p, s, "101f679a");
	cr_assert_null(v->error, "%s", v->error);
	cr_assert_eq(v->mv_offset_width, 4);
	cr_assert_eq(v->count, 1);
	cr_assert_str_eq(v->strs[0], "");
	v = tu_prop(p, s, "101f679b");
	cr_assert_null(v->error, "%s", v->error);
	cr_assert_eq(v->mv_offset_width, 8);
	cr_assert_eq(v->count, 1);
	cr_assert_str_eq(v->strs[0], "");
}

Test(fixtures, every_type_secure_values_are_opaque)
{
	size_t p, s = every_type_section(&p);
	static const struct {
		const char *name;
		size_t len;
	} sec[] = {{"S01026794", 56}, {"010267f1", 56}, {"S000367f2", 4}};
	for (size_t k = 0; k < 3; k++) {
		const struct mapiprof_prop *v = tu_prop(p, s, sec[k].name);
		cr_assert_str_eq(v->value_name, sec[k].name);
		cr_assert_eq(v->is_tag, 1, "%s", sec[k].name);
		cr_assert_eq(v->secure, 1, "%s", sec[k].name);
		cr_assert_eq(v->kind, MAPIPROF_V_OPAQUE, "%s", sec[k].name);
		cr_assert_null(v->s);
		cr_assert_eq(v->count, 0);
		cr_assert_eq(v->nflags, 0);
		cr_assert_eq(v->len, sec[k].len);
	}
	const struct mapiprof_prop *v = tu_prop(p, s, "010267f1");
	cr_assert_eq(memcmp(v->data, "\x01\x00\x00\x00\xd0\x8c\x9d\xdf", 8), 0);
}

Test(fixtures, every_type_unknown_type_is_raw_without_error)
{
	size_t p, s = every_type_section(&p);
	const struct mapiprof_prop *v = tu_prop(p, s, "00456796");
	cr_assert_eq(v->is_tag, 1);
	cr_assert_eq(v->tag, 0x67960045u);
	cr_assert_str_eq(v->type_name, "PT_0x0045");
	cr_assert_eq(v->kind, MAPIPROF_V_RAW);
	cr_assert_null(v->error, "unknown type is not malformed: %s", v->error);
	cr_assert_eq(v->len, 4);
}

Test(fixtures, every_type_flags_name_known_bits_and_keep_unknown_ones)
{
	size_t p, s = every_type_section(&p);
	const struct mapiprof_prop *v = tu_prop(p, s, "00036601");
	assert_int(v, 0x00100184);
	cr_assert(has_flag(v, "CONFIG_SHOW_CONNECT_UI"));
	cr_assert(has_flag(v, "CONFIG_OST_CACHE_PRIVATE"));
	cr_assert_eq(v->unknown_bits, 0x00100000u);
	v = tu_prop(p, s, "00036604");
	assert_int(v, 0x00010002);
	cr_assert_eq(v->nflags, 1);
	cr_assert_str_eq(v->flags[0], "CONNECT_NO_RPC_ENCRYPTION");
	cr_assert_eq(v->unknown_bits, 0x00010000u);
	v = tu_prop(p, s, "00036606");
	assert_int(v, 0x4001);
	cr_assert(has_flag(v, "EDK_PROFILEUISTATE_ENCRYPTNETWORK"));
	cr_assert_eq(v->unknown_bits, 0x1u);
	v = tu_prop(p, s, "00036619");
	assert_int(v, 9);
	cr_assert_eq(v->nflags, 1);
	cr_assert_str_eq(v->flags[0], "RPC_C_AUTHN_GSS_NEGOTIATE");
}

Test(fixtures, every_type_non_tag_and_dword_values)
{
	size_t p, s = every_type_section(&p);
	const struct mapiprof_prop *v = tu_prop(p, s, "00036797");
	cr_assert_eq(v->is_tag, 1);
	cr_assert_str_eq(v->reg_type_name, "REG_DWORD");
	assert_int(v, 7);
	v = tu_prop(p, s, "NotATag");
	cr_assert_eq(v->is_tag, 0);
	cr_assert_null(v->type_name);
	assert_int(v, 42);
	v = tu_prop(p, s, "Comment");
	cr_assert_eq(v->is_tag, 0);
	assert_str(v, "not a tag either");
	v = tu_prop(p, s, "LargeCounter");
	cr_assert_str_eq(v->reg_type_name, "REG_QWORD");
	assert_int(v, 72623859790382856LL);
}

/* Every value of the section is there and none is malformed. */
Test(fixtures, every_type_has_no_malformed_value)
{
	size_t p, s = every_type_section(&p);
	const struct mapiprof_prop *props;
	size_t n;
	cr_assert_eq(mapiprof_section_props(tu_file, p, s, &props, &n), MAPIPROF_OK);
	cr_assert_eq(n, 36);
	for (size_t i = 0; i < n; i++)
		cr_assert_null(props[i].error, "%s: %s", props[i].value_name, props[i].error);
}

/* ---- malformed ------------------------------------------------------------- */

Test(fixtures, malformed_values_are_raw_with_an_error)
{
	tu_open_built("malformed.dat");
	size_t p = profile_named("Malformed");
	size_t s = select_one(p, "global");
	static const char *const bad[] = {
	    "00036780", "000b6781", "00146782", "00486783", "00026793", "00406794", "00036601",
	    "001f6784", "0003678d", "000b678e", "0014678f", "00406790", "00486791", "00026792",
	    "1003678b", "101e6785", "101e6786", "101e6787", "101f6788", "101e6789", "101f6797",
	    "101f678c", "101f6795", "101f6796", "1102678a", "1102679c", "11026799", "1102679d",
	};
	size_t nbad = sizeof(bad) / sizeof(bad[0]);
	for (size_t k = 0; k < nbad; k++) {
		const struct mapiprof_prop *v = tu_prop(p, s, bad[k]);
		cr_assert_eq(v->kind, MAPIPROF_V_RAW, "%s kind %d", bad[k], (int)v->kind);
		cr_assert_not_null(v->error, "%s decoded without an error", bad[k]);
		cr_assert(v->error[0] != '\0', "%s: empty error", bad[k]);
		cr_assert_eq(v->count, 0, "%s", bad[k]);
		cr_assert(v->len == 0 || v->data != NULL, "%s: raw bytes missing", bad[k]);
	}
	const struct mapiprof_prop *props;
	size_t n;
	cr_assert_eq(mapiprof_section_props(tu_file, p, s, &props, &n), MAPIPROF_OK);
	cr_assert_eq(n, nbad + 1);
	assert_int(tu_prop(p, s, "00036600"), 0x501);
}

/* The raw bytes of a malformed value are the stored bytes, unchanged. */
Test(fixtures, malformed_values_keep_their_bytes)
{
	tu_open_built("malformed.dat");
	size_t p = profile_named("Malformed");
	size_t s = select_one(p, "global");
	const struct mapiprof_prop *v = tu_prop(p, s, "00036780");
	cr_assert_eq(v->len, 3);
	cr_assert_eq(memcmp(v->data, "\x01\x02\x03", 3), 0);
	v = tu_prop(p, s, "101f678c");
	cr_assert_eq(v->len, 12);
	cr_assert_eq(memcmp(v->data, "\xff\xff\xff\xff\x08\x00\x00\x00", 8), 0);
	v = tu_prop(p, s, "0014678f");
	cr_assert_eq(v->len, 0);
}

/* ---- hostile-names --------------------------------------------------------- */

/* Index of the profile whose name is exactly name (byte comparison). */
static size_t
profile_exact(const char *name)
{
	for (size_t i = 0; i < mapiprof_profile_count(tu_file); i++)
		if (strcmp(mapiprof_profile_at(tu_file, i)->name, name) == 0)
			return i;
	cr_assert_fail("no profile named exactly %s", name);
	return SIZE_MAX;
}

#define DE_NAME                                                                                    \
	"Pr\xc3\xbc"                                                                               \
	"fung"
#define JA_NAME                                                                                    \
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x97\xe3\x83\xad\xe3\x83\x95\xe3\x82\xa1\xe3" \
	"\x82\xa4\xe3\x83\xab"
#define EVIL_NAME "evil\x1b[31mred\x07"

Test(fixtures, hostile_profile_names_are_kept_byte_exactly)
{
	tu_open_built("hostile-names.dat");
	cr_assert_eq(mapiprof_profile_count(tu_file), 4);
	size_t de = profile_exact(DE_NAME);
	size_t ja = profile_exact(JA_NAME);
	size_t evil = profile_exact(EVIL_NAME);
	size_t odd = profile_exact("odd \"quoted\" ]name[");
	cr_assert_eq(mapiprof_profile_at(tu_file, de)->is_default, 1);
	cr_assert_eq(mapiprof_profile_at(tu_file, ja)->is_default, 0);
	cr_assert_eq(mapiprof_profile_at(tu_file, evil)->is_default, 0);
	cr_assert_eq(mapiprof_profile_at(tu_file, odd)->is_default, 0);
	size_t d;
	cr_assert_eq(mapiprof_profile_find(tu_file, NULL, &d), MAPIPROF_OK);
	cr_assert_eq(d, de);
	cr_assert_eq(mapiprof_profile_find(tu_file, EVIL_NAME, &d), MAPIPROF_OK);
	cr_assert_eq(d, evil);
	cr_assert_str_eq(mapiprof_profile_at(tu_file, ja)->root, WMS_ROOT);
	assert_str(tu_prop(ja, tu_section(ja, "3517490d76624c419a828607e2a54604"), "001f6000"),
	           JA_NAME);
}

Test(fixtures, hostile_strings_and_value_names_keep_control_characters)
{
	tu_open_built("hostile-names.dat");
	size_t p = profile_exact(EVIL_NAME);
	size_t g = select_one(p, "global");
	assert_str(tu_prop(p, g, "001e6602"), "srv\x1b[2J\x07");
	assert_str(tu_prop(p, g, "001f6603"), "line1\r\nline2\x1b]0;pwned\x07");
	const struct mapiprof_prop *v = tu_prop(p, g, "ctl\x1b]0;title\x07name");
	cr_assert_str_eq(v->value_name, "ctl\x1b]0;title\x07name");
	cr_assert_eq(v->is_tag, 0);
	assert_str(v, "value of a hostile name");
	assert_int(tu_prop(p, g, "00036604"), 2);
}

Test(fixtures, hostile_non_ascii_paths_decode_from_both_string_forms)
{
	tu_open_built("hostile-names.dat");
	size_t p = profile_exact(DE_NAME);
	cr_assert_eq(mapiprof_profile_at(tu_file, p)->nservices, 1);
	cr_assert_str_eq(mapiprof_profile_at(tu_file, p)->services[0], "MSUPST MS");
	size_t s = tu_section(p, "13fad1bc7beb9d960cf1f5605754d62f");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->owner,
	                 "1ad0ef2beedd41a3b77ca06c0cfb8a5b");
	const char *pst = "C:\\Users\\j\xc3\xbcrgen\\Documents\\Outlook-Dateien\\Pr\xc3\xbc"
	                  "fung.pst";
	assert_str(tu_prop(p, s, "001f6700"), pst);
	assert_str(tu_prop(p, s, "001e6700"), pst);
}

/* ---- no-profiles ----------------------------------------------------------- */

Test(fixtures, no_profiles_opens_with_count_zero)
{
	tu_open_built("no-profiles.dat");
	cr_assert_eq(mapiprof_profile_count(tu_file), 0);
	size_t p;
	cr_assert_eq(mapiprof_profile_find(tu_file, NULL, &p), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROFILES);
	cr_assert_eq(mapiprof_profile_find(tu_file, "Ghost", &p), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROFILES);
}

/* ---- multi-root ------------------------------------------------------------ */

/* The order of the roots and their defaults: test_locate.c
 * (locate, profiles_come_newest_root_first). */

Test(fixtures, multi_root_lookup_prefers_the_newest_root)
{
	tu_open_built("multi-root.dat");
	size_t p;
	cr_assert_eq(mapiprof_profile_find(tu_file, NULL, &p), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(tu_file, p)->name, "O16 Default");
	cr_assert_eq(mapiprof_profile_find(tu_file, "shared", &p), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(tu_file, p)->name, "Shared");
	cr_assert_str_eq(mapiprof_profile_at(tu_file, p)->office_version, "16.0");
	cr_assert_eq(mapiprof_profile_find(tu_file, "win9x default", &p), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_profile_at(tu_file, p)->root_kind, "wms9x");
	cr_assert_eq(mapiprof_section_count(tu_file, p), 1);
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, 0)->role, "instance");
	cr_assert_eq(mapiprof_profile_find(tu_file, "Nobody", &p), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROFILE);
}
