/* platform.c - file access and path helpers for POSIX systems (and the few
 * trivial differences of Windows/MinGW); the only file with platform
 * conditionals (as hivex's lib/mmap.c and libarchive's tar/bsdtar_windows.c
 * isolate theirs). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#ifdef _WIN32
#include <direct.h>
#include <io.h>
#include <windows.h>
#else
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#endif
#include <time.h>
#include <unistd.h>

#include "base/pathname.h"
#include "base/platform.h"

#ifdef _WIN32
#define OPEN_FLAGS   (O_RDONLY | O_BINARY)
#define CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_BINARY)
#define TEMP_FLAGS   (O_RDWR | O_CREAT | O_EXCL | O_BINARY)
#define NATIVE_PATHS MP_PATHS_WINDOWS
#else
/* O_NONBLOCK: opening a FIFO for reading blocks until a writer comes
 * (POSIX open(), O_NONBLOCK); a hostile directory could stall a batch.
 * Only regular files and directories are kept (mp_open_read). */
#define OPEN_FLAGS   (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
#define CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY)
/* O_EXCL already refuses a final symbolic link; O_NOFOLLOW says so twice. */
#define TEMP_FLAGS   (O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW)
#define NATIVE_PATHS MP_PATHS_POSIX
#endif

#if defined(__linux__)
/* glibc (>= 2.27) and musl (>= 1.1.20) declare copy_file_range(2) only
 * under _GNU_SOURCE, which the project does not define (POSIX.1-2008 only);
 * declared weak here so that an older C library still links, and the copy
 * falls back to read/write when the symbol is absent. */
extern ssize_t copy_file_range(int fd_in, off_t *off_in, int fd_out, off_t *off_out, size_t len,
                               unsigned int flags) __attribute__((weak));
#define HAVE_COPY_FILE_RANGE 1
/* Starts writeback of a byte range without waiting (Linux); declared here
 * for the same reason as copy_file_range, weak for the same reason. */
extern int sync_file_range(int fd, off_t offset, off_t nbytes, unsigned int flags)
    __attribute__((weak));
#define MP_SYNC_FILE_RANGE_WRITE 2u
#endif
#if defined(__linux__) && !defined(__alpha__)
/* Drops pages of a mapping (madvise(2) MADV_DONTNEED; glibc ignores
 * POSIX_MADV_DONTNEED): declared here, as the project defines no
 * _DEFAULT_SOURCE; the value is the kernel's (asm-generic/mman-common.h),
 * alpha's own differs. */
extern int madvise(void *addr, size_t len, int advice);
#define MP_MADV_DONTNEED 4
/* Maps a range's pages in one call instead of a fault per few pages
 * (MADV_POPULATE_READ, Linux 5.14; older kernels refuse it: EINVAL). */
#define MP_MADV_POPULATE_READ 22
#endif
#if defined(__linux__) && !defined(__alpha__) && !defined(__hppa__) && !defined(__sparc__)
/* An unnamed file in a directory, given a name only when it is complete
 * (open(2) O_TMPFILE, Linux 3.11): a writer killed before that leaves
 * nothing behind.  glibc and musl define O_TMPFILE only under _GNU_SOURCE,
 * which the project does not define (POSIX.1-2008 only), so the value is
 * the kernel's (include/uapi/asm-generic/fcntl.h: __O_TMPFILE 020000000,
 * always with O_DIRECTORY), used by every Linux architecture except alpha,
 * parisc and sparc, which have their own and take the named path. */
#define MP_O_TMPFILE (020000000 | O_DIRECTORY)
#endif
/* The modification and status-change times of a struct stat, in ns.
 * POSIX.1-2008 names them st_mtim and st_ctim; Darwin st_mtimespec and
 * st_ctimespec (<sys/stat.h>); Windows (MinGW) keeps whole seconds. */
#if defined(_WIN32)
#define ST_MTIME_NS(st) ((int64_t)(st)->st_mtime * 1000000000)
#define ST_CTIME_NS(st) ((int64_t)(st)->st_ctime * 1000000000)
#elif defined(__APPLE__)
#define ST_MTIME_NS(st)                                                                            \
	((int64_t)(st)->st_mtimespec.tv_sec * 1000000000 + (st)->st_mtimespec.tv_nsec)
#define ST_CTIME_NS(st)                                                                            \
	((int64_t)(st)->st_ctimespec.tv_sec * 1000000000 + (st)->st_ctimespec.tv_nsec)
#else
#define ST_MTIME_NS(st) ((int64_t)(st)->st_mtim.tv_sec * 1000000000 + (st)->st_mtim.tv_nsec)
#define ST_CTIME_NS(st) ((int64_t)(st)->st_ctim.tv_sec * 1000000000 + (st)->st_ctim.tv_nsec)
#endif

/* The kernel-side copy goes this many bytes at a time, and each piece is
 * handed to writeback at once, so the device writes while the next piece
 * is copied and the caller's fsync finds little left to do. */
#define COPY_KERNEL_CHUNK (8u * 1024u * 1024u)

/* Entries returned by mp_dir_list at most (a hive's directory holds a few
 * files; this only bounds memory on a huge directory). */
#define DIR_MAX_ENTRIES 100000u

#ifdef _WIN32
/* Bytes per read or write call at most: Windows' _read and _write take an
 * unsigned int, ReadFile and WriteFile a DWORD (the loops do the rest). */
#define WIN_IO_MAX (1024u * 1024u * 1024u)
/* The count of a read or write call. */
#define IO_COUNT(n) ((unsigned)((n) > WIN_IO_MAX ? WIN_IO_MAX : (n)))
#else
#define IO_COUNT(n) (n)
#endif

#ifdef _WIN32
/* Windows has no pread/pwrite: ReadFile/WriteFile with the offset in an
 * OVERLAPPED on a synchronous handle read and write there (Microsoft
 * Learn, "ReadFile", "WriteFile": synchronous handle with lpOverlapped). */

static ssize_t
positional_io(int fd, void *buf, size_t len, uint64_t at, int write)
{
	HANDLE h = (HANDLE)_get_osfhandle(fd);
	OVERLAPPED ov = {0};
	DWORD n = 0, want = (DWORD)(len > WIN_IO_MAX ? WIN_IO_MAX : len);
	ov.Offset = (DWORD)(at & 0xFFFFFFFFu);
	ov.OffsetHigh = (DWORD)(at >> 32);
	BOOL ok = write ? WriteFile(h, buf, want, &n, &ov) : ReadFile(h, buf, want, &n, &ov);
	if (!ok) {
		if (!write && GetLastError() == ERROR_HANDLE_EOF)
			return 0;
		errno = EIO;
		return -1;
	}
	return (ssize_t)n;
}

static ssize_t
positional_read(int fd, void *buf, size_t len, uint64_t at)
{
	return positional_io(fd, buf, len, at, 0);
}

