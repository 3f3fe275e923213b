/* test_plan.c - planning recipes on fixture hives: which profiles a recipe
 * applies to, which sections each edit selects or creates, the public
 * changes (before/after decoded), the per-key final ops the writer
 * consumes, idempotence, and the errors. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "mapi/locate.h"
#include "plan/plan.h"
#include "store/store.h"
#include "testutil.h"

static struct mapiprof_plan *plan;
static struct mapiprof_recipe *rec;

static void
plan_teardown(void)
{
	mapiprof_plan_free(plan);
	plan = NULL;
	mapiprof_recipe_free(rec);
	rec = NULL;
	tu_teardown();
}

TestSuite(plan, .init = tu_setup, .fini = plan_teardown);

#define GLOBAL_UID  "13dbb0c8aa05101a9bb000aa002fc45a"
#define EMSAB_UID   "dca740c8c042101ab4b908002b2fe182"
#define OUTLOOK_UID "0a0d020000000000c000000000000046"
#define W_EMSMDB1   "7e6a5c0be50b8ecef2131e2d0a8b4fef"
#define W_EMSMDB2   "36de8fa92747df44444b34fc3e2451d3"
#define GC          "exchange2007-gc-referral"
#define SKIP_REASON "no Exchange service (MSEMS) and no Exchange settings in the global section"

/* ---- helpers ----------------------------------------------------------- */

static void
load(const char *name)
{
	mapiprof_recipe_free(rec);
	rec = NULL;
	cr_assert_eq(mapiprof_recipe_load(tu_ctx, name, &rec), MAPIPROF_OK, "%s: %s", name,
	             mapiprof_errmsg(tu_ctx));
}

static void
load_edits(const char *const *edits, size_t n)
{
	mapiprof_recipe_free(rec);
	rec = NULL;
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, edits, n, &rec), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
}

