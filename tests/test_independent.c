/* test_independent.c - what the project reads and writes, checked by
 * parsers and writers it did not write:
 *   - every fixture hive (built from fixtures/NAME.reg by the project's own
 *     .reg parser and regf writer) holds what hivexregedit --merge makes of
 *     the same .reg text, as reglookup and hivexregedit --export read both;
 *   - the .reg files the CLI writes (export, a patched .reg, --emit-reg)
 *     merged by hivexregedit give the hive the project's own write gives;
 *   - a dirty hive and new-format log made by tests/mklog.py (Marvin32 and
 *     HvLE written from the public spec, not with the library) replay to
 *     the hive hivexregedit changed, as reglookup reads both. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PERL         "/usr/bin/perl"
#define HIVEXREGEDIT "/usr/bin/hivexregedit"
#define REGLOOKUP    "/usr/bin/reglookup"
/* The hive hivex empties into a blank one (see tests/blank_hive.pl). */
#define BLANK_SRC "real/plaso/NTUSER-WIN7.DAT"
#define GC_FIX    "exchange2007-gc-referral"
#define WMS_PROFILES                                                                               \
	"/Software/Microsoft/Windows NT/CurrentVersion/Windows Messaging Subsystem/Profiles/"
#define O16_PROFILES "/Software/Microsoft/Office/16.0/Outlook/Profiles/"

static void
setup(void)
{
	tu_setup();
	/* hivexregedit reads its .reg input as UTF-8 (the fixtures' encoding;
	 * by default it takes the bytes for Latin-1) and writes UTF-8. */
	cr_assert_eq(setenv("PERL_UNICODE", "iO", 1), 0);
}

TestSuite(independent, .init = setup, .fini = tu_teardown);

static void
run_ok(char *const argv[])
{
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0, "cannot run %s", argv[0]);
	cr_assert_eq(r.status, 0, "%s %s: exit %d\n%s", argv[0], argv[1], r.status, r.err);
	tu_run_free(&r);
}

/* An empty hive tu_tmp/name, written by hivex alone. */
static char *
blank_hive(const char *name)
{
	char *src = tu_fixture_src(BLANK_SRC), *out = tu_tmp_path(name);
	char *argv[] = {PERL, MP_SOURCE_DIR "/tests/blank_hive.pl", src, out, NULL};
	run_ok(argv);
	free(src);
	return out;
}

/* ---- .reg text in the form hivexregedit reads ------------------------------
 * hivexregedit's parser (Win::Hivex::Regedit reg_import) ends a key's block
 * at the first blank or comment line and does not create missing parent
 * keys, both of which regedit does.  So the text is passed on with its
 * comment and blank lines dropped, a blank line before every key line and
 * each key line preceded by those of its parents not seen yet; value lines
 * and their continuations pass unchanged. */

struct buf {
	char *s;
	size_t len, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		cr_assert_not_null(b->s);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static char *
for_hivexregedit(const char *text)
{
	struct buf out = {0}, seen = {0}; /* seen: "\n" + every key path + "\n" */
	int cont = 0;
	puts_(&seen, "\n");
	puts_(&out, "");
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		const char *next = p + n + (nl != NULL);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		size_t lead = strspn(p, " \t");
		int blank = lead >= n, comment = !blank && p[lead] == ';';
		if (!cont && (blank || comment)) {
			p = next;
			continue;
		}
		if (!cont && p[0] == '[' && n > 1 && p[1] != '-') {
			const char *end = p + n;
			while (end > p && end[-1] != ']')
				end--;
			cr_assert_gt(end, p + 1, "key line without ']': %.*s", (int)n, p);
			/* Parents: every prefix ending before a '\' but the root's. */
			const char *first = memchr(p + 1, '\\', (size_t)(end - p - 2));
			for (const char *q = first != NULL ? first + 1 : end; q < end - 1; q++) {
				if (*q != '\\')
					continue;
				char *key = strndup(p + 1, (size_t)(q - p - 1));
				cr_assert_not_null(key);
				char *needle = malloc(strlen(key) + 3);
				cr_assert_not_null(needle);
				sprintf(needle, "\n%s\n", key);
				if (strstr(seen.s, needle) == NULL) {
					puts_(&seen, key);
					puts_(&seen, "\n");
					puts_(&out, "\n[");
					puts_(&out, key);
					puts_(&out, "]\n");
				}
				free(needle);
				free(key);
			}
			put(&seen, p + 1, (size_t)(end - p - 2));
			puts_(&seen, "\n");
		}
		if (!cont && p[0] == '[')
			puts_(&out, "\n");
		put(&out, p, n);
		puts_(&out, "\n");
		cont = n > 0 && p[n - 1] == '\\';
		p = next;
	}
	free(seen.s);
	return out.s;
}

