/* test_entryid.c - the entry-ID decoders (mapi/entryid.h) on values built
 * here byte by byte from the layouts of MS-OXCDATA 2.2.4 / 2.2.5 and
 * MS-PST 2.4.3.2: every field read back, truncated and inconsistent
 * values decoded as far as they are valid with an error, never a read
 * past the value (each value is copied into a heap block of exactly its
 * length, so AddressSanitizer sees any overrun). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mapi/entryid.h"
#include "mapi/sfields.h"

/* A value under construction. */
struct bb {
	uint8_t b[1024];
	size_t n;
};

static void
put(struct bb *v, const void *p, size_t n)
{
	cr_assert_leq(v->n + n, sizeof(v->b));
	memcpy(v->b + v->n, p, n);
	v->n += n;
}

static void
put_u32(struct bb *v, uint32_t x)
{
	uint8_t b[4] = {(uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16), (uint8_t)(x >> 24)};
	put(v, b, 4);
}

static void
put_u16(struct bb *v, uint16_t x)
{
	uint8_t b[2] = {(uint8_t)x, (uint8_t)(x >> 8)};
	put(v, b, 2);
}

static void
put_u8(struct bb *v, uint8_t x)
{
	put(v, &x, 1);
}

/* 8-bit string and its NUL. */
static void
put_sz(struct bb *v, const char *s)
{
	put(v, s, strlen(s) + 1);
}

/* ASCII text as UTF-16LE and its NUL unit. */
static void
put_wsz(struct bb *v, const char *s)
{
	for (; *s != '\0'; s++)
		put_u16(v, (uint16_t)(unsigned char)*s);
	put_u16(v, 0);
}

/* The UIDs as MS-OXCDATA prints them (byte order). */
static const uint8_t WRAP[16] = {0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A,
                                 0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2};
static const uint8_t PST[16] = {0x4E, 0x49, 0x54, 0x41, 0xF9, 0xBF, 0xB8, 0x01,
                                0x00, 0xAA, 0x00, 0x37, 0xD9, 0x6E, 0x00, 0x00};
static const uint8_t EXPRIV[16] = {0x1B, 0x55, 0xFA, 0x20, 0xAA, 0x66, 0x11, 0xCD,
                                   0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A};
static const uint8_t EXPUB[16] = {0x1C, 0x83, 0x02, 0x10, 0xAA, 0x66, 0x11, 0xCD,
                                  0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A};
static const uint8_t ONEOFF[16] = {0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19,
                                   0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02};
static const uint8_t EMSAB[16] = {0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
                                  0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82};
static const uint8_t CONTAB[16] = {0xFE, 0x42, 0xAA, 0x0A, 0x18, 0xC7, 0x1A, 0x10,
                                   0xE8, 0x85, 0x0B, 0x65, 0x1C, 0x24, 0x00, 0x00};

static struct mp_sfields sf;

/* Decodes v[0..n) from a heap copy of exactly n bytes. */
static int
decode_n(const struct bb *v, size_t n, int hint)
{
	uint8_t *p = malloc(n > 0 ? n : 1);
	cr_assert_not_null(p);
	memcpy(p, v->b, n);
	int rc = mp_entryid_decode(p, n, hint, NULL, &sf);
	free(p);
	return rc;
}

static const struct mp_sfield *
field(const char *name)
{
	for (size_t i = 0; i < sf.n; i++)
		if (strcmp(sf.f[i].name, name) == 0)
			return &sf.f[i];
	return NULL;
}

static const char *
str(const char *name)
{
	const struct mp_sfield *f = field(name);
	cr_assert_not_null(f, "no field %s", name);
	cr_assert_eq(f->type, MAPIPROF_F_STRING);
	return f->s;
}

static int64_t
num(const char *name)
{
	const struct mp_sfield *f = field(name);
	cr_assert_not_null(f, "no field %s", name);
	cr_assert_neq(f->type, MAPIPROF_F_STRING);
	return f->i;
}

/* Store wrapper header and the DLL name, NUL-padded so that the wrapped
 * part starts at a multiple of 4 bytes (MS-OXCDATA 2.2.4.3). */
