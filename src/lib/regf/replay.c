/* replay.c - transaction-log replay (replay.h): chooses which of
 * the logs log.c accepted apply, applies their entries or dirty pages
 * to a copy of the primary hive image and seals the result's base block,
 * following M. Suhanov's regf specification ("Dirty state of a hive",
 * "Multiple transaction log files"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "regf/cells.h"
#include "regf/hiveinfo.h"
#include "regf/replay.h"

/* Half the sequence-number space: a is after b when 0 < a - b <= this
 * (sequence numbers wrap, as yarp handles). */
#define SEQ_HALF 0x7FFFFFFFu
#define NO_LOG   ((size_t)-1)

struct seg {
	size_t log, skip, count; /* apply entries skip..skip+count-1 of the run */
};

struct replay {
	struct mapiprof_ctx *ctx;
	struct mp_regf_recovery *rep;
	struct mp_regf_primary prim;
	size_t nlogs;
	struct mp_regf_logv lv[MP_REGF_MAX_LOGS];
	/* the plan */
	uint32_t format;
	size_t nseg;
	struct seg seg[MP_REGF_MAX_LOGS];
	size_t base_log; /* whose base block the result starts from; NO_LOG: the primary's */
	size_t dirt_log;
	/* the image */
	uint8_t *img;
	size_t cap;
	size_t avail; /* primary hive-bins bytes copied into img */
	uint32_t bins, seq, flags;
};

static int
seq_after(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) <= SEQ_HALF;
}

/* ---- choosing what to apply -------------------------------------------- */

/* Notes for the new-format logs after the chain from the primary's seq2 to
 * want was planned. */
static void
note_new_logs(struct replay *r, const int *used, uint32_t want)
{
	for (size_t i = 0; i < r->nlogs; i++) {
		struct mp_regf_logv *lv = &r->lv[i];
		char *note = r->rep->logs[i].note;
		size_t n = sizeof(r->rep->logs[i].note);
		uint32_t first = lv->b.seq1, last = first + (uint32_t)lv->nvalid - 1u;
		if (lv->kind != MP_REGF_LOG_NEW || used[i])
			continue;
		if (lv->nvalid == 0)
			mp_regf_log_fmt(note, n, "no valid entry: %s", lv->end);
		else if ((uint32_t)(r->prim.b.seq2 - first) >= lv->nvalid &&
		         (uint32_t)(r->prim.b.seq2 - first) <= SEQ_HALF)
			mp_regf_log_fmt(
			    note, n,
			    "older than the primary: entries %u..%u, the primary needs %u on",
			    first, last, r->prim.b.seq2);
		else if ((uint32_t)(want - first) >= lv->nvalid &&
		         (uint32_t)(want - first) <= SEQ_HALF)
			mp_regf_log_fmt(note, n, "not needed: entries %u..%u came from another log",
			                first, last);
		else
			mp_regf_log_fmt(note, n,
			                "not applied: its entries start at %u, replay needed %u",
			                first, want);
	}
}

/* With a valid primary base block: entries from the primary's seq2 on, in
 * strict +1 order, taking each next run from the log that continues the
 * sequence furthest (spec notes 5 and 7, "Multiple transaction log files:
 * New format").  Returns the number of entries planned. */
static size_t
plan_chain(struct replay *r)
{
	int used[MP_REGF_MAX_LOGS] = {0};
	uint32_t want = r->prim.b.seq2;
	size_t total = 0;
	/* Each step uses up one log, so at most nlogs steps. */
	for (size_t step = 0; step < r->nlogs; step++) {
		size_t best = NO_LOG, best_skip = 0, best_left = 0;
		for (size_t i = 0; i < r->nlogs; i++) {
			const struct mp_regf_logv *lv = &r->lv[i];
			size_t skip = (uint32_t)(want - lv->b.seq1);
			if (used[i] || lv->kind != MP_REGF_LOG_NEW || skip >= lv->nvalid)
				continue;
			if (lv->nvalid - skip > best_left) {
				best = i;
				best_skip = skip;
				best_left = lv->nvalid - skip;
			}
		}
		if (best == NO_LOG)
			break;
		used[best] = 1;
		r->seg[r->nseg++] = (struct seg){best, best_skip, best_left};
		want += (uint32_t)best_left;
		total += best_left;
	}
	note_new_logs(r, used, want);
	return total;
}

