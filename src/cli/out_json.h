/* out_json.h - JSON output through jansson: one compact object per line
 * (JSON Lines), strings repaired to valid UTF-8, and the PROP object shared
 * by show and get (schema in man/mapiprof.1, JSON OUTPUT). */
#ifndef MP_CLI_OUT_JSON_H
#define MP_CLI_OUT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct mapiprof_file;
struct mapiprof_prop;
struct mapiprof_decoded;

/* A JSON string for s (invalid UTF-8 bytes become "\xHH" text first), or
 * JSON null when s is NULL.  Returns NULL only when out of memory. */
json_t *oj_string(const char *s);
/* An ISO-8601 string for a FILETIME, or null when it is 0 or negative. */
json_t *oj_time(int64_t ft);
/* Lower-case hex string of the bytes. */
json_t *oj_hex(const uint8_t *p, size_t n);
/* Sets key to v in obj, taking v; returns 0, or -1 when v is NULL (out of
 * memory upstream) or the set fails, so callers can OR the results. */
int oj_set(json_t *obj, const char *key, json_t *v);
/* Appends v to arr, taking v; returns 0 or -1 as oj_set. */
int oj_push(json_t *arr, json_t *v);
/* The version of the JSON schema (man/mapiprof.1, JSON OUTPUT); every
 * top-level object printed carries it as "schema_version". */
#define OJ_SCHEMA_VERSION 2
/* A new top-level object that already holds "schema_version" (first key);
 * NULL when out of memory.  Commands may start their object with it, but
 * need not: oj_emit adds the key to any object that lacks it. */
json_t *oj_root(void);
/* Writes obj compactly (ASCII only, so no raw control or C1 character
 * reaches a terminal) and a newline to stdout, then releases obj.  A
 * top-level object without "schema_version" gets it as its first key.
 * Returns 0, or -1 when out of memory (nothing written). */
int oj_emit(json_t *obj);
/* Ends building obj whose oj_set/oj_push results were OR-ed into bad:
 * obj, or NULL (obj released) when bad. */
json_t *oj_done(json_t *obj, int bad);
/* As oj_emit, but releases obj and returns -1 when bad. */
int oj_emit_unless(json_t *obj, int bad);
/* The "status" of a file in list and show: "no_profiles" when it holds no
 * MAPI profile (a valid input with an empty result), else "ok". */
const char *oj_file_status(const struct mapiprof_file *f);
/* {"kind": ..., FIELD: value, ..., "unconfirmed": true, "unconfirmed_fields":
 * [...], "defaults": [...], "error": ...} for a decoded structure, with
 * "index" when with_index.  NULL when out of memory. */
json_t *oj_decoded(const struct mapiprof_decoded *d, int with_index);
/* Adds the PROP fields of p (profile index profile of f) to obj:
 * value_name, tag, name, type, reg_type, value, flags, mv_layout, uids,
 * secure, secret/opaque/length, decoded, error, and raw when raw is set
 * (for a secret too: only then).  flags is present only when the tag has a flag table,
 * unless always_flags is set (then an empty array when none).  Returns 0 or -1 (out of memory). */
int oj_prop_fill(json_t *obj, const struct mapiprof_file *f, size_t profile,
                 const struct mapiprof_prop *p, int raw, int always_flags);

#endif
