/* test_structs_real.c - the structure decoders on the three public sample
 * hives in fixtures/real (fixtures/real/README.md): every store entry ID
 * in them is recognised wherever it appears and decodes without error,
 * their PST paths read back (the same as the provider's PR_PST_PATH), the
 * account manager's accounts are summarised; and the CLI's list, show and
 * get print them, every JSON object with schema_version 2. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapiprof/mapiprof.h"
#include "testjson.h"
#include "testutil.h"

#define REGIPY  "real/regipy/NTUSER_BAGMRU.DAT"
#define NOTATIN "real/notatin/win7_ntuser.dat"
#define PLASO   "real/plaso/NTUSER-WIN7.DAT"

#define PLASO_PST   "C:\\Users\\nfury\\Documents\\Outlook Files\\nfury@stark-research-labs.com.pst"
#define REGIPY_PST  "C:\\Users\\tony\\Documents\\Outlook Files\\Outlook.pst"
#define NOTATIN_PST "C:\\Users\\jmroberts\\Documents\\Outlook Files\\Outlook.pst"
/* an older data file in notatin's MRU list (0a0d0200... 11020434) */
#define NOTATIN_OLD_PST "A:\\Z_Temp\\0356-0056_Chevron-Ecuador\\Woods-A_ConvertedIPDs.pst"

TestSuite(structs_real, .init = tu_setup, .fini = tu_teardown);

/* MUID_STORE_WRAP (MS-OXCDATA 2.2.4.3), the UID bytes 4..19 of a store
 * entry ID: what this test recognises independently of the decoder. */
static const uint8_t WRAP[16] = {0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A,
                                 0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2};

static int
is_store_eid(const uint8_t *p, size_t n)
{
	return n >= 20 && memcmp(p + 4, WRAP, 16) == 0;
}

static const struct mapiprof_field *
dfield(const struct mapiprof_decoded *d, const char *name)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (strcmp(d->fields[i].name, name) == 0)
			return &d->fields[i];
	return NULL;
}

static const char *
dstr(const struct mapiprof_decoded *d, const char *name)
{
	const struct mapiprof_field *f = dfield(d, name);
	cr_assert_not_null(f, "%s: no field %s", d->kind, name);
	cr_assert_eq(f->type, MAPIPROF_F_STRING);
	return f->s;
}

/* The decoded structure of element index of p, or NULL. */
static const struct mapiprof_decoded *
decoded_at(const struct mapiprof_prop *p, size_t index)
{
	for (size_t k = 0; k < p->ndecoded; k++)
		if (p->decoded[k].index == index)
			return &p->decoded[k];
	return NULL;
}

static int
path_known(const char *path, const char *const *known)
{
	for (; *known != NULL; known++)
		if (strcmp(path, *known) == 0)
			return 1;
	return 0;
}

/* Checks one store entry ID found in element index of p. */
static void
check_store(const struct mapiprof_prop *p, size_t index, const char *const *known)
{
	const struct mapiprof_decoded *d = decoded_at(p, index);
	cr_assert_not_null(d, "%s[%zu]: store entry ID not recognised", p->value_name, index);
	cr_assert_str_eq(d->kind, "store_entryid");
	cr_assert_null(d->error, "%s: %s", p->value_name, d->error);
	cr_assert_str_eq(dstr(d, "provider_dll"), "mspst.dll");
	cr_assert_str_eq(dstr(d, "provider"), "pst");
	cr_assert(path_known(dstr(d, "path"), known), "%s: path %s", p->value_name,
	          dstr(d, "path"));
}

/* Every store entry ID of profile p (single binary values and elements of
 * multi-values) decodes; each 01020fff PR_ENTRYID's path equals the
 * section's 001f6700 PR_PST_PATH_W.  Returns how many there were. */