/* Plans rec on the profiles; asserts success. */
static void
build(const size_t *profiles, size_t n)
{
	mapiprof_plan_free(plan);
	plan = NULL;
	cr_assert_eq(mapiprof_plan_build(tu_file, rec, profiles, n, &plan), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_not_null(plan);
}

/* Plans rec on one profile expecting failure with code; returns the message. */
static const char *
build_fails(size_t profile, enum mapiprof_error code)
{
	struct mapiprof_plan *p = (struct mapiprof_plan *)&p;
	cr_assert_eq(mapiprof_plan_build(tu_file, rec, &profile, 1, &p), MAPIPROF_FAILED);
	cr_assert_null(p);
	cr_assert_eq(mapiprof_errcode(tu_ctx), code, "code %d: %s", (int)mapiprof_errcode(tu_ctx),
	             mapiprof_errmsg(tu_ctx));
	return mapiprof_errmsg(tu_ctx);
}

/* Plans one edit on one profile. */
static void
build_edit(const char *edit, size_t profile)
{
	load_edits(&edit, 1);
	build(&profile, 1);
}

static const struct mapiprof_change *
change(size_t i)
{
	const struct mapiprof_change *c = mapiprof_plan_at(plan, i);
	cr_assert_not_null(c, "no change %zu", i);
	return c;
}

static const struct mp_key_change *
key_of(const char *uid)
{
	for (size_t i = 0; i < plan->nkeys; i++)
		if (strcmp(plan->keys[i].uid, uid) == 0)
			return &plan->keys[i];
	cr_assert_fail("no plan key %s", uid);
	return NULL;
}

/* Asserts that op i of k sets value_name to (reg_type, hex) or deletes it
 * (hex NULL). */
static void
assert_op(const struct mp_key_change *k, size_t i, const char *value_name, uint32_t reg_type,
          const char *hex)
{
	cr_assert_lt(i, k->nops, "key %s has %zu ops", k->uid, k->nops);
	const struct mp_value_change *op = &k->ops[i];
	cr_assert_str_eq(op->value_name, value_name);
	if (hex == NULL) {
		cr_assert(op->del, "%s not deleted", value_name);
		return;
	}
	cr_assert_not(op->del, "%s deleted", value_name);
	cr_assert_eq(op->reg_type, reg_type, "%s", value_name);
	char got[512];
	cr_assert_lt(op->len, sizeof(got) / 2);
	mp_hex_encode(op->data, op->len, got);
	cr_assert_str_eq(got, hex, "%s", value_name);
}

/* Asserts a PT_LONG change of value_name in section from before to after
 * (absent: -1). */
static void
assert_long_change(const struct mapiprof_change *c, const char *section, const char *value_name,
                   int64_t before, int64_t after)
{
	cr_assert_str_eq(c->section, section);
	cr_assert_str_eq(c->value_name, value_name);
	if (before < 0) {
		cr_assert_null(c->before, "%s before", value_name);
	} else {
		cr_assert_not_null(c->before, "%s before", value_name);
		cr_assert_eq(c->before->kind, MAPIPROF_V_INT);
		cr_assert_eq(c->before->i, before, "%s before %lld", value_name,
		             (long long)c->before->i);
	}
	cr_assert_not_null(c->after, "%s after", value_name);
	cr_assert_eq(c->after->kind, MAPIPROF_V_INT);
	cr_assert_eq(c->after->i, after, "%s after %lld", value_name, (long long)c->after->i);
}

static int
has_flag(const struct mapiprof_prop *p, const char *name)
{
	for (size_t i = 0; i < p->nflags; i++)
		if (strcmp(p->flags[i], name) == 0)
			return 1;
	return 0;
}

/* ---- the GC-referral recipe on the Exchange 2007-era fixture ------------ */

Test(plan, gc_recipe_plans_exactly_the_five_changes_and_skips_the_pst_profile)
{
	tu_open_built("exchange-mapi.dat");
	size_t ps[2] = {tu_profile("Exchange"), tu_profile("Personal")};
	load(GC);
	build(ps, 2);
	cr_assert_eq(mapiprof_plan_count(plan), 5);
	assert_long_change(change(0), GLOBAL_UID, "00036604", 0x2, 0x0);
	assert_long_change(change(1), GLOBAL_UID, "00036606", 0x0, 0x4000);
	assert_long_change(change(2), GLOBAL_UID, "0003661b", 2653, 3000);
	assert_long_change(change(3), EMSAB_UID, "00036619", 10, 9);
	assert_long_change(change(4), EMSAB_UID, "00036639", -1, 1);
	for (size_t i = 0; i < 5; i++) {
		const struct mapiprof_change *c = change(i);
		cr_assert_eq(c->profile, ps[0]);
		cr_assert_str_eq(c->profile_name, "Exchange");
		cr_assert_not(c->new_section);
		cr_assert_str_eq(c->role, i < 3 ? "global" : "emsab");
		cr_assert_str_eq(c->edit, mapiprof_recipe_info(rec)->edits[i]);
	}
	cr_assert_eq(mapiprof_plan_skip_count(plan), 1);
	const struct mapiprof_skip *s = mapiprof_plan_skip_at(plan, 0);
	cr_assert_eq(s->profile, ps[1]);
	cr_assert_str_eq(s->profile_name, "Personal");
	cr_assert_str_eq(s->reason, SKIP_REASON);
	cr_assert_null(mapiprof_plan_skip_at(plan, 1));
	cr_assert_null(mapiprof_plan_at(plan, 5));
}

Test(plan, gc_changes_are_decoded_with_flag_names_and_prop_names)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = tu_profile("Exchange");
	load(GC);
	build(&p, 1);
	const struct mapiprof_change *c = change(0);
	cr_assert_str_eq(c->prop_name, "PR_PROFILE_CONNECT_FLAGS");
	cr_assert_eq(c->tag, 0x66040003);
	cr_assert(has_flag(c->before, "CONNECT_NO_RPC_ENCRYPTION"));
	cr_assert_eq(c->after->nflags, 0);
	cr_assert_str_eq(c->after->reg_type_name, "REG_BINARY");
	cr_assert(has_flag(change(1)->after, "EDK_PROFILEUISTATE_ENCRYPTNETWORK"));
	cr_assert(has_flag(change(3)->before, "RPC_C_AUTHN_WINNT"));
	cr_assert(has_flag(change(3)->after, "RPC_C_AUTHN_GSS_NEGOTIATE"));
	cr_assert_str_eq(change(4)->prop_name, "PR_PROFILE_ABP_ALLOW_RECONNECT");
}

