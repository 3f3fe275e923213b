/* mkhive.c - the fixture builder: writes a hive holding every key and value
 * of a .reg file, with the project's own code (regtext/to_hive.h).
 *
 *   mkhive [--minor 3|5] [--codepage CP] IN.reg OUT.dat
 *
 * OUT is replaced if it exists (meson reruns the tool).  Every key of OUT,
 * and its base block, carries one last-write time: $SOURCE_DATE_EPOCH
 * (seconds since 1970, reproducible-builds.org) when set, else
 * 2024-01-01T00:00:00Z, so a fixture hive is byte-identical from build to
 * build.  Exit status: 0 done, 1 error ("mkhive: FILE: line N: reason" on
 * stderr), 2 usage error (an unknown --codepage or a malformed
 * SOURCE_DATE_EPOCH included). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapiprof/mapiprof.h"
#include "regtext/to_hive.h"

#define USAGE "usage: mkhive [--minor 3|5] [--codepage CP] IN.reg OUT.dat\n"

/* 100 ns ticks per second, and seconds from 1601-01-01 to 1970-01-01. */
#define FT_PER_SEC  INT64_C(10000000)
#define FT_UNIX_SEC INT64_C(11644473600)
/* 2024-01-01T00:00:00Z, the stamp without SOURCE_DATE_EPOCH. */
#define DEFAULT_UNIX_SEC INT64_C(1704067200)
/* The largest Unix time whose FILETIME fits in 63 bits. */
#define MAX_UNIX_SEC (INT64_MAX / FT_PER_SEC - FT_UNIX_SEC)

struct opts {
	unsigned minor;
	int64_t filetime;
	const char *codepage;
	const char *in, *out;
};

/* Parses argv into o; returns 0, or 2 after printing why (usage error). */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	int i = 1, npos = 0;
	const char *pos[2] = {NULL, NULL};
	o->minor = 3;
	o->codepage = NULL;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--minor") == 0 && i + 1 < argc) {
			const char *m = argv[++i];
			if (strcmp(m, "3") != 0 && strcmp(m, "5") != 0) {
				fprintf(stderr, "mkhive: --minor must be 3 or 5\n" USAGE);
				return 2;
			}
			o->minor = m[0] == '3' ? 3u : 5u;
		} else if (strcmp(a, "--codepage") == 0 && i + 1 < argc) {
			o->codepage = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "mkhive: unknown or incomplete option '%s'\n" USAGE, a);
			return 2;
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			fprintf(stderr, "mkhive: too many arguments\n" USAGE);
			return 2;
		}
	}
	if (npos != 2) {
		fprintf(stderr, USAGE);
		return 2;
	}
	o->in = pos[0];
	o->out = pos[1];
	return 0;
}

/* Sets o->filetime from SOURCE_DATE_EPOCH (decimal seconds; unset or empty:
 * DEFAULT_UNIX_SEC); returns 0, or 2 after printing why. */
static int
stamp_from_env(struct opts *o)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	int64_t secs = DEFAULT_UNIX_SEC;
	if (env != NULL && env[0] != '\0') {
		secs = 0;
		for (const char *p = env; *p != '\0'; p++) {
			if (*p < '0' || *p > '9' || secs > MAX_UNIX_SEC / 10) {
				fprintf(stderr,
				        "mkhive: SOURCE_DATE_EPOCH '%s' is not a time in "
				        "seconds since 1970\n",
				        env);
				return 2;
			}
			secs = secs * 10 + (*p - '0');
		}
		if (secs > MAX_UNIX_SEC) {
			fprintf(stderr, "mkhive: SOURCE_DATE_EPOCH '%s' is too large\n", env);
			return 2;
		}
	}
	o->filetime = (secs + FT_UNIX_SEC) * FT_PER_SEC;
	return 0;
}

static int
fail(struct mapiprof_ctx *ctx, const char *file)
{
	const char *f = mapiprof_errfile(ctx);
	fprintf(stderr, "mkhive: %s: %s\n", f != NULL ? f : file, mapiprof_errmsg(ctx));
	return 1;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int rc = parse_args(argc, argv, &o);
	if (rc == 0)
		rc = stamp_from_env(&o);
	if (rc != 0)
		return rc;
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	if (ctx == NULL) {
		fprintf(stderr, "mkhive: out of memory\n");
		return 1;
	}
	if (o.codepage != NULL && mapiprof_ctx_set_codepage(ctx, o.codepage) != MAPIPROF_OK) {
		fprintf(stderr, "mkhive: %s\n" USAGE, mapiprof_errmsg(ctx));
		rc = 2;
	} else if (mp_reg_to_hive(ctx, o.in, o.out, o.minor, o.filetime) != MAPIPROF_OK)
		rc = fail(ctx, o.in);
	mapiprof_ctx_free(ctx);
	return rc;
}
