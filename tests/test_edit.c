/* test_edit.c - the edit grammar: every operator, every value form of every
 * editable type with the bytes it encodes to, and every error with the
 * message that names the offending token. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "plan/edit.h"
#include "store/store.h"
#include "testutil.h"

/* ---- valid edits ------------------------------------------------------- */

struct okcase {
	const char *line;
	const char *selector;
	uint32_t tag;
	enum mapiprof_op op;
	uint64_t number;   /* checked for integer and boolean values */
	uint32_t reg_type; /* REG_SZ or REG_BINARY */
	const char *hex;   /* encoded data, lower-case hex; NULL: not checked (unset) */
};

#define OP_SET   MAPIPROF_OP_SET
#define OP_OR    MAPIPROF_OP_SET_BITS
#define OP_CLR   MAPIPROF_OP_CLEAR_BITS
#define OP_MAX   MAPIPROF_OP_AT_LEAST
#define OP_UNSET MAPIPROF_OP_UNSET
#define BIN      MP_REG_BINARY

static const struct okcase oks[] = {
    /* The five edits of the GC-referral recipe (Griffin 2008). */
    {"global PR_PROFILE_CONNECT_FLAGS -= CONNECT_NO_RPC_ENCRYPTION", "global", 0x66040003, OP_CLR,
     0x2, BIN, "02000000"},
    {"global PR_PROFILE_UI_STATE += EDK_PROFILEUISTATE_ENCRYPTNETWORK", "global", 0x66060003, OP_OR,
     0x4000, BIN, "00400000"},
    {"global PR_PROFILE_SERVER_VERSION >= 3000", "global", 0x661B0003, OP_MAX, 3000, BIN,
     "b80b0000"},
    {"emsab PR_PROFILE_AUTH_PACKAGE = RPC_C_AUTHN_GSS_NEGOTIATE", "emsab", 0x66190003, OP_SET, 9,
     BIN, "09000000"},
    {"emsab PR_PROFILE_ABP_ALLOW_RECONNECT = 1", "emsab", 0x66390003, OP_SET, 1, BIN, "01000000"},
    /* PROP as a tag and as a value name; numbers in hex. */
    {"emsab 0x66390003 = 0x1", "emsab", 0x66390003, OP_SET, 1, BIN, "01000000"},
    {"emsab 00036639 = 0X0000002a", "emsab", 0x66390003, OP_SET, 42, BIN, "2a000000"},
    /* Names are case-insensitive; flags join with '|', with or without blanks. */
    {"exchange pr_profile_config_flags += config_ost_cache_private", "exchange", 0x66010003, OP_OR,
     0x180, BIN, "80010000"},
    {"global PR_PROFILE_CONFIG_FLAGS = CONFIG_SHOW_CONNECT_UI | CONFIG_OST_CACHE_PRIVATE", "global",
     0x66010003, OP_SET, 0x184, BIN, "84010000"},
    {"global PR_PROFILE_CONFIG_FLAGS -= CONFIG_SHOW_CONNECT_UI|0x80", "global", 0x66010003, OP_CLR,
     0x84, BIN, "84000000"},
    {"  global\tPR_PROFILE_SERVER_VERSION   >=   3000  ", "global", 0x661B0003, OP_MAX, 3000, BIN,
     "b80b0000"},
    /* PT_LONG range: the largest, negatives as two's complement, enum DEFAULT. */
    {"global PR_PROFILE_AUTH_PACKAGE = 4294967295", "global", 0x66190003, OP_SET, 0xFFFFFFFF, BIN,
     "ffffffff"},
    {"global PR_PROFILE_AUTH_PACKAGE = -1", "global", 0x66190003, OP_SET, 0xFFFFFFFF, BIN,
     "ffffffff"},
    {"global PR_PROFILE_AUTH_PACKAGE = RPC_C_AUTHN_DEFAULT", "global", 0x66190003, OP_SET,
     0xFFFFFFFF, BIN, "ffffffff"},
    {"global PR_PROFILE_AUTH_PACKAGE >= -2147483648", "global", 0x66190003, OP_MAX, 0x80000000, BIN,
     "00000080"},
    /* PT_I2 and PT_I8: the type's width. */
    {"global 0x3FFF0002 = 65535", "global", 0x3FFF0002, OP_SET, 0xFFFF, BIN, "ffff"},
    {"global 0x3FFF0002 = -32768", "global", 0x3FFF0002, OP_SET, 0x8000, BIN, "0080"},
    {"global 0x3FFF0002 += 0x10", "global", 0x3FFF0002, OP_OR, 0x10, BIN, "1000"},
    {"global 0x3FFF0014 = 0x0102030405060708", "global", 0x3FFF0014, OP_SET, 0x0102030405060708,
     BIN, "0807060504030201"},
    {"global 0x3FFF0014 = 18446744073709551615", "global", 0x3FFF0014, OP_SET, UINT64_MAX, BIN,
     "ffffffffffffffff"},
    /* PT_BOOLEAN: 2 bytes (MFCMAPI registryProperty.cpp). */
    {"outlook PR_AB_CHOOSE_DIRECTORY_AUTOMATICALLY = true", "outlook", 0x3D1C000B, OP_SET, 1, BIN,
     "0100"},
    {"outlook PR_AB_CHOOSE_DIRECTORY_AUTOMATICALLY = FALSE", "outlook", 0x3D1C000B, OP_SET, 0, BIN,
     "0000"},
    {"outlook 000b3d1c = 1", "outlook", 0x3D1C000B, OP_SET, 1, BIN, "0100"},
    {"outlook 000b3d1c = 0", "outlook", 0x3D1C000B, OP_SET, 0, BIN, "0000"},
    /* PT_STRING8: REG_SZ, UTF-16LE + NUL; the rest of the line or "quoted". */
    {"emsab PR_PROFILE_HOME_SERVER = gc 02", "emsab", 0x6602001E, OP_SET, 0, MP_REG_SZ,
     "67006300200030003200"
     "0000"},
    {"emsab PR_PROFILE_HOME_SERVER = \"a \\\"b\\\" \\\\c\"", "emsab", 0x6602001E, OP_SET, 0,
     MP_REG_SZ,
     "610020002200620022002000"
     "5c006300"
     "0000"},
    {"emsab PR_PROFILE_HOME_SERVER = C:\\x", "emsab", 0x6602001E, OP_SET, 0, MP_REG_SZ,
     "43003a005c007800"
     "0000"},
    {"emsab PR_PROFILE_HOME_SERVER = \"C:\\x\"", "emsab", 0x6602001E, OP_SET, 0, MP_REG_SZ,
     "43003a005c007800"
     "0000"},
    {"emsab PR_PROFILE_HOME_SERVER = \"\"", "emsab", 0x6602001E, OP_SET, 0, MP_REG_SZ, "0000"},
    /* PT_UNICODE: REG_BINARY, UTF-16LE + NUL (MFCMAPI). */
    {"global PR_PROFILE_OFFLINE_STORE_PATH_W = \xc3\xa9t\xc3\xa9", "global", 0x6610001F, OP_SET, 0,
     BIN,
     "e9007400e900"
     "0000"},
    {"global 001f6610 = \"\"", "global", 0x6610001F, OP_SET, 0, BIN, "0000"},
    /* PT_BINARY: every separator, hex: prefix, empty. */
    {"global PR_MAPPING_SIGNATURE = 0a1B2c", "global", 0x0FF80102, OP_SET, 0, BIN, "0a1b2c"},
    {"global PR_MAPPING_SIGNATURE = 0a:1b:2c", "global", 0x0FF80102, OP_SET, 0, BIN, "0a1b2c"},
    {"global PR_MAPPING_SIGNATURE = 0a,1b,2c", "global", 0x0FF80102, OP_SET, 0, BIN, "0a1b2c"},
    {"global PR_MAPPING_SIGNATURE = 0a 1b 2c", "global", 0x0FF80102, OP_SET, 0, BIN, "0a1b2c"},
    {"global PR_MAPPING_SIGNATURE = hex:0a,1b,2c", "global", 0x0FF80102, OP_SET, 0, BIN, "0a1b2c"},
    {"global PR_MAPPING_SIGNATURE = \"\"", "global", 0x0FF80102, OP_SET, 0, BIN, ""},
    {"global PR_MAPPING_SIGNATURE = hex:", "global", 0x0FF80102, OP_SET, 0, BIN, ""},
    /* PT_CLSID: GUID struct order, Data1..3 little-endian (guiddef.h). */
    {"global 0x3FFF0048 = {00020D0A-0000-0000-C000-000000000046}", "global", 0x3FFF0048, OP_SET, 0,
     BIN, "0a0d020000000000c000000000000046"},
    {"global 0x3FFF0048 = c840a7dc-42c0-1a10-b4b9-08002b2fe182", "global", 0x3FFF0048, OP_SET, 0,
     BIN, "dca740c8c042101ab4b908002b2fe182"},
    /* PT_SYSTIME: FILETIME (100 ns since 1601), little-endian (MFCMAPI). */
    {"global 0x3FFF0040 = 2024-01-01T00:00:00Z", "global", 0x3FFF0040, OP_SET, TU_FT_2024, BIN,
     "00c08976453cda01"},
    {"global 0x3FFF0040 = 2024-01-01T00:00:00.0000001Z", "global", 0x3FFF0040, OP_SET,
     TU_FT_2024 + 1, BIN, "01c08976453cda01"},
    {"global 0x3FFF0040 = 1601-01-01T00:00:00.5Z", "global", 0x3FFF0040, OP_SET, 5000000, BIN,
     "404b4c0000000000"},
    {"global 0x3FFF0040 = 2000-02-29T12:00:00Z", "global", 0x3FFF0040, OP_SET,
     UINT64_C(125962992000000000), BIN, NULL},
    /* unset: any type but secure ones, multi-valued included. */
    {"global PR_PROFILE_CONNECT_FLAGS unset", "global", 0x66040003, OP_UNSET, 0, BIN, NULL},
    {"global PR_PROFILE_HOME_SERVER_ADDRS unset", "global", 0x6613101E, OP_UNSET, 0, BIN, NULL},
    {"service:MSEMS 001e3d09 unset", "service:MSEMS", 0x3D09001E, OP_UNSET, 0, MP_REG_SZ, NULL},
    {"13DBB0C8AA05101A9BB000AA002FC45A 0x3FFF0005 unset", "13DBB0C8AA05101A9BB000AA002FC45A",
     0x3FFF0005, OP_UNSET, 0, BIN, NULL},
};

