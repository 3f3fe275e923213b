/* test_cli_hash.c - the CLI hashes an input only when its output shows the
 * hash (info, the JSON of show, list and diff), never for list, get, text
 * show, --check or --dry-run; show --json --no-hash leaves "sha256" out;
 * the hash is sha256sum's, computed beside the decoding where a second CPU
 * is online.  What was hashed is observed, not timed: hashhook.so is
 * preloaded into the CLI and logs every call of nettle's sha256_update
 * with the thread that made it. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testjson.h"
#include "testutil.h"

#define EXCH   "exchange-mapi.dat"
#define REGIPY "real/regipy/NTUSER_BAGMRU.DAT"

TestSuite(cli_hash, .init = tu_setup, .fini = tu_teardown);

/* What the hook logged during one run. */
struct hashed {
	int loaded;          /* the hook was in the process */
	size_t main_bytes;   /* hashed by the main thread */
	size_t thread_bytes; /* hashed by another thread */
};

/* Runs the CLI with hashhook.so preloaded and the arguments of the
 * NULL-terminated list, into tu_last; returns what it hashed. */
static struct hashed
run_hooked(const char *arg, ...)
{
	char *log = tu_tmp_path("hash.log");
	unlink(log);
	char preload[4096], logvar[4096], asan[4096];
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", MP_HASHHOOK);
	snprintf(logvar, sizeof(logvar), "MP_HASH_LOG=%s", log);
	/* A sanitizer runtime wants to come first; the hook is loaded before it. */
	const char *old = getenv("ASAN_OPTIONS");
	snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%sverify_asan_link_order=0",
	         old != NULL ? old : "", old != NULL && old[0] != '\0' ? ":" : "");
	char *argv[32] = {"/usr/bin/env", preload, logvar, asan, MP_CLI};
	size_t n = 5;
	va_list ap;
	va_start(ap, arg);
	for (const char *a = arg; a != NULL && n < 31; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	tu_run_free(&tu_last);
	cr_assert_eq(tu_run(argv, &tu_last), 0, "cannot run mapiprof");

	struct hashed h = {0};
	FILE *f = fopen(log, "r");
	char line[128];
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		size_t len = 0;
		if (strcmp(line, "loaded\n") == 0)
			h.loaded = 1;
		else if (sscanf(line, "main %zu", &len) == 1)
			h.main_bytes += len;
		else if (sscanf(line, "thread %zu", &len) == 1)
			h.thread_bytes += len;
		else
			cr_assert_fail("unexpected hook line: %s", line);
	}
	if (f != NULL)
		fclose(f);
	free(log);
	return h;
}

#define HOOKED(...) run_hooked(__VA_ARGS__, (char *)NULL)

/* Asserts that the last run exited want and that the hook saw nothing
 * hashed. */
static void
assert_not_hashed(struct hashed h, int want, const char *what)
{
	cr_assert_eq(tu_last.status, want, "%s: exit %d\n%s%s", what, tu_last.status, tu_last.out,
	             tu_last.err);
	cr_assert(h.loaded, "%s: the hook was not loaded (%s)", what, tu_last.err);
	cr_assert_eq(h.main_bytes + h.thread_bytes, 0, "%s hashed %zu bytes", what,
	             h.main_bytes + h.thread_bytes);
}

/* The sha256 of a file by sha256sum(1). */
static char *
sha256sum(const char *path)
{
	char *out = tu_tool_out("/usr/bin/sha256sum", path);
	out[64] = '\0';
	return out;
}

/* Asserts that exactly the file's bytes were hashed, by another thread
 * where a second CPU is online. */
static void
assert_hashed_whole(struct hashed h, const char *path, int beside)
{
	cr_assert(h.loaded, "the hook was not loaded (%s)", tu_last.err);
	cr_assert_eq(h.main_bytes + h.thread_bytes, tu_file_size(path), "hashed %zu + %zu bytes",
	             h.main_bytes, h.thread_bytes);
	if (beside && sysconf(_SC_NPROCESSORS_ONLN) > 1)
		cr_assert_eq(h.main_bytes, 0, "the main thread hashed %zu bytes", h.main_bytes);
}

