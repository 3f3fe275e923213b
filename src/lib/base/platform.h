/* platform.h - everything that differs between POSIX systems and Windows
 * (MinGW) lives behind these calls, in platform.c only. */
#ifndef MP_PLATFORM_H
#define MP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

enum mp_file_kind { MP_FILE_REGULAR, MP_FILE_DIR, MP_FILE_OTHER };

/* Opens the regular file at path for reading only (no O_CREAT, never
 * truncates; close-on-exec, no controlling tty), without ever blocking: a
 * FIFO, device or socket fails with MAPIPROF_E_IO "not a regular file", a
 * directory with MAPIPROF_E_ISDIR; also NOENT/IO. */
int mp_open_read(struct mapiprof_ctx *ctx, const char *path, int *fd);
/* Size and kind of an open file. */
int mp_fd_stat(struct mapiprof_ctx *ctx, int fd, uint64_t *size, enum mp_file_kind *kind,
               int64_t *mtime_ns);
/* Reads exactly len bytes at offset; short files fail with MAPIPROF_E_TRUNCATED. */
int mp_pread_full(struct mapiprof_ctx *ctx, int fd, void *buf, size_t len, uint64_t offset);
/* Reads up to len bytes at offset, fewer only at the end of the file
 * (*got says how many; retries short reads and EINTR).  MAPIPROF_E_IO. */
int mp_pread_some(struct mapiprof_ctx *ctx, int fd, void *buf, size_t len, uint64_t offset,
                  size_t *got);
/* A number that changes after each write this process makes into any file
 * through these calls (mp_pwrite_full, mp_write_full, mp_copy_fd,
 * mp_truncate_path), even a failed one: a reader that keeps bytes of a file
 * (base/readcache.h) drops them when it changes. */
uint64_t mp_write_generation(void);
/* 1 when the machine has another CPU online, which a second thread can use
 * (a file's hash beside its decoding, a large .reg file read in halves). */
int mp_second_cpu(void);
/* 1 when the process runs under an address-space limit (RLIMIT_AS), which
 * a second thread's stack and malloc arena would use up. */
int mp_address_space_limited(void);
/* Writes exactly len bytes at offset (retrying short writes and EINTR;
 * the file position is not used).  MAPIPROF_E_IO with errno. */
int mp_pwrite_full(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len, uint64_t offset);
int mp_close(int fd);
/* Creates path for writing, exclusively (fails with MAPIPROF_E_IO and
 * errno EEXIST if it exists), mode 0666 & ~umask, close-on-exec. */
int mp_create_excl(struct mapiprof_ctx *ctx, const char *path, int *fd);
/* Opens the existing regular file at path for reading and writing (never
 * through a final symbolic link, never truncating); with create, creates it
 * (mode 0666 & ~umask) when missing.  Fails as mp_open_read. */
int mp_open_rw(struct mapiprof_ctx *ctx, const char *path, int create, int *fd);
/* Writes all len bytes (retrying short writes and EINTR). */
int mp_write_full(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len);
/* read(2) of at most len bytes from the current position of fd (a pipe, a
 * terminal, standard input), retried on EINTR; *got = 0 at the end.  Fails
 * with MAPIPROF_E_IO. */
int mp_read_some(struct mapiprof_ctx *ctx, int fd, void *buf, size_t len, size_t *got);
/* Flushes fd's data to stable storage (on Darwin through the drive's
 * cache: F_FULLFSYNC). */
int mp_fsync(struct mapiprof_ctx *ctx, int fd);
/* Names in directory dir (malloc'd array of malloc'd strings, without "."
 * and ".."). */
int mp_dir_list(struct mapiprof_ctx *ctx, const char *dir, char ***names, size_t *n);
/* The system's path rules (base/pathname.h, MP_PATHS_WINDOWS on Windows):
 * directory part of path ("." when none; a root such as "/" or "C:\\"
 * kept), and the last component; malloc'd. */
