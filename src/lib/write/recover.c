/* recover.c - the recovered state of a dirty hive (recover.h): kept in a
 * private temporary file for reading, and written by mapiprof_recover as a
 * clean hive over the input or to a new file, the way Windows recovers it
 * on load (regf/replay.h; replay first, then write a clean hive, as yarp's
 * save_recovered_hive does). */
#include <stdlib.h>
#include <string.h>

#include "base/platform.h"
#include "regf/hiveinfo.h"
#include "store/store.h"
#include "write/install.h"
#include "write/recover.h"

/* Permission bits of the private temporary image. */
#define RECOVERED_MODE 0600u

/* ---- the image for reading ---------------------------------------------- */

int
mp_recovered_create(struct mapiprof_ctx *ctx, const char *input, const struct mp_buf *img,
                    struct mp_recovered **out)
{
	struct mp_file_attr like = {.kind = MP_FILE_REGULAR, .mode = RECOVERED_MODE};
	struct mp_recovered *r = calloc(1, sizeof(*r));
	char *base = mp_path_base(input);
	int rc = MAPIPROF_FAILED;
	*out = NULL;
	if (r != NULL)
		r->fd = -1;
	if (r == NULL || base == NULL) {
		mp_nomem(ctx);
		goto out;
	}
	/* uid and gid -1: fchown changes nothing, the file stays the caller's. */
	like.uid = like.gid = UINT32_MAX;
	if (mp_temp_create(ctx, mp_tmpdir(), base, &like, &r->path, &r->fd) != MAPIPROF_OK ||
	    mp_write_full(ctx, r->fd, img->data, img->len) != MAPIPROF_OK ||
	    mp_hiveinfo_inspect(ctx, r->path, MP_INSPECT_NO_HASH | MP_INSPECT_NO_LOGS, &r->info) !=
	        MAPIPROF_OK)
		goto out;
	*out = r;
	r = NULL;
	rc = MAPIPROF_OK;
out:
	mp_recovered_free(r);
	free(base);
	return rc;
}

void
mp_recovered_free(struct mp_recovered *r)
{
	if (r == NULL)
		return;
	mp_close(r->fd);
	if (r->path != NULL)
		mp_unlink(NULL, r->path);
	free(r->path);
	mapiprof_info_free(r->info);
	free(r);
}

int
mp_recovered_state(struct mapiprof_ctx *ctx, struct mapiprof_info *info,
                   const struct mp_regf_recovery *rep)
{
	info->state = "recovered";
	info->recovered_format = rep->format;
	info->recovered_entries = rep->entries_applied;
	info->recovered_seq = rep->seq_after;
	if ((info->recovery_note = mp_info_strdup(info, rep->stop_reason)) == NULL)
		return mp_nomem(ctx);
	/* mp_regf_recover_file read the logs info lists, in that order. */
	for (size_t i = 0; rep->nlogs == info->nlogs && i < rep->nlogs; i++)
		if (rep->logs_used & ((size_t)1 << i))
			mp_info_log_replayed(info, i, 1);
	return MAPIPROF_OK;
}

/* ---- mapiprof_recover ----------------------------------------------------- */

/* One recovery being written. */
struct recovery {
	struct mapiprof_ctx *ctx;
	const char *path;
	struct mapiprof_recover_opts opts;
	int in_place;
	struct mapiprof_info *in; /* the input as found, then the state fields */
	struct mp_buf img;
	struct mp_regf_recovery rep;
	struct mp_install ins;
	struct mp_file_attr like; /* the input's owner and mode */
	int lock_fd;              /* in place: the input's lock (mp_lock_path) */
};

/* The plain and the Windows-rule checksum of the temporary file's base
 * block. */
static int
temp_checksums(struct recovery *r, uint32_t *plain, uint32_t *windows)
{
	uint8_t bb[MP_REGF_BASE_BLOCK];
	int fd = -1;
	int rc = mp_open_read(r->ctx, r->ins.tmp, &fd);
	if (rc == MAPIPROF_OK)
		rc = mp_pread_full(r->ctx, fd, bb, sizeof(bb), 0);
	mp_close(fd);
	if (rc == MAPIPROF_OK)
		mp_regf_checksum(bb, plain, windows);
	return rc;
}

/* The written file is a clean hive hivex opens: sequence numbers equal,
 * checksum right by the plain and the Windows rule, file type 0 and (a
 * recovered image) hive bins filling the file after the base block
 * (regf/replay.h; regf spec "Base block"). */