Test(plan, gc_plan_keys_hold_the_final_ops_for_the_writer)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = tu_profile("Exchange");
	load(GC);
	build(&p, 1);
	cr_assert_eq(plan->nkeys, 2);
	const struct mp_profile *pr = &tu_file->profiles[p];
	const struct mp_key_change *g = key_of(GLOBAL_UID);
	cr_assert_eq(g->profile, p);
	cr_assert_eq(g->profile_key, pr->key);
	cr_assert_eq(g->key, pr->sections.v[tu_section(p, GLOBAL_UID)].key);
	cr_assert_neq(g->key, 0);
	cr_assert_eq(g->nops, 3);
	assert_op(g, 0, "00036604", MP_REG_BINARY, "00000000");
	assert_op(g, 1, "00036606", MP_REG_BINARY, "00400000");
	assert_op(g, 2, "0003661b", MP_REG_BINARY, "b80b0000");
	const struct mp_key_change *e = key_of(EMSAB_UID);
	cr_assert_eq(e->key, pr->sections.v[tu_section(p, EMSAB_UID)].key);
	cr_assert_eq(e->nops, 2);
	assert_op(e, 0, "00036619", MP_REG_BINARY, "09000000");
	assert_op(e, 1, "00036639", MP_REG_BINARY, "01000000");
}

/* The post-fix values of the GC recipe (and a higher server build). */
static const char gc_done_reg[] = TU_REG_HEADER TU_SYNTH_KEY GLOBAL_UID
    "]\n"
    "\"00036604\"=hex:04,00,00,00\n"
    "\"00036606\"=hex:01,40,00,00\n"
    "\"0003661b\"=hex:a0,0f,00,00\n" TU_SYNTH_KEY EMSAB_UID "]\n"
    "\"00036619\"=hex:09,00,00,00\n"
    "\"00036639\"=hex:01,00,00,00\n";

Test(plan, gc_recipe_on_fixed_values_is_an_empty_plan)
{
	size_t p = tu_open_reg(gc_done_reg, "Synth");
	load(GC);
	build(&p, 1);
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	cr_assert_eq(mapiprof_plan_skip_count(plan), 0);
	cr_assert_eq(plan->nkeys, 0);
}

/* Exchange settings in the global section (no MSEMS service), no MUIDEMSAB. */
static const char no_emsab_reg[] =
    TU_REG_HEADER TU_SYNTH_KEY GLOBAL_UID "]\n"
                                          "\"00036604\"=hex:06,00,00,00\n"
                                          "\"0003661b\"=hex:00,10,00,00\n";

Test(plan, missing_emsab_section_is_planned_for_creation)
{
	size_t p = tu_open_reg(no_emsab_reg, "Synth");
	load(GC);
	build(&p, 1);
	/* CONNECT 6 -> 4 keeps CONNECT_USE_SEPARATE_CONNECTION; UI_STATE is
	 * created; 4096 >= 3000 is kept; MUIDEMSAB is created with both. */
	cr_assert_eq(mapiprof_plan_count(plan), 4);
	assert_long_change(change(0), GLOBAL_UID, "00036604", 6, 4);
	assert_long_change(change(1), GLOBAL_UID, "00036606", -1, 0x4000);
	assert_long_change(change(2), EMSAB_UID, "00036619", -1, 9);
	assert_long_change(change(3), EMSAB_UID, "00036639", -1, 1);
	cr_assert_not(change(1)->new_section);
	cr_assert(change(2)->new_section);
	cr_assert_str_eq(change(2)->role, "emsab");
	cr_assert(has_flag(change(2)->after, "RPC_C_AUTHN_GSS_NEGOTIATE"));
	const struct mp_key_change *e = key_of(EMSAB_UID);
	cr_assert_eq(e->key, 0);
	cr_assert_eq(e->profile_key, tu_file->profiles[p].key);
	cr_assert_eq(e->nops, 2);
	assert_op(e, 0, "00036619", MP_REG_BINARY, "09000000");
	cr_assert_eq(plan->nkeys, 2);
}