char *mp_path_dir(const char *path);
char *mp_path_base(const char *path);
/* 1 when path holds a separator: '/', and on Windows also '\\'. */
int mp_path_has_sep(const char *path);
/* Joins dir and name with the platform separator (on Windows the one dir
 * already uses); malloc'd. */
char *mp_path_join(const char *dir, const char *name);
/* 1 when suffix may be appended to a file name to name a file beside it
 * (a backup): not empty, no separator, on Windows no ':'; what is refused,
 * for messages ("'/'"). */
int mp_path_suffix_ok(const char *suffix);
const char *mp_path_suffix_banned(void);

/* ---- replacing files (commit.c, regtext/to_hive.c) -------------------------- */

/* 1 where a file mapped into memory cannot be replaced or removed while
 * the mapping lasts (Windows): read files into memory there instead of
 * mapping them, so that the target of a write can be renamed over. */
int mp_mapping_pins_file(void);

/* What commit.c keeps of a file it replaces. */
struct mp_file_attr {
	uint64_t size;
	enum mp_file_kind kind;
	int is_link;      /* the path is a symbolic link (mp_path_attr only) */
	int64_t mtime_ns; /* ns since 1970 */
	uint32_t mode;    /* permission bits (07777) */
	uint32_t uid, gid;
	uint64_t nlink;
	uint64_t dev, ino; /* which file it is */
	int64_t ctime_ns;  /* last status change: any write, rename onto, link */
};

/* 1 when a and b are the same file in the same state: device, inode,
 * size, modification and status-change times (ns). */
int mp_same_identity(const struct mp_file_attr *a, const struct mp_file_attr *b);

/* fstat of an open file.  Fails with MAPIPROF_E_IO. */
int mp_fd_attr(struct mapiprof_ctx *ctx, int fd, struct mp_file_attr *out);
/* lstat of path (a final symbolic link is not followed: is_link is set).
 * *exists = 0 (and MAPIPROF_OK) when there is nothing at path; other
 * failures are MAPIPROF_E_IO. */
int mp_path_attr(struct mapiprof_ctx *ctx, const char *path, struct mp_file_attr *out, int *exists);
/* A fresh candidate name "DIR/.BASE.mapiprof-XXXXXX" (6 random letters and
 * digits; BASE cut short so that the name fits in 255 bytes whenever BASE
 * does) for a temporary file beside BASE; malloc'd, NULL when out of
 * memory.  It is only a name: create it exclusively (mp_temp_create,
 * mp_link). */
char *mp_temp_path(const char *dir, const char *base);
/* Creates a new file mp_temp_path(dir, base) exclusively (O_CREAT|O_EXCL,
 * never through a symbolic link), open read-write and close-on-exec,
 * retrying other names on a collision.  *fd holds a lock on it that tells
 * a live writer's file from a dead one's (mp_temp_stale) until the last
 * descriptor of it is closed (keep an mp_dup while the name exists).  When like is not NULL the
 * file gets like's owner and group where the process may give them (root; otherwise silently kept)
 * and exactly like's permission bits (no umask).  Sets *path (malloc'd) and *fd.  Fails with
 * MAPIPROF_E_IO (errno saved; EACCES for a directory we may not write). */
int mp_temp_create(struct mapiprof_ctx *ctx, const char *dir, const char *base,
                   const struct mp_file_attr *like, char **path, int *fd);
/* 1 when name (a file name, no directory) is one mp_temp_path(dir, base)
 * makes: exactly "." BASE (cut as there) ".mapiprof-" and 6 letters or
 * digits. */
int mp_temp_name_of(const char *name, const char *base);
/* Opens a new unnamed regular file in dir (Linux O_TMPFILE), read-write,
 * mode 0600, close-on-exec, locked as mp_temp_create's; *reopen
 * (malloc'd) is a path that opens the same file again ("/proc/self/fd/N")
 * while *fd is open.  A writer killed before the file is named
 * (mp_link_unnamed) leaves nothing.  Fails with MAPIPROF_E_IO and the
 * errno: mp_temp_unnamed_unsupported says "use a named file instead"
 * (other systems, file systems without O_TMPFILE, no /proc). */
