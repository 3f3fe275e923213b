/* edit.c - parses one edit line "SECTION PROP OP [VALUE]" (the grammar above
 * enum mapiprof_op in mapiprof.h) and types VALUE against the property's PT_
 * type into the registry data MAPI uses (MFCMAPI registryProperty.cpp). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/hex.h"
#include "base/utf16.h"
#include "mapi/decode.h"
#include "mapi/section.h"
#include "mapi/tables.h"
#include "plan/edit.h"
#include "store/store.h"

/* Named properties (IDs >= 0x8000) do not exist in profile sections
 * (Microsoft Learn, "IProfSect : IMAPIProp"). */
#define NAMED_ID_MIN 0x8000u

#define OPERATORS "=, +=, -=, >= or unset"

/* What one parse works on; messages name the property as pname. */
struct parse {
	struct mapiprof_ctx *ctx;
	struct mp_arena *a;
	struct mp_edit *e;
	const char *pname; /* table name, else PROP as written */
	const char *tname; /* "PT_LONG", ... */
	uint16_t type;
};

static int fail(struct mapiprof_ctx *ctx, const char *fmt, ...) MP_PRINTF(2, 3);

/* Records MAPIPROF_E_EDIT (a usage error); returns MAPIPROF_FAILED. */
static int
fail(struct mapiprof_ctx *ctx, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mp_seterr(ctx, MAPIPROF_E_EDIT, "%s", buf);
	mp_seterr_file(ctx, NULL);
	return MAPIPROF_FAILED;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static const char *
skip_space(const char *s)
{
	while (is_space((unsigned char)*s))
		s++;
	return s;
}

static size_t
token_len(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0' && !is_space((unsigned char)s[n]))
		n++;
	return n;
}

/* s[0..n) trimmed of white space on both ends, in a. */
static char *
trimmed(struct mp_arena *a, const char *s, size_t n)
{
	while (n > 0 && is_space((unsigned char)s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	return mp_arena_strndup(a, s, n);
}

size_t
mp_edit_int_width(uint32_t tag)
{
	switch (tag & 0xFFFFu) {
	case MP_PT_I2:
		return 2;
	case MP_PT_LONG:
		return 4;
	case MP_PT_I8:
		return 8;
	default:
		return 0;
	}
}

void
mp_edit_put_le(uint8_t *out, uint64_t v, size_t width)
{
	for (size_t i = 0; i < width && i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

uint64_t
mp_edit_get_le(const uint8_t *p, size_t width)
{
	uint64_t v = 0;
	for (size_t i = width < 8 ? width : 8; i > 0; i--)
		v = v << 8 | p[i - 1];
	return v;
}

/* Sets e->data to a copy of n bytes (n may be 0). */
static int
set_data(struct parse *p, const uint8_t *data, size_t n)
{
	p->e->data = mp_arena_memdup(p->a, n > 0 ? data : (const uint8_t *)"", n);
	p->e->len = n;
	return p->e->data != NULL ? MAPIPROF_OK : mp_nomem(p->ctx);
}

/* ---- integers and flag names ------------------------------------------ */

enum numparse { NUM_OK, NUM_NOT, NUM_RANGE };

/* Decimal (optionally negative, two's complement within the type's signed
 * range) or 0x hex in s[0..n), fitting in bits. */
static enum numparse
parse_number(const char *s, size_t n, unsigned bits, uint64_t *out)
{
	int neg = n > 0 && s[0] == '-';
	size_t i = neg ? 1u : 0u;
	int hex = !neg && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	i += hex ? 2u : 0u;
	if (i >= n)
		return NUM_NOT;
	uint64_t v = 0, base = hex ? 16u : 10u;
	int range = 0;
	for (; i < n; i++) {
		int d = hex ? mp_hex_val(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		if (d < 0)
			return NUM_NOT;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			range = 1;
		v = v * base + (uint64_t)d;
	}
	uint64_t mask = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	if (range || (!neg && v > mask) || (neg && v > (UINT64_C(1) << (bits - 1))))
		return NUM_RANGE;
	*out = neg ? (~v + 1) & mask : v;
	return NUM_OK;
}

/* The flag row named name[0..n) (any case) of the tag, preferring one of
 * the property row prop_name. */
static const struct mapiprof_flagdef *
find_flag(uint32_t tag, const char *prop_name, const char *name, size_t n)
{
	const struct mapiprof_flagdef *found = NULL;
	for (size_t i = 0; i < mapiprof_flag_count(); i++) {
		const struct mapiprof_flagdef *f = mapiprof_flag_at(i);
		if (f->tag != tag || strlen(f->name) != n || strncasecmp(f->name, name, n) != 0)
			continue;
		if (prop_name == NULL || strcmp(f->prop_name, prop_name) == 0)
			return f;
		if (found == NULL)
			found = f;
	}
	return found;
}

/* One '|' part: a number or a flag name.  *is_enum is set for an
 * enumeration value name. */
static int
int_part(struct parse *p, const char *s, size_t n, const char *value, uint64_t *v, int *is_enum)
{
	unsigned bits = (unsigned)(8 * mp_edit_int_width(p->e->tag));
	*is_enum = 0;
	enum numparse r = parse_number(s, n, bits, v);
	if (r == NUM_RANGE)
		return fail(p->ctx, "%s is %s: '%.*s' does not fit in %u bits", p->pname, p->tname,
		            (int)n, s, bits);
	if (r == NUM_OK)
		return MAPIPROF_OK;
	const struct mapiprof_flagdef *f = find_flag(p->e->tag, p->e->prop_name, s, n);
	if (f == NULL)
		return fail(p->ctx, "%s is %s: '%.*s' is not a number or flag name of %s", p->pname,
		            p->tname, (int)n, s, p->pname);
	if (f->is_enum && (p->e->op == MAPIPROF_OP_SET_BITS || p->e->op == MAPIPROF_OP_CLEAR_BITS))
		return fail(p->ctx, "'%s' is a value of %s, not a flag bit: use = or >=", f->name,
		            p->pname);
	if (f->is_enum && strchr(value, '|') != NULL)
		return fail(p->ctx, "'%s' is a value of %s and cannot be joined with '|' in '%s'",
		            f->name, p->pname, value);
	*is_enum = f->is_enum;
	*v = f->value;
	if (bits < 64 && *v >> bits != 0)
		return fail(p->ctx, "%s is %s: flag '%s' (0x%x) does not fit in %u bits", p->pname,
		            p->tname, f->name, (unsigned)f->value, bits);
	return MAPIPROF_OK;
}

/* A number, or flag names and numbers joined with '|' (their OR). */
static int
parse_int(struct parse *p, const char *value)
{
	uint64_t acc = 0;
	const char *s = value;
	for (;;) {
		size_t n = strcspn(s, "|");
		const char *t = s;
		size_t tn = n;
		while (tn > 0 && is_space((unsigned char)*t)) {
			t++;
			tn--;
		}
		while (tn > 0 && is_space((unsigned char)t[tn - 1]))
			tn--;
		if (tn == 0)
			return fail(p->ctx, "%s is %s: empty flag name in '%s'", p->pname, p->tname,
			            value);
		uint64_t v = 0;
		int is_enum = 0;
		if (int_part(p, t, tn, value, &v, &is_enum) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		acc |= v;
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
	p->e->number = acc;
	uint8_t buf[8];
	size_t w = mp_edit_int_width(p->e->tag);
	mp_edit_put_le(buf, acc, w);
	return set_data(p, buf, w);
}

/* ---- the other fixed-size types (as MFCMAPI writes them) -------------- */

/* PT_BOOLEAN: 2 bytes, 00 00 or 01 00 (MFCMAPI, OutlookTrace). */
static int
parse_bool(struct parse *p, const char *value)
{
	int v;
	if (strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0)
		v = 1;
	else if (strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0)
		v = 0;
	else
		return fail(p->ctx, "%s is PT_BOOLEAN: '%s' is not true, false, 1 or 0", p->pname,
		            value);
	uint8_t buf[2] = {(uint8_t)v, 0};
	p->e->number = (uint64_t)v;
	return set_data(p, buf, 2);
}

/* PT_CLSID: {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} (braces optional) to the
 * 16 bytes of the GUID struct: Data1..Data3 little-endian, Data4 in order
 * (guiddef.h, as decode.c shows it). */
static int
parse_clsid(struct parse *p, const char *value)
{
	const char *s = value;
	size_t n = strlen(s);
	if (n == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		n = 36;
	}
	uint32_t d1 = 0, d2 = 0, d3 = 0;
	uint8_t out[16];
	if (n != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' ||
	    !mp_hex_u32(s, 8, &d1) || !mp_hex_u32(s + 9, 4, &d2) || !mp_hex_u32(s + 14, 4, &d3) ||
	    !mp_hex_bytes(s + 19, 2, out + 8) || !mp_hex_bytes(s + 24, 6, out + 10))
		return fail(p->ctx,
		            "%s is PT_CLSID: '%s' is not a GUID "
		            "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}",
		            p->pname, value);
	mp_edit_put_le(out, d1, 4);
	mp_edit_put_le(out + 4, d2, 2);
	mp_edit_put_le(out + 6, d3, 2);
	return set_data(p, out, 16);
}

/* n decimal digits. */
static int
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10u + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
 * days_from_civil; the inverse of decode.c's civil_from_days). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2 ? 1 : 0;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (m > 2 ? m - 3 : m + 9) + 2u) / 5u + d - 1u;
	unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned
days_in_month(unsigned y, unsigned m)
{
	static const unsigned dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4u == 0 && y % 100u != 0) || y % 400u == 0;
	return m == 2 && leap ? 29u : dm[m - 1];
}

/* "YYYY-MM-DDTHH:MM:SS[.fffffff]Z" (the form decode.c prints) to a FILETIME
 * (100 ns since 1601-01-01 UTC, FILETIME on Microsoft Learn).  Returns 1 on
 * success. */
static int
iso_to_filetime(const char *s, uint64_t *ft)
{
	unsigned y, mo, d, h, mi, se;
	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || s[10] != 'T' || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return 0;
	const char *q = s + 19;
	uint64_t frac = 0;
	size_t nf = 0;
	if (*q == '.') {
		for (q++; nf < 7 && *q >= '0' && *q <= '9'; q++, nf++)
			frac = frac * 10u + (uint64_t)(*q - '0');
		if (nf == 0)
			return 0;
		for (size_t i = nf; i < 7; i++)
			frac *= 10u;
	}
	if (q[0] != 'Z' || q[1] != '\0')
		return 0;
	if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || se > 59)
		return 0;
	int64_t days = days_from_civil(y, mo, d) - days_from_civil(1601, 1, 1);
	uint64_t secs = (uint64_t)days * 86400u + h * 3600u + mi * 60u + se;
	*ft = secs * UINT64_C(10000000) + frac;
	return 1;
}

/* PT_SYSTIME: 8-byte FILETIME little-endian (MFCMAPI registryProperty.cpp). */
static int
parse_systime(struct parse *p, const char *value)
{
	uint64_t ft = 0;
	if (!iso_to_filetime(value, &ft))
		return fail(
		    p->ctx,
		    "%s is PT_SYSTIME: '%s' is not a UTC time YYYY-MM-DDTHH:MM:SS[.fffffff]Z "
		    "(years 1601-9999)",
		    p->pname, value);
	uint8_t buf[8];
	mp_edit_put_le(buf, ft, 8);
	p->e->number = ft;
	return set_data(p, buf, 8);
}

/* ---- binary and strings ------------------------------------------------ */

static int
is_hex_sep(int c)
{
	return c == ':' || c == ',' || c == ' ' || c == '\t';
}

/* PT_BINARY: hex bytes, each two digits, optionally separated by ':', ','
 * or blanks, optionally after "hex:"; "" or "hex:" alone is zero bytes. */
static int
parse_binary(struct parse *p, const char *value)
{
	const char *s = value;
	if (strcmp(s, "\"\"") == 0)
		return set_data(p, NULL, 0);
	if (strncasecmp(s, "hex:", 4) == 0)
		s += 4;
	/* At most one byte per two characters of the value. */
	uint8_t *buf = mp_arena_alloc(p->a, strlen(s) / 2 + 1);
	if (buf == NULL)
		return mp_nomem(p->ctx);
	size_t n = 0;
	for (;;) {
		while (is_hex_sep((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		uint32_t b = 0;
		if (!mp_hex_u32(s, 2, &b))
			return fail(
			    p->ctx,
			    "%s is PT_BINARY: '%s' is not hex bytes (e.g. 0a1b2c, 0a:1b:2c, "
			    "0a 1b 2c or hex:0a,1b,2c; \"\" for none)",
			    p->pname, value);
		buf[n++] = (uint8_t)b;
		s += 2;
	}
	p->e->data = buf;
	p->e->len = n;
	return MAPIPROF_OK;
}

/* A "quoted" string (escapes \" and \\; any other backslash is itself, so
 * Windows paths need no doubling) or the value as written, into *out (a). */
static int
unquote(struct parse *p, const char *value, char **out)
{
	if (value[0] != '"') {
		*out = mp_arena_strdup(p->a, value);
		return *out != NULL ? MAPIPROF_OK : mp_nomem(p->ctx);
	}
	char *buf = mp_arena_alloc(p->a, strlen(value));
	if (buf == NULL)
		return mp_nomem(p->ctx);
	size_t n = 0;
	const char *s = value + 1;
	while (*s != '"') {
		if (*s == '\0')
			return fail(p->ctx, "%s is %s: unterminated string %s (missing closing \")",
			            p->pname, p->tname, value);
		if (s[0] == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		buf[n++] = *s++;
	}
	if (s[1] != '\0')
		return fail(p->ctx,
		            "%s is %s: unexpected '%s' after the closing quote of the string",
		            p->pname, p->tname, s + 1);
	buf[n] = '\0';
	*out = buf;
	return MAPIPROF_OK;
}

/* PT_STRING8 (REG_SZ) and PT_UNICODE (REG_BINARY): UTF-16LE code units
 * followed by a 2-byte NUL (KB Q175107; MFCMAPI registryProperty.cpp). */
static int
parse_string(struct parse *p, const char *value)
{
	char *s = NULL;
	if (unquote(p, value, &s) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint8_t *u16 = NULL;
	size_t n = 0;
	if (mp_utf8_to_utf16le(p->ctx, s, strlen(s), &u16, &n) != MAPIPROF_OK) {
		if (mapiprof_errcode(p->ctx) == MAPIPROF_E_NOMEM)
			return MAPIPROF_FAILED;
		return fail(p->ctx, "%s is %s: '%s' is not valid UTF-8", p->pname, p->tname, value);
	}
	p->e->data = mp_arena_alloc(p->a, n + 2);
	if (p->e->data != NULL) {
		if (n > 0)
			memcpy(p->e->data, u16, n);
		p->e->data[n] = 0;
		p->e->data[n + 1] = 0;
		p->e->len = n + 2;
	}
	free(u16);
	return p->e->data != NULL ? MAPIPROF_OK : mp_nomem(p->ctx);
}

/* ---- the line ---------------------------------------------------------- */

static int
parse_op(struct mapiprof_ctx *ctx, const char *tok, size_t n, enum mapiprof_op *op)
{
	static const struct {
		const char *name;
		enum mapiprof_op op;
	} ops[] = {
	    {"=", MAPIPROF_OP_SET},         {"+=", MAPIPROF_OP_SET_BITS},
	    {"-=", MAPIPROF_OP_CLEAR_BITS}, {">=", MAPIPROF_OP_AT_LEAST},
	    {"unset", MAPIPROF_OP_UNSET},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strlen(ops[i].name) == n && strncmp(ops[i].name, tok, n) == 0) {
			*op = ops[i].op;
			return MAPIPROF_OK;
		}
	}
	return fail(ctx, "'%.*s' is not an operator (expected " OPERATORS ")", (int)n, tok);
}

/* PROP: a table name, 0xIIIITTTT or TTTTIIII; S-prefixed (secure) value
 * names are refused (MFCMAPI's secure-property convention). */
static int
parse_prop(struct parse *p, const char *prop)
{
	uint32_t tag = 0;
	int secure = 0;
	if (strlen(prop) == 9 && mp_parse_value_name(prop, &tag, &secure) && secure)
		return fail(p->ctx,
		            "'%s' is a secure (S-prefixed, DPAPI-protected) value: secure values "
		            "cannot be edited",
		            prop);
	if (mapiprof_parse_propspec(p->ctx, prop, &tag) != MAPIPROF_OK)
		return fail(p->ctx, "%s", mapiprof_errmsg(p->ctx));
	p->e->tag = tag;
	const struct mapiprof_tagdef *td = mp_tag_by_name(prop);
	if (td == NULL || td->tag != tag)
		td = mp_tag_lookup(tag, NULL, NULL, NULL);
	p->e->prop_name = td != NULL && td->tag == tag ? td->name : NULL;
	p->pname = p->e->prop_name != NULL ? p->e->prop_name : prop;
	p->type = (uint16_t)(tag & 0xFFFFu);
	p->tname = mp_pt_name(p->type);
	if (p->tname == NULL) {
		p->tname = mp_arena_printf(p->a, "PT_0x%04X", (unsigned)p->type);
		if (p->tname == NULL)
			return mp_nomem(p->ctx);
	}
	return MAPIPROF_OK;
}

/* Which properties an operator may touch: secure and named IDs never;
 * MV and unknown types only unset; += -= >= only integers. */
static int
check_op(struct parse *p)
{
	uint32_t id = p->e->tag >> 16;
	enum mapiprof_op op = p->e->op;
	if (id >= MP_PROP_ID_SECURE_MIN && id <= MP_PROP_ID_SECURE_MAX)
		return fail(p->ctx,
		            "%s (0x%08X) is a secure property (IDs 0x67F0-0x67FF): secure values "
		            "cannot be edited",
		            p->pname, (unsigned)p->e->tag);
	if (id >= NAMED_ID_MIN)
		return fail(p->ctx,
		            "0x%08X is a named property (ID >= 0x8000): profile sections "
		            "have none",
		            (unsigned)p->e->tag);
	if (op == MAPIPROF_OP_UNSET)
		return MAPIPROF_OK;
	if ((p->type & MP_PT_MV_FLAG) != 0)
		return fail(p->ctx,
		            "%s is %s: multi-valued properties cannot be edited yet (only unset)",
		            p->pname, p->tname);
	if (op != MAPIPROF_OP_SET && mp_edit_int_width(p->e->tag) == 0)
		return fail(p->ctx,
		            "'%s' needs an integer property (PT_I2, PT_LONG, PT_I8); %s is %s",
		            op == MAPIPROF_OP_SET_BITS     ? "+="
		            : op == MAPIPROF_OP_CLEAR_BITS ? "-="
		                                           : ">=",
		            p->pname, p->tname);
	return MAPIPROF_OK;
}

/* Types VALUE by the property type into e->number / e->data. */
static int
parse_value(struct parse *p, const char *value)
{
	if (p->e->op == MAPIPROF_OP_UNSET) {
		if (value[0] != '\0')
			return fail(p->ctx, "'unset' takes no value, got '%s'", value);
		return MAPIPROF_OK;
	}
	if (value[0] == '\0')
		return fail(
		    p->ctx, "missing VALUE for %s (%s) after the operator%s", p->pname, p->tname,
		    p->type == MP_PT_STRING8 || p->type == MP_PT_UNICODE ? " (\"\" is empty)" : "");
	switch (p->type) {
	case MP_PT_I2:
	case MP_PT_LONG:
	case MP_PT_I8:
		return parse_int(p, value);
	case MP_PT_BOOLEAN:
		return parse_bool(p, value);
	case MP_PT_STRING8:
	case MP_PT_UNICODE:
		return parse_string(p, value);
	case MP_PT_BINARY:
		return parse_binary(p, value);
	case MP_PT_CLSID:
		return parse_clsid(p, value);
	case MP_PT_SYSTIME:
		return parse_systime(p, value);
	default:
		return fail(p->ctx, "%s is %s: edits cannot write this type (only unset)", p->pname,
		            p->tname);
	}
}

/* Splits the trimmed line into SECTION, PROP, OP and the rest (VALUE). */
static int
split(struct parse *p, const char *text, const char **rest)
{
	const char *s = text;
	size_t n = token_len(s);
	if (n == 0)
		return fail(p->ctx, "empty edit (expected SECTION PROP OP [VALUE])");
	p->e->selector = mp_arena_strndup(p->a, s, n);
	if (p->e->selector == NULL)
		return mp_nomem(p->ctx);
	if (mp_section_selector_check(p->ctx, p->e->selector) != MAPIPROF_OK)
		return fail(p->ctx, "%s", mapiprof_errmsg(p->ctx));
	s = skip_space(s + n);
	n = token_len(s);
	if (n == 0)
		return fail(p->ctx, "missing PROP after '%s' (expected SECTION PROP OP [VALUE])",
		            p->e->selector);
	char *prop = mp_arena_strndup(p->a, s, n);
	if (prop == NULL)
		return mp_nomem(p->ctx);
	if (parse_prop(p, prop) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	s = skip_space(s + n);
	n = token_len(s);
	if (n == 0)
		return fail(p->ctx, "missing operator after '%s' (expected " OPERATORS ")", prop);
	if (parse_op(p->ctx, s, n, &p->e->op) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*rest = skip_space(s + n);
	return MAPIPROF_OK;
}

int
mp_edit_parse(struct mapiprof_ctx *ctx, struct mp_arena *a, const char *line, struct mp_edit *out)
{
	memset(out, 0, sizeof(*out));
	struct parse p = {ctx, a, out, NULL, NULL, 0};
	if (line == NULL)
		return fail(ctx, "empty edit (expected SECTION PROP OP [VALUE])");
	char *text = trimmed(a, line, strlen(line));
	if (text == NULL)
		return mp_nomem(ctx);
	out->text = text;
	const char *value = NULL;
	if (split(&p, text, &value) != MAPIPROF_OK || check_op(&p) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	/* MAPI's registry types: REG_SZ only for PT_STRING8 (KB Q175107;
	 * MFCMAPI registryProperty.cpp). */
	out->reg_type = p.type == MP_PT_STRING8 ? MP_REG_SZ : MP_REG_BINARY;
	return parse_value(&p, value);
}
