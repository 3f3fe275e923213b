/* test_cli_recover.c - dirty hives through the built mapiprof binary:
 * `recover` on the public samples against Windows' own
 * recovery (full reglookup dumps), on corrupted and absent logs, clean
 * hives, batches and usage errors; the read commands on a dirty MAPI hive
 * with a log (tests/logmaker.h) showing the logged values by default and
 * the primary's with --no-logs; info's state; and apply/edit --recover
 * writing a clean hive with the logged changes and the plan, then
 * resetting the logs, versus the refusal (exit 4) that names --recover.
 * Inputs are never modified except where a test asks for it. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logmaker.h"
#include "testjson.h"
#include "testutil.h"

#define EXCH     "exchange-mapi.dat"
#define REGIPY   "real/regipy/NTUSER_BAGMRU.DAT"
#define GC_FIX   "exchange2007-gc-referral"
#define ARROW    " \xe2\x86\x92 "
#define YARP_NEW "yarp/NewDirtyHive1"
#define YARP_OLD "yarp/OldDirtyHive"
#define LOGGED   "gc-logged.contoso.com" /* the value only the log holds */

TestSuite(cli_recover, .init = tu_setup, .fini = tu_teardown);

/* ---- helpers ---------------------------------------------------------------- */

/* Asserts that the last run's stream s (tu_last.out or .err) holds text. */
#define ASSERT_HAS(s, text) cr_assert_not_null(strstr((s), (text)), "no '%s' in: %s", (text), (s))

/* Snapshots (tu_snap) of up to 4 files: their bytes and modification times. */
struct snap {
	size_t n;
	const char *path[4];
	struct tu_snap s[4];
};

/* Takes a snapshot of the NULL-terminated list of paths. */
static void
snap_take(struct snap *s, const char *first, ...)
{
	va_list ap;
	va_start(ap, first);
	memset(s, 0, sizeof(*s));
	for (const char *p = first; p != NULL && s->n < 4; p = va_arg(ap, const char *)) {
		s->path[s->n] = p;
		s->s[s->n++] = tu_snap_take(p);
	}
	va_end(ap);
}

/* Asserts that every file of s still has its bytes and mtime; frees s. */
static void
snap_assert_same(struct snap *s)
{
	for (size_t i = 0; i < s->n; i++)
		tu_snap_assert_same(&s->s[i], s->path[i]);
}

/* Asserts that path holds the bytes s took of its file i. */
static void
snap_assert_copy(struct snap *s, size_t i, const char *path)
{
	tu_assert_file_is(path, s->s[i].data, s->s[i].len);
}

static void
snap_free(struct snap *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->s[i].data);
	memset(s, 0, sizeof(*s));
}

/* Asserts that file is a clean hive (by info) that reglookup reads whole. */
static void
assert_clean_hive(const char *file)
{
	json_t *j = TJ_CLI("info", "--json", file);
	cr_assert(json_is_false(json_object_get(j, "dirty")), "%s is dirty", file);
	cr_assert_eq(tj_int(j, "seq1"), tj_int(j, "seq2"));
	cr_assert(json_is_true(json_object_get(json_object_get(j, "checksum"), "ok")));
	cr_assert_str_eq(tj_str(j, "state"), "primary");
	json_decref(j);
	struct tu_dump d;
	tu_dump_reglookup(file, &d);
	cr_assert_gt(d.n, 0);
	tu_dump_free(&d);
}

/* Asserts that no log of file holds data newer than it (info "newer"). */
static void
assert_no_newer_log(const char *file)
{
	json_t *j = TJ_CLI("info", "--json", file), *l;
	size_t i;
	json_array_foreach(json_object_get(j, "logs"), i, l)
	{
		cr_assert(json_is_false(json_object_get(l, "newer")), "log %s is still newer",
		          tj_str(l, "path"));
	}
	json_decref(j);
}

/* ---- the public samples --------------------------------------------------------- */

/* yarp's NewDirtyHive1 (seq 3/2, HvLE entries 2 in LOG1 and 3..5 in
 * LOG2) staged with its logs; log1/log2 receive their paths. */