int mp_temp_open_unnamed(struct mapiprof_ctx *ctx, const char *dir, int *fd, char **reopen);
/* 1 for the errnos of mp_temp_open_unnamed that mean "not supported
 * here": EOPNOTSUPP/ENOTSUP (some FUSE and NFS mounts), EISDIR (a kernel
 * older than O_TMPFILE), EINVAL, ENOSYS. */
int mp_temp_unnamed_unsupported(int err);
/* Gives the unnamed file reachable as reopen the name to, which must not
 * exist (errno EEXIST).  MAPIPROF_E_IO with errno. */
int mp_link_unnamed(struct mapiprof_ctx *ctx, const char *reopen, const char *to);
/* Whether the file at path (a temporary file's name, mp_temp_name_of) was
 * left by a writer that is gone: a regular file (not a link) owned by this
 * process's user that no process holds the lock on that mp_temp_create
 * and mp_temp_open_unnamed take and their writer keeps while it runs.
 * *stale = 1 then, and *hold holds that lock (LockFileEx on Windows):
 * remove the file, then close *hold.  Fails (MAPIPROF_E_IO) only when path
 * cannot be examined. */
int mp_temp_stale(struct mapiprof_ctx *ctx, const char *path, int *stale, int *hold);
/* dup(2): a second descriptor of the same open file (and its locks). */
int mp_dup(struct mapiprof_ctx *ctx, int fd, int *out);
/* Makes a new private directory "DIR/PREFIX-XXXXXX"; *path malloc'd. */
int mp_temp_dir(struct mapiprof_ctx *ctx, const char *dir, const char *prefix, char **path);
/* Sees the bytes of a copy on their way (mp_copy_fd): bytes [off, off + len)
 * of the input, in order, in pieces that start at multiples of 4096 bytes;
 * a result other than MAPIPROF_OK (the error in the ctx) stops the copy
 * before those bytes are written, and is the copy's result. */
struct mp_copy_watch {
	int (*see)(void *arg, const uint8_t *p, size_t len, uint64_t off);
	void *arg;
};
/* Copies bytes [0, size) of in to the same offsets of out: a kernel-side
 * copy where the system has one (copy_file_range on Linux; a reflink on
 * file systems that share extents), else, or when the kernel declines
 * (EXDEV, ENOSYS, EINVAL, EOPNOTSUPP), a read/write loop.  With a watch
 * (not NULL), always the read/write loop, each piece shown to it between
 * its read and its write: one read of the input for both.  Writeback of
 * the copy is started as it goes.  File positions are not used.  Fails
 * with MAPIPROF_E_TRUNCATED when in is shorter than size, MAPIPROF_E_IO,
 * MAPIPROF_E_NOMEM, or the watch's error. */
int mp_copy_fd(struct mapiprof_ctx *ctx, int in, int out, uint64_t size,
               const struct mp_copy_watch *watch);
/* Appends bytes [off, off + len) of in at out's file position (which moves
 * past them; in's does not): copy_file_range where the system has it, else
 * (or when the kernel declines, as for mp_copy_fd) read and write.  Fails
 * with MAPIPROF_E_TRUNCATED when in ends before off + len, MAPIPROF_E_IO or
 * MAPIPROF_E_NOMEM. */
int mp_copy_span(struct mapiprof_ctx *ctx, int in, uint64_t off, int out, uint64_t len);
/* Flushes the directory itself (its entries: a rename or a new link in it)
 * to stable storage; a file system that cannot sync a directory (EINVAL)
 * counts as done. */
int mp_fsync_dir(struct mapiprof_ctx *ctx, const char *dir);
/* rename(2): atomically replaces to with from (same file system); on
 * Windows MoveFileEx, replacing and written through.  MAPIPROF_E_IO with
 * errno. */
