/* regf_log.c - transaction-log replay (regf_log.h): reads old (DIRT) and
 * new (HvLE) transaction logs and applies them to a copy of a primary hive
 * image, following M. Suhanov's regf specification ("Format of transaction
 * log files", "Dirty state of a hive", "Multiple transaction log files")
 * as summarised in reg-and-regf.md §4 and peers.md §B.2. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hiveinfo.h"
#include "le.h"
#include "limits.h"
#include "marvin32.h"
#include "platform.h"
#include "regf_log.h"

/* Base block fields (reg-and-regf.md §3.1; spec "Base block").  A log
 * holds only the first 512 bytes of one (spec "Old format: Base block"). */
#define BB_SIZE      MP_REGF_BASE_BLOCK
#define BB_LOG_SIZE  512u
#define BB_SEQ1      0x004u
#define BB_SEQ2      0x008u
#define BB_TIMESTAMP 0x00Cu
#define BB_MAJOR     0x014u
#define BB_TYPE      0x01Cu
#define BB_FORMAT    0x020u
#define BB_BINS      0x028u
#define BB_CLUSTER   0x02Cu
#define BB_FLAGS     0x090u /* Windows 10: bit 0 = KTM locked (spec) */
#define BB_CHECKSUM  0x1FCu
/* Hive-bins sizes and bin sizes are multiples of 4096 (spec "Hive bin"). */
#define BIN_ALIGN 4096u
/* HvLE entry: "HvLE", size, flags, sequence, hive-bins size, page count,
 * Hash-1, Hash-2, then 8-byte page references (offset, size) and the pages
 * (spec "Log entries").  Entries start at 512 and at multiples of 512. */
#define LE_SIZE       0x04u
#define LE_FLAGS      0x08u
#define LE_SEQ        0x0Cu
#define LE_BINS       0x10u
#define LE_NPAGES     0x14u
#define LE_HASH1      0x18u
#define LE_HASH2      0x20u
#define LE_HASH2_SPAN 32u
#define LE_HDR        40u
#define LE_REF        8u
#define LE_ALIGN      512u
/* Old format: "DIRT" at 512, a bitmap of one bit per 512-byte page of the
 * hive bins (bins / 4096 bytes, least significant bit first), then the
 * dirty pages from the next 512-byte boundary (spec "Dirty vector"). */
#define DIRT_OFF  512u
#define DIRT_PAGE 512u
/* Half the sequence-number space: a is after b when 0 < a - b <= this
 * (sequence numbers wrap, as yarp handles). */
#define SEQ_HALF 0x7FFFFFFFu
#define NO_LOG   ((size_t)-1)

struct base {
	uint32_t seq1, seq2, type, major, format, bins, cluster, flags;
	uint64_t ts;
	int sum_ok; /* stored checksum is the plain XOR or the Windows-rule value */
};

/* One input log as parsed. */
struct logv {
	const char *name;
	const uint8_t *data;
	size_t len;
	struct base b;
	uint32_t kind;     /* MP_REGF_LOG_*, NONE when it cannot be used */
	int broken;        /* not a valid log at all (E_FORMAT when nothing applies) */
	size_t nvalid;     /* HvLE: entries in the valid run; DIRT: dirty pages */
	char end[160];     /* HvLE: why the run ended */
	char name_buf[24]; /* "log N" for an unnamed input */
};

struct seg {
	size_t log, skip, count; /* apply entries skip..skip+count-1 of the run */
};

struct replay {
	struct mapiprof_ctx *ctx;
	struct mp_regf_recovery *rep;
	const uint8_t *primary;
	size_t plen;
	struct base pb;
	int pvalid;     /* the primary's base block checksum is right */
	uint32_t pbins; /* its hive-bins size, or a guess from plen when invalid */
	size_t nlogs;
	struct logv lv[MP_REGF_MAX_LOGS];
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

static void fmt(char *dst, size_t n, const char *f, ...) MP_PRINTF(3, 4);

static void
fmt(char *dst, size_t n, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(dst, n, f, ap);
	va_end(ap);
}

static int
seq_after(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) <= SEQ_HALF;
}

