/* test_cli_reg.c - the built mapiprof on .reg files: every read
 * command gives on a .reg file what it gives on the hive built from it
 * (JSON equal once the fields only one format has are dropped); the same
 * recipe applied to a hive and to its export decodes the same; export
 * writes regedit's UTF-16LE/CRLF format; --emit-reg writes only the plan;
 * info shows a .reg file's encoding, header and line ends; malformed text
 * fails naming the file and the line. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testjson.h"
#include "testutil.h"

#define EXCH   "exchange-mapi"
#define GC_FIX "exchange2007-gc-referral"
#define V5     "Windows Registry Editor Version 5.00"
#define WMS                                                                                        \
	"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging "   \
	"Subsystem\\Profiles"

TestSuite(cli_reg, .init = tu_setup, .fini = tu_teardown);

/* ---- helpers -------------------------------------------------------------- */

/* Runs mapiprof with the NULL-terminated args, then file when not NULL. */
static void
run_args(struct tu_run *r, const char *const *args, const char *file)
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = tu_cli_program();
	for (; *args != NULL && n < 62; args++)
		argv[n++] = *args;
	if (file != NULL)
		argv[n++] = file;
	argv[n] = NULL;
	cr_assert_eq(tu_run((char *const *)argv, r), 0, "cannot run mapiprof");
}

/* Line 0 of the last run's stdout as a JSON object. */
static json_t *
out_json(void)
{
	json_t *a = tj_lines(tu_last.out);
	cr_assert_geq(json_array_size(a), 1, "no JSON line: %s", tu_last.err);
	json_t *o = json_incref(json_array_get(a, 0));
	json_decref(a);
	return o;
}

/* How two outputs must agree on order.  A hive stores subkeys sorted; a
 * .reg store keeps the order of the file, which is the same only for a
 * regedit export (Wine programs/reg/tests/export.c), not for a hand-written
 * file. */
enum order {
	SAME_ORDER, /* profiles, sections and lines in the same order */
	ANY_ORDER,  /* profiles and sections (and text lines) compared as sets */
};

/* The sort key of a profile (root and name) or a section (uid, folded). */
static char *
sort_key(json_t *o)
{
	json_t *uid = json_object_get(o, "uid");
	char *k;
	if (json_is_string(uid)) {
		k = strdup(json_string_value(uid));
		for (char *c = k; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		return k;
	}
	const char *root = json_string_value(json_object_get(o, "root"));
	const char *name = json_string_value(json_object_get(o, "name"));
	size_t n = (root ? strlen(root) : 0) + (name ? strlen(name) : 0) + 2;
	k = malloc(n);
	snprintf(k, n, "%s\\%s", root ? root : "", name ? name : "");
	return k;
}

struct keyed {
	char *key;
	json_t *v;
};

static int
keyed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

/* Sorts the array of objects a by sort_key, in place. */
static void
sort_array(json_t *a)
{
	size_t n = json_array_size(a), i;
	json_t *v;
	struct keyed *e = calloc(n + 1, sizeof(*e));
	cr_assert_not_null(e);
	json_array_foreach(a, i, v)
	{
		e[i].key = sort_key(v);
		e[i].v = json_incref(v);
	}
	qsort(e, n, sizeof(*e), keyed_cmp);
	json_array_clear(a);
	for (i = 0; i < n; i++) {
		json_array_append_new(a, e[i].v);
		free(e[i].key);
	}
	free(e);
}

/* Drops, at any depth, the fields that differ between a hive and a .reg
 * file by nature: the file name, its hash and format, and key times (a
 * .reg file has none); with ANY_ORDER sorts profiles and sections. */
static void
normalise(json_t *j, enum order order)
{
	static const char *const drop[] = {"file", "sha256", "format", "last_write", "mtime"};
	size_t i;
	json_t *v;
	const char *k;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v) normalise(v, order);
		return;
	}
	if (!json_is_object(j))
		return;
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		json_object_del(j, drop[i]);
	json_object_foreach(j, k, v)
	{
		normalise(v, order);
		if (order == ANY_ORDER &&
		    (strcmp(k, "profiles") == 0 || strcmp(k, "sections") == 0))
			sort_array(v);
	}
}

/* A malloc'd copy of s with every occurrence of from replaced by to. */
static char *
replace_all(const char *s, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), cap = strlen(s) + 1, len = 0;
	for (const char *p = s; (p = strstr(p, from)) != NULL; p += nf)
		cap += nt;
	char *out = malloc(cap);
	cr_assert_not_null(out);
	for (const char *p = s;;) {
		const char *hit = strstr(p, from);
		size_t n = hit != NULL ? (size_t)(hit - p) : strlen(p);
		memcpy(out + len, p, n);
		len += n;
		if (hit == NULL)
			break;
		memcpy(out + len, to, nt);
		len += nt;
		p = hit + nf;
	}
	out[len] = '\0';
	return out;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text (each with its '\n') sorted, joined again. */
