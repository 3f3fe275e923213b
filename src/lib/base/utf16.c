/* utf16.c - the only file that calls iconv (see utf16.h). */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf16.h"

/* UTF-8 of U+FFFD, written where input cannot be converted. */
static const char replacement[] = "\xEF\xBF\xBD";

/* Converters a context keeps open: iconv_open loads and sets up a gconv
 * module each time (a malloc and a table walk in glibc), which costs more
 * than converting a short registry string.  A context belongs to one thread
 * (mapiprof.h), so its converters do too.  Few pairs occur: UTF-16LE and
 * one code page, each way. */
#define ICONV_SLOTS 6

struct mp_iconv_cache {
	struct {
		char from_name[64], to_name[64];
		iconv_t cd;
	} slot[ICONV_SLOTS];
	size_t n, next;
};

void
mp_iconv_cache_free(struct mapiprof_ctx *ctx)
{
	if (ctx == NULL || ctx->iconv == NULL)
		return;
	for (size_t i = 0; i < ctx->iconv->n; i++)
		iconv_close(ctx->iconv->slot[i].cd);
	free(ctx->iconv);
	ctx->iconv = NULL;
}

/* A converter from "from" to "to" in its initial state: one of ctx's, or,
 * without a ctx or when names are too long to keep, a new one that *owned
 * says the caller closes. */
static iconv_t
converter(struct mapiprof_ctx *ctx, const char *from, const char *to, int *owned)
{
	*owned = 1;
	if (ctx == NULL || strlen(from) >= 64 || strlen(to) >= 64)
		return iconv_open(to, from);
	if (ctx->iconv == NULL && (ctx->iconv = calloc(1, sizeof(*ctx->iconv))) == NULL)
		return iconv_open(to, from);
	ctx->iconv_free = mp_iconv_cache_free;
	struct mp_iconv_cache *c = ctx->iconv;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->slot[i].from_name, from) == 0 &&
		    strcmp(c->slot[i].to_name, to) == 0) {
			*owned = 0;
			/* Back to the initial shift state after an earlier, maybe
			 * failed, conversion. */
			(void)iconv(c->slot[i].cd, NULL, NULL, NULL, NULL);
			return c->slot[i].cd;
		}
	iconv_t cd = iconv_open(to, from);
	if (cd == (iconv_t)-1)
		return cd;
	size_t i;
	if (c->n < ICONV_SLOTS) {
		i = c->n++;
	} else { /* full: replace the slots in turn */
		i = c->next++ % ICONV_SLOTS;
		iconv_close(c->slot[i].cd);
	}
	strcpy(c->slot[i].from_name, from);
	strcpy(c->slot[i].to_name, to);
	c->slot[i].cd = cd;
	*owned = 0;
	return cd;
}

static void
release(iconv_t cd, int owned)
{
	if (owned)
		iconv_close(cd);
}

/*
 * Runs iconv from "from" to "to" over p[0..len).  On an invalid or
 * incomplete input sequence: with skip > 0, writes repl and skips `skip`
 * input bytes (lossy); with skip == 0, fails with fail_code.
 * The output is malloc'd with room for a terminating NUL (two bytes, so a
 * UTF-16 result can be terminated too).
 */
static int
convert(struct mapiprof_ctx *ctx, const char *from, const char *to, const uint8_t *p, size_t len,
        size_t skip, const char *repl, size_t repl_len, enum mapiprof_error fail_code, char **out,
        size_t *outlen, int *lossy)
{
	int owned;
	iconv_t cd = converter(ctx, from, to, &owned);
	if (cd == (iconv_t)-1) {
		mp_seterr(ctx, MAPIPROF_E_CODEPAGE, "iconv cannot convert from %s to %s", from, to);
		return MAPIPROF_FAILED;
	}
	/* Worst case growth of the conversions used here is 4 output bytes per
	 * input byte (single-byte code page to UTF-8 is at most 3). */
	if (len > (SIZE_MAX - 8) / 4) {
		release(cd, owned);
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "string of %zu bytes is too long", len);
		return MAPIPROF_FAILED;
	}
	size_t cap = len * 4 + 8;
	char *buf = malloc(cap);
	if (buf == NULL) {
		release(cd, owned);
		return mp_nomem(ctx);
	}
	char *in = (char *)(uintptr_t)p;
	size_t inleft = len;
	char *o = buf;
	size_t oleft = cap - 2;
	if (lossy != NULL)
		*lossy = 0;
	while (inleft > 0) {
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		if (r != (size_t)-1)
			break;
		if ((errno == EILSEQ || errno == EINVAL) && skip > 0 && oleft >= repl_len) {
			size_t n = inleft < skip ? inleft : skip;
			in += n;
			inleft -= n;
			memcpy(o, repl, repl_len);
			o += repl_len;
			oleft -= repl_len;
			if (lossy != NULL)
				*lossy = 1;
			continue;
		}
		int err = errno;
		free(buf);
		release(cd, owned);
		if (err == EILSEQ || err == EINVAL)
			mp_seterr(ctx, fail_code, "text cannot be converted from %s to %s", from,
			          to);
		else
			mp_seterr_errno(ctx, err, "iconv from %s to %s", from, to);
		return MAPIPROF_FAILED;
	}
	release(cd, owned);
	*outlen = (size_t)(o - buf);
	o[0] = '\0';
	o[1] = '\0';
	*out = buf;
	return MAPIPROF_OK;
}

