/* test_cli_write.c - the write commands of the built mapiprof binary (edit,
 * apply, recipes) on copies of the fixture hives: every operator and value
 * type read back with get, the GC-referral recipe confirmed by show --json
 * and by reglookup (an independent parser) to change exactly its five
 * values, idempotence, --check / --dry-run, skipped profiles, cached mode,
 * --backup / -o, dirty-hive refusal and --force, usage errors, batches and
 * the JSON Lines output parsed field by field. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testjson.h"
#include "testutil.h"

#define EXCH   "exchange-mapi.dat"
#define OL2016 "outlook2016-two-accounts.dat"
#define REGIPY "real/regipy/NTUSER_BAGMRU.DAT"
#define GC_FIX "exchange2007-gc-referral"
#define GLOBAL "13dbb0c8aa05101a9bb000aa002fc45a"
#define EMSAB  "dca740c8c042101ab4b908002b2fe182"
#define CACHED "7e6a5c0be50b8ecef2131e2d0a8b4fef" /* account 1, cached mode */
#define ONLINE "36de8fa92747df44444b34fc3e2451d3" /* account 2, online */
#define ARROW  " \xe2\x86\x92 "
#define EXCH_KEY                                                                                   \
	"/Software/Microsoft/Windows NT/CurrentVersion/Windows Messaging "                         \
	"Subsystem/Profiles/Exchange/"

TestSuite(cli_write, .init = tu_setup, .fini = tu_teardown);

/* ---- helpers -------------------------------------------------------------- */

/* The change of a file object with this value name (asserted present). */
static json_t *
change_of(json_t *file, const char *value_name)
{
	return tj_find(json_object_get(file, "changes"), "value_name", value_name);
}

/* ---- every operator, read back with get ------------------------------------ */

Test(cli_write, set_operator_writes_the_value)
{
	char *f = tu_stage_built(EXCH);
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", f, "10");
	TU_CLI_EXPECT(0, "edit", "-e", "emsab PR_PROFILE_AUTH_PACKAGE = 9", f);
	cr_assert_not_null(strstr(tu_last.out, "1 change written"), "%s", tu_last.out);
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", f, "9");
	free(f);
}

Test(cli_write, set_bits_operator_keeps_other_bits)
{
	char *f = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "edit", "-e", "global PR_PROFILE_CONNECT_FLAGS += 0x100", "-e",
	              "global PR_PROFILE_UI_STATE += EDK_PROFILEUISTATE_ENCRYPTNETWORK", f);
	tu_assert_get("global", "PR_PROFILE_CONNECT_FLAGS", f, "258"); /* 0x2 | 0x100 */
	tu_assert_get("global", "PR_PROFILE_UI_STATE", f, "16384");    /* 0x4000 */
	free(f);
}

Test(cli_write, clear_bits_operator_keeps_other_bits)
{
	char *f = tu_stage_built(EXCH);
	/* TRANSPORT_FLAGS is 0x3: clear 0x1 only. */
	TU_CLI_EXPECT(0, "edit", "-e",
	              "global PR_PROFILE_CONNECT_FLAGS -= CONNECT_NO_RPC_ENCRYPTION", "-e",
	              "global 0x66050003 -= 0x1", f);
	tu_assert_get("global", "PR_PROFILE_CONNECT_FLAGS", f, "0");
	tu_assert_get("global", "PR_PROFILE_TRANSPORT_FLAGS", f, "2");
	free(f);
}

Test(cli_write, at_least_operator_raises_but_never_lowers)
{
	char *f = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "edit", "-e", "global PR_PROFILE_SERVER_VERSION >= 3000", f);
	tu_assert_get("global", "PR_PROFILE_SERVER_VERSION", f, "3000");
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(0, "edit", "-e", "global PR_PROFILE_SERVER_VERSION >= 100", f);
	cr_assert_not_null(strstr(tu_last.out, ": unchanged\n"), "%s", tu_last.out);
	tu_snap_assert_same(&s, f);
	tu_assert_get("global", "PR_PROFILE_SERVER_VERSION", f, "3000");
	free(f);
}

Test(cli_write, unset_operator_deletes_the_value)
{
	char *f = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "edit", "-e", "emsab PR_PROFILE_HOME_SERVER unset", f);
	cr_assert_not_null(strstr(tu_last.out, ARROW "(deleted)\n"), "%s", tu_last.out);
	TU_CLI_EXPECT(1, "get", "--section", "emsab", "PR_PROFILE_HOME_SERVER", f);
	cr_assert_not_null(strstr(tu_last.err, "no such property"), "%s", tu_last.err);
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", f, "10");
	free(f);
}

/* ---- every value type ----------------------------------------------------- */

Test(cli_write, string8_is_written_as_reg_sz)
{
	char *f = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "edit", "-e", "global PR_PROFILE_HOME_SERVER = \"EXCH02 \\\"new\\\"\"", f);
	tu_assert_get("global", "PR_PROFILE_HOME_SERVER", f, "EXCH02 \"new\"");
	json_t *j = TJ_CLI("get", "--json", "--section", "global", "PR_PROFILE_HOME_SERVER", f);
	cr_assert_str_eq(tj_str(j, "reg_type"), "REG_SZ");
	cr_assert_str_eq(tj_str(j, "type"), "PT_STRING8");
	json_decref(j);
	free(f);
}

Test(cli_write, unicode_string_is_written_as_reg_binary)
{
	char *f = tu_stage_built(EXCH);
	/* PR_DISPLAY_NAME_W (0x3001001F), new in the global section. */
	TU_CLI_EXPECT(0, "edit", "-e", "global 0x3001001F = Zo\xc3\xab's mailbox", f);
	cr_assert_not_null(strstr(tu_last.out, "(new)" ARROW), "%s", tu_last.out);
	tu_assert_get("global", "0x3001001F", f, "Zo\xc3\xab's mailbox");
	json_t *j = TJ_CLI("get", "--json", "--section", "global", "001f3001", f);
	cr_assert_str_eq(tj_str(j, "reg_type"), "REG_BINARY");
	cr_assert_str_eq(tj_str(j, "type"), "PT_UNICODE");
	json_decref(j);
	free(f);
}