static char *
stage_new(char **log1, char **log2)
{
	char *h = tu_stage_sample(YARP_NEW, "NewDirtyHive");
	*log1 = tu_stage_sample(YARP_NEW, "NewDirtyHive.LOG1");
	*log2 = tu_stage_sample(YARP_NEW, "NewDirtyHive.LOG2");
	return h;
}

Test(cli_recover, new_format_sample_recovers_as_windows10_did)
{
	char *l1, *l2, *h = stage_new(&l1, &l2);
	char *win = tu_stage_sample(YARP_NEW, "RecoveredHive_Windows10");
	char *out = tu_tmp_path("out.dat");
	struct snap s;
	snap_take(&s, h, l1, l2, NULL);
	TU_CLI_EXPECT(0, "recover", "-o", out, h);
	ASSERT_HAS(tu_last.out, ": recovered from new-format logs (HvLE): 4 entries from ");
	ASSERT_HAS(tu_last.out, "NewDirtyHive.LOG1, NewDirtyHive.LOG2; ");
	ASSERT_HAS(tu_last.out, "; sequence 3/2" ARROW "5/5; written to ");
	ASSERT_HAS(tu_last.out, "out.dat");
	cr_assert_eq(tu_count_lines(tu_last.out), 1);
	cr_assert_str_eq(tu_last.err, "");
	snap_assert_same(&s);
	assert_clean_hive(out);
	tu_assert_same_reglookup(out, win);
	free(out);
	free(win);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, old_format_sample_recovers_as_windows7_did)
{
	char *h = tu_stage_sample(YARP_OLD, "OldDirtyHive");
	char *l1 = tu_stage_sample(YARP_OLD, "OldDirtyHive.LOG1");
	char *l2 = tu_stage_sample(YARP_OLD, "OldDirtyHive.LOG2");
	char *win = tu_stage_sample(YARP_OLD, "RecoveredHive_Windows7");
	char *out = tu_tmp_path("out.dat");
	struct snap s;
	snap_take(&s, h, l1, l2, NULL);
	json_t *j = TJ_CLI("recover", "--json", "-o", out, h);
	cr_assert_str_eq(tj_str(j, "file"), h);
	cr_assert_str_eq(tj_str(j, "status"), "recovered");
	cr_assert_eq(tj_int(j, "format"), 1);
	cr_assert_eq(tj_int(j, "entries"), 1);
	cr_assert_eq(tj_int(j, "seq1"), 5);
	cr_assert_eq(tj_int(j, "seq2"), 4);
	cr_assert_str_eq(tj_str(j, "written"), out);
	tj_assert_null(j, "backup");
	cr_assert(json_is_false(json_object_get(j, "logs_reset")));
	json_t *logs = json_object_get(j, "logs");
	cr_assert_eq(json_array_size(logs), 1, "only LOG1 holds data (LOG2 is empty)");
	cr_assert_str_eq(json_string_value(json_array_get(logs, 0)), l1);
	json_decref(j);
	snap_assert_same(&s);
	assert_clean_hive(out);
	tu_assert_same_reglookup(out, win);
	free(out);
	free(win);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, in_place_with_backup_keeps_the_old_hive_and_leaves_the_logs)
{
	char *l1, *l2, *h = stage_new(&l1, &l2);
	char *win = tu_stage_sample(YARP_NEW, "RecoveredHive_Windows10");
	struct snap s, logs;
	snap_take(&s, h, NULL);
	snap_take(&logs, l1, l2, NULL);
	TU_CLI_EXPECT(0, "recover", "--backup", h);
	ASSERT_HAS(tu_last.out, "; written in place (backup ");
	ASSERT_HAS(tu_last.out, "NewDirtyHive.bak)");
	cr_assert_null(strstr(tu_last.out, "logs reset"), "%s", tu_last.out);
	char *bak = tu_tmp_path("NewDirtyHive.bak");
	snap_assert_copy(&s, 0, bak);
	snap_free(&s);
	snap_assert_same(&logs);
	assert_clean_hive(h);
	tu_assert_same_reglookup(h, win);
	/* Now clean: a second run rewrites nothing. */
	snap_take(&s, h, NULL);
	TU_CLI_EXPECT(0, "recover", h);
	ASSERT_HAS(tu_last.out, ": clean (sequence ");
	ASSERT_HAS(tu_last.out, "): nothing to replay, not rewritten\n");
	snap_assert_same(&s);
	free(bak);
	free(win);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, consume_logs_resets_them_after_keeping_backups)
{
	char *l1, *l2, *h = stage_new(&l1, &l2);
	struct snap logs;
	snap_take(&logs, l1, l2, NULL);
	json_t *j = TJ_CLI("recover", "--json", "--backup=.orig", "--consume-logs", h);
	cr_assert_str_eq(tj_str(j, "status"), "recovered");
	cr_assert_eq(tj_int(j, "format"), 6);
	cr_assert_eq(tj_int(j, "entries"), 4);
	cr_assert_eq(tj_int(j, "seq_after"), 5);
	cr_assert_str_eq(tj_str(j, "written"), h);
	cr_assert(json_is_true(json_object_get(j, "logs_reset")));
	char *bak = tu_tmp_path("NewDirtyHive.orig");
	cr_assert_str_eq(tj_str(j, "backup"), bak);
	json_decref(j);
	char *b1 = tu_tmp_path("NewDirtyHive.LOG1.orig"),
	     *b2 = tu_tmp_path("NewDirtyHive.LOG2.orig");
	snap_assert_copy(&logs, 0, b1);
	snap_assert_copy(&logs, 1, b2);
	snap_free(&logs);
	assert_clean_hive(h);
	assert_no_newer_log(h);
	free(b1);
	free(b2);
	free(bak);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, regipy_transactions_recover_to_a_hive_hivex_and_reglookup_read)
{
	char *h = tu_unxz_sample("regipy/transactions_NTUSER.DAT", "transactions_NTUSER.DAT");
	char *l1 =
	    tu_unxz_sample("regipy/transactions_ntuser.dat.log1", "transactions_ntuser.dat.log1");
	char *l2 =
	    tu_unxz_sample("regipy/transactions_ntuser.dat.log2", "transactions_ntuser.dat.log2");
	char *out = tu_tmp_path("out.dat");
	TU_CLI_EXPECT(0, "recover", "-o", out, h);
	ASSERT_HAS(tu_last.out, ": recovered from new-format logs (HvLE): ");
	ASSERT_HAS(tu_last.out, "; sequence 567/566" ARROW);
	assert_clean_hive(out);
	/* hivexsh (libhivex-bin, installed by CI) lists the root's keys. */
	static const char script[] = "ls\n";
	char *sp = tu_tmp_write("ls.hivexsh", script, sizeof(script) - 1);
	char *argv[] = {(char *)"/usr/bin/hivexsh", (char *)"-f", sp, out, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "hivexsh: %s", r.err);
	ASSERT_HAS(r.out, "Software\n");
	tu_run_free(&r);
	free(sp);
	free(out);
	free(h);
	free(l1);
	free(l2);
}