/* Merges the .reg text (UTF-8) into hive with hivexregedit, its
 * HKEY_CURRENT_USER being the hive's root (as in an NTUSER.DAT). */
static void
merge(const char *hive, const char *text)
{
	char *pre = for_hivexregedit(text);
	char *reg = tu_tmp_write("hivex-input.reg", pre, strlen(pre));
	char *argv[] = {HIVEXREGEDIT, "--merge", "--prefix", "HKEY_CURRENT_USER",
	                (char *)hive, reg,       NULL};
	run_ok(argv);
	free(reg);
	free(pre);
}

/* A UTF-16LE file with BOM (what the CLI writes) as UTF-8 text, converted
 * by iconv. */
static char *
utf16_file_as_utf8(const char *path)
{
	size_t len = 0;
	char *in = tu_read(path, &len);
	cr_assert_not_null(in, "cannot read %s", path);
	cr_assert(len >= 2 && (unsigned char)in[0] == 0xFF && (unsigned char)in[1] == 0xFE,
	          "%s: no UTF-16LE BOM", path);
	iconv_t cd = iconv_open("UTF-8", "UTF-16LE");
	cr_assert_neq(cd, (iconv_t)-1);
	size_t cap = len * 2 + 1, left = cap - 1, inleft = len - 2;
	char *out = malloc(cap), *ip = in + 2, *op = out;
	cr_assert_not_null(out);
	cr_assert_neq(iconv(cd, &ip, &inleft, &op, &left), (size_t)-1, "%s: not UTF-16LE", path);
	*op = '\0';
	iconv_close(cd);
	free(in);
	return out;
}

/* ---- dumps --------------------------------------------------------------- */

static int
rec_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* reglookup's records without their last field, the key's mtime: the
 * reference hives are written now, the fixtures at a fixed time. */
static void
dump_reglookup(const char *hive, struct tu_dump *d)
{
	tu_dump_reglookup(hive, d);
	for (size_t i = 0; i < d->n; i++) {
		char *comma = strrchr(d->rec[i], ',');
		cr_assert_not_null(comma, "%s: record without fields: %s", hive, d->rec[i]);
		*comma = '\0';
	}
	qsort(d->rec, d->n, sizeof(*d->rec), rec_cmp);
}

static void
dump_add(struct tu_dump *d, const char *a, const char *b, size_t blen)
{
	if (d->n == d->cap) { /* geometric: realloc moves under ASan */
		d->cap = d->cap != 0 ? d->cap * 2 : 1024;
		d->rec = realloc(d->rec, d->cap * sizeof(*d->rec));
		cr_assert_not_null(d->rec);
	}
	size_t alen = strlen(a);
	char *r = malloc(alen + blen + 1);
	cr_assert_not_null(r);
	memcpy(r, a, alen);
	memcpy(r + alen, b, blen);
	r[alen + blen] = '\0';
	d->rec[d->n++] = r;
}

/* hivexregedit --export of the whole hive: a record per key ("[path]") and
 * per value ("[path]" and its line, continuations joined), sorted. */