static void
base_read(const uint8_t *p, struct base *b)
{
	b->seq1 = mp_le32(p + BB_SEQ1);
	b->seq2 = mp_le32(p + BB_SEQ2);
	b->ts = mp_le64(p + BB_TIMESTAMP);
	b->major = mp_le32(p + BB_MAJOR);
	b->type = mp_le32(p + BB_TYPE);
	b->format = mp_le32(p + BB_FORMAT);
	b->bins = mp_le32(p + BB_BINS);
	b->cluster = mp_le32(p + BB_CLUSTER);
	b->flags = mp_le32(p + BB_FLAGS);
	uint32_t plain = 0, windows = 0, stored = mp_le32(p + BB_CHECKSUM);
	mp_regf_checksum(p, &plain, &windows);
	b->sum_ok = stored == plain || stored == windows;
}

int
mp_regf_log_seal(uint8_t *bb)
{
	uint32_t plain = 0, windows = 0;
	int ticks = 0;
	mp_regf_checksum(bb, &plain, &windows);
	/* Each tick changes the XOR; two in a row cannot both land on 0 or
	 * 0xFFFFFFFF except across a carry, so this ends after a few. */
	while ((plain == 0 || plain == 0xFFFFFFFFu) && ticks < 64) {
		mp_put_le64(bb + BB_TIMESTAMP, mp_le64(bb + BB_TIMESTAMP) + 1u);
		ticks++;
		mp_regf_checksum(bb, &plain, &windows);
	}
	mp_put_le32(bb + BB_CHECKSUM, windows);
	return ticks;
}

/* ---- new format: HvLE entries ----------------------------------------- */

struct entry {
	uint32_t size, flags, seq, bins, npages;
};

static void
entry_read(const uint8_t *p, struct entry *e)
{
	e->size = mp_le32(p + LE_SIZE);
	e->flags = mp_le32(p + LE_FLAGS);
	e->seq = mp_le32(p + LE_SEQ);
	e->bins = mp_le32(p + LE_BINS);
	e->npages = mp_le32(p + LE_NPAGES);
}

/* Checks the page references of the entry p (header already checked):
 * each page inside the entry's hive bins, all pages inside the entry. */
static int
entry_refs_ok(struct logv *lv, const uint8_t *p, const struct entry *e, size_t k, size_t off)
{
	uint64_t room = (uint64_t)e->size - LE_HDR - (uint64_t)e->npages * LE_REF, total = 0;
	for (uint32_t i = 0; i < e->npages; i++) {
		uint32_t po = mp_le32(p + LE_HDR + (size_t)i * LE_REF);
		uint32_t ps = mp_le32(p + LE_HDR + (size_t)i * LE_REF + 4);
		total += ps;
		if ((uint64_t)po + ps > e->bins) {
			fmt(lv->end, sizeof(lv->end),
			    "page %u of entry %zu of %s at offset %zu lies outside its %u-byte "
			    "hive bins",
			    i + 1, k, lv->name, off, e->bins);
			return 0;
		}
		if (total > room) {
			fmt(lv->end, sizeof(lv->end),
			    "pages of entry %zu of %s at offset %zu overrun the entry", k, lv->name,
			    off);
			return 0;
		}
	}
	return 1;
}

/* Checks the k-th entry (1-based) of lv at off, which must carry sequence
 * want (spec "Log entries", notes 1-8).  Returns 1 and fills *e when it
 * is valid, else 0 with lv->end saying why. */
static int
entry_check(struct logv *lv, size_t off, size_t k, uint32_t want, struct entry *e)
{
	const uint8_t *p = lv->data + off;
	size_t left = lv->len - off;
	const char *why = NULL;
	if (left < 4 || memcmp(p, "HvLE", 4) != 0) {
		fmt(lv->end, sizeof(lv->end), "end of %s at offset %zu", lv->name, off);
		return 0;
	}
	if (left < LE_HDR) {
		fmt(lv->end, sizeof(lv->end), "entry %zu of %s at offset %zu is truncated", k,
		    lv->name, off);
		return 0;
	}
	entry_read(p, e);
	if (e->size < LE_ALIGN || e->size % LE_ALIGN != 0)
		why = "has an invalid size";
	else if (e->size > left)
		why = "is truncated";
	else if (mp_marvin32(p, LE_HASH2_SPAN, MP_MARVIN32_REGF_SEED) != mp_le64(p + LE_HASH2))
		why = "has a bad Hash-2";
	else if (mp_marvin32(p + LE_HDR, e->size - LE_HDR, MP_MARVIN32_REGF_SEED) !=
	         mp_le64(p + LE_HASH1))
		why = "has a bad Hash-1";
	else if (e->seq != want)
		why = "breaks the sequence";
	else if (e->bins == 0 || e->bins % BIN_ALIGN != 0)
		why = "has an invalid hive-bins size";
	else if (e->bins > MP_MAX_HIVE_IMAGE - BB_SIZE)
		why = "has a hive-bins size beyond the cap";
	else if (e->npages == 0 || e->npages > (e->size - LE_HDR) / LE_REF)
		why = "has an invalid page count";
	if (why != NULL) {
		fmt(lv->end, sizeof(lv->end),
		    "entry %zu of %s at offset %zu %s (size %u, sequence %u, expected %u, "
		    "hive bins %u, pages %u)",
		    k, lv->name, off, why, e->size, e->seq, want, e->bins, e->npages);
		return 0;
	}
	return entry_refs_ok(lv, p, e, k, off);
}

