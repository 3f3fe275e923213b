/* platform.h - everything that differs between POSIX systems and Windows
 * (MinGW) lives behind these calls, in platform.c only. */
#ifndef MP_PLATFORM_H
#define MP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

enum mp_file_kind { MP_FILE_REGULAR, MP_FILE_DIR, MP_FILE_OTHER };

/* Opens path for reading only (no O_CREAT, never truncates; close-on-exec,
 * no controlling tty).  Fails with NOENT/ISDIR/IO; a directory is reported
 * as MAPIPROF_E_ISDIR. */
int mp_open_read(struct mapiprof_ctx *ctx, const char *path, int *fd);
/* Size and kind of an open file. */
int mp_fd_stat(struct mapiprof_ctx *ctx, int fd, uint64_t *size, enum mp_file_kind *kind,
	       int64_t *mtime_ns);
/* Reads exactly len bytes at offset; short files fail with MAPIPROF_E_TRUNCATED. */
int mp_pread_full(struct mapiprof_ctx *ctx, int fd, void *buf, size_t len, uint64_t offset);
int mp_close(int fd);
/* Creates path for writing, exclusively (fails with MAPIPROF_E_IO and
 * errno EEXIST if it exists), mode 0666 & ~umask, close-on-exec. */
int mp_create_excl(struct mapiprof_ctx *ctx, const char *path, int *fd);
/* Writes all len bytes (retrying short writes and EINTR). */
int mp_write_full(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len);
/* Flushes fd's data to stable storage. */
int mp_fsync(struct mapiprof_ctx *ctx, int fd);
/* Names in directory dir (malloc'd array of malloc'd strings, without "."
 * and ".."). */
int mp_dir_list(struct mapiprof_ctx *ctx, const char *dir, char ***names, size_t *n);
/* Directory part of path ("." when none), and the last component; malloc'd. */
char *mp_path_dir(const char *path);
char *mp_path_base(const char *path);
/* Joins dir and name with the platform separator; malloc'd. */
char *mp_path_join(const char *dir, const char *name);

#endif