static ssize_t
positional_write(int fd, const void *buf, size_t len, uint64_t at)
{
	return positional_io(fd, (void *)buf, len, at, 1);
}
#else
static ssize_t
positional_read(int fd, void *buf, size_t len, uint64_t at)
{
	return pread(fd, buf, len, (off_t)at);
}

static ssize_t
positional_write(int fd, const void *buf, size_t len, uint64_t at)
{
	return pwrite(fd, buf, len, (off_t)at);
}
#endif

#ifdef _WIN32
/* errno for a Windows error code of a file operation. */
static int
win_errno(DWORD err)
{
	switch (err) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
		return ENOENT;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
	case ERROR_LOCK_VIOLATION:
		return EACCES;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS:
		return EEXIST;
	case ERROR_NOT_SAME_DEVICE:
		return EXDEV;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return ENOSPC;
	case ERROR_WRITE_PROTECT:
		return EROFS;
	default:
		return EIO;
	}
}
#endif

#ifdef _WIN32
/* open(2) for Windows through CreateFileA (UTF-8 paths: the program's code
 * page, src/cli/mapiprof.manifest), shared for reading, writing and
 * deleting: the C library's open() does not share deletion, and a file
 * open without it cannot be replaced by MoveFileEx (mp_rename) nor
 * removed while open, as a POSIX file can (Microsoft Learn,
 * "CreateFileA": dwShareMode).  flags: O_RDONLY/O_WRONLY/O_RDWR, O_CREAT,
 * O_EXCL; mode is ignored (the folder's ACL decides). */
static int
sys_open(const char *path, int flags, int mode)
{
	(void)mode;
	int acc = flags & (O_RDONLY | O_WRONLY | O_RDWR);
	DWORD access = acc == O_WRONLY ? GENERIC_WRITE
	               : acc == O_RDWR ? GENERIC_READ | GENERIC_WRITE
	                               : GENERIC_READ;
	DWORD how = (flags & O_CREAT) == 0  ? OPEN_EXISTING
	            : (flags & O_EXCL) != 0 ? CREATE_NEW
	                                    : OPEN_ALWAYS;
	HANDLE h = CreateFileA(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
	                       NULL, how, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		errno = win_errno(GetLastError());
		return -1;
	}
	int fd = _open_osfhandle((intptr_t)h, O_BINARY | (acc == O_RDONLY ? O_RDONLY : 0));
	if (fd < 0) {
		CloseHandle(h);
		errno = EMFILE;
	}
	return fd;
}
#else
#define sys_open open
#endif

/* The errno of a failed open of path, as POSIX gives it: Windows' open()
 * of a directory fails with EACCES (a directory has no file data to open),
 * POSIX's with EISDIR (read-only: it succeeds, mp_open_read checks). */
static int
open_errno(const char *path, int err)
{
#ifdef _WIN32
	DWORD a = GetFileAttributesA(path);
	if (err == EACCES && a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY) != 0)
		return EISDIR;
#else
	(void)path;
#endif
	return err;
}

int
mp_open_read(struct mapiprof_ctx *ctx, const char *path, int *fd)
{
	*fd = -1;
	int f = sys_open(path, OPEN_FLAGS, 0);
	if (f < 0) {
		int err = open_errno(path, errno);
		if (err == EISDIR)
			mp_seterr(ctx, MAPIPROF_E_ISDIR, "is a directory");
		else if (err == ENOENT)
			mp_seterr(ctx, MAPIPROF_E_NOENT, "no such file");
		else
			mp_seterr_errno(ctx, err, "cannot open");
		mp_seterr_file(ctx, path);
		return MAPIPROF_FAILED;
	}
	/* open(O_RDONLY) succeeds on a directory on POSIX: check explicitly. */
	struct stat st;
	if (fstat(f, &st) != 0) {
		mp_seterr_errno(ctx, errno, "cannot stat");
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		mp_seterr(ctx, MAPIPROF_E_ISDIR, "is a directory");
		goto fail;
	}
	/* A FIFO, socket or device: its reads may block or never end. */
	if (!S_ISREG(st.st_mode)) {
		mp_seterr(ctx, MAPIPROF_E_IO, "not a regular file (a FIFO, device or socket)");
		goto fail;
	}
#ifndef _WIN32
	int fl = fcntl(f, F_GETFL);
	if (fl < 0 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		mp_seterr_errno(ctx, errno, "cannot open");
		goto fail;
	}
#endif
	*fd = f;
	return MAPIPROF_OK;
fail:
	close(f);
	mp_seterr_file(ctx, path);
	return MAPIPROF_FAILED;
}

int
mp_fd_stat(struct mapiprof_ctx *ctx, int fd, uint64_t *size, enum mp_file_kind *kind,
           int64_t *mtime_ns)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		mp_seterr_errno(ctx, errno, "cannot stat");
		return MAPIPROF_FAILED;
	}
	if (size != NULL)
		*size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
	if (kind != NULL)
		*kind = S_ISREG(st.st_mode)   ? MP_FILE_REGULAR
		        : S_ISDIR(st.st_mode) ? MP_FILE_DIR
		                              : MP_FILE_OTHER;
	if (mtime_ns != NULL)
		*mtime_ns = ST_MTIME_NS(&st);
	return MAPIPROF_OK;
}

/* Bumped after every write this process makes into a file (wrote()). */
static _Atomic uint64_t write_generation;

int
mp_second_cpu(void)
{
#ifdef _SC_NPROCESSORS_ONLN
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
#else
	return 0;
#endif
}

int
mp_address_space_limited(void)
{
#if defined(RLIMIT_AS) && !defined(_WIN32)
	struct rlimit rl;
	return getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
#else
	return 0;
#endif
}

uint64_t
mp_write_generation(void)
{
	return atomic_load(&write_generation);
}

/* Called once a write call is over, whether it succeeded or not (part of
 * it may have reached the file): bytes read before are now suspect. */
static void
wrote(void)
{
	atomic_fetch_add(&write_generation, 1u);
}

int
mp_pread_some(struct mapiprof_ctx *ctx, int fd, void *buf, size_t len, uint64_t offset, size_t *got)
{
	unsigned char *p = buf;
	*got = 0;
	while (*got < len) {
		uint64_t at = offset + *got;
		if (at > (uint64_t)INT64_MAX || at < offset) {
			mp_seterr(ctx, MAPIPROF_E_INVALID, "offset %llu out of range",
			          (unsigned long long)at);
			return MAPIPROF_FAILED;
		}
		ssize_t r = positional_read(fd, p + *got, len - *got, at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			mp_seterr_errno(ctx, errno, "cannot read %zu bytes at offset %llu",
			                len - *got, (unsigned long long)at);
			return MAPIPROF_FAILED;
		}
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return MAPIPROF_OK;
}

int
mp_pread_full(struct mapiprof_ctx *ctx, int fd, void *buf, size_t len, uint64_t offset)
{
	unsigned char *p = buf;
	size_t done = 0;
	while (done < len) {
		uint64_t at = offset + done;
		if (at > (uint64_t)INT64_MAX || at < offset) {
			mp_seterr(ctx, MAPIPROF_E_INVALID, "offset %llu out of range",
			          (unsigned long long)at);
			return MAPIPROF_FAILED;
		}
		ssize_t r = positional_read(fd, p + done, len - done, at);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			mp_seterr_errno(ctx, errno, "cannot read %zu bytes at offset %llu",
			                len - done, (unsigned long long)at);
			return MAPIPROF_FAILED;
		}
		if (r == 0) {
			mp_seterr(ctx, MAPIPROF_E_TRUNCATED,
			          "file ends at byte %llu, expected %zu bytes at offset %llu",
			          (unsigned long long)at, len, (unsigned long long)offset);
			return MAPIPROF_FAILED;
		}
		done += (size_t)r;
	}
	return MAPIPROF_OK;
}

