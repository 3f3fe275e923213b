/* test_write_faults.c - writes on real file systems that fail: a full
 * tmpfs (nothing left, or too little for the new file) and a read-only
 * mount leave the original byte for byte and no temporary file (needs root
 * to mount; skipped otherwise); and, in the long mode, writers killed with
 * SIGKILL at random points of a write on a large hive leave no torn file
 * and, after a later run, nothing beside it. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/platform.h"
#include "testutil.h"
#include "testutil_int.h"
#include "write/commit_io.h"

#define EXCHANGE "exchange-mapi.dat"
#define HIVE     "NTUSER.DAT"
#define RECIPE   "exchange2007-gc-referral"

/* The tmpfs mounted by this test, or NULL. */
static char *mnt;

static void
run_quiet(const char *const argv[], int *status)
{
	struct tu_run r;
	cr_assert_eq(tu_run((char *const *)argv, &r), 0, "cannot run %s", argv[0]);
	*status = r.status;
	tu_run_free(&r);
}

static void
faults_fini(void)
{
	if (mnt != NULL) {
		const char *argv[] = {"/bin/umount", "-l", mnt, NULL};
		int status = 0;
		run_quiet(argv, &status);
		free(mnt);
		mnt = NULL;
	}
	tu_teardown();
}

TestSuite(faults, .init = tu_setup, .fini = faults_fini);

/* Mounts a tmpfs of size bytes at tu_tmp/mnt (mnt); skips the test when
 * it cannot (not root, or no mount allowed here). */
static void
mount_tmpfs(unsigned long size)
{
	if (geteuid() != 0)
		cr_skip_test("mounting a tmpfs needs root");
	char *at = tu_tmp_path("mnt"), opt[64];
	cr_assert_eq(mkdir(at, 0755), 0);
	snprintf(opt, sizeof(opt), "size=%lu,mode=0755", size);
	const char *argv[] = {"/bin/mount", "-t", "tmpfs", "-o", opt, "tmpfs", at, NULL};
	int status = 0;
	run_quiet(argv, &status);
	if (status != 0) {
		free(at);
		cr_skip_test("cannot mount a tmpfs here (mount exit status %d)", status);
	}
	mnt = at;
}

/* mnt/name, malloc'd. */
static char *
in_mnt(const char *name)
{
	return mp_path_join(mnt, name);
}

/* The names in mnt, as tu_listing. */
static char *
mnt_listing(void)
{
	return tu_listing("mnt");
}

/* Fills mnt with mnt/filler until the file system is full, then gives
 * back leave bytes. */
static void
fill(size_t leave)
{
	char *path = in_mnt("filler");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	static char block[4096];
	off_t size = 0;
	for (;;) {
		ssize_t w = write(fd, block, sizeof(block));
		if (w <= 0) {
			cr_assert(w < 0 && errno == ENOSPC, "filling: %s", strerror(errno));
			break;
		}
		size += w;
	}
	cr_assert_geq((size_t)size, leave);
	cr_assert_eq(ftruncate(fd, size - (off_t)leave), 0);
	close(fd);
	free(path);
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

/* How the new file is made: the fast path, hivex (the patcher declines),
 * or the fast path with a named temporary file. */
enum path { FAST, HIVEX, NAMED };

static int
write_gc(const char *hive, enum path how)
{
	struct tu_plan h;
	mapiprof_close(tu_file);
	tu_file = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, hive, MAPIPROF_OPEN_LOCK, &tu_file), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	tu_plan_gc_referral(&h, tu_profile("Exchange"));
	struct mp_commit_io io = {0};
	if (how == HIVEX)
		io.patch = tu_decline_patch;
	if (how == NAMED)
		io.open_unnamed = no_unnamed;
	mp_commit_set_io(&io);
	int rc = mapiprof_plan_write(tu_file, &h.plan, NULL);
	mp_commit_set_io(NULL);
	mapiprof_close(tu_file);
	tu_file = NULL;
	return rc;
}

