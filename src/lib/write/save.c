/* save.c - mapiprof_save: bytes put at a path atomically by the machinery
 * that installs a hive (install.h: a new file beside the target, fsync,
 * rename over it, fsync of the directory), for exported .reg files. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/ctx.h"
#include "base/platform.h"
#include "write/install.h"

/* Permission bits of a new file, less the umask (mapiprof.h). */
#define NEW_FILE_MODE 0644u

/* One save in progress. */
struct save {
	struct mapiprof_ctx *ctx;
	const char *path;
	struct mp_file_attr like; /* owner and permissions the new file gets */
	struct mp_install ins;    /* the temporary file beside path */
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
	mode_t mask = (mode_t)umask(077); /* an int on Windows */
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
	sv->like = sv->ins.tattr;
	if (!sv->ins.target_exists) {
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

/* Writes, syncs and closes the temporary file. */
static int
write_temp(struct save *sv, const void *data, size_t len)
{
	if (mp_install_temp(&sv->ins, &sv->like) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (mp_write_full(sv->ctx, sv->ins.tmp_fd, data, len) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_install_finish_temp(&sv->ins);
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
	struct save sv = {.ctx = ctx, .path = path};
	int rc = MAPIPROF_FAILED;
	sv.ins.tmp_fd = -1;
	if (mp_install_begin(&sv.ins, ctx, path, NULL) == MAPIPROF_OK &&
	    check_target(&sv) == MAPIPROF_OK && write_temp(&sv, data, len) == MAPIPROF_OK &&
	    mp_install_rename(&sv.ins) == MAPIPROF_OK)
		rc = MAPIPROF_OK;
	mp_install_end(&sv.ins);
	if (rc != MAPIPROF_OK)
		mp_seterr_file(ctx, path);
	return rc;
}