Test(cli_write, binary_is_written_from_hex)
{
	char *f = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "edit", "-e", "instance PR_SEARCH_KEY = 00112233445566778899aabbccddeeff",
	              f);
	tu_assert_get("instance", "PR_SEARCH_KEY", f, "00112233445566778899aabbccddeeff");
	free(f);
}

Test(cli_write, boolean_is_written_as_true_or_false)
{
	char *f = tu_stage_built(OL2016);
	tu_assert_get("outlook", "0x0420000B", f, "true");
	TU_CLI_EXPECT(0, "edit", "-e", "outlook 0x0420000B = false", f);
	tu_assert_get("outlook", "0x0420000B", f, "false");
	free(f);
}

Test(cli_write, long_is_written_from_number_or_flag_names)
{
	char *f = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "edit", "-e", "global PR_PROFILE_CONFIG_FLAGS = 0x180", "-e",
	              "global PR_PROFILE_CONNECT_FLAGS = CONNECT_NO_RPC_ENCRYPTION|0x100", f);
	tu_assert_get("global", "PR_PROFILE_CONFIG_FLAGS", f, "384");
	tu_assert_get("global", "PR_PROFILE_CONNECT_FLAGS", f, "258");
	free(f);
}

/* ---- the GC-referral recipe ------------------------------------------------ */

Test(cli_write, gc_referral_skips_an_outlook_2016_profile_untouched)
{
	char *f = tu_stage_built(OL2016);
	struct tu_snap before = tu_snap_take(f);
	TU_CLI_EXPECT(0, "apply", GC_FIX, f);
	cr_assert_not_null(strstr(tu_last.out,
	                          "skipped profile 'Work': its Exchange settings are in "
	                          "per-account emsmdb sections"),
	                   "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "unchanged (every profile skipped)"), "%s",
	                   tu_last.out);
	tu_snap_assert_same(&before, f);
	TU_CLI_EXPECT(0, "apply", "--check", GC_FIX, f);
	free(f);
}

