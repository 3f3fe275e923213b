/* test_recover.c - dirty hives through the public API: mapiprof_recover on
 * yarp's and regipy's samples against Windows' own recoveries, broken
 * logs, and a MAPI profile hive made dirty by the test log builder
 * (logmaker.h) read in its recovered state by default and its primary
 * state with MAPIPROF_OPEN_NO_LOGS, then written with opts.recover (regf
 * spec "Dirty state of a hive").  regipy's samples (MIT) ship in
 * fixtures/real; yarp's (GPL-3.0, not shipped) are read from MP_SHARED_DIR
 * and the tests that need them skip when they are absent. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/le.h"
#include "base/platform.h"
#include "logmaker.h"
#include "mapiprof/mapiprof.h"
#include "testutil.h"
#include "testutil_int.h"
#include "write/commit_io.h"

#define EXCH     "exchange-mapi.dat"
#define GLOBAL   "13dbb0c8aa05101a9bb000aa002fc45a"
#define HOME     "PR_PROFILE_HOME_SERVER"
#define NEW_HOME "global " HOME " = \"EXCH99\""
#define YARP_NEW "yarp/NewDirtyHive1"
#define YARP_OLD "yarp/OldDirtyHive"

TestSuite(recover, .init = tu_setup, .fini = tu_teardown);

/* ---- helpers -------------------------------------------------------------- */

static size_t
file_size(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
	return (size_t)st.st_size;
}

/* yarp's NewDirtyHive with both logs in tu_tmp; returns the hive's path. */
static char *
stage_new_dirty(void)
{
	return tu_stage_sample_logs(YARP_NEW, "NewDirtyHive", NULL, NULL);
}

/* mapiprof_recover of hive written to out (asserted to succeed); returns
 * its report. */
static struct mapiprof_info *
recover_to(const char *hive, const char *out)
{
	struct mapiprof_recover_opts o = {.output = out};
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_recover(tu_ctx, hive, &o, &info), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_not_null(info);
	return info;
}

/* Another home server (EXCH77), for the writes below. */
#define NEW2 "global " HOME " = \"EXCH77\""

/* The plan of the one-change edit on the Exchange profile of the open
 * file f. */
static struct mapiprof_plan *
plan_of(struct mapiprof_file *f, const char *edit)
{
	struct mapiprof_recipe *r = NULL;
	struct mapiprof_plan *plan = NULL;
	size_t p = 0;
	cr_assert_eq(mapiprof_profile_find(f, "Exchange", &p), MAPIPROF_OK);
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, &edit, 1, &r), MAPIPROF_OK);
	cr_assert_eq(mapiprof_plan_build(f, r, &p, 1, &plan), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_plan_count(plan), 1);
	mapiprof_recipe_free(r);
	return plan;
}