Test(plan, a_new_section_with_nothing_to_write_is_not_created)
{
	size_t p = tu_open_reg(no_emsab_reg, "Synth");
	const char *edits[] = {"emsab PR_PROFILE_CONNECT_FLAGS -= 0x2", "outlook 0x3FFF0003 unset"};
	load_edits(edits, 2);
	build(&p, 1);
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	cr_assert_eq(plan->nkeys, 0);
}

Test(plan, raw_uid_selector_creates_a_lower_case_key)
{
	size_t p = tu_open_reg(no_emsab_reg, "Synth");
	const char *edits[] = {"0A0D020000000000C000000000000046 0x3FFF0003 = 7",
	                       "00112233445566778899AABBCCDDEEFF 0x3FFF0003 = 8",
	                       "outlook 0x3FFF0003 += 0x10"};
	load_edits(edits, 3);
	build(&p, 1);
	cr_assert_eq(mapiprof_plan_count(plan), 2);
	cr_assert_str_eq(change(0)->section, OUTLOOK_UID);
	cr_assert_str_eq(change(0)->role, "outlook");
	/* The outlook edit found the key the UID edit planned: 7 | 0x10. */
	assert_long_change(change(0), OUTLOOK_UID, "00033fff", -1, 0x17);
	cr_assert_str_eq(change(0)->edit, "outlook 0x3FFF0003 += 0x10");
	cr_assert_str_eq(change(1)->section, "00112233445566778899aabbccddeeff");
	cr_assert_str_eq(change(1)->role, "unknown");
	cr_assert(change(1)->new_section);
	cr_assert_eq(key_of("00112233445566778899aabbccddeeff")->key, 0);
}

/* ---- cached mode on the Outlook 2016 two-account fixture ----------------- */

Test(plan, cached_mode_on_plans_only_the_emsmdb_section_lacking_0x180)
{
	tu_open_built("outlook2016-two-accounts.dat");
	size_t p = tu_profile("Work");
	load("cached-mode-on");
	build(&p, 1);
	/* Account 1 (7e6a5c0b...) already has 0x184; account 2 has 0x4. */
	cr_assert_eq(mapiprof_plan_count(plan), 1);
	const struct mapiprof_change *c = change(0);
	assert_long_change(c, W_EMSMDB2, "00036601", 0x4, 0x184);
	cr_assert_str_eq(c->role, "emsmdb");
	cr_assert(has_flag(c->after, "CONFIG_OST_CACHE_PRIVATE"));
	cr_assert(has_flag(c->after, "CONFIG_SHOW_CONNECT_UI"));
	cr_assert_eq(plan->nkeys, 1);
	assert_op(key_of(W_EMSMDB2), 0, "00036601", MP_REG_BINARY, "84010000");
}

Test(plan, cached_mode_off_clears_both_bits_of_the_cached_account_only)
{
	tu_open_built("outlook2016-two-accounts.dat");
	size_t p = tu_profile("Work");
	load("cached-mode-off");
	build(&p, 1);
	cr_assert_eq(mapiprof_plan_count(plan), 1);
	assert_long_change(change(0), W_EMSMDB1, "00036601", 0x184, 0x4);
}

Test(plan, cached_mode_on_uses_the_global_section_of_an_old_profile)
{
	tu_open_built("exchange-mapi.dat");
	size_t ps[2] = {tu_profile("Exchange"), tu_profile("Personal")};
	load("cached-mode-on");
	build(ps, 2);
	cr_assert_eq(mapiprof_plan_count(plan), 1);
	assert_long_change(change(0), GLOBAL_UID, "00036601", 0x4, 0x184);
	cr_assert_eq(mapiprof_plan_skip_count(plan), 1);
}

