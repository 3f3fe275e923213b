/* winpath.h - moving a Windows path from under one folder to another: the
 * folder compared by whole '\'-separated components, case-insensitively as
 * the registry compares names (mp_name_casecmp), on UTF-8 text. */
#ifndef MP_WINPATH_H
#define MP_WINPATH_H

#include <stddef.h>

/* from and to without their trailing '\' characters (at least one
 * character kept): "C:\Data\" and "C:\Data" name the same folder.  Returns
 * the length to use of s. */
size_t mp_winpath_trim(const char *s);

/* When path is from[0..from_len) or lies below it (whole components,
 * case-insensitively), sets *out to to[0..to_len) followed by the rest of
 * path (malloc'd) and returns 1; returns 0 when it does not, -1 when out of
 * memory.  The rest keeps path's spelling byte for byte. */
int mp_winpath_move(const char *path, const char *from, size_t from_len, const char *to,
                    size_t to_len, char **out);

#endif