/* Finds the valid run of entries of a new-format log: from offset 512,
 * numbered from its base block's seq1, up to the first invalid one. */
static void
scan_new(struct logv *lv)
{
	size_t off = LE_ALIGN;
	uint32_t want = lv->b.seq1;
	struct entry e;
	/* Each valid entry is at least 512 bytes and inside the log. */
	while (entry_check(lv, off, lv->nvalid + 1, want, &e)) {
		lv->nvalid++;
		off += e.size;
		want++;
	}
}

/* ---- old format: the DIRT vector -------------------------------------- */

static size_t
dirt_vector_len(const struct logv *lv)
{
	return lv->b.bins / (DIRT_PAGE * 8u);
}

static size_t
dirt_pages_off(const struct logv *lv)
{
	size_t end = DIRT_OFF + 4u + dirt_vector_len(lv);
	return (end + DIRT_PAGE - 1u) / DIRT_PAGE * DIRT_PAGE;
}

static int
dirt_bit(const struct logv *lv, size_t bit)
{
	return (lv->data[DIRT_OFF + 4u + bit / 8u] >> (bit % 8u)) & 1;
}

/* Checks the dirty vector and that the log holds every page it marks; a
 * log that does not is refused whole (never a partial page). */
static int
dirt_check(struct logv *lv, char *why, size_t n)
{
	if (lv->b.bins > MP_MAX_HIVE_IMAGE - BB_SIZE) {
		fmt(why, n, "hive-bins size %u at offset 40 exceeds the %u-byte cap", lv->b.bins,
		    MP_MAX_HIVE_IMAGE);
		return 0;
	}
	if (lv->len < DIRT_OFF + 4u || memcmp(lv->data + DIRT_OFF, "DIRT", 4) != 0) {
		fmt(why, n, "no 'DIRT' signature at offset %u", DIRT_OFF);
		return 0;
	}
	size_t vec = dirt_vector_len(lv), pages = dirt_pages_off(lv);
	if (lv->len - (DIRT_OFF + 4u) < vec) {
		fmt(why, n, "dirty vector truncated: %zu bytes at offset %u needed", vec,
		    DIRT_OFF + 4u);
		return 0;
	}
	size_t dirty = 0;
	for (size_t bit = 0; bit < vec * 8u; bit++)
		dirty += (size_t)dirt_bit(lv, bit);
	if (pages > lv->len || (lv->len - pages) / DIRT_PAGE < dirty) {
		fmt(why, n, "truncated: %zu dirty pages from offset %zu need %zu bytes, it has %zu",
		    dirty, pages, dirty * DIRT_PAGE, lv->len > pages ? lv->len - pages : 0);
		return 0;
	}
	lv->nvalid = dirty;
	return 1;
}

/* ---- reading the inputs ------------------------------------------------- */

/* Checks a log's base block (spec "Old format: Base block", notes 1-2: a
 * valid log has a valid checksum and seq1 == seq2) and finds its entries. */