static char *
sort_lines(char *text)
{
	size_t n = 0, cap = tu_count_lines(text) + 1, len = strlen(text);
	char **v = malloc(cap * sizeof(*v)), *out = malloc(len + 2);
	cr_assert(v != NULL && out != NULL);
	for (char *p = text; *p != '\0';) {
		char *nl = strchr(p, '\n');
		v[n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	qsort(v, n, sizeof(*v), str_cmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(out, v[i]);
		strcat(out, "\n");
	}
	free(v);
	free(text);
	return out;
}

/* Text output without what only a hive has: the "file:" line, "last
 * write" lines and the "last write: ..." tail of section lines; with
 * ANY_ORDER its lines sorted. */
static char *
text_normalise(const char *text, enum order order)
{
	size_t len = 0;
	char *out = malloc(strlen(text) + 1);
	cr_assert_not_null(out);
	for (const char *p = text; *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) + 1 : strlen(p);
		const char *lw = strstr(p, "last write: ");
		size_t lead = strspn(p, " ");
		if (lw != NULL && (eol == NULL || lw < eol))
			n = (size_t)(lw - p) == lead ? 0 : (size_t)(lw - p);
		if (strncmp(p, "file: ", 6) == 0)
			n = 0;
		memcpy(out + len, p, n);
		len += n;
		if (n > 0 && out[len - 1] != '\n')
			out[len++] = '\n';
		p += eol != NULL ? (size_t)(eol - p) + 1 : strlen(p);
	}
	out[len] = '\0';
	return order == ANY_ORDER ? sort_lines(out) : out;
}

/* Runs args on the hive and on the .reg file and asserts the exit status
 * want on both (two runs that fail alike prove nothing), the same stdout
 * (JSON lines normalised, or text normalised) and the same stderr once the
 * file names are made equal. */
static void
assert_same_output(const char *const *args, const char *hive, const char *reg, enum order order,
                   int want)
{
	struct tu_run h, g;
	int json = 0;
	for (const char *const *a = args; *a != NULL; a++)
		json |= strcmp(*a, "--json") == 0;
	run_args(&h, args, hive);
	run_args(&g, args, reg);
	cr_assert_eq(h.status, want, "%s: exit %d on %s, want %d\n%s", args[0], h.status, hive,
	             want, h.err);
	cr_assert_eq(g.status, want, "%s: exit %d on %s, want %d\n%s", args[0], g.status, reg, want,
	             g.err);
	char *he = replace_all(h.err, hive, "FILE"), *ge = replace_all(g.err, reg, "FILE");
	cr_assert_str_eq(ge, he,
	                 "%s: stderr differs (exit %d)\non the hive:\n%s\non the .reg file:\n%s",
	                 args[0], want, he, ge);
	if (json) {
		json_t *hj = tj_lines(h.out), *gj = tj_lines(g.out);
		normalise(hj, order);
		normalise(gj, order);
		char *hs = json_dumps(hj, JSON_SORT_KEYS), *gs = json_dumps(gj, JSON_SORT_KEYS);
		cr_assert(json_equal(hj, gj), "%s %s: JSON differs\nhive: %s\n.reg: %s", args[0],
		          args[1], hs, gs);
		free(hs);
		free(gs);
		json_decref(hj);
		json_decref(gj);
	} else {
		char *ht = text_normalise(h.out, order), *gt = text_normalise(g.out, order);
		cr_assert_str_eq(gt, ht, "%s: text differs", args[0]);
		free(ht);
		free(gt);
	}
	free(he);
	free(ge);
	tu_run_free(&h);
	tu_run_free(&g);
}

/* 1 when uid can be given to --section (a 32-hex-digit UID). */
static int
is_uid_selector(const char *uid)
{
	return strlen(uid) == 32 && strspn(uid, "0123456789abcdefABCDEF") == 32;
}

/* Which gets assert_reads_alike runs (each value costs two processes). */
enum gets {
	GETS_NONE,
	GETS_JSON, /* get --json of every value */
	GETS_BOTH, /* get --json and get of every value */
};

/* get of every value of every UID section of every profile the hive has,
 * on both files. */
static void
assert_same_gets(const char *hive, const char *reg, enum order order, enum gets gets)
{
	struct tu_run r;
	const char *show[] = {"show", "--json", NULL};
	run_args(&r, show, hive);
	cr_assert_eq(r.status, 0, "show --json %s: exit %d\n%s", hive, r.status, r.err);
	json_t *o = tj_lines(r.out), *p, *s, *v;
	json_t *profiles = json_object_get(json_array_get(o, 0), "profiles");
	cr_assert(json_is_array(profiles), "show --json %s: no profiles array\n%s", hive, r.out);
	size_t i, j, k;
	json_array_foreach(profiles, i, p)
	{
		json_array_foreach(json_object_get(p, "sections"), j, s)
		{
			const char *uid = tj_str(s, "uid");
			if (!is_uid_selector(uid))
				continue;
			json_array_foreach(json_object_get(s, "properties"), k, v)
			{
				const char *name = tj_str(v, "value_name");
				const char *pn = tj_str(p, "name");
				const char *gj[] = {"get",       "--json", "--profile", pn,
				                    "--section", uid,      name,        NULL};
				const char *gt[] = {"get", "--profile", pn,  "--section",
				                    uid,   name,        NULL};
				/* get refuses (exit 1) a value show marks malformed. */
				int want = json_object_get(v, "error") != NULL ? 1 : 0;
				assert_same_output(gj, hive, reg, order, want);
				if (gets == GETS_BOTH)
					assert_same_output(gt, hive, reg, order, want);
			}
		}
	}
	json_decref(o);
	tu_run_free(&r);
}

/* The contents of a UTF-16LE file after its BOM as a malloc'd C string,
 * one char per code unit: ASCII as it is, anything else '?' (or, when
 * strict, an assertion failure). */
static char *
u16_chars(const char *path, int strict)
{
	size_t len;
	char *data = tu_read(path, &len);
	cr_assert_not_null(data, "cannot read %s", path);
	cr_assert_geq(len, 2);
	cr_assert(len % 2 == 0, "%s: odd length %zu", path, len);
	cr_assert_eq((unsigned char)data[0], 0xFF, "%s: no BOM", path);
	cr_assert_eq((unsigned char)data[1], 0xFE, "%s: no BOM", path);
	char *s = malloc(len / 2);
	cr_assert_not_null(s);
	for (size_t i = 2; i < len; i += 2) {
		int ascii = data[i + 1] == 0 && (unsigned char)data[i] < 0x80;
		cr_assert(ascii || !strict, "%s: not ASCII at byte %zu", path, i);
		s[i / 2 - 1] = ascii ? data[i] : '?';
	}
	s[len / 2 - 1] = '\0';
	free(data);
	return s;
}

/* A UTF-16LE file that must hold only ASCII (an export of the ASCII
 * fixtures), as a C string. */
static char *
u16_ascii(const char *path)
{
	return u16_chars(path, 1);
}

/* Any UTF-16LE file, for comparing lines. */
static char *
u16_lossy(const char *path)
{
	return u16_chars(path, 0);
}

/* Lines (split at '\n') of a that b lacks and of b that a lacks, counted as
 * multisets: how many lines a patch removed and added. */
static int
line_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static char **
split_lines(char *s, size_t *n)
{
	size_t cap = tu_count_lines(s) + 2;
	char **v = malloc(cap * sizeof(*v));
	cr_assert_not_null(v);
	*n = 0;
	for (char *p = s; *p != '\0';) {
		char *nl = strchr(p, '\n');
		v[(*n)++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	qsort(v, *n, sizeof(*v), line_cmp);
	return v;
}

static void
line_diff(const char *a, const char *b, size_t *removed, size_t *added)
{
	char *ca = strdup(a), *cb = strdup(b);
	size_t na, nb, i = 0, j = 0;
	char **la = split_lines(ca, &na), **lb = split_lines(cb, &nb);
	*removed = *added = 0;
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(la[i], lb[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			(*removed)++;
			i++;
		} else {
			(*added)++;
			j++;
		}
	}
	free(la);
	free(lb);
	free(ca);
	free(cb);
}

/* Exports every profile of a hive (or .reg file) src into tu_tmp/name. */
static char *
export_all(const char *src, const char *name)
{
	char *out = tu_tmp_path(name);
	TU_CLI_EXPECT(0, "export", "--all-profiles", "-o", out, src);
	return out;
}

/* The normalised `show --json` of file. */
static json_t *
show_norm(const char *file, enum order order)
{
	TU_CLI_EXPECT(0, "show", "--json", file);
	json_t *o = out_json();
	normalise(o, order);
	return o;
}

static void
assert_json_eq(json_t *a, json_t *b, const char *what)
{
	char *as = json_dumps(a, JSON_SORT_KEYS), *bs = json_dumps(b, JSON_SORT_KEYS);
	cr_assert(json_equal(a, b), "%s differ\n%s\n%s", what, as, bs);
	free(as);
	free(bs);
}

/* ---- read commands: a .reg file reads as its hive ------------------------- */

/* The fixture .reg sources (UTF-8, LF) and the hives built from them. */
static const char *const fixtures[] = {
    EXCH,
    "outlook2016-two-accounts",
    "every-type",
    "malformed",
    "hostile-names",
    "multi-root",
    "no-profiles",
};
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* The get sweep a quick run makes instead of full on file: each value
 * costs two processes per output form, most of this program's time and
 * minutes under AddressSanitizer.  The quick run gets every value in JSON
 * (show compares the text form of every value already) and, in the
 * sanitizer build, only on every-type, the fixture with a value of every
 * type; the long run (tests/run.sh --long) makes every sweep in full. */
static enum gets
sweep(enum gets full, const char *file)
{
	if (tu_long_mode())
		return full;
	if (TU_UNDER_ASAN && strstr(file, "every-type") == NULL)
		return GETS_NONE;
	return full == GETS_BOTH ? GETS_JSON : full;
}

/* list, show and get on hive and reg, text and JSON.  The sanitizer
 * build's quick run makes the commands marked 1 only (each output form
 * once, every value decoded); the plain build and the long run make all. */
static void
assert_reads_alike(const char *hive, const char *reg, enum order order, enum gets gets)
{
	static const struct {
		const char *args[4];
		int sanitizer;
	} cmds[] = {
	    {{"list", "--json", NULL}, 1},
	    {{"list", NULL}, 0},
	    {{"show", "--json", NULL}, 0},
	    {{"show", "--json", "--raw", NULL}, 1},
	    {{"show", NULL}, 1},
	    {{"show", "--raw", NULL}, 0},
	    {{"show", "--json", "--section", "global"}, 0},
	};
	int all = !TU_UNDER_ASAN || tu_long_mode();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!all && !cmds[i].sanitizer)
			continue;
		const char *const *c = cmds[i].args;
		const char *args[5] = {c[0], c[1], c[2], c[3], NULL};
		assert_same_output(args, hive, reg, order, 0);
	}
	if (gets != GETS_NONE)
		assert_same_gets(hive, reg, order, gets);
}

ParameterizedTestParameters(cli_reg, read_commands_on_fixture_reg_match_its_hive)
{
	return tu_index_params(NFIXTURES);
}

ParameterizedTest(size_t *i, cli_reg, read_commands_on_fixture_reg_match_its_hive)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.reg", fixtures[*i]);
	char *reg = tu_stage_src(name);
	snprintf(name, sizeof(name), "%s.dat", fixtures[*i]);
	char *hive = tu_stage_built(name);
	assert_reads_alike(hive, reg, ANY_ORDER, sweep(GETS_BOTH, fixtures[*i]));
	free(reg);
	free(hive);
}