static int
pwrite_all(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len, uint64_t offset)
{
	const unsigned char *p = buf;
	for (size_t done = 0; done < len;) {
		uint64_t at = offset + done;
		if (at > (uint64_t)INT64_MAX || at < offset) {
			mp_seterr(ctx, MAPIPROF_E_INVALID, "offset %llu out of range",
			          (unsigned long long)at);
			return MAPIPROF_FAILED;
		}
		ssize_t w = positional_write(fd, p + done, len - done, at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			mp_seterr_errno(ctx, w < 0 ? errno : EIO,
			                "cannot write %zu bytes at offset %llu", len - done,
			                (unsigned long long)at);
			return MAPIPROF_FAILED;
		}
		done += (size_t)w;
	}
	return MAPIPROF_OK;
}

int
mp_pwrite_full(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len, uint64_t offset)
{
	int rc = pwrite_all(ctx, fd, buf, len, offset);
	wrote();
	return rc;
}

int
mp_close(int fd)
{
	return fd >= 0 ? close(fd) : 0;
}

int
mp_create_excl(struct mapiprof_ctx *ctx, const char *path, int *fd)
{
	*fd = sys_open(path, CREATE_FLAGS, 0666);
	if (*fd < 0) {
		mp_seterr_errno(ctx, errno, "cannot create");
		mp_seterr_file(ctx, path);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mp_open_rw(struct mapiprof_ctx *ctx, const char *path, int create, int *fd)
{
#ifdef _WIN32
	int flags = O_RDWR | O_BINARY;
#else
	int flags = O_RDWR | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK;
#endif
	*fd = open(path, flags | (create ? O_CREAT : 0), 0666);
	struct stat st;
	if (*fd >= 0 && fstat(*fd, &st) == 0 && S_ISREG(st.st_mode))
		return MAPIPROF_OK;
	if (*fd < 0)
		mp_seterr_errno(ctx, errno, "cannot open for writing");
	else
		mp_seterr(ctx, MAPIPROF_E_IO, "not a regular file");
	mp_close(*fd);
	*fd = -1;
	mp_seterr_file(ctx, path);
	return MAPIPROF_FAILED;
}

int
mp_read_some(struct mapiprof_ctx *ctx, int fd, void *buf, size_t len, size_t *got)
{
	*got = 0;
	for (;;) {
		ssize_t n = read(fd, buf, IO_COUNT(len));
		if (n >= 0) {
			*got = (size_t)n;
			return MAPIPROF_OK;
		}
		if (errno != EINTR) {
			mp_seterr_errno(ctx, errno, "read failed");
			return MAPIPROF_FAILED;
		}
	}
}

static int
write_all(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, p + done, IO_COUNT(len - done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			mp_seterr_errno(ctx, w < 0 ? errno : EIO, "cannot write %zu bytes",
			                len - done);
			return MAPIPROF_FAILED;
		}
		done += (size_t)w;
	}
	return MAPIPROF_OK;
}

int
mp_write_full(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	int rc = write_all(ctx, fd, buf, len);
	wrote();
	return rc;
}

/* Flushes fd to stable storage: 0, or -1 with errno.  Darwin's fsync(2)
 * only hands the data to the drive, whose cache may still lose it;
 * fcntl F_FULLFSYNC also flushes that cache (Apple's fsync(2) and fcntl(2)
 * man pages), and where the file system does not support it (ENOTSUP,
 * EINVAL: network and FUSE file systems) plain fsync is the best there is.
 * Windows: _commit (FlushFileBuffers). */
static int
sync_fd(int fd)
{
#if defined(_WIN32)
	return _commit(fd);
#elif defined(__APPLE__) && defined(F_FULLFSYNC)
	if (fcntl(fd, F_FULLFSYNC) == 0)
		return 0;
	if (errno != ENOTSUP && errno != EINVAL && errno != ENOTTY)
		return -1;
	return fsync(fd);
#else
	return fsync(fd);
#endif
}

int
mp_fsync(struct mapiprof_ctx *ctx, int fd)
{
	int r = sync_fd(fd);
	if (r != 0) {
		mp_seterr_errno(ctx, errno, "cannot sync to disk");
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Appends a copy of name to *names (grown by doubling). */
static int
push_name(char ***names, size_t *n, size_t *cap, const char *name)
{
	if (*n == *cap) {
		size_t ncap = *cap != 0 ? *cap * 2 : 16;
		char **p = realloc(*names, ncap * sizeof(*p));
		if (p == NULL)
			return -1;
		*names = p;
		*cap = ncap;
	}
	if (((*names)[*n] = strdup(name)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

int
mp_dir_list(struct mapiprof_ctx *ctx, const char *dir, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (d == NULL) {
		mp_seterr_errno(ctx, errno, "cannot list directory '%s'", dir);
		return MAPIPROF_FAILED;
	}
	char **list = NULL;
	size_t count = 0, cap = 0;
	int rc = MAPIPROF_OK;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (count >= DIR_MAX_ENTRIES) {
			mp_seterr(ctx, MAPIPROF_E_LIMIT, "directory '%s' has over %u entries", dir,
			          DIR_MAX_ENTRIES);
			rc = MAPIPROF_FAILED;
			goto out;
		}
		if (push_name(&list, &count, &cap, e->d_name) != 0) {
			rc = mp_nomem(ctx);
			goto out;
		}
		errno = 0;
	}
	if (errno != 0) {
		mp_seterr_errno(ctx, errno, "cannot list directory '%s'", dir);
		rc = MAPIPROF_FAILED;
	}
out:
	closedir(d);
	if (rc != MAPIPROF_OK) {
		free_names(list, count);
		return rc;
	}
	*names = list;
	*n = count;
	return MAPIPROF_OK;
}

char *
mp_path_dir(const char *path)
{
	return mp_pn_dir(NATIVE_PATHS, path);
}

char *
mp_path_base(const char *path)
{
	return mp_pn_base(NATIVE_PATHS, path);
}

int
mp_path_has_sep(const char *path)
{
	return mp_pn_has_sep(NATIVE_PATHS, path);
}

char *
mp_path_join(const char *dir, const char *name)
{
	return mp_pn_join(NATIVE_PATHS, dir, name);
}

int
mp_path_suffix_ok(const char *suffix)
{
	return mp_pn_suffix_ok(NATIVE_PATHS, suffix);
}

const char *
mp_path_suffix_banned(void)
{
	return mp_pn_suffix_banned(NATIVE_PATHS);
}

/* ---- replacing files ----------------------------------------------------- */

/* Tries on a temporary name collision before giving up (62^6 names). */
#define TEMP_TRIES 100u
/* Letters and digits of a temporary name. */
#define TEMP_RANDOM 6u
/* The longest file name made (see mp_temp_path). */
#define TEMP_NAME_MAX 255u
/* Bytes per read/write of a copy without kernel help. */
#define COPY_CHUNK (1024u * 1024u)

static void
fill_attr(const struct stat *st, struct mp_file_attr *out)
{
	memset(out, 0, sizeof(*out));
	out->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	out->kind = S_ISREG(st->st_mode)   ? MP_FILE_REGULAR
	            : S_ISDIR(st->st_mode) ? MP_FILE_DIR
	                                   : MP_FILE_OTHER;
#ifndef _WIN32
	out->is_link = S_ISLNK(st->st_mode);
#endif
	out->mtime_ns = ST_MTIME_NS(st);
	out->ctime_ns = ST_CTIME_NS(st);
	out->dev = (uint64_t)st->st_dev;
	out->ino = (uint64_t)st->st_ino;
	out->mode = (uint32_t)(st->st_mode & 07777);
	out->uid = (uint32_t)st->st_uid;
	out->gid = (uint32_t)st->st_gid;
	out->nlink = (uint64_t)st->st_nlink;
}

#ifdef _WIN32
/* ns since 1970 of a FILETIME-like count of 100 ns since 1601. */
static int64_t
win_time_ns(int64_t t100)
{
	return (t100 - INT64_C(116444736000000000)) * 100;
}

/* Which file h is, and its times to the 100 ns: st_dev and st_ino are 0 on
 * Windows, so identity is the volume serial number and the file index
 * (Microsoft Learn, "BY_HANDLE_FILE_INFORMATION": together they identify a
 * file on a computer), and the change time comes from FILE_BASIC_INFO. */
static void
fill_win_identity(HANDLE h, struct mp_file_attr *out)
{
	BY_HANDLE_FILE_INFORMATION bh;
	FILE_BASIC_INFO fb;
	if (h == INVALID_HANDLE_VALUE)
		return;
	if (GetFileInformationByHandle(h, &bh)) {
		out->dev = bh.dwVolumeSerialNumber;
		out->ino = (uint64_t)bh.nFileIndexHigh << 32 | bh.nFileIndexLow;
		out->nlink = bh.nNumberOfLinks;
	}
	if (GetFileInformationByHandleEx(h, FileBasicInfo, &fb, sizeof(fb))) {
		out->mtime_ns = win_time_ns(fb.LastWriteTime.QuadPart);
		out->ctime_ns = win_time_ns(fb.ChangeTime.QuadPart);
	}
}
#endif

int
mp_mapping_pins_file(void)
{
#ifdef _WIN32
	return 1;
#else
	return 0;
#endif
}

int
mp_same_identity(const struct mp_file_attr *a, const struct mp_file_attr *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

int
mp_fd_attr(struct mapiprof_ctx *ctx, int fd, struct mp_file_attr *out)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		mp_seterr_errno(ctx, errno, "cannot stat");
		return MAPIPROF_FAILED;
	}
	fill_attr(&st, out);
#ifdef _WIN32
	fill_win_identity((HANDLE)_get_osfhandle(fd), out);
#endif
	return MAPIPROF_OK;
}

int
mp_path_attr(struct mapiprof_ctx *ctx, const char *path, struct mp_file_attr *out, int *exists)
{
	struct stat st;
	*exists = 0;
	memset(out, 0, sizeof(*out));
#ifdef _WIN32
	int r = stat(path, &st);
#else
	int r = lstat(path, &st);
#endif
	if (r != 0) {
		if (errno == ENOENT)
			return MAPIPROF_OK;
		mp_seterr_errno(ctx, errno, "cannot stat");
		mp_seterr_file(ctx, path);
		return MAPIPROF_FAILED;
	}
	fill_attr(&st, out);
#ifdef _WIN32
	/* Opened for no access, shared every way: it disturbs no other user
	 * of the file; FILE_FLAG_BACKUP_SEMANTICS opens directories too. */
	HANDLE h = CreateFileA(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
	                       NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
	fill_win_identity(h, out);
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	/* A symbolic link or junction is a reparse point there (lstat's
	 * S_ISLNK). */
	DWORD a = GetFileAttributesA(path);
	out->is_link = a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
#endif
	*exists = 1;
	return MAPIPROF_OK;
}

/* splitmix64 (Steele, Lea, Flood 2014): mixes the seed of a name. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15u;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
	return x ^ (x >> 31);
}

/* Not secret, only unlikely to collide: the exclusive create decides.  The
 * counter is atomic: threads with contexts of their own write at once. */
static uint64_t
temp_random(void)
{
	static _Atomic uint64_t counter;
	struct timespec ts = {0, 0};
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t seed = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	seed ^= (uint64_t)getpid() << 40;
	seed ^= (uint64_t)(uintptr_t)&counter;
	return mix64(seed + mix64(atomic_fetch_add(&counter, 1) + 1));
}

static const char temp_alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char temp_tag[] = ".mapiprof-";

/* How much of base a temporary name keeps.  The name must fit wherever the
 * target's does: a long base is cut (at a UTF-8 character boundary) so that
 * the whole name stays within the common NAME_MAX, 255 bytes (ext4, XFS,
 * btrfs, tmpfs; NTFS allows 255 UTF-16 units). */
static size_t
temp_base_len(const char *base)
{
	size_t bl = strlen(base), tl = sizeof(temp_tag) - 1;
	if (1 + bl + tl + TEMP_RANDOM > TEMP_NAME_MAX) {
		bl = TEMP_NAME_MAX - (1 + tl + TEMP_RANDOM);
		while (bl > 0 && ((unsigned char)base[bl] & 0xC0) == 0x80)
			bl--;
	}
	return bl;
}

int
mp_temp_name_of(const char *name, const char *base)
{
	size_t bl = temp_base_len(base), tl = sizeof(temp_tag) - 1;
	if (strlen(name) != 1 + bl + tl + TEMP_RANDOM || name[0] != '.' ||
	    memcmp(name + 1, base, bl) != 0 || memcmp(name + 1 + bl, temp_tag, tl) != 0)
		return 0;
	for (size_t i = 1 + bl + tl; name[i] != '\0'; i++)
		if (memchr(temp_alnum, name[i], sizeof(temp_alnum) - 1) == NULL)
			return 0;
	return 1;
}

char *
mp_temp_path(const char *dir, const char *base)
{
	const char *alnum = temp_alnum, *tag = temp_tag;
	size_t bl = temp_base_len(base), tl = strlen(tag);
	char *name = malloc(1 + bl + tl + TEMP_RANDOM + 1);
	if (name == NULL)
		return NULL;
	name[0] = '.';
	memcpy(name + 1, base, bl);
	memcpy(name + 1 + bl, tag, tl);
	uint64_t r = temp_random();
	for (size_t i = 0; i < TEMP_RANDOM; i++, r /= sizeof(temp_alnum) - 1)
		name[1 + bl + tl + i] = alnum[r % (sizeof(temp_alnum) - 1)];
	name[1 + bl + tl + TEMP_RANDOM] = '\0';
	char *path = mp_path_join(dir, name);
	free(name);
	return path;
}

/* Gives the new file fd like's owner (where allowed) and permission bits:
 * chown first, as it may clear set-id bits. */
static int
apply_attr(struct mapiprof_ctx *ctx, int fd, const struct mp_file_attr *like)
{
#ifdef _WIN32
	(void)ctx;
	(void)fd;
	(void)like;
#else
	/* Only root may give a file away; anyone else keeps their own. */
	if (fchown(fd, (uid_t)like->uid, (gid_t)like->gid) != 0 && errno != EPERM) {
		mp_seterr_errno(ctx, errno, "cannot set the owner of a temporary file");
		return MAPIPROF_FAILED;
	}
	if (fchmod(fd, (mode_t)(like->mode & 07777)) != 0) {
		mp_seterr_errno(ctx, errno, "cannot set the permissions of a temporary file");
		return MAPIPROF_FAILED;
	}
#endif
	return MAPIPROF_OK;
}

/* The lock a writer keeps on its temporary file while it lives, so that a
 * later run can tell its file from a dead writer's (mp_temp_stale): 1
 * taken, 0 held elsewhere, -1 not available here (errno).  flock(2) on
 * POSIX: released by the kernel when the last descriptor of the open file
 * closes, also when the process is killed.  Windows: the same LockFileEx
 * lock as a writer's (try_lock), released when the handle is closed or the
 * process ends; needed there too, as files are opened sharing deletion. */
static int try_lock(int fd);

static int
temp_hold(int fd)
{
#ifdef _WIN32
	return try_lock(fd);
#else
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 1;
	return errno == EWOULDBLOCK || errno == EAGAIN ? 0 : -1;
#endif
}

int
mp_temp_create(struct mapiprof_ctx *ctx, const char *dir, const char *base,
               const struct mp_file_attr *like, char **path, int *fd)
{
	*path = NULL;
	*fd = -1;
	for (unsigned tries = 0; tries < TEMP_TRIES; tries++) {
		char *p = mp_temp_path(dir, base);
		if (p == NULL)
			return mp_nomem(ctx);
		int f = sys_open(p, TEMP_FLAGS, 0600);
		if (f < 0) {
			int err = errno;
			if (err == EEXIST) {
				free(p);
				continue;
			}
			mp_seterr_errno(ctx, err, "cannot create a temporary file in '%s'", dir);
			free(p);
			return MAPIPROF_FAILED;
		}
		/* Taken already: a cleaner took the new file for a dead writer's
		 * between the create and this lock, and removes it. */
		if (temp_hold(f) == 0) {
			close(f);
			free(p);
			continue;
		}
		if (like != NULL && apply_attr(ctx, f, like) != MAPIPROF_OK) {
			close(f);
			unlink(p);
			free(p);
			return MAPIPROF_FAILED;
		}
		*path = p;
		*fd = f;
		return MAPIPROF_OK;
	}
	mp_seterr_errno(ctx, EEXIST, "cannot create a temporary file in '%s' (%u names taken)", dir,
	                TEMP_TRIES);
	return MAPIPROF_FAILED;
}

int
mp_temp_open_unnamed(struct mapiprof_ctx *ctx, const char *dir, int *fd, char **reopen)
{
	*fd = -1;
	*reopen = NULL;
#ifdef MP_O_TMPFILE
	int f = open(dir, MP_O_TMPFILE | O_RDWR | O_CLOEXEC | O_NOCTTY, 0600);
	if (f < 0) {
		mp_seterr_errno(ctx, errno, "cannot create a temporary file in '%s'", dir);
		return MAPIPROF_FAILED;
	}
	/* Reopened (verify, hivex) and named (linkat) through /proc: without
	 * it mounted the file is of no use. */
	char buf[32];
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", f);
	struct stat a, b;
	if (fstat(f, &a) != 0 || stat(buf, &b) != 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		close(f);
		mp_seterr_errno(ctx, EOPNOTSUPP, "cannot reach an unnamed file through %s", buf);
		return MAPIPROF_FAILED;
	}
	if ((*reopen = strdup(buf)) == NULL) {
		close(f);
		return mp_nomem(ctx);
	}
	(void)temp_hold(f); /* for the moment it has a name (mp_install_rename) */
	*fd = f;
	return MAPIPROF_OK;
#else
	(void)dir;
	mp_seterr_errno(ctx, EOPNOTSUPP, "no unnamed temporary files on this system");
	return MAPIPROF_FAILED;
#endif
}

int
mp_temp_unnamed_unsupported(int err)
{
	return err == EOPNOTSUPP || err == ENOTSUP || err == EISDIR || err == EINVAL ||
	       err == ENOSYS;
}

int
mp_link_unnamed(struct mapiprof_ctx *ctx, const char *reopen, const char *to)
{
#ifdef MP_O_TMPFILE
	/* The magic link names the open file itself (proc(5)); AT_EMPTY_PATH
	 * would need CAP_DAC_READ_SEARCH. */
	if (linkat(AT_FDCWD, reopen, AT_FDCWD, to, AT_SYMLINK_FOLLOW) != 0) {
		mp_seterr_errno(ctx, errno, "cannot name the new file '%s'", to);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
#else
	(void)reopen;
	mp_seterr_errno(ctx, ENOSYS, "cannot name the new file '%s'", to);
	return MAPIPROF_FAILED;
#endif
}

int
mp_temp_stale(struct mapiprof_ctx *ctx, const char *path, int *stale, int *hold)
{
	*stale = 0;
	*hold = -1;
#ifdef _WIN32
	struct stat st;
	(void)ctx;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return MAPIPROF_OK;
	int f = sys_open(path, O_RDONLY, 0);
	if (f < 0)
		return MAPIPROF_OK;
	if (temp_hold(f) != 1) { /* a live writer's */
		close(f);
		return MAPIPROF_OK;
	}
	*stale = 1;
	*hold = f;
	return MAPIPROF_OK;
#else
	struct stat st, now;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return MAPIPROF_OK;
		mp_seterr_errno(ctx, errno, "cannot stat '%s'", path);
		return MAPIPROF_FAILED;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return MAPIPROF_OK;
	int f = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (f < 0) {
		if (errno == ENOENT)
			return MAPIPROF_OK;
		mp_seterr_errno(ctx, errno, "cannot open '%s'", path);
		return MAPIPROF_FAILED;
	}
	/* Still the file looked at, and no writer holds it. */
	if (fstat(f, &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino ||
	    temp_hold(f) != 1) {
		close(f);
		return MAPIPROF_OK;
	}
	*stale = 1;
	*hold = f;
	return MAPIPROF_OK;
#endif
}

int
mp_dup(struct mapiprof_ctx *ctx, int fd, int *out)
{
	*out = dup(fd);
	if (*out < 0) {
		mp_seterr_errno(ctx, errno, "cannot duplicate a descriptor");
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

#ifdef _WIN32
/* mkdtemp for Windows, which lacks it: the trailing XXXXXX of templ
 * replaced by letters and digits until _mkdir makes a new directory
 * (private enough: %TEMP% is the user's own). */
static char *
make_temp_dir(char *templ)
{
	size_t len = strlen(templ);
	if (len < TEMP_RANDOM || strcmp(templ + len - TEMP_RANDOM, "XXXXXX") != 0) {
		errno = EINVAL;
		return NULL;
	}
	for (unsigned tries = 0; tries < TEMP_TRIES; tries++) {
		uint64_t r = temp_random();
		for (size_t i = 0; i < TEMP_RANDOM; i++, r /= sizeof(temp_alnum) - 1)
			templ[len - TEMP_RANDOM + i] = temp_alnum[r % (sizeof(temp_alnum) - 1)];
		if (_mkdir(templ) == 0)
			return templ;
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}
#else
#define make_temp_dir mkdtemp
#endif

int
mp_temp_dir(struct mapiprof_ctx *ctx, const char *dir, const char *prefix, char **path)
{
	size_t pl = strlen(prefix);
	char *name = malloc(pl + 8);
	if (name == NULL)
		return mp_nomem(ctx);
	memcpy(name, prefix, pl);
	memcpy(name + pl, "-XXXXXX", 8);
	*path = mp_path_join(dir, name);
	free(name);
	if (*path == NULL)
		return mp_nomem(ctx);
	if (make_temp_dir(*path) == NULL) {
		mp_seterr_errno(ctx, errno, "cannot make a temporary directory in '%s'", dir);
		free(*path);
		*path = NULL;
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* The portable copy of [from, size) at the same offsets, each piece shown
 * to watch (when not NULL) before it is written and handed to writeback
 * every COPY_KERNEL_CHUNK bytes, as the kernel-side copy does. */
static int
copy_loop(struct mapiprof_ctx *ctx, int in, int out, uint64_t from, uint64_t size,
          const struct mp_copy_watch *watch)
{
	uint8_t *buf = malloc(COPY_CHUNK);
	if (buf == NULL)
		return mp_nomem(ctx);
	int rc = MAPIPROF_OK;
	uint64_t behind = from;
	for (uint64_t off = from; off < size && rc == MAPIPROF_OK;) {
		size_t n = size - off < COPY_CHUNK ? (size_t)(size - off) : COPY_CHUNK;
		if ((rc = mp_pread_full(ctx, in, buf, n, off)) != MAPIPROF_OK)
			break;
		if (watch != NULL && (rc = watch->see(watch->arg, buf, n, off)) != MAPIPROF_OK)
			break;
		rc = mp_pwrite_full(ctx, out, buf, n, off);
		off += n;
		if (off - behind >= COPY_KERNEL_CHUNK || off == size) {
			mp_write_behind(out, behind, off - behind);
			behind = off;
		}
	}
	free(buf);
	return rc;
}

#ifdef HAVE_COPY_FILE_RANGE
/* One copy_file_range of up to n bytes (ooff NULL: at out's file position),
 * retried when interrupted: the bytes copied, 0 when the kernel declines
 * (EXDEV, ENOSYS, EINVAL, EOPNOTSUPP, EBADF) or the input ends, so that the
 * caller goes on in user space, or -1 with the error in ctx. */
static ssize_t
kernel_copy(struct mapiprof_ctx *ctx, int in, off_t *ioff, int out, off_t *ooff, size_t n)
{
	for (;;) {
		ssize_t r = copy_file_range(in, ioff, out, ooff, n, 0);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP ||
		    errno == ENOTSUP || errno == EBADF)
			return 0;
		mp_seterr_errno(ctx, errno, "cannot copy at offset %lld", (long long)*ioff);
		return -1;
	}
}
#endif

/* Kernel-side copy from offset 0 as far as the kernel goes; *copied says
 * how far.  MAPIPROF_OK with *copied < size means "finish in user space". */
static int
copy_kernel(struct mapiprof_ctx *ctx, int in, int out, uint64_t size, uint64_t *copied)
{
	*copied = 0;
#ifdef HAVE_COPY_FILE_RANGE
	if (copy_file_range == NULL)
		return MAPIPROF_OK;
	off_t ioff = 0, ooff = 0;
	while ((uint64_t)ioff < size) {
		uint64_t left = size - (uint64_t)ioff;
		size_t n = left > COPY_KERNEL_CHUNK ? COPY_KERNEL_CHUNK : (size_t)left;
		ssize_t r = kernel_copy(ctx, in, &ioff, out, &ooff, n);
		if (r < 0)
			return MAPIPROF_FAILED;
		if (r == 0)
			break;
		if (sync_file_range != NULL)
			(void)sync_file_range(out, ooff - r, r, MP_SYNC_FILE_RANGE_WRITE);
	}
	*copied = (uint64_t)ioff;
#else
	(void)ctx;
	(void)in;
	(void)out;
	(void)size;
#endif
	return MAPIPROF_OK;
}

int
mp_copy_fd(struct mapiprof_ctx *ctx, int in, int out, uint64_t size,
           const struct mp_copy_watch *watch)
{
	uint64_t copied = 0;
	if (size > (uint64_t)INT64_MAX) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "cannot copy %llu bytes",
		          (unsigned long long)size);
		return MAPIPROF_FAILED;
	}
	/* Bytes a watch must see go through memory anyway: read once, seen,
	 * written from the same buffer (a kernel-side copy would read them a
	 * second time). */
	int rc = watch == NULL ? copy_kernel(ctx, in, out, size, &copied) : MAPIPROF_OK;
	wrote();
	if (rc != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return copied < size ? copy_loop(ctx, in, out, copied, size, watch) : MAPIPROF_OK;
}

/* Appends [off, off + len) of in at out's file position by read and write
 * (the portable copy of mp_copy_span). */
static int
span_loop(struct mapiprof_ctx *ctx, int in, uint64_t off, int out, uint64_t len)
{
	uint8_t *buf = malloc(COPY_CHUNK);
	if (buf == NULL)
		return mp_nomem(ctx);
	int rc = MAPIPROF_OK;
	while (len > 0 && rc == MAPIPROF_OK) {
		size_t n = len < COPY_CHUNK ? (size_t)len : COPY_CHUNK;
		rc = mp_pread_full(ctx, in, buf, n, off);
		if (rc == MAPIPROF_OK)
			rc = write_all(ctx, out, buf, n);
		off += n;
		len -= n;
	}
	free(buf);
	return rc;
}

int
mp_copy_span(struct mapiprof_ctx *ctx, int in, uint64_t off, int out, uint64_t len)
{
	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "cannot copy %llu bytes at offset %llu",
		          (unsigned long long)len, (unsigned long long)off);
		return MAPIPROF_FAILED;
	}
	wrote();
#ifdef HAVE_COPY_FILE_RANGE
	/* The kernel copies page cache to page cache: the bytes never pass
	 * through this process (nor fault in its mappings of the input). */
	off_t ioff = (off_t)off;
	while (copy_file_range != NULL && len > 0) {
		size_t n = len > COPY_KERNEL_CHUNK ? COPY_KERNEL_CHUNK : (size_t)len;
		ssize_t r = kernel_copy(ctx, in, &ioff, out, NULL, n);
		if (r < 0)
			return MAPIPROF_FAILED;
		if (r == 0)
			break; /* the loop below reads on, and says when the input ends early */
		len -= (uint64_t)r;
	}
	off = (uint64_t)ioff;
#endif
	return span_loop(ctx, in, off, out, len);
}

int
mp_fsync_dir(struct mapiprof_ctx *ctx, const char *dir)
{
#ifdef _WIN32
	(void)ctx;
	(void)dir;
	return MAPIPROF_OK; /* NTFS journals directory entries itself */
#else
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		mp_seterr_errno(ctx, errno, "cannot open directory '%s' to sync it", dir);
		return MAPIPROF_FAILED;
	}
	int r = sync_fd(fd), err = errno;
	close(fd);
	if (r != 0 && err != EINVAL) {
		mp_seterr_errno(ctx, err, "cannot sync directory '%s' to disk", dir);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
#endif
}

#ifdef _WIN32
/* Descriptors looked at for handles on a file about to be replaced. */
#define WIN_FD_SCAN 2048

/* Windows (and Wine, which refuses even with FILE_SHARE_DELETE) cannot
 * replace a file this process still has open.  On POSIX the descriptors
 * on the old file keep it alive, and mapiprof uses them for nothing but
 * their locks once the new file is in place (a locker that waited then
 * finds the file replaced and locks the new one: mp_lock_path).  So every
 * descriptor of this process on path is pointed at the NUL device instead
 * (its handle on path closed; reads see end of file; closing it stays
 * the owner's job). */
static void
detach_descriptors(const char *path)
{
	HANDLE t = CreateFileA(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
	                       NULL, OPEN_EXISTING, 0, NULL);
	BY_HANDLE_FILE_INFORMATION want, got;
	if (t == INVALID_HANDLE_VALUE)
		return;
	int ok = GetFileInformationByHandle(t, &want) != 0;
	CloseHandle(t);
	for (int fd = 3; ok && fd < WIN_FD_SCAN; fd++) {
		intptr_t h = _get_osfhandle(fd);
		if (h == -1 || GetFileType((HANDLE)h) != FILE_TYPE_DISK ||
		    !GetFileInformationByHandle((HANDLE)h, &got) ||
		    got.dwVolumeSerialNumber != want.dwVolumeSerialNumber ||
		    got.nFileIndexHigh != want.nFileIndexHigh ||
		    got.nFileIndexLow != want.nFileIndexLow)
			continue;
		int nul = _open("NUL", O_RDONLY | O_BINARY);
		if (nul >= 0) {
			_dup2(nul, fd);
			_close(nul);
		}
	}
}
#endif

int
mp_rename(struct mapiprof_ctx *ctx, const char *from, const char *to)
{
#ifdef _WIN32
	detach_descriptors(to);
	/* rename() there fails when to exists; MoveFileEx replaces it, and
	 * returns only once the move is on disk (Microsoft Learn,
	 * "MoveFileExA": MOVEFILE_REPLACE_EXISTING, MOVEFILE_WRITE_THROUGH). */
	if (!MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
		mp_seterr_errno(ctx, win_errno(GetLastError()), "cannot rename '%s' to '%s'", from,
		                to);
		return MAPIPROF_FAILED;
	}
#else
	if (rename(from, to) != 0) {
		mp_seterr_errno(ctx, errno, "cannot rename '%s' to '%s'", from, to);
		return MAPIPROF_FAILED;
	}
#endif
	return MAPIPROF_OK;
}

int
mp_link(struct mapiprof_ctx *ctx, const char *from, const char *to)
{
#ifdef _WIN32
	mp_seterr_errno(ctx, ENOSYS, "cannot link '%s' to '%s'", to, from);
	return MAPIPROF_FAILED;
#else
	if (link(from, to) != 0) {
		mp_seterr_errno(ctx, errno, "cannot link '%s' to '%s'", to, from);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
#endif
}

int
mp_link_unsupported(int err)
{
	return err == EPERM || err == ENOTSUP || err == EOPNOTSUPP || err == EXDEV ||
	       err == EMLINK || err == ENOSYS;
}

int
mp_fchown(int fd, uint32_t uid, uint32_t gid)
{
#ifdef _WIN32
	(void)fd;
	(void)uid;
	(void)gid;
	return 0;
#else
	return fchown(fd, (uid_t)uid, (gid_t)gid) == 0 ? 0 : errno;
#endif
}

int
mp_fchmod(int fd, uint32_t mode)
{
#ifdef _WIN32
	(void)fd;
	(void)mode;
	return 0;
#else
	return fchmod(fd, (mode_t)(mode & 07777)) == 0 ? 0 : errno;
#endif
}

int
mp_attr_unsupported(int err)
{
	return err == EPERM || err == ENOTSUP || err == EOPNOTSUPP || err == EINVAL ||
	       err == ENOSYS;
}

int
mp_truncate_path(struct mapiprof_ctx *ctx, const char *path)
{
#ifdef _WIN32
	int fd = sys_open(path, O_WRONLY, 0);
#else
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
#endif
	if (fd < 0) {
		mp_seterr_errno(ctx, errno, "cannot open '%s' to reset it", path);
		return MAPIPROF_FAILED;
	}
	int rc = MAPIPROF_FAILED;
	int cut = ftruncate(fd, 0);
	wrote();
	if (cut != 0)
		mp_seterr_errno(ctx, errno, "cannot truncate '%s'", path);
	else
		rc = mp_fsync(ctx, fd);
	if (close(fd) != 0 && rc == MAPIPROF_OK) {
		mp_seterr_errno(ctx, errno, "cannot truncate '%s'", path);
		rc = MAPIPROF_FAILED;
	}
	return rc;
}

const char *
mp_tmpdir(void)
{
#ifdef _WIN32
	static const char *const vars[] = {"TEMP", "TMP"};
	const char *fallback = ".";
#else
	static const char *const vars[] = {"TMPDIR"};
	const char *fallback = "/tmp";
#endif
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v != NULL && v[0] != '\0')
			return v;
	}
	return fallback;
}

int
mp_unlink(struct mapiprof_ctx *ctx, const char *path)
{
	if (unlink(path) != 0) {
		mp_seterr_errno(ctx, errno, "cannot remove '%s'", path);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mp_rmdir(struct mapiprof_ctx *ctx, const char *path)
{
	if (rmdir(path) != 0) {
		mp_seterr_errno(ctx, errno, "cannot remove directory '%s'", path);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* ---- advisory locks ---------------------------------------------------- */

/* Pause between two tries at a lock another process holds. */
#define LOCK_POLL_MS 20u
/* Times the file at a path may be replaced under a waiting locker before
 * it gives up (each replacement is another writer's finished write). */
#define LOCK_REOPENS 1000u

/* Tries once at an exclusive lock on fd: 1 taken, 0 held elsewhere, -1
 * error (errno).  flock(2) locks belong to the open file description (not
 * the process, as fcntl's F_SETLK do), so hivex opening and closing the same
 * file does not drop them, and a read-only descriptor can hold one.  On
 * Windows, LockFileEx of one byte far past the end of any hive: Windows
 * locks are mandatory for the bytes they cover, so a lock on the data
 * would fail other readers' reads (Microsoft Learn, "LockFileEx": locking
 * a region beyond the end of the file is not an error). */
static int
try_lock(int fd)
{
#ifdef _WIN32
	OVERLAPPED ov = {0};
	ov.Offset = 0xFFFFFFFEu;
	ov.OffsetHigh = 0x7FFFFFFFu;
	HANDLE h = (HANDLE)_get_osfhandle(fd);
	if (LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov))
		return 1;
	return GetLastError() == ERROR_LOCK_VIOLATION ? 0 : (errno = EIO, -1);
#else
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 1;
	return errno == EWOULDBLOCK || errno == EAGAIN || errno == EINTR ? 0 : -1;
#endif
}

static uint64_t
now_ms(void)
{
	struct timespec ts = {0, 0};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
pause_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int
mp_lock_path(struct mapiprof_ctx *ctx, const char *path, unsigned wait_ms, int *fd)
{
	uint64_t deadline = now_ms() + wait_ms;
	*fd = -1;
	for (unsigned reopens = 0; reopens < LOCK_REOPENS; reopens++) {
		int f = -1;
		if (mp_open_read(ctx, path, &f) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		int got;
		while ((got = try_lock(f)) == 0 && now_ms() < deadline)
			pause_ms(LOCK_POLL_MS);
		if (got <= 0) {
			int err = errno;
			mp_close(f);
			if (got < 0)
				mp_seterr_errno(ctx, err, "cannot lock");
			else
				mp_seterr(ctx, MAPIPROF_E_BUSY,
				          "busy: another program is writing it (waited %u s)",
				          wait_ms / 1000u);
			mp_seterr_file(ctx, path);
			return MAPIPROF_FAILED;
		}
		/* The writer we waited for renamed its new file over path: the
		 * lock we hold is on the old one.  Lock the new one. */
		struct mp_file_attr held, now;
		int exists = 0;
		if (mp_fd_attr(ctx, f, &held) != MAPIPROF_OK ||
		    mp_path_attr(ctx, path, &now, &exists) != MAPIPROF_OK) {
			mp_close(f);
			mp_seterr_file(ctx, path);
			return MAPIPROF_FAILED;
		}
		if (exists && !now.is_link && now.dev == held.dev && now.ino == held.ino) {
			*fd = f;
			return MAPIPROF_OK;
		}
		mp_close(f);
	}
	mp_seterr(ctx, MAPIPROF_E_BUSY, "busy: the file was replaced %u times while waiting",
	          LOCK_REOPENS);
	mp_seterr_file(ctx, path);
	return MAPIPROF_FAILED;
}

/* ---- read-only views of files ------------------------------------------ */

int
mp_map_fd(struct mapiprof_ctx *ctx, int fd, size_t len, struct mp_map *m)
{
	static const uint8_t empty[1];
	memset(m, 0, sizeof(*m));
	m->p = empty;
	if (len == 0)
		return MAPIPROF_OK;
#ifndef _WIN32
	struct stat st;
	void *p = fstat(fd, &st) == 0 ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	if (p != MAP_FAILED) {
		/* The readers scan from the start to the end. */
		(void)posix_madvise(p, len, POSIX_MADV_SEQUENTIAL);
		m->p = p;
		m->base = p;
		m->len = len;
		m->mapped = 1;
		m->dev = (uint64_t)st.st_dev;
		m->ino = (uint64_t)st.st_ino;
		return MAPIPROF_OK;
	}
#endif
	uint8_t *copy = malloc(len);
	if (copy == NULL)
		return mp_nomem(ctx);
	if (mp_pread_full(ctx, fd, copy, len, 0) != MAPIPROF_OK) {
		free(copy);
		return MAPIPROF_FAILED;
	}
	m->p = copy;
	m->base = copy;
	m->len = len;
	return MAPIPROF_OK;
}

#if defined(MP_MADV_DONTNEED) || defined(MP_MADV_POPULATE_READ)
/* madvise(advice) over the whole pages of the mapping that hold bytes off
 * to off + len, those they share with bytes outside included. */
static void
map_advise(const struct mp_map *m, size_t off, size_t len, int advice)
{
	long page = sysconf(_SC_PAGESIZE);
	if (!m->mapped || page <= 0 || off >= m->len)
		return;
	size_t ps = (size_t)page;
	size_t end = len < m->len - off ? off + len : m->len;
	size_t from = off / ps * ps;
	if (end > from)
		(void)madvise((void *)(uintptr_t)(m->p + from), end - from, advice);
}
#endif

void
mp_map_drop(const struct mp_map *m, size_t off, size_t len)
{
#ifdef MP_MADV_DONTNEED
	/* A page let go too early merely comes back from the page cache: a
	 * read-only file mapping's pages stay there and come back unchanged
	 * when touched again. */
	map_advise(m, off, len, MP_MADV_DONTNEED);
#else
	/* Elsewhere the system reclaims the pages of a clean file mapping
	 * when it needs them. */
	(void)m;
	(void)off;
	(void)len;
#endif
}

void
mp_map_populate(const struct mp_map *m, size_t off, size_t len)
{
#ifdef MP_MADV_POPULATE_READ
	map_advise(m, off, len, MP_MADV_POPULATE_READ);
#else
	(void)m;
	(void)off;
	(void)len;
#endif
}

void
mp_unmap(struct mp_map *m)
{
	if (m->base != NULL) {
#ifndef _WIN32
		if (m->mapped)
			munmap(m->base, m->len);
		else
#endif
			free(m->base);
	}
	memset(m, 0, sizeof(*m));
}

void
mp_write_behind(int fd, uint64_t off, uint64_t len)
{
#ifdef HAVE_COPY_FILE_RANGE
	if (sync_file_range != NULL && off <= (uint64_t)INT64_MAX && len <= (uint64_t)INT64_MAX)
		(void)sync_file_range(fd, (off_t)off, (off_t)len, MP_SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
	(void)off;
	(void)len;
#endif
}