int
mp_utf16le_to_utf8(struct mapiprof_ctx *ctx, const uint8_t *p, size_t len, char **out,
                   size_t *outlen, int *lossy)
{
	return convert(ctx, "UTF-16LE", "UTF-8", p, len, 2, replacement, 3, MAPIPROF_E_FORMAT, out,
	               outlen, lossy);
}

int
mp_utf8_to_utf16le(struct mapiprof_ctx *ctx, const char *s, size_t len, uint8_t **out,
                   size_t *outlen)
{
	char *buf;
	int rc = convert(ctx, "UTF-8", "UTF-16LE", (const uint8_t *)s, len, 0, NULL, 0,
	                 MAPIPROF_E_FORMAT, &buf, outlen, NULL);
	if (rc == MAPIPROF_OK)
		*out = (uint8_t *)buf;
	return rc;
}

/* 1 when the len bytes at p are all ASCII (below 0x80). */
static int
all_ascii(const uint8_t *p, size_t len)
{
	uint8_t any = 0;
	for (size_t i = 0; i < len; i++)
		any |= p[i];
	return any < 0x80u;
}

int
mp_cp_to_utf8(struct mapiprof_ctx *ctx, const char *codepage, const uint8_t *p, size_t len,
              char **out, size_t *outlen, int *lossy)
{
	/* ISO 8859-1 maps bytes below 0x80 to the same code points, which
	 * UTF-8 writes as the same bytes: there is nothing to convert, and
	 * iconv's ISO8859-1 module need not be loaded for a hive whose names
	 * are all ASCII (nearly every hive: compressed key and value names). */
	if (strcmp(codepage, "LATIN1") == 0 && all_ascii(p, len) && len < SIZE_MAX - 2) {
		char *buf = malloc(len + 2);
		if (buf == NULL)
			return mp_nomem(ctx);
		memcpy(buf, p, len);
		buf[len] = buf[len + 1] = '\0';
		*out = buf;
		*outlen = len;
		if (lossy != NULL)
			*lossy = 0;
		return MAPIPROF_OK;
	}
	return convert(ctx, codepage, "UTF-8", p, len, 1, replacement, 3, MAPIPROF_E_CODEPAGE, out,
	               outlen, lossy);
}

int
mp_utf8_to_cp(struct mapiprof_ctx *ctx, const char *codepage, const char *s, size_t len,
              uint8_t **out, size_t *outlen)
{
	char *buf;
	int rc = convert(ctx, "UTF-8", codepage, (const uint8_t *)s, len, 0, NULL, 0,
	                 MAPIPROF_E_CODEPAGE, &buf, outlen, NULL);
	if (rc == MAPIPROF_OK)
		*out = (uint8_t *)buf;
	return rc;
}

int
mp_to_utf8_apart(struct mapiprof_ctx *ctx, const char *codepage, const uint8_t *p, size_t len,
                 char **out, size_t *outlen, enum mapiprof_error *code, char *msg, size_t msgsize)
{
	struct mapiprof_ctx tmp;
	memset(&tmp, 0, sizeof(tmp));
	if (ctx != NULL) { /* lent for the call, with whatever it opens */
		tmp.iconv = ctx->iconv;
		tmp.iconv_free = ctx->iconv_free;
	}
	int rc = codepage != NULL ? mp_cp_to_utf8(&tmp, codepage, p, len, out, outlen, NULL)
	                          : mp_utf16le_to_utf8(&tmp, p, len, out, outlen, NULL);
	if (ctx != NULL) {
		ctx->iconv = tmp.iconv;
		ctx->iconv_free = tmp.iconv_free;
	} else {
		mp_iconv_cache_free(&tmp);
	}
	*code = tmp.code;
	if (msgsize > 0)
		snprintf(msg, msgsize, "%s", tmp.msg);
	free(tmp.file);
	return rc;
}

int
mp_codepage_valid(const char *codepage)
{
	if (codepage == NULL || codepage[0] == '\0')
		return 0;
	iconv_t a = iconv_open("UTF-8", codepage);
	if (a == (iconv_t)-1)
		return 0;
	iconv_close(a);
	iconv_t b = iconv_open(codepage, "UTF-8");
	if (b == (iconv_t)-1)
		return 0;
	iconv_close(b);
	return 1;
}

/* The public setter lives beside the iconv calls that decide whether a code
 * page exists, so the context itself needs no converter. */
int
mapiprof_ctx_set_codepage(struct mapiprof_ctx *ctx, const char *codepage)
{
	if (ctx == NULL || codepage == NULL)
		return MAPIPROF_FAILED;
	if (strlen(codepage) >= sizeof(ctx->codepage) || !mp_codepage_valid(codepage)) {
		mp_seterr(ctx, MAPIPROF_E_CODEPAGE, "unknown code page '%s'", codepage);
		return MAPIPROF_FAILED;
	}
	strcpy(ctx->codepage, codepage);
	return MAPIPROF_OK;
}