/* ---- corrupted and missing logs: replay stops, or nothing is written -------------- */

/* Offset of entry 2 (sequence 4) in NewDirtyHive.LOG2 (test_regf_log.c). */
#define E2 8192u

/* Rewrites log with its first len bytes (all of them when len is
 * SIZE_MAX), byte at (if < len) flipped. */
static void
damage(const char *log, size_t len, size_t at)
{
	size_t n = 0;
	char *d = tu_read(log, &n);
	cr_assert_not_null(d);
	if (len == SIZE_MAX)
		len = n;
	cr_assert_leq(len, n);
	if (at < len)
		d[at] ^= 0x01;
	cr_assert_eq(tu_write(log, d, len), 0);
	free(d);
}

/* recover -o on the damaged NewDirtyHive1 stops after entry 3 of 5
 * (seq 3) with why; the input and its logs stay as they were. */
static void
assert_stops_after_two_entries(const char *why)
{
	char *l1, *l2, *h = stage_new(&l1, &l2);
	char *out = tu_tmp_path("out.dat");
	if (strcmp(why, "bad Hash-1") == 0)
		damage(l2, SIZE_MAX, E2 + 1000);
	else
		damage(l2, E2 + 5000, SIZE_MAX);
	struct snap s;
	snap_take(&s, h, l1, l2, NULL);
	TU_CLI_EXPECT(0, "recover", "-o", out, h);
	ASSERT_HAS(tu_last.out, ": 2 entries from ");
	ASSERT_HAS(tu_last.out, "; sequence 3/2" ARROW "3/3; ");
	ASSERT_HAS(tu_last.out, "; replay ended: ");
	ASSERT_HAS(tu_last.out, why);
	snap_assert_same(&s);
	assert_clean_hive(out);
	free(out);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, flipped_byte_in_a_log_entry_stops_replay_before_it)
{
	assert_stops_after_two_entries("bad Hash-1");
}

