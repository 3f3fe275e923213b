/* logmaker.h - test-only: turns a clean hive and a changed copy of it into
 * a dirty primary plus a valid new-format transaction log, the state a
 * Windows 8.1+ machine leaves when it stops before writing the log's pages
 * back into the hive (regf spec, "New format" of transaction log files). */
#ifndef MP_TEST_LOGMAKER_H
#define MP_TEST_LOGMAKER_H

#include <stddef.h>
#include <stdint.h>

/* Most HvLE entries lm_make_dirty_opts writes into one log. */
#define LM_MAX_ENTRIES 16u

struct lm_opts {
	/* The changed 4 KiB pages are spread over this many HvLE entries (in
	 * page order; 0 means 1, at most LM_MAX_ENTRIES and at most the number
	 * of changed pages), so corruption tests can break one in the middle. */
	unsigned entries;
	/* Also write an empty OUT.LOG2 beside OUT.LOG1 (Windows keeps both). */
	int empty_log2;
};

/* What lm_make_dirty_opts wrote (all offsets are file offsets in OUT.LOG1). */
struct lm_result {
	uint32_t seq_primary; /* the dirty primary's seq2 (its seq1 is one more) */
	uint32_t seq_after;   /* sequence numbers of the hive once the log is replayed */
	size_t pages;         /* changed pages written to the log */
	size_t entries;       /* HvLE entries written */
	size_t entry_off[LM_MAX_ENTRIES]; /* where each entry starts (the first at 512) */
	size_t entry_len[LM_MAX_ENTRIES]; /* each entry's size (a multiple of 512) */
	size_t log_len;                   /* size of OUT.LOG1 */
};

/* Reads the clean hive `clean` and `changed` (the same hive after some
 * edits, e.g. written by `mapiprof edit -o changed`; its hive bins may have
 * grown, its root cell must be where it was) and writes:
 *   - out: the bytes of clean, whose base block now says "dirty": seq1 =
 *     seq2 + 1, checksum recomputed (a primary Windows updated the first
 *     sequence number of before it crashed);
 *   - out.LOG1: a new-format log (file type 6) whose base block is the
 *     primary's with seq1 = seq2 = the primary's seq2, followed by HvLE
 *     entries numbered from there, holding every 4 KiB page of changed's
 *     hive bins that differs from clean's (and every page past clean's
 *     end), with changed's hive-bins size and Marvin32 Hash-1/Hash-2;
 *   - out.LOG2 (empty), when opts->empty_log2.
 * Replaying out.LOG1 onto out gives changed's hive bins.  clean and changed
 * are not modified; out may not be clean or changed.  Returns 0, or -1 with
 * a one-line reason in lm_error() (unreadable input, not a hive, no page
 * differs, the root cell moved, more entries asked than pages changed).
 * res may be NULL. */
int lm_make_dirty_opts(const char *clean, const char *changed, const char *out,
                       const struct lm_opts *opts, struct lm_result *res);

/* lm_make_dirty_opts with one entry and no .LOG2. */
int lm_make_dirty(const char *clean, const char *changed, const char *out);

/* The reason the last call above failed (a static buffer). */
const char *lm_error(void);

#endif