/* Writes `edit` applied to the Exchange profile of in to out. */
static void
edit_to(const char *in, const char *out, const char *edit)
{
	struct mapiprof_file *f = NULL;
	struct mapiprof_write_opts o = {.output = out};
	cr_assert_eq(mapiprof_open(tu_ctx, in, 0, &f), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	struct mapiprof_plan *plan = plan_of(f, edit);
	cr_assert_eq(mapiprof_plan_write(f, plan, &o), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	mapiprof_plan_free(plan);
	mapiprof_close(f);
}

/* The built Exchange fixture as clean.dat, the same with the home server
 * changed as changed.dat, and tu_tmp/NTUSER.DAT made dirty from them with
 * NTUSER.DAT.LOG1 (and an empty .LOG2) holding the change.  Returns the
 * dirty hive's path. */
static char *
make_dirty_mapi(unsigned entries)
{
	char *clean = tu_stage_built(EXCH), *changed = tu_tmp_path("changed.dat");
	char *dirty = tu_tmp_path("NTUSER.DAT");
	edit_to(clean, changed, NEW_HOME);
	struct lm_opts o = {.entries = entries, .empty_log2 = 1};
	struct lm_result res;
	cr_assert_eq(lm_make_dirty_opts(clean, changed, dirty, &o, &res), 0, "%s", lm_error());
	cr_assert_eq(res.entries, entries);
	free(clean);
	free(changed);
	return dirty;
}

/* The home server of the Exchange profile as f reads it, malloc'd. */
static char *
home_of(struct mapiprof_file *f)
{
	size_t p = 0, *sel = NULL, n = 0;
	const struct mapiprof_prop *prop = NULL;
	cr_assert_eq(mapiprof_profile_find(f, "Exchange", &p), MAPIPROF_OK);
	cr_assert_eq(mapiprof_select(f, p, GLOBAL, &sel, &n), MAPIPROF_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(mapiprof_prop_find(f, p, sel[0], HOME, &prop), MAPIPROF_OK);
	char *s = strdup(prop->s);
	free(sel);
	return s;
}

static void
assert_home(const char *path, unsigned flags, const char *want)
{
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, flags, &f), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	char *home = home_of(f);
	cr_assert_str_eq(home, want);
	free(home);
	mapiprof_close(f);
}

/* Flips one byte of the file at offset off. */
static void
flip(const char *path, size_t off)
{
	size_t len = 0;
	char *p = tu_read(path, &len);
	cr_assert(p != NULL && off < len);
	p[off] ^= 0x5A;
	cr_assert_eq(tu_write(path, p, len), 0);
	free(p);
}

/* ---- mapiprof_recover on the samples -------------------------------------- */

Test(recover, new_format_sample_written_to_output_matches_windows10_recovery)
{
	char *hive = stage_new_dirty(), *out = tu_tmp_path("out.dat");
	char *win = tu_stage_sample(YARP_NEW, "RecoveredHive_Windows10");
	struct tu_snap s0 = tu_snap_take(hive);
	char *l1 = tu_tmp_path("NewDirtyHive.LOG1");
	struct tu_snap s1 = tu_snap_take(l1);
	struct mapiprof_info *info = recover_to(hive, out);
	cr_assert_str_eq(info->state, "recovered");
	cr_assert_eq(info->recovered_format, 6);
	cr_assert_eq(info->recovered_entries, 4);
	cr_assert_eq(info->seq1, 3);
	cr_assert_eq(info->seq2, 2);
	cr_assert_eq(info->recovered_seq, 5);
	cr_assert_eq(info->nlogs, 2);
	cr_assert(info->logs[0].replayed && info->logs[1].replayed, "both logs contributed");
	cr_assert_str_eq(info->recovery_note, "end of NewDirtyHive.LOG2 at offset 40960");
	mapiprof_info_free(info);
	tu_assert_clean_file(out);
	tu_assert_same_reglookup(out, win);
	tu_snap_assert_same(&s0, hive);
	tu_snap_assert_same(&s1, l1);
	free(l1);
	free(win);
	free(out);
	free(hive);
}

Test(recover, old_format_sample_written_to_output_matches_windows7_recovery)
{
	char *hive = tu_stage_sample_logs(YARP_OLD, "OldDirtyHive", NULL, NULL);
	char *out = tu_tmp_path("out.dat");
	char *win = tu_stage_sample(YARP_OLD, "RecoveredHive_Windows7");
	struct mapiprof_info *info = recover_to(hive, out);
	cr_assert_str_eq(info->state, "recovered");
	cr_assert_eq(info->recovered_format, 1);
	cr_assert_eq(info->recovered_entries, 1);
	cr_assert(info->logs[0].replayed && !info->logs[1].replayed, "the DIRT log only");
	mapiprof_info_free(info);
	tu_assert_clean_file(out);
	tu_assert_same_reglookup(out, win);
	free(win);
	free(out);
	free(hive);
}

Test(recover, regipy_transactions_recover_in_place_with_backups_and_consumed_logs)
{
	char *hive = tu_unxz_sample("regipy/transactions_NTUSER.DAT", "transactions_NTUSER.DAT");
	char *l1 =
	    tu_unxz_sample("regipy/transactions_ntuser.dat.log1", "transactions_ntuser.dat.log1");
	char *l2 =
	    tu_unxz_sample("regipy/transactions_ntuser.dat.log2", "transactions_ntuser.dat.log2");
	struct tu_snap s0 = tu_snap_take(hive), s1 = tu_snap_take(l1), s2 = tu_snap_take(l2);
	struct mapiprof_recover_opts o = {.backup_suffix = ".bak", .consume_logs = 1};
	cr_assert_eq(mapiprof_recover(tu_ctx, hive, &o, NULL), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	tu_assert_clean_file(hive);
	struct tu_dump d;
	tu_dump_reglookup(hive, &d); /* reglookup reads it (exit 0) */
	cr_assert_gt(d.n, 1000);
	tu_dump_free(&d);
	tu_open(hive); /* and hivex */
	cr_assert_str_eq(mapiprof_file_info(tu_file)->state, "primary");
	cr_assert_null(mapiprof_file_info(tu_file)->recovery_note, "clean now");
	cr_assert_eq(file_size(l1), 0, "logs reset");
	cr_assert_eq(file_size(l2), 0);
	char *b0 = tu_tmp_path("transactions_NTUSER.DAT.bak");
	char *b1 = tu_tmp_path("transactions_ntuser.dat.log1.bak");
	char *b2 = tu_tmp_path("transactions_ntuser.dat.log2.bak");
	tu_assert_file_is(b0, s0.data, s0.len);
	tu_assert_file_is(b1, s1.data, s1.len);
	tu_assert_file_is(b2, s2.data, s2.len);
	free(s0.data), free(s1.data), free(s2.data);
	free(b0), free(b1), free(b2);
	free(hive), free(l1), free(l2);
}

/* Offset of the k-th (1-based) HvLE entry of the new-format log at path. */
static size_t
entry_offset(const char *path, unsigned k)
{
	size_t len = 0, off = 512;
	uint8_t *p = (uint8_t *)tu_read(path, &len);
	cr_assert_not_null(p);
	for (unsigned i = 1; i < k; i++) {
		cr_assert(off + 8 <= len && memcmp(p + off, "HvLE", 4) == 0);
		off += mp_le32(p + off + 4);
	}
	free(p);
	return off;
}

Test(recover, flipped_byte_in_a_log_entry_stops_at_the_last_valid_entry)
{
	char *hive = stage_new_dirty(), *out = tu_tmp_path("out.dat");
	char *l2 = tu_tmp_path("NewDirtyHive.LOG2");
	flip(l2, entry_offset(l2, 2) + 600); /* a page of sequence 4 */
	struct tu_snap s0 = tu_snap_take(hive), s2 = tu_snap_take(l2);
	struct mapiprof_info *info = recover_to(hive, out);
	cr_assert_eq(info->recovered_entries, 2, "entries 2 and 3");
	cr_assert_eq(info->recovered_seq, 3);
	cr_assert_not_null(strstr(info->recovery_note, "bad Hash-1"), "%s", info->recovery_note);
	mapiprof_info_free(info);
	tu_assert_clean_file(out);
	tu_open(out);
	tu_snap_assert_same(&s0, hive);
	tu_snap_assert_same(&s2, l2);
	free(l2), free(out), free(hive);
}

Test(recover, truncated_log_stops_at_the_last_complete_entry)
{
	char *hive = stage_new_dirty(), *out = tu_tmp_path("out.dat");
	char *l2 = tu_tmp_path("NewDirtyHive.LOG2");
	size_t len = 0, cut = entry_offset(l2, 3) + 100;
	char *p = tu_read(l2, &len);
	cr_assert_eq(tu_write(l2, p, cut), 0);
	free(p);
	struct mapiprof_info *info = recover_to(hive, out);
	cr_assert_eq(info->recovered_seq, 4, "entries 2..4, not 5");
	cr_assert_not_null(strstr(info->recovery_note, "truncated"), "%s", info->recovery_note);
	mapiprof_info_free(info);
	tu_assert_clean_file(out);
	tu_open(out);
	free(l2), free(out), free(hive);
}

/* ---- mapiprof_recover on a MAPI hive made dirty ----------------------------- */

Test(recover, in_place_recovery_removes_a_dead_writers_temporary_file)
{
	char *hive = make_dirty_mapi(1);
	free(tu_tmp_write(".NTUSER.DAT.mapiprof-dead12", "left", 4));
	cr_assert_eq(mapiprof_recover(tu_ctx, hive, NULL, NULL), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert(strstr(mapiprof_note(tu_ctx), "removed 1 temporary file") != NULL, "%s",
	          mapiprof_note(tu_ctx));
	tu_assert_listing(".", "NTUSER.DAT|NTUSER.DAT.LOG1|NTUSER.DAT.LOG2|changed.dat|"
	                       "exchange-mapi.dat");
	free(hive);
}

Test(recover, dirty_mapi_hive_recovers_in_place_to_its_logged_state)
{
	char *hive = make_dirty_mapi(1), *l1 = tu_tmp_path("NTUSER.DAT.LOG1");
	struct tu_snap s1 = tu_snap_take(l1);
	cr_assert_eq(mapiprof_recover(tu_ctx, hive, NULL, NULL), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	tu_assert_clean_file(hive);
	assert_home(hive, MAPIPROF_OPEN_NO_LOGS, "EXCH99");
	tu_snap_assert_same(&s1, l1); /* without consume_logs the logs stay */
	tu_assert_listing(".", "NTUSER.DAT|NTUSER.DAT.LOG1|NTUSER.DAT.LOG2|changed.dat|"
	                       "exchange-mapi.dat");
	free(l1), free(hive);
}

Test(recover, log_whose_only_entry_is_broken_is_refused_as_unsafe_and_input_untouched)
{
	char *hive = make_dirty_mapi(1), *l1 = tu_tmp_path("NTUSER.DAT.LOG1");
	flip(l1, 512 + 4096);
	struct tu_snap s0 = tu_snap_take(hive), s1 = tu_snap_take(l1);
	struct mapiprof_recover_opts o = {.backup_suffix = ".bak", .consume_logs = 1};
	cr_assert_eq(mapiprof_recover(tu_ctx, hive, &o, NULL), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_UNSAFE, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "NTUSER.DAT.LOG1"), "%s",
	                   mapiprof_errmsg(tu_ctx));
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "bad Hash-1"), "%s",
	                   mapiprof_errmsg(tu_ctx));
	tu_snap_assert_same(&s0, hive);
	tu_snap_assert_same(&s1, l1);
	tu_assert_listing(".", "NTUSER.DAT|NTUSER.DAT.LOG1|NTUSER.DAT.LOG2|changed.dat|"
	                       "exchange-mapi.dat");
	free(l1), free(hive);
}

Test(recover, dirty_hive_without_logs_is_unsafe)
{
	char *hive = make_dirty_mapi(1), *l1 = tu_tmp_path("NTUSER.DAT.LOG1");
	cr_assert_eq(remove(l1), 0);
	struct tu_snap s0 = tu_snap_take(hive);
	cr_assert_eq(mapiprof_recover(tu_ctx, hive, NULL, NULL), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_UNSAFE, "%s", mapiprof_errmsg(tu_ctx));
	tu_snap_assert_same(&s0, hive);
	free(l1), free(hive);
}

Test(recover, clean_hive_is_left_in_place_and_copied_to_an_output)
{
	char *hive = tu_stage_built(EXCH), *out = tu_tmp_path("out.dat");
	struct tu_snap s0 = tu_snap_take(hive);
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_recover(tu_ctx, hive, NULL, &info), MAPIPROF_OK);
	cr_assert_str_eq(info->state, "primary");
	cr_assert_null(info->recovery_note);
	mapiprof_info_free(info);
	struct mapiprof_recover_opts o = {.output = out};
	cr_assert_eq(mapiprof_recover(tu_ctx, hive, &o, NULL), MAPIPROF_OK);
	tu_assert_file_is(out, s0.data, s0.len);
	tu_snap_assert_same(&s0, hive);
	free(out), free(hive);
}

Test(recover, consuming_logs_with_an_output_is_invalid)
{
	char *hive = make_dirty_mapi(1), *out = tu_tmp_path("out.dat");
	struct mapiprof_recover_opts o = {.output = out, .consume_logs = 1};
	cr_assert_eq(mapiprof_recover(tu_ctx, hive, &o, NULL), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert(!tu_exists(out));
	free(out), free(hive);
}

/* ---- reading a dirty hive ---------------------------------------------------- */

Test(recover, open_reads_the_logged_values_from_a_private_temporary_file)
{
	char *hive = make_dirty_mapi(1), *tmp = tu_tmp_path("tmpdir");
	cr_assert_eq(mkdir(tmp, 0700), 0);
	cr_assert_eq(setenv("TMPDIR", tmp, 1), 0);
	struct tu_snap s0 = tu_snap_take(hive);
	tu_open(hive);
	const struct mapiprof_info *info = mapiprof_file_info(tu_file);
	cr_assert_str_eq(info->state, "recovered");
	cr_assert_eq(info->recovered_format, 6);
	cr_assert_eq(info->recovered_entries, 1);
	cr_assert_eq(info->recovered_seq, info->seq2);
	cr_assert_eq(info->seq1, info->seq2 + 1u);
	cr_assert(info->logs[0].replayed && !info->logs[1].replayed);
	char *home = home_of(tu_file);
	cr_assert_str_eq(home, "EXCH99");
	free(home);
	char *only = tu_listing("tmpdir"), path[1024];
	cr_assert_null(strchr(only, '|'), "one file: %s", only);
	cr_assert_eq(strncmp(only, ".NTUSER.DAT.mapiprof-", 21), 0, "%s", only);
	snprintf(path, sizeof(path), "%s/%s", tmp, only);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	mapiprof_close(tu_file);
	tu_file = NULL;
	tu_assert_listing("tmpdir", ""); /* removed on close */
	tu_snap_assert_same(&s0, hive);
	free(only), free(tmp), free(hive);
}

Test(recover, open_with_no_logs_reads_the_primary_and_says_why)
{
	char *hive = make_dirty_mapi(1);
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, hive, MAPIPROF_OPEN_NO_LOGS, &f), MAPIPROF_OK);
	const struct mapiprof_info *info = mapiprof_file_info(f);
	cr_assert_str_eq(info->state, "primary");
	cr_assert_eq(info->recovered_format, 0);
	cr_assert_str_eq(info->recovery_note, "logs not read (--no-logs)");
	char *home = home_of(f);
	cr_assert_str_eq(home, "EXCH01");
	free(home);
	mapiprof_close(f);
	free(hive);
}