static void
dump_export(const char *hive, struct tu_dump *d)
{
	memset(d, 0, sizeof(*d));
	char *argv[] = {HIVEXREGEDIT, "--export", (char *)hive, "\\", NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "hivexregedit --export %s: %s", hive, r.err);
	char key[8192] = "";
	struct buf val = {0};
	for (char *p = r.out, *nl; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		cr_assert_not_null(nl, "%s: export without final newline", hive);
		size_t n = (size_t)(nl - p);
		if (p[0] == '[') {
			cr_assert_lt(n, sizeof(key));
			snprintf(key, sizeof(key), "%.*s", (int)n, p);
			dump_add(d, key, "", 0);
		} else if (p[0] == '"' || p[0] == '@' || val.len > 0) {
			put(&val, p, n);
			if (n > 0 && p[n - 1] == '\\')
				continue;
			dump_add(d, key, val.s, val.len);
			val.len = 0;
		}
	}
	cr_assert_eq(val.len, 0, "%s: export ends in a continuation", hive);
	free(val.s);
	tu_run_free(&r);
	qsort(d->rec, d->n, sizeof(*d->rec), rec_cmp);
}

/* Asserts that a (what the project wrote) and b (the reference) hold the
 * same records, naming the first one either lacks. */
static void
assert_same_records(const struct tu_dump *a, const struct tu_dump *b, const char *what)
{
	cr_assert_gt(b->n, 1, "%s: the reference holds %zu records", what, b->n);
	for (size_t i = 0; i < a->n; i++)
		cr_assert(tu_dump_has(b, a->rec[i]), "%s: only the project's hive has\n%s", what,
		          a->rec[i]);
	for (size_t i = 0; i < b->n; i++)
		cr_assert(tu_dump_has(a, b->rec[i]), "%s: only the reference has\n%s", what,
		          b->rec[i]);
	cr_assert_eq(a->n, b->n, "%s: %zu records vs %zu (duplicates)", what, a->n, b->n);
}

/* reglookup and hivexregedit --export read hive (the project's) and ref
 * (hivex's) alike. */
static void
assert_hives_alike(const char *hive, const char *ref)
{
	struct tu_dump a, b;
	dump_reglookup(hive, &a);
	dump_reglookup(ref, &b);
	assert_same_records(&a, &b, "reglookup");
	tu_dump_free(&a);
	tu_dump_free(&b);
	dump_export(hive, &a);
	dump_export(ref, &b);
	assert_same_records(&a, &b, "hivexregedit --export");
	tu_dump_free(&a);
	tu_dump_free(&b);
}

/* ---- every fixture hive against its .reg ------------------------------------ */

/* Every hive fixtures/meson.build builds (NAME.dat from NAME.reg).  None is
 * left out: hivexregedit reads even malformed.reg and hostile-names.reg, whose
 * oddities are in the values' bytes and the names, not in the .reg syntax. */
static const char *const fixtures[] = {
    "exchange-mapi", "outlook2016-two-accounts",
    "every-type",    "malformed",
    "hostile-names", "no-profiles",
    "multi-root",    "office-versions",
};
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

Test(independent, every_built_fixture_hive_is_in_the_list)
{
	DIR *d = opendir(MP_FIXTURES_BUILD);
	cr_assert_not_null(d, "cannot read %s", MP_FIXTURES_BUILD);
	size_t found = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".dat") != 0)
			continue;
		int listed = 0;
		for (size_t i = 0; i < NFIXTURES; i++)
			listed |= strlen(fixtures[i]) == n - 4 &&
			          strncmp(fixtures[i], e->d_name, n - 4) == 0;
		cr_assert(listed, "%s is not checked against an independent reading", e->d_name);
		found++;
	}
	closedir(d);
	cr_assert_eq(found, NFIXTURES, "%zu fixture hives built, %zu listed", found, NFIXTURES);
}

ParameterizedTestParameters(independent, fixture_hive_holds_what_hivexregedit_reads_in_its_reg)
{
	return tu_index_params(NFIXTURES);
}