/* The set of "profile|section|value_name|PROP" lines of show --json. */
static char *
show_props(const char *file)
{
	struct tu_run r;
	cr_assert_eq(tu_cli(&r, "show", "--json", file, (char *)NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	json_t *j = tj_line(r.out, 0), *p, *s, *v;
	size_t cap = 1 << 16, len = 0, i, k, m;
	char *out = calloc(1, cap);
	json_array_foreach(json_object_get(j, "profiles"), i, p)
	{
		json_array_foreach(json_object_get(p, "sections"), k, s)
		{
			json_array_foreach(json_object_get(s, "properties"), m, v)
			{
				char *d = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
				size_t need = strlen(d) + 256;
				while (len + need >= cap)
					out = realloc(out, cap *= 2);
				len +=
				    (size_t)sprintf(out + len, "%s|%s|%s|%s\n", tj_str(p, "name"),
				                    tj_str(s, "uid"), tj_str(v, "value_name"), d);
				free(d);
			}
		}
	}
	json_decref(j);
	tu_run_free(&r);
	return out;
}

/* The lines of a that b lacks, each cut at its first cut character,
 * joined with '\n' (sorted as a had them). */
static char *
lines_missing(const char *a, const char *b, char cut)
{
	size_t blen = strlen(b);
	char *hay = malloc(blen + 2), *out = calloc(1, strlen(a) + 1);
	hay[0] = '\n';
	memcpy(hay + 1, b, blen + 1);
	size_t len = 0;
	for (const char *p = a; *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		char *needle = malloc(n + 3);
		needle[0] = '\n';
		memcpy(needle + 1, p, n);
		needle[n + 1] = '\n';
		needle[n + 2] = '\0';
		if (n > 0 && strstr(hay, needle) == NULL) {
			const char *c = memchr(p, cut, n);
			size_t keep = c != NULL ? (size_t)(c - p) : n;
			memcpy(out + len, p, keep);
			len += keep;
			out[len++] = '\n';
		}
		free(needle);
		p += n + (eol != NULL);
	}
	free(hay);
	return out;
}

/* Asserts that the lines of got are exactly the n lines of want, in any
 * order (each want[i] ends with '\n'). */
static void
assert_line_set(const char *got, const char *const want[], size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		cr_assert_not_null(strstr(got, want[i]), "missing %s in:\n%s", want[i], got);
		total += strlen(want[i]);
	}
	cr_assert_eq(strlen(got), total, "unexpected lines in:\n%s", got);
}

#define K_CONNECT "Exchange|" GLOBAL "|00036604|\n"
#define K_UI      "Exchange|" GLOBAL "|00036606|\n"
#define K_VERSION "Exchange|" GLOBAL "|0003661b|\n"
#define K_AUTH    "Exchange|" EMSAB "|00036619|\n"
#define K_RECONN  "Exchange|" EMSAB "|00036639|\n"

Test(cli_write, gc_referral_changes_exactly_five_values_per_show)
{
	char *f = tu_stage_built(EXCH);
	char *before = show_props(f);
	TU_CLI_EXPECT(0, "apply", GC_FIX, f);
	cr_assert_not_null(strstr(tu_last.out, ": 5 changes written\n"), "%s", tu_last.out);
	char *after = show_props(f);
	char *gone = lines_missing(before, after, '{');
	char *came = lines_missing(after, before, '{');
	/* Removed: the four old values; added: those four and the new one. */
	cr_assert_str_eq(gone, K_CONNECT K_UI K_VERSION K_AUTH);
	const char *const want[] = {K_CONNECT, K_UI, K_VERSION, K_AUTH, K_RECONN};
	assert_line_set(came, want, 5);
	tu_assert_get("global", "PR_PROFILE_CONNECT_FLAGS", f, "0");
	tu_assert_get("global", "PR_PROFILE_UI_STATE", f, "16384");
	tu_assert_get("global", "PR_PROFILE_SERVER_VERSION", f, "3000");
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", f, "9");
	tu_assert_get("emsab", "PR_PROFILE_ABP_ALLOW_RECONNECT", f, "1");
	free(gone);
	free(came);
	free(before);
	free(after);
	free(f);
}

/* reglookup's lines for the values of file, without the key lines (whose
 * MTIME column a rewrite may change), malloc'd. */
static char *
reglookup_values(const char *file)
{
	char *argv[] = {(char *)"/usr/bin/reglookup", (char *)"-H", (char *)file, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "reglookup %s: %s", file, r.err);
	char *out = calloc(1, r.outlen + 1);
	size_t len = 0;
	for (const char *p = r.out; *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) + 1 : strlen(p);
		const char *key = strstr(p, ",KEY,");
		if (key == NULL || key > p + n) {
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
	}
	tu_run_free(&r);
	return out;
}

Test(cli_write, gc_referral_changes_exactly_five_values_per_reglookup)
{
	if (!tu_exists("/usr/bin/reglookup"))
		cr_skip_test("reglookup is not installed");
	char *f = tu_stage_built(EXCH);
	char *before = reglookup_values(f);
	TU_CLI_EXPECT(0, "apply", GC_FIX, f);
	char *after = reglookup_values(f);
	char *gone = lines_missing(before, after, '\0');
	char *came = lines_missing(after, before, '\0');
	cr_assert_str_eq(gone, EXCH_KEY GLOBAL "/00036604,BINARY,%02%00%00%00,\n" EXCH_KEY GLOBAL
	                                       "/00036606,BINARY,%00%00%00%00,\n" EXCH_KEY GLOBAL
	                                       "/0003661b,BINARY,]%0A%00%00,\n" EXCH_KEY EMSAB
	                                       "/00036619,BINARY,%0A%00%00%00,\n");
	/* The same four with their new data, and the new value (in an order
	 * the writer chooses). */
	const char *const want[] = {
	    EXCH_KEY GLOBAL "/00036604,BINARY,%00%00%00%00,\n",
	    EXCH_KEY GLOBAL "/00036606,BINARY,%00@%00%00,\n",
	    EXCH_KEY GLOBAL "/0003661b,BINARY,%B8%0B%00%00,\n",
	    EXCH_KEY EMSAB "/00036619,BINARY,%09%00%00%00,\n",
	    EXCH_KEY EMSAB "/00036639,BINARY,%01%00%00%00,\n",
	};
	assert_line_set(came, want, sizeof(want) / sizeof(want[0]));
	free(gone);
	free(came);
	free(before);
	free(after);
	free(f);
}

Test(cli_write, gc_referral_second_run_is_a_no_op)
{
	char *f = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "apply", GC_FIX, f);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(0, "apply", GC_FIX, f);
	cr_assert_eq(tu_count_lines(tu_last.out), 1, "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, ": unchanged\n"), "%s", tu_last.out);
	tu_snap_assert_same(&s, f);
	free(f);
}

Test(cli_write, check_exits_3_then_0_after_applying)
{
	char *f = tu_stage_built(EXCH);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(3, "apply", "--check", GC_FIX, f);
	cr_assert_not_null(strstr(tu_last.out, ": would change 5 values\n"), "%s", tu_last.out);
	tu_snap_assert_same(&s, f);
	TU_CLI_EXPECT(0, "apply", GC_FIX, f);
	TU_CLI_EXPECT(0, "apply", "--check", GC_FIX, f);
	cr_assert_not_null(strstr(tu_last.out, ": unchanged\n"), "%s", tu_last.out);
	free(f);
}

Test(cli_write, dry_run_prints_the_plan_and_writes_nothing)
{
	char *f = tu_stage_built(EXCH);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(0, "apply", "--dry-run", GC_FIX, f);
	tu_snap_assert_same(&s, f);
	/* Five plan lines and the status line. */
	cr_assert_eq(tu_count_lines(tu_last.out), 6, "%s", tu_last.out);
	char want[512];
	snprintf(want, sizeof(want),
	         "%s: Exchange: " GLOBAL " (global): PR_PROFILE_CONNECT_FLAGS (00036604): "
	         "2 (0x00000002)  CONNECT_NO_RPC_ENCRYPTION" ARROW "0 (0x00000000)\n",
	         f);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	snprintf(want, sizeof(want),
	         "%s: Exchange: " EMSAB " (emsab): PR_PROFILE_ABP_ALLOW_RECONNECT (00036639): "
	         "(new)" ARROW "1",
	         f);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "EDK_PROFILEUISTATE_ENCRYPTNETWORK\n"), "%s",
	                   tu_last.out);
	cr_assert_not_null(
	    strstr(tu_last.out, ": would change 5 values (dry run: nothing written)\n"), "%s",
	    tu_last.out);
	free(f);
}

Test(cli_write, all_profiles_skips_the_pst_only_profile)
{
	char *f = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "apply", "--all-profiles", GC_FIX, f);
	cr_assert_not_null(strstr(tu_last.out, ": skipped profile 'Personal': "), "%s",
	                   tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, ": 5 changes written\n"), "%s", tu_last.out);
	/* Personal's global section stays empty: no Exchange value was added. */
	json_t *j = TJ_CLI("show", "--json", "--profile", "Personal", "--section", "global", f);
	json_t *sec = json_array_get(
	    json_object_get(json_array_get(json_object_get(j, "profiles"), 0), "sections"), 0);
	cr_assert_eq(json_array_size(json_object_get(sec, "properties")), 0);
	json_decref(j);
	/* Only Personal left: nothing to change, and it is said so. */
	TU_CLI_EXPECT(0, "apply", "--profile", "personal", GC_FIX, f);
	cr_assert_not_null(strstr(tu_last.out, ": skipped profile 'Personal': "), "%s",
	                   tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, ": unchanged (every profile skipped)\n"), "%s",
	                   tu_last.out);
	free(f);
}