Test(cli_reg, read_commands_on_an_export_match_the_hive)
{
	/* get of every value only where the values are most varied: show
	 * --json already compares every decoded value of the others. */
	const struct {
		const char *name;
		enum gets gets;
	} hives[] = {
	    {EXCH ".dat", GETS_NONE},      {"outlook2016-two-accounts.dat", GETS_NONE},
	    {"every-type.dat", GETS_JSON}, {"hostile-names.dat", GETS_JSON},
	    {"multi-root.dat", GETS_NONE},
	};
	for (size_t i = 0; i < sizeof(hives) / sizeof(hives[0]); i++) {
		char *hive = tu_stage_built(hives[i].name);
		char *reg = export_all(hive, "export.reg");
		assert_reads_alike(hive, reg, SAME_ORDER, sweep(hives[i].gets, hives[i].name));
		free(reg);
		free(hive);
	}
}

Test(cli_reg, read_commands_leave_the_reg_file_byte_identical)
{
	char *reg = tu_stage_src(EXCH ".reg");
	struct tu_snap s = tu_snap_take(reg);
	TU_CLI_EXPECT(0, "list", reg);
	TU_CLI_EXPECT(0, "show", "--json", "--raw", reg);
	TU_CLI_EXPECT(0, "get", "--section", "global", "PR_PROFILE_CONNECT_FLAGS", reg);
	TU_CLI_EXPECT(0, "info", "--json", reg);
	char *out = tu_tmp_path("x.reg");
	TU_CLI_EXPECT(0, "export", "-o", out, reg);
	tu_snap_assert_same(&s, reg);
	free(out);
	free(reg);
}

/* ---- export --------------------------------------------------------------- */

/* Asserts that the file path is exactly BOM FF FE and the UTF-16LE of
 * text. */
static void
assert_u16_file_is(const char *path, const char *text)
{
	size_t wl = 0;
	uint8_t *w = tu_utf16_bom(text, &wl);
	tu_assert_file_is(path, w, wl);
	free(w);
}

/* Asserts that the file starts with the UTF-16LE form of ascii. */
static void
assert_u16_prefix(const char *path, const char *ascii)
{
	size_t wl, len;
	uint8_t *w = tu_utf16_bom(ascii, &wl);
	char *data = tu_read(path, &len);
	cr_assert_not_null(data, "cannot read %s", path);
	cr_assert_geq(len, wl, "%s: %zu bytes", path, len);
	cr_assert_eq(memcmp(data, w, wl), 0, "%s does not start with the UTF-16LE of: %s", path,
	             ascii);
	free(w);
	free(data);
}

/* regedit's layout (Wine programs/reg/tests/export.c): CRLF only, a blank
 * line before every key line, a final blank line. */
static void
assert_regedit_layout(const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n')
			cr_assert(p > text && p[-1] == '\r', "bare LF at %zu", (size_t)(p - text));
		if (*p == '\r')
			cr_assert(p[1] == '\n', "bare CR at %zu", (size_t)(p - text));
		if (*p == '[' && p > text && p[-1] == '\n')
			cr_assert(p - text >= 4 && strncmp(p - 4, "\r\n\r\n", 4) == 0,
			          "no blank line before the key line at %zu", (size_t)(p - text));
	}
	size_t n = strlen(text);
	cr_assert(n >= 4 && strcmp(text + n - 4, "\r\n\r\n") == 0, "no final blank line");
}

Test(cli_reg, export_is_utf16le_with_bom_v5_header_crlf_and_regedit_layout)
{
	char *hive = tu_stage_built(EXCH ".dat"), *out = tu_tmp_path("p.reg");
	TU_CLI_EXPECT(0, "export", "-o", out, hive);
	cr_assert_str_empty(tu_last.out);
	assert_u16_prefix(out, V5 "\r\n\r\n[" WMS "\\Exchange]\r\n\r\n[" WMS "\\Exchange\\");
	char *text = u16_ascii(out);
	assert_regedit_layout(text);
	/* Without --profile: the default profile only, without its Profiles key. */
	cr_assert_null(strstr(text, "\\Personal"), "%s", text);
	cr_assert_null(strstr(text, "DefaultProfile"), "%s", text);
	cr_assert_not_null(strstr(text, "\r\n\"001e6602\"=\"EXCH01\"\r\n"), "%s", text);
	/* Standard output gets the same bytes. */
	size_t len;
	char *data = tu_read(out, &len);
	TU_CLI_EXPECT(0, "export", hive);
	cr_assert_eq(tu_last.outlen, len);
	cr_assert_eq(memcmp(tu_last.out, data, len), 0, "stdout differs from -o OUT");
	free(data);
	free(text);
	free(out);
	free(hive);
}

Test(cli_reg, export_all_profiles_keeps_the_default_and_reexports_identically)
{
	char *hive = tu_stage_built(EXCH ".dat");
	char *a = export_all(hive, "a.reg"), *b = export_all(a, "b.reg");
	char *text = u16_ascii(a);
	cr_assert_not_null(strstr(text, "\r\n\r\n[" WMS "]\r\n\"DefaultProfile\"=\"Exchange\"\r\n"),
	                   "%s", text);
	TU_CLI_EXPECT(0, "list", "--json", a);
	json_t *o = out_json(), *ps = json_object_get(o, "profiles");
	cr_assert_eq(json_array_size(ps), 2);
	cr_assert_str_eq(tj_str(json_array_get(ps, 0), "name"), "Exchange");
	cr_assert(json_is_true(json_object_get(json_array_get(ps, 0), "default")));
	/* An export of an export is the same file, byte for byte. */
	tu_assert_same_file(b, a);
	json_decref(o);
	free(text);
	free(a);
	free(b);
	free(hive);
}

