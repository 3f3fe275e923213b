/* fuzz_decode.c - libFuzzer harness for the value decoders (mapi/decode.h):
 * mp_decode_value on arbitrary bytes under every property and registry
 * type, both value-name forms, several scopes and code pages; plus
 * mp_parse_value_name and mp_filetime_iso on the same bytes.
 *
 * Input layout:
 *   byte 0     bits 0-2: registry type (table below); bit 3: 'S' prefix
 *              (secure); bits 4-5: scope; bit 6: a name that is not a tag;
 *              bit 7: code page UTF-8 instead of windows-1252
 *   byte 1     property type: one of the PT_ types below, 15 the raw
 *              16-bit value of bytes 1-2
 *   bytes 3-4  property ID (little-endian)
 *   the rest   the value's data, in a buffer of exactly its length */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "fuzz_common.h"
#include "mapi/decode.h"

#define HDR 5u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t reg_types[8] = {3, 1, 4, 11, 7, 2, 0, 0x1234};
static const uint16_t pt_types[15] = {
    MP_PT_I2,         MP_PT_LONG,       MP_PT_BOOLEAN,   MP_PT_I8,     MP_PT_STRING8,
    MP_PT_UNICODE,    MP_PT_SYSTIME,    MP_PT_CLSID,     MP_PT_BINARY, MP_PT_MV_LONG,
    MP_PT_MV_STRING8, MP_PT_MV_UNICODE, MP_PT_MV_BINARY, 0x0045,       0x1048,
};
static const struct mp_scope scopes[4] = {
    {NULL, NULL}, {"exchange", "global"}, {"contab", "provider"}, {"pst", "service"}};

static void
check(const struct mapiprof_prop *p, const uint8_t *bytes, size_t n)
{
	if (p->len != n || (n > 0 && memcmp(p->data, bytes, n) != 0))
		abort();
	if (p->error != NULL && p->kind != MAPIPROF_V_RAW)
		abort();
	if (p->mv_offset_width != 0 && p->mv_offset_width != 4 && p->mv_offset_width != 8)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	unsigned f = data[0];
	uint16_t type =
	    (data[1] & 15u) == 15u ? (uint16_t)(data[1] | data[2] << 8) : pt_types[data[1] & 15u];
	uint16_t id = (uint16_t)(data[3] | data[4] << 8);
	char name[16];
	if (f & 0x40u)
		snprintf(name, sizeof(name), "Odd%04x", (unsigned)id);
	else
		snprintf(name, sizeof(name), "%s%04x%04x", (f & 8u) ? "S" : "", (unsigned)type,
		         (unsigned)id);
	size_t n = size - HDR;
	uint8_t *bytes = malloc(n > 0 ? n : 1);
	if (bytes == NULL)
		abort();
	memcpy(bytes, data + HDR, n);

	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mp_arena a = {0};
	struct mapiprof_prop p;
	if (ctx == NULL)
		abort();
	memset(&p, 0, sizeof(p));
	if (mp_decode_value(ctx, &a, &scopes[(f >> 4) & 3u], (f & 0x80u) ? "UTF-8" : "WINDOWS-1252",
	                    name, reg_types[f & 7u], bytes, n, &p) != MAPIPROF_OK)
		abort(); /* fails only on NOMEM */
	check(&p, bytes, n);
	fuzz_touch(p.value_name);
	fuzz_touch(p.name);
	fuzz_touch(p.type_name);
	fuzz_touch(p.reg_type_name);
	fuzz_touch(p.s);
	fuzz_touch(p.error);
	if (p.kind == MAPIPROF_V_MV_INT)
		fuzz_touch_bytes(p.ints, p.count * sizeof(*p.ints));
	for (size_t i = 0; p.kind == MAPIPROF_V_MV_STRING && i < p.count; i++)
		fuzz_touch(p.strs[i]);
	for (size_t i = 0; p.kind == MAPIPROF_V_MV_BINARY && i < p.count; i++)
		fuzz_touch_bytes(p.blobs[i].data, p.blobs[i].len);
	for (size_t i = 0; i < p.nflags; i++)
		fuzz_touch(p.flags[i]);

	/* The same bytes as a value name and as a FILETIME. */
	char *s = mp_arena_strndup(&a, (const char *)bytes, n < 12 ? n : 12);
	uint32_t tag = 0;
	int secure = 0;
	if (s != NULL)
		(void)mp_parse_value_name(s, &tag, &secure);
	if (n >= 8) {
		char iso[40];
		(void)mp_filetime_iso((int64_t)mp_le64(bytes), iso, sizeof(iso));
	}
	mp_arena_free(&a);
	mapiprof_ctx_free(ctx);
	free(bytes);
	return 0;
}