/* ---- cached mode ------------------------------------------------------------ */

Test(cli_write, cached_mode_on_and_off_change_every_emsmdb_section)
{
	char *f = tu_stage_built(OL2016);
	tu_assert_get(CACHED, "PR_PROFILE_CONFIG_FLAGS", f, "388"); /* 0x184 */
	tu_assert_get(ONLINE, "PR_PROFILE_CONFIG_FLAGS", f, "4");
	TU_CLI_EXPECT(0, "apply", "cached-mode-on", f);
	cr_assert_not_null(strstr(tu_last.out, ": 1 change written\n"), "%s", tu_last.out);
	tu_assert_get(CACHED, "PR_PROFILE_CONFIG_FLAGS", f, "388");
	tu_assert_get(ONLINE, "PR_PROFILE_CONFIG_FLAGS", f, "388");
	TU_CLI_EXPECT(0, "apply", "cached-mode-off", f);
	cr_assert_not_null(strstr(tu_last.out, ": 2 changes written\n"), "%s", tu_last.out);
	tu_assert_get(CACHED, "PR_PROFILE_CONFIG_FLAGS", f, "4");
	tu_assert_get(ONLINE, "PR_PROFILE_CONFIG_FLAGS", f, "4");
	/* The global section of an Outlook 2016 profile stays empty. */
	TU_CLI_EXPECT(1, "get", "--section", "global", "PR_PROFILE_CONFIG_FLAGS", f);
	free(f);
}

/* ---- --backup and -o -------------------------------------------------------- */

Test(cli_write, backup_keeps_the_original)
{
	char *f = tu_stage_built(EXCH);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(0, "apply", "--backup", GC_FIX, f);
	char *bak = tu_tmp_path(EXCH ".bak");
	char want[512];
	snprintf(want, sizeof(want), ": 5 changes written (backup %s)\n", bak);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	tu_assert_file_is(bak, s.data, s.len);
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", f, "9");
	/* A suffix of one's own. */
	TU_CLI_EXPECT(0, "edit", "--backup=.orig", "-e", "emsab PR_PROFILE_AUTH_PACKAGE = 10", f);
	char *orig = tu_tmp_path(EXCH ".orig");
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", orig, "9");
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", f, "10");
	free(s.data);
	free(orig);
	free(bak);
	free(f);
}

Test(cli_write, output_writes_elsewhere_and_leaves_the_input)
{
	char *f = tu_stage_built(EXCH);
	char *out = tu_tmp_path("patched.dat");
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(0, "apply", "-o", out, GC_FIX, f);
	char want[512];
	snprintf(want, sizeof(want), ": 5 changes written to %s\n", out);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	tu_snap_assert_same(&s, f);
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", f, "10");
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", out, "9");
	/* -o with two files is a usage error. */
	char *g = tu_stage_built(OL2016);
	TU_CLI_EXPECT(2, "apply", "-o", out, GC_FIX, f, g);
	cr_assert_not_null(strstr(tu_last.err, "usage: mapiprof apply"), "%s", tu_last.err);
	free(g);
	free(out);
	free(f);
}

/* ---- dirty hives ------------------------------------------------------------- */

Test(cli_write, dirty_hive_is_refused_with_exit_4)
{
	char *f = tu_stage_src(REGIPY);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(4, "edit", "-e", "global PR_PROFILE_CONFIG_FLAGS = 4", f);
	cr_assert_not_null(strstr(tu_last.err, ": refused: "), "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.err, "dirty"), "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.err, "--force"), "%s", tu_last.err);
	tu_snap_assert_same(&s, f);
	/* --dry-run still shows the plan, and notes the refusal to come. */
	TU_CLI_EXPECT(0, "edit", "--dry-run", "-e", "global PR_PROFILE_CONFIG_FLAGS = 4", f);
	cr_assert_not_null(strstr(tu_last.err, "would be refused"), "%s", tu_last.err);
	free(f);
}

Test(cli_write, force_writes_a_dirty_hive_with_a_warning)
{
	char *f = tu_stage_src(REGIPY);
	TU_CLI_EXPECT(0, "edit", "--force", "-e", "global PR_PROFILE_CONFIG_FLAGS = 4", f);
	cr_assert_not_null(strstr(tu_last.err, "WARNING"), "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.err, "dirty"), "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, ": 1 change written\n"), "%s", tu_last.out);
	tu_assert_get("global", "PR_PROFILE_CONFIG_FLAGS", f, "4");
	json_t *j = TJ_CLI("info", "--json", f);
	cr_assert(json_is_false(json_object_get(j, "dirty")));
	cr_assert_eq(tj_int(j, "seq1"), tj_int(j, "seq2"));
	json_decref(j);
	free(f);
}

Test(cli_write, bad_checksum_is_refused_with_exit_4)
{
	char *f = tu_stage_built(EXCH);
	size_t len = 0;
	char *data = tu_read(f, &len);
	cr_assert_gt(len, 512);
	data[508] ^= 0x01; /* the base block checksum (regf spec) */
	cr_assert_eq(tu_write(f, data, len), 0);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(4, "apply", "--json", "--force", GC_FIX, f);
	json_t *j = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(j, "status"), "refused");
	cr_assert_str_eq(tj_str(j, "code"), "checksum");
	json_decref(j);
	cr_assert_not_null(strstr(tu_last.err, ": refused: bad base block checksum"), "%s",
	                   tu_last.err);
	tu_snap_assert_same(&s, f);
	free(data);
	free(f);
}

/* ---- usage errors: exit 2, no file touched ---------------------------------- */

Test(cli_write, string_for_a_long_is_a_usage_error)
{
	char *f = tu_stage_built(EXCH);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(2, "edit", "-e", "emsab PR_PROFILE_AUTH_PACKAGE = 9", "-e",
	              "global PR_PROFILE_CONNECT_FLAGS = abc", f);
	cr_assert_str_eq(tu_last.out, "");
	cr_assert_not_null(strstr(tu_last.err, "usage: mapiprof edit"), "%s", tu_last.err);
	tu_snap_assert_same(&s, f);
	free(f);
}

