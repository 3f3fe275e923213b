/* test_account.c - the account-manager decoders (mapi/account.h): account
 * types from the clsid (actMgmt.h), typed DWORD values built here, secrets
 * described and never decoded; and the same through mp_decode_value in an
 * account section. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mapi/account.h"
#include "mapi/decode.h"
#include "mapi/sfields.h"

static struct mp_sfields sf;

static const struct mp_sfield *
field(const char *name)
{
	for (size_t i = 0; i < sf.n; i++)
		if (strcmp(sf.f[i].name, name) == 0)
			return &sf.f[i];
	return NULL;
}

static int64_t
num(const char *name)
{
	const struct mp_sfield *f = field(name);
	cr_assert_not_null(f, "no field %s", name);
	return f->i;
}

static int
dword(const char *name, uint32_t v)
{
	uint8_t *b = malloc(4);
	cr_assert_not_null(b);
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
	int rc = mp_account_value_decode(name, b, 4, &sf);
	free(b);
	return rc;
}

Test(account, types_from_clsid)
{
	cr_assert_str_eq(mp_account_type("{ED475411-B0D6-11D2-8C3B-00104B2A6676}"), "pop3");
	cr_assert_str_eq(mp_account_type("{ed475412-b0d6-11d2-8c3b-00104b2a6676}"), "imap4");
	cr_assert_str_eq(mp_account_type("ED475414-B0D6-11D2-8C3B-00104B2A6676"), "mapi");
	cr_assert_str_eq(mp_account_type("{4DB5CBF0-3B77-4852-BC8E-BB81908861F3}"), "http");
	cr_assert_str_eq(mp_account_type("{4DB5CBF2-3B77-4852-BC8E-BB81908861F3}"), "ldap");
	cr_assert_null(mp_account_type("{ED475410-B0D6-11D2-8C3B-00104B2A6676}"),
	               "the account manager itself is no account type");
	cr_assert_str_eq(mp_account_type("{ED475413-B0D6-11D2-8C3B-00104B2A6676}"), "unknown");
	cr_assert_str_eq(mp_account_type("{ED475411-B0D6-11D2-8C3B-00104B2A6676"), "unknown");
	cr_assert_str_eq(mp_account_type(NULL), "unknown");
	cr_assert_str_eq(mp_account_mapi_service("MSEMS"), "exchange");
	cr_assert_str_eq(mp_account_mapi_service("MSUPST MS"), "pst");
	cr_assert_str_eq(mp_account_mapi_service("contab"), "address_book");
	cr_assert_str_eq(mp_account_mapi_service("OTHER"), "OTHER");
}

Test(account, ports_and_defaults)
{
	cr_assert_eq(dword("POP3 Port", 995), 1);
	cr_assert_str_eq(sf.kind, "port");
	cr_assert_eq(num("port"), 995);
	cr_assert_eq(num("default_port"), 110);
	cr_assert_eq(dword("imap port", 993), 1);
	cr_assert_eq(num("default_port"), 143);
	cr_assert_eq(dword("SMTP Port", 70000), 1);
	cr_assert_eq(num("default_port"), 25);
	cr_assert_str_not_empty(sf.error, "a port above 65535");
	cr_assert_eq(mp_account_value_decode("SMTP Port", (const uint8_t *)"\x19\x00", 2, &sf), 1);
	cr_assert_not_null(strstr(sf.error, "4-byte"), "%s", sf.error);
	cr_assert_null(field("port"));
}

Test(account, switches_and_enumerations)
{
	cr_assert_eq(dword("POP3 Use SSL", 1), 1);
	cr_assert_str_eq(sf.kind, "switch");
	cr_assert_eq(num("enabled"), 1);
	cr_assert_eq(dword("SMTP Use SPA", 0), 1);
	cr_assert_eq(num("enabled"), 0);
	static const char *const sec[] = {"none", "ssl_tls", "starttls", "auto"};
	for (uint32_t v = 0; v < 4; v++) {
		cr_assert_eq(dword("SMTP Secure Connection", v), 1);
		cr_assert_str_eq(field("meaning")->s, sec[v]);
	}
	cr_assert_eq(dword("SMTP Secure Connection", 9), 1);
	cr_assert_str_eq(field("meaning")->s, "unknown");
	cr_assert_eq(dword("SMTP Auth Method", 2), 1);
	cr_assert_str_eq(field("meaning")->s, "logon_to_incoming_first");
	cr_assert_eq(dword("MAPI Provider", 4), 1);
	cr_assert(field("value")->flags & MAPIPROF_FIELD_UNCONFIRMED);
	cr_assert_eq(dword("Account Name", 4), 0, "not a typed value");
}

Test(account, leave_on_server_bits_and_days)
{
	cr_assert_eq(dword("Leave on Server", 0x000E0003), 1);
	cr_assert_eq(num("leave_copy"), 1);
	cr_assert_eq(num("remove_after_days"), 1);
	cr_assert_eq(num("remove_when_deleted"), 0);
	cr_assert_eq(num("days"), 14);
	cr_assert_null(field("unknown_bits"));
	cr_assert_eq(dword("Leave on Server", 0x00070005 | 0x10), 1);
	cr_assert_eq(num("remove_when_deleted"), 1);
	cr_assert_eq(num("days"), 7);
	cr_assert_eq(num("unknown_bits"), 0x10);
}

static const uint8_t dpapi[20] = {0x01, 0x00, 0x00, 0x00, 0xD0, 0x8C, 0x9D, 0xDF, 0x01, 0x15,
                                  0xD1, 0x11, 0x8C, 0x7A, 0x00, 0xC0, 0x4F, 0xC2, 0x97, 0xEB};

Test(account, secrets_are_named_and_sized)
{
	uint8_t v[64] = {0x02};
	memcpy(v + 1, dpapi, sizeof(dpapi));
	mp_secret_describe(v, sizeof(v), &sf);
	cr_assert_str_eq(sf.kind, "secret");
	cr_assert_str_eq(field("format")->s, "DPAPI blob");
	cr_assert_eq(num("size"), 64);
	cr_assert_eq(num("prefix_byte"), 2);
	mp_secret_describe(v + 1, 40, &sf);
	cr_assert_str_eq(field("format")->s, "DPAPI blob");
	cr_assert_null(field("prefix_byte"));
	mp_secret_describe(v, 15, &sf);
	cr_assert_str_eq(field("format")->s, "unknown");
	cr_assert(field("format")->flags & MAPIPROF_FIELD_UNCONFIRMED);
	for (size_t i = 0; i < sf.n; i++)
		cr_assert(sf.f[i].type != MAPIPROF_F_STRING || strcmp(sf.f[i].s, "unknown") == 0 ||
		              strcmp(sf.f[i].s, "DPAPI blob") == 0,
		          "nothing of the secret leaks into a field");
}

/* Through the value decoder: typed only in an account section. */
Test(account, decode_value_in_account_scope)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mp_arena a = {0};
	struct mapiprof_prop p;
	const uint8_t port[4] = {0xE3, 0x03, 0, 0};
	struct mp_scope acct = {NULL, "account"}, other = {NULL, "unknown"};
	cr_assert_eq(mp_decode_value(ctx, &a, &acct, NULL, "POP3 Port", 4, port, 4, &p),
	             MAPIPROF_OK);
	cr_assert_eq(p.kind, MAPIPROF_V_INT);
	cr_assert_eq(p.ndecoded, 1);
	cr_assert_str_eq(p.decoded[0].kind, "port");
	cr_assert_str_eq(p.decoded[0].fields[0].name, "port");
	cr_assert_eq(p.decoded[0].fields[0].i, 995);
	cr_assert_eq(mp_decode_value(ctx, &a, &other, NULL, "POP3 Port", 4, port, 4, &p),
	             MAPIPROF_OK);
	cr_assert_eq(p.ndecoded, 0, "outside an account a name means nothing");
	uint8_t pw[30] = {0x02};
	memcpy(pw + 1, dpapi, sizeof(dpapi));
	cr_assert_eq(mp_decode_value(ctx, &a, &acct, NULL, "SMTP Password", 3, pw, 30, &p),
	             MAPIPROF_OK);
	cr_assert_eq(p.kind, MAPIPROF_V_OPAQUE);
	cr_assert_eq(p.ndecoded, 1);
	cr_assert_str_eq(p.decoded[0].kind, "secret");
	mp_arena_free(&a);
	mapiprof_ctx_free(ctx);
}