Test(cli_reg, export_profile_options_pick_profiles_once_each)
{
	char *hive = tu_stage_built(EXCH ".dat"), *out = tu_tmp_path("p.reg");
	TU_CLI_EXPECT(0, "export", "--profile", "personal", "--profile", "Personal", "-o", out,
	              hive);
	TU_CLI_EXPECT(0, "list", "--json", out);
	json_t *o = out_json(), *ps = json_object_get(o, "profiles");
	cr_assert_eq(json_array_size(ps), 1);
	cr_assert_str_eq(tj_str(json_array_get(ps, 0), "name"), "Personal");
	json_decref(o);
	TU_CLI_EXPECT(0, "export", "--profile", "Personal", "--profile", "Exchange", "-o", out,
	              hive);
	TU_CLI_EXPECT(0, "list", "--json", out);
	o = out_json();
	cr_assert_eq(json_array_size(json_object_get(o, "profiles")), 2);
	json_decref(o);
	free(out);
	free(hive);
}

Test(cli_reg, export_root_option_writes_the_keys_under_that_key)
{
	char *hive = tu_stage_built(EXCH ".dat"), *out = tu_tmp_path("p.reg");
	TU_CLI_EXPECT(0, "export", "--root", "HKEY_USERS\\S-1-5-21-1-2-3-1001", "-o", out, hive);
	char *text = u16_ascii(out);
	cr_assert_null(strstr(text, "HKEY_CURRENT_USER"), "%s", text);
	cr_assert_not_null(strstr(text, "\r\n[HKEY_USERS\\S-1-5-21-1-2-3-1001\\Software\\"), "%s",
	                   text);
	/* HKEY_USERS\<SID>\ is a user's hive root: the profile is found. */
	TU_CLI_EXPECT(0, "get", "--profile", "Exchange", "--section", "global",
	              "PR_PROFILE_HOME_SERVER", out);
	cr_assert_str_eq(tu_last.out, "EXCH01\n");
	free(text);
	free(out);
	free(hive);
}

/* The short roots people type after "reg load" are written in full. */
Test(cli_reg, export_root_takes_the_short_root_names)
{
	static const struct {
		const char *root, *full;
	} cases[] = {
	    {"HKCU", "HKEY_CURRENT_USER"},
	    {"hkcu", "HKEY_CURRENT_USER"},
	    {"HKU\\S-1-5-21-1-2-3-1001", "HKEY_USERS\\S-1-5-21-1-2-3-1001"},
	    {"HKLM\\TEMPHIVE", "HKEY_LOCAL_MACHINE\\TEMPHIVE"},
	    {"HKEY_LOCAL_MACHINE\\TEMPHIVE", "HKEY_LOCAL_MACHINE\\TEMPHIVE"},
	};
	char *hive = tu_stage_built(EXCH ".dat"), *out = tu_tmp_path("p.reg");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TU_CLI_EXPECT(0, "export", "--root", cases[i].root, "-o", out, hive);
		char *text = u16_ascii(out), want[256];
		snprintf(want, sizeof(want), "\r\n[%s\\Software\\", cases[i].full);
		cr_assert_not_null(strstr(text, want), "%s: %s", cases[i].root, text);
		/* Every key is under the full root; no short name is left. */
		for (const char *k = strstr(text, "\r\n["); k != NULL; k = strstr(k + 3, "\r\n["))
			cr_assert_eq(strncmp(k + 3, cases[i].full, strlen(cases[i].full)), 0,
			             "%s: %.80s", cases[i].root, k + 3);
		free(text);
	}
	/* --emit-reg takes them too. */
	char *fix = tu_tmp_path("fix.reg");
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--emit-reg", fix, "--root", "HKU\\T", GC_FIX, hive);
	char *text = u16_ascii(fix);
	cr_assert_not_null(strstr(text, "\r\n[HKEY_USERS\\T\\Software\\"), "%s", text);
	cr_assert_null(strstr(text, "[HKU\\"), "%s", text);
	TU_CLI("apply", "--dry-run", "--emit-reg", fix, "--root", "HKUU\\T", GC_FIX, hive);
	cr_assert_eq(tu_last.status, 2, "bad root: exit %d: %s", tu_last.status, tu_last.err);
	free(text);
	free(fix);
	free(out);
	free(hive);
}

Test(cli_reg, export_usage_errors_exit_2_and_write_nothing)
{
	char *hive = tu_stage_built(EXCH ".dat"), *out = tu_tmp_path("p.reg");
	struct tu_snap s = tu_snap_take(hive);
	const char *bad[][8] = {
	    {"export", "-o", out, NULL},
	    {"export", "-o", out, hive, hive, NULL},
	    {"export", "--profile", "Exchange", "--all-profiles", "-o", out, hive, NULL},
	    {"export", "--root", "HKXX", "-o", out, hive, NULL},
	    {"export", "--root", "HKCUX\\x", "-o", out, hive, NULL},
	    {"export", "--root", "HKU\\", "-o", out, hive, NULL},
	    {"export", "--root", "HKEY_CURRENT_USER\\", "-o", out, hive, NULL},
	    {"export", "--root", "HKEY_USERS\\\\x", "-o", out, hive, NULL},
	    {"export", "--root", "", "-o", out, hive, NULL},
	    {"export", "-o", "", hive, NULL},
	    {"export", "-o", hive, hive, NULL},
	    {"export", "--codepage", "no-such-codepage", "-o", out, hive, NULL},
	    {"export", "--bogus", "-o", out, hive, NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tu_run r;
		run_args(&r, bad[i], NULL);
		cr_assert_eq(r.status, 2, "case %zu: exit %d: %s", i, r.status, r.err);
		cr_assert_str_empty(r.out, "case %zu", i);
		cr_assert_not_null(strstr(r.err, "usage: mapiprof export "), "case %zu: %s", i,
		                   r.err);
		cr_assert(!tu_exists(out), "case %zu wrote %s", i, out);
		tu_run_free(&r);
	}
	tu_snap_assert_same(&s, hive);
	free(out);
	free(hive);
}

Test(cli_reg, export_refuses_to_write_utf16_to_a_terminal)
{
	if (!tu_exists("/usr/bin/script"))
		cr_skip_test("no script(1) to give mapiprof a terminal");
	char *hive = tu_stage_built(EXCH ".dat");
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "%s export %s", MP_CLI, hive);
	char *argv[] = {(char *)"/usr/bin/script", (char *)"-qec", cmd, (char *)"/dev/null", NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 2, "exit %d: %s%s", r.status, r.out, r.err);
	cr_assert_not_null(strstr(r.out, "refusing to write UTF-16 to a terminal"), "%s", r.out);
	cr_assert_null(strstr(r.out, "W\0"), "UTF-16 reached the terminal");
	tu_run_free(&r);
	free(hive);
}

