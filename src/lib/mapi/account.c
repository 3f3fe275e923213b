/* account.c - the account manager's account types and typed values.
 * Sources: actMgmt.h of the MAPI stub library (CLSID_OlkPOP3Account ...,
 * the PROP_ACCT_* and PROP_*_PORT names), Microsoft Learn "Constants
 * (Account management API)" and "IOlkAccount", Metasploit's outlook.rb
 * and OutlookTrace (Get-Pop3Account, Get-Imap4Account) for the registry
 * value names. */
#include <string.h>
#include <strings.h>

#include "base/le.h"
#include "mapi/account.h"

struct clsid_type {
	const char *clsid; /* without braces */
	const char *type;  /* NULL: the account manager itself */
};

static const struct clsid_type clsids[] = {
    {"ED475410-B0D6-11D2-8C3B-00104B2A6676", NULL},    /* CLSID_OlkAccountManager */
    {"ED475411-B0D6-11D2-8C3B-00104B2A6676", "pop3"},  /* CLSID_OlkPOP3Account */
    {"ED475412-B0D6-11D2-8C3B-00104B2A6676", "imap4"}, /* CLSID_OlkIMAP4Account */
    {"ED475414-B0D6-11D2-8C3B-00104B2A6676", "mapi"},  /* CLSID_OlkMAPIAccount */
    {"4DB5CBF0-3B77-4852-BC8E-BB81908861F3", "http"},  /* CLSID_OlkHotmailAccount */
    {"4DB5CBF2-3B77-4852-BC8E-BB81908861F3", "ldap"},  /* CLSID_OlkLDAPAccount */
};

const char *
mp_account_type(const char *clsid)
{
	if (clsid == NULL)
		return "unknown";
	size_t n = strlen(clsid);
	if (n == 38 && clsid[0] == '{' && clsid[37] == '}') {
		clsid++;
		n = 36;
	}
	for (size_t i = 0; n == 36 && i < sizeof(clsids) / sizeof(clsids[0]); i++)
		if (strncasecmp(clsid, clsids[i].clsid, 36) == 0)
			return clsids[i].type;
	return "unknown";
}

const char *
mp_account_mapi_service(const char *service_name)
{
	/* MAPISVC.INF service names (MFCMAPI profile.cpp; KB 294470). */
	static const struct {
		const char *name, *service;
	} map[] = {
	    {"MSEMS", "exchange"},        {"MSPST MS", "pst"},        {"MSUPST MS", "pst"},
	    {"CONTAB", "address_book"},   {"OMSAB", "address_book"},  {"EMABLT", "address_book"},
	    {"MSPST AB", "address_book"}, {"EMSABP", "address_book"},
	};
	if (service_name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(service_name, map[i].name) == 0)
			return map[i].service;
	return service_name;
}

unsigned
mp_account_default_port(const char *value_name)
{
	/* Well-known ports (IANA); the defaults Outlook shows for an empty
	 * value (PROP_POP3_PORT, PROP_IMAP_PORT, PROP_SMTP_PORT). */
	if (strcasecmp(value_name, "POP3 Port") == 0)
		return 110;
	if (strcasecmp(value_name, "IMAP Port") == 0)
		return 143;
	if (strcasecmp(value_name, "SMTP Port") == 0)
		return 25;
	return 0;
}

static const char *const switches[] = {
    "POP3 Use SSL", "IMAP Use SSL", "SMTP Use SSL", "POP3 Use SPA",
    "IMAP Use SPA", "SMTP Use SPA", "HTTP Use SPA", "SMTP Use Auth",
};

static int
is_switch(const char *name)
{
	for (size_t i = 0; i < sizeof(switches) / sizeof(switches[0]); i++)
		if (strcasecmp(name, switches[i]) == 0)
			return 1;
	return 0;
}

/* An enumeration value and its name, or "unknown". */
static void
enum_field(struct mp_sfields *sf, uint32_t v, const char *const *names, size_t n)
{
	mp_sf_int(sf, "value", v);
	const char *s = v < n ? names[v] : "unknown";
	mp_sf_str(sf, "meaning", s, strlen(s));
}

