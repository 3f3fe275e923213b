/* install.c - atomic replacement of a file (install.h): temporary file
 * beside the target (unnamed where possible), fsync, backup by hard link or
 * copy, rename, directory fsync; the removal of dead writers' temporary
 * files; and the transaction-log reset after a recovery. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf16.h"
#include "regf/hiveinfo.h"
#include "write/install.h"

/* Tries at a free temporary name for a backup's hard link, or for an
 * unnamed temporary file. */
#define BACKUP_LINK_TRIES 100u
/* Names of removed temporary files listed in a note at most. */
#define REAP_NAMES_SHOWN 3u

int
mp_install_begin(struct mp_install *ins, struct mapiprof_ctx *ctx, const char *target,
                 const char *suffix)
{
	ins->ctx = ctx;
	ins->io = mp_commit_io_current();
	ctx->note[0] = '\0';
	ins->target = target;
	ins->suffix = suffix;
	ins->tmp_fd = -1;
	if (suffix != NULL && !mp_path_suffix_ok(suffix)) {
		mp_seterr(ctx, MAPIPROF_E_INVALID,
		          "backup suffix '%s' must be non-empty and without %s", suffix,
		          mp_path_suffix_banned());
		return MAPIPROF_FAILED;
	}
	if ((ins->dir = mp_path_dir(target)) == NULL || (ins->base = mp_path_base(target)) == NULL)
		return mp_nomem(ctx);
	return mp_path_attr(ctx, target, &ins->tattr, &ins->target_exists);
}