Test(cli_reg, export_failures_exit_1_naming_the_file)
{
	char *none = tu_stage_built("no-profiles.dat"), *hive = tu_stage_built(EXCH ".dat");
	char *out = tu_tmp_path("p.reg"), *nodir = tu_tmp_path("no/such/dir/p.reg");
	TU_CLI_EXPECT(1, "export", "-o", out, none);
	cr_assert_not_null(strstr(tu_last.err, "no MAPI profile found"), "%s", tu_last.err);
	TU_CLI_EXPECT(1, "export", "--profile", "nope", "-o", out, hive);
	cr_assert_not_null(strstr(tu_last.err, hive), "%s", tu_last.err);
	cr_assert(!tu_exists(out));
	TU_CLI_EXPECT(1, "export", "-o", nodir, hive);
	cr_assert_not_null(strstr(tu_last.err, nodir), "%s", tu_last.err);
	cr_assert_eq(tu_count_lines(tu_last.err), 1, "%s", tu_last.err);
	free(nodir);
	free(out);
	free(hive);
	free(none);
}

/* ---- the same recipe on a hive and on a .reg file ------------------------- */

/* Applies the GC-referral fix with -o to hive and to reg and asserts that
 * both results decode the same (show --json and list --json). */
static void
assert_recipe_alike(const char *hive, const char *reg, enum order order)
{
	char *oh = tu_tmp_path("fixed.dat"), *og = tu_tmp_path("fixed.reg");
	TU_CLI_EXPECT(0, "apply", "-o", oh, GC_FIX, hive);
	cr_assert_not_null(strstr(tu_last.out, "5 changes written"), "%s", tu_last.out);
	TU_CLI_EXPECT(0, "apply", "-o", og, GC_FIX, reg);
	cr_assert_not_null(strstr(tu_last.out, "5 changes written"), "%s", tu_last.out);
	json_t *a = show_norm(oh, order), *b = show_norm(og, order);
	assert_json_eq(a, b, "show --json of the fixed hive and .reg");
	json_decref(a);
	json_decref(b);
	const char *list[] = {"list", "--json", NULL};
	assert_same_output(list, oh, og, order, 0);
	/* The fixed .reg file needs nothing more. */
	TU_CLI_EXPECT(0, "apply", GC_FIX, og);
	cr_assert_not_null(strstr(tu_last.out, ": unchanged\n"), "%s", tu_last.out);
	free(oh);
	free(og);
}

Test(cli_reg, recipe_on_a_hive_and_on_its_export_decodes_the_same)
{
	char *hive = tu_stage_built(EXCH ".dat"), *reg = export_all(hive, "all.reg");
	assert_recipe_alike(hive, reg, SAME_ORDER);
	free(reg);
	free(hive);
}

Test(cli_reg, recipe_on_the_fixture_reg_decodes_as_on_its_hive)
{
	char *hive = tu_stage_built(EXCH ".dat"), *reg = tu_stage_src(EXCH ".reg");
	assert_recipe_alike(hive, reg, ANY_ORDER);
	free(reg);
	free(hive);
}

/* Applies the fix in place (with a backup) and asserts that 4 lines were
 * replaced and 1 added (PR_PROFILE_ABP_ALLOW_RECONNECT), every other line
 * kept; text() reads the file as ASCII lines. */
static void
assert_patch_touches_only_changed_lines(const char *reg, char *(*text)(const char *))
{
	size_t len, removed, added;
	char *orig = tu_read(reg, &len), *before = text(reg);
	TU_CLI_EXPECT(0, "apply", "--backup", GC_FIX, reg);
	char *after = text(reg), *bak = malloc(strlen(reg) + 5);
	sprintf(bak, "%s.bak", reg);
	tu_assert_file_is(bak, orig, len);
	line_diff(before, after, &removed, &added);
	cr_assert_eq(removed, 4, "%zu lines removed\n%s", removed, after);
	cr_assert_eq(added, 5, "%zu lines added\n%s", added, after);
	free(bak);
	free(after);
	free(before);
	free(orig);
}

static char *
read_text(const char *path)
{
	char *s = tu_read(path, NULL);
	cr_assert_not_null(s);
	return s;
}

Test(cli_reg, patching_a_reg_file_rewrites_only_the_changed_lines)
{
	char *src = tu_stage_src(EXCH ".reg");
	assert_patch_touches_only_changed_lines(src, read_text);
	char *utf16 = tu_stage_built(EXCH "-utf16.reg"), *r4 = tu_stage_built(EXCH "-regedit4.reg");
	assert_patch_touches_only_changed_lines(utf16, u16_lossy);
	assert_patch_touches_only_changed_lines(r4, read_text);
	free(utf16);
	free(r4);
	char *hive = tu_stage_built(EXCH ".dat"), *reg = export_all(hive, "all.reg");
	assert_patch_touches_only_changed_lines(reg, u16_ascii);
	char *text = u16_ascii(reg);
	assert_regedit_layout(text);
	free(text);
	free(reg);
	free(hive);
	free(src);
}

/* ---- --emit-reg ------------------------------------------------------------ */

#define GLOBAL "13dbb0c8aa05101a9bb000aa002fc45a"
#define EMSAB  "dca740c8c042101ab4b908002b2fe182"

/* The GC-referral plan of exchange-mapi as a .reg file (mapiprof_plan_reg):
 * per changed section its key line, then its values in plan order. */
#define GC_PATCH                                                                                   \
	V5 "\r\n\r\n[" WMS "\\Exchange\\" GLOBAL "]\r\n"                                           \
	   "\"00036604\"=hex:00,00,00,00\r\n"                                                      \
	   "\"00036606\"=hex:00,40,00,00\r\n"                                                      \
	   "\"0003661b\"=hex:b8,0b,00,00\r\n"                                                      \
	   "\r\n[" WMS "\\Exchange\\" EMSAB "]\r\n"                                                \
	   "\"00036619\"=hex:09,00,00,00\r\n"                                                      \
	   "\"00036639\"=hex:01,00,00,00\r\n"                                                      \
	   "\r\n"

Test(cli_reg, emit_reg_with_dry_run_writes_only_the_plan)
{
	char *hive = tu_stage_built(EXCH ".dat"), *fix = tu_tmp_path("fix.reg");
	struct tu_snap s = tu_snap_take(hive);
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--emit-reg", fix, GC_FIX, hive);
	tu_snap_assert_same(&s, hive);
	char want[4096];
	snprintf(want, sizeof(want), ": would change 5 values (dry run: only %s written)\n", fix);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	assert_u16_file_is(fix, GC_PATCH);
	/* Read back: the section keys lie under the profile's path. */
	TU_CLI_EXPECT(0, "list", "--json", fix);
	json_t *o = out_json();
	cr_assert_str_eq(tj_str(json_array_get(json_object_get(o, "profiles"), 0), "name"),
	                 "Exchange");
	json_decref(o);
	TU_CLI_EXPECT(0, "get", "--profile", "Exchange", "--section", "emsab",
	              "PR_PROFILE_AUTH_PACKAGE", fix);
	cr_assert_str_eq(tu_last.out, "9\n");
	free(fix);
	free(hive);
}

/* Every property of the emitted file decodes as the same property of the
 * fixed hive; there are five. */
