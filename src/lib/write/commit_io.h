/* commit_io.h - every step of a write that touches the disk, as a table of
 * functions: the writer (commit.c), the installer (install.c), recoveries
 * (recover.c) and saves (save.c) all go through it, and tests replace
 * entries to prove that a failure at any step leaves the original
 * byte-identical and no temporary file behind. */
#ifndef MP_COMMIT_IO_H
#define MP_COMMIT_IO_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "base/platform.h"
#include "store/changes.h"
#include "store/store.h"

/* Every step of a commit that touches the disk, each returning MAPIPROF_OK
 * or MAPIPROF_FAILED with the error in ctx (or in s->ctx). */
struct mp_commit_io {
	/* Copies bytes [0, size) of in to out, each piece shown to watch
	 * when not NULL (default mp_copy_fd). */
	int (*copy)(struct mapiprof_ctx *ctx, int in, int out, uint64_t size,
	            const struct mp_copy_watch *watch);
	/* The in-place patch of the copy on fd (default mp_regf_patch);
	 * *done = 0 declines, and commit.c then rewrites with hivex. */
	int (*patch)(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys,
	             size_t nkeys, int *done);
	/* Writes the hivex store to path (default s->ops->write_to). */
	int (*write_hive)(struct mp_store *s, const char *path);
	/* Writes the patched text of a .reg file to fd (default
	 * mp_write_full). */
	int (*write)(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len);
	/* Appends bytes [off, off + len) of in (the .reg input) to the .reg
	 * text being written to out (default mp_copy_span). */
	int (*copy_span)(struct mapiprof_ctx *ctx, int in, uint64_t off, int out, uint64_t len);
	/* Flushes a written file (the temporary file, a copied backup). */
	int (*fsync)(struct mapiprof_ctx *ctx, int fd);
	/* An unnamed temporary file in dir (default mp_temp_open_unnamed):
	 * failing with an errno mp_temp_unnamed_unsupported accepts makes
	 * install.c create a named one instead. */
	int (*open_unnamed)(struct mapiprof_ctx *ctx, const char *dir, int *fd, char **reopen);
	/* Names the finished unnamed file just before the rename (default
	 * mp_link_unnamed). */
	int (*link_unnamed)(struct mapiprof_ctx *ctx, const char *reopen, const char *to);
	/* Removes a dead writer's temporary file (default mp_unlink). */
	int (*remove)(struct mapiprof_ctx *ctx, const char *path);
	/* Hard link of the target kept as the backup (default mp_link). */
	int (*link)(struct mapiprof_ctx *ctx, const char *from, const char *to);
	/* The backup into place, then the new file over the target. */
	int (*rename)(struct mapiprof_ctx *ctx, const char *from, const char *to);
	/* Flushes the target's directory after the rename. */
	int (*fsync_dir)(struct mapiprof_ctx *ctx, const char *dir);
	/* Resets a transaction log after a recovery was written (default
	 * mp_truncate_path; install.h). */
	int (*reset)(struct mapiprof_ctx *ctx, const char *path);
	/* Give a new file the owner and permission bits of the one it
	 * replaces (default mp_fchown, mp_fchmod): 0 or an errno. */
	int (*chown)(int fd, uint32_t uid, uint32_t gid);
	int (*chmod)(int fd, uint32_t mode);
	/* A journaled in-place write (inplace.c): the log, then the hive's
	 * base block and pages, at an offset (default mp_pwrite_full). */
	int (*pwrite)(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len, uint64_t off);
};

/* For tests only (not thread-safe): every non-NULL member of io replaces
 * that step from now on, NULL members keep the default; io == NULL restores
 * every default.  The table is copied. */
void mp_commit_set_io(const struct mp_commit_io *io);
/* The default steps, for a test hook that fails only sometimes and calls
 * through otherwise. */
const struct mp_commit_io *mp_commit_default_io(void);
/* The table in use: the test table when one is set, else the defaults
 * (install.c, recover.c and save.c go through it too). */
const struct mp_commit_io *mp_commit_io_current(void);

#endif
