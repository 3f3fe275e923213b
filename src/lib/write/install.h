/* install.h - puts a new file in place of a target atomically, for plan
 * writes (commit.c), recoveries (recover.c) and saves (save.c): a temporary
 * file beside the target, unnamed where the system has them (Linux
 * O_TMPFILE, named only just before the rename, so that a killed writer
 * leaves nothing), else created exclusively, fsync'd; an optional backup
 * of the file it replaces (a hard link, or a copy where links are not
 * supported); rename over the target; fsync of the directory
 * (unlike hivex_commit, which rewrites the file in place: hivex lib/write.c).
 * And the reset of the transaction logs beside a hive after its recovered
 * state was written (regf spec "Dirty state of a hive").
 * Every step that touches the disk goes through the mp_commit_io table
 * (write/commit_io.h), which tests replace. */
#ifndef MP_INSTALL_H
#define MP_INSTALL_H

#include "base/ctx.h"
#include "base/platform.h"
#include "write/commit_io.h"

/* One replacement in progress.  Zero it, then mp_install_begin; always
 * mp_install_end. */
struct mp_install {
	struct mapiprof_ctx *ctx;
	const struct mp_commit_io *io;
	const char *target;        /* borrowed */
	const char *suffix;        /* backup suffix, or NULL */
	char *dir, *base;          /* of the target */
	int target_exists;         /* an output path may be new */
	struct mp_file_attr tattr; /* lstat of the target, when target_exists */
	char *tmp;                 /* the temporary file while it exists */
	int tmp_fd;
	/* tmp is an unnamed file's reopen path (mp_temp_open_unnamed), and
	 * tmp_fd stays open until the end: closing it would drop the file. */
	int tmp_unnamed;
	/* A named tmp: a second descriptor keeping its writer's lock
	 * (mp_temp_stale) after tmp_fd is closed. */
	int hold_fd, has_hold;
	/* The target as the caller read it (mp_install_expect): the rename
	 * goes ahead only while the target is still that file. */
	struct mp_file_attr expect;
	int has_expect;
};

/* Sets ins up for target: the step table in use (mp_commit_io_current),
 * the target's directory, name and attributes (lstat); checks the backup
 * suffix (NULL, or mp_path_suffix_ok: MAPIPROF_E_INVALID). */
int mp_install_begin(struct mp_install *ins, struct mapiprof_ctx *ctx, const char *target,
                     const char *suffix);
/* The target of a hive write: absent, or a regular file (a directory is
 * MAPIPROF_E_ISDIR); a symbolic link only when !in_place (in place, the
 * rename would replace the link, not the file it names). */
int mp_install_check_target(struct mp_install *ins, int in_place);
/* Creates the temporary file beside the target with like's owner (where
 * allowed) and permission bits (ins->tmp, ins->tmp_fd): unnamed
 * (io->open_unnamed; ins->tmp then reopens it) unless the system or file
 * system has no such files, else named (mp_temp_create). */
int mp_install_temp(struct mp_install *ins, const struct mp_file_attr *like);
/* Syncs the temporary file and closes a named one (a failed close can be
 * the first report of a failed write, e.g. on NFS). */
int mp_install_finish_temp(struct mp_install *ins);
/* Makes the rename conditional: the target must still be the file
 * described by read (an fstat of the file the new content was made from)
 * when it is replaced, else the rename fails with MAPIPROF_E_UNSAFE and the
 * target is left as it is (another program replaced or changed it
 * meanwhile). */
void mp_install_expect(struct mp_install *ins, const struct mp_file_attr *read);
/* Keeps the file at path (which must exist, attr its lstat) as
 * path+ins->suffix: a hard link (or a copy where links are unsupported)
 * under a temporary name in path's directory, renamed over an older backup
 * so that one is replaced atomically.  Does nothing without a suffix. */
int mp_install_backup(struct mp_install *ins, const char *path, const struct mp_file_attr *attr);
/* Keeps the target as target+suffix when it exists (mp_install_backup). */
int mp_install_backup_target(struct mp_install *ins);
/* Renames the finished temporary file over the target (checking it
 * first, as mp_install_expect says; an unnamed one is first given a
 * temporary name, io->link_unnamed) and syncs the directory.  Past the rename the new file is in
 * place: a failed directory sync is still reported (the rename may not survive a crash), with a
 * message saying the new file is in place. */
int mp_install_rename(struct mp_install *ins);
/* Removes what writers of this target killed before they finished left
 * in its directory: files named as mp_temp_path names the target's (or,
 * with ins->suffix, its backup's) temporary files, each only when
 * mp_temp_stale says its writer is gone (a regular file of ours that no
 * writer holds), through io->remove.  Call only while holding the target's
 * writer lock (mp_lock_path), which keeps this library's other writers of
 * it out.  Each removal, or failure to remove, is said in a note; nothing
 * here fails the write. */
void mp_install_reap(struct mp_install *ins);
/* Removes the temporary file if it is still there; frees what begin set. */
void mp_install_end(struct mp_install *ins);

/* ---- transaction logs after a recovery ---------------------------------- */

/* Backs up (ins->suffix, as mp_install_backup but always as a copy, since
 * the log is then truncated in place) every non-empty log of in (in->logs,
 * found beside the hive by mp_hiveinfo_inspect). */
int mp_install_backup_logs(struct mp_install *ins, const struct mapiprof_info *in);
/* Resets every non-empty log of in after the recovered hive was put in
 * its place: truncated to 0 bytes and fsync'd (io->reset).  The spec
 * describes no other reset; a clean primary makes Windows ignore its logs
 * ("Dirty state of a hive"), and an empty log is what Windows itself leaves
 * (the dummy .LOG; yarp's OldDirtyHive.LOG2).  A failure is MAPIPROF_E_IO
 * with a message that the new hive is in place and clean. */
int mp_install_reset_logs(struct mp_install *ins, const struct mapiprof_info *in);

/* 1 when the hive at path and the logs beside it are still those of in (a
 * hive inspected before): same size and modification time, and the same
 * logs (none added or gone).  Fails only when the hive cannot be inspected
 * again. */
int mp_install_unchanged(struct mapiprof_ctx *ctx, const struct mapiprof_info *in, int *same);

#endif