int
mp_install_check_target(struct mp_install *ins, int in_place)
{
	if (!ins->target_exists)
		return MAPIPROF_OK;
	if (ins->tattr.is_link && in_place) {
		mp_seterr(ins->ctx, MAPIPROF_E_INVALID,
		          "is a symbolic link: name the file it points to, or write elsewhere "
		          "with -o");
		return MAPIPROF_FAILED;
	}
	if (ins->tattr.kind == MP_FILE_DIR) {
		mp_seterr(ins->ctx, MAPIPROF_E_ISDIR, "output '%s' is a directory", ins->target);
		return MAPIPROF_FAILED;
	}
	if (!ins->tattr.is_link && ins->tattr.kind != MP_FILE_REGULAR) {
		mp_seterr(ins->ctx, MAPIPROF_E_INVALID, "output '%s' is not a regular file",
		          ins->target);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* Gives the new file fd like's owner (chown first, as it may clear set-id
 * bits) and permission bits.  What the file system or the process cannot
 * set (mp_attr_unsupported: a FUSE mount, vfat, CIFS, or not root) is left
 * as it is and said in a note naming target; any other error fails. */
static int
give_attr(struct mp_install *ins, int fd, const struct mp_file_attr *like, const char *target)
{
	int own = ins->io->chown(fd, like->uid, like->gid);
	if (own != 0 && !mp_attr_unsupported(own)) {
		mp_seterr_errno(ins->ctx, own, "cannot set the owner of a temporary file");
		return MAPIPROF_FAILED;
	}
	int mode = ins->io->chmod(fd, like->mode & 07777);
	if (mode != 0 && !mp_attr_unsupported(mode)) {
		mp_seterr_errno(ins->ctx, mode, "cannot set the permissions of a temporary file");
		return MAPIPROF_FAILED;
	}
	if (own == 0 && mode == 0)
		return MAPIPROF_OK;
	/* Say only what really differs: a process that is not root keeps its
	 * own files' owner without being allowed to set it. */
	struct mp_file_attr now;
	if (mp_fd_attr(ins->ctx, fd, &now) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int lost_own = own != 0 && (now.uid != like->uid || now.gid != like->gid);
	int lost_mode = mode != 0 && (now.mode & 07777) != (like->mode & 07777);
	if (lost_own && lost_mode)
		mp_addnote(
		    ins->ctx,
		    "the owner (uid %u, gid %u) and permissions (%04o) of '%s' were not kept "
		    "(%s; %s): the new file has uid %u, gid %u, mode %04o",
		    like->uid, like->gid, like->mode & 07777, target, strerror(own), strerror(mode),
		    now.uid, now.gid, now.mode & 07777);
	else if (lost_own)
		mp_addnote(ins->ctx,
		           "the owner (uid %u, gid %u) of '%s' was not kept (%s): the new file has "
		           "uid %u, gid %u",
		           like->uid, like->gid, target, strerror(own), now.uid, now.gid);
	else if (lost_mode)
		mp_addnote(ins->ctx,
		           "the permissions (%04o) of '%s' were not kept (%s): the new file has "
		           "mode %04o",
		           like->mode & 07777, target, strerror(mode), now.mode & 07777);
	return MAPIPROF_OK;
}

int
mp_install_temp(struct mp_install *ins, const struct mp_file_attr *like)
{
	if (ins->io->open_unnamed(ins->ctx, ins->dir, &ins->tmp_fd, &ins->tmp) == MAPIPROF_OK) {
		ins->tmp_unnamed = 1;
	} else {
		if (!mp_temp_unnamed_unsupported(mapiprof_errno(ins->ctx)))
			return MAPIPROF_FAILED;
		if (mp_temp_create(ins->ctx, ins->dir, ins->base, NULL, &ins->tmp, &ins->tmp_fd) !=
		        MAPIPROF_OK ||
		    mp_dup(ins->ctx, ins->tmp_fd, &ins->hold_fd) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		ins->has_hold = 1;
	}
	return like != NULL ? give_attr(ins, ins->tmp_fd, like, ins->target) : MAPIPROF_OK;
}

int
mp_install_finish_temp(struct mp_install *ins)
{
	if (ins->io->fsync(ins->ctx, ins->tmp_fd) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (ins->tmp_unnamed)
		return MAPIPROF_OK;
	int r = mp_close(ins->tmp_fd);
	ins->tmp_fd = -1;
	if (r != 0) {
		mp_seterr_errno(ins->ctx, errno, "cannot write the new file '%s'", ins->tmp);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* ---- backup ------------------------------------------------------------- */

/* Links path to a fresh temporary name in dir (*name, malloc'd);
 * *unsupported = 1 when the file system has no hard links. */
static int
link_temp(struct mp_install *ins, const char *path, const char *dir, const char *bakbase,
          char **name, int *unsupported)
{
	*name = NULL;
	*unsupported = 0;
	for (unsigned tries = 0; tries < BACKUP_LINK_TRIES; tries++) {
		char *p = mp_temp_path(dir, bakbase);
		if (p == NULL)
			return mp_nomem(ins->ctx);
		if (ins->io->link(ins->ctx, path, p) == MAPIPROF_OK) {
			*name = p;
			return MAPIPROF_OK;
		}
		free(p);
		int err = mapiprof_errno(ins->ctx);
		if (mp_link_unsupported(err)) {
			*unsupported = 1;
			return MAPIPROF_FAILED;
		}
		if (err != EEXIST)
			return MAPIPROF_FAILED;
	}
	return MAPIPROF_FAILED;
}

/* Copies path to a new temporary file in dir (*name), fsync'd: the backup
 * where hard links are not supported.  *hold keeps the file's writer lock
 * until the caller closes it. */
static int
copy_temp(struct mp_install *ins, const char *path, const struct mp_file_attr *attr,
          const char *dir, const char *bakbase, char **name, int *hold)
{
	int in = -1, out = -1;
	int rc = MAPIPROF_FAILED;
	*name = NULL;
	*hold = -1;
	if (mp_open_read(ins->ctx, path, &in) != MAPIPROF_OK ||
	    mp_temp_create(ins->ctx, dir, bakbase, NULL, name, &out) != MAPIPROF_OK ||
	    mp_dup(ins->ctx, out, hold) != MAPIPROF_OK ||
	    give_attr(ins, out, attr, path) != MAPIPROF_OK)
		goto out;
	if (ins->io->copy(ins->ctx, in, out, attr->size, NULL) != MAPIPROF_OK ||
	    ins->io->fsync(ins->ctx, out) != MAPIPROF_OK)
		goto out;
	rc = mp_close(out) == 0 ? MAPIPROF_OK : MAPIPROF_FAILED;
	if (rc != MAPIPROF_OK)
		mp_seterr_errno(ins->ctx, errno, "cannot write the backup copy");
	out = -1;
out:
	mp_close(in);
	mp_close(out);
	if (rc != MAPIPROF_OK && *name != NULL) {
		mp_unlink(NULL, *name);
		free(*name);
		*name = NULL;
	}
	if (rc != MAPIPROF_OK) {
		mp_close(*hold);
		*hold = -1;
	}
	return rc;
}

/* mp_install_backup; with !may_link always a copy (a log about to be
 * truncated in place would take a hard link's bytes with it). */
static int
backup(struct mp_install *ins, const char *path, const struct mp_file_attr *attr, int may_link)
{
	if (ins->suffix == NULL)
		return MAPIPROF_OK;
	size_t len = strlen(path) + strlen(ins->suffix) + 1;
	char *bak = malloc(len), *bakbase = NULL, *dir = NULL, *name = NULL;
	int rc = MAPIPROF_FAILED, copy = !may_link, hold = -1;
	if (bak == NULL)
		goto nomem;
	snprintf(bak, len, "%s%s", path, ins->suffix);
	if ((bakbase = mp_path_base(bak)) == NULL || (dir = mp_path_dir(bak)) == NULL)
		goto nomem;
	/* link_temp sets copy when the file system has no hard links. */
	if (!copy && link_temp(ins, path, dir, bakbase, &name, &copy) != MAPIPROF_OK && !copy)
		goto out;
	if (copy && copy_temp(ins, path, attr, dir, bakbase, &name, &hold) != MAPIPROF_OK)
		goto out;
	if (ins->io->rename(ins->ctx, name, bak) != MAPIPROF_OK) {
		mp_unlink(NULL, name);
		goto out;
	}
	rc = MAPIPROF_OK;
	goto out;
nomem:
	mp_nomem(ins->ctx);
out:
	mp_close(hold);
	free(name);
	free(dir);
	free(bakbase);
	free(bak);
	return rc;
}

int
mp_install_backup(struct mp_install *ins, const char *path, const struct mp_file_attr *attr)
{
	return backup(ins, path, attr, 1);
}

void
mp_install_expect(struct mp_install *ins, const struct mp_file_attr *read)
{
	ins->expect = *read;
	ins->has_expect = 1;
}

/* Whether the target is still the expected file (mp_install_expect); on a
 * difference MAPIPROF_E_UNSAFE, what happened named. */
static int
check_expected(struct mp_install *ins)
{
	struct mp_file_attr now;
	int exists = 0;
	if (!ins->has_expect)
		return MAPIPROF_OK;
	if (mp_path_attr(ins->ctx, ins->target, &now, &exists) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (exists && !now.is_link && mp_same_identity(&now, &ins->expect))
		return MAPIPROF_OK;
	mp_seterr(ins->ctx, MAPIPROF_E_UNSAFE,
	          "%s while it was being written; it is left as it is, run again",
	          !exists ? "the file was removed"
	          : now.dev != ins->expect.dev || now.ino != ins->expect.ino || now.is_link
	              ? "another file was put in its place"
	              : "the file was changed");
	return MAPIPROF_FAILED;
}

int
mp_install_backup_target(struct mp_install *ins)
{
	if (!ins->target_exists)
		return MAPIPROF_OK;
	if (check_expected(ins) != MAPIPROF_OK ||
	    mp_install_backup(ins, ins->target, &ins->tattr) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (!ins->has_expect)
		return MAPIPROF_OK;
	/* A hard link changes the target's status-change time, and only that:
	 * the file must be the same in every other respect. */
	struct mp_file_attr now;
	int exists = 0;
	if (mp_path_attr(ins->ctx, ins->target, &now, &exists) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int64_t ctime = ins->expect.ctime_ns;
	ins->expect.ctime_ns = now.ctime_ns;
	if (exists && mp_same_identity(&now, &ins->expect))
		return MAPIPROF_OK;
	ins->expect.ctime_ns = ctime;
	return check_expected(ins);
}

/* ---- rename ------------------------------------------------------------- */

/* Gives the finished unnamed temporary file a temporary name beside the
 * target (the rename needs one); from now on ins->tmp is that name. */
static int
name_unnamed(struct mp_install *ins)
{
	for (unsigned tries = 0; tries < BACKUP_LINK_TRIES; tries++) {
		char *p = mp_temp_path(ins->dir, ins->base);
		if (p == NULL)
			return mp_nomem(ins->ctx);
		if (ins->io->link_unnamed(ins->ctx, ins->tmp, p) == MAPIPROF_OK) {
			free(ins->tmp);
			ins->tmp = p;
			ins->tmp_unnamed = 0;
			return MAPIPROF_OK;
		}
		free(p);
		if (mapiprof_errno(ins->ctx) != EEXIST)
			return MAPIPROF_FAILED;
	}
	return MAPIPROF_FAILED;
}

int
mp_install_rename(struct mp_install *ins)
{
	if (check_expected(ins) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (ins->tmp_unnamed && name_unnamed(ins) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (ins->io->rename(ins->ctx, ins->tmp, ins->target) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	free(ins->tmp);
	ins->tmp = NULL;
	if (ins->io->fsync_dir(ins->ctx, ins->dir) != MAPIPROF_OK) {
		char msg[sizeof(ins->ctx->msg)];
		memcpy(msg, ins->ctx->msg, sizeof(msg));
		mp_seterr(ins->ctx, MAPIPROF_E_IO, "the new file is in place, but %.400s", msg);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* ---- dead writers' temporary files ---------------------------------- */

/* Removes name (in the target's directory) when its writer is gone; counts
 * it in *removed (the first few names in shown), or says in a note that it
 * could not. */
static void
reap_one(struct mp_install *ins, struct mapiprof_ctx *scratch, const char *name, size_t *removed,
         char *shown, size_t size)
{
	char *path = mp_path_join(ins->dir, name);
	int stale = 0, hold = -1;
	if (path == NULL || mp_temp_stale(scratch, path, &stale, &hold) != MAPIPROF_OK || !stale) {
		free(path);
		return;
	}
	if (ins->io->remove(scratch, path) != MAPIPROF_OK) {
		mp_addnote(ins->ctx,
		           "a temporary file left by an interrupted write could not be "
		           "removed: %.300s",
		           scratch->msg);
	} else if ((*removed)++ < REAP_NAMES_SHOWN) {
		size_t at = strlen(shown);
		snprintf(shown + at, size - at, "%s%s", at > 0 ? ", " : "", name);
	}
	mp_close(hold);
	free(path);
}

void
mp_install_reap(struct mp_install *ins)
{
	/* Errors here are not the write's: they go to a context of their own. */
	struct mapiprof_ctx scratch;
	memset(&scratch, 0, sizeof(scratch));
	char **names = NULL, *bakbase = NULL, shown[320] = "";
	size_t n = 0, removed = 0;
	if (ins->suffix != NULL) {
		size_t len = strlen(ins->base) + strlen(ins->suffix) + 1;
		if ((bakbase = malloc(len)) != NULL)
			snprintf(bakbase, len, "%s%s", ins->base, ins->suffix);
	}
	if (mp_dir_list(&scratch, ins->dir, &names, &n) == MAPIPROF_OK) {
		for (size_t i = 0; i < n; i++)
			if (mp_temp_name_of(names[i], ins->base) ||
			    (bakbase != NULL && mp_temp_name_of(names[i], bakbase)))
				reap_one(ins, &scratch, names[i], &removed, shown, sizeof(shown));
	}
	if (removed > 0)
		mp_addnote(ins->ctx,
		           "removed %zu temporary file%s that an interrupted earlier write left "
		           "beside '%s' (%s%s)",
		           removed, removed == 1 ? "" : "s", ins->target, shown,
		           removed > REAP_NAMES_SHOWN ? ", ..." : "");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(bakbase);
	free(scratch.file);
	mp_iconv_cache_free(&scratch);
}

void
mp_install_end(struct mp_install *ins)
{
	mp_close(ins->tmp_fd);
	ins->tmp_fd = -1;
	if (ins->tmp != NULL && !ins->tmp_unnamed)
		mp_unlink(NULL, ins->tmp);
	if (ins->has_hold)
		mp_close(ins->hold_fd);
	ins->has_hold = 0;
	ins->tmp_unnamed = 0;
	free(ins->tmp);
	free(ins->dir);
	free(ins->base);
	ins->tmp = ins->dir = ins->base = NULL;
}

/* ---- transaction logs --------------------------------------------------- */

int
mp_install_backup_logs(struct mp_install *ins, const struct mapiprof_info *in)
{
	for (size_t i = 0; i < in->nlogs; i++) {
		const struct mapiprof_logfile *l = &in->logs[i];
		struct mp_file_attr a;
		int exists = 0;
		if (l->size == 0)
			continue;
		if (mp_path_attr(ins->ctx, l->path, &a, &exists) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (exists && backup(ins, l->path, &a, 0) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mp_install_reset_logs(struct mp_install *ins, const struct mapiprof_info *in)
{
	for (size_t i = 0; i < in->nlogs; i++) {
		const struct mapiprof_logfile *l = &in->logs[i];
		if (l->size == 0 || ins->io->reset(ins->ctx, l->path) == MAPIPROF_OK)
			continue;
		char msg[sizeof(ins->ctx->msg)];
		memcpy(msg, ins->ctx->msg, sizeof(msg));
		mp_seterr(ins->ctx, MAPIPROF_E_IO,
		          "the recovered hive is in place and clean, so Windows ignores its "
		          "transaction logs, but resetting them failed: %.380s",
		          msg);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* 1 when the two lists name the same logs with the same sizes and times. */
static int
same_logs(const struct mapiprof_info *a, const struct mapiprof_info *b)
{
	if (a->nlogs != b->nlogs)
		return 0;
	for (size_t i = 0; i < a->nlogs; i++) {
		const struct mapiprof_logfile *x = &a->logs[i], *y = &b->logs[i];
		if (strcmp(x->path, y->path) != 0 || x->size != y->size ||
		    x->mtime_ns != y->mtime_ns)
			return 0;
	}
	return 1;
}

int
mp_install_unchanged(struct mapiprof_ctx *ctx, const struct mapiprof_info *in, int *same)
{
	struct mapiprof_info *now = NULL;
	*same = 0;
	if (mp_hiveinfo_inspect(ctx, in->path, MP_INSPECT_NO_HASH, &now) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*same = now->size == in->size && now->mtime_ns == in->mtime_ns && same_logs(in, now);
	mapiprof_info_free(now);
	return MAPIPROF_OK;
}
