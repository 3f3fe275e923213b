/* decode.c - turns one registry value of a profile section into a
 * mapiprof_prop: the value name as a tag, the bytes by PT_ type (both
 * multi-value layouts), non-tag values by REG_ type
 * (as MFCMAPI's registryProperty.cpp reads them). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/hex.h"
#include "base/le.h"
#include "base/limits.h"
#include "base/utf16.h"
#include "mapi/account.h"
#include "mapi/decode.h"
#include "mapi/entryid.h"
#include "mapi/sfields.h"
#include "mapi/tables.h"

/* Registry value types decoded here (winnt.h values; regf spec "Data
 * types"). */
enum {
	T_SZ = 1,
	T_EXPAND_SZ = 2,
	T_BINARY = 3,
	T_DWORD = 4,
	T_MULTI_SZ = 7,
	T_QWORD = 11,
};

/* Result of a step that may find the data malformed: OK decoded, BAD the
 * value was made MAPIPROF_V_RAW with an error, NOMEM recorded in ctx. */
enum { STEP_OK = 0, STEP_BAD = 1, STEP_NOMEM = -1 };

/* Everything one decode needs. */
struct dec {
	struct mapiprof_ctx *ctx;
	struct mp_arena *a;
	const struct mp_scope *scope;
	const char *codepage;
	struct mapiprof_prop *out;
};

/* Two's complement reinterpretation without implementation-defined casts. */
static int64_t
as_i64(uint64_t v)
{
	if (v <= (uint64_t)INT64_MAX)
		return (int64_t)v;
	return -(int64_t)(~v) - 1;
}

/* ---- names ---- */

const char *
mp_pt_name(uint16_t type)
{
	switch (type) {
	case MP_PT_I2:
		return "PT_I2";
	case MP_PT_LONG:
		return "PT_LONG";
	case MP_PT_BOOLEAN:
		return "PT_BOOLEAN";
	case MP_PT_I8:
		return "PT_I8";
	case MP_PT_STRING8:
		return "PT_STRING8";
	case MP_PT_UNICODE:
		return "PT_UNICODE";
	case MP_PT_SYSTIME:
		return "PT_SYSTIME";
	case MP_PT_CLSID:
		return "PT_CLSID";
	case MP_PT_BINARY:
		return "PT_BINARY";
	case MP_PT_MV_LONG:
		return "PT_MV_LONG";
	case MP_PT_MV_STRING8:
		return "PT_MV_STRING8";
	case MP_PT_MV_UNICODE:
		return "PT_MV_UNICODE";
	case MP_PT_MV_BINARY:
		return "PT_MV_BINARY";
	default:
		return NULL;
	}
}

const char *
mp_reg_type_name(uint32_t type)
{
	static const char *const names[] = {
	    "REG_NONE",
	    "REG_SZ",
	    "REG_EXPAND_SZ",
	    "REG_BINARY",
	    "REG_DWORD",
	    "T_DWORDBIG_ENDIAN",
	    "REG_LINK",
	    "REG_MULTI_SZ",
	    "REG_RESOURCE_LIST",
	    "REG_FULL_RESOURCE_DESCRIPTOR",
	    "REG_RESOURCE_REQUIREMENTS_LIST",
	    "REG_QWORD",
	};
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

int
mp_parse_value_name(const char *name, uint32_t *tag, int *secure)
{
	int s = 0;
	if (name == NULL)
		return 0;
	if (name[0] == 'S' || name[0] == 's') {
		s = 1;
		name++;
	}
	uint32_t v = 0;
	if (!mp_hex_u32(name, 8, &v) || name[8] != '\0')
		return 0;
	/* "TTTTIIII": type first, then ID (MFCMAPI's %04x%04x) -> tag
	 * 0xIIIITTTT. */
	*tag = (v << 16) | (v >> 16);
	if (secure != NULL)
		*secure = s;
	return 1;
}

/* ---- time ---- */

/* Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's
 * days-to-civil algorithm). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

int
mp_filetime_iso(int64_t ft, char *buf, size_t size)
{
	/* FILETIME: 100 ns ticks since 1601-01-01 UTC (FILETIME on Microsoft
	 * Learn); 11644473600 s separate 1601 from the Unix epoch. */
	if (ft < 0 || buf == NULL)
		return -1;
	int64_t secs = ft / 10000000 - INT64_C(11644473600);
	unsigned frac = (unsigned)(ft % 10000000);
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y > 9999)
		return -1;
	unsigned hh = (unsigned)(rem / 3600), mm = (unsigned)(rem % 3600 / 60),
	         ss = (unsigned)(rem % 60);
	int n;
	if (frac != 0)
		n = snprintf(buf, size, "%04d-%02u-%02uT%02u:%02u:%02u.%07uZ", (int)y, m, d, hh, mm,
		             ss, frac);
	else
		n = snprintf(buf, size, "%04d-%02u-%02uT%02u:%02u:%02uZ", (int)y, m, d, hh, mm, ss);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