Test(recover, inspect_reports_the_state_read_by_default_and_with_no_logs)
{
	char *hive = make_dirty_mapi(1);
	struct mapiprof_info *a = NULL, *b = NULL, *c = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, hive, &a), MAPIPROF_OK);
	cr_assert_str_eq(a->state, "recovered");
	cr_assert_eq(a->recovered_entries, 1);
	cr_assert_eq(a->recovered_seq, a->seq2);
	cr_assert_neq(a->sha256[0], '\0');
	cr_assert_eq(mapiprof_inspect_flags(tu_ctx, hive, MAPIPROF_OPEN_NO_LOGS, &b), MAPIPROF_OK);
	cr_assert_str_eq(b->state, "primary");
	cr_assert_str_eq(b->recovery_note, "logs not read (--no-logs)");
	char *clean = tu_stage_built("no-profiles.dat");
	cr_assert_eq(mapiprof_inspect_flags(tu_ctx, clean, MAPIPROF_OPEN_NO_HASH, &c), MAPIPROF_OK);
	cr_assert_str_eq(c->state, "primary");
	cr_assert_null(c->recovery_note);
	cr_assert_eq(c->sha256[0], '\0');
	mapiprof_info_free(a), mapiprof_info_free(b), mapiprof_info_free(c);
	free(clean), free(hive);
}

