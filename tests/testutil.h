/* testutil.h - helpers shared by the test programs: temporary directories,
 * file copies, running the built CLI with its output captured, and the
 * common per-test harness (a temporary directory, a context, an open file)
 * with the assertions every suite makes on the way.  Public API only (also
 * linked into test_public_api); helpers that need the library's internal
 * headers are in testutil_int.h, JSON readers in testjson.h. */
#ifndef MP_TESTUTIL_H
#define MP_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tu_run {
	int status; /* exit status, or 128 + signal number */
	char *out;  /* captured stdout (NUL-terminated) */
	size_t outlen;
	char *err; /* captured stderr */
	size_t errlen;
};

/* Makes a fresh directory under $TMPDIR (or /tmp); returns a malloc'd path. */
char *tu_mkdtemp(void);
/* Removes a directory tree made by tu_mkdtemp. */
void tu_rmtree(const char *dir);
/* Copies src to dst (dst created or truncated); returns 0 on success. */
int tu_copy(const char *src, const char *dst);
/* Reads a whole file; returns a malloc'd NUL-terminated buffer or NULL. */
char *tu_read(const char *path, size_t *len);
/* Writes len bytes to path (created or truncated); returns 0 on success. */
int tu_write(const char *path, const void *data, size_t len);
/* The XOR of the first 127 little-endian dwords of a regf base block (regf
 * spec "Base block": the checksum stored at offset 508), computed by the
 * tests without the library; tu_regf_reseal stores it. */
uint32_t tu_regf_checksum(const uint8_t *base);
void tu_regf_reseal(uint8_t *base);
/* Sets a hive file's minor format version (base block offset 0x18, regf
 * spec "Base block") and recomputes its checksum: a 1.3 fixture read as a
 * 1.5 hive (which may hold big data and lh lists). */
void tu_hive_set_minor(const char *path, unsigned minor);
/* 1 when the suite runs in its long mode (tests/run.sh --long sets
 * MP_TEST_LONG=1): slow trials run too. */
int tu_long_mode(void);
/* Size of a file in bytes (0 when it cannot be read). */
uint64_t tu_file_size(const char *path);
/* Hives up to this size get every independent parser's dump in every run;
 * larger ones get the slowest parser (regfexport) only in the long mode. */
#define TU_QUICK_DUMP_MAX (1024u * 1024u)
/* 1 in a build with AddressSanitizer (gcc defines the first macro, clang
 * answers the feature test), where address-space limits and Valgrind do
 * not apply; else 0. */
#if defined(__SANITIZE_ADDRESS__)
#define TU_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_UNDER_ASAN 1
#endif
#endif
#ifndef TU_UNDER_ASAN
#define TU_UNDER_ASAN 0
#endif

/* The file the next tu_run (or tu_cli) reads as standard input; NULL, and
 * after every run: /dev/null. */
extern const char *tu_stdin;
/* Runs argv (argv[0] is a path) with stdin from tu_stdin, capturing
 * stdout and stderr.  Returns 0 when it could run it. */
int tu_run(char *const argv[], struct tu_run *r);
/* Runs the built mapiprof with the given NULL-terminated arguments, in the
 * CLI server (cli_server.c: a fork of one started mapiprof, with the
 * test's working directory, file mode mask, environment and streams);
 * MP_TEST_EXEC=1 executes each. */
int tu_cli(struct tu_run *r, ...);
/* The commands this process has had run by the CLI server. */
extern unsigned tu_served_runs;
/* The same with the first argument and a va_list of the rest. */
/* The CLI program run (MP_TEST_CLI overrides MP_CLI). */
const char *tu_cli_program(void);
/* 1 when that program is a Windows build (MP_TEST_CLI_OS=windows, as
 * tests/wine-tests.sh sets). */
int tu_cli_windows(void);
/* An absolute path as a user of the program tested types it: on Windows
 * (Wine) "Z:\\tmp\\x" for /tmp/x, else path itself; malloc'd. */
char *tu_cli_user_path(const char *path);
/* Skips a test that cannot hold on Windows by nature, saying why. */
#define TU_SKIP_ON_WINDOWS(why)                                                                    \
	do {                                                                                       \
		if (tu_cli_windows()) {                                                            \
			fprintf(stderr, "skipped on Windows: %s\n", why);                          \
			cr_skip_test("not on Windows: %s", why);                                   \
		}                                                                                  \
	} while (0)