int mp_rename(struct mapiprof_ctx *ctx, const char *from, const char *to);
/* Makes to a new hard link of from; fails (MAPIPROF_E_IO, errno EEXIST) when
 * to exists, and with errno EPERM, ENOTSUP, EXDEV, EMLINK or ENOSYS where
 * the file system or system has no hard links. */
int mp_link(struct mapiprof_ctx *ctx, const char *from, const char *to);
/* 1 when err (a saved errno from mp_link) means "no hard links here". */
int mp_link_unsupported(int err);
/* fchown and fchmod of an open file: 0, or the errno (nothing recorded;
 * the caller decides whether the file system merely cannot keep it). */
int mp_fchown(int fd, uint32_t uid, uint32_t gid);
int mp_fchmod(int fd, uint32_t mode);
/* 1 when err (from mp_fchown or mp_fchmod) means the file system or the
 * process cannot set that attribute here (not a failure of the file):
 * EPERM (not root; vfat), ENOTSUP/EOPNOTSUPP (FUSE mounts such as
 * wimmountrw without --unix-data), EINVAL (CIFS), ENOSYS. */
int mp_attr_unsupported(int err);
/* Truncates the existing regular file at path to 0 bytes (never creates
 * it, never through a final symbolic link) and flushes it to stable
 * storage.  MAPIPROF_E_IO with errno. */
int mp_truncate_path(struct mapiprof_ctx *ctx, const char *path);
/* The directory for private temporary files: $TMPDIR when set and not
 * empty, else /tmp (on Windows %TEMP%, then %TMP%, else "."). */
const char *mp_tmpdir(void);
/* Removes a file / an empty directory; ctx may be NULL (cleanup paths). */
int mp_unlink(struct mapiprof_ctx *ctx, const char *path);
int mp_rmdir(struct mapiprof_ctx *ctx, const char *path);

/* Opens the regular file at path and takes an exclusive advisory lock on
 * it (flock; LockFileEx on Windows), waiting up to wait_ms while another
 * process holds one, and again on the new file when the one at path was
 * replaced meanwhile.  *fd holds the lock until closed.  Fails with
 * MAPIPROF_E_BUSY when the wait runs out, or as mp_open_read.  Only
 * programs that lock too are kept out (Windows itself does not). */
int mp_lock_path(struct mapiprof_ctx *ctx, const char *path, unsigned wait_ms, int *fd);

/* A read-only view of bytes [0, len) of a regular file: mapped where the
 * system can (mmap), else read into memory.  The file must not be truncated
 * while the view lives (a mapped page past the new end faults, as it does
 * for every reader that maps files, hivex included). */
struct mp_map {
	const uint8_t *p;
	size_t len;
	void *base;        /* what mp_unmap releases (NULL: nothing) */
	int mapped;        /* 1: p is a mapping of the file, 0: a private copy */
	uint64_t dev, ino; /* the file mapped (when mapped) */
};
/* Maps bytes [0, len) of fd (len: its size as the caller stat'ed it). */
int mp_map_fd(struct mapiprof_ctx *ctx, int fd, size_t len, struct mp_map *m);
/* Lets the system reclaim the pages holding bytes [off, off + len) that
 * the process holds (they are read again from the file when touched):
 * keeps a scan of a large file from holding all of it. */
void mp_map_drop(const struct mp_map *m, size_t off, size_t len);
/* Maps in the pages holding bytes [off, off + len) ahead of a scan, in
 * one call rather than a page fault every few pages (Linux; a hint,
 * nothing elsewhere). */
void mp_map_populate(const struct mp_map *m, size_t off, size_t len);
void mp_unmap(struct mp_map *m);
/* Starts writing bytes [off, off + len) of fd to stable storage without
 * waiting (Linux sync_file_range; nothing elsewhere), so that the fsync at
 * the end of a long write finds little left to do. */
void mp_write_behind(int fd, uint64_t off, uint64_t len);

#endif