int
mapiprof_filetime_iso(int64_t filetime, char *buf, size_t size)
{
	return mp_filetime_iso(filetime, buf, size);
}

/* ---- result helpers ---- */

/* Makes the value MAPIPROF_V_RAW with an error text.  Returns STEP_BAD, or
 * STEP_NOMEM. */
static int bad(struct dec *d, const char *fmt, ...) MP_PRINTF(2, 3);

static int
bad(struct dec *d, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->out->kind = MAPIPROF_V_RAW;
	d->out->error = mp_arena_strdup(d->a, msg);
	if (d->out->error == NULL) {
		mp_nomem(d->ctx);
		return STEP_NOMEM;
	}
	return STEP_BAD;
}

static int
nomem(struct dec *d)
{
	mp_nomem(d->ctx);
	return STEP_NOMEM;
}

/* STEP_OK when the value has exactly want bytes, else the error
 * "PT_LONG needs 4 bytes, has 3". */
static int
need_len(struct dec *d, const char *what, size_t want)
{
	if (d->out->len == want)
		return STEP_OK;
	return bad(d, "%s needs %zu bytes, has %zu", what, want, d->out->len);
}

/* Converts n bytes (UTF-16LE when codepage is NULL, else bytes in
 * codepage) to an arena UTF-8 string in *s.  Conversion problems other
 * than NOMEM (an unknown code page) make the value RAW. */
static int
convert(struct dec *d, const char *codepage, const uint8_t *p, size_t n, const char **s)
{
	/* A conversion error belongs to this value (it becomes RAW), not to
	 * the caller's context. */
	char *buf = NULL, msg[sizeof(d->ctx->msg)];
	size_t blen = 0;
	enum mapiprof_error code;
	if (mp_to_utf8_apart(d->ctx, codepage, p, n, &buf, &blen, &code, msg, sizeof(msg)) !=
	    MAPIPROF_OK)
		return code == MAPIPROF_E_NOMEM ? nomem(d) : bad(d, "%s", msg);
	*s = mp_arena_strndup(d->a, buf, blen);
	free(buf);
	return *s != NULL ? STEP_OK : nomem(d);
}

/* ---- strings ---- */

/* Bytes of text of a UTF-16LE string value in p[0..len): the terminating
 * NUL is optional but, when present, must be the last unit (PT_UNICODE as
 * MFCMAPI and OutlookTrace read it).
 * what names the type in the error. */
static int
utf16_text(struct dec *d, const char *what, const uint8_t *p, size_t len, size_t *n)
{
	if (len % 2 != 0)
		return bad(d, "%s has odd length %zu (UTF-16)", what, len);
	for (size_t i = 0; i < len; i += 2) {
		if (p[i] != 0 || p[i + 1] != 0)
			continue;
		if (i + 2 != len)
			return bad(d, "%s has data after the NUL at byte %zu", what, i);
		*n = i;
		return STEP_OK;
	}
	*n = len;
	return STEP_OK;
}

/* An 8-bit string value: NUL optional, only as the last byte. */
static int
cp_text(struct dec *d, const char *what, const uint8_t *p, size_t len, size_t *n)
{
	const uint8_t *z = memchr(p, 0, len);
	if (z == NULL) {
		*n = len;
		return STEP_OK;
	}
	if ((size_t)(z - p) + 1 != len)
		return bad(d, "%s has data after the NUL at byte %zu", what, (size_t)(z - p));
	*n = len - 1;
	return STEP_OK;
}