Test(cli_write, bad_edits_and_options_are_usage_errors)
{
	char *f = tu_stage_built(EXCH);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(2, "edit", f);                                               /* no -e */
	TU_CLI_EXPECT(2, "edit", "-e", "global PR_PROFILE_CONNECT_FLAGS", f);      /* no OP */
	TU_CLI_EXPECT(2, "edit", "-e", "global PR_NO_SUCH_PROP = 1", f);           /* PROP */
	TU_CLI_EXPECT(2, "edit", "-e", "global PR_PROFILE_CONNECT_FLAGS *= 1", f); /* OP */
	TU_CLI_EXPECT(2, "edit", "-e", "nowhere PR_PROFILE_CONNECT_FLAGS = 1", f); /* SECTION */
	TU_CLI_EXPECT(2, "edit", "-e", "global PR_PROFILE_CONNECT_FLAGS = 1");     /* no FILE */
	TU_CLI_EXPECT(2, "edit", "--dry-run", "--check", "-e", "global 0x66040003 = 1", f);
	TU_CLI_EXPECT(2, "edit", "--profile", "Exchange", "--all-profiles", "-e",
	              "global 0x66040003 = 1", f);
	TU_CLI_EXPECT(2, "edit", "--backup=", "-e", "global 0x66040003 = 1", f);
	TU_CLI_EXPECT(2, "apply", GC_FIX); /* no FILE */
	TU_CLI_EXPECT(2, "apply", "--bogus", GC_FIX, f);
	tu_snap_assert_same(&s, f);
	free(f);
}

Test(cli_write, unknown_recipe_is_a_usage_error)
{
	char *f = tu_stage_built(EXCH);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(2, "apply", "no-such-recipe", f);
	cr_assert_str_eq(tu_last.out, "");
	cr_assert_not_null(strstr(tu_last.err, "no-such-recipe"), "%s", tu_last.err);
	TU_CLI_EXPECT(2, "recipes", "no-such-recipe");
	tu_snap_assert_same(&s, f);
	free(f);
}

/* ---- recipe files ------------------------------------------------------------- */

Test(cli_write, recipe_file_is_applied_and_a_bad_one_refused)
{
	static const char good[] = "# raise the server version only\n"
	                           "description: server version at least 3000\n"
	                           "applies-to: exchange\n"
	                           "\n"
	                           "global PR_PROFILE_SERVER_VERSION >= 3000\n";
	static const char bad[] = "description: broken\n"
	                          "global PR_PROFILE_SERVER_VERSION >= many\n";
	char *f = tu_stage_built(EXCH);
	char *rg = tu_tmp_write("good.recipe", good, sizeof(good) - 1);
	char *rb = tu_tmp_write("bad.recipe", bad, sizeof(bad) - 1);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(2, "apply", rb, f);
	tu_snap_assert_same(&s, f);
	TU_CLI_EXPECT(0, "apply", rg, f);
	cr_assert_not_null(strstr(tu_last.out, ": 1 change written\n"), "%s", tu_last.out);
	tu_assert_get("global", "PR_PROFILE_SERVER_VERSION", f, "3000");
	TU_CLI_EXPECT(0, "recipes", rg);
	cr_assert_str_eq(tu_last.out, good);
	free(rg);
	free(rb);
	free(f);
}

/* ---- batches ------------------------------------------------------------------ */

Test(cli_write, batch_goes_on_past_a_missing_file)
{
	char *a = tu_stage_built(EXCH);
	char *b = tu_tmp_path("missing.dat");
	char *c = tu_stage(a, "second.dat");
	TU_CLI_EXPECT(1, "apply", GC_FIX, a, b, c);
	cr_assert_eq(tu_count_lines(tu_last.out), 12, "%s", tu_last.out); /* 2 x (5 + 1) */
	cr_assert_not_null(strstr(tu_last.err, "missing.dat"), "%s", tu_last.err);
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", a, "9");
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", c, "9");
	free(a);
	free(b);
	free(c);
}

Test(cli_write, batch_status_ranks_error_over_refusal_over_change)
{
	char *ok = tu_stage_built(EXCH);
	char *dirty = tu_stage_src(REGIPY);
	char *missing = tu_tmp_path("missing.dat");
	const char *e = "global PR_PROFILE_SERVER_VERSION >= 3000";
	TU_CLI_EXPECT(4, "edit", "-e", e, ok, dirty);          /* refused beats ok */
	TU_CLI_EXPECT(1, "edit", "-e", e, dirty, missing, ok); /* error beats refused */
	char *fresh = tu_stage_built(OL2016);
	TU_CLI_EXPECT(3, "edit", "--check", "-e", e, ok, fresh); /* ok and would change */
	free(fresh);
	free(ok);
	free(dirty);
	free(missing);
}

/* ---- recipes ------------------------------------------------------------------ */

Test(cli_write, recipes_lists_the_built_ins)
{
	TU_CLI_EXPECT(0, "recipes");
	cr_assert_eq(tu_count_lines(tu_last.out), 3, "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, GC_FIX "  exchange-legacy  "), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "\ncached-mode-on            exchange         "),
	                   "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "\ncached-mode-on "), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "\ncached-mode-off "), "%s", tu_last.out);
	json_t *j = TJ_CLI("recipes", "--json"), *r;
	size_t i, found = 0;
	json_array_foreach(json_object_get(j, "recipes"), i, r)
	{
		if (strcmp(tj_str(r, "name"), GC_FIX) == 0) {
			found++;
			cr_assert_str_eq(tj_str(r, "applies_to"), "exchange-legacy");
			cr_assert_eq(json_array_size(json_object_get(r, "edits")), 5);
			cr_assert_gt(strlen(tj_str(r, "description")), 0);
		}
	}
	cr_assert_eq(found, 1);
	json_decref(j);
}

Test(cli_write, recipes_prints_one_recipe_with_its_rationale)
{
	TU_CLI_EXPECT(0, "recipes", GC_FIX);
	cr_assert_not_null(strstr(tu_last.out, "\n#"), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "applies-to: exchange-legacy\n"), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "CONNECT_NO_RPC_ENCRYPTION"), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "PR_PROFILE_ABP_ALLOW_RECONNECT"), "%s",
	                   tu_last.out);
	json_t *j = TJ_CLI("recipes", "--json", GC_FIX);
	cr_assert_str_eq(tj_str(j, "name"), GC_FIX);
	cr_assert_not_null(strstr(tj_str(j, "text"), "applies-to: exchange"));
	json_decref(j);
}