Test(cli_recover, truncated_log_stops_replay_at_the_last_complete_entry)
{
	assert_stops_after_two_entries("truncated");
}

Test(cli_recover, log_that_is_not_a_log_is_an_error_and_nothing_is_written)
{
	char *l1, *l2, *h = stage_new(&l1, &l2);
	char *out = tu_tmp_path("out.dat");
	damage(l1, 300, SIZE_MAX); /* shorter than a base block */
	cr_assert_eq(unlink(l2), 0);
	struct snap s;
	snap_take(&s, h, l1, NULL);
	TU_CLI_EXPECT(1, "recover", "--json", "-o", out, h);
	json_t *j = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(j, "code"), "format");
	ASSERT_HAS(tj_str(j, "error"), "NewDirtyHive.LOG1");
	json_decref(j);
	ASSERT_HAS(tu_last.err, "NewDirtyHive.LOG1");
	cr_assert(!tu_exists(out), "nothing is written");
	snap_assert_same(&s);
	free(out);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, dirty_hive_without_logs_is_refused_with_exit_4)
{
	char *h = tu_stage_src(REGIPY);
	char *out = tu_tmp_path("out.dat");
	struct snap s;
	snap_take(&s, h, NULL);
	TU_CLI_EXPECT(4, "recover", "-o", out, h);
	ASSERT_HAS(tu_last.err, ": refused: ");
	cr_assert_str_eq(tu_last.out, "");
	TU_CLI_EXPECT(4, "recover", "--json", h);
	json_t *j = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(j, "code"), "unsafe");
	json_decref(j);
	cr_assert(!tu_exists(out));
	snap_assert_same(&s);
	free(out);
	free(h);
}

/* ---- clean hives, batches, usage ------------------------------------------------------ */

Test(cli_recover, clean_hive_is_left_alone_in_place_and_copied_to_output)
{
	char *h = tu_stage_built(EXCH);
	char *out = tu_tmp_path("copy.dat");
	struct snap s;
	snap_take(&s, h, NULL);
	TU_CLI_EXPECT(0, "recover", "--backup", h);
	ASSERT_HAS(tu_last.out, ": clean (sequence ");
	ASSERT_HAS(tu_last.out, "): nothing to replay, not rewritten\n");
	char *bak = tu_tmp_path(EXCH ".bak");
	cr_assert(!tu_exists(bak), "no backup when nothing is written");
	json_t *j = TJ_CLI("recover", "--json", "-o", out, h);
	cr_assert_str_eq(tj_str(j, "status"), "clean");
	tj_assert_null(j, "format");
	cr_assert_eq(tj_int(j, "entries"), 0);
	cr_assert_eq(tj_int(j, "seq1"), tj_int(j, "seq2"));
	cr_assert_str_eq(tj_str(j, "written"), out);
	tj_assert_null(j, "note");
	json_decref(j);
	snap_assert_copy(&s, 0, out);
	snap_assert_same(&s);
	free(bak);
	free(out);
	free(h);
}