/* With an invalid primary base block: only the log that starts latest, and
 * its base block replaces the primary's (spec note 6; yarp). */
static int
plan_latest(struct replay *r)
{
	size_t best = NO_LOG;
	for (size_t i = 0; i < r->nlogs; i++)
		if (r->lv[i].kind == MP_REGF_LOG_NEW &&
		    (best == NO_LOG || seq_after(r->lv[i].b.seq1, r->lv[best].b.seq1)))
			best = i;
	if (best == NO_LOG)
		return 0;
	for (size_t i = 0; i < r->nlogs; i++)
		if (r->lv[i].kind == MP_REGF_LOG_NEW && i != best)
			mp_regf_log_fmt(
			    r->rep->logs[i].note, sizeof(r->rep->logs[i].note),
			    "not used: the primary's base block is invalid, so only the latest log "
			    "(%s) applies",
			    r->lv[best].name);
	r->base_log = best;
	r->seg[r->nseg++] = (struct seg){best, 0, r->lv[best].nvalid};
	return 1;
}

/* Old format: the first log whose last-written timestamp equals the
 * primary's, or its first bin's when the base block is invalid (spec "Old
 * format: Base block" note 3, "Multiple transaction log files"). */
static int
plan_old(struct replay *r)
{
	int have_ts = r->prim.valid;
	uint64_t ts = r->prim.b.ts;
	if (!r->prim.valid && r->prim.len >= MP_REGF_BASE_BLOCK + MP_HBIN_HDR &&
	    memcmp(r->prim.data + MP_REGF_BASE_BLOCK, "hbin", 4) == 0) {
		have_ts = 1;
		ts = mp_le64(r->prim.data + MP_REGF_BASE_BLOCK + MP_HBIN_TIMESTAMP);
	}
	r->dirt_log = NO_LOG;
	for (size_t i = 0; i < r->nlogs; i++) {
		char *note = r->rep->logs[i].note;
		size_t n = sizeof(r->rep->logs[i].note);
		if (r->lv[i].kind != MP_REGF_LOG_OLD)
			continue;
		if (!have_ts)
			mp_regf_log_fmt(note, n,
			                "not applicable: the primary has no timestamp to match");
		else if (r->lv[i].b.ts != ts)
			mp_regf_log_fmt(
			    note, n,
			    "not applicable: last-written timestamp %llu, the primary's %llu",
			    (unsigned long long)r->lv[i].b.ts, (unsigned long long)ts);
		else if (r->dirt_log == NO_LOG)
			r->dirt_log = i;
		else
			mp_regf_log_fmt(note, n, "not used: %s applies", r->lv[r->dirt_log].name);
	}
	if (r->dirt_log != NO_LOG && !r->prim.valid)
		r->base_log = r->dirt_log;
	return r->dirt_log != NO_LOG;
}

static int
plan(struct replay *r)
{
	r->base_log = NO_LOG;
	if (r->prim.valid ? plan_chain(r) > 0 : plan_latest(r)) {
		r->format = MP_REGF_LOG_NEW;
		for (size_t i = 0; i < r->nlogs; i++)
			if (r->lv[i].kind == MP_REGF_LOG_OLD)
				mp_regf_log_fmt(r->rep->logs[i].note, sizeof(r->rep->logs[i].note),
				                "not used: new-format logs applied");
		return 1;
	}
	r->nseg = 0;
	if (plan_old(r)) {
		r->format = MP_REGF_LOG_OLD;
		return 1;
	}
	return 0;
}

/* The error when the hive is dirty and nothing applies: the first broken
 * log's problem (E_FORMAT), else every log's note (E_UNSAFE). */
