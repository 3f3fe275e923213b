/* sysfile.h - what the CLI asks of the file system that differs between
 * POSIX and Windows. */
#ifndef MP_CLI_SYSFILE_H
#define MP_CLI_SYSFILE_H

/* 1 when paths a and b name one existing file: the same device and inode;
 * on Windows, where those are 0, the same volume serial number and file
 * index. */
int sysfile_same(const char *a, const char *b);
/* 1 for a path separator: '/', and on Windows also '\\'. */
int sysfile_is_sep(char c);

#endif