static void
log_open(struct logv *lv, struct mp_regf_log_report *r)
{
	char *why = r->note;
	size_t n = sizeof(r->note);
	struct base *b = &lv->b;
	lv->broken = 1;
	if (lv->len == 0) {
		lv->broken = 0;
		fmt(why, n, "empty");
		return;
	}
	if (lv->len < BB_LOG_SIZE || memcmp(lv->data, "regf", 4) != 0) {
		fmt(why, n, "no 'regf' base block at offset 0 (%zu bytes)", lv->len);
		return;
	}
	base_read(lv->data, b);
	if (!b->sum_ok) {
		fmt(why, n, "bad base block checksum at offset %u", BB_CHECKSUM);
		return;
	}
	if (b->type != 1u && b->type != 2u && b->type != 6u) {
		fmt(why, n, "file type %u at offset %u is not a transaction log", b->type, BB_TYPE);
		return;
	}
	if (b->major != 1u || b->format != 1u || b->cluster != 1u || b->bins == 0 ||
	    b->bins % BIN_ALIGN != 0) {
		fmt(why, n,
		    "unsupported base block (major %u, format %u, clustering %u, hive bins %u)",
		    b->major, b->format, b->cluster, b->bins);
		return;
	}
	lv->broken = 0;
	if (b->seq1 != b->seq2) {
		fmt(why, n, "the log was itself being written (sequence numbers %u/%u)", b->seq1,
		    b->seq2);
		return;
	}
	r->first_seq = b->seq1;
	if (b->type == 6u) {
		lv->kind = r->kind = MP_REGF_LOG_NEW;
		scan_new(lv);
		r->entries_valid = lv->nvalid;
		fmt(why, n, "%zu valid entries; %s", lv->nvalid, lv->end);
	} else if (dirt_check(lv, why, n)) {
		lv->kind = r->kind = MP_REGF_LOG_OLD;
		r->entries_valid = 1;
		fmt(why, n, "%zu dirty pages", lv->nvalid);
	} else {
		lv->broken = 1;
	}
}

/* Reads the primary's base block: anything but a regf primary file fails. */
static int
primary_open(struct replay *r)
{
	const uint8_t *p = r->primary;
	if (r->plen < 4 || memcmp(p, "regf", 4) != 0) {
		mp_seterr(r->ctx, MAPIPROF_E_FORMAT,
		          "primary hive: no 'regf' signature at offset 0");
		return MAPIPROF_FAILED;
	}
	if (r->plen < BB_SIZE) {
		mp_seterr(r->ctx, MAPIPROF_E_TRUNCATED,
		          "primary hive: %zu bytes, shorter than the %u-byte base block", r->plen,
		          BB_SIZE);
		return MAPIPROF_FAILED;
	}
	base_read(p, &r->pb);
	r->pvalid = r->pb.sum_ok;
	if (r->pb.type != 0) {
		mp_seterr(r->ctx, MAPIPROF_E_FORMAT,
		          "primary hive: file type %u at offset %u is not a primary file",
		          r->pb.type, BB_TYPE);
		return MAPIPROF_FAILED;
	}
	if (r->pvalid && (r->pb.major != 1u || r->pb.bins % BIN_ALIGN != 0)) {
		mp_seterr(r->ctx, MAPIPROF_E_FORMAT,
		          "primary hive: unsupported base block (major %u, hive bins %u at "
		          "offset %u)",
		          r->pb.major, r->pb.bins, BB_BINS);
		return MAPIPROF_FAILED;
	}
	if (r->pvalid && r->pb.bins > MP_MAX_HIVE_IMAGE - BB_SIZE) {
		mp_seterr(r->ctx, MAPIPROF_E_LIMIT,
		          "primary hive: hive-bins size %u exceeds the %u-byte cap", r->pb.bins,
		          MP_MAX_HIVE_IMAGE);
		return MAPIPROF_FAILED;
	}
	/* An invalid base block's size cannot be trusted: the whole bins the
	 * file holds (yarp does the same). */
	r->pbins = r->pvalid ? r->pb.bins : (uint32_t)((r->plen - BB_SIZE) / BIN_ALIGN * BIN_ALIGN);
	return MAPIPROF_OK;
}

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
	r->primary = primary;
	r->plen = plen;
	r->nlogs = r->rep->nlogs = nlogs;
	for (size_t i = 0; i < nlogs; i++) {
		struct logv *lv = &r->lv[i];
		fmt(lv->name_buf, sizeof(lv->name_buf), "log %zu", i + 1);
		lv->name = logs[i].name != NULL ? logs[i].name : lv->name_buf;
		lv->data = logs[i].data;
		lv->len = logs[i].len;
		if ((lv->data == NULL && lv->len != 0) || lv->len > MP_MAX_HIVE_IMAGE) {
			mp_seterr(r->ctx, lv->data == NULL ? MAPIPROF_E_INVALID : MAPIPROF_E_LIMIT,
			          "%s: no data, or more than %u bytes", lv->name,
			          MP_MAX_HIVE_IMAGE);
			return MAPIPROF_FAILED;
		}
	}
	return primary_open(r);
}