static const char *
codepage_of(struct dec *d)
{
	if (d->codepage != NULL && d->codepage[0] != '\0')
		return d->codepage;
	if (d->ctx != NULL && d->ctx->codepage[0] != '\0')
		return d->ctx->codepage;
	return "WINDOWS-1252";
}

/* A whole-value string: UTF-16LE (utf16) or 8-bit bytes in the code page. */
static int
dec_string(struct dec *d, const char *what, int utf16)
{
	const uint8_t *p = d->out->data;
	size_t len = d->out->len, n = 0;
	int rc = utf16 ? utf16_text(d, what, p, len, &n) : cp_text(d, what, p, len, &n);
	if (rc != STEP_OK)
		return rc;
	rc = convert(d, utf16 ? NULL : codepage_of(d), p, n, &d->out->s);
	if (rc == STEP_OK)
		d->out->kind = MAPIPROF_V_STRING;
	return rc;
}

/* ---- fixed-size types ---- */

static int
dec_long(struct dec *d, uint32_t tag)
{
	int rc = need_len(d, "PT_LONG", 4);
	if (rc != STEP_OK)
		return rc;
	struct mapiprof_prop *o = d->out;
	uint32_t v = mp_le32(o->data);
	o->kind = MAPIPROF_V_INT;
	o->i = (int64_t)v;
	const char **names = NULL;
	if (mp_flags_describe(d->a, tag, d->scope, v, &o->has_flags, &names, &o->nflags,
	                      &o->unknown_bits) != MAPIPROF_OK)
		return nomem(d);
	o->flags = names;
	return STEP_OK;
}

static int
dec_small_int(struct dec *d, uint16_t type)
{
	struct mapiprof_prop *o = d->out;
	int rc;
	if (type == MP_PT_I2) {
		if ((rc = need_len(d, "PT_I2", 2)) != STEP_OK)
			return rc;
		uint16_t v = mp_le16(o->data);
		o->i = v >= 0x8000u ? (int64_t)v - 0x10000 : (int64_t)v;
		o->kind = MAPIPROF_V_INT;
	} else if (type == MP_PT_BOOLEAN) {
		/* exactly 2 bytes (MFCMAPI registryProperty.cpp;
		 * OutlookTrace) */
		if ((rc = need_len(d, "PT_BOOLEAN", 2)) != STEP_OK)
			return rc;
		o->i = mp_le16(o->data) != 0;
		o->kind = MAPIPROF_V_BOOL;
	} else {
		if ((rc = need_len(d, "PT_I8", 8)) != STEP_OK)
			return rc;
		o->i = as_i64(mp_le64(o->data));
		o->kind = MAPIPROF_V_INT;
	}
	return STEP_OK;
}

static int
dec_systime(struct dec *d)
{
	int rc = need_len(d, "PT_SYSTIME", 8);
	if (rc != STEP_OK)
		return rc;
	uint64_t ft = mp_le64(d->out->data);
	char buf[40];
	if (ft > (uint64_t)INT64_MAX || mp_filetime_iso((int64_t)ft, buf, sizeof(buf)) != 0)
		return bad(d, "PT_SYSTIME 0x%016llx is beyond year 9999", (unsigned long long)ft);
	d->out->i = (int64_t)ft;
	d->out->s = mp_arena_strdup(d->a, buf);
	if (d->out->s == NULL)
		return nomem(d);
	d->out->kind = MAPIPROF_V_TIME;
	return STEP_OK;
}

static int
dec_clsid(struct dec *d)
{
	int rc = need_len(d, "PT_CLSID", 16);
	if (rc != STEP_OK)
		return rc;
	/* GUID struct order: Data1..Data3 little-endian, Data4 as bytes
	 * (guiddef.h). */
	const uint8_t *p = d->out->data;
	d->out->s = mp_arena_printf(d->a, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
	                            (unsigned)mp_le32(p), (unsigned)mp_le16(p + 4),
	                            (unsigned)mp_le16(p + 6), p[8], p[9], p[10], p[11], p[12],
	                            p[13], p[14], p[15]);
	if (d->out->s == NULL)
		return nomem(d);
	d->out->kind = MAPIPROF_V_CLSID;
	return STEP_OK;
}

