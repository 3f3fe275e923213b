/* test_cli_timeline.c - the built mapiprof's timeline command: each
 * format read back by an independent reader (body file and TLN fields
 * split here, CSV by python3's csv module, JSON lines by jansson, the body
 * file by The Sleuth Kit's mactime when installed), each key's time and
 * path checked against reglookup's, the records sorted by time across
 * files, --image, and the errors: a .reg file (no times), --deleted, usage. */
#define _DEFAULT_SOURCE /* timegm */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testjson.h"
#include "testutil.h"

#define REAL      "regipy/NTUSER_BAGMRU.DAT"
#define MACTIME   "/usr/bin/mactime"
#define REGLOOKUP "/usr/bin/reglookup"

TestSuite(cli_timeline, .init = tu_setup, .fini = tu_teardown);

/* ---- readers ------------------------------------------------------------ */

/* The lines of text (each '\n'-terminated, a "\r\n" end dropped too),
 * malloc'd copies; *n their number. */
static char **
split_lines(const char *text, size_t *n)
{
	size_t cap = tu_count_lines(text) + 1, k = 0;
	char **v = calloc(cap, sizeof(*v));
	cr_assert_not_null(v);
	for (const char *p = text; *p != '\0';) {
		const char *e = strchr(p, '\n');
		cr_assert_not_null(e, "unterminated line: %s", p);
		size_t len = (size_t)(e - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		v[k] = strndup(p, len);
		cr_assert_not_null(v[k]);
		k++;
		p = e + 1;
	}
	*n = k;
	return v;
}

/* The '|'-separated fields of line, asserted to be exactly want. */
static char **
split_bar(const char *line, size_t want)
{
	char **f = calloc(want + 1, sizeof(*f));
	cr_assert_not_null(f);
	size_t k = 0;
	const char *p = line;
	for (;;) {
		const char *e = strchr(p, '|');
		cr_assert_lt(k, want, "more than %zu fields: %s", want, line);
		f[k++] = e != NULL ? strndup(p, (size_t)(e - p)) : strdup(p);
		if (e == NULL)
			break;
		p = e + 1;
	}
	cr_assert_eq(k, want, "%zu fields, want %zu: %s", k, want, line);
	return f;
}

static void
free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "FILE:PATH (profile: P, role: R)" -> PATH (malloc'd); asserts the form. */
static char *
name_path(const char *name, const char *file)
{
	size_t fl = strlen(file);
	cr_assert(strncmp(name, file, fl) == 0 && name[fl] == ':', "name %s, file %s", name, file);
	const char *end = strstr(name, " (profile: ");
	cr_assert_not_null(end, "no profile in %s", name);
	cr_assert(strstr(end, ", role: ") != NULL, "no role in %s", name);
	return strndup(name + fl + 1, (size_t)(end - name - (ptrdiff_t)fl - 1));
}

/* reglookup's last-write time of the key at path ('\' separated, from
 * the hive root) in its dump of the hive, as seconds since 1970; -1 when
 * it lists no such key. */
static long long
reglookup_time(const char *dump, const char *path)
{
	char want[4096];
	int n = snprintf(want, sizeof(want), "\n/%s,KEY,,", path);
	cr_assert(n > 0 && (size_t)n < sizeof(want));
	for (char *s = want; *s != '\0'; s++)
		if (*s == '\\')
			*s = '/';
	const char *hit = strstr(dump, want);
	if (hit == NULL)
		return -1;
	struct tm tm = {0};
	cr_assert_eq(sscanf(hit + strlen(want), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
	                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
	             6, "reglookup time of %s", path);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/* The lines of dump whose path has a "/Profiles/" component, each after a
 * '\n' (as reglookup_time looks for them); malloc'd.  Every key a
 * timeline names lies below a Profiles key, so their times are all here,
 * and looking each up in this is far cheaper than in the whole dump. */
static char *
profile_lines(const char *dump)
{
	char *out = malloc(strlen(dump) + 2);
	cr_assert_not_null(out);
	size_t k = 0;
	for (const char *line = dump; *line != '\0';) {
		const char *eol = strchr(line, '\n');
		size_t len = eol != NULL ? (size_t)(eol - line) : strlen(line);
		char *copy = strndup(line, len);
		cr_assert_not_null(copy);
		if (strstr(copy, "/Profiles/") != NULL) {
			out[k++] = '\n';
			memcpy(out + k, line, len);
			k += len;
		}
		free(copy);
		line += len + (eol != NULL);
	}
	out[k++] = '\n';
	out[k] = '\0';
	return out;
}

/* The number of keys reglookup lists below a Profiles key (profile keys
 * and every key below them). */
static size_t
reglookup_profile_keys(const char *dump)
{
	size_t n = 0;
	for (const char *p = dump; (p = strstr(p, ",KEY,")) != NULL; p++) {
		const char *bol = p;
		while (bol > dump && bol[-1] != '\n')
			bol--;
		char *line = strndup(bol, (size_t)(p - bol));
		if (strstr(line, "/Windows Messaging Subsystem/Profiles/") != NULL ||
		    strstr(line, "/Outlook/Profiles/") != NULL)
			n++;
		free(line);
	}
	return n;
}

/* ---- body file ---------------------------------------------------------- */

Test(cli_timeline, bodyfile_fields_times_and_paths_agree_with_reglookup)
{
	char *hive = tu_stage_src("real/" REAL);
	struct tu_snap snap = tu_snap_take(hive);
	TU_CLI_EXPECT(0, "timeline", hive);
	size_t n;
	char **lines = split_lines(tu_last.out, &n);
	char *dump = tu_tool_out(REGLOOKUP, hive);
	cr_assert_gt(n, 1);
	cr_assert_eq(n, reglookup_profile_keys(dump), "one record per profile and section key");
	char *pdump = profile_lines(dump);
	long long prev = 0;
	int times_differ = 0;
	for (size_t i = 0; i < n; i++) {
		char **f = split_bar(lines[i], 11);
		/* MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime */
		cr_assert_str_eq(f[0], "0");
		for (size_t k = 2; k <= 7; k++)
			cr_assert_str_eq(f[k], "0", "field %zu of %s", k, lines[i]);
		cr_assert_str_eq(f[9], "0");
		cr_assert_str_eq(f[10], "0");
		char *end;
		long long mtime = strtoll(f[8], &end, 10);
		cr_assert(*end == '\0' && mtime > 0, "mtime %s", f[8]);
		cr_assert_geq(mtime, prev, "not sorted by time at line %zu", i + 1);
		times_differ |= i > 0 && mtime != prev;
		prev = mtime;
		char *path = name_path(f[1], hive);
		cr_assert_eq(reglookup_time(pdump, path), mtime, "time of %s", path);
		free(path);
		free_strs(f, 11);
	}
	cr_assert(times_differ, "the sample's keys should have several times");
	free_strs(lines, n);
	free(pdump);
	free(dump);
	tu_snap_assert_same(&snap, hive);
	free(hive);
}

Test(cli_timeline, mactime_reads_the_bodyfile)
{
	if (access(MACTIME, X_OK) != 0)
		cr_skip_test("mactime not installed (Debian package sleuthkit): body file not "
		             "checked by The Sleuth Kit");
	char *hive = tu_stage_src("real/" REAL);
	TU_CLI_EXPECT(0, "timeline", "--format", "bodyfile", hive);
	char *body = tu_tmp_write("body.txt", tu_last.out, tu_last.outlen);
	size_t nbody;
	char **blines = split_lines(tu_last.out, &nbody);
	const char *argv[] = {MACTIME, "-b", body, "-d", "-y", "-z", "UTC", "1971-01-01", NULL};
	struct tu_run r;
	cr_assert_eq(tu_run((char *const *)argv, &r), 0);
	cr_assert_eq(r.status, 0, "mactime: %s", r.err);
	/* mactime -d: Date,Size,Type,Mode,UID,GID,Meta,File Name; each key
	 * once, as a modification ("m...") at its time. */
	size_t n;
	char **lines = split_lines(r.out, &n);
	cr_assert_eq(n, nbody + 1, "mactime printed %zu lines for %zu records:\n%s", n, nbody,
	             r.out);
	for (size_t i = 0; i < nbody; i++) {
		char **f = split_bar(blines[i], 11);
		time_t t = (time_t)strtoll(f[8], NULL, 10);
		char when[32], want[8192];
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		snprintf(want, sizeof(want), "%s,0,m...,0,0,0,0,\"%s\"", when, f[1]);
		int found = 0;
		for (size_t k = 1; k < n && !found; k++)
			found = strcmp(lines[k], want) == 0;
		cr_assert(found, "mactime lacks %s\n%s", want, r.out);
		free_strs(f, 11);
	}
	free_strs(lines, n);
	free_strs(blines, nbody);
	tu_run_free(&r);
	free(body);
	free(hive);
}

/* ---- TLN ------------------------------------------------------------------ */

Test(cli_timeline, tln_fields_match_the_bodyfile)
{
	char *hive = tu_stage_src("real/" REAL);
	TU_CLI_EXPECT(0, "timeline", hive);
	size_t nb;
	char **body = split_lines(tu_last.out, &nb);
	TU_CLI_EXPECT(0, "timeline", "--format", "tln", "--host", "WS|01", "--user", "alice", hive);
	size_t n;
	char **lines = split_lines(tu_last.out, &n);
	cr_assert_eq(n, nb);
	for (size_t i = 0; i < n; i++) {
		/* Time|Source|Host|User|Description */
		char **f = split_bar(lines[i], 5);
		char **b = split_bar(body[i], 11);
		cr_assert_str_eq(f[0], b[8], "TLN time is the body file's mtime");
		cr_assert_str_eq(f[1], "REG");
		cr_assert_str_eq(f[2], "WS\\x7c01", "a '|' in a field is escaped");
		cr_assert_str_eq(f[3], "alice");
		cr_assert(strncmp(f[4], "M... ", 5) == 0, "description %s", f[4]);
		cr_assert_str_eq(f[4] + 5, b[1], "the key as the body file names it");
		free_strs(f, 5);
		free_strs(b, 11);
	}
	free_strs(lines, n);
	free_strs(body, nb);
	free(hive);
}

/* ---- CSV and JSON lines ------------------------------------------------- */

/* python3's csv module reads the CSV output of the last run and prints it
 * back as JSON: [header, row, ...]. */
static json_t *
csv_read_back(void)
{
	char *csv = tu_tmp_write("t.csv", tu_last.out, tu_last.outlen);
	const char *argv[] = {MP_PYTHON, "-c",
	                      "import csv, json, sys\n"
	                      "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
	                      "    print(json.dumps(list(csv.reader(f, strict=True))))\n",
	                      csv, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run((char *const *)argv, &r), 0);
	cr_assert_eq(r.status, 0, "python3 csv: %s", r.err);
	json_error_t e;
	json_t *rows = json_loads(r.out, 0, &e);
	cr_assert_not_null(rows, "%s", e.text);
	tu_run_free(&r);
	free(csv);
	return rows;
}

static const char *
cell(json_t *row, size_t i)
{
	json_t *c = json_array_get(row, i);
	cr_assert(json_is_string(c));
	return json_string_value(c);
}

Test(cli_timeline, csv_parses_with_header_and_quoted_names)
{
	char *hive = tu_stage_built("hostile-names.dat");
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", hive);
	json_t *jl = tj_lines(tu_last.out);
	TU_CLI_EXPECT(0, "timeline", "--format", "csv", hive);
	json_t *rows = csv_read_back();
	cr_assert_eq(json_array_size(rows), json_array_size(jl) + 1, "a header and one row a key");
	const char *header[] = {"last_write", "last_write_unix", "file", "path",
	                        "profile",    "section",         "role", "deleted"};
	json_t *h = json_array_get(rows, 0);
	cr_assert_eq(json_array_size(h), 8);
	for (size_t i = 0; i < 8; i++)
		cr_assert_str_eq(cell(h, i), header[i]);
	int quoted_name = 0;
	for (size_t i = 0; i < json_array_size(jl); i++) {
		json_t *row = json_array_get(rows, i + 1), *o = json_array_get(jl, i);
		cr_assert_eq(json_array_size(row), 8);
		cr_assert_str_eq(cell(row, 0), tj_str(o, "last_write"));
		cr_assert_eq(strtoll(cell(row, 1), NULL, 10), tj_int(o, "last_write_unix"));
		cr_assert_str_eq(cell(row, 2), hive);
		/* Text without control characters reads back as stored; control
		 * characters are escaped (\xHH), as on a terminal. */
		if (strchr(tj_str(o, "path"), '\x1b') == NULL)
			cr_assert_str_eq(cell(row, 3), tj_str(o, "path"));
		else
			cr_assert(strstr(cell(row, 3), "\\x1b") != NULL, "%s", cell(row, 3));
		cr_assert_str_eq(cell(row, 6), tj_str(o, "role"));
		cr_assert_str_eq(cell(row, 7), "false");
		if (strchr(tj_str(o, "profile"), '\x1b') == NULL)
			cr_assert_str_eq(cell(row, 4), tj_str(o, "profile"));
		quoted_name |= strchr(cell(row, 4), '"') != NULL;
		json_t *sec = json_object_get(o, "section");
		cr_assert_str_eq(cell(row, 5), json_is_null(sec) ? "" : json_string_value(sec));
	}
	cr_assert(quoted_name, "the fixture has a profile name with a quote");
	json_decref(rows);
	json_decref(jl);
	free(hive);
}

Test(cli_timeline, jsonl_records_match_the_bodyfile)
{
	char *hive = tu_stage_src("real/" REAL);
	TU_CLI_EXPECT(0, "timeline", hive);
	size_t nb;
	char **body = split_lines(tu_last.out, &nb);
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", hive);
	json_t *a = tj_lines(tu_last.out);
	cr_assert_eq(json_array_size(a), nb);
	int profiles = 0;
	for (size_t i = 0; i < nb; i++) {
		json_t *o = json_array_get(a, i);
		char **b = split_bar(body[i], 11);
		cr_assert_eq(tj_int(o, "schema_version"), 2);
		cr_assert_eq(tj_int(o, "last_write_unix"), strtoll(b[8], NULL, 10));
		cr_assert_str_eq(tj_str(o, "file"), hive);
		char *path = name_path(b[1], hive);
		cr_assert_str_eq(tj_str(o, "path"), path);
		free(path);
		cr_assert(json_is_false(json_object_get(o, "deleted")));
		if (strcmp(tj_str(o, "role"), "profile") == 0) {
			profiles++;
			tj_assert_null(o, "section");
			cr_assert(strstr(tj_str(o, "path"), tj_str(o, "profile")) != NULL);
		} else {
			char suffix[300];
			snprintf(suffix, sizeof(suffix), "\\%s\\%s", tj_str(o, "profile"),
			         tj_str(o, "section"));
			const char *p = tj_str(o, "path");
			cr_assert(strlen(p) > strlen(suffix) &&
			              strcmp(p + strlen(p) - strlen(suffix), suffix) == 0,
			          "path %s ends in profile and section", p);
		}
		/* The ISO time and the seconds agree. */
		struct tm tm = {0};
		cr_assert_eq(sscanf(tj_str(o, "last_write"), "%d-%d-%dT%d:%d:%d", &tm.tm_year,
		                    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
		             6);
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		cr_assert_eq((long long)timegm(&tm), tj_int(o, "last_write_unix"));
		free_strs(b, 11);
	}
	cr_assert_gt(profiles, 0);
	json_decref(a);
	free_strs(body, nb);
	free(hive);
}

/* ---- several files, images ---------------------------------------------- */

Test(cli_timeline, files_merge_sorted_by_time)
{
	/* The fixture's keys all carry the build's time; apply rewrites one
	 * key now, so the changed copy has a key later than all others. */
	char *old = tu_stage_src("real/" REAL), *fix = tu_stage_built("exchange-mapi.dat");
	char *changed = tu_tmp_path("changed.dat");
	TU_CLI_EXPECT(0, "apply", "-o", changed, "cached-mode-on", fix);
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", changed, old, fix);
	json_t *a = tj_lines(tu_last.out);
	size_t n = json_array_size(a);
	long long prev = 0;
	int seen[3] = {0, 0, 0};
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		long long t = tj_int(o, "last_write_unix");
		cr_assert_geq(t, prev, "record %zu out of order", i);
		prev = t;
		const char *f = tj_str(o, "file");
		seen[strcmp(f, changed) == 0 ? 0 : strcmp(f, old) == 0 ? 1 : 2]++;
	}
	cr_assert(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
	/* The newest record is the key apply wrote. */
	json_t *last = json_array_get(a, n - 1);
	cr_assert_str_eq(tj_str(last, "file"), changed);
	cr_assert_str_eq(tj_str(last, "role"), "global");
	json_decref(a);
	free(old);
	free(fix);
	free(changed);
}

Test(cli_timeline, image_directory_names_each_hive)
{
	char *img = tu_tmp_path("img");
	char *dir = tu_tmp_path("img/Users"), *user = tu_tmp_path("img/Users/alice");
	cr_assert_eq(mkdir(img, 0755), 0);
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(mkdir(user, 0755), 0);
	char *src = tu_fixture("exchange-mapi.dat"),
	     *dst = tu_tmp_path("img/Users/alice/NTUSER.DAT");
	cr_assert_eq(tu_copy(src, dst), 0);
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", dst);
	json_t *direct = tj_lines(tu_last.out);
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", "--image", img);
	json_t *a = tj_lines(tu_last.out);
	cr_assert_eq(json_array_size(a), json_array_size(direct));
	cr_assert_gt(json_array_size(a), 0);
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i), *d = json_array_get(direct, i);
		cr_assert(strstr(tj_str(o, "file"), "Users/alice/NTUSER.DAT") != NULL, "file %s",
		          tj_str(o, "file"));
		cr_assert_str_eq(tj_str(o, "path"), tj_str(d, "path"));
		cr_assert_eq(tj_int(o, "last_write_unix"), tj_int(d, "last_write_unix"));
	}
	json_decref(a);
	json_decref(direct);
	free(img);
	free(dir);
	free(user);
	free(src);
	free(dst);
}

Test(cli_timeline, wim_image_hives_streamed_out)
{
	TU_SKIP_ON_WINDOWS("the Windows build has no WIM support (no wimlib build for it)");
	char *tree = tu_tmp_path("tree"), *users = tu_tmp_path("tree/Users");
	char *user = tu_tmp_path("tree/Users/alice"), *wim = tu_tmp_path("golden.wim");
	cr_assert_eq(mkdir(tree, 0755), 0);
	cr_assert_eq(mkdir(users, 0755), 0);
	cr_assert_eq(mkdir(user, 0755), 0);
	char *src = tu_fixture("exchange-mapi.dat"),
	     *dst = tu_tmp_path("tree/Users/alice/NTUSER.DAT");
	cr_assert_eq(tu_copy(src, dst), 0);
	const char *argv[] = {"/usr/bin/wimcapture", tree, wim, "Golden", NULL};
	struct tu_run r;
	cr_assert_eq(tu_run((char *const *)argv, &r), 0);
	cr_assert_eq(r.status, 0, "wimcapture: %s", r.err);
	tu_run_free(&r);
	struct tu_snap snap = tu_snap_take(wim);
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", dst);
	json_t *direct = tj_lines(tu_last.out);
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", "--image", wim);
	json_t *a = tj_lines(tu_last.out);
	cr_assert_eq(json_array_size(a), json_array_size(direct));
	cr_assert_gt(json_array_size(a), 0);
	char want[4096];
	snprintf(want, sizeof(want), "%s:/Users/alice/NTUSER.DAT", wim);
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i), *d = json_array_get(direct, i);
		cr_assert_str_eq(tj_str(o, "file"), want);
		cr_assert_str_eq(tj_str(o, "path"), tj_str(d, "path"));
		cr_assert_eq(tj_int(o, "last_write_unix"), tj_int(d, "last_write_unix"));
	}
	tu_snap_assert_same(&snap, wim);
	json_decref(a);
	json_decref(direct);
	free(tree);
	free(users);
	free(user);
	free(wim);
	free(src);
	free(dst);
}

/* ---- errors ----------------------------------------------------------------- */

Test(cli_timeline, reg_file_has_no_times)
{
	char *reg = tu_fixture_src("exchange-mapi.reg");
	TU_CLI_EXPECT(1, "timeline", reg);
	cr_assert_str_eq(tu_last.out, "");
	cr_assert(strstr(tu_last.err, "no key times") != NULL, "%s", tu_last.err);
	cr_assert(strstr(tu_last.err, reg) != NULL, "names the file: %s", tu_last.err);
	free(reg);
}

/* A deleted profile's keys come back with --deleted: each key the profile
 * had (path and last-write time as the timeline gave them before the
 * delete) is a record marked deleted, and only with --deleted. */
Test(cli_timeline, deleted_profile_keys_come_back_with_deleted)
{
	char *hive = tu_stage_built("outlook2016-two-accounts.dat");
	TU_CLI_EXPECT(0, "profile", "copy", "Work", "Old", hive);
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", hive);
	json_t *before = tj_lines(tu_last.out);
	TU_CLI_EXPECT(0, "profile", "delete", "Old", hive);
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", hive);
	json_t *live = tj_lines(tu_last.out);
	TU_CLI_EXPECT(0, "timeline", "--format", "jsonl", "--deleted", hive);
	json_t *with = tj_lines(tu_last.out);
	size_t gone = 0;
	for (size_t i = 0; i < json_array_size(before); i++) {
		json_t *b = json_array_get(before, i);
		if (strcmp(tj_str(b, "profile"), "Old") != 0)
			continue;
		gone++;
		for (size_t j = 0; j < json_array_size(live); j++)
			cr_assert(
			    strcmp(tj_str(json_array_get(live, j), "path"), tj_str(b, "path")) != 0,
			    "deleted key %s on the live timeline", tj_str(b, "path"));
		int found = 0;
		for (size_t j = 0; j < json_array_size(with); j++) {
			json_t *w = json_array_get(with, j);
			if (strcmp(tj_str(w, "path"), tj_str(b, "path")) != 0)
				continue;
			found++;
			cr_assert(json_is_true(json_object_get(w, "deleted")), "%s",
			          tj_str(b, "path"));
			cr_assert_eq(tj_int(w, "last_write_unix"), tj_int(b, "last_write_unix"),
			             "%s", tj_str(b, "path"));
			cr_assert_str_eq(tj_str(w, "profile"), "Old");
			/* A role a live profile's services tell may be lost with them
			 * (see DELETED DATA): "unknown", never a wrong one. */
			if (strcmp(tj_str(w, "role"), "unknown") != 0)
				cr_assert_str_eq(tj_str(w, "role"), tj_str(b, "role"));
		}
		cr_assert_eq(found, 1, "recovered key %s found %d times", tj_str(b, "path"), found);
	}
	cr_assert_gt(gone, 1, "the copied profile has a key and sections");
	/* The live keys are all still there, in both runs, and sorted by time. */
	cr_assert_eq(json_array_size(with), json_array_size(live) + gone);
	for (size_t j = 1; j < json_array_size(with); j++)
		cr_assert_leq(tj_int(json_array_get(with, j - 1), "last_write_unix"),
		              tj_int(json_array_get(with, j), "last_write_unix"));
	/* The text formats mark them too. */
	TU_CLI_EXPECT(0, "timeline", "--format", "tln", "--deleted", hive);
	cr_assert(strstr(tu_last.out, "(deleted; profile: Old") != NULL, "%s", tu_last.out);
	json_decref(before);
	json_decref(live);
	json_decref(with);
	free(hive);
}

Test(cli_timeline, usage_errors_exit_2)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	TU_CLI_EXPECT(2, "timeline");
	TU_CLI_EXPECT(2, "timeline", "--format", "xml", hive);
	cr_assert(strstr(tu_last.err, "--format") != NULL, "%s", tu_last.err);
	TU_CLI_EXPECT(2, "timeline", "--no-such-option", hive);
	TU_CLI_EXPECT(2, "timeline", "--host");
	free(hive);
}

Test(cli_timeline, bad_files_exit_1)
{
	char *bad = tu_tmp_write("junk.dat", "regf but not really", 19);
	char *missing = tu_tmp_path("missing.dat");
	struct tu_snap snap = tu_snap_take(bad);
	TU_CLI_EXPECT(1, "timeline", bad);
	cr_assert(strstr(tu_last.err, bad) != NULL, "%s", tu_last.err);
	TU_CLI_EXPECT(1, "timeline", missing);
	/* One bad file among good ones: the others are still listed. */
	char *good = tu_stage_built("exchange-mapi.dat");
	TU_CLI_EXPECT(1, "timeline", good, missing);
	cr_assert_gt(tu_count_lines(tu_last.out), 0);
	tu_snap_assert_same(&snap, bad);
	free(bad);
	free(missing);
	free(good);
}