int tu_cliv(struct tu_run *r, const char *arg, va_list ap);
void tu_run_free(struct tu_run *r);
/* "fixtures-build-dir/name" and "fixtures-source-dir/name", malloc'd. */
char *tu_fixture(const char *name);
char *tu_fixture_src(const char *name);
/* 1 if the file exists. */
int tu_exists(const char *path);
/* Modification time in nanoseconds, or -1. */
int64_t tu_mtime_ns(const char *path);
/* Number of '\n' in s. */
size_t tu_count_lines(const char *s);
/* BOM FF FE and the UTF-16LE of the UTF-8 text (asserted well formed),
 * converted here rather than by the library's utf16.c so that tests of
 * the .reg readers do not check a converter against itself; malloc'd,
 * *len its size. */
uint8_t *tu_utf16_bom(const char *utf8, size_t *len);

/* ---- before/after dumps by independent registry tools -----------------
 * A dump is the records a tool prints for a hive, sorted with strcmp, so
 * that two dumps (before and after a write) compare by tu_dump_has. */
struct tu_dump {
	char **rec; /* malloc'd NUL-terminated records */
	size_t n;
	size_t cap; /* slots allocated in rec */
};

/* Runs tool (a path) on hive, asserting that it runs and exits 0; returns
 * its stdout, malloc'd. */
char *tu_tool_out(const char *tool, const char *hive);
/* reglookup: a record per line after the header (path,type,value,mtime);
 * every line must end in '\n'. */
void tu_dump_reglookup(const char *hive, struct tu_dump *d);
/* regfexport: a record per key ("K|path") and per value ("V|key|name"
 * and its type and data lines; the value's index is left out, as deleting
 * a value shifts the ones after it). */
void tu_dump_regfexport(const char *hive, struct tu_dump *d);
/* 1 if d holds the record r exactly. */
int tu_dump_has(const struct tu_dump *d, const char *r);
/* Asserts that a and b hold the same records. */
void tu_dump_assert_same(const struct tu_dump *a, const struct tu_dump *b);
/* Asserts that reglookup reads the hives a and b as the same (at least
 * one) records: keys, values, types, data and key times. */
void tu_assert_same_reglookup(const char *a, const char *b);
void tu_dump_free(struct tu_dump *d);

/* ---- the per-test harness ----------------------------------------------
 * TestSuite(name, .init = tu_setup, .fini = tu_teardown) gives every test a
 * fresh temporary directory tu_tmp and context tu_ctx.  tu_teardown also
 * closes tu_file (what tu_open* opened) and frees tu_last (the last TU_CLI
 * run).  The helpers below assert (cr_assert) instead of returning errors. */

struct mapiprof_ctx;
struct mapiprof_file;
struct mapiprof_prop;
struct criterion_test_params;

extern char *tu_tmp;
extern struct mapiprof_ctx *tu_ctx;
extern struct mapiprof_file *tu_file;
extern struct tu_run tu_last;

void tu_setup(void);
void tu_teardown(void);

/* Runs the built mapiprof with the arguments into tu_last (freeing the run
 * before). */
#define TU_CLI(...)                                                                                \
	do {                                                                                       \
		tu_run_free(&tu_last);                                                             \
		cr_assert_eq(tu_cli(&tu_last, __VA_ARGS__, (char *)NULL), 0,                       \
		             "cannot run mapiprof");                                               \
	} while (0)

/* Runs mapiprof as TU_CLI does and asserts its exit status. */
#define TU_CLI_EXPECT(want, ...)                                                                   \
	do {                                                                                       \
		TU_CLI(__VA_ARGS__);                                                               \
		cr_assert_eq(tu_last.status, (want), "exit %d, want %d\nstdout: %s\nstderr: %s",   \
		             tu_last.status, (want), tu_last.out, tu_last.err);                    \
	} while (0)

/* Asserts that `mapiprof get --section SECTION PROP FILE` exits 0 and
 * prints want (and a newline); tu_last is left as it was. */
void tu_assert_get(const char *section, const char *prop, const char *file, const char *want);
/* The same with --no-logs: the primary file of a dirty hive. */
void tu_assert_get_no_logs(const char *section, const char *prop, const char *file,
                           const char *want);

/* tu_tmp/name, malloc'd. */
char *tu_tmp_path(const char *name);
/* A hive of size_mib MiB (at least 2) written by bench/mkbig.py into tu_tmp
 * as big.dat (lh lists sorted by name, an ri above 500 children, the
 * Exchange profile in the middle); malloc'd path. */
char *tu_make_big(unsigned size_mib);
/* The names in the directory tu_tmp/sub (no "." and ".."), sorted with
 * strcmp and joined by '|', e.g. "NTUSER.DAT|NTUSER.DAT.bak"; malloc'd. */