/* Copies the built exchange-mapi.dat to mnt/NTUSER.DAT and to tu_tmp/ref.dat
 * (*ref); returns the first. */
static char *
stage_in_mnt(char **ref)
{
	char *src = tu_fixture(EXCHANGE), *hive = in_mnt(HIVE);
	*ref = tu_tmp_path("ref.dat");
	cr_assert_eq(tu_copy(src, hive), 0);
	cr_assert_eq(tu_copy(src, *ref), 0);
	free(src);
	return hive;
}

static const struct {
	enum path how;
	size_t leave; /* bytes free when the write starts */
} full_cases[] = {
    {FAST, 0}, {FAST, 8192}, {HIVEX, 0}, {HIVEX, 8192}, {NAMED, 0}, {NAMED, 8192},
};

ParameterizedTestParameters(faults, a_full_tmpfs_leaves_the_original_and_no_temporary_file)
{
	return tu_index_params(sizeof(full_cases) / sizeof(full_cases[0]));
}

ParameterizedTest(size_t *i, faults, a_full_tmpfs_leaves_the_original_and_no_temporary_file)
{
	mount_tmpfs(1024 * 1024);
	char *ref = NULL, *hive = stage_in_mnt(&ref);
	fill(full_cases[*i].leave);
	cr_assert_eq(write_gc(hive, full_cases[*i].how), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_IO, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_errno(tu_ctx), ENOSPC, "%s", mapiprof_errmsg(tu_ctx));
	tu_assert_same_file(hive, ref);
	char *got = mnt_listing();
	cr_assert_str_eq(got, HIVE "|filler");
	free(got);
	/* With room again the same write goes through. */
	char *filler = in_mnt("filler");
	cr_assert_eq(unlink(filler), 0);
	cr_assert_eq(write_gc(hive, full_cases[*i].how), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	got = mnt_listing();
	cr_assert_str_eq(got, HIVE);
	free(got);
	free(filler);
	free(hive);
	free(ref);
}

Test(faults, apply_on_a_full_tmpfs_exits_1_and_leaves_the_original)
{
	mount_tmpfs(1024 * 1024);
	char *ref = NULL, *hive = stage_in_mnt(&ref);
	fill(4096);
	TU_CLI("apply", RECIPE, hive);
	cr_assert_eq(tu_last.status, 1, "%s", tu_last.err);
	cr_assert(strstr(tu_last.err, "No space left on device") != NULL, "%s", tu_last.err);
	tu_assert_same_file(hive, ref);
	char *got = mnt_listing();
	cr_assert_str_eq(got, HIVE "|filler");
	free(got);
	free(hive);
	free(ref);
}

Test(faults, a_read_only_mount_is_a_clean_error)
{
	mount_tmpfs(1024 * 1024);
	char *ref = NULL, *hive = stage_in_mnt(&ref);
	const char *argv[] = {"/bin/mount", "-o", "remount,ro", mnt, NULL};
	int status = 0;
	run_quiet(argv, &status);
	cr_assert_eq(status, 0, "cannot remount read-only");
	for (enum path how = FAST; how <= NAMED; how++) {
		cr_assert_eq(write_gc(hive, how), MAPIPROF_FAILED);
		cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_IO, "%s",
		             mapiprof_errmsg(tu_ctx));
		cr_assert_eq(mapiprof_errno(tu_ctx), EROFS, "%s", mapiprof_errmsg(tu_ctx));
		tu_assert_same_file(hive, ref);
		char *got = mnt_listing();
		cr_assert_str_eq(got, HIVE);
		free(got);
	}
	free(hive);
	free(ref);
}

