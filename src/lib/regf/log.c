/* log.c - reads and checks the inputs of transaction-log replay
 * (log.h): the primary's base block, each log's base block, the run
 * of valid entries of a new-format (HvLE) log and the dirty vector of an
 * old-format (DIRT) one, following M. Suhanov's regf specification
 * ("Format of transaction log files", "Dirty state of a hive"); and reads
 * a hive and its logs from disk.  replay.c applies what this accepts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "regf/cells.h"
#include "regf/hiveinfo.h"
#include "regf/log.h"
#include "regf/marvin32.h"

/* HvLE entry: "HvLE", size, flags, sequence, hive-bins size, page count,
 * Hash-1, Hash-2, then 8-byte page references (offset, size) and the pages
 * (spec "Log entries"). */
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
/* Old format: "DIRT" at 512, a bitmap of one bit per 512-byte page of the
 * hive bins (bins / 4096 bytes, least significant bit first), then the
 * dirty pages from the next 512-byte boundary (spec "Dirty vector"). */
#define DIRT_OFF 512u

void
mp_regf_log_fmt(char *dst, size_t n, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(dst, n, f, ap);
	va_end(ap);
}

/* 1 when b's stored checksum is the plain XOR or the Windows-rule value
 * (regf spec "Base block"; ReactOS hivesum.c). */
static int
sum_ok(const struct mp_regf_base *b)
{
	return b->stored == b->plain || b->stored == b->windows;
}

/* ---- new format: HvLE entries ----------------------------------------- */

void
mp_regf_log_entry(const uint8_t *p, struct mp_regf_entry *e)
{
	e->size = mp_le32(p + LE_SIZE);
	e->flags = mp_le32(p + LE_FLAGS);
	e->seq = mp_le32(p + LE_SEQ);
	e->bins = mp_le32(p + LE_BINS);
	e->npages = mp_le32(p + LE_NPAGES);
}

void
mp_regf_log_page_ref(const uint8_t *p, uint32_t i, uint32_t *off, uint32_t *size)
{
	*off = mp_le32(p + LE_HDR + (size_t)i * LE_REF);
	*size = mp_le32(p + LE_HDR + (size_t)i * LE_REF + 4);
}

const uint8_t *
mp_regf_log_pages(const uint8_t *p, const struct mp_regf_entry *e)
{
	return p + LE_HDR + (size_t)e->npages * LE_REF;
}

/* Checks the page references of the entry p (header already checked):
 * each page inside the entry's hive bins, all pages inside the entry. */
static int
entry_refs_ok(struct mp_regf_logv *lv, const uint8_t *p, const struct mp_regf_entry *e, size_t k,
              size_t off)
{
	uint64_t room = (uint64_t)e->size - LE_HDR - (uint64_t)e->npages * LE_REF, total = 0;
	for (uint32_t i = 0; i < e->npages; i++) {
		uint32_t po = 0, ps = 0;
		mp_regf_log_page_ref(p, i, &po, &ps);
		total += ps;
		if ((uint64_t)po + ps > e->bins) {
			mp_regf_log_fmt(lv->end, sizeof(lv->end),
			                "page %u of entry %zu of %s at offset %zu lies outside its "
			                "%u-byte hive bins",
			                i + 1, k, lv->name, off, e->bins);
			return 0;
		}
		if (total > room) {
			mp_regf_log_fmt(lv->end, sizeof(lv->end),
			                "pages of entry %zu of %s at offset %zu overrun the entry",
			                k, lv->name, off);
			return 0;
		}
	}
	return 1;
}

/* Checks the k-th entry (1-based) of lv at off, which must carry sequence
 * want (spec "Log entries", notes 1-8).  Returns 1 and fills *e when it
 * is valid, else 0 with lv->end saying why. */