static size_t
check_all_stores(size_t p, const char *const *known)
{
	size_t seen = 0, ns = mapiprof_section_count(tu_file, p);
	for (size_t s = 0; s < ns; s++) {
		const struct mapiprof_prop *props;
		size_t n;
		cr_assert_eq(mapiprof_section_props(tu_file, p, s, &props, &n), MAPIPROF_OK);
		for (size_t i = 0; i < n; i++) {
			const struct mapiprof_prop *pr = &props[i];
			if (pr->kind == MAPIPROF_V_MV_BINARY) {
				for (size_t k = 0; k < pr->count; k++)
					if (is_store_eid(pr->blobs[k].data, pr->blobs[k].len)) {
						check_store(pr, k, known);
						seen++;
					}
			} else if (is_store_eid(pr->data, pr->len)) {
				check_store(pr, 0, known);
				seen++;
			}
			if (strcmp(pr->value_name, "01020fff") == 0 && pr->ndecoded == 1) {
				const struct mapiprof_prop *pst = NULL;
				cr_assert_eq(mapiprof_prop_find(tu_file, p, s, "001f6700", &pst),
				             MAPIPROF_OK);
				cr_assert_str_eq(dstr(&pr->decoded[0], "path"), pst->s);
			}
		}
	}
	return seen;
}

Test(structs_real, plaso_every_store_entryid_decodes)
{
	static const char *const known[] = {PLASO_PST, NULL};
	size_t p = tu_open_outlook(PLASO);
	/* 01020fff of the PST provider, Delivery Store EntryID, MRU lists */
	cr_assert_geq(check_all_stores(p, known), 3);
}

Test(structs_real, regipy_every_store_entryid_decodes)
{
	static const char *const known[] = {REGIPY_PST, NULL};
	size_t p = tu_open_outlook(REGIPY);
	cr_assert_geq(check_all_stores(p, known), 3);
}

Test(structs_real, notatin_every_store_entryid_decodes)
{
	static const char *const known[] = {NOTATIN_PST, NOTATIN_OLD_PST, NULL};
	size_t p = tu_open_outlook(NOTATIN);
	cr_assert_geq(check_all_stores(p, known), 3);
}