char *tu_listing(const char *sub);
/* Asserts that tu_listing(sub) is exactly want. */
void tu_assert_listing(const char *sub, const char *want);
/* Writes len bytes to tu_tmp/name; returns the path, malloc'd. */
char *tu_tmp_write(const char *name, const void *data, size_t len);
/* Copies the file src into tu_tmp as name; returns the copy's path, malloc'd. */
char *tu_stage(const char *src, const char *name);
/* Copies fixtures/<rel> of the source tree (the real hives) into tu_tmp under
 * its base name; returns the copy's path, malloc'd. */
char *tu_stage_src(const char *rel);
/* Copies the built fixture hive build/fixtures/<name> into tu_tmp as name;
 * returns the copy's path, malloc'd. */
char *tu_stage_built(const char *name);
/* Reads fixtures/<rel> of the source tree; malloc'd, *len its size. */
char *tu_read_src(const char *rel, size_t *len);
/* Asserts that the file path holds exactly the len bytes want. */
void tu_assert_file_is(const char *path, const void *want, size_t len);
/* Asserts that the file path holds exactly the bytes of the file ref. */
void tu_assert_same_file(const char *path, const char *ref);
/* A snapshot of a file: its bytes and modification time, to prove that a
 * command left the file alone. */
struct tu_snap {
	char *data;
	size_t len;
	int64_t mtime;
};
/* Takes the snapshot of path (asserting that it reads); free it with
 * tu_snap_assert_same. */
struct tu_snap tu_snap_take(const char *path);
/* Asserts that path still has the bytes and modification time of s; frees
 * s's bytes. */
void tu_snap_assert_same(struct tu_snap *s, const char *path);
/* Decompresses the in-repo sample fixtures/real/<rel>.xz (xz -dc) into
 * tu_tmp/name; returns the path, malloc'd.  The sample ships with the
 * project: its absence fails the test. */
char *tu_unxz_sample(const char *rel, const char *name);
/* Copies the optional sample <MP_SHARED_DIR>/samples/<dir>/<name> into
 * tu_tmp as name; returns the copy's path, malloc'd.  These are yarp's
 * GPL-3.0 hives, which this MIT project does not ship: the test is skipped,
 * saying so, when they are absent. */
char *tu_stage_sample(const char *dir, const char *name);
/* The reason a test needing the optional sample path is skipped. */
#define TU_OPTIONAL_SAMPLE_SKIP                                                                    \
	"%s is absent: yarp's GPL-3.0 samples are not shipped with this MIT project; "             \
	"put them under MP_SHARED_DIR/samples to run this test"
/* tu_stage_sample of the hive dir/name and of its logs name.LOG1 and
 * name.LOG2; returns the hive's path.  log1 and log2 (when not NULL)
 * receive the logs' paths, malloc'd. */
char *tu_stage_sample_logs(const char *dir, const char *name, char **log1, char **log2);

/* Opens path into tu_file (closing the file opened before). */
void tu_open(const char *path);
/* Opens a tu_stage_src / tu_stage_built copy. */
void tu_open_src(const char *rel);
void tu_open_built(const char *name);
/* Opens a tu_stage_src copy of a real hive; returns the index of its profile
 * "Outlook". */
size_t tu_open_outlook(const char *rel);
/* Builds tu_tmp/reg.dat from the .reg text with the fixture builder
 * (tools/mkhive), opens it and returns the index of its profile named
 * profile. */
size_t tu_open_reg(const char *text, const char *profile);

/* 2024-01-01T00:00:00Z as FILETIME: what mkhive stamps without
 * SOURCE_DATE_EPOCH. */
#define TU_FT_2024 INT64_C(133485408000000000)

/* .reg text of a synthetic profile "Synth" for tu_open_reg: the file's
 * header, the start of a key line of one of its sections (append the
 * section's key name and "]\n"), and a UID of 16 bytes b in hex: data. */
#define TU_REG_HEADER "Windows Registry Editor Version 5.00\n\n"
#define TU_SYNTH_KEY                                                                               \
	"[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\"                    \
	"Windows Messaging Subsystem\\Profiles\\Synth\\"
#define TU_UID_HEX(b)                                                                              \
	b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b "," b

/* Index of the profile of tu_file named name (NULL: the default one). */
size_t tu_profile(const char *name);
/* Index of the section of profile p whose uid is exactly uid (as stored). */
size_t tu_section(size_t p, const char *uid);
/* Property spec of section s of profile p. */
const struct mapiprof_prop *tu_prop(size_t p, size_t s, const char *spec);

/* Parameters 0..n-1 for ParameterizedTestParameters: indices, because
 * Criterion may run each case in a fresh process where pointers inside a
 * copied parameter are not valid. */
struct criterion_test_params tu_index_params(size_t n);

#endif
