/* out_text.h - plain-text rendering of property values for show and get;
 * every string from the file goes through esc_text(). */
#ifndef MP_CLI_OUT_TEXT_H
#define MP_CLI_OUT_TEXT_H

#include <stddef.h>
#include <stdio.h>

struct mapiprof_file;
struct mapiprof_prop;
struct mapiprof_uidref;
struct mapiprof_decoded;

/* The line list and show print under the file header of a file without
 * any MAPI profile (a valid input with an empty result). */
#define NO_PROFILES_LINE "profiles: none (no MAPI profile in the file)\n"

/* Prints "file: PATH" (escaped), after a blank line when an earlier file
 * header was printed, so files in a batch are separated.  Returns 0 or -1
 * as ot_prop. */
int ot_file_header(FILE *out, const char *path);
/* Prints "uid (role service)", "uid (role)" or "uid (dangling)". */
int ot_uidref(FILE *out, const struct mapiprof_file *f, size_t profile,
              const struct mapiprof_uidref *u);
/* Prints a decoded structure on one line, indented: "decoded[INDEX]: KIND
 * name=value, ..." (strings quoted and escaped; " (default)" and
 * " (unconfirmed)" after such fields; "; ERROR: ..." when malformed).
 * Returns 0 or -1 as ot_prop. */
int ot_decoded(FILE *out, const struct mapiprof_decoded *d, int indent, int with_index);
/* Prints one property as show does: a line "VALUE_NAME  TAG  NAME  TYPE
 * VALUE  [FLAGS]" indented by indent spaces, then one "-> uid (...)" line
 * per UID reference, one "decoded: ..." line per decoded structure (not
 * for a secret, whose cell says what it is) and a "raw: HEX" line for a
 * malformed value (for every value, secrets too, when raw is set).  Returns 0, or -1 when out of
 * memory or on a write error. */
int ot_prop(FILE *out, const struct mapiprof_file *f, size_t profile, const struct mapiprof_prop *p,
            int indent, int raw);
/* Prints the value cell of a show line without a newline: the decoded
 * value as ot_prop prints it, then "  FLAGS" when the tag has a flag table
 * and a bit is set (the before and after of a planned change).  Returns 0
 * or -1 as ot_prop. */
int ot_value_cell(FILE *out, const struct mapiprof_prop *p);
/* Prints the value alone, as get does: integers in decimal, booleans as
 * true/false, binary as lower-case hex, strings escaped, one element per
 * line for multi-values, "<secret: FORMAT, N bytes>" for a secure value;
 * then one "decoded: ..." line per decoded structure (ot_decoded).  Returns 0
 * or -1 as ot_prop. */
int ot_value_lines(FILE *out, const struct mapiprof_prop *p);

#endif
