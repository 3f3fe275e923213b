/* out_timeline.h - the record formats of "mapiprof timeline": The Sleuth
 * Kit's body file (mactime reads it), RegRipper's TLN, CSV with a header
 * row, and JSON lines. */
#ifndef MP_CLI_OUT_TIMELINE_H
#define MP_CLI_OUT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

/* One key on the timeline, with the file it is in. */
struct tl_record {
	int64_t last_write; /* FILETIME */
	char *file;         /* as messages name it */
	char *path;         /* key path from the hive root */
	char *profile;
	char *section; /* NULL for a profile key */
	char *role;
	int deleted;
	size_t seq; /* the order found, which a sort by time keeps for ties */
};

enum tl_format { TL_BODYFILE, TL_TLN, TL_CSV, TL_JSONL };

/* The format named s ("bodyfile", "tln", "csv", "jsonl"); returns 0, or -1
 * when none has that name. */
int tl_format_parse(const char *s, enum tl_format *out);

/* Writes to stdout what comes before the records, if anything (the CSV
 * header row). */
void tl_begin(enum tl_format fmt);
/* Writes one record as a line to stdout; host and user fill TLN's fields
 * (NULL: empty).  Returns 0, or -1 when out of memory. */
int tl_write(enum tl_format fmt, const struct tl_record *r, const char *host, const char *user);

#endif
