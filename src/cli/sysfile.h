/* sysfile.h - what the CLI asks of the file system that differs between
 * POSIX and Windows. */
#ifndef MP_CLI_SYSFILE_H
#define MP_CLI_SYSFILE_H

#include "pathname.h"

/* 1 when paths a and b name one existing file: the same device and inode;
 * on Windows, where those are 0, the same volume serial number and file
 * index. */
int sysfile_same(const char *a, const char *b);
/* The path rules of this system (PATHS_WINDOWS on Windows). */
enum path_rules sysfile_paths(void);
/* The directory for temporary files: $TMPDIR when set and not empty, else
 * /tmp; on Windows %TEMP%, then %TMP%, else "." (as the library's). */
const char *sysfile_tmpdir(void);

#endif