Test(cli_recover, batch_ranks_an_error_over_a_refusal)
{
	char *clean = tu_stage_built(EXCH);
	char *dirty = tu_stage_src(REGIPY);
	char *missing = tu_tmp_path("missing.dat");
	TU_CLI_EXPECT(4, "recover", clean, dirty);
	cr_assert_eq(tu_count_lines(tu_last.out), 1, "the clean one still gets its line");
	TU_CLI_EXPECT(1, "recover", dirty, missing, clean);
	ASSERT_HAS(tu_last.err, "missing.dat");
	free(clean);
	free(dirty);
	free(missing);
}

Test(cli_recover, bad_command_lines_are_usage_errors)
{
	char *h = tu_stage_built(EXCH);
	char *h2 = tu_stage_built("outlook2016-two-accounts.dat");
	struct snap s;
	snap_take(&s, h, h2, NULL);
	TU_CLI_EXPECT(2, "recover");
	TU_CLI_EXPECT(2, "recover", "-o", "x.dat", h, h2);
	ASSERT_HAS(tu_last.err, "-o needs a single FILE");
	TU_CLI_EXPECT(2, "recover", "-o", "", h);
	TU_CLI_EXPECT(2, "recover", "-o", h, h);
	TU_CLI_EXPECT(2, "recover", "--consume-logs", "-o", "x.dat", h);
	ASSERT_HAS(tu_last.err, "--consume-logs");
	TU_CLI_EXPECT(2, "recover", "--backup=", h);
	TU_CLI_EXPECT(2, "recover", "--backup=a/b", h);
	TU_CLI_EXPECT(2, "recover", "--bogus", h);
	ASSERT_HAS(tu_last.err, "usage: mapiprof recover ");
	TU_CLI_EXPECT(0, "recover", "--help");
	ASSERT_HAS(tu_last.out, "usage: mapiprof recover [--json] [-o OUT | --output-dir DIR] "
	                        "[--backup[=SUFFIX]] [--consume-logs] [--wait SECONDS | --no-wait] "
	                        "[--image IMAGE] FILE ...\n");
	snap_assert_same(&s);
	free(h);
	free(h2);
}

/* ---- a dirty MAPI hive with a log --------------------------------------------------- */

/* What logmaker wrote for make_dirty (sequence numbers, entries). */
static struct lm_result lm_res;

/* A dirty MAPI hive: tu_tmp/NTUSER.DAT is exchange-mapi.dat with a
 * .LOG1 (and an empty .LOG2, as Windows keeps both) holding the edit
 * `emsab PR_PROFILE_HOME_SERVER = LOGGED`, which the primary lacks
 * (tests/logmaker.h).  log1/log2 receive the logs' paths. */
static char *
make_dirty(char **log1, char **log2)
{
	char *clean = tu_stage_built(EXCH);
	char *changed = tu_tmp_path("changed.dat");
	char *h = tu_tmp_path("NTUSER.DAT");
	TU_CLI_EXPECT(0, "edit", "-o", changed, "-e", "emsab PR_PROFILE_HOME_SERVER = " LOGGED,
	              clean);
	struct lm_opts lo = {.entries = 1, .empty_log2 = 1};
	cr_assert_eq(lm_make_dirty_opts(clean, changed, h, &lo, &lm_res), 0, "logmaker: %s",
	             lm_error());
	*log1 = tu_tmp_path("NTUSER.DAT.LOG1");
	*log2 = tu_tmp_path("NTUSER.DAT.LOG2");
	cr_assert(tu_exists(*log1) && tu_exists(*log2));
	free(clean);
	free(changed);
	return h;
}