/* ---- JSON output ----------------------------------------------------------------- */

Test(cli_write, json_reports_the_plan_field_by_field)
{
	char *f = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "apply", "--json", "--all-profiles", "--backup", GC_FIX, f);
	cr_assert_eq(tu_count_lines(tu_last.out), 1, "%s", tu_last.out);
	json_t *j = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(j, "file"), f);
	cr_assert_str_eq(tj_str(j, "status"), "changed");
	cr_assert_eq(json_array_size(json_object_get(j, "changes")), 5);
	char *bak = tu_tmp_path(EXCH ".bak");
	cr_assert_str_eq(tj_str(j, "backup"), bak);
	cr_assert(json_is_null(json_object_get(j, "output")));
	cr_assert_null(json_object_get(j, "error"));
	json_t *sk = json_array_get(json_object_get(j, "skipped"), 0);
	cr_assert_eq(json_array_size(json_object_get(j, "skipped")), 1);
	cr_assert_str_eq(tj_str(sk, "profile"), "Personal");
	cr_assert_gt(strlen(tj_str(sk, "reason")), 0);

	json_t *c = change_of(j, "00036604");
	cr_assert_str_eq(tj_str(c, "profile"), "Exchange");
	cr_assert_str_eq(tj_str(c, "section"), GLOBAL);
	cr_assert_str_eq(tj_str(c, "role"), "global");
	cr_assert(json_is_false(json_object_get(c, "new_section")));
	cr_assert_not_null(strstr(tj_str(c, "edit"), "CONNECT_NO_RPC_ENCRYPTION"));
	cr_assert_str_eq(tj_str(c, "tag"), "0x66040003");
	cr_assert_str_eq(tj_str(c, "name"), "PR_PROFILE_CONNECT_FLAGS");
	cr_assert_str_eq(tj_str(c, "type"), "PT_LONG");
	json_t *before = json_object_get(c, "before"), *after = json_object_get(c, "after");
	cr_assert_eq(tj_int(before, "value"), 2);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(before, "flags"), 0)),
	                 "CONNECT_NO_RPC_ENCRYPTION");
	cr_assert_eq(tj_int(after, "value"), 0);
	cr_assert_eq(json_array_size(json_object_get(after, "flags")), 0);
	cr_assert_str_eq(tj_str(after, "reg_type"), "REG_BINARY");

	c = change_of(j, "00036639");
	cr_assert_str_eq(tj_str(c, "section"), EMSAB);
	cr_assert_str_eq(tj_str(c, "role"), "emsab");
	cr_assert(json_is_null(json_object_get(c, "before")));
	cr_assert_eq(tj_int(json_object_get(c, "after"), "value"), 1);
	cr_assert_eq(tj_int(json_object_get(change_of(j, "0003661b"), "after"), "value"), 3000);
	cr_assert_eq(tj_int(json_object_get(change_of(j, "00036619"), "after"), "value"), 9);
	cr_assert_eq(tj_int(json_object_get(change_of(j, "00036606"), "after"), "value"), 0x4000);
	json_decref(j);
	free(bak);

	j = TJ_CLI("apply", "--json", GC_FIX, f);
	cr_assert_str_eq(tj_str(j, "status"), "unchanged");
	cr_assert_eq(json_array_size(json_object_get(j, "changes")), 0);
	cr_assert(json_is_null(json_object_get(j, "backup")));
	json_decref(j);
	free(f);
}

Test(cli_write, json_statuses_of_check_dry_run_refusal_and_error)
{
	char *f = tu_stage_built(EXCH);
	char *dirty = tu_stage_src(REGIPY);
	char *missing = tu_tmp_path("missing.dat");
	TU_CLI_EXPECT(3, "apply", "--json", "--check", GC_FIX, f);
	json_t *j = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(j, "status"), "would_change");
	cr_assert_eq(json_array_size(json_object_get(j, "changes")), 5);
	json_decref(j);
	j = TJ_CLI("apply", "--json", "--dry-run", GC_FIX, f);
	cr_assert_str_eq(tj_str(j, "status"), "dry_run");
	json_decref(j);
	TU_CLI_EXPECT(1, "edit", "--json", "-e", "global 0x66040003 = 0", dirty, missing);
	cr_assert_eq(tu_count_lines(tu_last.out), 2, "%s", tu_last.out);
	j = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(j, "status"), "refused");
	cr_assert_str_eq(tj_str(j, "code"), "unsafe");
	cr_assert_not_null(strstr(tj_str(j, "error"), "dirty"));
	cr_assert_eq(json_array_size(json_object_get(j, "changes")), 1);
	json_decref(j);
	j = tj_line(tu_last.out, 1);
	cr_assert_str_eq(tj_str(j, "file"), missing);
	cr_assert_str_eq(tj_str(j, "status"), "error");
	cr_assert_str_eq(tj_str(j, "code"), "not_found");
	cr_assert_eq(json_array_size(json_object_get(j, "changes")), 0);
	json_decref(j);
	free(missing);
	free(dirty);
	free(f);
}

/* ---- --output-dir ------------------------------------------------------------- */

/* Two users' hives of an image tree, both named NTUSER.DAT in real life;
 * here under distinct names so one --output-dir can hold both. */
