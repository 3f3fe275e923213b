/* fmt.h - small formatters shared by text and JSON output: times, hex, tags
 * and flag names. */
#ifndef MP_CLI_FMT_H
#define MP_CLI_FMT_H

#include <stddef.h>
#include <stdint.h>

struct mapiprof_prop;

/* FILETIME as mapiprof_filetime_iso() writes it, into buf (>= 32 bytes).
 * Returns 0, or -1 when ft is 0 (unknown), negative or beyond year 9999. */
int fmt_filetime(int64_t ft, char *buf, size_t size);
/* Lower-case hex of n bytes, malloc'd; NULL when out of memory. */
char *fmt_hex(const uint8_t *p, size_t n);
/* The flag names of p joined by '|', then its unknown bits as "0x…"
 * ("A|B|0x100"); "" when none.  malloc'd; NULL when out of memory. */
char *fmt_flags(const struct mapiprof_prop *p);
/* "0x66040003" (buf >= 11 bytes). */
void fmt_tag(uint32_t tag, char *buf, size_t size);
/* The registry value name of a tag: type then ID, "00036604" (buf >= 9). */
void fmt_value_name(uint32_t tag, char *buf, size_t size);
/* The kind of transaction log a recovery replayed, from
 * mapiprof_info.recovered_format: "old-format log (DIRT)", ... */
const char *fmt_log_format(uint32_t format);

#endif