Test(plan, exchange_selector_is_emsmdb_sections_else_global)
{
	size_t *idx = NULL, n = 0;
	tu_open_built("outlook2016-two-accounts.dat");
	size_t w = tu_profile("Work");
	cr_assert_eq(mapiprof_select(tu_file, w, "exchange", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 2);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(mapiprof_section_at(tu_file, w, idx[i])->role, "emsmdb");
	free(idx);
	tu_open_built("exchange-mapi.dat");
	size_t x = tu_profile("Exchange");
	cr_assert_eq(mapiprof_select(tu_file, x, "EXCHANGE", &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(mapiprof_section_at(tu_file, x, idx[0])->uid, GLOBAL_UID);
	free(idx);
	cr_assert(mapiprof_selector_valid("exchange"));
}

/* ---- recipe scope ------------------------------------------------------------ */

Test(plan, legacy_recipe_skips_an_outlook_2016_profile_and_says_why)
{
	tu_open_built("outlook2016-two-accounts.dat");
	size_t p = tu_profile("Work");
	load("exchange2007-gc-referral");
	build(&p, 1);
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	cr_assert_eq(plan->nkeys, 0, "nothing is created, not even the MUIDEMSAB section");
	cr_assert_eq(mapiprof_plan_skip_count(plan), 1);
	const struct mapiprof_skip *s = mapiprof_plan_skip_at(plan, 0);
	cr_assert_str_eq(s->profile_name, "Work");
	cr_assert_not_null(strstr(s->reason, "per-account emsmdb sections"), "%s", s->reason);
}

Test(plan, legacy_recipe_applies_to_a_global_section_profile)
{
	tu_open_built("exchange-mapi.dat");
	size_t ps[2] = {tu_profile("Exchange"), tu_profile("Personal")};
	load("exchange2007-gc-referral");
	build(ps, 2);
	cr_assert_eq(mapiprof_plan_count(plan), 5);
	/* Personal (PST only) is skipped for having no Exchange at all. */
	cr_assert_eq(mapiprof_plan_skip_count(plan), 1);
	cr_assert_not_null(strstr(mapiprof_plan_skip_at(plan, 0)->reason, "no Exchange service"));
}

Test(plan, exchange_recipe_still_applies_to_an_outlook_2016_profile)
{
	static const char *const edits[] = {"exchange PR_PROFILE_CONFIG_FLAGS += 0x4"};
	tu_open_built("outlook2016-two-accounts.dat");
	size_t p = tu_profile("Work");
	load_edits(edits, 1);
	build(&p, 1);
	cr_assert_eq(mapiprof_plan_skip_count(plan), 0);
}

/* ---- operators and values -------------------------------------------------- */

Test(plan, unset_deletes_a_present_value_and_ignores_an_absent_one)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = tu_profile("Exchange");
	build_edit("global PR_PROFILE_CONNECT_FLAGS unset", p);
	cr_assert_eq(mapiprof_plan_count(plan), 1);
	const struct mapiprof_change *c = change(0);
	cr_assert_not_null(c->before);
	cr_assert_eq(c->before->i, 2);
	cr_assert_null(c->after);
	assert_op(key_of(GLOBAL_UID), 0, "00036604", 0, NULL);
	build_edit("emsab PR_PROFILE_ABP_ALLOW_RECONNECT unset", p);
	cr_assert_eq(mapiprof_plan_count(plan), 0);
}

Test(plan, later_edits_see_earlier_results_and_one_change_per_value)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = tu_profile("Exchange");
	const char *edits[] = {"global PR_PROFILE_CONNECT_FLAGS = 5",
	                       "global PR_PROFILE_TRANSPORT_FLAGS -= 0x1",
	                       "global PR_PROFILE_CONNECT_FLAGS += 0x10"};
	load_edits(edits, 3);
	build(&p, 1);
	cr_assert_eq(mapiprof_plan_count(plan), 2);
	assert_long_change(change(0), GLOBAL_UID, "00036604", 2, 0x15);
	cr_assert_str_eq(change(0)->edit, "global PR_PROFILE_CONNECT_FLAGS += 0x10");
	assert_long_change(change(1), GLOBAL_UID, "00036605", 3, 2);
	/* One key for the section, its ops in first-touched order. */
	cr_assert_eq(plan->nkeys, 1);
	assert_op(key_of(GLOBAL_UID), 0, "00036604", MP_REG_BINARY, "15000000");
	assert_op(key_of(GLOBAL_UID), 1, "00036605", MP_REG_BINARY, "02000000");
}

Test(plan, edits_that_cancel_out_plan_nothing)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = tu_profile("Exchange");
	const char *edits[] = {"global PR_PROFILE_CONNECT_FLAGS = 7",
	                       "global PR_PROFILE_CONNECT_FLAGS -= 0x5", "global 0x3FFF0003 = 1",
	                       "global 0x3FFF0003 unset"};
	load_edits(edits, 4);
	build(&p, 1);
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	cr_assert_eq(plan->nkeys, 0);
}

