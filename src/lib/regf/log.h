/* log.h - the reader of transaction logs: both formats (old DIRT, new
 * HvLE) read and checked, entry by entry, never applied (replay.h applies
 * them).  M. Suhanov, "Windows registry file format specification",
 * sections "Format of transaction log files", "Dirty state of a hive" and
 * "Multiple transaction log files". */
#ifndef MP_REGF_LOG_H
#define MP_REGF_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/ctx.h"
#include "regf/base_block.h"

/* Logs one replay accepts: Windows keeps at most .LOG, .LOG1 and .LOG2
 * beside a hive (spec, "Multiple transaction log files"); a few more for
 * case variants of the same names. */
#define MP_REGF_MAX_LOGS 8u

/* Values of mp_regf_recovery.format and mp_regf_log_report.kind: the
 * base block's file type (spec "Base block"). */
#define MP_REGF_LOG_NONE 0u
#define MP_REGF_LOG_OLD  1u /* DIRT vector (type 2 on NT 3.51-2000 is read as 1) */
#define MP_REGF_LOG_NEW  6u /* HvLE entries */

/* One log file's bytes as the caller read them; name (may be NULL) is
 * used in messages, e.g. "NTUSER.DAT.LOG1". */
struct mp_regf_log_input {
	const char *name;
	const uint8_t *data;
	size_t len;
};

/* What became of one input log. */
struct mp_regf_log_report {
	uint32_t kind;          /* MP_REGF_LOG_*: what its base block says, NONE if unusable */
	uint32_t first_seq;     /* sequence number of its first entry (its base block's seq1) */
	size_t entries_valid;   /* HvLE entries in the unbroken valid run from its start */
	size_t entries_applied; /* of those, applied (1 for an applied DIRT log) */
	char note[160];         /* e.g. "applied entries 3..5", "older than the primary: ..." */
};

/* ---- what the replay reads of a log -------------------------------- */

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