Test(recover, clean_hive_ignores_its_logs)
{
	char *hive = make_dirty_mapi(1), *changed = tu_tmp_path("changed.dat");
	cr_assert_eq(tu_copy(changed, hive), 0); /* clean, with the log still beside it */
	tu_open(hive);
	cr_assert_str_eq(mapiprof_file_info(tu_file)->state, "primary");
	cr_assert_null(mapiprof_file_info(tu_file)->recovery_note);
	free(changed), free(hive);
}

Test(recover, garbage_log_falls_back_to_the_primary_with_a_note)
{
	char *hive = make_dirty_mapi(1);
	free(tu_tmp_write("NTUSER.DAT.LOG1", "not a log at all", 16));
	tu_open(hive);
	const struct mapiprof_info *info = mapiprof_file_info(tu_file);
	cr_assert_str_eq(info->state, "primary");
	cr_assert_not_null(strstr(info->recovery_note, "NTUSER.DAT.LOG1"), "%s",
	                   info->recovery_note);
	cr_assert_not_null(strstr(info->recovery_note, "primary file was read"));
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NONE, "the error was cleared");
	char *home = home_of(tu_file);
	cr_assert_str_eq(home, "EXCH01");
	free(home);
	free(hive);
}

Test(recover, bad_checksum_without_usable_log_is_still_a_checksum_error)
{
	char *hive = make_dirty_mapi(1);
	free(tu_tmp_write("NTUSER.DAT.LOG1", "", 0));
	flip(hive, 100);
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, hive, 0, &f), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_CHECKSUM);
	free(hive);
}