Test(cli_hash, outputs_without_the_hash_never_hash_the_input)
{
	char *h = tu_stage_built(EXCH), *reg = tu_stage_built("exchange-mapi-utf16.reg");
	/* The hook works: info shows the hash, so it hashes. */
	assert_hashed_whole(HOOKED("info", h), h, 1);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);

	assert_not_hashed(HOOKED("list", h), 0, "list");
	assert_not_hashed(HOOKED("list", reg), 0, "list of a .reg file");
	assert_not_hashed(HOOKED("get", "--section", "global", "PR_PROFILE_CONNECT_FLAGS", h), 0,
	                  "get");
	assert_not_hashed(
	    HOOKED("get", "--json", "--section", "global", "PR_PROFILE_CONNECT_FLAGS", h), 0,
	    "get --json");
	assert_not_hashed(HOOKED("show", h), 0, "show");
	assert_not_hashed(HOOKED("show", "--json", "--no-hash", h), 0, "show --json --no-hash");
	assert_not_hashed(HOOKED("show", "--json", "--no-hash", reg), 0,
	                  "show --json --no-hash of a .reg file");
	assert_not_hashed(HOOKED("timeline", h), 0, "timeline");
	assert_not_hashed(HOOKED("diff", h, reg), 0, "diff");
	assert_not_hashed(HOOKED("apply", "--check", "exchange2007-gc-referral", h), 3,
	                  "apply --check");
	assert_not_hashed(HOOKED("apply", "--dry-run", "exchange2007-gc-referral", h), 0,
	                  "apply --dry-run");
	assert_not_hashed(HOOKED("apply", "--dry-run", "--json", "exchange2007-gc-referral", h), 0,
	                  "apply --dry-run --json");
	assert_not_hashed(
	    HOOKED("edit", "--check", "-e", "global PR_PROFILE_CONNECT_FLAGS = 0", reg), 3,
	    "edit --check of a .reg file");
	/* A write that prints no hash does not hash either. */
	assert_not_hashed(HOOKED("apply", "exchange2007-gc-referral", h), 0, "apply");
	free(reg);
	free(h);
}

Test(cli_hash, show_json_hash_is_sha256sum_and_is_computed_beside_the_decoding)
{
	const char *files[] = {REGIPY, EXCH, "exchange-mapi-utf16.reg", "hand-edited-crlf.reg"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = i == 0 ? tu_stage_src(files[i]) : tu_stage_built(files[i]);
		char *want = sha256sum(p);
		struct hashed h = HOOKED("show", "--json", p);
		cr_assert_eq(tu_last.status, 0, "%s: %s", files[i], tu_last.err);
		json_t *o = tj_line(tu_last.out, 0);
		cr_assert_str_eq(tj_str(o, "sha256"), want, "%s", files[i]);
		assert_hashed_whole(h, p, 1);
		json_decref(o);
		free(want);
		free(p);
	}
}

Test(cli_hash, no_hash_leaves_the_key_out_and_changes_nothing_else)
{
	char *p = tu_stage_src(REGIPY);
	json_t *with = TJ_CLI("show", "--json", p);
	cr_assert(json_is_string(json_object_get(with, "sha256")));
	json_t *without = TJ_CLI("show", "--json", "--no-hash", p);
	cr_assert_null(json_object_get(without, "sha256"), "%s", tu_last.out);
	cr_assert_eq(json_object_del(with, "sha256"), 0);
	cr_assert(json_equal(with, without), "show --json and --no-hash differ beyond sha256");
	/* The key keeps its place after "file" when present. */
	json_decref(TJ_CLI("show", "--json", p));
	cr_assert_not_null(strstr(tu_last.out, "\"file\":"));
	cr_assert(strstr(tu_last.out, "\"sha256\":") < strstr(tu_last.out, "\"format\":"), "%s",
	          tu_last.out);
	/* The text output has no hash to leave out. */
	TU_CLI_EXPECT(0, "show", "--no-hash", p);
	cr_assert_null(strstr(tu_last.out, "sha256"));
	json_decref(with);
	json_decref(without);
	free(p);
}

Test(cli_hash, list_and_diff_json_show_the_hash_of_each_file)
{
	char *a = tu_stage_built(EXCH), *b = tu_stage_built("exchange-mapi-utf16.reg");
	char *sa = sha256sum(a), *sb = sha256sum(b);
	struct hashed h = HOOKED("list", "--json", a);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(o, "sha256"), sa);
	assert_hashed_whole(h, a, 1);
	json_decref(o);
	h = HOOKED("diff", "--json", a, b);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(json_object_get(o, "a"), "sha256"), sa);
	cr_assert_str_eq(tj_str(json_object_get(o, "b"), "sha256"), sb);
	cr_assert_eq(h.main_bytes + h.thread_bytes, tu_file_size(a) + tu_file_size(b));
	json_decref(o);
	free(sa), free(sb), free(a), free(b);
}

Test(cli_hash, standard_input_is_hashed_as_the_bytes_read)
{
	/* Standard input is copied first and the copy hashed: the same bytes. */
	char *p = tu_stage_built(EXCH), *want = sha256sum(p);
	tu_stdin = p;
	json_t *o = TJ_CLI("show", "--json", "-");
	cr_assert_str_eq(tj_str(o, "file"), "-");
	cr_assert_str_eq(tj_str(o, "sha256"), want);
	json_decref(o);
	free(want);
	free(p);
}