Test(faults, apply_says_which_leftovers_of_a_killed_writer_it_removed)
{
	char *src = tu_fixture(EXCHANGE), *dir = tu_tmp_path("w"), *hive = tu_tmp_path("w/" HIVE);
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(tu_copy(src, hive), 0);
	free(tu_tmp_write("w/." HIVE ".mapiprof-dead12", "left", 4));
	TU_CLI("apply", RECIPE, hive);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert(strstr(tu_last.err, ": note: removed 1 temporary file that an interrupted "
	                              "earlier write left beside '") != NULL,
	          "%s", tu_last.err);
	cr_assert(strstr(tu_last.err, "(." HIVE ".mapiprof-dead12)") != NULL, "%s", tu_last.err);
	tu_assert_listing("w", HIVE);
	/* reglookup reads the written hive. */
	struct tu_dump d;
	tu_dump_reglookup(hive, &d);
	cr_assert_gt(d.n, 0);
	tu_dump_free(&d);
	free(hive);
	free(dir);
	free(src);
}

/* ---- kill trials (long mode) -------------------------------------------- */

#define KILL_TRIALS 100
/* Complete writes timed before the trials. */
#define CALIBRATION_RUNS 3
#define BIG_MIB          "56"

/* xorshift64* (Vigna 2016): the kill points, reproducible from the seed
 * printed. */
static uint64_t rng_state;

static uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Du;
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Starts a writer of target: the CLI's apply (cli), or a child writing the
 * same five values through the library with named temporary files. */
static pid_t
start_writer(const char *target, int cli)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid != 0)
		return pid;
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 1);
		dup2(null, 2);
	}
	if (cli) {
		execl(MP_CLI, MP_CLI, "apply", RECIPE, target, (char *)NULL);
		_exit(127);
	}
	struct mapiprof_file *f = NULL;
	/* As the CLI's writers open (no hash of the input). */
	if (mapiprof_open(tu_ctx, target, MAPIPROF_OPEN_LOCK | MAPIPROF_OPEN_NO_HASH, &f) !=
	    MAPIPROF_OK)
		_exit(3);
	tu_file = f;
	struct tu_plan h;
	tu_plan_gc_referral(&h, tu_profile("Exchange"));
	mp_commit_set_io(&(struct mp_commit_io){.open_unnamed = no_unnamed});
	_exit(mapiprof_plan_write(f, &h.plan, NULL) == MAPIPROF_OK ? 0 : 1);
}