static void
assert_patch_values_are_the_fixed_ones(const char *patch, const char *fixed)
{
	json_t *p = show_norm(patch, SAME_ORDER), *f = show_norm(fixed, SAME_ORDER), *sec, *prop;
	size_t i, j, n = 0;
	json_array_foreach(tj_first_sections(p), i, sec)
	{
		json_t *fsec = tj_find(tj_first_sections(f), "uid", tj_str(sec, "uid"));
		json_array_foreach(json_object_get(sec, "properties"), j, prop)
		{
			json_t *fp = tj_find(json_object_get(fsec, "properties"), "value_name",
			                     tj_str(prop, "value_name"));
			assert_json_eq(prop, fp, "the emitted and the written value");
			n++;
		}
	}
	cr_assert_eq(n, 5, "%zu values emitted", n);
	json_decref(p);
	json_decref(f);
}

Test(cli_reg, emit_reg_without_dry_run_writes_the_input_then_the_plan)
{
	char *hive = tu_stage_built(EXCH ".dat"), *fix = tu_tmp_path("fix.reg");
	TU_CLI_EXPECT(0, "apply", "--emit-reg", fix, GC_FIX, hive);
	char want[4096];
	snprintf(want, sizeof(want), ": 5 changes written; .reg written to %s\n", fix);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	TU_CLI_EXPECT(0, "get", "--section", "emsab", "PR_PROFILE_AUTH_PACKAGE", hive);
	cr_assert_str_eq(tu_last.out, "9\n");
	assert_patch_values_are_the_fixed_ones(fix, hive);
	free(fix);
	free(hive);
}

Test(cli_reg, emit_reg_json_names_the_written_path)
{
	char *hive = tu_stage_built(EXCH ".dat"), *fix = tu_tmp_path("fix.reg");
	TU_CLI_EXPECT(0, "apply", "--json", "--dry-run", "--emit-reg", fix, GC_FIX, hive);
	json_t *o = out_json();
	cr_assert_str_eq(tj_str(o, "status"), "dry_run");
	cr_assert_str_eq(tj_str(o, "emit_reg"), fix);
	json_decref(o);
	TU_CLI_EXPECT(0, "apply", "--json", "--dry-run", GC_FIX, hive);
	o = out_json();
	cr_assert(json_is_null(json_object_get(o, "emit_reg")));
	json_decref(o);
	free(fix);
	free(hive);
}

Test(cli_reg, emit_reg_from_a_hive_and_from_its_export_are_identical)
{
	char *hive = tu_stage_built(EXCH ".dat"), *reg = export_all(hive, "all.reg");
	char *a = tu_tmp_path("a.reg"), *b = tu_tmp_path("b.reg");
	char *src = tu_stage_src(EXCH ".reg"), *c = tu_tmp_path("c.reg");
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--emit-reg", a, GC_FIX, hive);
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--emit-reg", b, GC_FIX, reg);
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--emit-reg", c, GC_FIX, src);
	tu_assert_same_file(b, a);
	tu_assert_same_file(c, a);
	free(c);
	free(src);
	free(a);
	free(b);
	free(reg);
	free(hive);
}

Test(cli_reg, emit_reg_of_an_empty_plan_is_a_header_only_file)
{
	char *hive = tu_stage_built(EXCH ".dat"), *fix = tu_tmp_path("fix.reg");
	TU_CLI_EXPECT(0, "apply", GC_FIX, hive);
	struct tu_snap s = tu_snap_take(hive);
	TU_CLI_EXPECT(0, "apply", "--emit-reg", fix, GC_FIX, hive);
	cr_assert_not_null(strstr(tu_last.out, ": unchanged; .reg written to "), "%s", tu_last.out);
	tu_snap_assert_same(&s, hive);
	assert_u16_prefix(fix, V5 "\r\n");
	char *text = u16_ascii(fix);
	cr_assert_null(strchr(text, '['), "%s", text);
	free(text);
	free(fix);
	free(hive);
}

Test(cli_reg, emit_reg_writes_a_deleted_value_as_name_equals_minus)
{
	char *hive = tu_stage_built(EXCH ".dat"), *fix = tu_tmp_path("del.reg");
	TU_CLI_EXPECT(0, "edit", "--dry-run", "--emit-reg", fix, "-e",
	              "emsab PR_PROFILE_HOME_SERVER unset", hive);
	assert_u16_file_is(fix,
	                   V5 "\r\n\r\n[" WMS "\\Exchange\\" EMSAB "]\r\n\"001e6602\"=-\r\n\r\n");
	free(fix);
	free(hive);
}

