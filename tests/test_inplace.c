/* test_inplace.c - --in-place: a hive changed in its own file, journaled
 * through FILE.LOG1.  The file keeps its inode and hard links; bytes
 * outside the journaled pages stay as they were; the log is read by an
 * independent checker (hvle_check.py); a write stopped after any of its
 * disk steps (injected through the commit I/O table), or killed at a random
 * moment, leaves a hive that mapiprof's replay and an independent replay
 * bring to exactly the old or exactly the new values, as hivexregedit and
 * reglookup read them; a plan that does not fit falls back to a new file
 * with a note. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "base/platform.h"
#include "testutil.h"
#include "testutil_int.h"
#include "write/commit_io.h"

#define EXCHANGE "exchange-mapi.dat"
#define HIVE     "NTUSER.DAT"
#define RECIPE   "exchange2007-gc-referral"

/* No per-test .timeout here: Criterion's timeout thread (BoxFort's
 * timeout-posix.c) loses a request when timed tests overlap, and
 * LeakSanitizer then fails the program.  meson's per-program limit
 * (tests/meson.build) still stops a hang. */
TestSuite(inplace, .init = tu_setup, .fini = tu_teardown);

/* Runs argv; returns its exit status, its standard output in *out
 * (malloc'd) when out is not NULL. */
static int
run(const char *const argv[], char **out)
{
	struct tu_run r;
	cr_assert_eq(tu_run((char *const *)argv, &r), 0, "cannot run %s", argv[0]);
	int status = r.status;
	if (out != NULL) {
		*out = r.out;
		r.out = NULL;
	}
	tu_run_free(&r);
	return status;
}

/* What two independent readers see in hive: hivexregedit's export and
 * reglookup's records without the key times (a write stamps them). */
struct view {
	char *hivex, *reglookup;
};

static void
view_of(const char *hive, struct view *v)
{
	const char *hx[] = {"/usr/bin/hivexregedit", "--export", hive, "\\", NULL};
	cr_assert_eq(run(hx, &v->hivex), 0, "hivexregedit --export %s failed", hive);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "/usr/bin/reglookup -H '%s' | cut -d, -f1-3 | sort", hive);
	const char *rl[] = {"/bin/sh", "-c", cmd, NULL};
	cr_assert_eq(run(rl, &v->reglookup), 0, "reglookup %s failed", hive);
	cr_assert_gt(strlen(v->reglookup), 0);
}

static void
view_free(struct view *v)
{
	free(v->hivex);
	free(v->reglookup);
}

/* 0 when v is old, 1 when it is new, -1 when neither. */
static int
which(const struct view *v, const struct view *old, const struct view *new)
{
	if (strcmp(v->hivex, old->hivex) == 0 && strcmp(v->reglookup, old->reglookup) == 0)
		return 0;
	if (strcmp(v->hivex, new->hivex) == 0 && strcmp(v->reglookup, new->reglookup) == 0)
		return 1;
	return -1;
}

/* The staged hive (tu_tmp/t/NTUSER.DAT) and the old and new views: the
 * fixture, and the fixture written by the atomic copy. */
struct world {
	char *src, *dir, *hive, *log;
	struct view old, new;
};

static void
world_begin(struct world *w)
{
	w->src = tu_fixture(EXCHANGE);
	w->dir = tu_tmp_path("t");
	w->hive = tu_tmp_path("t/" HIVE);
	w->log = tu_tmp_path("t/" HIVE ".LOG1");
	cr_assert_eq(mkdir(w->dir, 0755), 0);
	char *ref = tu_tmp_path("new.dat");
	cr_assert_eq(tu_copy(w->src, ref), 0);
	TU_CLI_EXPECT(0, "apply", RECIPE, ref);
	view_of(w->src, &w->old);
	view_of(ref, &w->new);
	cr_assert_neq(which(&w->new, &w->old, &w->old), 0, "the recipe changes nothing");
	free(ref);
}

static void
world_stage(struct world *w)
{
	cr_assert_eq(tu_copy(w->src, w->hive), 0);
	unlink(w->log);
}

static void
world_end(struct world *w)
{
	view_free(&w->old);
	view_free(&w->new);
	free(w->src);
	free(w->dir);
	free(w->hive);
	free(w->log);
}

/* ---- the disk steps, counted and stopped ------------------------------- */

/* The step a stop is injected at (1-based; 0 never), and the steps seen. */
static int stop_at, steps;