/* ---- multi-value types ---- */

/* PT_MV_LONG: no count header, a packed array of u32; count = len / 4
 * (MFCMAPI registryProperty.cpp, OutlookTrace).  Values are exposed
 * unsigned, as PT_LONG. */
static int
dec_mv_long(struct dec *d)
{
	struct mapiprof_prop *o = d->out;
	if (o->len % 4 != 0)
		return bad(d, "PT_MV_LONG length %zu is not a multiple of 4", o->len);
	size_t count = o->len / 4;
	if (count > MP_MAX_MV_COUNT)
		return bad(d, "PT_MV_LONG has %zu values, more than %u", count, MP_MAX_MV_COUNT);
	int64_t *v = mp_arena_calloc(d->a, count ? count : 1, sizeof(*v));
	if (v == NULL)
		return nomem(d);
	for (size_t i = 0; i < count; i++)
		v[i] = (int64_t)mp_le32(o->data + 4 * i);
	o->ints = v;
	o->count = count;
	o->kind = MAPIPROF_V_MV_INT;
	return STEP_OK;
}

/* Reads the u32 count of an MV value with a header and checks it against
 * the cap.  *count is set on STEP_OK. */
static int
mv_count(struct dec *d, const char *what, size_t *count)
{
	*count = 0; /* set on every path, so no caller reads it unset */
	if (d->out->len < 4)
		return bad(d, "%s needs a 4-byte count, has %zu bytes", what, d->out->len);
	uint32_t c = mp_le32(d->out->data);
	if (c > MP_MAX_MV_COUNT)
		return bad(d, "%s count %u is more than %u", what, (unsigned)c, MP_MAX_MV_COUNT);
	*count = c;
	return STEP_OK;
}

/*
 * Offset width of an MV string value (4 or 8 bytes, OutlookTrace's
 * Convert-MVUnicode):
 *   64-bit: u32 count | u64 off[count] | strings   first off == 4 + 8*count
 *   32-bit: u32 count | u32 off[count] | strings   first off == 4 + 4*count
 * The 64-bit test is tried first; both cannot hold for count > 0.  Counts
 * are compared with the data by division.
 */
static int
mv_str_width(struct dec *d, const char *what, size_t count, int *width)
{
	const uint8_t *p = d->out->data;
	size_t room = d->out->len - 4;
	if (count <= room / 8 && mp_le64(p + 4) == 4 + 8 * (uint64_t)count) {
		*width = 8;
		return STEP_OK;
	}
	if (count > room / 4)
		return bad(d, "%s count %zu does not fit in %zu bytes", what, count, d->out->len);
	if (mp_le32(p + 4) == 4 + 4 * (uint32_t)count) {
		*width = 4;
		return STEP_OK;
	}
	return bad(d,
	           "%s first offset 0x%x matches neither the 32-bit (0x%zx) nor the 64-bit "
	           "(0x%zx) layout",
	           what, (unsigned)mp_le32(p + 4), 4 + 4 * count, 4 + 8 * count);
}

/* Bytes from off to the NUL that ends string i (unit = 1 or 2 bytes); the
 * NUL must lie inside the value.  *n excludes the NUL. */
static int
mv_str_end(struct dec *d, const char *what, size_t i, size_t off, size_t unit, size_t *n)
{
	const uint8_t *p = d->out->data;
	size_t len = d->out->len;
	for (size_t k = off; len - k >= unit; k += unit) {
		if (p[k] == 0 && (unit == 1 || p[k + 1] == 0)) {
			*n = k - off;
			return STEP_OK;
		}
	}
	return bad(d, "%s string %zu at offset 0x%zx is not terminated inside the value", what, i,
	           off);
}

/* PT_MV_STRING8 / PT_MV_UNICODE with either offset width (MFCMAPI,
 * OutlookTrace).  Offsets are absolute; every string must start after the
 * offset table and end (NUL included) inside the value; their total may not
 * exceed the value, so overlapping offsets cannot multiply the work. */