/* ---- writing a dirty hive ---------------------------------------------------- */

Test(recover, write_check_on_a_recovered_hive_names_recover)
{
	char *hive = make_dirty_mapi(1);
	tu_open(hive);
	cr_assert_eq(mapiprof_write_check(tu_file), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_UNSAFE);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "--recover"), "%s",
	                   mapiprof_errmsg(tu_ctx));
	struct tu_snap s0 = tu_snap_take(hive);
	struct mapiprof_plan *plan = plan_of(tu_file, NEW2);
	cr_assert_eq(mapiprof_plan_write(tu_file, plan, NULL), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_UNSAFE);
	mapiprof_plan_free(plan);
	tu_snap_assert_same(&s0, hive);
	free(hive);
}

/* Writes NEW2 on the dirty MAPI hive opened with its logs replayed, with
 * opts.recover and the given backup suffix and output. */
static int
write_recovered(const char *hive, const char *suffix, const char *output)
{
	tu_open(hive);
	struct mapiprof_plan *plan = plan_of(tu_file, NEW2);
	struct mapiprof_write_opts o = {.recover = 1, .backup_suffix = suffix, .output = output};
	int rc = mapiprof_plan_write(tu_file, plan, &o);
	mapiprof_plan_free(plan);
	mapiprof_close(tu_file);
	tu_file = NULL;
	return rc;
}

