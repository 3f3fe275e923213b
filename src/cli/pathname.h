/* pathname.h - the path-name rules the CLI applies to the paths users give
 * (--output-dir, backup suffixes, names it prints), as functions of the
 * rule set so that Windows' rules are tested on any system;
 * sysfile_paths() is the native set.  The library keeps its own copy of
 * these rules (src/lib/base/pathname.c): the CLI uses only the public API. */
#ifndef MP_CLI_PATHNAME_H
#define MP_CLI_PATHNAME_H

#include <stddef.h>

enum path_rules {
	PATHS_POSIX,  /* '/' separates */
	PATHS_WINDOWS /* '\\' and '/' separate; "C:" drives, "\\\\server\\share" roots */
};

/* 1 when c separates components under rules r. */
int pn_is_sep(enum path_rules r, char c);
/* The length of path's root: "/"; on Windows "C:" or "C:\\", "\\",
 * "\\\\server\\share\\"; 0 for a relative path. */
size_t pn_root_len(enum path_rules r, const char *path);
/* The last component of path (trailing separators ignored): it starts at
 * *start and is *len bytes long; *len is 0 when path is empty or only a
 * root ("/", "C:\\", "C:"). */
void pn_last(enum path_rules r, const char *path, size_t *start, size_t *len);
/* dir (its first dlen bytes) + separator + name, malloc'd: no separator
 * after one that ends dir (a root) or a bare drive ("C:" + "x" is "C:x");
 * on Windows the one dir uses last, as the user gave it, else '\\'. */
char *pn_join(enum path_rules r, const char *dir, size_t dlen, const char *name);
/* 1 when file names a and b name the same file in one directory: on
 * Windows letters match whatever their case (ASCII letters only; NTFS
 * folds others too). */
int pn_same_name(enum path_rules r, const char *a, const char *b);
/* 1 when suffix, appended to a file's name, names a file beside it: not
 * empty, no separator, and on Windows no ':' ("FILE:x" is the stream x of
 * FILE on NTFS, Microsoft Learn "File Streams (Local File Systems)"); what
 * is refused, for messages. */
int pn_suffix_ok(enum path_rules r, const char *suffix);
const char *pn_suffix_banned(enum path_rules r);

#endif
