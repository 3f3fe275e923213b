/* escape.h - make untrusted strings (names and values from a hive or .reg file, file
 * names) safe for a terminal and valid for JSON. */
#ifndef MP_CLI_ESCAPE_H
#define MP_CLI_ESCAPE_H

#include <stdio.h>

/* Returns a malloc'd copy of s for a terminal: C0 controls, DEL and invalid
 * UTF-8 bytes become "\xHH", C1 code points (U+0080..U+009F) "\u{HH}";
 * everything else, backslash included, is kept.  NULL when out of memory. */
char *esc_text(const char *s);
/* Returns a malloc'd copy of s that is valid UTF-8: each byte that is not
 * part of a valid sequence becomes "\xHH"; the rest is kept (JSON escapes
 * controls itself).  NULL when out of memory. */
char *esc_utf8(const char *s);
/* 1 when s is valid UTF-8 (no overlongs, surrogates or code points above
 * U+10FFFF), else 0. */
int esc_utf8_valid(const char *s);
/* Writes esc_text(s) to f; returns 0, or -1 when out of memory or on a
 * write error. */
int esc_fputs(const char *s, FILE *f);

#endif