ParameterizedTest(size_t *i, independent, fixture_hive_holds_what_hivexregedit_reads_in_its_reg)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.reg", fixtures[*i]);
	char *text = tu_read_src(name, NULL);
	cr_assert_not_null(text);
	char *ref = blank_hive("ref.dat");
	merge(ref, text);
	snprintf(name, sizeof(name), "%s.dat", fixtures[*i]);
	char *hive = tu_stage_built(name);
	assert_hives_alike(hive, ref);
	free(hive);
	free(ref);
	free(text);
}

/* ---- .reg files the CLI writes ----------------------------------------------- */

/* Fixtures whose profiles export --all-profiles writes, and where. */
static const struct {
	const char *name, *profiles;
} exports[] = {
    {"exchange-mapi", WMS_PROFILES},
    {"outlook2016-two-accounts", O16_PROFILES},
    {"every-type", O16_PROFILES},
    {"hostile-names", WMS_PROFILES},
};
#define NEXPORTS (sizeof(exports) / sizeof(exports[0]))

ParameterizedTestParameters(independent, export_merged_by_hivexregedit_holds_every_profile)
{
	return tu_index_params(NEXPORTS);
}

ParameterizedTest(size_t *i, independent, export_merged_by_hivexregedit_holds_every_profile)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.dat", exports[*i].name);
	char *hive = tu_stage_built(name), *out = tu_tmp_path("export.reg");
	TU_CLI_EXPECT(0, "export", "--all-profiles", "-o", out, hive);
	char *text = utf16_file_as_utf8(out);
	char *ref = blank_hive("ref.dat");
	merge(ref, text);
	struct tu_dump a, b;
	dump_reglookup(hive, &a);
	dump_reglookup(ref, &b);
	/* Every record under the profiles key is there, and nothing else but
	 * the keys above it (and what they hold in the hive). */
	size_t n = 0, plen = strlen(exports[*i].profiles);
	for (size_t k = 0; k < a.n; k++) {
		if (strncmp(a.rec[k], exports[*i].profiles, plen) != 0)
			continue;
		cr_assert(tu_dump_has(&b, a.rec[k]), "the export lacks\n%s", a.rec[k]);
		n++;
	}
	cr_assert_gt(n, 10, "%zu records under %s", n, exports[*i].profiles);
	for (size_t k = 0; k < b.n; k++)
		cr_assert(tu_dump_has(&a, b.rec[k]), "only the export has\n%s", b.rec[k]);
	tu_dump_free(&a);
	tu_dump_free(&b);
	free(ref);
	free(text);
	free(out);
	free(hive);
}

/* The GC-referral recipe written to the hive by the project: the hive the
 * .reg outputs below must give. */
static char *
fixed_hive(void)
{
	char *hive = tu_stage_built("exchange-mapi.dat"), *fixed = tu_tmp_path("fixed.dat");
	TU_CLI_EXPECT(0, "apply", "-o", fixed, GC_FIX, hive);
	cr_assert_not_null(strstr(tu_last.out, "5 changes written"), "%s", tu_last.out);
	free(hive);
	return fixed;
}

/* One of the recipe's values as reglookup prints it: AUTH_PACKAGE 10 -> 9. */
#define AUTH_PACKAGE_9                                                                             \
	WMS_PROFILES "Exchange/dca740c8c042101ab4b908002b2fe182/00036619,BINARY,%09%00%00%00"

Test(independent, patched_reg_merged_by_hivexregedit_is_the_patched_hive)
{
	char *reg = tu_stage_src("exchange-mapi.reg"), *out = tu_tmp_path("fixed.reg");
	TU_CLI_EXPECT(0, "apply", "-o", out, GC_FIX, reg);
	cr_assert_not_null(strstr(tu_last.out, "5 changes written"), "%s", tu_last.out);
	char *text = tu_read(out, NULL), *ref = blank_hive("ref.dat"), *fixed = fixed_hive();
	cr_assert_not_null(text);
	merge(ref, text);
	struct tu_dump d;
	dump_reglookup(ref, &d);
	cr_assert(tu_dump_has(&d, AUTH_PACKAGE_9), "the patched .reg lacks the new value");
	tu_dump_free(&d);
	assert_hives_alike(fixed, ref);
	free(fixed);
	free(ref);
	free(text);
	free(out);
	free(reg);
}