Test(cli_reg, emit_reg_usage_errors_exit_2_and_touch_nothing)
{
	char *hive = tu_stage_built(EXCH ".dat"), *fix = tu_tmp_path("fix.reg");
	char *out = tu_tmp_path("out.dat"), *two = tu_stage_built("multi-root.dat");
	struct tu_snap s = tu_snap_take(hive);
	const char *bad[][9] = {
	    {"apply", "--emit-reg", fix, GC_FIX, hive, two, NULL},
	    {"apply", "--check", "--emit-reg", fix, GC_FIX, hive, NULL},
	    {"apply", "--emit-reg", "", GC_FIX, hive, NULL},
	    {"apply", "--dry-run", "--emit-reg", hive, GC_FIX, hive, NULL},
	    {"apply", "-o", out, "--emit-reg", out, GC_FIX, hive, NULL},
	    {"edit", "--emit-reg", fix, "-e", "emsab PR_PROFILE_AUTH_PACKAGE = 9", hive, two, NULL},
	    {"edit", "--check", "--emit-reg", fix, "-e", "emsab PR_PROFILE_AUTH_PACKAGE = 9", hive,
	     NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tu_run r;
		run_args(&r, bad[i], NULL);
		cr_assert_eq(r.status, 2, "case %zu: exit %d: %s", i, r.status, r.err);
		cr_assert_not_null(strstr(r.err, "--emit-reg"), "case %zu: %s", i, r.err);
		cr_assert_not_null(strstr(r.err, "usage: mapiprof "), "case %zu: %s", i, r.err);
		cr_assert(!tu_exists(fix) && !tu_exists(out), "case %zu wrote a file", i);
		tu_run_free(&r);
	}
	tu_snap_assert_same(&s, hive);
	free(two);
	free(out);
	free(fix);
	free(hive);
}

/* --root puts the emitted keys under another root (another user's loaded
 * hive); without --emit-reg, or with a key that is not a root path, it is a
 * usage error. */
Test(cli_reg, emit_reg_root_names_the_key_of_the_hive_root)
{
	char *hive = tu_stage_built(EXCH ".dat"), *fix = tu_tmp_path("fix.reg");
	const char *sid = "HKEY_USERS\\S-1-5-21-1-2-3-1001";
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--emit-reg", fix, "--root", sid, GC_FIX, hive);
	size_t len = 0, wl = 0;
	char *data = tu_read(fix, &len);
	uint8_t *key = tu_utf16_bom("\r\n[HKEY_USERS\\S-1-5-21-1-2-3-1001\\Software\\", &wl);
	cr_assert_not_null(data);
	/* tu_utf16_bom puts a BOM first: search for the text after it. */
	int found = 0;
	for (size_t i = 0; i + wl - 2 <= len && !found; i++)
		found = memcmp(data + i, key + 2, wl - 2) == 0;
	cr_assert(found, "no key line under %s", sid);
	free(key);
	key = tu_utf16_bom("HKEY_CURRENT_USER", &wl);
	for (size_t i = 0; i + wl - 2 <= len; i++)
		cr_assert_neq(memcmp(data + i, key + 2, wl - 2), 0,
		              "HKEY_CURRENT_USER in the file");
	free(key);
	free(data);
	TU_CLI_EXPECT(2, "apply", "--dry-run", "--root", sid, GC_FIX, hive);
	cr_assert_not_null(strstr(tu_last.err, "--root"), "%s", tu_last.err);
	TU_CLI_EXPECT(2, "apply", "--dry-run", "--emit-reg", fix, "--root", "HKEY_NOWHERE\\x",
	              GC_FIX, hive);
	cr_assert_not_null(strstr(tu_last.err, "invalid --root"), "%s", tu_last.err);
	free(fix);
	free(hive);
}

Test(cli_reg, emit_reg_that_cannot_be_written_fails_with_exit_1)
{
	char *hive = tu_stage_built(EXCH ".dat"), *fix = tu_tmp_path("no/such/dir/fix.reg");
	struct tu_snap s = tu_snap_take(hive);
	TU_CLI_EXPECT(1, "apply", "--dry-run", "--emit-reg", fix, GC_FIX, hive);
	cr_assert_not_null(strstr(tu_last.err, "--emit-reg"), "%s", tu_last.err);
	tu_snap_assert_same(&s, hive);
	/* Without --dry-run the input is written first, and the message says so. */
	TU_CLI_EXPECT(1, "apply", "--json", "--emit-reg", fix, GC_FIX, hive);
	json_t *o = out_json();
	cr_assert_str_eq(tj_str(o, "status"), "error");
	cr_assert_not_null(strstr(tj_str(o, "error"), "the changes were written, but --emit-reg"),
	                   "%s", tj_str(o, "error"));
	cr_assert(json_is_null(json_object_get(o, "emit_reg")));
	json_decref(o);
	TU_CLI_EXPECT(0, "get", "--section", "emsab", "PR_PROFILE_AUTH_PACKAGE", hive);
	cr_assert_str_eq(tu_last.out, "9\n");
	free(fix);
	free(hive);
}

/* ---- info -------------------------------------------------------------------- */

/* The sha256 of a file by sha256sum(1). */
static char *
sha256_of(const char *path)
{
	char *out = tu_tool_out("/usr/bin/sha256sum", path);
	out[64] = '\0';
	return out;
}

static const char *const hive_only[] = {"version", "major",    "minor", "seq1",        "seq2",
                                        "dirty",   "checksum", "logs",  "last_written"};

Test(cli_reg, info_on_reg_shows_encoding_header_line_ends_and_no_hive_fields)
{
	char *reg = tu_stage_src(EXCH ".reg"), *sha = sha256_of(reg);
	size_t len;
	free(tu_read(reg, &len));
	TU_CLI_EXPECT(0, "info", "--json", reg);
	json_t *o = out_json();
	cr_assert_str_eq(tj_str(o, "file"), reg);
	cr_assert_str_eq(tj_str(o, "format"), "reg");
	cr_assert_str_eq(tj_str(o, "encoding"), "utf-8");
	cr_assert_str_eq(tj_str(o, "header"), V5);
	cr_assert_str_eq(tj_str(o, "line_ends"), "lf");
	cr_assert_str_eq(tj_str(o, "sha256"), sha);
	cr_assert_eq(json_integer_value(json_object_get(o, "size")), (json_int_t)len);
	const char *mt = tj_str(o, "mtime");
	cr_assert(strlen(mt) > 20 && mt[strlen(mt) - 1] == 'Z', "%s", mt);
	for (size_t i = 0; i < sizeof(hive_only) / sizeof(hive_only[0]); i++)
		cr_assert_null(json_object_get(o, hive_only[i]), "%s present", hive_only[i]);
	json_decref(o);
	TU_CLI_EXPECT(0, "info", reg);
	char want[512];
	snprintf(want, sizeof(want),
	         "\nformat: reg\nencoding: utf-8\nheader: " V5 "\nline ends: lf\nsize: %zu\n"
	         "sha256: %s\nmodified: ",
	         len, sha);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	const char *no[] = {"sequence", "checksum", "logs", "dirty", "version", "hive"};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert_null(strstr(tu_last.out, no[i]), "'%s' in: %s", no[i], tu_last.out);
	free(sha);
	free(reg);
}

Test(cli_reg, info_on_an_export_is_utf16le_with_crlf)
{
	char *hive = tu_stage_built(EXCH ".dat"), *reg = export_all(hive, "all.reg");
	TU_CLI_EXPECT(0, "info", "--json", reg, hive);
	json_t *a = tj_lines(tu_last.out), *r = json_array_get(a, 0), *h = json_array_get(a, 1);
	cr_assert_str_eq(tj_str(r, "encoding"), "utf-16le");
	cr_assert_str_eq(tj_str(r, "line_ends"), "crlf");
	cr_assert_str_eq(tj_str(r, "header"), V5);
	cr_assert_str_eq(tj_str(h, "format"), "regf");
	cr_assert_null(json_object_get(h, "encoding"));
	cr_assert(json_is_string(json_object_get(h, "mtime")));
	json_decref(a);
	free(reg);
	free(hive);
}

/* A REGEDIT4 file (8-bit, CRLF) holding profile Synth whose global section
 * has PR_PROFILE_HOME_SERVER "Caf\xe9" (windows-1252: e acute). */
#define R4_PROFILES                                                                                \
	"[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging "  \
	"Subsystem\\Profiles"
static const char regedit4[] =
    "REGEDIT4\r\n\r\n" R4_PROFILES "]\r\n"
    "\"DefaultProfile\"=\"Synth\"\r\n\r\n" R4_PROFILES "\\Synth\\" GLOBAL "]\r\n"
    "\"001e6602\"=\"Caf\xe9\"\r\n\r\n";

Test(cli_reg, regedit4_text_is_read_in_the_codepage_option)
{
	char *reg = tu_tmp_write("r4.reg", regedit4, sizeof(regedit4) - 1);
	TU_CLI_EXPECT(0, "info", "--json", reg);
	json_t *o = out_json();
	cr_assert_str_eq(tj_str(o, "header"), "REGEDIT4");
	cr_assert_eq(strcasecmp(tj_str(o, "encoding"), "windows-1252"), 0, "%s",
	             tj_str(o, "encoding"));
	cr_assert_str_eq(tj_str(o, "line_ends"), "crlf");
	json_decref(o);
	TU_CLI_EXPECT(0, "info", "--json", "--codepage", "windows-1251", reg);
	o = out_json();
	cr_assert_eq(strcasecmp(tj_str(o, "encoding"), "windows-1251"), 0, "%s",
	             tj_str(o, "encoding"));
	json_decref(o);
	TU_CLI_EXPECT(0, "get", "--section", "global", "PR_PROFILE_HOME_SERVER", reg);
	cr_assert_str_eq(tu_last.out, "Caf\xc3\xa9\n"); /* U+00E9 */
	TU_CLI_EXPECT(0, "get", "--codepage", "windows-1251", "--section", "global",
	              "PR_PROFILE_HOME_SERVER", reg);
	cr_assert_str_eq(tu_last.out, "Caf\xd0\xb9\n"); /* U+0439 */
	/* export decodes the file in the code page and writes UTF-16LE. */
	char *out = tu_tmp_path("r4-export.reg");
	TU_CLI_EXPECT(0, "export", "-o", out, reg);
	TU_CLI_EXPECT(0, "get", "--profile", "Synth", "--section", "global",
	              "PR_PROFILE_HOME_SERVER", out);
	cr_assert_str_eq(tu_last.out, "Caf\xc3\xa9\n");
	free(out);
	TU_CLI_EXPECT(2, "info", "--codepage", "no-such-codepage", reg);
	cr_assert_not_null(strstr(tu_last.err, "usage: mapiprof info "), "%s", tu_last.err);
	free(reg);
}

/* ---- malformed .reg files ------------------------------------------------------ */

struct broken {
	const char *text;
	size_t len; /* 0: strlen */
	int line;   /* the line the error names; 0: not checked */
};

#define BROKEN_KEY V5 "\n\n[HKEY_CURRENT_USER\\Software\\x]\n"
static const char nul_in_string[] = BROKEN_KEY "\"a\"=\"x\0y\"\n";
static const char odd_utf16[] = "\xff\xfeW\0i\0n\0d\0o\0w\0s\0\n";

static const struct broken brokens[] = {
    {BROKEN_KEY "\"a\"=\"unterminated\n", 0, 4},
    {BROKEN_KEY "\"a\"=hex:01,0g,03\n", 0, 4},
    {BROKEN_KEY "\"a\"=dword:123456789\n", 0, 4},
    {BROKEN_KEY "\"ok\"=\"fine\"\n\"a\"=hex:01,\\\n  02,zz\n", 0, 6},
    {nul_in_string, sizeof(nul_in_string) - 1, 4},
    {"\xef\xbb\xbf[HKEY_CURRENT_USER\\Software]\n\"a\"=\"b\"\n", 0, 1},
    {odd_utf16, sizeof(odd_utf16) - 1, 0},
};
#define NBROKEN (sizeof(brokens) / sizeof(brokens[0]))

ParameterizedTestParameters(cli_reg, malformed_reg_fails_naming_file_and_line)
{
	return tu_index_params(NBROKEN);
}

ParameterizedTest(size_t *i, cli_reg, malformed_reg_fails_naming_file_and_line)
{
	const struct broken *b = &brokens[*i];
	char *reg = tu_tmp_write("broken.reg", b->text, b->len != 0 ? b->len : strlen(b->text));
	char *out = tu_tmp_path("out.reg"), prefix[4096];
	if (b->line > 0)
		snprintf(prefix, sizeof(prefix), "mapiprof: %s: line %d: ", reg, b->line);
	else
		snprintf(prefix, sizeof(prefix), "mapiprof: %s: ", reg);
	const char *cmds[][6] = {
	    {"list", reg, NULL},
	    {"show", reg, NULL},
	    {"get", "--section", "global", "PR_PROFILE_HOME_SERVER", reg, NULL},
	    {"info", reg, NULL},
	    {"export", "-o", out, reg, NULL},
	    {"apply", "--dry-run", GC_FIX, reg, NULL},
	};
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		struct tu_run r;
		run_args(&r, cmds[c], NULL);
		cr_assert_eq(r.status, 1, "case %zu, %s: exit %d: %s", *i, cmds[c][0], r.status,
		             r.err);
		cr_assert_eq(strncmp(r.err, prefix, strlen(prefix)), 0, "case %zu, %s: %s", *i,
		             cmds[c][0], r.err);
		cr_assert_eq(tu_count_lines(r.err), 1, "case %zu, %s: %s", *i, cmds[c][0], r.err);
		tu_run_free(&r);
	}
	cr_assert(!tu_exists(out));
	TU_CLI_EXPECT(1, "list", "--json", reg);
	json_t *o = out_json();
	cr_assert_str_eq(tj_str(o, "file"), reg);
	cr_assert_str_eq(tj_str(o, "code"), "format");
	json_decref(o);
	free(out);
	free(reg);
}