/* A value only the log holds (PR_DISPLAY_NAME_W, added before the home
 * server changed) survives next to the plan's change. */
Test(recover, write_with_recover_keeps_the_logged_changes_adds_the_plan_and_resets_logs)
{
	char *clean = tu_stage_built(EXCH), *mid = tu_tmp_path("mid.dat");
	char *changed = tu_tmp_path("changed.dat"), *hive = tu_tmp_path("NTUSER.DAT");
	edit_to(clean, mid, "global PR_DISPLAY_NAME_W = logged only");
	edit_to(mid, changed, NEW_HOME);
	cr_assert_eq(lm_make_dirty(clean, changed, hive), 0, "%s", lm_error());
	char *l1 = tu_tmp_path("NTUSER.DAT.LOG1");
	struct tu_snap s0 = tu_snap_take(hive), s1 = tu_snap_take(l1);
	cr_assert_eq(write_recovered(hive, ".bak", NULL), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	tu_assert_clean_file(hive);
	cr_assert_eq(file_size(l1), 0, "log reset");
	char *b0 = tu_tmp_path("NTUSER.DAT.bak"), *b1 = tu_tmp_path("NTUSER.DAT.LOG1.bak");
	tu_assert_file_is(b0, s0.data, s0.len);
	tu_assert_file_is(b1, s1.data, s1.len);
	free(s0.data), free(s1.data);
	tu_open(hive);
	cr_assert_str_eq(mapiprof_file_info(tu_file)->state, "primary");
	char *home = home_of(tu_file);
	cr_assert_str_eq(home, "EXCH77");
	free(home);
	struct tu_dump d;
	tu_dump_reglookup(hive, &d);
	int found = 0;
	for (size_t i = 0; i < d.n; i++)
		found |= strstr(d.rec[i], GLOBAL "/001f3001,") != NULL;
	cr_assert(found, "the value only the log held is in the written hive");
	tu_dump_free(&d);
	free(b0), free(b1), free(l1), free(hive), free(changed), free(mid), free(clean);
}

Test(recover, write_with_recover_to_an_output_leaves_the_input_and_its_logs)
{
	char *hive = make_dirty_mapi(1), *out = tu_tmp_path("out.dat");
	char *l1 = tu_tmp_path("NTUSER.DAT.LOG1");
	struct tu_snap s0 = tu_snap_take(hive), s1 = tu_snap_take(l1);
	cr_assert_eq(write_recovered(hive, NULL, out), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	tu_assert_clean_file(out);
	assert_home(out, 0, "EXCH77");
	tu_snap_assert_same(&s0, hive);
	tu_snap_assert_same(&s1, l1);
	free(l1), free(out), free(hive);
}

Test(recover, hivex_path_writes_from_the_recovered_image_too)
{
	char *hive = make_dirty_mapi(1);
	mp_commit_set_io(&(struct mp_commit_io){.patch = tu_decline_patch});
	int rc = write_recovered(hive, NULL, NULL);
	mp_commit_set_io(NULL);
	cr_assert_eq(rc, MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	assert_home(hive, 0, "EXCH77");
	free(hive);
}

Test(recover, write_is_refused_when_a_log_changed_after_open)
{
	char *hive = make_dirty_mapi(1), *l2 = tu_tmp_path("NTUSER.DAT.LOG2");
	tu_open(hive);
	struct mapiprof_plan *plan = plan_of(tu_file, NEW2);
	cr_assert_eq(tu_write(l2, "x", 1), 0);
	struct tu_snap s0 = tu_snap_take(hive);
	struct mapiprof_write_opts o = {.recover = 1};
	cr_assert_eq(mapiprof_plan_write(tu_file, plan, &o), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_UNSAFE);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "transaction logs"), "%s",
	                   mapiprof_errmsg(tu_ctx));
	mapiprof_plan_free(plan);
	tu_snap_assert_same(&s0, hive);
	free(l2), free(hive);
}

static int
fail_reset(struct mapiprof_ctx *ctx, const char *path)
{
	mp_seterr_errno(ctx, EIO, "injected reset failure of '%s'", path);
	return MAPIPROF_FAILED;
}

Test(recover, failed_log_reset_after_the_rename_is_reported_with_the_hive_clean)
{
	char *hive = make_dirty_mapi(1), *l1 = tu_tmp_path("NTUSER.DAT.LOG1");
	struct tu_snap s1 = tu_snap_take(l1);
	mp_commit_set_io(&(struct mp_commit_io){.reset = fail_reset});
	int rc = write_recovered(hive, NULL, NULL);
	mp_commit_set_io(NULL);
	cr_assert_eq(rc, MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_IO);
	const char *msg = mapiprof_errmsg(tu_ctx);
	cr_assert_not_null(strstr(msg, "in place and clean, so Windows ignores"), "%s", msg);
	cr_assert_not_null(strstr(msg, "injected reset failure"), "%s", msg);
	tu_assert_clean_file(hive);
	assert_home(hive, 0, "EXCH77");
	tu_snap_assert_same(&s1, l1);
	free(l1), free(hive);
}

Test(recover, recover_option_on_a_clean_hive_is_a_plain_write)
{
	char *hive = tu_stage_built(EXCH);
	cr_assert_eq(write_recovered(hive, NULL, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	assert_home(hive, 0, "EXCH77");
	tu_assert_listing(".", EXCH);
	free(hive);
}

Test(recover, force_on_a_recovered_hive_writes_the_recovered_state_and_keeps_the_logs)
{
	char *hive = make_dirty_mapi(1), *l1 = tu_tmp_path("NTUSER.DAT.LOG1");
	struct tu_snap s1 = tu_snap_take(l1);
	tu_open(hive);
	struct mapiprof_plan *plan = plan_of(tu_file, "global PR_DISPLAY_NAME_W = forced");
	struct mapiprof_write_opts o = {.force = 1};
	cr_assert_eq(mapiprof_plan_write(tu_file, plan, &o), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	mapiprof_plan_free(plan);
	assert_home(hive, 0, "EXCH99");
	tu_snap_assert_same(&s1, l1);
	free(l1), free(hive);
}

Test(recover, unwritable_temporary_directory_falls_back_to_the_primary_with_a_note)
{
	char *hive = make_dirty_mapi(1), *missing = tu_tmp_path("no-such-dir");
	cr_assert_eq(setenv("TMPDIR", missing, 1), 0);
	tu_open(hive);
	const struct mapiprof_info *info = mapiprof_file_info(tu_file);
	cr_assert_str_eq(info->state, "primary");
	cr_assert_not_null(strstr(info->recovery_note, "could not be opened"), "%s",
	                   info->recovery_note);
	cr_assert_not_null(strstr(info->recovery_note, "no-such-dir"), "%s", info->recovery_note);
	cr_assert_eq(mapiprof_write_check(tu_file), MAPIPROF_FAILED, "still dirty");
	char *home = home_of(tu_file);
	cr_assert_str_eq(home, "EXCH01");
	free(home);
	free(missing), free(hive);
}

/* ---- a failed step of an in-place recovery ------------------------------- */

static int
half_then_enospc(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	if (mp_write_full(ctx, fd, buf, len / 2) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_seterr_errno(ctx, ENOSPC, "injected write failure");
	return MAPIPROF_FAILED;
}

/* Writes only half of the image and says it wrote all. */
static int
silently_short(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	return mp_write_full(ctx, fd, buf, len / 2);
}

static int
no_unnamed(struct mapiprof_ctx *ctx, const char *dir, int *fd, char **reopen)
{
	(void)dir;
	*fd = -1;
	*reopen = NULL;
	mp_seterr_errno(ctx, EOPNOTSUPP, "injected: no O_TMPFILE here");
	return MAPIPROF_FAILED;
}

static const struct {
	struct mp_commit_io io;
	enum mapiprof_error code;
} recover_failures[] = {
    {{.write = half_then_enospc}, MAPIPROF_E_IO},
    {{.write = silently_short}, MAPIPROF_E_TRUNCATED},
    {{.fsync = tu_fail_fsync}, MAPIPROF_E_IO},
    {{.rename = tu_fail_rename}, MAPIPROF_E_IO},
    {{.open_unnamed = no_unnamed, .write = half_then_enospc}, MAPIPROF_E_IO},
    {{.open_unnamed = no_unnamed, .rename = tu_fail_rename}, MAPIPROF_E_IO},
};

ParameterizedTestParameters(recover, a_failed_step_leaves_the_hive_its_logs_and_no_temporary_file)
{
	return tu_index_params(sizeof(recover_failures) / sizeof(recover_failures[0]));
}

ParameterizedTest(size_t *i, recover, a_failed_step_leaves_the_hive_its_logs_and_no_temporary_file)
{
	char *hive = make_dirty_mapi(1), *l1 = tu_tmp_path("NTUSER.DAT.LOG1");
	char *l2 = tu_tmp_path("NTUSER.DAT.LOG2");
	struct tu_snap sh = tu_snap_take(hive), s1 = tu_snap_take(l1), s2 = tu_snap_take(l2);
	struct mapiprof_recover_opts o = {.consume_logs = 1, .backup_suffix = ".bak"};
	mp_commit_set_io(&recover_failures[*i].io);
	int rc = mapiprof_recover(tu_ctx, hive, &o, NULL);
	mp_commit_set_io(NULL);
	cr_assert_eq(rc, MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), recover_failures[*i].code, "%s",
	             mapiprof_errmsg(tu_ctx));
	tu_snap_assert_same(&sh, hive);
	tu_snap_assert_same(&s1, l1);
	tu_snap_assert_same(&s2, l2);
	/* A failed rename of the new file may leave the backups (the
	 * originals' bytes); never a temporary file. */
	char *got = tu_listing(".");
	cr_assert(strstr(got, ".mapiprof-") == NULL, "%s", got);
	free(got);
	free(l2), free(l1), free(hive);
}