static int
fail_nothing(struct replay *r)
{
	char all[400] = "";
	size_t used = 0;
	for (size_t i = 0; i < r->nlogs; i++) {
		if (r->lv[i].broken) {
			mp_seterr(r->ctx, MAPIPROF_E_FORMAT, "%s: %s", r->lv[i].name,
			          r->rep->logs[i].note);
			return MAPIPROF_FAILED;
		}
		if (used < sizeof(all))
			used += (size_t)snprintf(all + used, sizeof(all) - used, "%s%s: %s",
			                         i > 0 ? "; " : "", r->lv[i].name,
			                         r->rep->logs[i].note);
	}
	mp_seterr(r->ctx, MAPIPROF_E_UNSAFE,
	          "the hive is dirty (sequence %u/%u%s) and no transaction log applies: %s",
	          r->prim.b.seq1, r->prim.b.seq2, r->prim.valid ? "" : ", bad checksum",
	          r->nlogs > 0 ? all : "none given");
	mp_regf_log_fmt(r->rep->stop_reason, sizeof(r->rep->stop_reason),
	                "no transaction log applies");
	return MAPIPROF_FAILED;
}

/* ---- building the image ------------------------------------------------- */

/* Largest hive-bins size of the planned HvLE entries (all checked valid). */
static uint32_t
plan_max_bins(const struct replay *r, uint32_t bins)
{
	for (size_t s = 0; s < r->nseg; s++) {
		const struct mp_regf_logv *lv = &r->lv[r->seg[s].log];
		size_t off = MP_HVLE_ALIGN;
		struct mp_regf_entry e;
		for (size_t k = 0; k < r->seg[s].skip + r->seg[s].count; k++, off += e.size) {
			mp_regf_log_entry(lv->data + off, &e);
			if (k >= r->seg[s].skip && e.bins > bins)
				bins = e.bins;
		}
	}
	return bins;
}

/* Allocates the image for max_bins and fills it: the base block (the
 * primary's, or the chosen log's 512 bytes), then the primary's hive bins
 * up to start_bins. */
static int
image_alloc(struct replay *r, uint32_t start_bins, uint32_t max_bins)
{
	if (max_bins > MP_MAX_HIVE_IMAGE - MP_REGF_BASE_BLOCK) {
		mp_seterr(r->ctx, MAPIPROF_E_LIMIT, "recovered hive would exceed the %u-byte cap",
		          MP_MAX_HIVE_IMAGE);
		return MAPIPROF_FAILED;
	}
	r->cap = MP_REGF_BASE_BLOCK + (size_t)max_bins;
	if ((r->img = calloc(1, r->cap)) == NULL)
		return mp_nomem(r->ctx);
	if (r->base_log == NO_LOG)
		memcpy(r->img, r->prim.data, MP_REGF_BASE_BLOCK);
	else
		memcpy(r->img, r->lv[r->base_log].data, MP_LOG_BB_SIZE);
	r->avail = r->prim.len - MP_REGF_BASE_BLOCK;
	if (r->avail > r->prim.bins)
		r->avail = r->prim.bins;
	if (r->avail > start_bins)
		r->avail = start_bins;
	memcpy(r->img + MP_REGF_BASE_BLOCK, r->prim.data + MP_REGF_BASE_BLOCK, r->avail);
	r->bins = start_bins;
	r->flags = mp_le32(r->img + MP_BB_FLAGS);
	r->seq = r->base_log == NO_LOG ? r->prim.b.seq1 : r->lv[r->base_log].b.seq1;
	return MAPIPROF_OK;
}

/* Writes one checked entry's pages; the file follows its hive-bins size,
 * shrinking (zeroed) or growing (spec note 9), and the base block's flag
 * bit 0 follows the entry's (note 11). */
static void
apply_entry(struct replay *r, const uint8_t *p, const struct mp_regf_entry *e)
{
	const uint8_t *page = mp_regf_log_pages(p, e);
	if (e->bins < r->bins)
		memset(r->img + MP_REGF_BASE_BLOCK + e->bins, 0, r->bins - e->bins);
	r->bins = e->bins;
	for (uint32_t i = 0; i < e->npages; i++) {
		uint32_t po = 0, ps = 0;
		mp_regf_log_page_ref(p, i, &po, &ps);
		memcpy(r->img + MP_REGF_BASE_BLOCK + po, page, ps);
		page += ps;
	}
	r->flags = (r->flags & ~1u) | (e->flags & 1u);
	r->seq = e->seq;
	r->rep->entries_applied++;
	r->rep->pages_applied += e->npages;
}