Test(cli_recover, read_commands_show_the_logged_values_and_the_primary_with_no_logs)
{
	char *l1, *l2, *h = make_dirty(&l1, &l2);
	struct snap s;
	snap_take(&s, h, l1, l2, NULL);
	tu_assert_get("emsab", "PR_PROFILE_HOME_SERVER", h, LOGGED);
	tu_assert_get_no_logs("emsab", "PR_PROFILE_HOME_SERVER", h, "gc01.contoso.com");
	TU_CLI_EXPECT(0, "show", "--section", "emsab", h);
	ASSERT_HAS(tu_last.out, "\"" LOGGED "\"");
	TU_CLI_EXPECT(0, "show", "--no-logs", "--section", "emsab", h);
	ASSERT_HAS(tu_last.out, "\"gc01.contoso.com\"");
	json_t *j = TJ_CLI("show", "--json", "--section", "emsab", h);
	cr_assert_str_eq(tj_str(j, "state"), "recovered");
	json_decref(j);
	j = TJ_CLI("list", "--json", h);
	cr_assert_str_eq(tj_str(j, "state"), "recovered");
	json_decref(j);
	j = TJ_CLI("list", "--json", "--no-logs", h);
	cr_assert_str_eq(tj_str(j, "state"), "primary");
	json_decref(j);
	/* export writes the state read; read back from the .reg file. */
	char *rec = tu_tmp_path("recovered.reg"), *prim = tu_tmp_path("primary.reg");
	TU_CLI_EXPECT(0, "export", "--all-profiles", "-o", rec, h);
	TU_CLI_EXPECT(0, "export", "--all-profiles", "--no-logs", "-o", prim, h);
	tu_assert_get("emsab", "PR_PROFILE_HOME_SERVER", rec, LOGGED);
	tu_assert_get("emsab", "PR_PROFILE_HOME_SERVER", prim, "gc01.contoso.com");
	/* None of it touched the hive or its logs. */
	snap_assert_same(&s);
	free(rec);
	free(prim);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, info_says_which_state_was_read)
{
	char *l1, *l2, *h = make_dirty(&l1, &l2);
	TU_CLI_EXPECT(0, "info", h);
	ASSERT_HAS(tu_last.out, "\ndirty: yes\n");
	ASSERT_HAS(tu_last.out, "\nstate: recovered (new-format logs (HvLE), 1 entry replayed, "
	                        "sequence ");
	ASSERT_HAS(tu_last.out, "\nrecovery note: ");
	json_t *j = TJ_CLI("info", "--json", h);
	cr_assert(json_is_true(json_object_get(j, "dirty")));
	cr_assert_str_eq(tj_str(j, "state"), "recovered");
	cr_assert_eq(tj_int(j, "recovered_format"), 6);
	cr_assert_eq(tj_int(j, "recovered_entries"), 1);
	cr_assert_eq(tj_int(j, "seq1"), lm_res.seq_primary + 1);
	cr_assert_eq(tj_int(j, "seq2"), lm_res.seq_primary);
	cr_assert_eq(tj_int(j, "recovered_seq"), lm_res.seq_after);
	tj_str(j, "recovery_note");
	json_decref(j);
	j = TJ_CLI("info", "--json", "--no-logs", h);
	cr_assert_str_eq(tj_str(j, "state"), "primary");
	tj_assert_null(j, "recovered_format");
	tj_assert_null(j, "recovered_entries");
	tj_assert_null(j, "recovered_seq");
	cr_assert_str_eq(tj_str(j, "recovery_note"), "logs not read (--no-logs)");
	json_decref(j);
	TU_CLI_EXPECT(0, "info", "--no-logs", h);
	ASSERT_HAS(tu_last.out, "\nstate: primary\nrecovery note: logs not read (--no-logs)\n");
	/* A clean hive: its primary, without a note. */
	char *clean = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "info", clean);
	ASSERT_HAS(tu_last.out, "\nstate: primary\n");
	cr_assert_null(strstr(tu_last.out, "recovery note"), "%s", tu_last.out);
	j = TJ_CLI("info", "--json", clean);
	tj_assert_null(j, "recovery_note");
	json_decref(j);
	free(clean);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, apply_without_recover_is_refused_naming_recover)
{
	char *l1, *l2, *h = make_dirty(&l1, &l2);
	struct snap s;
	snap_take(&s, h, l1, l2, NULL);
	TU_CLI_EXPECT(4, "apply", GC_FIX, h);
	ASSERT_HAS(tu_last.err, ": refused: ");
	ASSERT_HAS(tu_last.err, "--recover");
	cr_assert_null(strstr(tu_last.err, "--force writes it anyway"),
	               "--force would write the plan over the stale primary: %s", tu_last.err);
	TU_CLI_EXPECT(4, "apply", "--json", GC_FIX, h);
	json_t *j = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(j, "status"), "refused");
	cr_assert_str_eq(tj_str(j, "code"), "unsafe");
	cr_assert_str_eq(tj_str(j, "state"), "recovered");
	cr_assert(json_is_false(json_object_get(j, "logs_reset")));
	json_decref(j);
	/* A dry run shows the plan and notes the refusal to come, naming
	 * --recover; with --recover, no refusal is to come. */
	TU_CLI_EXPECT(0, "apply", "--dry-run", GC_FIX, h);
	ASSERT_HAS(tu_last.err, "would be refused");
	ASSERT_HAS(tu_last.err, "--recover");
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--recover", GC_FIX, h);
	cr_assert_null(strstr(tu_last.err, "refused"), "%s", tu_last.err);
	ASSERT_HAS(tu_last.out, "would change 5 values");
	snap_assert_same(&s);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, apply_recover_writes_the_logged_changes_and_the_plan_then_resets_logs)
{
	char *l1, *l2, *h = make_dirty(&l1, &l2);
	struct snap s;
	snap_take(&s, h, l1, NULL);
	TU_CLI_EXPECT(0, "apply", "--recover", "--backup", GC_FIX, h);
	ASSERT_HAS(tu_last.out, ": 5 changes written (backup ");
	ASSERT_HAS(tu_last.out, "NTUSER.DAT.bak); logs replayed and reset\n");
	char *bak = tu_tmp_path("NTUSER.DAT.bak"), *lbak = tu_tmp_path("NTUSER.DAT.LOG1.bak");
	snap_assert_copy(&s, 0, bak);
	snap_assert_copy(&s, 1, lbak);
	snap_free(&s);
	assert_clean_hive(h);
	assert_no_newer_log(h);
	/* Both the logged change and the recipe's, in the hive file itself. */
	tu_assert_get_no_logs("emsab", "PR_PROFILE_HOME_SERVER", h, LOGGED);
	tu_assert_get_no_logs("emsab", "PR_PROFILE_AUTH_PACKAGE", h, "9");
	tu_assert_get_no_logs("emsab", "PR_PROFILE_ABP_ALLOW_RECONNECT", h, "1");
	tu_assert_get_no_logs("global", "PR_PROFILE_CONNECT_FLAGS", h, "0");
	tu_assert_get_no_logs("global", "PR_PROFILE_UI_STATE", h, "16384");
	tu_assert_get_no_logs("global", "PR_PROFILE_SERVER_VERSION", h, "3000");
	/* Nothing is left to do: the recipe is already applied. */
	TU_CLI_EXPECT(0, "apply", "--recover", GC_FIX, h);
	ASSERT_HAS(tu_last.out, ": unchanged\n");
	free(bak);
	free(lbak);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, edit_recover_to_output_leaves_the_input_and_its_logs)
{
	char *l1, *l2, *h = make_dirty(&l1, &l2);
	char *out = tu_tmp_path("fixed.dat");
	struct snap s;
	snap_take(&s, h, l1, l2, NULL);
	json_t *j = TJ_CLI("edit", "--recover", "--json", "-o", out, "-e",
	                   "global PR_PROFILE_SERVER_VERSION = 3001", h);
	cr_assert_str_eq(tj_str(j, "status"), "changed");
	cr_assert_str_eq(tj_str(j, "state"), "recovered");
	cr_assert(json_is_false(json_object_get(j, "logs_reset")));
	cr_assert_str_eq(tj_str(j, "output"), out);
	json_decref(j);
	snap_assert_same(&s);
	assert_clean_hive(out);
	tu_assert_get_no_logs("emsab", "PR_PROFILE_HOME_SERVER", out, LOGGED);
	tu_assert_get_no_logs("global", "PR_PROFILE_SERVER_VERSION", out, "3001");
	free(out);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, recover_command_on_the_mapi_hive_matches_what_reads_showed)
{
	char *l1, *l2, *h = make_dirty(&l1, &l2);
	char *out = tu_tmp_path("recovered.dat");
	TU_CLI_EXPECT(0, "recover", "-o", out, h);
	ASSERT_HAS(tu_last.out,
	           ": recovered from new-format logs (HvLE): 1 entry from NTUSER.DAT.LOG1;");
	assert_clean_hive(out);
	tu_assert_get_no_logs("emsab", "PR_PROFILE_HOME_SERVER", out, LOGGED);
	/* The recovered file and the changed hive the log was made from
	 * hold the same keys and values. */
	char *changed = tu_tmp_path("changed.dat");
	tu_assert_same_reglookup(out, changed);
	free(changed);
	free(out);
	free(h);
	free(l1);
	free(l2);
}