Test(independent, emit_reg_merged_by_hivexregedit_makes_the_written_hive)
{
	char *hive = tu_stage_built("exchange-mapi.dat"), *out = tu_tmp_path("plan.reg");
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--emit-reg", out, GC_FIX, hive);
	char *text = utf16_file_as_utf8(out), *fixed = fixed_hive();
	struct tu_dump d;
	dump_reglookup(hive, &d);
	cr_assert(!tu_dump_has(&d, AUTH_PACKAGE_9), "the hive already holds the fix");
	tu_dump_free(&d);
	merge(hive, text);
	assert_hives_alike(fixed, hive);
	free(fixed);
	free(text);
	free(out);
	free(hive);
}

/* ---- a transaction log the library did not seal ------------------------------ */

#define MKLOG MP_SOURCE_DIR "/tests/mklog.py"

/* The hive the log must give: exchange-mapi with AUTH_PACKAGE 9 and a new
 * key holding a value of 9,000 bytes (new hive bins), written by hivex. */
static char *
changed_by_hivex(const char *clean)
{
	char *changed = tu_tmp_path("changed.dat");
	cr_assert_eq(tu_copy(clean, changed), 0);
	struct buf reg = {0};
	puts_(&reg, "Windows Registry Editor Version 5.00\n\n"
	            "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\"
	            "Windows Messaging Subsystem\\Profiles\\Exchange\\"
	            "dca740c8c042101ab4b908002b2fe182]\n"
	            "\"00036619\"=hex:09,00,00,00\n\n"
	            "[HKEY_CURRENT_USER\\Software\\Logged]\n\"Big\"=hex:");
	for (unsigned i = 0; i < 9000; i++) {
		char hx[4];
		snprintf(hx, sizeof(hx), i > 0 ? ",%02x" : "%02x", i % 251);
		puts_(&reg, hx);
	}
	puts_(&reg, "\n");
	merge(changed, reg.s);
	free(reg.s);
	return changed;
}

static void
mklog(char *const argv[], int want)
{
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0, "cannot run %s", MKLOG);
	cr_assert_eq(r.status, want, "mklog.py %s: exit %d, want %d\n%s", argv[2], r.status, want,
	             r.err);
	tu_run_free(&r);
}

Test(independent, log_made_from_the_spec_replays_to_the_changed_hive)
{
	char *clean = tu_stage_built("exchange-mapi.dat"), *changed = changed_by_hivex(clean);
	char *dirty = tu_tmp_path("dirty.dat"), *out = tu_tmp_path("recovered.dat");
	char *make[] = {MP_PYTHON, MKLOG, "make", clean, changed, dirty, "2", NULL};
	mklog(make, 0);
	/* The primary alone still holds the old value; the log holds the new. */
	struct tu_dump d;
	dump_reglookup(dirty, &d);
	cr_assert(!tu_dump_has(&d, AUTH_PACKAGE_9), "the primary already holds the change");
	tu_dump_free(&d);
	tu_assert_get_no_logs("emsab", "PR_PROFILE_AUTH_PACKAGE", dirty, "10");
	tu_assert_get("emsab", "PR_PROFILE_AUTH_PACKAGE", dirty, "9");
	TU_CLI_EXPECT(0, "recover", "-o", out, dirty);
	cr_assert_not_null(strstr(tu_last.out, "(HvLE): 2 entries from "), "%s", tu_last.out);
	/* Every key, value, data byte and key time of the hive hivex wrote. */
	tu_assert_same_reglookup(out, changed);
	free(out);
	free(dirty);
	free(changed);
	free(clean);
}

