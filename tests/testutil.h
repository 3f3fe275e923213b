/* testutil.h - helpers shared by the test programs: temporary directories,
 * file copies, and running the built CLI with its output captured. */
#ifndef MP_TESTUTIL_H
#define MP_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

struct tu_run {
	int status;   /* exit status, or 128 + signal number */
	char *out;    /* captured stdout (NUL-terminated) */
	size_t outlen;
	char *err;    /* captured stderr */
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
/* Runs argv (argv[0] is a path) with stdin from /dev/null, capturing
 * stdout and stderr.  Returns 0 when it could run it. */
int tu_run(char *const argv[], struct tu_run *r);
/* Runs the built mapiprof with the given NULL-terminated arguments. */
int tu_cli(struct tu_run *r, ...);
void tu_run_free(struct tu_run *r);
/* "fixtures-build-dir/name" and "fixtures-source-dir/name", malloc'd. */
char *tu_fixture(const char *name);
char *tu_fixture_src(const char *name);
/* 1 if the file exists. */
int tu_exists(const char *path);
/* Modification time in nanoseconds, or -1. */
int64_t tu_mtime_ns(const char *path);

#endif
