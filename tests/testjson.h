/* testjson.h - helpers for the CLI tests that read mapiprof's JSON Lines
 * output with jansson: a line parsed as an object, the typed fields of an
 * object, the element of an array by a field, and a run of mapiprof whose
 * first line is returned.  Every helper asserts (cr_assert) instead of
 * returning an error. */
#ifndef MP_TESTJSON_H
#define MP_TESTJSON_H

#include <jansson.h>
#include <stddef.h>

/* Line i (0-based, '\n'-terminated) of text parsed as one JSON object; the
 * caller owns the reference. */
json_t *tj_line(const char *text, size_t i);
/* Every line of text (each '\n'-terminated) parsed as JSON, in an array;
 * the caller owns the reference. */
json_t *tj_lines(const char *text);
/* Runs the built mapiprof with the NULL-terminated arguments into tu_last
 * (as TU_CLI does), asserts exit status 0 and returns line 0 of its stdout
 * (tj_line). */
json_t *tj_cli(const char *arg, ...);
#define TJ_CLI(...) tj_cli(__VA_ARGS__, (char *)NULL)

/* The string, integer field key of object o (asserted to be of that type). */
const char *tj_str(json_t *o, const char *key);
json_int_t tj_int(json_t *o, const char *key);
/* Asserts that the field key of o is JSON null. */
void tj_assert_null(json_t *o, const char *key);
/* The element of the array a whose string field key is value (asserted
 * present). */
json_t *tj_find(json_t *a, const char *key, const char *value);
/* The "sections" array of the first profile of a show/list object. */
json_t *tj_first_sections(json_t *file);

#endif