static void
wrap_head(struct bb *v, const char *dll)
{
	put_u32(v, 0);
	put(v, WRAP, 16);
	put_u8(v, 0);
	put_u8(v, 0);
	put_sz(v, dll);
	while (v->n % 4 != 0)
		put_u8(v, 0);
}

static void
pst_store(struct bb *v, const char *ansi, const char *wide)
{
	wrap_head(v, "mspst.dll");
	cr_assert_eq(v->n, 32, "mspst.dll needs no padding");
	put_u32(v, 0);
	put(v, PST, 16);
	put_u8(v, 0);
	put_sz(v, ansi);
	if (wide != NULL)
		put_wsz(v, wide);
}

Test(entryid, pst_store_with_unicode_path)
{
	struct bb v = {0};
	pst_store(&v, "", "C:\\Mail\\a.pst");
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_str_eq(sf.kind, "store_entryid");
	cr_assert_str_empty(sf.error, "%s", sf.error);
	cr_assert_str_eq(str("provider_dll"), "mspst.dll");
	cr_assert_str_eq(str("provider"), "pst");
	cr_assert_str_eq(str("path_ansi"), "");
	cr_assert_str_eq(str("path_unicode"), "C:\\Mail\\a.pst");
	cr_assert_str_eq(str("path"), "C:\\Mail\\a.pst");
	cr_assert_eq(num("wrapped_size"), (int64_t)(v.n - 32));
}

Test(entryid, pst_store_ansi_path_in_code_page)
{
	struct bb v = {0};
	pst_store(&v, "C:\\M\xfcller.pst", NULL); /* windows-1252 u-umlaut */
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_str_empty(sf.error, "%s", sf.error);
	cr_assert_str_eq(str("path_ansi"), "C:\\M\xc3\xbcller.pst");
	cr_assert_str_eq(str("path"), "C:\\M\xc3\xbcller.pst");
	cr_assert_null(field("path_unicode"));
}

Test(entryid, pst_store_truncated_path_is_an_error_not_an_overrun)
{
	struct bb v = {0};
	pst_store(&v, "", "C:\\Mail\\a.pst");
	/* every prefix that cuts the UTF-16 path: recognised, with an error */
	/* 32 + 20 + reserved + the empty ANSI path: 54 bytes are complete */
	cr_assert_eq(decode_n(&v, 54, 0), 1);
	cr_assert_str_empty(sf.error);
	for (size_t n = 55; n < v.n; n++) {
		cr_assert_eq(decode_n(&v, n, 0), 1);
		cr_assert_str_not_empty(sf.error, "prefix %zu", n);
		cr_assert_str_eq(str("provider"), "pst");
	}
}

/* emsmdb.dll, a mailbox, V2 and V3 tails. */
static void
exchange_store(struct bb *v, int pub)
{
	wrap_head(v, "emsmdb.dll");
	cr_assert_eq(v->n, 36, "emsmdb.dll is a 14-byte DLLFileName");
	put_u32(v, 0);
	put(v, pub ? EXPUB : EXPRIV, 16);
	put_u32(v, pub ? 0x06 : 0x0C);
	put_sz(v, "EXSRV01");
	if (!pub)
		put_sz(v, "/o=Org/ou=Exchange/cn=Recipients/cn=alice");
	/* V2: magic, size, version 1, offsets of DN and FQDN from its start */
	const char *dn = "/o=Org/ou=Exchange/cn=Configuration/cn=Servers/cn=EXSRV01";
	const char *fq = "exsrv01.corp.example";
	uint32_t odn = 20, ofq = odn + (uint32_t)strlen(dn) + 1;
	uint32_t size2 = ofq + 2 * ((uint32_t)strlen(fq) + 1) + 2;
	put_u32(v, 0xF32135D8u);
	put_u32(v, size2);
	put_u32(v, 1);
	put_u32(v, odn);
	put_u32(v, ofq);
	put_sz(v, dn);
	put_wsz(v, fq);
	put_u16(v, 0);
	/* V3: magic, size, version 2, offset of the SMTP address */
	const char *smtp = "alice@example.com";
	put_u32(v, 0xF43246E9u);
	put_u32(v, 16 + 2 * ((uint32_t)strlen(smtp) + 1) + 2);
	put_u32(v, 2);
	put_u32(v, 16);
	put_wsz(v, smtp);
	put_u16(v, 0);
}