static int
verify_image(struct recovery *r)
{
	struct mapiprof_info *t = NULL;
	struct mp_store *s = NULL;
	mp_key root = 0;
	int rc = MAPIPROF_FAILED;
	if (mp_hiveinfo_inspect(r->ctx, r->ins.tmp, MP_INSPECT_NO_HASH | MP_INSPECT_NO_LOGS, &t) !=
	    MAPIPROF_OK)
		goto out;
	uint32_t plain = 0, windows = 0;
	if (temp_checksums(r, &plain, &windows) != MAPIPROF_OK)
		goto out;
	int clean = t->seq1 == t->seq2 && t->checksum_stored == plain && plain == windows &&
	            t->file_type == 0 &&
	            (r->rep.format == MP_REGF_LOG_NONE ||
	             t->size == (uint64_t)MP_REGF_BASE_BLOCK + t->bins_size);
	if (!clean) {
		mp_seterr(r->ctx, MAPIPROF_E_VERIFY,
		          "the written file did not verify: its base block is not clean (sequence "
		          "numbers %u/%u, checksum 0x%08x, computed 0x%08x/0x%08x, type %u, hive "
		          "bins %u in %llu bytes)",
		          (unsigned)t->seq1, (unsigned)t->seq2, (unsigned)t->checksum_stored,
		          (unsigned)plain, (unsigned)windows, (unsigned)t->file_type,
		          (unsigned)t->bins_size, (unsigned long long)t->size);
		goto out;
	}
	if (mp_store_hive_open(r->ctx, r->ins.tmp, 0, &s) != MAPIPROF_OK ||
	    s->ops->root(s, &root) != MAPIPROF_OK) {
		char msg[sizeof(r->ctx->msg)];
		memcpy(msg, r->ctx->msg, sizeof(msg));
		mp_seterr(r->ctx, MAPIPROF_E_VERIFY, "the written file did not verify: %.400s",
		          msg);
		goto out;
	}
	rc = MAPIPROF_OK;
out:
	mp_store_close(s);
	mapiprof_info_free(t);
	return rc;
}

/* The input's owner and permissions, which the new file takes over. */
static int
input_attr(struct recovery *r)
{
	int fd = -1;
	int rc = mp_open_read(r->ctx, r->path, &fd);
	if (rc == MAPIPROF_OK)
		rc = mp_fd_attr(r->ctx, fd, &r->like);
	mp_close(fd);
	return rc;
}

/* Writes the image beside the target, verifies it, checks that the hive
 * and its logs did not change while they were read, keeps the backups,
 * renames it into place and (consume_logs) resets the logs. */
static int
write_image(struct recovery *r)
{
	const char *target = r->in_place ? r->path : r->opts.output;
	int same = 0, consume = r->in_place && r->opts.consume_logs;
	if (mp_install_begin(&r->ins, r->ctx, target, r->opts.backup_suffix) != MAPIPROF_OK ||
	    mp_install_check_target(&r->ins, r->in_place) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	/* In place the writer lock is held (mapiprof_recover). */
	if (r->in_place)
		mp_install_reap(&r->ins);
	if (input_attr(r) != MAPIPROF_OK || mp_install_temp(&r->ins, &r->like) != MAPIPROF_OK ||
	    r->ins.io->write(r->ctx, r->ins.tmp_fd, r->img.data, r->img.len) != MAPIPROF_OK ||
	    mp_install_finish_temp(&r->ins) != MAPIPROF_OK || verify_image(r) != MAPIPROF_OK ||
	    mp_install_unchanged(r->ctx, r->in, &same) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (!same) {
		mp_seterr(r->ctx, MAPIPROF_E_UNSAFE,
		          "the hive or its transaction logs changed while they were read; nothing "
		          "written, run again");
		return MAPIPROF_FAILED;
	}
	if (mp_install_backup_target(&r->ins) != MAPIPROF_OK ||
	    (consume && mp_install_backup_logs(&r->ins, r->in) != MAPIPROF_OK) ||
	    mp_install_rename(&r->ins) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return consume ? mp_install_reset_logs(&r->ins, r->in) : MAPIPROF_OK;
}

/* Replays and fills the state fields: "recovered", or "primary" for a
 * clean hive (nothing replayed, note NULL). */
static int
replay(struct recovery *r)
{
	if (mp_hiveinfo_inspect(r->ctx, r->path, MP_INSPECT_NO_HASH, &r->in) != MAPIPROF_OK ||
	    mp_regf_recover_file(r->ctx, r->in, &r->img, &r->rep) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (!r->rep.primary_dirty) {
		r->in->state = "primary";
		return MAPIPROF_OK;
	}
	return mp_recovered_state(r->ctx, r->in, &r->rep);
}

int
mapiprof_recover(struct mapiprof_ctx *ctx, const char *path,
                 const struct mapiprof_recover_opts *opts, struct mapiprof_info **info)
{
	struct recovery r = {.ctx = ctx, .path = path, .lock_fd = -1};
	int rc = MAPIPROF_FAILED;
	r.ins.tmp_fd = -1;
	if (info != NULL)
		*info = NULL;
	if (ctx == NULL || path == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_recover: NULL argument");
		return MAPIPROF_FAILED;
	}
	if (opts != NULL)
		r.opts = *opts;
	r.in_place = r.opts.output == NULL;
	if (!r.in_place && r.opts.consume_logs) {
		mp_seterr(ctx, MAPIPROF_E_INVALID,
		          "consuming the logs needs an in-place recovery (no output file): with "
		          "an output the input and its logs are left as they are");
		goto out;
	}
	/* In place it may write: locked before reading, as a plan write is
	 * (MAPIPROF_OPEN_LOCK). */
	if (r.in_place && mp_lock_path(ctx, path, mp_lock_wait_ms(ctx), &r.lock_fd) != MAPIPROF_OK)
		goto out;
	if (replay(&r) != MAPIPROF_OK)
		goto out;
	/* A clean hive is not rewritten in place; an output gets a copy. */
	if ((r.rep.primary_dirty || !r.in_place) && write_image(&r) != MAPIPROF_OK)
		goto out;
	rc = MAPIPROF_OK;
	if (info != NULL) {
		*info = r.in;
		r.in = NULL;
	}
out:
	mp_install_end(&r.ins);
	mp_buf_free(&r.img);
	mapiprof_info_free(r.in);
	mp_close(r.lock_fd);
	if (rc != MAPIPROF_OK)
		mp_seterr_file(ctx, path);
	return rc;
}