ParameterizedTestParameters(edit, valid_edit_parses_and_encodes)
{
	return tu_index_params(sizeof(oks) / sizeof(oks[0]));
}

ParameterizedTest(size_t *i, edit, valid_edit_parses_and_encodes)
{
	const struct okcase *c = &oks[*i];
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mp_arena a = {0};
	struct mp_edit e;
	cr_assert_eq(mp_edit_parse(ctx, &a, c->line, &e), MAPIPROF_OK, "%s: %s", c->line,
	             mapiprof_errmsg(ctx));
	cr_assert_str_eq(e.selector, c->selector, "%s", c->line);
	cr_assert_eq(e.tag, c->tag, "%s: tag 0x%08x", c->line, (unsigned)e.tag);
	cr_assert_eq(e.op, c->op, "%s", c->line);
	cr_assert_eq(e.reg_type, c->reg_type, "%s", c->line);
	uint16_t type = (uint16_t)(c->tag & 0xFFFFu);
	if (c->op != OP_UNSET &&
	    (mp_edit_int_width(c->tag) > 0 || type == 0x000B || type == 0x0040))
		cr_assert_eq(e.number, c->number, "%s: number 0x%llx", c->line,
		             (unsigned long long)e.number);
	if (c->hex != NULL) {
		char got[256];
		cr_assert_lt(e.len, sizeof(got) / 2, "%s", c->line);
		mp_hex_encode(e.data, e.len, got);
		cr_assert_str_eq(got, c->hex, "%s", c->line);
	}
	if (c->op == OP_UNSET)
		cr_assert_eq(e.len, 0, "%s", c->line);
	mp_arena_free(&a);
	mapiprof_ctx_free(ctx);
}

