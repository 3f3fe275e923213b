/* test_shipped_text.c - what the project ships stands on its own: sources
 * are cited by their public names (a repository and path, an article's
 * title), never by a short id from a list that does not ship, and no
 * comment or document points at notes outside the tree or tells the
 * project's history instead of what the code does. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <mapiprof/mapiprof.h>

#include "testutil.h"

/* 1 when text holds a label like "S12 " at its start or after "; ": the
 * form of an id of an unshipped source list. */
static int
has_source_id(const char *text)
{
	for (const char *p = text; p != NULL && *p != '\0';) {
		if (p[0] == 'S' && isdigit((unsigned char)p[1])) {
			const char *q = p + 1;
			while (isdigit((unsigned char)*q))
				q++;
			if (*q == ' ' || *q == ')' || *q == ']' || *q == ',' || *q == '\0')
				return 1;
		}
		p = strstr(p, "; ");
		if (p != NULL)
			p += 2;
	}
	return 0;
}

Test(shipped_text, every_table_row_names_its_public_source)
{
	for (size_t i = 0; i < mapiprof_tag_count(); i++) {
		const struct mapiprof_tagdef *t = mapiprof_tag_at(i);
		cr_expect(t->source[0] != '\0', "%s has no source", t->name);
		cr_expect(!has_source_id(t->source), "%s: source \"%s\"", t->name, t->source);
	}
	for (size_t i = 0; i < mapiprof_flag_count(); i++) {
		const struct mapiprof_flagdef *f = mapiprof_flag_at(i);
		cr_expect(f->source[0] != '\0', "%s has no source", f->name);
		cr_expect(!has_source_id(f->source), "%s: source \"%s\"", f->name, f->source);
	}
}

Test(shipped_text, the_id_check_finds_ids)
{
	cr_assert(has_source_id("S5 microsoft/MAPIStubLibrary include/EdkMdb.h"));
	cr_assert(has_source_id("microsoft/mfcmapi UI/profile.cpp; S14 OutlookTrace"));
	cr_assert(!has_source_id("microsoft/MAPIStubLibrary include/EdkMdb.h; jeffpar/kbarchive "
	                         "Q178620; Office PRF \"Section 6\""));
}

/* Words that point outside the tree or tell history; each is split so
 * that this file does not hold what it looks for. */
static const char *const banned[][2] = {
    {"../sha", "red"},         {"shared/do", "cs"},   {"mapi-profile-for", "mat"},
    {"structures", ".md"},     {"reg-and-", "regf"},  {"peers", ".md"},
    {"style-anch", "ors"},     {"later ses", "sion"}, {"the patching is", "sue"},
    {"as the issue as", "ks"},
};

static size_t findings;

static void
scan_file(const char *path)
{
	size_t len;
	char *text = tu_read(path, &len);
	cr_assert_not_null(text, "cannot read %s", path);
	if (memchr(text, '\0', len) != NULL) { /* binary */
		free(text);
		return;
	}
	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
		char word[64];
		snprintf(word, sizeof(word), "%s%s", banned[i][0], banned[i][1]);
		if (strstr(text, word) != NULL) {
			cr_log_error("%s: \"%s\"", path, word);
			findings++;
		}
	}
	/* "issue 3", "issue #3" */
	for (const char *p = text; (p = strstr(p, "issue ")) != NULL; p += 6)
		if (isdigit((unsigned char)p[6]) || (p[6] == '#' && isdigit((unsigned char)p[7]))) {
			cr_log_error("%s: \"%.12s\"", path, p);
			findings++;
		}
	free(text);
}

static void
scan_tree(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s", dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "test_shipped_text.c") == 0)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			scan_tree(path);
		} else if (S_ISREG(st.st_mode) && st.st_size < 4 * 1024 * 1024) {
			const char *dot = strrchr(e->d_name, '.');
			static const char *const text_ext[] = {
			    ".c", ".h", ".py",    ".sh",  ".md",  ".tsv", ".recipe",
			    ".1", ".3", ".build", ".map", ".reg", ".txt"};
			for (size_t i = 0;
			     dot != NULL && i < sizeof(text_ext) / sizeof(text_ext[0]); i++)
				if (strcasecmp(dot, text_ext[i]) == 0)
					scan_file(path);
		}
	}
	closedir(d);
}

Test(shipped_text, no_pointer_outside_the_tree_and_no_history)
{
	static const char *const dirs[] = {"src", "include", "tests", "fuzz", "bench",   "tools",
	                                   "man", "recipes", "data",  "abi",  "fixtures"};
	findings = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", MP_SOURCE_DIR, dirs[i]);
		struct stat st;
		if (stat(path, &st) == 0)
			scan_tree(path);
	}
	scan_file(MP_SOURCE_DIR "/README.md");
	scan_file(MP_SOURCE_DIR "/meson.build");
	scan_file(MP_SOURCE_DIR "/.ci/run");
	cr_assert_eq(findings, 0, "%zu places above", findings);
}