static int
dec_mv_string(struct dec *d, const char *what, int utf16)
{
	struct mapiprof_prop *o = d->out;
	size_t count, total = 0, unit = utf16 ? 2 : 1;
	int width = 4, rc = mv_count(d, what, &count);
	if (rc != STEP_OK || (count > 0 && (rc = mv_str_width(d, what, count, &width)) != STEP_OK))
		return rc;
	size_t hdr = 4 + (size_t)width * count;
	const char **v = mp_arena_calloc(d->a, count ? count : 1, sizeof(*v));
	if (v == NULL)
		return nomem(d);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *q = o->data + 4 + (size_t)width * i;
		uint64_t off = width == 8 ? mp_le64(q) : mp_le32(q);
		size_t n = 0;
		if (off < hdr || off >= o->len)
			return bad(d, "%s offset %zu (0x%llx) is outside 0x%zx..0x%zx", what, i,
			           (unsigned long long)off, hdr, o->len);
		if ((rc = mv_str_end(d, what, i, (size_t)off, unit, &n)) != STEP_OK)
			return rc;
		total += n + unit;
		if (total > o->len - hdr)
			return bad(d, "%s strings overlap (string %zu)", what, i);
		rc = convert(d, utf16 ? NULL : codepage_of(d), o->data + off, n, &v[i]);
		if (rc != STEP_OK)
			return rc;
	}
	o->strs = v;
	o->count = count;
	o->mv_offset_width = width;
	o->kind = MAPIPROF_V_MV_STRING;
	return STEP_OK;
}

/*
 * Descriptor width of a PT_MV_BINARY value (32-bit as MFCMAPI's
 * registryProperty.cpp; 64-bit as in regipy's NTUSER_BAGMRU.DAT):
 *   32-bit: u32 count | {u32 len, u32 off}[count] | blobs   off0 at byte 8
 *   64-bit: u32 count | {u64 len, u64 off}[count] | blobs   off0 at byte 12
 * The first offset equals the end of the descriptor table.
 */
static int
mv_bin_width(struct dec *d, size_t count, int *width)
{
	const uint8_t *p = d->out->data;
	size_t room = d->out->len - 4;
	if (count <= room / 16 && mp_le64(p + 12) == 4 + 16 * (uint64_t)count) {
		*width = 8;
		return STEP_OK;
	}
	if (count > room / 8)
		return bad(d, "PT_MV_BINARY count %zu does not fit in %zu bytes", count,
		           d->out->len);
	if (mp_le32(p + 8) == 4 + 8 * (uint32_t)count) {
		*width = 4;
		return STEP_OK;
	}
	return bad(d,
	           "PT_MV_BINARY first offset 0x%x matches neither the 32-bit (0x%zx) nor the "
	           "64-bit (0x%zx) layout",
	           (unsigned)mp_le32(p + 8), 4 + 8 * count, 4 + 16 * count);
}

/* PT_MV_BINARY: blobs point into the value's own copy of the bytes. */
static int
dec_mv_binary(struct dec *d)
{
	struct mapiprof_prop *o = d->out;
	size_t count;
	int width = 4, rc = mv_count(d, "PT_MV_BINARY", &count);
	if (rc != STEP_OK || (count > 0 && (rc = mv_bin_width(d, count, &width)) != STEP_OK))
		return rc;
	size_t hdr = 4 + 2 * (size_t)width * count;
	struct mapiprof_blob *v = mp_arena_calloc(d->a, count ? count : 1, sizeof(*v));
	if (v == NULL)
		return nomem(d);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *q = o->data + 4 + 2 * (size_t)width * i;
		uint64_t blen = width == 8 ? mp_le64(q) : mp_le32(q);
		uint64_t off = width == 8 ? mp_le64(q + 8) : mp_le32(q + 4);
		if (off < hdr || off > o->len || blen > o->len - off)
			return bad(d,
			           "PT_MV_BINARY value %zu (offset 0x%llx, length 0x%llx) lies "
			           "outside 0x%zx..0x%zx",
			           i, (unsigned long long)off, (unsigned long long)blen, hdr,
			           o->len);
		v[i].data = o->data + off;
		v[i].len = (size_t)blen;
	}
	o->blobs = v;
	o->count = count;
	o->mv_offset_width = width;
	o->kind = MAPIPROF_V_MV_BINARY;
	return STEP_OK;
}

