/* sfields.h - the fixed-size result of a structure decoder (entry IDs,
 * account-manager values): a kind, up to MP_SF_MAX fields with bounded
 * strings, and the first error.  No allocation, so a decoder is a pure
 * function of (bytes, len) and can be fuzzed alone; mp_sf_export copies
 * the result into a file's arena as a struct mapiprof_decoded. */
#ifndef MP_SFIELDS_H
#define MP_SFIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

#define MP_SF_MAX     20u   /* fields of one structure */
#define MP_SF_STR_MAX 1024u /* bytes of one string field, NUL included */
#define MP_SF_ERR_MAX 160u

struct mp_sfield {
	const char *name; /* static */
	enum mapiprof_field_type type;
	int64_t i;
	unsigned flags;
	char s[MP_SF_STR_MAX];
};

struct mp_sfields {
	const char *kind; /* static; NULL: nothing recognised */
	size_t n;
	struct mp_sfield f[MP_SF_MAX];
	char error[MP_SF_ERR_MAX]; /* "" when well-formed */
};

/* Starts a result of kind. */
void mp_sf_begin(struct mp_sfields *sf, const char *kind);
/* Adds a field; a full table is recorded as an error.  Returns the field or
 * NULL. */
struct mp_sfield *mp_sf_int(struct mp_sfields *sf, const char *name, int64_t v);
struct mp_sfield *mp_sf_bool(struct mp_sfields *sf, const char *name, int v);
/* A string field from UTF-8 (or ASCII) bytes; longer strings are cut at a
 * character boundary and recorded as an error. */
struct mp_sfield *mp_sf_str(struct mp_sfields *sf, const char *name, const char *s, size_t n);
/* Lower-case hex of n bytes (n <= 64). */
struct mp_sfield *mp_sf_hex(struct mp_sfields *sf, const char *name, const uint8_t *p, size_t n);
/* A string field from n bytes of UTF-16LE, through iconv (base/utf16.h). */
struct mp_sfield *mp_sf_utf16(struct mp_sfields *sf, const char *name, const uint8_t *p, size_t n);
/* A string field from n bytes in an 8-bit code page (windows-1252 when
 * codepage is NULL), through iconv. */
struct mp_sfield *mp_sf_cp(struct mp_sfields *sf, const char *name, const char *codepage,
                           const uint8_t *p, size_t n);
/* Records the first error (later ones are dropped). */
void mp_sf_error(struct mp_sfields *sf, const char *fmt, ...) MP_PRINTF(2, 3);
/* The string value of field name, or NULL. */
const char *mp_sf_get(const struct mp_sfields *sf, const char *name);

/* Offset of the NUL that ends the 8-bit string at p[off..len), or len when
 * there is none. */
size_t mp_sf_strend8(const uint8_t *p, size_t len, size_t off);
/* Offset of the NUL unit that ends the UTF-16LE string at p[off..len)
 * (units from off), or len when there is none. */
size_t mp_sf_strend16(const uint8_t *p, size_t len, size_t off);

/* Copies sf into a (strings included) as *out.  Fails only on NOMEM. */
int mp_sf_export(struct mapiprof_ctx *ctx, struct mp_arena *a, const struct mp_sfields *sf,
                 size_t index, struct mapiprof_decoded *out);

#endif
