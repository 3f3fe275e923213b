/* fuzz_structs.c - libFuzzer harness for the structure decoders:
 * mp_entryid_decode (with and without the folder hint, both code pages),
 * mp_account_value_decode under every typed value name, mp_secret_describe,
 * mp_account_type on the bytes as text, and mp_sf_export of each result.
 *
 * Input layout:
 *   byte 0     bits 0-1: 0 entry ID, 1 entry ID with folder hint, 2 account
 *              value, 3 secret; bit 2: code page UTF-8 instead of
 *              windows-1252
 *   byte 1     index into the account value names below
 *   the rest   the value's data, in a buffer of exactly its length */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "mapi/account.h"
#include "mapi/entryid.h"
#include "mapi/sfields.h"

#define HDR 2u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
    "POP3 Port",        "IMAP Port",       "SMTP Port",     "HTTP Port",
    "POP3 Use SSL",     "SMTP Use Auth",   "HTTP Use SPA",  "SMTP Secure Connection",
    "SMTP Auth Method", "Leave on Server", "MAPI Provider", "Account Name",
};

/* The result is well-formed: bounded count, NUL-terminated strings, static
 * names. */
static void
check(const struct mp_sfields *sf)
{
	if (sf->n > MP_SF_MAX || memchr(sf->error, 0, sizeof(sf->error)) == NULL)
		abort();
	for (size_t i = 0; i < sf->n; i++) {
		const struct mp_sfield *f = &sf->f[i];
		if (f->name == NULL || memchr(f->s, 0, sizeof(f->s)) == NULL)
			abort();
		fuzz_touch(f->name);
		fuzz_touch(f->s);
	}
}

static void export(const struct mp_sfields *sf)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mp_arena a = {0};
	struct mapiprof_decoded d;
	if (ctx == NULL || mp_sf_export(ctx, &a, sf, 0, &d) != MAPIPROF_OK)
		abort();
	if (d.nfields != sf->n)
		abort();
	for (size_t i = 0; i < d.nfields; i++)
		fuzz_touch(d.fields[i].s);
	fuzz_touch(d.error);
	mp_arena_free(&a);
	mapiprof_ctx_free(ctx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	unsigned mode = data[0] & 3u;
	const char *cp = (data[0] & 4u) ? "UTF-8" : "WINDOWS-1252";
	const char *name = names[data[1] % (sizeof(names) / sizeof(names[0]))];
	size_t n = size - HDR;
	uint8_t *bytes = malloc(n > 0 ? n : 1);
	struct mp_sfields *sf = malloc(sizeof(*sf));
	if (bytes == NULL || sf == NULL)
		abort();
	memcpy(bytes, data + HDR, n);
	int got = 1;
	if (mode <= 1)
		got = mp_entryid_decode(bytes, n, (int)mode, cp, sf);
	else if (mode == 2)
		got = mp_account_value_decode(name, bytes, n, sf);
	else
		mp_secret_describe(bytes, n, sf);
	if (got) {
		check(sf);
		export(sf);
	}
	/* the same bytes as a clsid */
	char text[40];
	size_t t = n < sizeof(text) - 1 ? n : sizeof(text) - 1;
	memcpy(text, bytes, t);
	text[t] = '\0';
	fuzz_touch(mp_account_type(text));
	free(sf);
	free(bytes);
	return 0;
}
