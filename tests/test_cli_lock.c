/* test_cli_lock.c - two writers of one file: each takes an exclusive
 * advisory lock before reading, so neither loses the other's change (on
 * hives and .reg files); a writer that waited plans on what the other
 * wrote; --no-wait and an expired --wait say "busy" with exit 4 and leave
 * the file alone; read-only modes (--dry-run, --check) never lock. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define VERSION_EDIT "global PR_PROFILE_SERVER_VERSION = 3001"
#define AUTH_EDIT    "emsab PR_PROFILE_AUTH_PACKAGE = 9"
#define TRIALS       10

TestSuite(cli_lock, .init = tu_setup, .fini = tu_teardown);

/* Whether the two edits are both in file. */
static void
assert_both_edits(const char *file, int trial)
{
	tu_assert_get("global", "PR_PROFILE_SERVER_VERSION", file, "3001");
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", file, "9");
	(void)trial;
}

/* Starts both edits of file at once (two processes) and waits for both. */
static void
race_two_edits(const char *file)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd),
	         "'%s' edit -e '" VERSION_EDIT "' '%s' >/dev/null & "
	         "'%s' edit -e '" AUTH_EDIT "' '%s' >/dev/null & "
	         "s=0; for p in $(jobs -p); do wait $p || s=1; done; exit $s",
	         MP_CLI, file, MP_CLI, file);
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "an edit failed: %s", r.err);
	tu_run_free(&r);
}

static void
race_trials(const char *(*stage)(void))
{
	for (int t = 0; t < TRIALS; t++) {
		const char *file = stage();
		race_two_edits(file);
		assert_both_edits(file, t);
	}
}

static char *staged;

static const char *
stage_hive(void)
{
	free(staged);
	return staged = tu_stage_built("exchange-mapi.dat");
}

static const char *
stage_reg(void)
{
	free(staged);
	return staged = tu_stage_src("exchange-mapi.reg");
}

Test(cli_lock, two_writers_of_one_hive_both_keep_their_changes)
{
	race_trials(stage_hive);
	free(staged);
	staged = NULL;
}

Test(cli_lock, two_writers_of_one_reg_file_both_keep_their_changes)
{
	race_trials(stage_reg);
	free(staged);
	staged = NULL;
}

/* An exclusive lock on path held by the test, as another writer would. */
static int
hold_lock(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC); /* not inherited by the writer */
	cr_assert_geq(fd, 0);
	cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	return fd;
}

/* Starts mapiprof with args in the background, output discarded. */
static pid_t
start(char *const args[])
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char *argv[16] = {MP_CLI};
		size_t n = 1;
		for (; args[n - 1] != NULL && n < 15; n++)
			argv[n] = args[n - 1];
		argv[n] = NULL;
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execv(MP_CLI, argv);
		_exit(127);
	}
	return pid;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

Test(cli_lock, a_waiting_writer_plans_on_what_the_other_wrote)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	char *next = tu_tmp_path("next.dat");
	/* What "the other writer" will put in place: the hive with one edit. */
	TU_CLI_EXPECT(0, "edit", "-e", VERSION_EDIT, "-o", next, hive);
	int lock = hold_lock(hive);
	pid_t pid = start((char *[]){"edit", "--wait", "60", "-e", AUTH_EDIT, hive, NULL});
	sleep_ms(300);
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "the writer did not wait for the lock");
	/* The other writer finishes: its file renamed into place, lock gone. */
	cr_assert_eq(rename(next, hive), 0);
	close(lock);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	assert_both_edits(hive, 0);
	free(hive);
	free(next);
}

Test(cli_lock, no_wait_on_a_locked_file_is_busy_and_leaves_it)
{
	TU_SKIP_ON_WINDOWS(
	    "the test holds a flock(2) lock, which Windows' LockFileEx does not see");
	char *hive = tu_stage_built("exchange-mapi.dat");
	struct tu_snap before = tu_snap_take(hive);
	int lock = hold_lock(hive);
	struct tu_run r;
	cr_assert_eq(tu_cli(&r, "edit", "--no-wait", "-e", AUTH_EDIT, hive, NULL), 0);
	cr_expect_eq(r.status, 4, "%s", r.err);
	cr_expect(strstr(r.err, "busy: another program is writing it") != NULL, "%s", r.err);
	tu_run_free(&r);
	cr_assert_eq(
	    tu_cli(&r, "apply", "--wait", "1", "--json", "exchange2007-gc-referral", hive, NULL),
	    0);
	cr_expect_eq(r.status, 4, "%s", r.err);
	cr_expect(strstr(r.out, "\"code\":\"busy\"") != NULL, "%s", r.out);
	tu_run_free(&r);
	cr_assert_eq(tu_cli(&r, "recover", "--no-wait", hive, NULL), 0);
	cr_expect_eq(r.status, 4, "%s", r.err);
	cr_expect(strstr(r.err, "busy") != NULL, "%s", r.err);
	tu_run_free(&r);
	close(lock);
	tu_snap_assert_same(&before, hive);
	free(hive);
}

Test(cli_lock, dry_run_and_check_do_not_lock)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	int lock = hold_lock(hive);
	TU_CLI_EXPECT(3, "apply", "--no-wait", "--check", "exchange2007-gc-referral", hive);
	TU_CLI_EXPECT(0, "apply", "--no-wait", "--dry-run", "exchange2007-gc-referral", hive);
	close(lock);
	free(hive);
}

Test(cli_lock, bad_wait_options_are_usage_errors)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	TU_CLI_EXPECT(2, "edit", "--wait", "soon", "-e", AUTH_EDIT, hive);
	TU_CLI_EXPECT(2, "edit", "--wait", "-1", "-e", AUTH_EDIT, hive);
	TU_CLI_EXPECT(2, "edit", "--wait", "86401", "-e", AUTH_EDIT, hive);
	TU_CLI_EXPECT(2, "edit", "--wait", "5", "--no-wait", "-e", AUTH_EDIT, hive);
	TU_CLI_EXPECT(2, "recover", "--wait", "x", hive);
	free(hive);
}
