/* regf_log_private.h - between the two halves of transaction-log replay:
 * what regf_log.c reads and checks (the primary's base block, each log's
 * base block, its run of valid HvLE entries or its dirty vector) and
 * regf_replay.c applies (regf_log.h is the interface of the pair; M.
 * Suhanov's regf specification, "Format of transaction log files";
 * reg-and-regf.md §4). */
#ifndef MP_REGF_LOG_PRIVATE_H
#define MP_REGF_LOG_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "regf/cells.h"
#include "regf/log.h"

/* A log holds only the first 512 bytes of a base block (spec "Old format:
 * Base block"). */
#define MP_LOG_BB_SIZE 512u
/* HvLE entries start at 512 and at multiples of 512 (spec "Log entries"). */
#define MP_HVLE_ALIGN 512u
/* Old format: one bit of the dirty vector per 512-byte page of the hive
 * bins (spec "Dirty vector"). */
#define MP_DIRT_PAGE 512u

/* The primary image and its base block as checked by mp_regf_log_inputs. */
struct mp_regf_primary {
	const uint8_t *data;
	size_t len;
	struct mp_regf_base b; /* decoded fields only (b.bb is not filled) */
	int valid;             /* the base block's checksum is right */
	uint32_t bins;         /* its hive-bins size, or a guess from len when invalid */
};

/* One input log as parsed. */
struct mp_regf_logv {
	const char *name;
	const uint8_t *data;
	size_t len;
	struct mp_regf_base b; /* decoded fields only (b.bb is not filled) */
	uint32_t kind;         /* MP_REGF_LOG_*, NONE when it cannot be used */
	int broken;            /* not a valid log at all (E_FORMAT when nothing applies) */
	size_t nvalid;         /* HvLE: entries in the valid run; DIRT: dirty pages */
	char end[160];         /* HvLE: why the run ended */
	char name_buf[24];     /* "log N" for an unnamed input */
};

/* An HvLE entry's header fields (spec "Log entries"). */
struct mp_regf_entry {
	uint32_t size, flags, seq, bins, npages;
};

/* snprintf into a note or message buffer (truncating). */
void mp_regf_log_fmt(char *dst, size_t n, const char *f, ...) MP_PRINTF(3, 4);

/* Takes the primary image and the logs (names, bytes) into *pr and
 * lv[0..nlogs), and checks their sizes (each at most MP_MAX_HIVE_IMAGE:
 * MAPIPROF_E_LIMIT; a log without data: MAPIPROF_E_INVALID) and the
 * primary's base block: MAPIPROF_E_FORMAT when it is not a regf primary
 * file (or, valid, is not major version 1 with whole bins),
 * MAPIPROF_E_TRUNCATED when shorter than a base block, MAPIPROF_E_LIMIT
 * when its hive-bins size exceeds the cap.  The caller has checked the
 * arguments (logs not NULL when nlogs > 0, nlogs <= MP_REGF_MAX_LOGS). */
int mp_regf_log_inputs(struct mapiprof_ctx *ctx, const uint8_t *primary, size_t plen,
                       const struct mp_regf_log_input *logs, size_t nlogs,
                       struct mp_regf_primary *pr, struct mp_regf_logv *lv);

/* Checks lv's base block (spec "Old format: Base block", notes 1-2: a valid
 * log has a valid checksum and seq1 == seq2) and finds its entries: sets
 * lv->kind (NONE when it cannot be used), lv->broken, lv->nvalid, r->kind,
 * r->first_seq, r->entries_valid and r->note (what it holds, or why it is
 * unusable). */
void mp_regf_log_open(struct mp_regf_logv *lv, struct mp_regf_log_report *r);

/* The header fields of the entry at p (at least its header; checked by
 * mp_regf_log_open when p is in a log's valid run). */
void mp_regf_log_entry(const uint8_t *p, struct mp_regf_entry *e);
/* Page reference i (< e's npages) of the entry at p: the page's offset in
 * the hive bins and its size.  The pages follow the references in order. */
void mp_regf_log_page_ref(const uint8_t *p, uint32_t i, uint32_t *off, uint32_t *size);
/* The first page of the entry at p with header e. */
const uint8_t *mp_regf_log_pages(const uint8_t *p, const struct mp_regf_entry *e);

/* Of an old-format log lv checked by mp_regf_log_open: 1 when page bit of
 * the hive bins is dirty, and the offset in lv of its first dirty page
 * (the others follow in the order of their bits). */
int mp_regf_log_dirt_bit(const struct mp_regf_logv *lv, size_t bit);
size_t mp_regf_log_dirt_pages(const struct mp_regf_logv *lv);

#endif
