/* test_reg_memory.c - reading a large .reg file stays within 2 x its size +
 * 64 MiB of address space (base/limits.h, MP_REG_MEM_SLACK) beyond what the
 * program maps to start: `mapiprof list` runs under that RLIMIT_AS and must
 * read the whole file, or, for a file of millions of very short lines,
 * refuse it with a clear error. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

TestSuite(reg_memory, .init = tu_setup, .fini = tu_teardown);

#define MIB (1024u * 1024u)

struct text {
	char *p;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		cr_assert_geq(n, 0);
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		t->cap = t->cap * 2 + (size_t)n + 1;
		t->p = realloc(t->p, t->cap);
		cr_assert_not_null(t->p);
	}
}

/* A regedit-like export of about size bytes: keys with strings, dwords and
 * hex values (some with continuation lines), then a profile "Tail" that
 * `list` shows only when the whole file was read. */
static struct text
export_like(size_t size)
{
	struct text t = {malloc(4096), 0, 4096};
	cr_assert_not_null(t.p);
	put(&t, "Windows Registry Editor Version 5.00\n");
	for (unsigned n = 0; t.len < size; n++) {
		put(&t, "\n[HKEY_CURRENT_USER\\Software\\Vendor%u\\Product\\Area%u\\Item%u]\n",
		    n % 37, n % 11, n);
		put(&t, "\"Path\"=\"C:\\\\Program Files\\\\Vendor\\\\file%u.dll\"\n", n);
		put(&t, "\"Flags\"=dword:%08x\n", n * 2654435761u);
		put(&t, "\"Bin\"=hex:");
		for (unsigned i = 0; i < 16; i++)
			put(&t, "%02x%s", (n + i) & 0xFFu, i < 15 ? "," : "\n");
		if (n % 4 == 0) {
			put(&t, "\"Blob\"=hex:");
			for (unsigned i = 0; i < 300; i++)
				put(&t, "%02x%s", (n * 3 + i) & 0xFFu,
				    i == 299       ? "\n"
				    : i % 25 == 19 ? ",\\\n  "
				                   : ",");
		}
	}
	put(&t, "\n[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\"
	        "Windows Messaging Subsystem\\Profiles\\Tail\\0a0d020000000000c000000000000046]\n"
	        "\"x\"=dword:1\n");
	return t;
}

/* Runs `mapiprof list path` under RLIMIT_AS = kib KiB into tu_last. */
static void
list_under(const char *path, unsigned long long kib)
{
	char script[128];
	snprintf(script, sizeof(script), "ulimit -v %llu && exec \"$0\" list \"$1\"", kib);
	char *const argv[] = {"/bin/sh", "-c", script, (char *)MP_CLI, (char *)path, NULL};
	tu_run_free(&tu_last);
	cr_assert_eq(tu_run(argv, &tu_last), 0, "cannot run mapiprof");
}

/* The address space mapiprof needs before it reads anything (the program
 * and its shared libraries: wimlib alone maps tens of MiB it never
 * touches): the smallest RLIMIT_AS, to 1 MiB, under which `list` of a
 * header-only file succeeds.  It is no memory the file costs, so it is
 * added to the bound. */
static unsigned long long
baseline_kib(void)
{
	static unsigned long long found;
	if (found != 0)
		return found;
	static const char header[] = "Windows Registry Editor Version 5.00\n\n";
	char *path = tu_tmp_write("header.reg", header, sizeof(header) - 1);
	unsigned long long lo = 1024, hi = 1024 * 1024; /* 1 MiB fails, 1 GiB holds */
	list_under(path, hi);
	cr_assert_eq(tu_last.status, 0, "list of a header-only file: %s", tu_last.err);
	while (hi - lo > 1024) {
		unsigned long long mid = lo + (hi - lo) / 2;
		list_under(path, mid);
		if (tu_last.status == 0)
			hi = mid;
		else
			lo = mid;
	}
	free(path);
	return found = hi;
}

/* Runs `mapiprof list path` with RLIMIT_AS = 2 x the file's size + 64 MiB
 * beyond what the program needs to start (baseline_kib) into tu_last. */
static void
list_within_bound(const char *path)
{
	/* AddressSanitizer reserves terabytes of address space for its shadow,
	 * so an RLIMIT_AS means nothing there (the CLI under test is built
	 * alike). */
	if (TU_UNDER_ASAN)
		cr_skip_test("an address-space limit does not apply under AddressSanitizer");
	unsigned long long base = baseline_kib();
	list_under(path, (2 * tu_file_size(path) + 64ull * MIB) / 1024u + base);
}

static void
reads_whole_file(const char *name, const void *data, size_t len)
{
	char *path = tu_tmp_write(name, data, len);
	list_within_bound(path);
	cr_assert_eq(tu_last.status, 0, "exit %d: %s", tu_last.status, tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "profile: Tail"), "%s", tu_last.out);
	free(path);
}

Test(reg_memory, utf8_export_of_24_mib_reads_within_twice_its_size)
{
	struct text t = export_like(24 * MIB);
	reads_whole_file("big.reg", t.p, t.len);
	free(t.p);
}

/* UTF-16LE (what regedit writes): the text decoded line by line, never the
 * whole file at once. */
Test(reg_memory, utf16_export_reads_within_twice_its_size)
{
	struct text t = export_like((tu_long_mode() ? 24 : 8) * MIB);
	size_t len = 0;
	uint8_t *u = tu_utf16_bom(t.p, &len);
	free(t.p);
	reads_whole_file("big16.reg", u, len);
	free(u);
}

/* Millions of key lines of about 20 bytes: their records need more than the
 * file's size + 48 MiB, so the file is refused early with a clear error
 * naming the line, within the same bound (not killed, not out of memory). */
Test(reg_memory, millions_of_short_lines_are_refused_within_the_bound)
{
	size_t size = (tu_long_mode() ? 64 : 24) * MIB;
	struct text t = {malloc(4096), 0, 4096};
	cr_assert_not_null(t.p);
	put(&t, "Windows Registry Editor Version 5.00\n");
	for (unsigned n = 0; t.len < size; n++)
		put(&t, "[HKCU\\B%u\\k%u]\n", n >> 12, n & 4095u);
	char *path = tu_tmp_write("short.reg", t.p, t.len);
	free(t.p);
	list_within_bound(path);
	cr_assert_eq(tu_last.status, 1, "exit %d: %s", tu_last.status, tu_last.err);
	cr_assert_not_null(strstr(tu_last.err, "short.reg: line "), "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.err, "need more memory than the file's size plus 48 MiB"),
	                   "%s", tu_last.err);
	free(path);
}
