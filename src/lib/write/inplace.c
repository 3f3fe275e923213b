/* inplace.c - the journaled in-place write (inplace.h): the patch of
 * regf/patch.c recorded instead of written, its changed pages journaled
 * to FILE.LOG1 (regf/log_write.c), then written into the hive between a
 * dirty and a clean base block, as Windows 8.1 and later flush a hive
 * (M. Suhanov's regf specification, "Dirty state of a hive", "New format";
 * the replay of regf/replay.c and Windows both complete a dirty hive from
 * such a log).  Each step is flushed before the next starts: the log before
 * the hive is marked dirty, the dirty mark before any page, the pages
 * before the clean mark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/le.h"
#include "base/platform.h"
#include "regf/base_block.h"
#include "regf/log_write.h"
#include "regf/patch.h"
#include "write/inplace.h"

/* The name Windows gives the new-format log it writes first ("Multiple
 * transaction log files": .LOG1, then .LOG2). */
#define LOG_SUFFIX ".LOG1"

/* The changed pages of the hive bins: sorted page numbers, and their new
 * bytes (page i at buf + i * MP_LOG_PAGE). */
struct pages {
	uint32_t *idx;
	size_t n;
	uint8_t *buf;
	struct mp_regf_page_run *runs;
	size_t nruns;
};