Test(structs_real, plaso_pop3_account)
{
	size_t p = tu_open_outlook(PLASO);
	size_t s = tu_section(p, "9375CFF0413111d3B88A00104B2A6676\\00000003");
	cr_assert_str_eq(mapiprof_section_at(tu_file, p, s)->account_type, "pop3");
	const struct mapiprof_decoded *a = NULL;
	cr_assert_eq(mapiprof_account(tu_file, p, s, &a), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(a->kind, "account");
	cr_assert_str_eq(dstr(a, "type"), "pop3");
	cr_assert_str_eq(dstr(a, "server"), "controller.shieldbase.local");
	cr_assert_str_eq(dstr(a, "smtp_server"), "controller.shieldbase.local");
	cr_assert_str_eq(dstr(a, "account_name"), "nfury@stark-research-labs.com");
	/* no POP3 Port / SMTP Port value: the defaults, marked */
	cr_assert_eq(dfield(a, "port")->i, 110);
	cr_assert(dfield(a, "port")->flags & MAPIPROF_FIELD_DEFAULT);
	cr_assert_eq(dfield(a, "smtp_port")->i, 25);
	cr_assert(dfield(a, "smtp_port")->flags & MAPIPROF_FIELD_DEFAULT);
	cr_assert_str_eq(dstr(a, "preferences_uid"), "28ae1b715a5b1b48b0bf80e516e1e334");
	cr_assert_eq(dfield(a, "preferences_section_found")->i, 1);
	/* the preferences section is the account's AcctSettings section */
	size_t ps = tu_section(p, "28ae1b715a5b1b48b0bf80e516e1e334");
	cr_assert_str_eq(tu_prop(p, ps, "001f3001")->s, "AcctSettings0003");

	const struct mapiprof_prop *lv = tu_prop(p, s, "Leave on Server");
	cr_assert_eq(lv->ndecoded, 1);
	cr_assert_str_eq(lv->decoded[0].kind, "leave_on_server");
	cr_assert_eq(dfield(&lv->decoded[0], "days")->i, 14);
	cr_assert_eq(dfield(&lv->decoded[0], "leave_copy")->i, 1);
	const struct mapiprof_prop *sc = tu_prop(p, s, "SMTP Secure Connection");
	cr_assert_str_eq(dstr(&sc->decoded[0], "meaning"), "none");
	const struct mapiprof_prop *pw = tu_prop(p, s, "POP3 Password");
	cr_assert_str_eq(pw->decoded[0].kind, "secret");
	cr_assert_str_eq(dstr(&pw->decoded[0], "format"), "DPAPI blob");
	cr_assert_eq(dfield(&pw->decoded[0], "size")->i, 189);
	const struct mapiprof_prop *df = tu_prop(p, s, "Delivery Folder EntryID");
	cr_assert_str_eq(df->decoded[0].kind, "pst_folder_entryid");
	cr_assert_eq(dfield(&df->decoded[0], "nid_type")->i, 2); /* a normal folder */
	const struct mapiprof_prop *ds = tu_prop(p, s, "Delivery Store EntryID");
	cr_assert_str_eq(dstr(&ds->decoded[0], "path"), PLASO_PST);
	const struct mapiprof_prop *mp = tu_prop(
	    p, tu_section(p, "9375CFF0413111d3B88A00104B2A6676\\00000004"), "MAPI Provider");
	cr_assert(mp->decoded[0].unconfirmed, "MAPI Provider's meaning is not documented");
}

Test(structs_real, accounts_of_every_sample)
{
	static const struct {
		const char *hive;
		size_t naccounts;
		const char *pst;
	} want[] = {{PLASO, 4, PLASO_PST}, {REGIPY, 2, REGIPY_PST}, {NOTATIN, 3, NOTATIN_PST}};
	for (size_t h = 0; h < 3; h++) {
		size_t p = tu_open_outlook(want[h].hive);
		size_t found = 0, pst = 0;
		for (size_t s = 0; s < mapiprof_section_count(tu_file, p); s++) {
			const struct mapiprof_section *sec = mapiprof_section_at(tu_file, p, s);
			const struct mapiprof_decoded *a = NULL;
			if (sec->account_type == NULL) {
				cr_assert_neq(mapiprof_account(tu_file, p, s, &a), MAPIPROF_OK);
				cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
				mapiprof_clear_error(tu_ctx);
				continue;
			}
			cr_assert_str_eq(sec->role, "account");
			found++;
			cr_assert_eq(mapiprof_account(tu_file, p, s, &a), MAPIPROF_OK);
			const struct mapiprof_field *svc = dfield(a, "service");
			if (svc != NULL && strcmp(svc->s, "pst") == 0) {
				cr_assert_str_eq(dstr(a, "path"), want[h].pst);
				pst++;
			}
		}
		cr_assert_eq(found, want[h].naccounts, "%s", want[h].hive);
		cr_assert_eq(pst, 1, "%s", want[h].hive);
	}
}

/* ---- CLI ---------------------------------------------------------------- */

/* schema_version 2, and as the first key. */
static void
assert_schema(json_t *o)
{
	cr_assert_eq(tj_int(o, "schema_version"), 2);
	cr_assert_str_eq(json_object_iter_key(json_object_iter(o)), "schema_version");
}

Test(structs_real, cli_list_prints_accounts)
{
	char *h = tu_stage_src(PLASO);
	TU_CLI("list", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "  account: pop3  nfury@stark-research-labs.com  "
	                                       "controller.shieldbase.local\n"),
	                   "%s", tu_last.out);
	cr_assert_not_null(strstr(
	    tu_last.out, "  account: mapi/pst  nfury@stark-research-labs.com  " PLASO_PST "\n"));
	cr_assert_not_null(
	    strstr(tu_last.out, "  account: mapi/address_book  Outlook Address Book  -\n"));
	json_t *f = TJ_CLI("list", "--json", h);
	assert_schema(f);
	json_t *accts =
	    json_object_get(json_array_get(json_object_get(f, "profiles"), 0), "accounts");
	cr_assert_eq(json_array_size(accts), 4);
	json_t *pop = tj_find(accts, "type", "pop3");
	cr_assert_str_eq(tj_str(pop, "server"), "controller.shieldbase.local");
	cr_assert_eq(tj_int(pop, "port"), 110);
	json_t *defaults = json_object_get(pop, "defaults");
	cr_assert_eq(json_array_size(defaults), 2);
	cr_assert_str_eq(json_string_value(json_array_get(defaults, 0)), "port");
	cr_assert_str_eq(tj_str(pop, "section"), "9375CFF0413111d3B88A00104B2A6676\\00000003");
	json_decref(f);
	free(h);
}

