/* test_path_rules.c - the path-name rules of POSIX systems and of Windows,
 * checked on any system through the functions that take the rule set: the
 * library's (base/pathname.c) and the CLI's (src/cli/pathname.c), against
 * one table, so the two copies cannot drift apart. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cli/pathname.h"
#include "base/pathname.h"

struct split {
	const char *path, *dir, *base;
};

static const struct split posix_splits[] = {
    {"a/b", "a", "b"},
    {"a", ".", "a"},
    {"/a", "/", "a"},
    {"/", "/", "/"},
    {"a//b//", "a", "b"},
    {"/x/y/NTUSER.DAT", "/x/y", "NTUSER.DAT"},
    /* '\\' and ':' are ordinary name characters. */
    {"a\\b", ".", "a\\b"},
    {"C:x", ".", "C:x"},
};

static const struct split windows_splits[] = {
    {"a\\b", "a", "b"},
    {"a/b", "a", "b"},
    {"a", ".", "a"},
    {"C:\\x", "C:\\", "x"},
    {"C:x", "C:", "x"},
    {"C:/x/y", "C:/x", "y"},
    {"C:\\Users\\bob\\NTUSER.DAT", "C:\\Users\\bob", "NTUSER.DAT"},
    {"C:\\", "C:\\", "C:\\"},
    {"\\x", "\\", "x"},
    {"\\\\srv\\share\\h.dat", "\\\\srv\\share\\", "h.dat"},
    {"\\\\srv\\share\\d\\h.dat", "\\\\srv\\share\\d", "h.dat"},
    {"\\\\?\\C:\\h.dat", "\\\\?\\C:\\", "h.dat"},
    {"d\\\\h.dat\\\\", "d", "h.dat"},
};

static void
check_splits(enum mp_path_rules lr, enum path_rules cr, const struct split *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *d = mp_pn_dir(lr, t[i].path), *b = mp_pn_base(lr, t[i].path);
		cr_assert_str_eq(d, t[i].dir, "dir of %s", t[i].path);
		cr_assert_str_eq(b, t[i].base, "base of %s", t[i].path);
		/* The CLI's last component: the base, or nothing for a root. */
		size_t start, len;
		pn_last(cr, t[i].path, &start, &len);
		int root_only =
		    strcmp(t[i].path, t[i].base) == 0 && strcmp(t[i].dir, t[i].base) == 0;
		if (root_only)
			cr_assert_eq(len, 0, "%s is only a root", t[i].path);
		else
			cr_assert(len == strlen(b) && strncmp(t[i].path + start, b, len) == 0,
			          "CLI's last component of %s: %.*s", t[i].path, (int)len,
			          t[i].path + start);
		free(d), free(b);
	}
}

Test(path_rules, posix_splits_on_slash_only)
{
	check_splits(MP_PATHS_POSIX, PATHS_POSIX, posix_splits,
	             sizeof(posix_splits) / sizeof(posix_splits[0]));
}

Test(path_rules, windows_splits_on_both_separators_and_keeps_drives_and_shares)
{
	check_splits(MP_PATHS_WINDOWS, PATHS_WINDOWS, windows_splits,
	             sizeof(windows_splits) / sizeof(windows_splits[0]));
}

struct join {
	const char *dir, *name, *want;
};

static const struct join posix_joins[] = {
    {"d", "x", "d/x"},   {"d/", "x", "d/x"},      {"/", "x", "/x"},
    {"C:", "x", "C:/x"}, {"a\\b", "x", "a\\b/x"},
};

/* Paths as the user gave them: the separator the directory uses last,
 * '\\' when it has none; nothing after a root or a bare drive. */
static const struct join windows_joins[] = {
    {"d", "x", "d\\x"},
    {"C:\\data", "x", "C:\\data\\x"},
    {"C:/data", "x", "C:/data/x"},
    {"C:/data\\in", "x", "C:/data\\in\\x"},
    {"C:\\data/in", "x", "C:\\data/in/x"},
    {"C:", "x", "C:x"},
    {"C:\\", "x", "C:\\x"},
    {"\\\\srv\\share\\", "x", "\\\\srv\\share\\x"},
};

static void
check_joins(enum mp_path_rules lr, enum path_rules cr, const struct join *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *l = mp_pn_join(lr, t[i].dir, t[i].name);
		char *c = pn_join(cr, t[i].dir, strlen(t[i].dir), t[i].name);
		cr_assert_str_eq(l, t[i].want, "library: %s + %s", t[i].dir, t[i].name);
		cr_assert_str_eq(c, t[i].want, "CLI: %s + %s", t[i].dir, t[i].name);
		free(l), free(c);
	}
}

Test(path_rules, posix_joins_with_slash)
{
	check_joins(MP_PATHS_POSIX, PATHS_POSIX, posix_joins,
	            sizeof(posix_joins) / sizeof(posix_joins[0]));
}

Test(path_rules, windows_joins_with_the_separator_the_user_gave)
{
	check_joins(MP_PATHS_WINDOWS, PATHS_WINDOWS, windows_joins,
	            sizeof(windows_joins) / sizeof(windows_joins[0]));
}

Test(path_rules, a_backup_suffix_must_name_a_file_beside_the_original)
{
	static const struct {
		const char *suffix;
		int posix, windows;
	} t[] = {
	    {".bak", 1, 1}, {"~", 1, 1},    {"", 0, 0},       {"a/b", 0, 0},
	    {"a\\b", 1, 0}, {":bak", 1, 0}, {".bak:x", 1, 0},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cr_assert_eq(mp_pn_suffix_ok(MP_PATHS_POSIX, t[i].suffix), t[i].posix, "%s",
		             t[i].suffix);
		cr_assert_eq(pn_suffix_ok(PATHS_POSIX, t[i].suffix), t[i].posix, "%s", t[i].suffix);
		cr_assert_eq(mp_pn_suffix_ok(MP_PATHS_WINDOWS, t[i].suffix), t[i].windows, "%s",
		             t[i].suffix);
		cr_assert_eq(pn_suffix_ok(PATHS_WINDOWS, t[i].suffix), t[i].windows, "%s",
		             t[i].suffix);
	}
	cr_assert_str_eq(mp_pn_suffix_banned(MP_PATHS_WINDOWS), pn_suffix_banned(PATHS_WINDOWS));
	cr_assert_str_eq(mp_pn_suffix_banned(MP_PATHS_POSIX), "'/'");
	cr_assert_str_eq(pn_suffix_banned(PATHS_POSIX), "'/'");
}

Test(path_rules, windows_names_in_one_directory_match_whatever_their_case)
{
	cr_assert(pn_same_name(PATHS_WINDOWS, "NTUSER.DAT", "ntuser.dat"));
	cr_assert(!pn_same_name(PATHS_WINDOWS, "NTUSER.DAT", "ntuser.da"));
	cr_assert(!pn_same_name(PATHS_WINDOWS, "a.dat", "b.dat"));
	cr_assert(!pn_same_name(PATHS_POSIX, "NTUSER.DAT", "ntuser.dat"));
	cr_assert(pn_same_name(PATHS_POSIX, "NTUSER.DAT", "NTUSER.DAT"));
}