static int
stopped(struct mapiprof_ctx *ctx)
{
	if (stop_at == 0 || ++steps < stop_at)
		return 0;
	/* Stopped: this step and every later one do nothing, as after a crash. */
	mp_seterr(ctx, MAPIPROF_E_IO, "injected stop at step %d", stop_at);
	return 1;
}

static int
step_pwrite(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len, uint64_t off)
{
	return stopped(ctx) ? MAPIPROF_FAILED
	                    : mp_commit_default_io()->pwrite(ctx, fd, buf, len, off);
}

static int
step_fsync(struct mapiprof_ctx *ctx, int fd)
{
	return stopped(ctx) ? MAPIPROF_FAILED : mp_commit_default_io()->fsync(ctx, fd);
}

static int
step_fsync_dir(struct mapiprof_ctx *ctx, const char *dir)
{
	return stopped(ctx) ? MAPIPROF_FAILED : mp_commit_default_io()->fsync_dir(ctx, dir);
}

/* The log as written, kept before its reset (journal_keep). */
static const char *journal_keep;

static int
step_reset(struct mapiprof_ctx *ctx, const char *path)
{
	if (stopped(ctx))
		return MAPIPROF_FAILED;
	struct stat st;
	if (journal_keep != NULL && stat(path, &st) == 0 && st.st_size > 0)
		cr_assert_eq(tu_copy(path, journal_keep), 0);
	return mp_commit_default_io()->reset(ctx, path);
}

/* Writes the five values into hive with --in-place through the library,
 * its disk steps counted and, from step stop (0: none), stopped. */