static void
apply_new(struct replay *r)
{
	for (size_t s = 0; s < r->nseg; s++) {
		const struct seg *sg = &r->seg[s];
		const struct mp_regf_logv *lv = &r->lv[sg->log];
		struct mp_regf_log_report *lr = &r->rep->logs[sg->log];
		size_t off = MP_HVLE_ALIGN;
		struct mp_regf_entry e;
		for (size_t k = 0; k < sg->skip + sg->count; k++, off += e.size) {
			mp_regf_log_entry(lv->data + off, &e);
			if (k >= sg->skip)
				apply_entry(r, lv->data + off, &e);
		}
		r->rep->logs_used |= (size_t)1 << sg->log;
		lr->entries_applied = sg->count;
		if (sg->count > 0)
			mp_regf_log_fmt(lr->note, sizeof(lr->note), "applied entries %u..%u",
			                lv->b.seq1 + (uint32_t)sg->skip,
			                lv->b.seq1 + (uint32_t)(sg->skip + sg->count) - 1u);
		else
			mp_regf_log_fmt(lr->note, sizeof(lr->note),
			                "base block used, no valid entry");
		memcpy(r->rep->stop_reason, lv->end, sizeof(r->rep->stop_reason));
	}
	if (r->base_log != NO_LOG)
		r->rep->base_from_log = 1;
}

/* Puts hive-bins bytes [off, off + n) back as the primary had them. */
static void
restore(struct replay *r, size_t off, size_t n)
{
	uint8_t *dst = r->img + MP_REGF_BASE_BLOCK + off;
	size_t k = off < r->avail ? r->avail - off : 0;
	if (k > n)
		k = n;
	memcpy(dst, r->prim.data + MP_REGF_BASE_BLOCK + off, k);
	memset(dst + k, 0, n - k);
}

/* Offset of the first invalid hive bin in the image's bins (spec "Dirty
 * pages": signature, offset field = position, size >= 4096), or bins when
 * all are valid. */
static uint32_t
first_bad_bin(const struct replay *r, uint32_t bins)
{
	uint32_t pos = 0;
	/* Each step moves on by a bin size of at least 4096. */
	while (pos < bins) {
		const uint8_t *h = r->img + MP_REGF_BASE_BLOCK + pos;
		uint32_t size = mp_le32(h + MP_HBIN_SIZE);
		if (memcmp(h, "hbin", 4) != 0 || mp_le32(h + MP_HBIN_OFFSET) != pos ||
		    size < MP_HBIN_ALIGN || size % MP_HBIN_ALIGN != 0 || size > bins - pos)
			return pos;
		pos += size;
	}
	return bins;
}

/* Writes the DIRT log's pages, then puts back those from the first invalid
 * hive bin on: recovery stops at an invalid dirty bin (spec "Dirty pages"). */
static void
apply_dirt(struct replay *r)
{
	const struct mp_regf_logv *lv = &r->lv[r->dirt_log];
	size_t nbits = lv->b.bins / MP_DIRT_PAGE, src = mp_regf_log_dirt_pages(lv), applied = 0;
	for (size_t bit = 0; bit < nbits; bit++) {
		if (mp_regf_log_dirt_bit(lv, bit)) {
			memcpy(r->img + MP_REGF_BASE_BLOCK + bit * MP_DIRT_PAGE, lv->data + src,
			       MP_DIRT_PAGE);
			src += MP_DIRT_PAGE;
		}
	}
	uint32_t stop = first_bad_bin(r, lv->b.bins);
	for (size_t bit = 0; bit < nbits; bit++) {
		if (mp_regf_log_dirt_bit(lv, bit) && bit * MP_DIRT_PAGE >= stop)
			restore(r, bit * MP_DIRT_PAGE, MP_DIRT_PAGE);
		else if (mp_regf_log_dirt_bit(lv, bit))
			applied++;
	}
	if (stop < lv->b.bins)
		mp_regf_log_fmt(
		    r->rep->stop_reason, sizeof(r->rep->stop_reason),
		    "invalid hive bin at offset %u after applying %s: its pages and later ones "
		    "not applied",
		    stop, lv->name);
	else
		mp_regf_log_fmt(r->rep->stop_reason, sizeof(r->rep->stop_reason), "end of %s",
		                lv->name);
	r->rep->pages_applied = applied;
	r->rep->entries_applied = 1;
	r->rep->logs[r->dirt_log].entries_applied = 1;
	mp_regf_log_fmt(r->rep->logs[r->dirt_log].note, sizeof(r->rep->logs[r->dirt_log].note),
	                "applied %zu of %zu dirty pages", applied, lv->nvalid);
	r->rep->logs_used |= (size_t)1 << r->dirt_log;
	r->rep->base_from_log = r->base_log != NO_LOG;
	r->bins = lv->b.bins;
	if (r->prim.valid)
		r->seq = r->prim.b.seq1;
}