static int
entry_check(struct mp_regf_logv *lv, size_t off, size_t k, uint32_t want, struct mp_regf_entry *e)
{
	const uint8_t *p = lv->data + off;
	size_t left = lv->len - off;
	const char *why = NULL;
	if (left < 4 || memcmp(p, "HvLE", 4) != 0) {
		mp_regf_log_fmt(lv->end, sizeof(lv->end), "end of %s at offset %zu", lv->name, off);
		return 0;
	}
	if (left < LE_HDR) {
		mp_regf_log_fmt(lv->end, sizeof(lv->end),
		                "entry %zu of %s at offset %zu is truncated", k, lv->name, off);
		return 0;
	}
	mp_regf_log_entry(p, e);
	if (e->size < MP_HVLE_ALIGN || e->size % MP_HVLE_ALIGN != 0)
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
	else if (e->bins == 0 || e->bins % MP_HBIN_ALIGN != 0)
		why = "has an invalid hive-bins size";
	else if (e->bins > MP_MAX_HIVE_IMAGE - MP_REGF_BASE_BLOCK)
		why = "has a hive-bins size beyond the cap";
	else if (e->npages == 0 || e->npages > (e->size - LE_HDR) / LE_REF)
		why = "has an invalid page count";
	if (why != NULL) {
		mp_regf_log_fmt(
		    lv->end, sizeof(lv->end),
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
scan_new(struct mp_regf_logv *lv)
{
	size_t off = MP_HVLE_ALIGN;
	uint32_t want = lv->b.seq1;
	struct mp_regf_entry e;
	/* Each valid entry is at least 512 bytes and inside the log. */
	while (entry_check(lv, off, lv->nvalid + 1, want, &e)) {
		lv->nvalid++;
		off += e.size;
		want++;
	}
}

/* ---- old format: the DIRT vector -------------------------------------- */

static size_t
dirt_vector_len(const struct mp_regf_logv *lv)
{
	return lv->b.bins / (MP_DIRT_PAGE * 8u);
}

size_t
mp_regf_log_dirt_pages(const struct mp_regf_logv *lv)
{
	size_t end = DIRT_OFF + 4u + dirt_vector_len(lv);
	return (end + MP_DIRT_PAGE - 1u) / MP_DIRT_PAGE * MP_DIRT_PAGE;
}

int
mp_regf_log_dirt_bit(const struct mp_regf_logv *lv, size_t bit)
{
	return (lv->data[DIRT_OFF + 4u + bit / 8u] >> (bit % 8u)) & 1;
}

/* Checks the dirty vector and that the log holds every page it marks; a
 * log that does not is refused whole (never a partial page). */
static int
dirt_check(struct mp_regf_logv *lv, char *why, size_t n)
{
	if (lv->b.bins > MP_MAX_HIVE_IMAGE - MP_REGF_BASE_BLOCK) {
		mp_regf_log_fmt(why, n, "hive-bins size %u at offset 40 exceeds the %u-byte cap",
		                lv->b.bins, MP_MAX_HIVE_IMAGE);
		return 0;
	}
	if (lv->len < DIRT_OFF + 4u || memcmp(lv->data + DIRT_OFF, "DIRT", 4) != 0) {
		mp_regf_log_fmt(why, n, "no 'DIRT' signature at offset %u", DIRT_OFF);
		return 0;
	}
	size_t vec = dirt_vector_len(lv), pages = mp_regf_log_dirt_pages(lv);
	if (lv->len - (DIRT_OFF + 4u) < vec) {
		mp_regf_log_fmt(why, n, "dirty vector truncated: %zu bytes at offset %u needed",
		                vec, DIRT_OFF + 4u);
		return 0;
	}
	size_t dirty = 0;
	for (size_t bit = 0; bit < vec * 8u; bit++)
		dirty += (size_t)mp_regf_log_dirt_bit(lv, bit);
	if (pages > lv->len || (lv->len - pages) / MP_DIRT_PAGE < dirty) {
		mp_regf_log_fmt(
		    why, n, "truncated: %zu dirty pages from offset %zu need %zu bytes, it has %zu",
		    dirty, pages, dirty * MP_DIRT_PAGE, lv->len > pages ? lv->len - pages : 0);
		return 0;
	}
	lv->nvalid = dirty;
	return 1;
}

/* ---- reading the inputs ------------------------------------------------- */

void
mp_regf_log_open(struct mp_regf_logv *lv, struct mp_regf_log_report *r)
{
	char *why = r->note;
	size_t n = sizeof(r->note);
	struct mp_regf_base *b = &lv->b;
	lv->broken = 1;
	if (lv->len == 0) {
		lv->broken = 0;
		mp_regf_log_fmt(why, n, "empty");
		return;
	}
	if (lv->len < MP_LOG_BB_SIZE || memcmp(lv->data, "regf", 4) != 0) {
		mp_regf_log_fmt(why, n, "no 'regf' base block at offset 0 (%zu bytes)", lv->len);
		return;
	}
	mp_regf_base_decode(lv->data, b);
	if (!sum_ok(b)) {
		mp_regf_log_fmt(why, n, "bad base block checksum at offset %u", MP_BB_CHECKSUM);
		return;
	}
	if (b->type != 1u && b->type != 2u && b->type != 6u) {
		mp_regf_log_fmt(why, n, "file type %u at offset %u is not a transaction log",
		                b->type, MP_BB_TYPE);
		return;
	}
	if (b->major != 1u || b->format != 1u || b->cluster != 1u || b->bins == 0 ||
	    b->bins % MP_HBIN_ALIGN != 0) {
		mp_regf_log_fmt(
		    why, n,
		    "unsupported base block (major %u, format %u, clustering %u, hive bins %u)",
		    b->major, b->format, b->cluster, b->bins);
		return;
	}
	lv->broken = 0;
	if (b->seq1 != b->seq2) {
		mp_regf_log_fmt(why, n, "the log was itself being written (sequence numbers %u/%u)",
		                b->seq1, b->seq2);
		return;
	}
	r->first_seq = b->seq1;
	if (b->type == 6u) {
		lv->kind = r->kind = MP_REGF_LOG_NEW;
		scan_new(lv);
		r->entries_valid = lv->nvalid;
		mp_regf_log_fmt(why, n, "%zu valid entries; %s", lv->nvalid, lv->end);
	} else if (dirt_check(lv, why, n)) {
		lv->kind = r->kind = MP_REGF_LOG_OLD;
		r->entries_valid = 1;
		mp_regf_log_fmt(why, n, "%zu dirty pages", lv->nvalid);
	} else {
		lv->broken = 1;
	}
}

/* Reads the primary's base block: anything but a regf primary file fails. */
static int
primary_open(struct mapiprof_ctx *ctx, struct mp_regf_primary *pr)
{
	const uint8_t *p = pr->data;
	if (pr->len < 4 || memcmp(p, "regf", 4) != 0) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT, "primary hive: no 'regf' signature at offset 0");
		return MAPIPROF_FAILED;
	}
	if (pr->len < MP_REGF_BASE_BLOCK) {
		mp_seterr(ctx, MAPIPROF_E_TRUNCATED,
		          "primary hive: %zu bytes, shorter than the %u-byte base block", pr->len,
		          MP_REGF_BASE_BLOCK);
		return MAPIPROF_FAILED;
	}
	mp_regf_base_decode(p, &pr->b);
	pr->valid = sum_ok(&pr->b);
	if (pr->b.type != 0) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT,
		          "primary hive: file type %u at offset %u is not a primary file",
		          pr->b.type, MP_BB_TYPE);
		return MAPIPROF_FAILED;
	}
	if (pr->valid && (pr->b.major != 1u || pr->b.bins % MP_HBIN_ALIGN != 0)) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT,
		          "primary hive: unsupported base block (major %u, hive bins %u at "
		          "offset %u)",
		          pr->b.major, pr->b.bins, MP_BB_BINS_SIZE);
		return MAPIPROF_FAILED;
	}
	if (pr->valid && pr->b.bins > MP_MAX_HIVE_IMAGE - MP_REGF_BASE_BLOCK) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT,
		          "primary hive: hive-bins size %u exceeds the %u-byte cap", pr->b.bins,
		          MP_MAX_HIVE_IMAGE);
		return MAPIPROF_FAILED;
	}
	/* An invalid base block's size cannot be trusted: the whole bins the
	 * file holds (yarp does the same). */
	pr->bins = pr->valid
	               ? pr->b.bins
	               : (uint32_t)((pr->len - MP_REGF_BASE_BLOCK) / MP_HBIN_ALIGN * MP_HBIN_ALIGN);
	return MAPIPROF_OK;
}

int
mp_regf_log_inputs(struct mapiprof_ctx *ctx, const uint8_t *primary, size_t plen,
                   const struct mp_regf_log_input *logs, size_t nlogs, struct mp_regf_primary *pr,
                   struct mp_regf_logv *lv)
{
	pr->data = primary;
	pr->len = plen;
	for (size_t i = 0; i < nlogs; i++) {
		mp_regf_log_fmt(lv[i].name_buf, sizeof(lv[i].name_buf), "log %zu", i + 1);
		lv[i].name = logs[i].name != NULL ? logs[i].name : lv[i].name_buf;
		lv[i].data = logs[i].data;
		lv[i].len = logs[i].len;
		if ((lv[i].data == NULL && lv[i].len != 0) || lv[i].len > MP_MAX_HIVE_IMAGE) {
			mp_seterr(ctx, lv[i].data == NULL ? MAPIPROF_E_INVALID : MAPIPROF_E_LIMIT,
			          "%s: no data, or more than %u bytes", lv[i].name,
			          MP_MAX_HIVE_IMAGE);
			return MAPIPROF_FAILED;
		}
	}
	return primary_open(ctx, pr);
}