/* Runs a writer of target to its end; returns its exit status. */
static int
run_writer(const char *target, int cli)
{
	int status = 0;
	pid_t pid = start_writer(target, cli);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Exit status of sh -c cmd, its first output line in out. */
static int
sh(const char *cmd, char *out, size_t size)
{
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run((char *const *)argv, &r), 0);
	if (out != NULL)
		snprintf(out, size, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	int status = r.status;
	tu_run_free(&r);
	return status;
}

/* Files in dir other than HIVE. */
static unsigned
leftovers(const char *dir)
{
	char **names = NULL;
	size_t n = 0;
	unsigned left = 0;
	cr_assert_eq(mp_dir_list(tu_ctx, dir, &names, &n), MAPIPROF_OK);
	for (size_t i = 0; i < n; i++) {
		left += strcmp(names[i], HIVE) != 0;
		free(names[i]);
	}
	free(names);
	return left;
}

/* Bytes in which a and b differ (cmp -l), at most 1,000,000 counted. */
static unsigned long
differing_bytes(const char *a, const char *b)
{
	char cmd[2048], out[64];
	snprintf(cmd, sizeof(cmd), "cmp -l '%s' '%s' | head -n 1000000 | wc -l", a, b);
	cr_assert_eq(sh(cmd, out, sizeof(out)), 0);
	return strtoul(out, NULL, 10);
}

/* Two complete writes of the same plan differ only in the times they
 * stamp (base block, the keys' LastWrite) and the checksum: a few dozen
 * bytes.  A torn file differs in far more, or in size. */
#define NEW_FILE_SLACK 64ul

static void
kill_trials(int cli)
{
	if (!tu_long_mode())
		cr_skip_test("kill trials run in the long mode only (tests/run.sh --long)");
	char *big = tu_tmp_path("big.dat"), *refnew = tu_tmp_path("new.dat");
	char *dir = tu_tmp_path("t"), *target = tu_tmp_path("t/" HIVE), cmd[2048];
	snprintf(cmd, sizeof(cmd), "'%s' '%s/bench/mkbig.py' " BIG_MIB " '%s' >/dev/null",
	         MP_PYTHON, MP_SOURCE_DIR, big);
	cr_assert_eq(sh(cmd, NULL, 0), 0, "mkbig.py failed");
	cr_assert_eq(mkdir(dir, 0755), 0);
	/* Complete writes: the new content, and how long a write takes (the
	 * fastest of a few: the first also reads the hive into the cache). */
	double full = 1e9;
	for (int i = 0; i < CALIBRATION_RUNS; i++) {
		cr_assert_eq(tu_copy(big, target), 0);
		double t0 = now_s();
		cr_assert_eq(run_writer(target, cli), 0);
		double t = now_s() - t0;
		full = t < full ? t : full;
	}
	cr_assert_eq(rename(target, refnew), 0);
	struct tu_dump d;
	tu_dump_reglookup(refnew, &d); /* reglookup reads the new file whole */
	tu_dump_free(&d);
	cr_assert_gt(differing_bytes(big, refnew), 0);
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng_state = seed | 1u;
	unsigned killed = 0, finished = 0, old = 0, fresh = 0, torn = 0, left_after_kill = 0,
	         left_after_run = 0, later_failed = 0;
	for (int i = 0; i < KILL_TRIALS; i++) {
		cr_assert_eq(tu_copy(big, target), 0);
		/* Anywhere from the start to a little past the usual end. */
		double at = full * 1.1 * (double)(rng_next() >> 11) / 9007199254740992.0;
		int status = 0;
		pid_t pid = start_writer(target, cli);
		sleep_s(at);
		kill(pid, SIGKILL);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		if (WIFSIGNALED(status))
			killed++;
		else
			finished += WEXITSTATUS(status) == 0;
		snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", big, target);
		if (sh(cmd, NULL, 0) == 0)
			old++;
		else if (tu_file_size(target) == tu_file_size(refnew) &&
		         differing_bytes(target, refnew) <= NEW_FILE_SLACK)
			fresh++;
		else
			torn++;
		left_after_kill += leftovers(dir);
		/* A later run (it writes when the kill left the old file). */
		later_failed += run_writer(target, 1) != 0;
		left_after_run += leftovers(dir);
		cr_assert_eq(unlink(target), 0);
		/* Whatever is left is counted once, then cleared for the next. */
		char **names = NULL;
		size_t n = 0;
		cr_assert_eq(mp_dir_list(tu_ctx, dir, &names, &n), MAPIPROF_OK);
		for (size_t j = 0; j < n; j++) {
			char *p = mp_path_join(dir, names[j]);
			unlink(p);
			free(p);
			free(names[j]);
		}
		free(names);
	}
	fprintf(stderr,
	        "kill trials (%s, %s MiB hive, a write takes %.3f s, seed %llu): %d trials, %u "
	        "killed, %u finished first; targets old %u, new %u, torn %u; leftovers after "
	        "the kills %u, after a later run %u\n",
	        cli ? "mapiprof apply" : "library, named temporary files", BIG_MIB, full,
	        (unsigned long long)seed, KILL_TRIALS, killed, finished, old, fresh, torn,
	        left_after_kill, left_after_run);
	cr_assert_eq(torn, 0, "%u torn files", torn);
	cr_assert_eq(later_failed, 0, "%u later runs failed", later_failed);
	cr_assert_eq(left_after_run, 0, "%u files left after a later run", left_after_run);
	cr_assert_gt(killed, 0, "no trial killed a writer");
	free(target);
	free(dir);
	free(refnew);
	free(big);
}

Test(faults, killed_applies_leave_no_torn_file_and_nothing_after_a_later_run, .timeout = 1800)
{
	kill_trials(1);
}

Test(faults, killed_writers_with_named_temporary_files_leave_nothing_after_a_later_run,
     .timeout = 1800)
{
	kill_trials(0);
}
