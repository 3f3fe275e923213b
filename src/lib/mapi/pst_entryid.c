/* pst_entryid.c - the PST store entry ID's parts, and a rebuild with new
 * paths (pst_entryid.h). */
#include <stdlib.h>
#include <string.h>

#include "base/utf16.h"
#include "mapi/pst_entryid.h"

/* MS-OXCDATA 2.2.4.3: the wrapped store entry ID's provider UID. */
static const uint8_t wrapped_uid[16] = {0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A,
                                        0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2};
/* MSPST_UID_PROVIDER (MAPIStubLibrary MSPST.h), for MSPST and MSUPST. */
static const uint8_t mspst_uid[16] = {0x4E, 0x49, 0x54, 0x41, 0xF9, 0xBF, 0xB8, 0x01,
                                      0x00, 0xAA, 0x00, 0x37, 0xD9, 0x6E, 0x00, 0x00};

#define WRAPPER_FIXED 22u /* flags, UID, version, flag */
#define PST_FIXED     21u /* flags, UID, reserved */

static int
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* Offset of the PST part after the DLL name ending at dll_end: the DLL name
 * is padded with 0 to 3 zero bytes (with 4-byte alignment from the start of
 * the entry ID in the samples, from the name's start per MS-OXCDATA; both
 * are accepted), so the first such offset holding the MSPST UID wins. */
static int
find_pst(const uint8_t *p, size_t len, size_t dll_end, size_t *pst)
{
	for (size_t pad = 0; pad < 4; pad++) {
		size_t at = dll_end + pad;
		if (at > len || len - at < PST_FIXED + 1)
			return 0;
		if (pad > 0 && p[at - 1] != 0)
			return 0;
		if (memcmp(p + at + 4, mspst_uid, 16) == 0) {
			*pst = at;
			return 1;
		}
	}
	return 0;
}

/* The parts of the entry ID at p; exact: it must end at len (zero bytes
 * after its last NUL allowed), else it ends at its last NUL. */
static int
parse(const uint8_t *p, size_t len, struct mp_pst_entryid *e, int exact)
{
	memset(e, 0, sizeof(*e));
	if (len < WRAPPER_FIXED + 1 || memcmp(p + 4, wrapped_uid, 16) != 0)
		return 0;
	const uint8_t *nul = memchr(p + WRAPPER_FIXED, 0, len - WRAPPER_FIXED);
	if (nul == NULL || !find_pst(p, len, (size_t)(nul - p) + 1, &e->pst))
		return 0;
	e->ansi = e->pst + PST_FIXED;
	nul = memchr(p + e->ansi, 0, len - e->ansi);
	if (nul == NULL)
		return 0;
	e->ansi_len = (size_t)(nul - p) - e->ansi;
	size_t at = e->ansi + e->ansi_len + 1;
	/* A UTF-16LE path: code units up to 00 00; else only padding. */
	for (size_t k = at; len - k >= 2; k += 2) {
		if (p[k] == 0 && p[k + 1] == 0) {
			e->has_unicode = 1;
			e->unicode = at;
			e->unicode_len = k - at;
			at = k + 2;
			break;
		}
	}
	e->tail = at;
	return !exact || all_zero(p + at, len - at);
}

int
mp_pst_entryid_parse(const uint8_t *p, size_t len, struct mp_pst_entryid *e)
{
	return parse(p, len, e, 1);
}

size_t
mp_pst_entryid_next(const uint8_t *p, size_t len, size_t from, struct mp_pst_entryid *e)
{
	for (size_t i = from; len >= 20 && i <= len - 20; i++) {
		if (memcmp(p + i + 4, wrapped_uid, 16) == 0 && parse(p + i, len - i, e, 0))
			return i;
	}
	return len;
}

int
mp_pst_entryid_paths(struct mapiprof_ctx *ctx, const char *codepage, const uint8_t *p,
                     const struct mp_pst_entryid *e, char **ansi, char **unicode, int *lossy)
{
	size_t n = 0;
	int l1 = 0, l2 = 0;
	*ansi = *unicode = NULL;
	if (mp_cp_to_utf8(ctx, codepage, p + e->ansi, e->ansi_len, ansi, &n, &l1) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (e->has_unicode && mp_utf16le_to_utf8(ctx, p + e->unicode, e->unicode_len, unicode, &n,
	                                         &l2) != MAPIPROF_OK) {
		free(*ansi);
		*ansi = NULL;
		return MAPIPROF_FAILED;
	}
	*lossy = l1 || l2;
	return MAPIPROF_OK;
}

int
mp_pst_entryid_build(struct mapiprof_ctx *ctx, const char *codepage, const uint8_t *p, size_t len,
                     const struct mp_pst_entryid *e, const char *ansi, const char *unicode,
                     uint8_t **out, size_t *outlen)
{
	uint8_t *a = NULL, *u = NULL;
	size_t alen = e->ansi_len, ulen = e->unicode_len;
	*out = NULL;
	*outlen = 0;
	if (ansi != NULL &&
	    mp_utf8_to_cp(ctx, codepage, ansi, strlen(ansi), &a, &alen) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (unicode != NULL && e->has_unicode &&
	    mp_utf8_to_utf16le(ctx, unicode, strlen(unicode), &u, &ulen) != MAPIPROF_OK) {
		free(a);
		return MAPIPROF_FAILED;
	}
	/* An ANSI path holding a NUL would end early: the code page's
	 * conversion of valid text never makes one, but check. */
	if (a != NULL && alen > 0 && memchr(a, 0, alen) != NULL) {
		free(a);
		free(u);
		mp_seterr(ctx, MAPIPROF_E_CODEPAGE, "the path holds a NUL byte in %s", codepage);
		return MAPIPROF_FAILED;
	}
	size_t n = e->ansi + alen + 1 + (e->has_unicode ? ulen + 2 : 0) + (len - e->tail);
	uint8_t *b = malloc(n);
	if (b == NULL) {
		free(a);
		free(u);
		return mp_nomem(ctx);
	}
	size_t at = e->ansi;
	memcpy(b, p, at);
	if (alen > 0)
		memcpy(b + at, a != NULL ? a : p + e->ansi, alen);
	at += alen;
	b[at++] = 0;
	if (e->has_unicode) {
		if (ulen > 0)
			memcpy(b + at, u != NULL ? u : p + e->unicode, ulen);
		at += ulen;
		b[at++] = 0;
		b[at++] = 0;
	}
	if (len > e->tail)
		memcpy(b + at, p + e->tail, len - e->tail);
	free(a);
	free(u);
	*out = b;
	*outlen = n;
	return MAPIPROF_OK;
}