int
mp_account_value_decode(const char *name, const uint8_t *p, size_t len, struct mp_sfields *sf)
{
	mp_sf_begin(sf, NULL);
	if (name == NULL)
		return 0;
	const char *kind = NULL;
	if (mp_account_default_port(name) != 0)
		kind = "port";
	else if (is_switch(name))
		kind = "switch";
	else if (strcasecmp(name, "SMTP Secure Connection") == 0)
		kind = "smtp_secure_connection";
	else if (strcasecmp(name, "SMTP Auth Method") == 0)
		kind = "smtp_auth_method";
	else if (strcasecmp(name, "Leave on Server") == 0)
		kind = "leave_on_server";
	else if (strcasecmp(name, "MAPI Provider") == 0)
		kind = "mapi_provider";
	else
		return 0;
	mp_sf_begin(sf, kind);
	if (p == NULL || len != 4) {
		mp_sf_error(sf, "%s needs a 4-byte DWORD, has %zu bytes", name,
		            p == NULL ? 0 : len);
		return 1;
	}
	uint32_t v = mp_le32(p);
	if (strcmp(kind, "port") == 0) {
		mp_sf_int(sf, "port", v);
		unsigned def = mp_account_default_port(name);
		if (def != 0)
			mp_sf_int(sf, "default_port", def);
		if (v > 65535)
			mp_sf_error(sf, "port %u is above 65535", (unsigned)v);
	} else if (strcmp(kind, "switch") == 0) {
		mp_sf_bool(sf, "enabled", v != 0);
	} else if (strcmp(kind, "smtp_secure_connection") == 0) {
		static const char *const n[] = {"none", "ssl_tls", "starttls", "auto"};
		enum_field(sf, v, n, 4);
	} else if (strcmp(kind, "smtp_auth_method") == 0) {
		static const char *const n[] = {"same_as_incoming", "user_password",
		                                "logon_to_incoming_first"};
		enum_field(sf, v, n, 3);
	} else if (strcmp(kind, "leave_on_server") == 0) {
		/* 0x1 leave a copy, 0x2 remove after N days, 0x4 remove when
		 * deleted from Deleted Items; N in the high word (OutlookTrace
		 * Get-Pop3Account; plaso's NTUSER-WIN7.DAT holds 0x000E0003). */
		mp_sf_int(sf, "value", v);
		mp_sf_bool(sf, "leave_copy", (v & 0x1u) != 0);
		mp_sf_bool(sf, "remove_after_days", (v & 0x2u) != 0);
		mp_sf_bool(sf, "remove_when_deleted", (v & 0x4u) != 0);
		mp_sf_int(sf, "days", v >> 16);
		if ((v & 0xFFF8u) != 0)
			mp_sf_int(sf, "unknown_bits", v & 0xFFF8u);
	} else {
		/* 2 in address-book accounts, 4 in PST accounts of the public
		 * samples; what it means is not documented. */
		struct mp_sfield *f = mp_sf_int(sf, "value", v);
		if (f != NULL)
			f->flags |= MAPIPROF_FIELD_UNCONFIRMED;
	}
	return 1;
}

/* DPAPI blob header: dwVersion 1 and the provider GUID
 * {DF9D8CD0-1501-11D1-8C7A-00C04FC297EB} (CRYPTPROTECT, wincrypt.h; the
 * account manager's passwords in plaso's NTUSER-WIN7.DAT). */
static const uint8_t dpapi_hdr[20] = {0x01, 0x00, 0x00, 0x00, 0xD0, 0x8C, 0x9D, 0xDF, 0x01, 0x15,
                                      0xD1, 0x11, 0x8C, 0x7A, 0x00, 0xC0, 0x4F, 0xC2, 0x97, 0xEB};

void
mp_secret_describe(const uint8_t *p, size_t len, struct mp_sfields *sf)
{
	mp_sf_begin(sf, "secret");
	size_t skip = 0;
	/* A password value is one byte 0x02 then the blob (seen in plaso's
	 * sample); what other first bytes mean is not documented. */
	if (p != NULL && len >= 1 + sizeof(dpapi_hdr) && p[0] == 0x02 &&
	    memcmp(p + 1, dpapi_hdr, sizeof(dpapi_hdr)) == 0)
		skip = 1;
	int dpapi = p != NULL && len >= skip + sizeof(dpapi_hdr) &&
	            memcmp(p + skip, dpapi_hdr, sizeof(dpapi_hdr)) == 0;
	const char *fmt = dpapi ? "DPAPI blob" : "unknown";
	struct mp_sfield *f = mp_sf_str(sf, "format", fmt, strlen(fmt));
	if (f != NULL && !dpapi && len > 0)
		f->flags |= MAPIPROF_FIELD_UNCONFIRMED;
	mp_sf_int(sf, "size", (int64_t)len); /* the whole value, prefix included */
	if (skip)
		mp_sf_int(sf, "prefix_byte", p[0]);
}