Test(entryid, exchange_mailbox_v2_v3)
{
	struct bb v = {0};
	exchange_store(&v, 0);
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_str_empty(sf.error, "%s", sf.error);
	cr_assert_str_eq(str("provider_dll"), "emsmdb.dll");
	cr_assert_str_eq(str("provider"), "exchange_mailbox");
	cr_assert_eq(num("wrapped_type"), 0x0C);
	cr_assert_str_eq(str("server"), "EXSRV01");
	cr_assert_str_eq(str("mailbox_dn"), "/o=Org/ou=Exchange/cn=Recipients/cn=alice");
	cr_assert_eq(num("v2_version"), 1);
	cr_assert_str_eq(str("v2_dn"), "/o=Org/ou=Exchange/cn=Configuration/cn=Servers/cn=EXSRV01");
	cr_assert_str_eq(str("v2_fqdn"), "exsrv01.corp.example");
	cr_assert_eq(num("v3_version"), 2);
	cr_assert_str_eq(str("v3_smtp_address"), "alice@example.com");
}

Test(entryid, exchange_public_folders_without_mailbox_dn)
{
	struct bb v = {0};
	exchange_store(&v, 1);
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_str_empty(sf.error, "%s", sf.error);
	cr_assert_str_eq(str("provider"), "exchange_public");
	cr_assert_null(field("mailbox_dn"));
	cr_assert_str_eq(str("v2_fqdn"), "exsrv01.corp.example");
	cr_assert_str_eq(str("v3_smtp_address"), "alice@example.com");
}

Test(entryid, exchange_every_prefix_decodes_without_overrun)
{
	struct bb v = {0};
	exchange_store(&v, 0);
	size_t dn_end = 36 + 24 + strlen("EXSRV01") + 1 +
	                strlen("/o=Org/ou=Exchange/cn=Recipients/cn=alice") + 1;
	size_t v2_end = v.n - (16 + 2 * (strlen("alice@example.com") + 1) + 2);
	for (size_t n = 0; n <= v.n; n++) {
		int rc = decode_n(&v, n, 0);
		cr_assert_eq(rc, n >= 20, "prefix %zu", n);
		if (rc && n < dn_end)
			cr_assert_str_not_empty(sf.error, "prefix %zu has no error", n);
		if (n == dn_end)
			cr_assert_str_empty(sf.error, "a V1 entry ID ends after the mailbox DN");
		/* ends after the DN or after V2 are complete; 1..3 bytes more
		 * cannot be a tail: named, not read; anything else cuts one */
		size_t end = n >= v2_end ? v2_end : dn_end;
		if (n == v2_end)
			cr_assert(sf.error[0] == '\0' && field("v2_fqdn") != NULL &&
			              field("v3_smtp_address") == NULL,
			          "%s", sf.error);
		else if (n > end && n < end + 4)
			cr_assert_eq(num("trailing_bytes"), (int64_t)(n - end), "prefix %zu", n);
		else if (n > dn_end && n < v.n)
			cr_assert_str_not_empty(sf.error, "prefix %zu cuts a tail", n);
	}
}

Test(entryid, exchange_v2_offset_past_end_keeps_earlier_fields)
{
	struct bb v = {0};
	exchange_store(&v, 0);
	size_t v2 = 36 + 24 + strlen("EXSRV01") + 1 +
	            strlen("/o=Org/ou=Exchange/cn=Recipients/cn=alice") + 1;
	/* FQDN offset far beyond the block */
	v.b[v2 + 16] = 0xFF;
	v.b[v2 + 17] = 0xFF;
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_not_null(strstr(sf.error, "FQDN offset"), "%s", sf.error);
	cr_assert_str_eq(str("server"), "EXSRV01");
	cr_assert_str_eq(str("v2_dn"), "/o=Org/ou=Exchange/cn=Configuration/cn=Servers/cn=EXSRV01");
	cr_assert_null(field("v2_fqdn"));
}