/* ---- choosing what to apply -------------------------------------------- */

/* Notes for the new-format logs after the chain from the primary's seq2 to
 * want was planned. */
static void
note_new_logs(struct replay *r, const int *used, uint32_t want)
{
	for (size_t i = 0; i < r->nlogs; i++) {
		struct logv *lv = &r->lv[i];
		char *note = r->rep->logs[i].note;
		size_t n = sizeof(r->rep->logs[i].note);
		uint32_t first = lv->b.seq1, last = first + (uint32_t)lv->nvalid - 1u;
		if (lv->kind != MP_REGF_LOG_NEW || used[i])
			continue;
		if (lv->nvalid == 0)
			fmt(note, n, "no valid entry: %s", lv->end);
		else if ((uint32_t)(r->pb.seq2 - first) >= lv->nvalid &&
		         (uint32_t)(r->pb.seq2 - first) <= SEQ_HALF)
			fmt(note, n,
			    "older than the primary: entries %u..%u, the primary needs %u on",
			    first, last, r->pb.seq2);
		else if ((uint32_t)(want - first) >= lv->nvalid &&
		         (uint32_t)(want - first) <= SEQ_HALF)
			fmt(note, n, "not needed: entries %u..%u came from another log", first,
			    last);
		else
			fmt(note, n, "not applied: its entries start at %u, replay needed %u",
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
	uint32_t want = r->pb.seq2;
	size_t total = 0;
	/* Each step uses up one log, so at most nlogs steps. */
	for (size_t step = 0; step < r->nlogs; step++) {
		size_t best = NO_LOG, best_skip = 0, best_left = 0;
		for (size_t i = 0; i < r->nlogs; i++) {
			const struct logv *lv = &r->lv[i];
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
			fmt(r->rep->logs[i].note, sizeof(r->rep->logs[i].note),
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
	int have_ts = r->pvalid;
	uint64_t ts = r->pb.ts;
	if (!r->pvalid && r->plen >= BB_SIZE + 32u &&
	    memcmp(r->primary + BB_SIZE, "hbin", 4) == 0) {
		have_ts = 1;
		ts = mp_le64(r->primary + BB_SIZE + 20u);
	}
	r->dirt_log = NO_LOG;
	for (size_t i = 0; i < r->nlogs; i++) {
		char *note = r->rep->logs[i].note;
		size_t n = sizeof(r->rep->logs[i].note);
		if (r->lv[i].kind != MP_REGF_LOG_OLD)
			continue;
		if (!have_ts)
			fmt(note, n, "not applicable: the primary has no timestamp to match");
		else if (r->lv[i].b.ts != ts)
			fmt(note, n,
			    "not applicable: last-written timestamp %llu, the primary's %llu",
			    (unsigned long long)r->lv[i].b.ts, (unsigned long long)ts);
		else if (r->dirt_log == NO_LOG)
			r->dirt_log = i;
		else
			fmt(note, n, "not used: %s applies", r->lv[r->dirt_log].name);
	}
	if (r->dirt_log != NO_LOG && !r->pvalid)
		r->base_log = r->dirt_log;
	return r->dirt_log != NO_LOG;
}

static int
plan(struct replay *r)
{
	r->base_log = NO_LOG;
	if (r->pvalid ? plan_chain(r) > 0 : plan_latest(r)) {
		r->format = MP_REGF_LOG_NEW;
		for (size_t i = 0; i < r->nlogs; i++)
			if (r->lv[i].kind == MP_REGF_LOG_OLD)
				fmt(r->rep->logs[i].note, sizeof(r->rep->logs[i].note),
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
	          r->pb.seq1, r->pb.seq2, r->pvalid ? "" : ", bad checksum",
	          r->nlogs > 0 ? all : "none given");
	fmt(r->rep->stop_reason, sizeof(r->rep->stop_reason), "no transaction log applies");
	return MAPIPROF_FAILED;
}

/* ---- building the image ------------------------------------------------- */

/* Largest hive-bins size of the planned HvLE entries (all checked valid). */
static uint32_t
plan_max_bins(const struct replay *r, uint32_t bins)
{
	for (size_t s = 0; s < r->nseg; s++) {
		const struct logv *lv = &r->lv[r->seg[s].log];
		size_t off = LE_ALIGN;
		struct entry e;
		for (size_t k = 0; k < r->seg[s].skip + r->seg[s].count; k++, off += e.size) {
			entry_read(lv->data + off, &e);
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
	if (max_bins > MP_MAX_HIVE_IMAGE - BB_SIZE) {
		mp_seterr(r->ctx, MAPIPROF_E_LIMIT, "recovered hive would exceed the %u-byte cap",
		          MP_MAX_HIVE_IMAGE);
		return MAPIPROF_FAILED;
	}
	r->cap = BB_SIZE + (size_t)max_bins;
	if ((r->img = calloc(1, r->cap)) == NULL)
		return mp_nomem(r->ctx);
	if (r->base_log == NO_LOG)
		memcpy(r->img, r->primary, BB_SIZE);
	else
		memcpy(r->img, r->lv[r->base_log].data, BB_LOG_SIZE);
	r->avail = r->plen - BB_SIZE;
	if (r->avail > r->pbins)
		r->avail = r->pbins;
	if (r->avail > start_bins)
		r->avail = start_bins;
	memcpy(r->img + BB_SIZE, r->primary + BB_SIZE, r->avail);
	r->bins = start_bins;
	r->flags = mp_le32(r->img + BB_FLAGS);
	r->seq = r->base_log == NO_LOG ? r->pb.seq1 : r->lv[r->base_log].b.seq1;
	return MAPIPROF_OK;
}

/* Writes one checked entry's pages; the file follows its hive-bins size,
 * shrinking (zeroed) or growing (spec note 9), and the base block's flag
 * bit 0 follows the entry's (note 11). */
static void
apply_entry(struct replay *r, const uint8_t *p, const struct entry *e)
{
	const uint8_t *page = p + LE_HDR + (size_t)e->npages * LE_REF;
	if (e->bins < r->bins)
		memset(r->img + BB_SIZE + e->bins, 0, r->bins - e->bins);
	r->bins = e->bins;
	for (uint32_t i = 0; i < e->npages; i++) {
		uint32_t po = mp_le32(p + LE_HDR + (size_t)i * LE_REF);
		uint32_t ps = mp_le32(p + LE_HDR + (size_t)i * LE_REF + 4);
		memcpy(r->img + BB_SIZE + po, page, ps);
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
		const struct logv *lv = &r->lv[sg->log];
		struct mp_regf_log_report *lr = &r->rep->logs[sg->log];
		size_t off = LE_ALIGN;
		struct entry e;
		for (size_t k = 0; k < sg->skip + sg->count; k++, off += e.size) {
			entry_read(lv->data + off, &e);
			if (k >= sg->skip)
				apply_entry(r, lv->data + off, &e);
		}
		r->rep->logs_used |= (size_t)1 << sg->log;
		lr->entries_applied = sg->count;
		if (sg->count > 0)
			fmt(lr->note, sizeof(lr->note), "applied entries %u..%u",
			    lv->b.seq1 + (uint32_t)sg->skip,
			    lv->b.seq1 + (uint32_t)(sg->skip + sg->count) - 1u);
		else
			fmt(lr->note, sizeof(lr->note), "base block used, no valid entry");
		memcpy(r->rep->stop_reason, lv->end, sizeof(r->rep->stop_reason));
	}
	if (r->base_log != NO_LOG)
		r->rep->base_from_log = 1;
}

/* Puts hive-bins bytes [off, off + n) back as the primary had them. */
static void
restore(struct replay *r, size_t off, size_t n)
{
	uint8_t *dst = r->img + BB_SIZE + off;
	size_t k = off < r->avail ? r->avail - off : 0;
	if (k > n)
		k = n;
	memcpy(dst, r->primary + BB_SIZE + off, k);
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
		const uint8_t *h = r->img + BB_SIZE + pos;
		uint32_t size = mp_le32(h + 8);
		if (memcmp(h, "hbin", 4) != 0 || mp_le32(h + 4) != pos || size < BIN_ALIGN ||
		    size % BIN_ALIGN != 0 || size > bins - pos)
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
	const struct logv *lv = &r->lv[r->dirt_log];
	size_t nbits = lv->b.bins / DIRT_PAGE, src = dirt_pages_off(lv), applied = 0;
	for (size_t bit = 0; bit < nbits; bit++) {
		if (dirt_bit(lv, bit)) {
			memcpy(r->img + BB_SIZE + bit * DIRT_PAGE, lv->data + src, DIRT_PAGE);
			src += DIRT_PAGE;
		}
	}
	uint32_t stop = first_bad_bin(r, lv->b.bins);
	for (size_t bit = 0; bit < nbits; bit++) {
		if (dirt_bit(lv, bit) && bit * DIRT_PAGE >= stop)
			restore(r, bit * DIRT_PAGE, DIRT_PAGE);
		else if (dirt_bit(lv, bit))
			applied++;
	}
	if (stop < lv->b.bins)
		fmt(r->rep->stop_reason, sizeof(r->rep->stop_reason),
		    "invalid hive bin at offset %u after applying %s: its pages and later ones "
		    "not applied",
		    stop, lv->name);
	else
		fmt(r->rep->stop_reason, sizeof(r->rep->stop_reason), "end of %s", lv->name);
	r->rep->pages_applied = applied;
	r->rep->entries_applied = 1;
	r->rep->logs[r->dirt_log].entries_applied = 1;
	fmt(r->rep->logs[r->dirt_log].note, sizeof(r->rep->logs[r->dirt_log].note),
	    "applied %zu of %zu dirty pages", applied, lv->nvalid);
	r->rep->logs_used |= (size_t)1 << r->dirt_log;
	r->rep->base_from_log = r->base_log != NO_LOG;
	r->bins = lv->b.bins;
	if (r->pvalid)
		r->seq = r->pb.seq1;
}

static int
build(struct replay *r)
{
	if (r->format == MP_REGF_LOG_NEW) {
		uint32_t start = r->base_log == NO_LOG ? r->pbins : r->lv[r->base_log].b.bins;
		if (image_alloc(r, start, plan_max_bins(r, start)) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		apply_new(r);
		mp_put_le32(r->img + BB_FLAGS, r->flags);
	} else {
		uint32_t bins = r->lv[r->dirt_log].b.bins;
		if (image_alloc(r, bins, bins) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		apply_dirt(r);
	}
	mp_put_le32(r->img + BB_SEQ1, r->seq);
	mp_put_le32(r->img + BB_SEQ2, r->seq);
	mp_put_le32(r->img + BB_TYPE, 0);
	mp_put_le32(r->img + BB_BINS, r->bins);
	r->rep->checksum_nudged = mp_regf_log_seal(r->img);
	return MAPIPROF_OK;
}

/* A clean primary: its logs are ignored (spec "Dirty state of a hive"). */
static int
copy_clean(struct replay *r, struct mp_buf *out)
{
	if ((out->data = malloc(r->plen)) == NULL)
		return mp_nomem(r->ctx);
	memcpy(out->data, r->primary, r->plen);
	out->len = out->cap = r->plen;
	r->rep->seq_after = r->pb.seq1;
	r->rep->bins_after = r->pb.bins;
	fmt(r->rep->stop_reason, sizeof(r->rep->stop_reason),
	    "not dirty, nothing to replay (logs are ignored for a clean hive)");
	return MAPIPROF_OK;
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
	rep->seq1_before = r->pb.seq1;
	rep->seq2_before = r->pb.seq2;
	rep->bins_before = r->pb.bins;
	rep->primary_dirty = !r->pvalid || r->pb.seq1 != r->pb.seq2;
	for (size_t i = 0; i < nlogs; i++)
		log_open(&r->lv[i], &rep->logs[i]);
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
	out->len = BB_SIZE + (size_t)r->bins;
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
mp_regf_recover_file(struct mapiprof_ctx *ctx, const char *path, struct mp_buf *out,
                     struct mp_regf_recovery *rep)
{
	struct mapiprof_info *info = NULL;
	struct mp_regf_log_input in[MP_REGF_MAX_LOGS];
	uint8_t *bufs[MP_REGF_MAX_LOGS] = {NULL}, *prim = NULL;
	char *names[MP_REGF_MAX_LOGS] = {NULL};
	size_t plen = 0, n = 0;
	int rc = MAPIPROF_FAILED;
	if (out == NULL || rep == NULL || path == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "log replay: NULL argument");
		return MAPIPROF_FAILED;
	}
	memset(out, 0, sizeof(*out));
	memset(rep, 0, sizeof(*rep));
	memset(in, 0, sizeof(in));
	if (mp_hiveinfo_inspect(ctx, path, MP_INSPECT_NO_HASH, &info) != MAPIPROF_OK ||
	    read_all(ctx, path, &prim, &plen) != MAPIPROF_OK)
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
	mapiprof_info_free(info);
	return rc;
}