/* ---- tagged values ---- */

static int
dec_by_type(struct dec *d, uint32_t tag)
{
	uint16_t type = (uint16_t)(tag & 0xFFFFu);
	uint32_t rt = d->out->reg_type;
	switch (type) {
	case MP_PT_LONG:
		/* REG_DWORD (tolerated by MFCMAPI) holds the same 4 LE
		 * bytes. */
		return dec_long(d, tag);
	case MP_PT_I2:
	case MP_PT_BOOLEAN:
	case MP_PT_I8:
		return dec_small_int(d, type);
	case MP_PT_SYSTIME:
		return dec_systime(d);
	case MP_PT_CLSID:
		return dec_clsid(d);
	case MP_PT_BINARY:
		d->out->kind = MAPIPROF_V_BINARY;
		return STEP_OK;
	case MP_PT_UNICODE:
		return dec_string(d, "PT_UNICODE", 1);
	case MP_PT_STRING8:
		/* REG_SZ in an NT hive is UTF-16LE; REG_BINARY holds code page
		 * bytes (MFCMAPI registryProperty.cpp). */
		return dec_string(d, "PT_STRING8", rt == T_SZ || rt == T_EXPAND_SZ);
	case MP_PT_MV_LONG:
		return dec_mv_long(d);
	case MP_PT_MV_STRING8:
		return dec_mv_string(d, "PT_MV_STRING8", 0);
	case MP_PT_MV_UNICODE:
		return dec_mv_string(d, "PT_MV_UNICODE", 1);
	case MP_PT_MV_BINARY:
		return dec_mv_binary(d);
	default:
		/* unknown type: raw bytes, not an error */
		d->out->kind = MAPIPROF_V_RAW;
		return STEP_OK;
	}
}

static int
over_cap(struct dec *d)
{
	return bad(d, "value of %zu bytes is over the %u-byte cap", d->out->len, MP_MAX_VALUE_LEN);
}

static int
dec_tag(struct dec *d, uint32_t tag, int secure)
{
	struct mapiprof_prop *o = d->out;
	uint16_t type = (uint16_t)(tag & 0xFFFFu);
	uint32_t id = tag >> 16;
	o->is_tag = 1;
	o->tag = tag;
	mp_tag_lookup(tag, d->scope, d->a, &o->name);
	o->type_name = mp_pt_name(type);
	if (o->type_name == NULL &&
	    (o->type_name = mp_arena_printf(d->a, "PT_0x%04X", (unsigned)type)) == NULL)
		return nomem(d);
	/* Secure properties: S-prefixed DPAPI blobs or IDs 0x67F0..0x67FF
	 * (MFCMAPI registry.cpp; IProfSect on Microsoft Learn) are never
	 * decoded. */
	if (secure || (id >= MP_PROP_ID_SECURE_MIN && id <= MP_PROP_ID_SECURE_MAX)) {
		o->secure = 1;
		o->kind = MAPIPROF_V_OPAQUE;
		return STEP_OK;
	}
	if (o->len > MP_MAX_VALUE_LEN)
		return over_cap(d);
	return dec_by_type(d, tag);
}

/* ---- non-tag values (account manager, as OutlookTrace reads it) ---- */

/* Case-insensitive "password" anywhere in the name (credential values such
 * as "POP3 Password" are DPAPI blobs, MFCMAPI registry.cpp). */
static int
names_password(const char *name)
{
	static const char word[] = "password";
	size_t n = strlen(word);
	for (; name != NULL && *name != '\0'; name++)
		if (strncasecmp(name, word, n) == 0)
			return 1;
	return 0;
}

static int
printable_unit(uint16_t u)
{
	if (u < 0x20 || (u >= 0x7F && u <= 0x9F) || u == 0xFFFE || u == 0xFFFF)
		return 0;
	return !(u >= 0xE000 && u <= 0xF8FF); /* private use: not text */
}

/* 1 when p[0..len) is printable UTF-16LE text ending in exactly one NUL
 * unit (a REG_BINARY holding a string, e.g. "Account Name"). */
