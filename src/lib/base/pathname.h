/* pathname.h - the path-name rules of POSIX systems and of Windows, as
 * functions of the rule set, so that either system's rules can be tested
 * on any system; platform.h applies the native set. */
#ifndef MP_PATHNAME_H
#define MP_PATHNAME_H

#include <stddef.h>

enum mp_path_rules {
	MP_PATHS_POSIX,  /* '/' separates */
	MP_PATHS_WINDOWS /* '\\' and '/' separate; "C:" drives, "\\\\server\\share" roots */
};

/* 1 when c separates components under rules r. */
int mp_pn_is_sep(enum mp_path_rules r, char c);
/* The length of path's root: "/" on POSIX; on Windows a drive "C:" (with
 * the separator after it, if any: "C:\\" is the drive's root, "C:" its
 * current directory) or "\\\\server\\share\\" (and "\\\\?\\C:\\").  0 for a
 * relative path. */
size_t mp_pn_root_len(enum mp_path_rules r, const char *path);
/* Directory part of path ("." when none; the root when path is in it)
 * and its last component; malloc'd. */
char *mp_pn_dir(enum mp_path_rules r, const char *path);
char *mp_pn_base(enum mp_path_rules r, const char *path);
/* dir and name joined: no separator after a root that ends in one or after
 * a bare drive ("C:" + "x" is "C:x"); on Windows the separator dir already
 * uses last ("C:/data" stays all '/', as the user gave it), else '\\'.
 * malloc'd. */
char *mp_pn_join(enum mp_path_rules r, const char *dir, const char *name);
/* 1 when path holds a separator. */
int mp_pn_has_sep(enum mp_path_rules r, const char *path);
/* 1 when suffix, appended to a file's name, names a file beside it: not
 * empty, no separator, and on Windows no ':' ("FILE:x" is the stream x of
 * FILE on NTFS, Microsoft Learn "File Streams (Local File Systems)"). */
int mp_pn_suffix_ok(enum mp_path_rules r, const char *suffix);
/* What mp_pn_suffix_ok refuses, for messages: "'/'" or "'/', '\\' or ':'". */
const char *mp_pn_suffix_banned(enum mp_path_rules r);

#endif