static int
write_gc(const char *hive, int stop)
{
	struct tu_plan h;
	cr_assert_eq(mapiprof_open(tu_ctx, hive, MAPIPROF_OPEN_LOCK, &tu_file), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	tu_plan_gc_referral(&h, tu_profile("Exchange"));
	stop_at = stop;
	steps = 0;
	mp_commit_set_io(&(struct mp_commit_io){.pwrite = step_pwrite,
	                                        .fsync = step_fsync,
	                                        .fsync_dir = step_fsync_dir,
	                                        .reset = step_reset});
	int rc = mapiprof_plan_write_in_place(tu_file, &h.plan, NULL);
	mp_commit_set_io(NULL);
	mapiprof_close(tu_file);
	tu_file = NULL;
	return rc;
}

/* The disk steps of a whole in-place write of the five values. */
static int
count_steps(struct world *w)
{
	world_stage(w);
	cr_assert_eq(write_gc(w->hive, 1 << 30), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_gt(steps, 8, "only %d disk steps", steps);
	return steps;
}

/* Checks what a stopped or killed write left in w->hive: mapiprof's replay
 * (recover -o) and hvle_check.py's give the same state, exactly the old
 * or the new one for hivexregedit and reglookup; then recover in place
 * leaves a clean hive that a later --in-place write completes.  Returns 0
 * (old) or 1 (new). */
static int
check_left(struct world *w, const char *what)
{
	char *rec = tu_tmp_path("rec.dat"), *py = tu_tmp_path("py.dat");
	unlink(rec);
	TU_CLI("recover", "-o", rec, w->hive);
	cr_assert_eq(tu_last.status, 0, "%s: recover failed: %s", what, tu_last.err);
	struct view v;
	view_of(rec, &v);
	int got = which(&v, &w->old, &w->new);
	cr_assert_geq(got, 0, "%s: the recovered hive is neither the old nor the new one", what);
	view_free(&v);
	/* The independent replay, from the log when there is one. */
	struct stat st;
	if (stat(w->log, &st) == 0 && st.st_size > 0) {
		char *script = strdup(MP_SOURCE_DIR "/tests/hvle_check.py");
		const char *argv[] = {MP_PYTHON, script, "replay", w->hive, w->log, py, NULL};
		char *out = NULL;
		int status = run(argv, &out);
		free(out);
		free(script);
		/* A clean hive beside a log that holds its next state: copied as is. */
		cr_assert_eq(status, 0, "%s: hvle_check.py replay failed", what);
		view_of(py, &v);
		cr_assert_eq(which(&v, &w->old, &w->new), got,
		             "%s: hvle_check.py's replay and mapiprof's disagree", what);
		view_free(&v);
	}
	/* Opened as it is (a dirty hive with its log replayed in memory). */
	TU_CLI("list", w->hive);
	cr_assert_eq(tu_last.status, 0, "%s: list failed: %s", what, tu_last.err);
	/* In place: recovered (a dirty hive), then written again. */
	TU_CLI("recover", "--consume-logs", w->hive);
	cr_assert_eq(tu_last.status, 0, "%s: recover in place failed: %s", what, tu_last.err);
	TU_CLI("apply", "--in-place", "--force", RECIPE, w->hive);
	cr_assert_eq(tu_last.status, 0, "%s: a later write failed: %s", what, tu_last.err);
	struct view after;
	view_of(w->hive, &after);
	cr_assert_eq(which(&after, &w->old, &w->new), 1, "%s: a later write did not complete it",
	             what);
	view_free(&after);
	free(rec);
	free(py);
	return got;
}

/* Stops the write at step k of n and checks what it left.  A write stops
 * with an error, except at the last step, the log's reset: the hive is
 * whole and clean then, and a note says the log was not reset. */
static int
stop_trial(struct world *w, int k, int n)
{
	char what[64];
	snprintf(what, sizeof(what), "stopped at step %d of %d", k, n);
	world_stage(w);
	int rc = write_gc(w->hive, k);
	if (k < n) {
		cr_assert_eq(rc, MAPIPROF_FAILED, "%s: the write did not fail", what);
	} else {
		cr_assert_eq(rc, MAPIPROF_OK, "%s: %s", what, mapiprof_errmsg(tu_ctx));
		cr_assert_not_null(strstr(mapiprof_note(tu_ctx), "could not be reset"), "%s: %s",
		                   what, mapiprof_note(tu_ctx));
	}
	mapiprof_clear_error(tu_ctx);
	mapiprof_clear_note(tu_ctx);
	return check_left(w, what);
}

/* ---- the normal run ------------------------------------------------------ */

Test(inplace, apply_in_place_keeps_the_inode_and_hard_links_and_writes_the_new_values)
{
	struct world w;
	world_begin(&w);
	world_stage(&w);
	char *hard = tu_tmp_path("link.dat");
	cr_assert_eq(link(w.hive, hard), 0);
	/* An extended attribute (where ACLs live on Linux), when the file
	 * system takes one. */
	int xattr = setxattr(w.hive, "user.mapiprof-test", "kept", 4, 0) == 0;
	struct stat before, after;
	cr_assert_eq(stat(w.hive, &before), 0);
	TU_CLI_EXPECT(0, "apply", "--in-place", RECIPE, w.hive);
	cr_assert_not_null(strstr(tu_last.out, "5 changes written in place"), "%s", tu_last.out);
	cr_assert_eq(stat(w.hive, &after), 0);
	cr_assert_eq(after.st_ino, before.st_ino, "the file was replaced");
	cr_assert_eq(after.st_nlink, 2);
	cr_assert_eq(after.st_uid, before.st_uid);
	cr_assert_eq(after.st_mode, before.st_mode);
	if (xattr) {
		char got[8] = "";
		cr_assert_eq(getxattr(w.hive, "user.mapiprof-test", got, sizeof(got)), 4);
		cr_assert_str_eq(got, "kept");
	}
	struct view v;
	view_of(hard, &v);
	cr_assert_eq(which(&v, &w.old, &w.new), 1, "the hard link does not see the new values");
	view_free(&v);
	/* Clean, and its log reset. */
	tu_assert_clean_file(w.hive);
	cr_assert_eq(tu_file_size(w.log), 0);
	TU_CLI_EXPECT(0, "info", "--json", w.hive);
	cr_assert_not_null(strstr(tu_last.out, "\"dirty\":false"), "%s", tu_last.out);
	/* --json says so too. */
	world_stage(&w);
	TU_CLI_EXPECT(0, "apply", "--in-place", "--json", RECIPE, w.hive);
	cr_assert_not_null(strstr(tu_last.out, "\"in_place\":true"), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "\"note\":null"), "%s", tu_last.out);
	free(hard);
	world_end(&w);
}

/* Bytes that differ between the hive before and after lie in the base
 * block or in a page the log journaled (hvle_check.py reads the log). */
Test(inplace, only_the_journaled_pages_change_and_the_log_checks_independently)
{
	struct world w;
	world_begin(&w);
	world_stage(&w);
	char *kept = tu_tmp_path("journal.log"), *old = tu_tmp_path("old.dat");
	cr_assert_eq(tu_copy(w.hive, old), 0);
	journal_keep = kept;
	cr_assert_eq(write_gc(w.hive, 0), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	journal_keep = NULL;
	char *script = strdup(MP_SOURCE_DIR "/tests/hvle_check.py"), *pages = NULL;
	const char *argv[] = {MP_PYTHON, script, "check", kept, NULL};
	cr_assert_eq(run(argv, &pages), 0, "hvle_check.py check failed");
	unsigned long off[64], len[64];
	size_t n = 0;
	unsigned entries = 0;
	for (char *line = strtok(pages, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		entries += strncmp(line, "entry ", 6) == 0;
		if (strncmp(line, "page ", 5) == 0) {
			cr_assert_lt(n, 64);
			cr_assert_eq(sscanf(line, "page %lu %lu", &off[n], &len[n]), 2);
			n++;
		}
	}
	cr_assert_eq(entries, 1);
	cr_assert_gt(n, 0);
	/* cmp -l: 1-based offsets of the bytes that differ (the appended bin
	 * is past the end of the old file: cmp says EOF, the bin is a page). */
	char cmd[2048], *diff = NULL;
	snprintf(cmd, sizeof(cmd), "cmp -l '%s' '%s' 2>/dev/null | awk '{print $1}'", old, w.hive);
	const char *sh[] = {"/bin/sh", "-c", cmd, NULL};
	run(sh, &diff);
	unsigned long ndiff = 0, pages_bytes = 0;
	for (size_t i = 0; i < n; i++)
		pages_bytes += len[i];
	for (char *line = strtok(diff, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		unsigned long at = strtoul(line, NULL, 10) - 1u;
		int inside = at < 512u;
		for (size_t i = 0; !inside && i < n; i++)
			inside = at >= 4096u + off[i] && at < 4096u + off[i] + len[i];
		cr_assert(inside, "byte %lu changed outside the base block and the journaled pages",
		          at);
		ndiff++;
	}
	cr_assert_gt(ndiff, 0);
	/* O(changed pages): a few pages, far less than the file. */
	cr_assert_leq(pages_bytes, 4u * 4096u, "%lu bytes journaled", pages_bytes);
	free(diff);
	free(pages);
	free(script);
	free(kept);
	free(old);
	world_end(&w);
}

/* Representative stops: the log written but the hive not yet marked dirty
 * (old), the pages written but not yet marked clean (new by replay), and
 * the log not reset (new). */
Test(inplace, a_stop_before_the_dirty_mark_or_before_the_clean_mark_leaves_old_or_new)
{
	struct world w;
	world_begin(&w);
	int n = count_steps(&w);
	/* Steps: 1 reset, 2 log write, 3 log fsync, 4 dir fsync, 5 dirty mark,
	 * ..., n - 2 clean mark, n - 1 its fsync, n the log reset. */
	cr_assert_eq(stop_trial(&w, 5, n), 0, "stopped before the dirty mark: not the old hive");
	cr_assert_eq(stop_trial(&w, n - 2, n), 1,
	             "stopped before the clean mark: not the new hive");
	cr_assert_eq(stop_trial(&w, n, n), 1, "stopped before the log reset: not the new hive");
	world_end(&w);
}

Test(inplace, a_plan_that_deletes_a_key_falls_back_to_a_new_file_with_a_note)
{
	struct world w;
	world_begin(&w);
	world_stage(&w);
	struct stat before, after;
	cr_assert_eq(stat(w.hive, &before), 0);
	TU_CLI_EXPECT(0, "profile", "delete", "Exchange", "--in-place", "--json", w.hive);
	cr_assert_not_null(strstr(tu_last.out, "\"in_place\":false"), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "not written in place: the plan deletes a key"),
	                   "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.err, "note: not written in place"), "%s", tu_last.err);
	cr_assert_eq(stat(w.hive, &after), 0);
	cr_assert_neq(after.st_ino, before.st_ino, "the fallback is the atomic copy");
	cr_assert(!tu_exists(w.log), "the fallback wrote a log");
	tu_assert_clean_file(w.hive);
	world_end(&w);
}

/* A base block the patcher leaves alone (version 1.2: regf/patch.h) makes
 * it decline: the plan is written as a new file, with the note. */
Test(inplace, a_hive_the_patcher_declines_falls_back_to_a_new_file_with_a_note)
{
	struct world w;
	world_begin(&w);
	world_stage(&w);
	tu_hive_set_minor(w.hive, 2);
	struct stat before, after;
	cr_assert_eq(stat(w.hive, &before), 0);
	TU_CLI_EXPECT(0, "apply", "--in-place", RECIPE, w.hive);
	cr_assert_not_null(strstr(tu_last.err, "note: not written in place: the changes need more "
	                                       "than the hive's own cells"),
	                   "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "5 changes written\n"), "%s", tu_last.out);
	cr_assert_eq(stat(w.hive, &after), 0);
	cr_assert_neq(after.st_ino, before.st_ino, "the fallback is the atomic copy");
	cr_assert(!tu_exists(w.log), "the fallback wrote a log");
	struct view v;
	view_of(w.hive, &v);
	cr_assert_eq(which(&v, &w.old, &w.new), 1);
	view_free(&v);
	world_end(&w);
}

Test(inplace, a_reg_file_falls_back_and_in_place_excludes_output_and_backup)
{
	char *reg = tu_stage_src("exchange-mapi.reg");
	TU_CLI_EXPECT(0, "apply", "--in-place", RECIPE, reg);
	cr_assert_not_null(strstr(tu_last.err, "not written in place: a .reg file is text"), "%s",
	                   tu_last.err);
	char *out = tu_tmp_path("out.dat"), *hive = tu_stage_built(EXCHANGE);
	TU_CLI_EXPECT(2, "apply", "--in-place", "-o", out, RECIPE, hive);
	cr_assert_not_null(strstr(tu_last.err, "--in-place writes FILE itself"), "%s", tu_last.err);
	TU_CLI_EXPECT(2, "apply", "--in-place", "--backup", RECIPE, hive);
	cr_assert(!tu_exists(out));
	free(out);
	free(hive);
	free(reg);
}

/* ---- long mode: a stop after every step, and kills ---------------------- */

Test(inplace, a_stop_after_every_disk_step_leaves_exactly_old_or_new)
{
	if (!tu_long_mode())
		cr_skip_test("every stop point runs in the long mode only (tests/run.sh --long)");
	struct world w;
	world_begin(&w);
	int n = count_steps(&w), old = 0, fresh = 0;
	for (int k = 1; k <= n; k++) {
		if (stop_trial(&w, k, n) == 0)
			old++;
		else
			fresh++;
	}
	fprintf(stderr, "in-place stops: %d steps, old %d, new %d\n", n, old, fresh);
	cr_assert_gt(old, 0);
	cr_assert_gt(fresh, 0);
	world_end(&w);
}

static void
sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A disk step that takes a while, so that a kill can land between any two. */
static int
slow_pwrite(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len, uint64_t off)
{
	sleep_s(0.003);
	return mp_commit_default_io()->pwrite(ctx, fd, buf, len, off);
}

static int
slow_fsync(struct mapiprof_ctx *ctx, int fd)
{
	sleep_s(0.003);
	return mp_commit_default_io()->fsync(ctx, fd);
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A child writing the five values in place, its disk steps slowed. */
static pid_t
start_writer(const char *hive)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid != 0)
		return pid;
	struct tu_plan h;
	if (mapiprof_open(tu_ctx, hive, MAPIPROF_OPEN_LOCK | MAPIPROF_OPEN_NO_HASH, &tu_file) !=
	    MAPIPROF_OK)
		_exit(3);
	tu_plan_gc_referral(&h, tu_profile("Exchange"));
	mp_commit_set_io(&(struct mp_commit_io){.pwrite = slow_pwrite, .fsync = slow_fsync});
	_exit(mapiprof_plan_write_in_place(tu_file, &h.plan, NULL) == MAPIPROF_OK ? 0 : 1);
}

#define KILL_TRIALS 40

Test(inplace, killed_in_place_writers_leave_exactly_old_or_new)
{
	if (!tu_long_mode())
		cr_skip_test("kill trials run in the long mode only (tests/run.sh --long)");
	struct world w;
	world_begin(&w);
	double full = 1e9;
	for (int i = 0; i < 3; i++) {
		world_stage(&w);
		int status = 0;
		double t0 = now_s();
		pid_t pid = start_writer(w.hive);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		full = now_s() - t0 < full ? now_s() - t0 : full;
	}
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid(), killed = 0, old = 0, fresh = 0;
	srand(seed);
	for (int i = 0; i < KILL_TRIALS; i++) {
		world_stage(&w);
		pid_t pid = start_writer(w.hive);
		sleep_s(full * 1.1 * (double)rand() / (double)RAND_MAX);
		kill(pid, SIGKILL);
		int status = 0;
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		killed += WIFSIGNALED(status);
		char what[64];
		snprintf(what, sizeof(what), "kill trial %d (seed %u)", i, seed);
		if (check_left(&w, what) == 0)
			old++;
		else
			fresh++;
	}
	fprintf(stderr,
	        "in-place kill trials (a write takes %.3f s, seed %u): %d trials, %u killed; old "
	        "%u, new %u\n",
	        full, seed, KILL_TRIALS, killed, old, fresh);
	cr_assert_gt(killed, 0);
	world_end(&w);
}