Test(cli_write, output_dir_writes_each_result_under_its_name_and_keeps_the_inputs)
{
	char *a = tu_stage_built(EXCH), *b = tu_stage_built(OL2016);
	char *none = tu_stage_built("no-profiles.dat");
	char *dir = tu_tmp_path("out");
	cr_assert_eq(mkdir(dir, 0700), 0);
	struct tu_snap sa = tu_snap_take(a), sb = tu_snap_take(b);
	TU_CLI_EXPECT(0, "apply", "--all-profiles", "--output-dir", dir, "cached-mode-on", a, b,
	              none);
	char *oa = tu_tmp_path("out/" EXCH), *ob = tu_tmp_path("out/" OL2016);
	char *onone = tu_tmp_path("out/no-profiles.dat");
	cr_assert_not_null(strstr(tu_last.out, "1 change written to "), "%s", tu_last.out);
	tu_assert_get("global", "PR_PROFILE_CONFIG_FLAGS", oa, "388");
	cr_assert(tu_exists(ob));
	cr_assert(!tu_exists(onone), "an unchanged file is not copied");
	tu_snap_assert_same(&sa, a);
	tu_snap_assert_same(&sb, b);
	/* The outputs are hives another parser reads. */
	char *dump = tu_tool_out("/usr/bin/reglookup", oa);
	cr_assert_not_null(strstr(dump, "00036601"), "%s", dump);
	free(dump);
	free(a), free(b), free(none), free(dir), free(oa), free(ob), free(onone);
}

Test(cli_write, output_dir_refuses_two_inputs_of_one_name_before_writing)
{
	char *a = tu_stage_built(EXCH);
	char *sub = tu_tmp_path("u2");
	cr_assert_eq(mkdir(sub, 0700), 0);
	char *b = tu_tmp_path("u2/" EXCH);
	cr_assert_eq(tu_copy(a, b), 0);
	char *dir = tu_tmp_path("out");
	cr_assert_eq(mkdir(dir, 0700), 0);
	TU_CLI_EXPECT(2, "apply", "--output-dir", dir, "cached-mode-on", a, b);
	cr_assert_not_null(strstr(tu_last.err, "have the same name " EXCH), "%s", tu_last.err);
	char *oa = tu_tmp_path("out/" EXCH);
	cr_assert(!tu_exists(oa));
	TU_CLI_EXPECT(2, "apply", "--output-dir", dir, "-o", oa, "cached-mode-on", a);
	char *missing = tu_tmp_path("nodir");
	TU_CLI_EXPECT(1, "edit", "--output-dir", missing, "-e", "global 0x66010003 += 0x4", a);
	cr_assert_not_null(strstr(tu_last.err, "not a directory"), "%s", tu_last.err);
	free(a), free(sub), free(b), free(dir), free(oa), free(missing);
}

/* Results are named as the user named the directory: its separator (on
 * Windows '\\' when it uses one, '/' when it uses '/'), no second one after
 * a trailing separator; the file lands in that directory. */
Test(cli_write, output_dir_names_results_with_the_separator_the_user_gave)
{
	char *a = tu_stage_built(EXCH);
	char *dir = tu_tmp_path("out");
	cr_assert_eq(mkdir(dir, 0700), 0);
	char *user = tu_cli_user_path(dir), *trailing = tu_tmp_path("out/");
	const char *sep = tu_cli_windows() ? "\\" : "/";
	const char *forms[][2] = {{user, sep}, {trailing, ""}, {dir, "/"}};
	char *out = tu_tmp_path("out/" EXCH);
	for (size_t i = 0; i < 3; i++) {
		TU_CLI_EXPECT(0, "apply", "--output-dir", forms[i][0], GC_FIX, a);
		char want[4096];
		snprintf(want, sizeof(want), ": 5 changes written to %s%s" EXCH "\n", forms[i][0],
		         forms[i][1]);
		cr_assert_not_null(strstr(tu_last.out, want), "no %s in:\n%s", want, tu_last.out);
		tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", out, "9");
		cr_assert_eq(unlink(out), 0);
	}
	free(a), free(dir), free(user), free(trailing), free(out);
}

/* A backup suffix names a file beside the original: a separator would put
 * it elsewhere, and on Windows so would ':' (FILE:x is a stream of FILE on
 * NTFS); both are usage errors there, ordinary name characters on POSIX. */
Test(cli_write, a_backup_suffix_that_names_another_place_is_refused)
{
	char *f = tu_stage_built(EXCH);
	struct tu_snap s = tu_snap_take(f);
	const char *banned = tu_cli_windows() ? "without '/', '\\' or ':'" : "without '/'";
	TU_CLI_EXPECT(2, "apply", "--backup=x/y", GC_FIX, f);
	cr_assert_not_null(strstr(tu_last.err, banned), "%s", tu_last.err);
	TU_CLI_EXPECT(2, "recover", "--backup=x/y", f);
	cr_assert_not_null(strstr(tu_last.err, banned), "%s", tu_last.err);
	tu_snap_assert_same(&s, f);
	size_t olen = 0;
	char *orig = tu_read(f, &olen);
	cr_assert_not_null(orig);
	const char *windows_only[] = {"--backup=x\\y", "--backup=:x"};
	const char *made[] = {EXCH "x\\y", EXCH ":x"};
	for (size_t i = 0; i < 2; i++) {
		if (tu_cli_windows()) {
			TU_CLI_EXPECT(2, "apply", windows_only[i], GC_FIX, f);
			cr_assert_not_null(strstr(tu_last.err, banned), "%s", tu_last.err);
			tu_assert_file_is(f, orig, olen);
			continue;
		}
		TU_CLI_EXPECT(0, "edit", windows_only[i], "-e",
		              i == 0 ? "emsab PR_PROFILE_AUTH_PACKAGE = 12"
		                     : "emsab PR_PROFILE_AUTH_PACKAGE = 13",
		              f);
		/* The file as it was before this edit, beside it. */
		char *bak = tu_tmp_path(made[i]);
		if (i == 0)
			tu_assert_file_is(bak, orig, olen);
		else
			tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", bak, "12");
		free(bak);
	}
	free(orig);
	free(f);
}