/* The text kept is the line trimmed; the name is the table's. */
Test(edit, text_is_the_trimmed_line_and_prop_name_is_the_tables)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mp_arena a = {0};
	struct mp_edit e;
	cr_assert_eq(mp_edit_parse(ctx, &a, " \tglobal 00036604 -= 0x2 \r\n", &e), MAPIPROF_OK);
	cr_assert_str_eq(e.text, "global 00036604 -= 0x2");
	cr_assert_str_eq(e.prop_name, "PR_PROFILE_CONNECT_FLAGS");
	cr_assert_eq(mp_edit_parse(ctx, &a, "global 0x3FFF0003 = 1", &e), MAPIPROF_OK);
	cr_assert_null(e.prop_name);
	mp_arena_free(&a);
	mapiprof_ctx_free(ctx);
}

/* ---- errors ------------------------------------------------------------ */

struct errcase {
	const char *line;
	const char *want[3]; /* substrings of the message */
};

static const struct errcase errs[] = {
    {"", {"empty edit", "SECTION PROP OP"}},
    {"globl PR_PROFILE_CONNECT_FLAGS = 1",
     {"'globl' is not a section", "exchange", "service:NAME"}},
    {"global", {"missing PROP after 'global'"}},
    {"global PR_NOPE = 1",
     {"'PR_NOPE' is not a property name", "like PR_...", "a tag like 0xIIIITTTT"}},
    {"global PR_PROFILE_CONNECT_FLAGS", {"missing operator after 'PR_PROFILE_CONNECT_FLAGS'"}},
    {"global PR_PROFILE_CONNECT_FLAGS := 1", {"':=' is not an operator", "+=", "unset"}},
    {"global PR_PROFILE_CONNECT_FLAGS = abc",
     {"PR_PROFILE_CONNECT_FLAGS is PT_LONG: 'abc' is not a number or flag name"}},
    {"global PR_PROFILE_CONNECT_FLAGS = \"abc\"", {"PT_LONG: '\"abc\"' is not a number"}},
    {"global PR_PROFILE_CONNECT_FLAGS = 4294967296", {"'4294967296' does not fit in 32 bits"}},
    {"global PR_PROFILE_CONNECT_FLAGS = -2147483649", {"'-2147483649' does not fit in 32 bits"}},
    {"global PR_PROFILE_CONNECT_FLAGS = 99999999999999999999999", {"does not fit in 32 bits"}},
    {"global 0x3FFF0002 = 65536", {"PT_I2: '65536' does not fit in 16 bits"}},
    {"global PR_PROFILE_CONNECT_FLAGS = 0x", {"'0x' is not a number"}},
    {"global PR_PROFILE_CONNECT_FLAGS =", {"missing VALUE", "PT_LONG"}},
    {"emsab PR_PROFILE_HOME_SERVER =", {"missing VALUE", "\"\" is empty"}},
    {"global PR_PROFILE_CONNECT_FLAGS unset 1", {"'unset' takes no value, got '1'"}},
    {"emsab PR_PROFILE_AUTH_PACKAGE += RPC_C_AUTHN_GSS_NEGOTIATE",
     {"'RPC_C_AUTHN_GSS_NEGOTIATE' is a value of PR_PROFILE_AUTH_PACKAGE, not a flag bit"}},
    {"emsab PR_PROFILE_AUTH_PACKAGE = RPC_C_AUTHN_WINNT|1",
     {"'RPC_C_AUTHN_WINNT'", "cannot be joined with '|'"}},
    {"global PR_PROFILE_CONNECT_FLAGS = CONNECT_NO_RPC_ENCRYPTION||0x1",
     {"empty flag name in 'CONNECT_NO_RPC_ENCRYPTION||0x1'"}},
    {"global PR_PROFILE_CONNECT_FLAGS += CONFIG_OST_CACHE_PRIVATE",
     {"'CONFIG_OST_CACHE_PRIVATE' is not a number or flag name of PR_PROFILE_CONNECT_FLAGS"}},
    {"emsab PR_PROFILE_HOME_SERVER += 1", {"'+=' needs an integer property", "is PT_STRING8"}},
    {"emsab PR_PROFILE_HOME_SERVER -= 1", {"'-=' needs an integer property"}},
    {"outlook PR_AB_CHOOSE_DIRECTORY_AUTOMATICALLY >= 1",
     {"'>=' needs an integer property", "PT_BOOLEAN"}},
    {"outlook PR_AB_CHOOSE_DIRECTORY_AUTOMATICALLY = maybe",
     {"PT_BOOLEAN: 'maybe' is not true, false, 1 or 0"}},
    {"global PR_PROFILE_HOME_SERVER_ADDRS = x",
     {"PT_MV_STRING8", "multi-valued properties cannot be edited yet"}},
    {"global 0x67F0001E = x", {"secure property", "0x67F0-0x67FF"}},
    {"global 0x67F10102 unset", {"secure property"}},
    {"global S00036604 = 1", {"'S00036604' is a secure", "cannot be edited"}},
    {"global 0x80010003 = 1", {"0x80010003 is a named property"}},
    {"global PR_MAPPING_SIGNATURE = 0a1", {"PT_BINARY: '0a1' is not hex bytes"}},
    {"global PR_MAPPING_SIGNATURE = zz", {"'zz' is not hex bytes"}},
    {"global 0x3FFF0048 = {nope}", {"PT_CLSID: '{nope}' is not a GUID"}},
    {"global 0x3FFF0048 = {00020D0A-0000-0000-C000-00000000004}", {"is not a GUID"}},
    {"global 0x3FFF0040 = 2024-02-30T00:00:00Z", {"PT_SYSTIME: '2024-02-30T00:00:00Z'"}},
    {"global 0x3FFF0040 = 2023-02-29T00:00:00Z", {"is not a UTC time"}},
    {"global 0x3FFF0040 = 1600-12-31T23:59:59Z", {"is not a UTC time"}},
    {"global 0x3FFF0040 = 2024-01-01 00:00:00", {"is not a UTC time"}},
    {"global 0x3FFF0040 = 2024-01-01T00:00:00.Z", {"is not a UTC time"}},
    {"global 0x3FFF0040 = 2024-01-01T00:00:00.00000001Z", {"is not a UTC time"}},
    {"emsab PR_PROFILE_HOME_SERVER = \"abc", {"unterminated string \"abc"}},
    {"emsab PR_PROFILE_HOME_SERVER = \"abc\" x", {"unexpected ' x' after the closing quote"}},
    {"emsab PR_PROFILE_HOME_SERVER = \xff\xfe", {"is not valid UTF-8"}},
    {"global 0x3FFF0005 = 1", {"PT_0x0005", "edits cannot write this type"}},
};