/* One write in progress. */
struct job {
	const struct mp_inplace *w;
	struct mapiprof_ctx *ctx;
	struct mp_regf_writes rec;
	struct mp_regf_base old;           /* the hive's base block as read */
	uint8_t clean[MP_REGF_BASE_BLOCK]; /* the final base block (the patch's) */
	uint8_t dirty[MP_REGF_BASE_BLOCK];
	struct pages pg;
	char *log;
	int fd, log_fd;
	int dirtied; /* the hive was marked dirty and is not clean again */
};

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The page numbers the recorded writes touch (past the base block), and
 * the base block write (offset 0, the patch's last) taken as the clean
 * one. */
static int
collect(struct job *j)
{
	size_t total = 0;
	int have_base = 0;
	for (size_t i = 0; i < j->rec.n; i++) {
		const struct mp_regf_write *x = &j->rec.v[i];
		if (x->off == 0 && x->len <= MP_REGF_BASE_BLOCK) {
			memcpy(j->clean, j->old.bb, MP_REGF_BASE_BLOCK);
			memcpy(j->clean, x->data, x->len);
			have_base = 1;
			continue;
		}
		if (x->off < MP_REGF_BASE_BLOCK || x->len == 0) {
			mp_seterr(j->ctx, MAPIPROF_E_INVALID,
			          "in-place write: a write at offset %llu",
			          (unsigned long long)x->off);
			return MAPIPROF_FAILED;
		}
		uint64_t rel = x->off - MP_REGF_BASE_BLOCK;
		total += (size_t)((rel + x->len - 1u) / MP_LOG_PAGE - rel / MP_LOG_PAGE + 1u);
	}
	if (!have_base || total == 0) {
		mp_seterr(j->ctx, MAPIPROF_E_INVALID, "in-place write: the patch wrote no %s",
		          have_base ? "cell" : "base block");
		return MAPIPROF_FAILED;
	}
	if ((j->pg.idx = calloc(total, sizeof(*j->pg.idx))) == NULL)
		return mp_nomem(j->ctx);
	size_t n = 0;
	for (size_t i = 0; i < j->rec.n; i++) {
		const struct mp_regf_write *x = &j->rec.v[i];
		if (x->off < MP_REGF_BASE_BLOCK)
			continue;
		uint64_t rel = x->off - MP_REGF_BASE_BLOCK;
		for (uint64_t p = rel / MP_LOG_PAGE; p <= (rel + x->len - 1u) / MP_LOG_PAGE; p++)
			j->pg.idx[n++] = (uint32_t)p;
	}
	qsort(j->pg.idx, n, sizeof(*j->pg.idx), u32_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || j->pg.idx[u - 1] != j->pg.idx[i])
			j->pg.idx[u++] = j->pg.idx[i];
	j->pg.n = u;
	return MAPIPROF_OK;
}

/* The changed pages' new bytes: each page as the hive holds it (an
 * appended one from zero), then the recorded writes over them; and the
 * runs of consecutive pages the log and the hive get. */
static int
build_pages(struct job *j)
{
	struct pages *pg = &j->pg;
	if ((pg->buf = calloc(pg->n, MP_LOG_PAGE)) == NULL ||
	    (pg->runs = calloc(pg->n, sizeof(*pg->runs))) == NULL)
		return mp_nomem(j->ctx);
	for (size_t i = 0; i < pg->n; i++) {
		uint64_t rel = (uint64_t)pg->idx[i] * MP_LOG_PAGE;
		if (rel < j->old.bins &&
		    mp_pread_full(j->ctx, j->w->in_fd, pg->buf + i * MP_LOG_PAGE, MP_LOG_PAGE,
		                  rel + MP_REGF_BASE_BLOCK) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	for (size_t i = 0; i < j->rec.n; i++) {
		const struct mp_regf_write *x = &j->rec.v[i];
		if (x->off < MP_REGF_BASE_BLOCK)
			continue;
		uint64_t rel = x->off - MP_REGF_BASE_BLOCK;
		for (size_t done = 0; done < x->len;) {
			uint32_t page = (uint32_t)((rel + done) / MP_LOG_PAGE);
			size_t at = (size_t)((rel + done) % MP_LOG_PAGE), k = MP_LOG_PAGE - at;
			uint32_t *hit = bsearch(&page, pg->idx, pg->n, sizeof(*pg->idx), u32_cmp);
			if (k > x->len - done)
				k = x->len - done;
			memcpy(pg->buf + (size_t)(hit - pg->idx) * MP_LOG_PAGE + at, x->data + done,
			       k);
			done += k;
		}
	}
	for (size_t i = 0; i < pg->n; i++) {
		struct mp_regf_page_run *r = &pg->runs[pg->nruns];
		if (pg->nruns > 0 && pg->idx[i] == pg->idx[i - 1] + 1u) {
			r[-1].len += MP_LOG_PAGE;
			continue;
		}
		*r = (struct mp_regf_page_run){pg->idx[i] * MP_LOG_PAGE, MP_LOG_PAGE,
		                               pg->buf + i * MP_LOG_PAGE};
		pg->nruns++;
	}
	return MAPIPROF_OK;
}

/* The log beside the hive to journal into: an existing FILE.LOG1 (its name
 * matched case-insensitively, as the hive's logs are found), else that
 * name. */
static int
find_log(struct job *j)
{
	const struct mapiprof_info *in = j->w->info;
	size_t sl = strlen(LOG_SUFFIX);
	for (size_t i = 0; in != NULL && i < in->nlogs; i++) {
		const char *p = in->logs[i].path;
		size_t len = strlen(p);
		if (len > sl && strcasecmp(p + len - sl, LOG_SUFFIX) == 0)
			return (j->log = strdup(p)) != NULL ? MAPIPROF_OK : mp_nomem(j->ctx);
	}
	size_t len = strlen(j->w->path);
	if ((j->log = malloc(len + sl + 1u)) == NULL)
		return mp_nomem(j->ctx);
	memcpy(j->log, j->w->path, len);
	memcpy(j->log + len, LOG_SUFFIX, sl + 1u);
	return MAPIPROF_OK;
}

/* Opens the hive for writing and checks it is the file read (in_fd). */
static int
open_hive(struct job *j)
{
	struct mp_file_attr a, b;
	if (mp_open_rw(j->ctx, j->w->path, 0, &j->fd) != MAPIPROF_OK ||
	    mp_fd_attr(j->ctx, j->fd, &a) != MAPIPROF_OK ||
	    mp_fd_attr(j->ctx, j->w->in_fd, &b) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (!mp_same_identity(&a, &b)) {
		mp_seterr(j->ctx, MAPIPROF_E_UNSAFE,
		          "the file changed after it was read; nothing written, run again");
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* Step 1: the log emptied, then its base block and the one entry written
 * and flushed (with its directory, which may have just got it). */
static int
write_log(struct job *j)
{
	const struct mp_commit_io *io = j->w->io;
	uint8_t *img = NULL;
	size_t len = 0;
	uint32_t bins = mp_le32(j->clean + MP_BB_BINS_SIZE);
	char *dir = mp_path_dir(j->log);
	int rc = dir != NULL ? MAPIPROF_OK : mp_nomem(j->ctx);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_log_build(j->ctx, j->old.bb, j->old.seq1, bins, j->pg.runs,
		                       j->pg.nruns, &img, &len);
	if (rc == MAPIPROF_OK)
		rc = mp_open_rw(j->ctx, j->log, 1, &j->log_fd);
	/* Emptied first: bytes of an older, longer log after the entry could
	 * read as its continuation. */
	if (rc == MAPIPROF_OK)
		rc = io->reset(j->ctx, j->log);
	if (rc == MAPIPROF_OK)
		rc = io->pwrite(j->ctx, j->log_fd, img, len, 0);
	if (rc == MAPIPROF_OK)
		rc = io->fsync(j->ctx, j->log_fd);
	if (rc == MAPIPROF_OK)
		rc = io->fsync_dir(j->ctx, dir);
	free(img);
	free(dir);
	return rc;
}

/* Step 2: the hive marked dirty (primary sequence number one past the
 * secondary, which the log's entry continues: "Dirty state of a hive"),
 * flushed; then the pages in place, flushed. */
static int
write_pages(struct job *j)
{
	const struct mp_commit_io *io = j->w->io;
	memcpy(j->dirty, j->old.bb, MP_REGF_BASE_BLOCK);
	mp_put_le32(j->dirty + MP_BB_SEQ1, j->old.seq1 + 1u);
	mp_regf_base_seal(j->dirty);
	j->dirtied = 1;
	int rc = io->pwrite(j->ctx, j->fd, j->dirty, MP_BB_CHECKSUM + 4u, 0);
	if (rc == MAPIPROF_OK)
		rc = io->fsync(j->ctx, j->fd);
	for (size_t i = 0; rc == MAPIPROF_OK && i < j->pg.nruns; i++) {
		const struct mp_regf_page_run *r = &j->pg.runs[i];
		rc = io->pwrite(j->ctx, j->fd, r->data, r->len,
		                (uint64_t)r->off + MP_REGF_BASE_BLOCK);
	}
	return rc == MAPIPROF_OK ? io->fsync(j->ctx, j->fd) : rc;
}

/* Step 3: the clean base block (both sequence numbers S + 1, the new
 * hive-bins size, as the patch made it), flushed. */
static int
write_clean(struct job *j)
{
	const struct mp_commit_io *io = j->w->io;
	int rc = io->pwrite(j->ctx, j->fd, j->clean, MP_BB_CHECKSUM + 4u, 0);
	if (rc == MAPIPROF_OK)
		rc = io->fsync(j->ctx, j->fd);
	if (rc == MAPIPROF_OK)
		j->dirtied = 0;
	return rc;
}

/* The base block and the pages read back through a new descriptor. */
static int
verify(struct job *j)
{
	int fd = -1;
	uint8_t *got = malloc(MP_LOG_PAGE);
	int rc = got != NULL ? mp_open_read(j->ctx, j->w->path, &fd) : mp_nomem(j->ctx);
	if (rc == MAPIPROF_OK)
		rc = mp_pread_full(j->ctx, fd, got, MP_BB_CHECKSUM + 4u, 0);
	if (rc == MAPIPROF_OK && memcmp(got, j->clean, MP_BB_CHECKSUM + 4u) != 0)
		rc = MAPIPROF_E_VERIFY;
	for (size_t i = 0; rc == MAPIPROF_OK && i < j->pg.n; i++) {
		uint64_t off = (uint64_t)j->pg.idx[i] * MP_LOG_PAGE + MP_REGF_BASE_BLOCK;
		rc = mp_pread_full(j->ctx, fd, got, MP_LOG_PAGE, off);
		if (rc == MAPIPROF_OK && memcmp(got, j->pg.buf + i * MP_LOG_PAGE, MP_LOG_PAGE) != 0)
			rc = MAPIPROF_E_VERIFY;
	}
	if (rc == MAPIPROF_E_VERIFY) {
		mp_seterr(j->ctx, MAPIPROF_E_VERIFY,
		          "the written file did not verify: what was written in place does not "
		          "read back");
		rc = MAPIPROF_FAILED;
	}
	mp_close(fd);
	free(got);
	return rc;
}

/* A write that stopped with the hive dirty: its log completes it. */
static void
say_dirty(struct job *j)
{
	char msg[sizeof(j->ctx->msg)];
	memcpy(msg, j->ctx->msg, sizeof(msg));
	mp_seterr(j->ctx, j->ctx->code,
	          "%.300s; the hive was left dirty: its transaction log %s holds the whole change, "
	          "which a log replay (mapiprof recover, or Windows loading the hive) completes",
	          msg, j->log);
}

int
mp_inplace_write(const struct mp_inplace *w, int *declined, char *why, size_t whylen)
{
	struct job j = {.w = w, .ctx = w->ctx, .fd = -1, .log_fd = -1};
	int done = 0;
	*declined = 0;
	int rc = mp_regf_base_read(w->ctx, w->in_fd, &j.old);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_patch_record(w->ctx, w->in_fd, w->keys, w->nkeys, &j.rec, &done);
	if (rc == MAPIPROF_OK && !done) {
		*declined = 1;
		snprintf(why, whylen,
		         "the changes need more than the hive's own cells and one appended bin "
		         "(or its header is unusual)");
		goto out;
	}
	if (rc == MAPIPROF_OK)
		rc = collect(&j);
	if (rc == MAPIPROF_OK)
		rc = build_pages(&j);
	if (rc == MAPIPROF_OK)
		rc = find_log(&j);
	if (rc == MAPIPROF_OK)
		rc = open_hive(&j);
	if (rc == MAPIPROF_OK)
		rc = write_log(&j);
	if (rc == MAPIPROF_OK)
		rc = write_pages(&j);
	if (rc == MAPIPROF_OK)
		rc = write_clean(&j);
	if (rc != MAPIPROF_OK && j.dirtied)
		say_dirty(&j);
	/* The hive is whole and clean now; a log that could not be reset holds
	 * only an entry older than the hive, which replay ignores. */
	if (rc == MAPIPROF_OK && w->io->reset(w->ctx, j.log) != MAPIPROF_OK) {
		mp_setnote(w->ctx, "the hive was written, but its log %s could not be reset: %s",
		           j.log, w->ctx->msg);
		mapiprof_clear_error(w->ctx);
	}
	if (rc == MAPIPROF_OK)
		rc = verify(&j);
out:
	mp_close(j.fd);
	mp_close(j.log_fd);
	mp_regf_writes_free(&j.rec);
	free(j.pg.idx);
	free(j.pg.buf);
	free(j.pg.runs);
	free(j.log);
	return rc;
}