static int
build(struct replay *r)
{
	if (r->format == MP_REGF_LOG_NEW) {
		uint32_t start = r->base_log == NO_LOG ? r->prim.bins : r->lv[r->base_log].b.bins;
		if (image_alloc(r, start, plan_max_bins(r, start)) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		apply_new(r);
		mp_put_le32(r->img + MP_BB_FLAGS, r->flags);
	} else {
		uint32_t bins = r->lv[r->dirt_log].b.bins;
		if (image_alloc(r, bins, bins) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		apply_dirt(r);
	}
	mp_put_le32(r->img + MP_BB_SEQ1, r->seq);
	mp_put_le32(r->img + MP_BB_SEQ2, r->seq);
	mp_put_le32(r->img + MP_BB_TYPE, 0);
	mp_put_le32(r->img + MP_BB_BINS_SIZE, r->bins);
	r->rep->checksum_nudged = mp_regf_base_seal(r->img);
	return MAPIPROF_OK;
}

/* A clean primary: its logs are ignored (spec "Dirty state of a hive"). */
static int
copy_clean(struct replay *r, struct mp_buf *out)
{
	if ((out->data = malloc(r->prim.len)) == NULL)
		return mp_nomem(r->ctx);
	memcpy(out->data, r->prim.data, r->prim.len);
	out->len = out->cap = r->prim.len;
	r->rep->seq_after = r->prim.b.seq1;
	r->rep->bins_after = r->prim.b.bins;
	mp_regf_log_fmt(r->rep->stop_reason, sizeof(r->rep->stop_reason),
	                "not dirty, nothing to replay (logs are ignored for a clean hive)");
	return MAPIPROF_OK;
}

/* Checks the arguments and reads the inputs (mp_regf_log_inputs). */
static int
inputs_open(struct replay *r, const uint8_t *primary, size_t plen,
            const struct mp_regf_log_input *logs, size_t nlogs)
{
	if (primary == NULL || (logs == NULL && nlogs != 0) || nlogs > MP_REGF_MAX_LOGS) {
		mp_seterr(r->ctx, MAPIPROF_E_INVALID,
		          "log replay: NULL argument or more than %u logs", MP_REGF_MAX_LOGS);
		return MAPIPROF_FAILED;
	}
	if (plen > MP_MAX_HIVE_IMAGE) {
		mp_seterr(r->ctx, MAPIPROF_E_LIMIT,
		          "primary hive: %zu bytes exceed the %u-byte cap", plen,
		          MP_MAX_HIVE_IMAGE);
		return MAPIPROF_FAILED;
	}
	r->nlogs = r->rep->nlogs = nlogs;
	return mp_regf_log_inputs(r->ctx, primary, plen, logs, nlogs, &r->prim, r->lv);
}

int
mp_regf_recover(struct mapiprof_ctx *ctx, const uint8_t *primary, size_t plen,
                const struct mp_regf_log_input *logs, size_t nlogs, struct mp_buf *out,
                struct mp_regf_recovery *rep)
{
	if (out == NULL || rep == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "log replay: NULL argument");
		return MAPIPROF_FAILED;
	}
	memset(out, 0, sizeof(*out));
	memset(rep, 0, sizeof(*rep));
	struct replay *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return mp_nomem(ctx);
	r->ctx = ctx;
	r->rep = rep;
	int rc = MAPIPROF_FAILED;
	if (inputs_open(r, primary, plen, logs, nlogs) != MAPIPROF_OK)
		goto out;
	rep->seq1_before = r->prim.b.seq1;
	rep->seq2_before = r->prim.b.seq2;
	rep->bins_before = r->prim.b.bins;
	rep->primary_dirty = !r->prim.valid || r->prim.b.seq1 != r->prim.b.seq2;
	for (size_t i = 0; i < nlogs; i++)
		mp_regf_log_open(&r->lv[i], &rep->logs[i]);
	if (!rep->primary_dirty) {
		rc = copy_clean(r, out);
		goto out;
	}
	if (!plan(r)) {
		rc = fail_nothing(r);
		goto out;
	}
	if (build(r) != MAPIPROF_OK)
		goto out;
	rep->format = r->format;
	rep->seq_after = r->seq;
	rep->bins_after = r->bins;
	out->data = r->img;
	out->len = MP_REGF_BASE_BLOCK + (size_t)r->bins;
	out->cap = r->cap;
	r->img = NULL;
	rc = MAPIPROF_OK;
out:
	free(r->img);
	free(r);
	return rc;
}

/* ---- reading a hive and its logs from disk ------------------------------ */

/* Reads the whole regular file at path (at most MP_MAX_HIVE_IMAGE bytes)
 * into *data (malloc'd). */
static int
read_all(struct mapiprof_ctx *ctx, const char *path, uint8_t **data, size_t *len)
{
	int fd = -1, rc = MAPIPROF_FAILED;
	struct mp_file_attr a;
	*data = NULL;
	if (mp_open_read(ctx, path, &fd) != MAPIPROF_OK || mp_fd_attr(ctx, fd, &a) != MAPIPROF_OK)
		goto out;
	if (a.kind != MP_FILE_REGULAR || a.size > MP_MAX_HIVE_IMAGE) {
		mp_seterr(ctx, a.kind != MP_FILE_REGULAR ? MAPIPROF_E_FORMAT : MAPIPROF_E_LIMIT,
		          "not a regular file of at most %u bytes", MP_MAX_HIVE_IMAGE);
		goto out;
	}
	*len = (size_t)a.size;
	if ((*data = malloc(*len > 0 ? *len : 1)) == NULL) {
		mp_nomem(ctx);
		goto out;
	}
	rc = mp_pread_full(ctx, fd, *data, *len, 0);
out:
	mp_close(fd);
	if (rc != MAPIPROF_OK) {
		free(*data);
		*data = NULL;
		mp_seterr_file(ctx, path);
	}
	return rc;
}

int
mp_regf_recover_file(struct mapiprof_ctx *ctx, const struct mapiprof_info *info, struct mp_buf *out,
                     struct mp_regf_recovery *rep)
{
	struct mp_regf_log_input in[MP_REGF_MAX_LOGS];
	uint8_t *bufs[MP_REGF_MAX_LOGS] = {NULL}, *prim = NULL;
	char *names[MP_REGF_MAX_LOGS] = {NULL};
	size_t plen = 0, n = 0;
	int rc = MAPIPROF_FAILED;
	if (out == NULL || rep == NULL || info == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "log replay: NULL argument");
		return MAPIPROF_FAILED;
	}
	memset(out, 0, sizeof(*out));
	memset(rep, 0, sizeof(*rep));
	memset(in, 0, sizeof(in));
	const char *path = info->path;
	if (read_all(ctx, path, &prim, &plen) != MAPIPROF_OK)
		goto out;
	n = info->nlogs < MP_REGF_MAX_LOGS ? info->nlogs : MP_REGF_MAX_LOGS;
	for (size_t i = 0; i < n; i++) {
		if ((names[i] = mp_path_base(info->logs[i].path)) == NULL) {
			mp_nomem(ctx);
			goto out;
		}
		in[i].name = names[i];
		if (read_all(ctx, info->logs[i].path, &bufs[i], &in[i].len) != MAPIPROF_OK)
			goto out;
		in[i].data = bufs[i];
	}
	if ((rc = mp_regf_recover(ctx, prim, plen, in, n, out, rep)) != MAPIPROF_OK)
		mp_seterr_file(ctx, path);
out:
	for (size_t i = 0; i < n; i++) {
		free(bufs[i]);
		free(names[i]);
	}
	free(prim);
	return rc;
}
