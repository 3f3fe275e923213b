/* save.c - mapiprof_save: bytes put at a path atomically, the way commit.c
 * installs a hive (a new file beside the target, fsync, rename over it,
 * fsync of the directory), for exported .reg files. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctx.h"
#include "platform.h"

/* Permission bits of a new file, less the umask (mapiprof.h). */
#define NEW_FILE_MODE 0644u

/* One save in progress. */
struct save {
	struct mapiprof_ctx *ctx;
	const char *path;
	char *dir, *base;
	struct mp_file_attr like; /* owner and permissions the new file gets */
	char *tmp;                /* the temporary file while it exists */
	int fd;
};

/* The attributes of the file a symbolic link names: a link is replaced by
 * the new file, which takes over the permissions of the file it named.
 * (mp_path_attr does not follow links; a link only exists where stat(2)
 * does.) */
static int
follow_link(struct save *sv)
{
	struct stat st;
	if (stat(sv->path, &st) != 0) {
		mp_seterr_errno(sv->ctx, errno, "symbolic link to nothing usable");
		return MAPIPROF_FAILED;
	}
	sv->like.kind = S_ISREG(st.st_mode)   ? MP_FILE_REGULAR
	                : S_ISDIR(st.st_mode) ? MP_FILE_DIR
	                                      : MP_FILE_OTHER;
	sv->like.mode = (uint32_t)(st.st_mode & 07777);
	sv->like.uid = (uint32_t)st.st_uid;
	sv->like.gid = (uint32_t)st.st_gid;
	return MAPIPROF_OK;
}

/* What a new file gets: NEW_FILE_MODE less the umask, and the process's
 * own owner (uid and gid -1: fchown changes nothing).  POSIX has no call
 * that only reads the umask; the moment it is set to 077 can only make a
 * file another thread creates more private. */
static void
new_file_attr(struct mp_file_attr *like)
{
	mode_t mask = umask(077);
	umask(mask);
	memset(like, 0, sizeof(*like));
	like->kind = MP_FILE_REGULAR;
	like->mode = NEW_FILE_MODE & ~(uint32_t)mask;
	like->uid = UINT32_MAX;
	like->gid = UINT32_MAX;
}

/* Checks the target: absent, a regular file, or a link to one. */
static int
check_target(struct save *sv)
{
	int exists = 0;
	if (mp_path_attr(sv->ctx, sv->path, &sv->like, &exists) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (!exists) {
		new_file_attr(&sv->like);
		return MAPIPROF_OK;
	}
	if (sv->like.is_link && follow_link(sv) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (sv->like.kind == MP_FILE_DIR) {
		mp_seterr(sv->ctx, MAPIPROF_E_ISDIR, "is a directory");
		return MAPIPROF_FAILED;
	}
	if (sv->like.kind != MP_FILE_REGULAR) {
		mp_seterr(sv->ctx, MAPIPROF_E_INVALID, "not a regular file");
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* Writes, syncs and closes the temporary file (a failed close can be the
 * first report of a failed write, e.g. on NFS). */
static int
write_temp(struct save *sv, const void *data, size_t len)
{
	if (mp_write_full(sv->ctx, sv->fd, data, len) != MAPIPROF_OK ||
	    mp_fsync(sv->ctx, sv->fd) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int r = mp_close(sv->fd);
	sv->fd = -1;
	if (r != 0) {
		mp_seterr_errno(sv->ctx, errno, "cannot write the new file '%s'", sv->tmp);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* Renames the temporary file over the target and syncs the directory; past
 * the rename the file is in place, and a failed sync says so. */
static int
install(struct save *sv)
{
	if (mp_rename(sv->ctx, sv->tmp, sv->path) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	free(sv->tmp);
	sv->tmp = NULL;
	if (mp_fsync_dir(sv->ctx, sv->dir) != MAPIPROF_OK) {
		char msg[sizeof(sv->ctx->msg)];
		memcpy(msg, sv->ctx->msg, sizeof(msg));
		mp_seterr(sv->ctx, MAPIPROF_E_IO, "the new file is in place, but %.400s", msg);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mapiprof_save(struct mapiprof_ctx *ctx, const char *path, const void *data, size_t len)
{
	if (ctx == NULL)
		return MAPIPROF_FAILED;
	if (path == NULL || path[0] == '\0' || (data == NULL && len > 0)) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "save: no path or no data");
		return MAPIPROF_FAILED;
	}
	struct save sv = {.ctx = ctx, .path = path, .fd = -1};
	int rc = MAPIPROF_FAILED;
	if ((sv.dir = mp_path_dir(path)) == NULL || (sv.base = mp_path_base(path)) == NULL) {
		mp_nomem(ctx);
		goto out;
	}
	if (check_target(&sv) != MAPIPROF_OK ||
	    mp_temp_create(ctx, sv.dir, sv.base, &sv.like, &sv.tmp, &sv.fd) != MAPIPROF_OK ||
	    write_temp(&sv, data, len) != MAPIPROF_OK || install(&sv) != MAPIPROF_OK)
		goto out;
	rc = MAPIPROF_OK;
out:
	mp_close(sv.fd);
	if (sv.tmp != NULL)
		mp_unlink(NULL, sv.tmp);
	if (rc != MAPIPROF_OK)
		mp_seterr_file(ctx, path);
	free(sv.tmp);
	free(sv.base);
	free(sv.dir);
	return rc;
}