Test(entryid, exchange_v2_size_past_end)
{
	struct bb v = {0};
	exchange_store(&v, 0);
	size_t v2 = 36 + 24 + strlen("EXSRV01") + 1 +
	            strlen("/o=Org/ou=Exchange/cn=Recipients/cn=alice") + 1;
	v.b[v2 + 7] = 0x7F; /* size 0x7F0000xx */
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_not_null(strstr(sf.error, "runs past the value"), "%s", sf.error);
	cr_assert_str_eq(str("mailbox_dn"), "/o=Org/ou=Exchange/cn=Recipients/cn=alice");
}

Test(entryid, dll_name_without_nul)
{
	struct bb v = {0};
	put_u32(&v, 0);
	put(&v, WRAP, 16);
	put_u16(&v, 0);
	put(&v, "mspst.dll", 9);
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_str_eq(sf.kind, "store_entryid");
	cr_assert_not_null(strstr(sf.error, "not terminated"), "%s", sf.error);
	cr_assert_null(field("provider_dll"));
}

Test(entryid, unknown_wrapped_provider)
{
	struct bb v = {0};
	wrap_head(&v, "other.dll");
	put_u32(&v, 0);
	for (int i = 0; i < 16; i++)
		put_u8(&v, (uint8_t)(0xA0 + i));
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_str_empty(sf.error);
	cr_assert_str_eq(str("provider"), "unknown");
	cr_assert_str_eq(str("wrapped_provider_uid"), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
}

Test(entryid, wrong_uid_is_not_recognised)
{
	struct bb v = {0};
	pst_store(&v, "", "C:\\a.pst");
	v.b[4] ^= 1; /* not MUID_STORE_WRAP any more */
	cr_assert_eq(decode_n(&v, v.n, 0), 0);
	cr_assert_eq(decode_n(&v, v.n, 1), 0, "a folder hint does not change that");
	cr_assert_null(sf.kind);
}

Test(entryid, oneoff_unicode_and_ansi)
{
	struct bb v = {0};
	put_u32(&v, 0);
	put(&v, ONEOFF, 16);
	put_u16(&v, 0);
	put_u16(&v, 0x8001);
	put_wsz(&v, "Bob");
	put_wsz(&v, "SMTP");
	put_wsz(&v, "bob@example.com");
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_str_eq(sf.kind, "oneoff_entryid");
	cr_assert_str_empty(sf.error, "%s", sf.error);
	cr_assert_eq(num("unicode"), 1);
	cr_assert_eq(num("no_rich_info"), 1);
	cr_assert_str_eq(str("display_name"), "Bob");
	cr_assert_str_eq(str("address_type"), "SMTP");
	cr_assert_str_eq(str("email_address"), "bob@example.com");

	struct bb a = {0};
	put_u32(&a, 0);
	put(&a, ONEOFF, 16);
	put_u16(&a, 0);
	put_u16(&a, 0);
	put_sz(&a, "B\xf6");
	put_sz(&a, "SMTP");
	put_sz(&a, "b@example.com");
	cr_assert_eq(decode_n(&a, a.n, 0), 1);
	cr_assert_str_empty(sf.error, "%s", sf.error);
	cr_assert_eq(num("unicode"), 0);
	cr_assert_str_eq(str("display_name"), "B\xc3\xb6");
	cr_assert_str_eq(str("email_address"), "b@example.com");
	/* the address cut short: the names before it are kept */
	cr_assert_eq(decode_n(&a, a.n - 3, 0), 1);
	cr_assert_str_not_empty(sf.error);
	cr_assert_str_eq(str("address_type"), "SMTP");
	cr_assert_null(field("email_address"));
}

Test(entryid, exchange_address_book)
{
	struct bb v = {0};
	put_u32(&v, 0);
	put(&v, EMSAB, 16);
	put_u32(&v, 1);
	put_u32(&v, 0);
	put_sz(&v, "/o=Org/ou=Exchange/cn=Recipients/cn=bob");
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_str_eq(sf.kind, "exchange_ab_entryid");
	cr_assert_str_empty(sf.error);
	cr_assert_eq(num("version"), 1);
	cr_assert_eq(num("display_type"), 0);
	cr_assert_str_eq(str("x500_dn"), "/o=Org/ou=Exchange/cn=Recipients/cn=bob");
	cr_assert_eq(decode_n(&v, 27, 0), 1);
	cr_assert_str_not_empty(sf.error, "8 bytes of header are needed");
}

Test(entryid, contact_address_book_user_and_container)
{
	struct bb v = {0};
	put_u32(&v, 0);
	put(&v, CONTAB, 16);
	put_u32(&v, 3);
	put_u32(&v, 4); /* CONTAB_USER */
	put_u32(&v, 1);
	put_u32(&v, 24);
	put_u32(&v, 0);
	put(&v, PST, 16);
	put_u32(&v, 0x200024);
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_str_eq(sf.kind, "contact_ab_entryid");
	cr_assert_str_empty(sf.error, "%s", sf.error);
	cr_assert_eq(num("index"), 1);
	cr_assert_eq(num("wrapped_size"), 24);
	cr_assert_str_eq(str("wrapped_provider_uid"), "4e495441f9bfb80100aa0037d96e0000");
	/* the count runs past the value */
	v.b[35] = 0x10;
	cr_assert_eq(decode_n(&v, v.n, 0), 1);
	cr_assert_not_null(strstr(sf.error, "runs past"), "%s", sf.error);

	struct bb c = {0};
	put_u32(&c, 0);
	put(&c, CONTAB, 16);
	put_u32(&c, 3);
	put_u32(&c, 3); /* CONTAB_CONTAINER */
	put(&c, EXPRIV, 16);
	cr_assert_eq(decode_n(&c, c.n, 0), 1);
	cr_assert_str_empty(sf.error, "%s", sf.error);
	cr_assert_str_eq(str("type_name"), "container");
	cr_assert_str_eq(str("logon_uid"), "1b55fa20aa6611cd9bc800aa002fc45a");
	cr_assert_null(field("folder_entryid_size"));
}

Test(entryid, pst_folder_only_with_hint)
{
	struct bb v = {0};
	put_u32(&v, 0);
	put(&v, EXPUB, 16); /* any record key */
	put_u32(&v, 0x8082);
	cr_assert_eq(decode_n(&v, v.n, 0), 0);
	cr_assert_eq(decode_n(&v, v.n, 1), 1);
	cr_assert_str_eq(sf.kind, "pst_folder_entryid");
	cr_assert_eq(num("nid"), 0x8082);
	cr_assert_eq(num("nid_type"), 2); /* NID_TYPE_NORMAL_FOLDER, MS-PST 2.2.2.1 */
	cr_assert_eq(num("nid_index"), 0x8082 >> 5);
	cr_assert_eq(decode_n(&v, 23, 1), 0, "23 bytes are no folder entry ID");
}

static void
exchange_id(struct bb *v, uint16_t type, int msg)
{
	put_u32(v, 0);
	put(v, EXPRIV, 16);
	put_u16(v, type);
	for (int k = 0; k < (msg ? 2 : 1); k++) {
		put(v, EMSAB, 16);
		const uint8_t gc[6] = {0, 0, 0, 0, 0x12, (uint8_t)(0x34 + k)};
		put(v, gc, 6);
		put_u16(v, 0);
	}
}

Test(entryid, exchange_folder_and_message)
{
	struct bb f = {0};
	exchange_id(&f, 1, 0);
	cr_assert_eq(f.n, 46);
	cr_assert_eq(decode_n(&f, f.n, 1), 1);
	cr_assert_str_eq(sf.kind, "exchange_folder_entryid");
	cr_assert_eq(num("type"), 1);
	cr_assert_eq(num("folder_global_counter"), 0x1234);
	cr_assert_str_eq(str("folder_database_guid"), "dca740c8c042101ab4b908002b2fe182");

	struct bb m = {0};
	exchange_id(&m, 7, 1);
	cr_assert_eq(m.n, 70);
	cr_assert_eq(decode_n(&m, m.n, 1), 1);
	cr_assert_str_eq(sf.kind, "exchange_message_entryid");
	cr_assert_eq(num("message_global_counter"), 0x1235);

	struct bb bad = {0};
	exchange_id(&bad, 2, 0); /* no such folder type */
	cr_assert_eq(decode_n(&bad, bad.n, 1), 0);
}