Test(plan, at_least_keeps_a_higher_value_and_compares_unsigned)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = tu_profile("Exchange");
	build_edit("global PR_PROFILE_SERVER_VERSION >= 2000", p);
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	/* 0xFFFFFFFF is the largest PT_LONG, not -1. */
	build_edit("global PR_PROFILE_SERVER_VERSION >= -1", p);
	assert_long_change(change(0), GLOBAL_UID, "0003661b", 2653, 0xFFFFFFFF);
}

Test(plan, string8_is_written_as_reg_sz_and_equal_text_plans_nothing)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = tu_profile("Exchange");
	build_edit("emsab PR_PROFILE_HOME_SERVER = gc01.contoso.com", p);
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	build_edit("emsab PR_PROFILE_HOME_SERVER = \"gc02\"", p);
	cr_assert_eq(mapiprof_plan_count(plan), 1);
	const struct mapiprof_change *c = change(0);
	cr_assert_str_eq(c->before->s, "gc01.contoso.com");
	cr_assert_str_eq(c->after->s, "gc02");
	cr_assert_str_eq(c->after->reg_type_name, "REG_SZ");
	assert_op(key_of(EMSAB_UID), 0, "001e6602", MP_REG_SZ, "67006300300032000000");
}

/* Odd stored forms: a REG_DWORD PT_LONG, a short PT_LONG, an upper-case
 * value name. */
static const char odd_reg[] =
    TU_REG_HEADER TU_SYNTH_KEY GLOBAL_UID "]\n"
                                          "\"00036604\"=dword:00000002\n"
                                          "\"00036606\"=hex:00,40\n"
                                          "\"0003661B\"=hex:5d,0a,00,00\n";

Test(plan, bit_ops_that_change_nothing_keep_a_reg_dword_but_set_rewrites_it)
{
	size_t p = tu_open_reg(odd_reg, "Synth");
	build_edit("global PR_PROFILE_CONNECT_FLAGS += 0x2", p);
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	/* = writes the registry type MAPI uses (KB Q175107; MFCMAPI). */
	build_edit("global PR_PROFILE_CONNECT_FLAGS = 2", p);
	cr_assert_eq(mapiprof_plan_count(plan), 1);
	cr_assert_str_eq(change(0)->before->reg_type_name, "REG_DWORD");
	assert_op(key_of(GLOBAL_UID), 0, "00036604", MP_REG_BINARY, "02000000");
	build_edit("global PR_PROFILE_CONNECT_FLAGS -= 0x2", p);
	assert_op(key_of(GLOBAL_UID), 0, "00036604", MP_REG_BINARY, "00000000");
}

Test(plan, a_malformed_value_refuses_bit_ops_but_set_replaces_it)
{
	size_t p = tu_open_reg(odd_reg, "Synth");
	load_edits((const char *[]){"global PR_PROFILE_UI_STATE += 0x4000"}, 1);
	const char *msg = build_fails(p, MAPIPROF_E_EDIT);
	cr_assert(strstr(msg, "profile 'Synth', section " GLOBAL_UID) != NULL, "%s", msg);
	cr_assert(strstr(msg, "PR_PROFILE_UI_STATE (value 00036606)") != NULL, "%s", msg);
	cr_assert(strstr(msg, "'+=' cannot apply") != NULL, "%s", msg);
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), mapiprof_file_path(tu_file));
	build_edit("global PR_PROFILE_UI_STATE = 0x4000", p);
	cr_assert_eq(mapiprof_plan_count(plan), 1);
	cr_assert_not_null(change(0)->before->error);
	assert_op(key_of(GLOBAL_UID), 0, "00036606", MP_REG_BINARY, "00400000");
}