Test(independent, mklog_marvin32_accepts_the_hashes_windows_wrote)
{
	/* yarp's NewDirtyHive1: logs Windows 10 wrote (4 entries). */
	char *log1 = tu_stage_sample("yarp/NewDirtyHive1", "NewDirtyHive.LOG1");
	char *log2 = tu_stage_sample("yarp/NewDirtyHive1", "NewDirtyHive.LOG2");
	char *check1[] = {MP_PYTHON, MKLOG, "check", log1, NULL};
	char *check2[] = {MP_PYTHON, MKLOG, "check", log2, NULL};
	mklog(check1, 0);
	mklog(check2, 0);
	/* One byte of a logged page changed: Hash-1 no longer matches. */
	size_t n = 0;
	char *b = tu_read(log2, &n);
	cr_assert(b != NULL && n > 4096);
	b[4000] ^= 1;
	cr_assert_eq(tu_write(log2, b, n), 0);
	mklog(check2, 1);
	free(b);
	free(log2);
	free(log1);
}

/* ---- a large regedit export, patched ------------------------------------------
 * What regedit writes for a whole HKEY_CURRENT_USER: UTF-16LE with a BOM,
 * CRLF, thousands of keys, with the exchange-mapi profiles somewhere in the
 * middle.  apply must rewrite only the lines of the five values it sets
 * (every other byte, BOM and line ends included, stays), hivexregedit must
 * read the result as the original with exactly those values set,
 * and, in the long run, on a file of 300 MB, apply must stay within the
 * file's size plus 64 MiB of memory. */

/* Bytes of the binary value of each filler key: about 2.5 KB of text a
 * key, as in a regedit export of bench/mkbig.py's hives (1 KiB of hive a
 * key, 5 KB of UTF-16 export). */
#define FILLER_BLOB 700u

/* Keys of an export nobody reads: strings, dwords, hex with continuation
 * lines, as regedit writes them, and in its order (a key's subkeys right
 * after it); about bytes bytes of text from key n on. */
static void
filler(struct buf *b, unsigned *n, size_t bytes)
{
	char line[256];
	for (size_t start = b->len; b->len - start < bytes; (*n)++) {
		snprintf(line, sizeof(line),
		         "[HKEY_CURRENT_USER\\Software\\Vendor%u\\Product\\Area%u\\Item%u]\r\n"
		         "\"Path\"=\"C:\\\\Program Files\\\\Vendor\\\\file%u.dll\"\r\n"
		         "\"Flags\"=dword:%08x\r\n\"Blob\"=hex:",
		         *n / 1000, *n / 100 % 10, *n, *n, *n * 2654435761u);
		puts_(b, line);
		for (unsigned i = 0; i < FILLER_BLOB; i++) {
			snprintf(line, sizeof(line), "%02x%s", (*n + i) & 0xFFu,
			         i == FILLER_BLOB - 1 ? "\r\n\r\n"
			         : i % 25 == 20       ? ",\\\r\n  "
			                              : ",");
			puts_(b, line);
		}
	}
}

/* The export (text_bytes of UTF-8 text, twice as many bytes once
 * converted) as UTF-16LE with BOM (converted by iconv) in tu_tmp/name;
 * *from and *to: the byte range of the profiles' text in it. */
static char *
big_export(const char *name, size_t text_bytes, size_t *from, size_t *to)
{
	struct buf t = {0};
	unsigned n = 0;
	puts_(&t, "Windows Registry Editor Version 5.00\r\n\r\n");
	filler(&t, &n, text_bytes / 2);
	size_t a = t.len;
	char *fix = tu_read_src("exchange-mapi.reg", NULL);
	cr_assert_not_null(fix);
	for (char *p = strchr(fix, '\n') + 1, *nl; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		cr_assert_not_null(nl);
		put(&t, p, (size_t)(nl - p));
		puts_(&t, "\r\n");
	}
	free(fix);
	size_t z = t.len;
	filler(&t, &n, text_bytes / 2);
	iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
	cr_assert_neq(cd, (iconv_t)-1);
	size_t cap = 2 * t.len + 2, left = cap - 2, inleft = t.len;
	char *out = malloc(cap), *ip = t.s, *op = out + 2;
	cr_assert_not_null(out);
	out[0] = '\xff', out[1] = '\xfe';
	cr_assert_neq(iconv(cd, &ip, &inleft, &op, &left), (size_t)-1);
	iconv_close(cd);
	cr_assert_eq(left, 0, "the export is not ASCII");
	*from = 2 + 2 * a, *to = 2 + 2 * z;
	char *path = tu_tmp_write(name, out, cap);
	free(out);
	free(t.s);
	return path;
}