static int
is_utf16_text(const uint8_t *p, size_t len)
{
	if (len < 4 || len % 2 != 0 || mp_le16(p + len - 2) != 0)
		return 0;
	size_t units = len / 2 - 1;
	for (size_t i = 0; i < units; i++) {
		uint16_t u = mp_le16(p + 2 * i);
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (i + 1 >= units)
				return 0;
			uint16_t lo = mp_le16(p + 2 * (i + 1));
			if (lo < 0xDC00 || lo > 0xDFFF)
				return 0;
			i++;
		} else if ((u >= 0xDC00 && u <= 0xDFFF) || !printable_unit(u)) {
			return 0;
		}
	}
	return 1;
}

/* REG_MULTI_SZ: UTF-16LE strings, each ended by a NUL unit, the list by an
 * empty string (or the end of the data). */
static int
dec_multi_sz(struct dec *d)
{
	struct mapiprof_prop *o = d->out;
	if (o->len % 2 != 0)
		return bad(d, "REG_MULTI_SZ has odd length %zu (UTF-16)", o->len);
	size_t count = 0, cap = o->len / 2 + 1;
	const char **v = mp_arena_calloc(d->a, cap, sizeof(*v));
	if (v == NULL)
		return nomem(d);
	size_t pos = 0;
	while (pos < o->len) {
		size_t end = pos;
		while (end < o->len && mp_le16(o->data + end) != 0)
			end += 2;
		if (end == pos)
			break; /* the empty string that ends the list */
		if (count >= MP_MAX_MV_COUNT)
			return bad(d, "REG_MULTI_SZ has more than %u strings", MP_MAX_MV_COUNT);
		int rc = convert(d, NULL, o->data + pos, end - pos, &v[count]);
		if (rc != STEP_OK)
			return rc;
		count++;
		pos = end + 2;
	}
	o->strs = v;
	o->count = count;
	o->kind = MAPIPROF_V_MV_STRING;
	return STEP_OK;
}

static int
dec_named(struct dec *d)
{
	struct mapiprof_prop *o = d->out;
	int rc;
	if (names_password(o->value_name)) {
		o->secure = 1;
		o->kind = MAPIPROF_V_OPAQUE;
		return STEP_OK;
	}
	if (o->len > MP_MAX_VALUE_LEN)
		return over_cap(d);
	switch (o->reg_type) {
	case T_SZ:
	case T_EXPAND_SZ:
		return dec_string(d, mp_reg_type_name(o->reg_type), 1);
	case T_MULTI_SZ:
		return dec_multi_sz(d);
	case T_DWORD:
		if ((rc = need_len(d, "REG_DWORD", 4)) == STEP_OK) {
			o->i = (int64_t)mp_le32(o->data);
			o->kind = MAPIPROF_V_INT;
		}
		return rc;
	case T_QWORD:
		if ((rc = need_len(d, "REG_QWORD", 8)) == STEP_OK) {
			o->i = as_i64(mp_le64(o->data));
			o->kind = MAPIPROF_V_INT;
		}
		return rc;
	case T_BINARY:
		if (is_utf16_text(o->data, o->len))
			return dec_string(d, "REG_BINARY", 1);
		o->kind = MAPIPROF_V_BINARY;
		return STEP_OK;
	default:
		o->kind = MAPIPROF_V_RAW;
		return STEP_OK;
	}
}

/* ---- structures inside a value ---- */

/* A value that holds a folder or message entry ID by its name: a tag name
 * ending in ENTRYID, or a value name with "EntryID" (the account
 * manager's "Delivery Folder EntryID"). */
static int
names_entryid(const struct mapiprof_prop *o)
{
	static const char word[] = "entryid";
	const char *names[2] = {o->name, o->value_name};
	for (int k = 0; k < 2; k++)
		for (const char *n = names[k]; n != NULL && *n != '\0'; n++)
			if (strncasecmp(n, word, sizeof(word) - 1) == 0)
				return 1;
	return 0;
}

