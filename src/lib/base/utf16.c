/* utf16.c - the only file that calls iconv (see utf16.h). */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf16.h"

/* UTF-8 of U+FFFD, written where input cannot be converted. */
static const char replacement[] = "\xEF\xBF\xBD";

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
	iconv_t cd = iconv_open(to, from);
	if (cd == (iconv_t)-1) {
		mp_seterr(ctx, MAPIPROF_E_CODEPAGE, "iconv cannot convert from %s to %s", from, to);
		return MAPIPROF_FAILED;
	}
	/* Worst case growth of the conversions used here is 4 output bytes per
	 * input byte (single-byte code page to UTF-8 is at most 3). */
	if (len > (SIZE_MAX - 8) / 4) {
		iconv_close(cd);
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "string of %zu bytes is too long", len);
		return MAPIPROF_FAILED;
	}
	size_t cap = len * 4 + 8;
	char *buf = malloc(cap);
	if (buf == NULL) {
		iconv_close(cd);
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
		iconv_close(cd);
		if (err == EILSEQ || err == EINVAL)
			mp_seterr(ctx, fail_code, "text cannot be converted from %s to %s", from,
			          to);
		else
			mp_seterr_errno(ctx, err, "iconv from %s to %s", from, to);
		return MAPIPROF_FAILED;
	}
	iconv_close(cd);
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

int
mp_cp_to_utf8(struct mapiprof_ctx *ctx, const char *codepage, const uint8_t *p, size_t len,
              char **out, size_t *outlen, int *lossy)
{
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
