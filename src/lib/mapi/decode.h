/* decode.h - MAPI property values from registry bytes, by PT_ type
 * (MFCMAPI registryProperty.cpp).  Pure functions over (name, type, bytes):
 * no store, no file. */
#ifndef MP_DECODE_H
#define MP_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "mapi/tables.h"

/* MAPI property types (MAPIDefS.h). */
enum {
	MP_PT_I2 = 0x0002,
	MP_PT_LONG = 0x0003,
	MP_PT_BOOLEAN = 0x000B,
	MP_PT_I8 = 0x0014,
	MP_PT_STRING8 = 0x001E,
	MP_PT_UNICODE = 0x001F,
	MP_PT_SYSTIME = 0x0040,
	MP_PT_CLSID = 0x0048,
	MP_PT_BINARY = 0x0102,
	MP_PT_MV_FLAG = 0x1000,
	MP_PT_MV_LONG = 0x1003,
	MP_PT_MV_STRING8 = 0x101E,
	MP_PT_MV_UNICODE = 0x101F,
	MP_PT_MV_BINARY = 0x1102,
};

/* Secure property IDs reserved by IProfSect (Microsoft Learn, "IProfSect :
 * IMAPIProp"). */
#define MP_PROP_ID_SECURE_MIN 0x67F0u
#define MP_PROP_ID_SECURE_MAX 0x67FFu

/* Parses a value name "TTTTIIII" or "STTTTIIII" (8 hex digits, any case) into
 * the tag 0xIIIITTTT.  Returns 1 and sets *tag (and *secure for the S
 * prefix) when it is one, 0 otherwise. */
int mp_parse_value_name(const char *name, uint32_t *tag, int *secure);

/* Fills *out for one value.  Every string and array is allocated in arena a.
 * Malformed data never fails: out->kind becomes MAPIPROF_V_RAW and
 * out->error says why.  codepage is for PT_STRING8 bytes in REG_BINARY.
 * Fails only on NOMEM.  out->uids is left empty (the section layer fills it). */
int mp_decode_value(struct mapiprof_ctx *ctx, struct mp_arena *a, const struct mp_scope *scope,
                    const char *codepage, const char *value_name, uint32_t reg_type,
                    const uint8_t *data, size_t len, struct mapiprof_prop *out);

/* "PT_LONG" etc., or NULL for a type with no name. */
const char *mp_pt_name(uint16_t type);
/* "REG_BINARY" etc., or NULL. */
const char *mp_reg_type_name(uint32_t type);
/* FILETIME to "YYYY-MM-DDTHH:MM:SS[.fffffff]Z" in buf (at least 32 bytes);
 * returns 0 on success, -1 when out of the representable range. */
int mp_filetime_iso(int64_t ft, char *buf, size_t size);

#endif