/* ---- the encoding and line-end variants (fixtures/meson.build) -------------- */

/* A variant built from a fixture source by tools/regvariant.py, the source
 * (in the source tree) and the hive built from that source, if any. */
struct variant {
	const char *built;
	const char *source;
	const char *hive;
};

static const struct variant variants[] = {
    {EXCH "-utf16.reg", EXCH ".reg", EXCH ".dat"},
    {EXCH "-regedit4.reg", EXCH ".reg", EXCH ".dat"},
    {"hand-edited-utf16.reg", "hand-edited.reg", NULL},
    {"hand-edited-regedit4.reg", "hand-edited.reg", NULL},
    {"hand-edited-utf8bom.reg", "hand-edited.reg", NULL},
    {"hand-edited-crlf.reg", "hand-edited.reg", NULL},
    {"hand-edited-cr.reg", "hand-edited.reg", NULL},
    {"hand-edited-mixed.reg", "hand-edited.reg", NULL},
    {"hand-edited-nofinal.reg", "hand-edited.reg", NULL},
    {"hand-edited-regedit4-nofinal.reg", "hand-edited.reg", NULL},
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

ParameterizedTestParameters(cli_reg, read_commands_on_a_variant_match_its_source)
{
	return tu_index_params(NVARIANTS);
}

ParameterizedTest(size_t *i, cli_reg, read_commands_on_a_variant_match_its_source)
{
	const struct variant *v = &variants[*i];
	char *var = tu_stage_built(v->built), *src = tu_stage_src(v->source);
	assert_reads_alike(src, var, SAME_ORDER, sweep(GETS_JSON, v->built));
	if (v->hive != NULL) {
		char *hive = tu_stage_built(v->hive);
		assert_reads_alike(hive, var, ANY_ORDER, GETS_NONE);
		free(hive);
	}
	free(src);
	free(var);
}

ParameterizedTestParameters(cli_reg, recipe_on_a_variant_decodes_and_emits_as_on_its_source)
{
	return tu_index_params(NVARIANTS);
}

ParameterizedTest(size_t *i, cli_reg, recipe_on_a_variant_decodes_and_emits_as_on_its_source)
{
	const struct variant *v = &variants[*i];
	char *var = tu_stage_built(v->built), *src = tu_stage_src(v->source);
	char *a = tu_tmp_path("a.reg"), *b = tu_tmp_path("b.reg");
	char *fa = tu_tmp_path("fa.reg"), *fb = tu_tmp_path("fb.reg");
	TU_CLI_EXPECT(0, "apply", "--emit-reg", fa, "-o", a, GC_FIX, src);
	TU_CLI_EXPECT(0, "apply", "--emit-reg", fb, "-o", b, GC_FIX, var);
	cr_assert_not_null(strstr(tu_last.out, "5 changes written to "), "%s", tu_last.out);
	json_t *ja = show_norm(a, SAME_ORDER), *jb = show_norm(b, SAME_ORDER);
	assert_json_eq(ja, jb, "show --json of the fixed source and variant");
	/* The fixed variant keeps its encoding and line ends. */
	TU_CLI_EXPECT(0, "info", "--json", var, b);
	json_t *inf = tj_lines(tu_last.out);
	const char *keys[] = {"encoding", "header", "line_ends"};
	for (size_t k = 0; k < 3; k++)
		cr_assert_str_eq(tj_str(json_array_get(inf, 1), keys[k]),
		                 tj_str(json_array_get(inf, 0), keys[k]), "%s", keys[k]);
	tu_assert_same_file(fb, fa);
	json_decref(inf);
	json_decref(ja);
	json_decref(jb);
	free(fa);
	free(fb);
	free(a);
	free(b);
	free(src);
	free(var);
}
