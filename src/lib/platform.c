/* platform.c - file access and path helpers for POSIX systems (and the few
 * trivial differences of Windows/MinGW); the only file with platform
 * conditionals (style-anchors.md §5.1). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "platform.h"

#ifdef _WIN32
#define OPEN_FLAGS   (O_RDONLY | O_BINARY)
#define CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_BINARY)
#define IS_SEP(c)    ((c) == '/' || (c) == '\\')
#define SEP          "\\"
#else
#define OPEN_FLAGS   (O_RDONLY | O_CLOEXEC | O_NOCTTY)
#define CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY)
#define IS_SEP(c)    ((c) == '/')
#define SEP          "/"
#endif

/* Entries returned by mp_dir_list at most (a hive's directory holds a few
 * files; this only bounds memory on a huge directory). */
#define DIR_MAX_ENTRIES 100000u

int
mp_open_read(struct mapiprof_ctx *ctx, const char *path, int *fd)
{
	*fd = -1;
	int f = open(path, OPEN_FLAGS);
	if (f < 0) {
		int err = errno;
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
	if (fstat(f, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(f);
		mp_seterr(ctx, MAPIPROF_E_ISDIR, "is a directory");
		mp_seterr_file(ctx, path);
		return MAPIPROF_FAILED;
	}
	*fd = f;
	return MAPIPROF_OK;
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
	if (mtime_ns != NULL) {
#ifdef _WIN32
		*mtime_ns = (int64_t)st.st_mtime * 1000000000;
#else
		*mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
#endif
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
		ssize_t r = pread(fd, p + done, len - done, (off_t)at);
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

int
mp_close(int fd)
{
	return fd >= 0 ? close(fd) : 0;
}

int
mp_create_excl(struct mapiprof_ctx *ctx, const char *path, int *fd)
{
	*fd = open(path, CREATE_FLAGS, 0666);
	if (*fd < 0) {
		mp_seterr_errno(ctx, errno, "cannot create");
		mp_seterr_file(ctx, path);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mp_write_full(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);
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
mp_fsync(struct mapiprof_ctx *ctx, int fd)
{
#ifdef _WIN32
	int r = _commit(fd);
#else
	int r = fsync(fd);
#endif
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

/* Length of path without trailing separators (but keeping a lone root). */
static size_t
trimmed_len(const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && IS_SEP(path[len - 1]))
		len--;
	return len;
}

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *
mp_path_dir(const char *path)
{
	size_t len = trimmed_len(path);
	size_t i = len;
	while (i > 0 && !IS_SEP(path[i - 1]))
		i--;
	if (i == 0)
		return dup_n(".", 1);
	while (i > 1 && IS_SEP(path[i - 1]))
		i--;
	return dup_n(path, i);
}

char *
mp_path_base(const char *path)
{
	size_t len = trimmed_len(path);
	size_t i = len;
	while (i > 0 && !IS_SEP(path[i - 1]))
		i--;
	if (i == len && len > 0)
		return dup_n(path, len); /* the path is only a root separator */
	return dup_n(path + i, len - i);
}

char *
mp_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int sep = dl > 0 && !IS_SEP(dir[dl - 1]);
	char *p = malloc(dl + (size_t)sep + nl + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, dir, dl);
	if (sep)
		memcpy(p + dl, SEP, 1);
	memcpy(p + dl + (size_t)sep, name, nl + 1);
	return p;
}