/* Appends one decoded structure to the value (at most one per element). */
static int
add_decoded(struct dec *d, const struct mp_sfields *sf, size_t index, size_t cap)
{
	struct mapiprof_prop *o = d->out;
	if (o->decoded == NULL) {
		o->decoded = mp_arena_calloc(d->a, cap, sizeof(struct mapiprof_decoded));
		if (o->decoded == NULL)
			return nomem(d);
	}
	struct mapiprof_decoded *v = (struct mapiprof_decoded *)o->decoded;
	if (mp_sf_export(d->ctx, d->a, sf, index, &v[o->ndecoded]) != MAPIPROF_OK)
		return STEP_NOMEM;
	o->ndecoded++;
	return STEP_OK;
}

/* Recognises the structures a decoded value holds: a secret is described
 * (never decoded), an account-manager DWORD is typed, binary data is tried
 * as an entry ID (recognised by content wherever it appears: 01020fff,
 * "Delivery Store EntryID", the MRU lists of the Outlook section). */
static int
dec_structures(struct dec *d)
{
	struct mapiprof_prop *o = d->out;
	struct mp_sfields *sf = malloc(sizeof(*sf));
	int rc = STEP_OK;
	if (sf == NULL)
		return nomem(d);
	const char *cp = codepage_of(d);
	if (o->kind == MAPIPROF_V_OPAQUE) {
		mp_secret_describe(o->data, o->len, sf);
		rc = add_decoded(d, sf, 0, 1);
	} else if (!o->is_tag && d->scope != NULL && d->scope->role != NULL &&
	           strcmp(d->scope->role, "account") == 0 &&
	           (o->reg_type == T_DWORD || o->reg_type == T_BINARY) &&
	           mp_account_value_decode(o->value_name, o->data, o->len, sf)) {
		rc = add_decoded(d, sf, 0, 1);
	} else if ((o->kind == MAPIPROF_V_BINARY || o->kind == MAPIPROF_V_RAW) &&
	           o->error == NULL &&
	           mp_entryid_decode(o->data, o->len, names_entryid(o), cp, sf)) {
		rc = add_decoded(d, sf, 0, 1);
	} else if (o->kind == MAPIPROF_V_MV_BINARY) {
		for (size_t i = 0; i < o->count && rc == STEP_OK; i++)
			if (mp_entryid_decode(o->blobs[i].data, o->blobs[i].len, 0, cp, sf))
				rc = add_decoded(d, sf, i, o->count);
	}
	free(sf);
	return rc;
}

/* ---- entry point ---- */

/* Fills the parts every value has: names, REG type, a copy of the bytes. */
static int
dec_common(struct dec *d, const char *value_name, uint32_t reg_type, const uint8_t *data,
           size_t len)
{
	struct mapiprof_prop *o = d->out;
	o->value_name = mp_arena_strdup(d->a, value_name != NULL ? value_name : "");
	o->reg_type = reg_type;
	o->reg_type_name = mp_reg_type_name(reg_type);
	if (o->reg_type_name == NULL)
		o->reg_type_name = mp_arena_printf(d->a, "REG_0x%X", (unsigned)reg_type);
	o->data = mp_arena_memdup(d->a, data != NULL ? data : (const uint8_t *)"", len);
	o->len = len;
	if (o->value_name == NULL || o->reg_type_name == NULL || o->data == NULL)
		return nomem(d);
	return STEP_OK;
}

int
mp_decode_value(struct mapiprof_ctx *ctx, struct mp_arena *a, const struct mp_scope *scope,
                const char *codepage, const char *value_name, uint32_t reg_type,
                const uint8_t *data, size_t len, struct mapiprof_prop *out)
{
	struct dec d = {ctx, a, scope, codepage, out};
	memset(out, 0, sizeof(*out));
	if (data == NULL)
		len = 0;
	if (dec_common(&d, value_name, reg_type, data, len) == STEP_NOMEM)
		return MAPIPROF_FAILED;
	uint32_t tag = 0;
	int secure = 0;
	int rc = mp_parse_value_name(value_name, &tag, &secure) ? dec_tag(&d, tag, secure)
	                                                        : dec_named(&d);
	if (rc != STEP_NOMEM)
		rc = dec_structures(&d);
	return rc == STEP_NOMEM ? MAPIPROF_FAILED : MAPIPROF_OK;
}