/* The records reglookup reads in the blank hive with text merged. */
static void
merged_records(const char *reg_path, const char *hive_name, struct tu_dump *d)
{
	char *text = utf16_file_as_utf8(reg_path), *hive = blank_hive(hive_name);
	merge(hive, text);
	dump_reglookup(hive, d);
	free(hive);
	free(text);
}

Test(independent, a_large_regedit_export_patched_keeps_every_other_byte)
{
	int big = tu_long_mode();
	size_t from = 0, to = 0, olen = 0, nlen = 0;
	char *reg = big_export("big.reg", big ? 150u << 20 : 512u << 10, &from, &to);
	char *out = tu_tmp_path("fixed.reg");
	/* Under /usr/bin/time: the peak memory of mapiprof's own process (a
	 * child's ru_maxrss here would count this program's pages it forked
	 * with). */
	char *argv[] = {"/usr/bin/time", "-f", "maxrss %M", (char *)MP_CLI, "apply", "-o", out,
	                GC_FIX,          reg,  NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "apply: %s", r.err);
	cr_assert_not_null(strstr(r.out, "5 changes written"), "%s", r.out);
	const char *rss = strstr(r.err, "maxrss ");
	cr_assert_not_null(rss, "%s", r.err);
	size_t kib = strtoul(rss + 7, NULL, 10);
	tu_run_free(&r);
	char *o = tu_read(reg, &olen), *w = tu_read(out, &nlen);
	cr_assert(o != NULL && w != NULL);
	/* Every byte before and after the profiles' lines is the original's. */
	size_t pre = 0, post = 0;
	while (pre < olen && pre < nlen && o[pre] == w[pre])
		pre++;
	while (post < olen - pre && post < nlen - pre && o[olen - 1 - post] == w[nlen - 1 - post])
		post++;
	cr_assert_geq(pre, from, "byte %zu changed, before the profiles (%zu)", pre, from);
	cr_assert_leq(olen - post, to, "byte %zu changed, after the profiles (%zu)", olen - post,
	              to);
	free(o);
	free(w);
	if (big) {
		cr_assert_leq(kib * 1024, olen + (64u << 20), "apply of %zu bytes took %zu KiB",
		              olen, kib);
		TU_CLI_EXPECT(0, "get", "--section", "emsab", "00036619", out);
		free(out);
		free(reg);
		return;
	}
	/* hivexregedit reads the original and the result alike but for the
	 * five values set. */
	struct tu_dump a, b;
	merged_records(reg, "orig.dat", &a);
	merged_records(out, "fixed.dat", &b);
	cr_assert_gt(a.n, 700, "%zu records", a.n);
	size_t only_a = 0, only_b = 0;
	for (size_t i = 0; i < a.n; i++)
		only_a += !tu_dump_has(&b, a.rec[i]);
	for (size_t i = 0; i < b.n; i++)
		only_b += !tu_dump_has(&a, b.rec[i]);
	/* Four values changed, 00036639 of the emsab section added. */
	cr_assert_eq(b.n, a.n + 1);
	cr_assert_eq(only_a, 4);
	cr_assert_eq(only_b, 5);
	cr_assert(tu_dump_has(&b, AUTH_PACKAGE_9), "the patched .reg lacks the new value");
	tu_dump_free(&a);
	tu_dump_free(&b);
	free(out);
	free(reg);
}