/* ---- "-": standard input and standard output ---------------------------------- */

Test(cli_write, apply_reads_standard_input_and_writes_standard_output)
{
	char *in = tu_stage_built(EXCH);
	struct tu_snap before = tu_snap_take(in);
	tu_stdin = in;
	TU_CLI_EXPECT(0, "apply", "-o", "-", GC_FIX, "-");
	/* stdout is the hive; the plan and status went to stderr. */
	cr_assert_eq(memcmp(tu_last.out, "regf", 4), 0);
	cr_assert_not_null(strstr(tu_last.err, "mapiprof: -: 5 changes written to -"), "%s",
	                   tu_last.err);
	char *out = tu_tmp_write("from-stdout.dat", tu_last.out, tu_last.outlen);
	tu_assert_get("global", "PR_PROFILE_CONNECT_FLAGS", out, "0");
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", out, "9");
	char *dump = tu_tool_out("/usr/bin/reglookup", out);
	cr_assert_not_null(strstr(dump, "00036639"), "%s", dump);
	tu_snap_assert_same(&before, in);
	/* Already fixed: standard output still gets the whole hive, unchanged. */
	tu_stdin = out;
	TU_CLI_EXPECT(0, "apply", "-o", "-", GC_FIX, "-");
	cr_assert_not_null(strstr(tu_last.err, "mapiprof: -: unchanged"), "%s", tu_last.err);
	tu_assert_file_is(out, tu_last.out, tu_last.outlen);
	/* Standard input needs an output; --json and -o - would share stdout. */
	tu_stdin = in;
	TU_CLI_EXPECT(2, "apply", GC_FIX, "-");
	tu_stdin = in;
	TU_CLI_EXPECT(2, "apply", "--json", "-o", "-", GC_FIX, "-");
	free(dump), free(out), free(in);
}

Test(cli_write, read_commands_take_standard_input_as_dash)
{
	char *hive = tu_stage_built(EXCH);
	tu_stdin = hive;
	TU_CLI_EXPECT(0, "list", "-");
	cr_assert_not_null(strstr(tu_last.out, "file: -\nprofile: Exchange (default)"), "%s",
	                   tu_last.out);
	tu_stdin = hive;
	TU_CLI_EXPECT(0, "get", "--section", "global", "PR_PROFILE_CONNECT_FLAGS", "-");
	cr_assert_str_eq(tu_last.out, "2\n");
	char *reg = tu_stage_src("exchange-mapi.reg");
	tu_stdin = reg;
	json_t *j = TJ_CLI("info", "--json", "-");
	cr_assert_str_eq(tj_str(j, "file"), "-");
	cr_assert_str_eq(tj_str(j, "format"), "reg");
	json_decref(j);
	/* A bad input names "-", never the private copy. */
	tu_stdin = reg;
	TU_CLI_EXPECT(0, "show", "--section", "global", "-");
	char *junk = tu_tmp_write("junk", "junk", 4);
	tu_stdin = junk;
	TU_CLI_EXPECT(1, "list", "-");
	cr_assert_eq(strncmp(tu_last.err, "mapiprof: -: not a registry hive", 32), 0, "%s",
	             tu_last.err);
	free(hive), free(reg), free(junk);
}

Test(cli_write, export_and_emit_reg_write_standard_output_for_dash)
{
	char *hive = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "export", "--all-profiles", "-o", "-", hive);
	cr_assert(tu_last.outlen > 2 && (unsigned char)tu_last.out[0] == 0xFF &&
	          (unsigned char)tu_last.out[1] == 0xFE);
	cr_assert(!tu_exists("-"), "no file named -");
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--emit-reg", "-", GC_FIX, hive);
	cr_assert((unsigned char)tu_last.out[0] == 0xFF, "the .reg is on stdout");
	cr_assert_not_null(strstr(tu_last.err, "would change 5 values"), "%s", tu_last.err);
	TU_CLI_EXPECT(2, "apply", "--output-dir", tu_tmp, GC_FIX, "-");
	cr_assert_not_null(strstr(tu_last.err, "'-' has no file name"), "%s", tu_last.err);
	free(hive);
}

/* A recipe creating 2,000 new sections (in no particular order of UID):
 * every one is written with its value, and reglookup reads them all. */
Test(cli_write, apply_creates_two_thousand_sections)
{
	enum { N = 2000 };
	char *in = tu_stage_built(EXCH);
	size_t cap = 64 + (size_t)N * 64, len = 0;
	char *recipe = malloc(cap);
	cr_assert_not_null(recipe);
	len += (size_t)snprintf(recipe + len, cap - len, "description: many new sections\n");
	for (unsigned i = 0; i < N; i++)
		len += (size_t)snprintf(recipe + len, cap - len,
		                        "%08x%024x PR_DISPLAY_NAME = s%u\n", i * 2654435761u, i, i);
	char *rp = tu_tmp_write("many.recipe", recipe, len);
	char *out = tu_tmp_path("many.dat");
	TU_CLI_EXPECT(0, "apply", "-o", out, rp, in);
	char *dump = tu_tool_out("/usr/bin/reglookup", out);
	const char *prefix = "/Software/Microsoft/Windows NT/CurrentVersion/Windows Messaging "
	                     "Subsystem/Profiles/Exchange/";
	for (unsigned i = 0; i < N; i++) {
		char line[256];
		snprintf(line, sizeof(line), "\n%s%08x%024x/001e3001,SZ,s%u,", prefix,
		         i * 2654435761u, i, i);
		cr_assert_not_null(strstr(dump, line), "section %u missing: %s", i, line + 1);
	}
	tu_assert_get("9e3779b1000000000000000000000001", "PR_DISPLAY_NAME", out, "s1");
	free(dump), free(out), free(rp), free(recipe), free(in);
}
