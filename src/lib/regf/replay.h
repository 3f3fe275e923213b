/* replay.h - transaction-log replay: the logs log.h reads applied to a
 * primary hive image in memory the way Windows recovers a dirty hive
 * (M. Suhanov, "Windows registry file format specification", sections
 * "Dirty state of a hive" and "Multiple transaction log files").  Never
 * writes files.
 *
 * What the replay does, in short:
 *   - A clean primary (checksum right, seq1 == seq2) is returned as it is;
 *     its logs are ignored, as Windows ignores them (spec, "Dirty state").
 *   - New format (Windows 8.1+, file type 6): each log is read as a run of
 *     HvLE entries from offset 512, numbered from its base block's seq1 and
 *     checked (signature, size, Marvin32 Hash-1 and Hash-2, sequence,
 *     hive-bins size, page references); the run ends at the first bad
 *     entry.  With a valid primary base block, entries from the primary's
 *     seq2 on are applied in strict +1 order across all logs (LOG1 then
 *     LOG2, or whichever continues the sequence) until no log continues it.
 *     With an invalid primary base block, only the log that starts latest
 *     is used and its base block replaces the primary's.
 *   - Old format (up to Windows 8, file type 1 or 2): the first log whose
 *     last-written timestamp equals the primary's is applied: its DIRT
 *     bitmap's 512-byte pages are written, then the hive bins are walked
 *     and pages from the first invalid bin on are put back as they were.
 *   - An entry is applied whole or not at all, and a page is never written
 *     in part.  The result's base block has seq1 == seq2 == the last
 *     sequence applied, file type 0, the final hive-bins size and a
 *     checksum by the Windows rule (0 -> 1, 0xFFFFFFFF -> 0xFFFFFFFE);
 *     when the plain XOR would be 0 or 0xFFFFFFFF the last-written
 *     timestamp is moved on by a tick (or more) so hivex, which checks
 *     the plain XOR, reads the same value as valid (mp_regf_base_seal). */
#ifndef MP_REGF_REPLAY_H
#define MP_REGF_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/ctx.h"
#include "regf/log.h"

/* What a replay did. */
struct mp_regf_recovery {
	uint32_t format;        /* MP_REGF_LOG_NONE (primary clean), _OLD or _NEW */
	size_t entries_applied; /* HvLE entries, or 1 for a DIRT log */
	size_t pages_applied;   /* HvLE page references, or 512-byte DIRT pages */
	uint32_t seq1_before;   /* the primary's sequence numbers as found */
	uint32_t seq2_before;
	uint32_t seq_after;    /* both sequence numbers of the result */
	uint32_t bins_before;  /* hive-bins size in the primary's base block */
	uint32_t bins_after;   /* and in the result's */
	int primary_dirty;     /* seq1 != seq2 or a bad checksum */
	int base_from_log;     /* the primary's base block was invalid and was replaced */
	int checksum_nudged;   /* ticks added to the last-written timestamp (see above) */
	size_t logs_used;      /* bit i set: logs[i] contributed to the result */
	char stop_reason[160]; /* why replay stopped, e.g. "end of X.LOG2 at offset 40960",
	                        * "entry 7 of X.LOG1 at offset N has a bad Hash-1 (...)" */
	size_t nlogs;
	struct mp_regf_log_report logs[MP_REGF_MAX_LOGS];
};

/* Replays logs[0..nlogs) onto the primary image primary[0..plen) (neither
 * is modified) and sets *out to the recovered image (out->data malloc'd,
 * out->len = 4096 + hive-bins size; free with mp_buf_free).  A clean
 * primary gives MAPIPROF_OK, rep->format MP_REGF_LOG_NONE and *out an
 * exact copy of the plen bytes.  Logs that cannot apply (empty, older than
 * the primary, another hive's, broken) are skipped with a note in
 * rep->logs[i].  rep is filled as far as the replay got, also on failure.
 *
 * Fails with MAPIPROF_E_INVALID (NULL arguments, more than
 * MP_REGF_MAX_LOGS logs), MAPIPROF_E_FORMAT / MAPIPROF_E_TRUNCATED (the
 * primary is not a hive; or the hive is dirty, nothing applies and a log
 * is not a valid log: the message names that log and the offset),
 * MAPIPROF_E_UNSAFE (the hive is dirty and no log applies: the message
 * says why for each), MAPIPROF_E_LIMIT (an image larger than
 * MP_MAX_HIVE_IMAGE), MAPIPROF_E_NOMEM. */
int mp_regf_recover(struct mapiprof_ctx *ctx, const uint8_t *primary, size_t plen,
                    const struct mp_regf_log_input *logs, size_t nlogs, struct mp_buf *out,
                    struct mp_regf_recovery *rep);

/* Reads the hive info describes (info->path, inspected by
 * mp_hiveinfo_inspect) and the transaction logs it found beside it
 * (info->logs, in that order, so rep->logs[i] is info->logs[i] for the
 * first MP_REGF_MAX_LOGS) and replays them with mp_regf_recover.  Each file may be at most
 * MP_MAX_HIVE_IMAGE bytes.  Errors as mp_regf_recover plus those of
 * reading (MAPIPROF_E_NOENT, MAPIPROF_E_IO, ...), with the file named. */
int mp_regf_recover_file(struct mapiprof_ctx *ctx, const struct mapiprof_info *info,
                         struct mp_buf *out, struct mp_regf_recovery *rep);

#endif
