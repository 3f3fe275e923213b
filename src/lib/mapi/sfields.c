/* sfields.c - the bounded field table the structure decoders fill, and its
 * copy into a file's arena. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/utf16.h"
#include "mapi/sfields.h"

void
mp_sf_begin(struct mp_sfields *sf, const char *kind)
{
	sf->kind = kind;
	sf->n = 0;
	sf->error[0] = '\0';
}

void
mp_sf_error(struct mp_sfields *sf, const char *fmt, ...)
{
	if (sf->error[0] != '\0')
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sf->error, sizeof(sf->error), fmt, ap);
	va_end(ap);
}

static struct mp_sfield *
add(struct mp_sfields *sf, const char *name, enum mapiprof_field_type type)
{
	if (sf->n >= MP_SF_MAX) {
		mp_sf_error(sf, "more than %u fields", MP_SF_MAX);
		return NULL;
	}
	struct mp_sfield *f = &sf->f[sf->n++];
	f->name = name;
	f->type = type;
	f->i = 0;
	f->flags = 0;
	f->s[0] = '\0';
	return f;
}

struct mp_sfield *
mp_sf_int(struct mp_sfields *sf, const char *name, int64_t v)
{
	struct mp_sfield *f = add(sf, name, MAPIPROF_F_INT);
	if (f != NULL)
		f->i = v;
	return f;
}

struct mp_sfield *
mp_sf_bool(struct mp_sfields *sf, const char *name, int v)
{
	struct mp_sfield *f = add(sf, name, MAPIPROF_F_BOOL);
	if (f != NULL)
		f->i = v != 0;
	return f;
}

struct mp_sfield *
mp_sf_str(struct mp_sfields *sf, const char *name, const char *s, size_t n)
{
	struct mp_sfield *f = add(sf, name, MAPIPROF_F_STRING);
	if (f == NULL)
		return NULL;
	if (n >= sizeof(f->s)) {
		n = sizeof(f->s) - 1;
		/* back off to the start of a UTF-8 sequence */
		while (n > 0 && ((unsigned char)s[n] & 0xC0u) == 0x80u)
			n--;
		mp_sf_error(sf, "%s is longer than %u bytes", name, MP_SF_STR_MAX - 1);
	}
	memcpy(f->s, s, n);
	f->s[n] = '\0';
	return f;
}

struct mp_sfield *
mp_sf_hex(struct mp_sfields *sf, const char *name, const uint8_t *p, size_t n)
{
	char buf[129];
	if (n > 64)
		n = 64;
	mp_hex_encode(p, n, buf);
	return mp_sf_str(sf, name, buf, 2 * n);
}

/* Converts through iconv (UTF-16LE when codepage is NULL); a conversion
 * that cannot run leaves an empty string and an error. */
static struct mp_sfield *
convert(struct mp_sfields *sf, const char *name, const char *codepage, const uint8_t *p, size_t n)
{
	char *out = NULL;
	size_t olen = 0;
	enum mapiprof_error code;
	if (mp_to_utf8_apart(NULL, codepage, p, n, &out, &olen, &code, NULL, 0) != MAPIPROF_OK) {
		mp_sf_error(sf, "%s could not be converted", name);
		return mp_sf_str(sf, name, "", 0);
	}
	struct mp_sfield *f = mp_sf_str(sf, name, out, olen);
	free(out);
	return f;
}

struct mp_sfield *
mp_sf_utf16(struct mp_sfields *sf, const char *name, const uint8_t *p, size_t n)
{
	return convert(sf, name, NULL, p, n);
}

struct mp_sfield *
mp_sf_cp(struct mp_sfields *sf, const char *name, const char *codepage, const uint8_t *p, size_t n)
{
	return convert(sf, name, codepage != NULL ? codepage : "WINDOWS-1252", p, n);
}

const char *
mp_sf_get(const struct mp_sfields *sf, const char *name)
{
	for (size_t i = 0; i < sf->n; i++)
		if (sf->f[i].type == MAPIPROF_F_STRING && strcmp(sf->f[i].name, name) == 0)
			return sf->f[i].s;
	return NULL;
}

size_t
mp_sf_strend8(const uint8_t *p, size_t len, size_t off)
{
	if (off >= len)
		return len;
	const uint8_t *z = memchr(p + off, 0, len - off);
	return z != NULL ? (size_t)(z - p) : len;
}

size_t
mp_sf_strend16(const uint8_t *p, size_t len, size_t off)
{
	for (size_t k = off; k < len && len - k >= 2; k += 2)
		if (p[k] == 0 && p[k + 1] == 0)
			return k;
	return len;
}

int
mp_sf_export(struct mapiprof_ctx *ctx, struct mp_arena *a, const struct mp_sfields *sf,
             size_t index, struct mapiprof_decoded *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = sf->kind;
	out->index = index;
	if (sf->error[0] != '\0' && (out->error = mp_arena_strdup(a, sf->error)) == NULL)
		return mp_nomem(ctx);
	struct mapiprof_field *v = mp_arena_calloc(a, sf->n ? sf->n : 1, sizeof(*v));
	if (v == NULL)
		return mp_nomem(ctx);
	for (size_t i = 0; i < sf->n; i++) {
		const struct mp_sfield *f = &sf->f[i];
		v[i].name = f->name;
		v[i].type = f->type;
		v[i].i = f->i;
		v[i].flags = f->flags;
		if (f->flags & MAPIPROF_FIELD_UNCONFIRMED)
			out->unconfirmed = 1;
		if (f->type == MAPIPROF_F_STRING && (v[i].s = mp_arena_strdup(a, f->s)) == NULL)
			return mp_nomem(ctx);
	}
	out->fields = v;
	out->nfields = sf->n;
	return MAPIPROF_OK;
}