Test(structs_real, cli_show_json_decoded_and_account_type)
{
	char *h = tu_stage_src(REGIPY);
	json_t *f = TJ_CLI("show", "--json", h);
	assert_schema(f);
	json_t *secs = tj_first_sections(f);
	json_t *prov = tj_find(secs, "uid", "6876da12b533bc47a32ce78191722d01");
	json_t *eid = tj_find(json_object_get(prov, "properties"), "value_name", "01020fff");
	json_t *d = json_object_get(eid, "decoded");
	cr_assert_str_eq(tj_str(d, "kind"), "store_entryid");
	cr_assert_str_eq(tj_str(d, "path"), REGIPY_PST);
	cr_assert_null(json_object_get(d, "error"));
	json_t *outlook = tj_find(secs, "uid", "0a0d020000000000c000000000000046");
	json_t *mru = tj_find(json_object_get(outlook, "properties"), "value_name", "1102039b");
	json_t *md = json_object_get(mru, "decoded");
	cr_assert_str_eq(tj_str(md, "kind"), "elements");
	json_t *el = json_array_get(json_object_get(md, "elements"), 0);
	cr_assert_eq(tj_int(el, "index"), 0);
	cr_assert_str_eq(tj_str(el, "path"), REGIPY_PST);
	json_t *acct = tj_find(secs, "uid", "9375CFF0413111d3B88A00104B2A6676\\00000002");
	cr_assert_str_eq(tj_str(acct, "account_type"), "mapi");
	cr_assert_str_eq(tj_str(json_object_get(acct, "account"), "service"), "pst");
	json_t *mp = tj_find(json_object_get(acct, "properties"), "value_name", "MAPI Provider");
	cr_assert(json_is_true(json_object_get(json_object_get(mp, "decoded"), "unconfirmed")));
	cr_assert_null(json_object_get(tj_find(secs, "uid", "9375CFF0413111d3B88A00104B2A6676"),
	                               "account_type"),
	               "the account manager key is no account");
	json_decref(f);
	TU_CLI("show", "--section", "6876da12b533bc47a32ce78191722d01", h);
	cr_assert_not_null(strstr(tu_last.out, "      decoded: store_entryid  flags=0"), "%s",
	                   tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "path=\"" REGIPY_PST "\""));
	free(h);
}

Test(structs_real, cli_get_prints_decoded_lines_and_schema_version)
{
	char *h = tu_stage_src(PLASO);
	TU_CLI("get", "--section", "accounts", "Leave on Server", h);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_eq(tu_last.out, "917507\ndecoded: leave_on_server  value=917507, "
	                              "leave_copy=true, remove_after_days=true, "
	                              "remove_when_deleted=false, days=14\n");
	json_t *g = TJ_CLI("get", "--json", "--section", "accounts", "Delivery Store EntryID", h);
	assert_schema(g);
	cr_assert_str_eq(tj_str(json_object_get(g, "decoded"), "path"), PLASO_PST);
	json_decref(g);
	/* an error object too */
	TU_CLI("get", "--json", "--section", "accounts", "No Such Value", h);
	cr_assert_eq(tu_last.status, 1);
	json_t *e = tj_line(tu_last.out, 0);
	assert_schema(e);
	cr_assert_not_null(json_object_get(e, "error"));
	json_decref(e);
	/* and commands that print no property */
	json_t *i = TJ_CLI("info", "--json", h);
	assert_schema(i);
	json_decref(i);
	json_t *t = TJ_CLI("tags", "--json");
	assert_schema(t);
	json_decref(t);
	free(h);
}
