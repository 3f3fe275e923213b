/* posix.h - the POSIX.1-2008 calls mapiprof uses that MinGW-w64's C
 * library lacks, for the Windows build only: meson.build puts this file in
 * front of every source file there (-include), and links posix.c. */
#ifndef MP_WIN_POSIX_H
#define MP_WIN_POSIX_H

#include <stddef.h>

char *strndup(const char *s, size_t n);
char *stpcpy(char *dst, const char *src);
/* A new directory (the trailing "XXXXXX" of templ replaced) only this
 * user may use; templ, or NULL with errno. */
char *mkdtemp(char *templ);

#endif