Test(plan, an_existing_value_keeps_its_stored_name_spelling)
{
	size_t p = tu_open_reg(odd_reg, "Synth");
	build_edit("global PR_PROFILE_SERVER_VERSION >= 3000", p);
	assert_op(key_of(GLOBAL_UID), 0, "0003661B", MP_REG_BINARY, "b80b0000");
	cr_assert_str_eq(change(0)->value_name, "0003661B");
}

/* ---- which profiles ------------------------------------------------------- */

Test(plan, any_recipe_applies_to_every_profile_given_once)
{
	tu_open_built("exchange-mapi.dat");
	size_t ps[3] = {tu_profile("Exchange"), tu_profile("Personal"), tu_profile("Exchange")};
	load_edits((const char *[]){"global 0x3FFF0003 = 1"}, 1);
	build(ps, 3);
	cr_assert_eq(mapiprof_plan_count(plan), 2);
	cr_assert_eq(mapiprof_plan_skip_count(plan), 0);
	cr_assert_str_eq(change(0)->profile_name, "Exchange");
	cr_assert_str_eq(change(1)->profile_name, "Personal");
	cr_assert_eq(plan->nkeys, 2);
}

Test(plan, no_profiles_is_an_empty_plan)
{
	tu_open_built("exchange-mapi.dat");
	load(GC);
	build(NULL, 0);
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	cr_assert_eq(mapiprof_plan_skip_count(plan), 0);
}

/* ---- errors ---------------------------------------------------------------- */

Test(plan, selector_without_a_creatable_section_is_enosection)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = tu_profile("Exchange");
	load_edits((const char *[]){"emsmdb PR_PROFILE_CONFIG_FLAGS += 0x180"}, 1);
	const char *msg = build_fails(p, MAPIPROF_E_NOSECTION);
	cr_assert(strstr(msg, "profile 'Exchange': no section matches 'emsmdb'") != NULL, "%s",
	          msg);
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), mapiprof_file_path(tu_file));
	load_edits((const char *[]){"service:MSEMS 0x3FFF0003 = 1"}, 1);
	msg = build_fails(tu_profile("Personal"), MAPIPROF_E_NOSECTION);
	cr_assert(strstr(msg, "'service:MSEMS'") != NULL, "%s", msg);
	load_edits((const char *[]){"accounts 0x3FFF0003 = 1"}, 1);
	build_fails(p, MAPIPROF_E_NOSECTION);
}

Test(plan, bad_arguments_are_einvalid)
{
	tu_open_built("exchange-mapi.dat");
	load(GC);
	size_t bad = mapiprof_profile_count(tu_file);
	struct mapiprof_plan *p = NULL;
	cr_assert_eq(mapiprof_plan_build(tu_file, rec, &bad, 1, &p), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	size_t ok = 0;
	cr_assert_eq(mapiprof_plan_build(tu_file, NULL, &ok, 1, &p), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert_null(p);
	mapiprof_plan_free(NULL);
	cr_assert_eq(mapiprof_plan_count(NULL), 0);
}

/* The plan owns everything it hands out: it outlives the file and recipe. */
Test(plan, plan_stays_valid_after_the_file_and_recipe_are_freed)
{
	tu_open_built("exchange-mapi.dat");
	size_t p = tu_profile("Exchange");
	load(GC);
	build(&p, 1);
	mapiprof_close(tu_file);
	tu_file = NULL;
	mapiprof_recipe_free(rec);
	rec = NULL;
	cr_assert_str_eq(change(2)->profile_name, "Exchange");
	cr_assert_str_eq(change(2)->edit, "global PR_PROFILE_SERVER_VERSION >= 3000");
	cr_assert_str_eq(change(2)->before->value_name, "0003661b");
	cr_assert_eq(change(2)->after->i, 3000);
	assert_op(key_of(EMSAB_UID), 1, "00036639", MP_REG_BINARY, "01000000");
}