Test(cli_recover, broken_log_of_the_mapi_hive_is_not_replayed_and_writes_are_refused)
{
	char *l1, *l2, *h = make_dirty(&l1, &l2);
	damage(l1, SIZE_MAX, 512 + 100); /* inside the only entry (Hash-1 covers it) */
	struct snap s;
	snap_take(&s, h, l1, l2, NULL);
	/* Reads fall back on the primary and say why. */
	tu_assert_get("emsab", "PR_PROFILE_HOME_SERVER", h, "gc01.contoso.com");
	json_t *j = TJ_CLI("info", "--json", h);
	cr_assert_str_eq(tj_str(j, "state"), "primary");
	tj_str(j, "recovery_note");
	json_decref(j);
	TU_CLI_EXPECT(4, "apply", "--recover", GC_FIX, h);
	ASSERT_HAS(tu_last.err, ": refused: ");
	char *out = tu_tmp_path("out.dat");
	int st;
	TU_CLI("recover", "-o", out, h);
	st = tu_last.status;
	cr_assert(st == 4 || st == 1, "exit %d: %s", st, tu_last.err);
	cr_assert(!tu_exists(out));
	snap_assert_same(&s);
	free(out);
	free(h);
	free(l1);
	free(l2);
}

/* A hive named as a Windows user types it ("Z:\\...\\NTUSER.DAT" under
 * Wine): the report names the logs by their file names alone, and the
 * result in --output-dir with the directory's separator. */