ParameterizedTestParameters(edit, invalid_edit_is_eedit_quoting_the_token)
{
	return tu_index_params(sizeof(errs) / sizeof(errs[0]));
}

ParameterizedTest(size_t *i, edit, invalid_edit_is_eedit_quoting_the_token)
{
	const struct errcase *c = &errs[*i];
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mp_arena a = {0};
	struct mp_edit e;
	cr_assert_eq(mp_edit_parse(ctx, &a, c->line, &e), MAPIPROF_FAILED, "%s", c->line);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_EDIT, "%s: code %d", c->line,
	             (int)mapiprof_errcode(ctx));
	const char *msg = mapiprof_errmsg(ctx);
	for (size_t k = 0; k < 3 && c->want[k] != NULL; k++)
		cr_assert(strstr(msg, c->want[k]) != NULL, "%s: message '%s' lacks '%s'", c->line,
		          msg, c->want[k]);
	cr_assert_null(mapiprof_errfile(ctx));
	mp_arena_free(&a);
	mapiprof_ctx_free(ctx);
}

/* The integer helpers the planner uses: width by type, LE both ways. */
Test(edit, integer_width_follows_the_type_and_le_round_trips)
{
	cr_assert_eq(mp_edit_int_width(0x3FFF0002), 2);
	cr_assert_eq(mp_edit_int_width(0x66040003), 4);
	cr_assert_eq(mp_edit_int_width(0x3FFF0014), 8);
	cr_assert_eq(mp_edit_int_width(0x3D1C000B), 0);
	cr_assert_eq(mp_edit_int_width(0x66131003), 0);
	uint8_t buf[8];
	mp_edit_put_le(buf, 0x0102030405060708, 8);
	cr_assert_eq(buf[0], 0x08);
	cr_assert_eq(buf[7], 0x01);
	cr_assert_eq(mp_edit_get_le(buf, 8), 0x0102030405060708);
	cr_assert_eq(mp_edit_get_le(buf, 2), 0x0708);
}