Test(cli_recover, the_report_names_logs_and_results_in_the_users_form)
{
	char *l1, *l2, *h = make_dirty(&l1, &l2);
	char *uh = tu_cli_user_path(h);
	char *dir = tu_tmp_path("out");
	cr_assert_eq(mkdir(dir, 0700), 0);
	char *udir = tu_cli_user_path(dir);
	TU_CLI_EXPECT(0, "recover", "--output-dir", udir, uh);
	ASSERT_HAS(tu_last.out, ": recovered from new-format logs (HvLE): 1 entry from "
	                        "NTUSER.DAT.LOG1;");
	char want[4096];
	snprintf(want, sizeof(want), "written to %s%sNTUSER.DAT", udir,
	         tu_cli_windows() ? "\\" : "/");
	ASSERT_HAS(tu_last.out, want);
	char *out = tu_tmp_path("out/NTUSER.DAT");
	tu_assert_get_no_logs("emsab", "PR_PROFILE_HOME_SERVER", out, LOGGED);
	free(h), free(l1), free(l2), free(uh), free(dir), free(udir), free(out);
}

Test(cli_recover, output_dir_writes_the_recovered_hive_there_and_leaves_the_input)
{
	char *l1, *l2, *h = make_dirty(&l1, &l2);
	struct tu_snap sh = tu_snap_take(h), s1 = tu_snap_take(l1);
	char *dir = tu_tmp_path("out");
	cr_assert_eq(mkdir(dir, 0700), 0);
	TU_CLI_EXPECT(0, "recover", "--output-dir", dir, h);
	char *out = tu_tmp_path("out/NTUSER.DAT");
	tu_assert_get("emsab", "PR_PROFILE_HOME_SERVER", out, LOGGED);
	tu_snap_assert_same(&sh, h);
	tu_snap_assert_same(&s1, l1);
	TU_CLI_EXPECT(2, "recover", "--output-dir", dir, "--consume-logs", h);
	free(h), free(l1), free(l2), free(dir), free(out);
}
