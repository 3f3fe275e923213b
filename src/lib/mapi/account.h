/* account.h - Outlook's account manager (key 9375CFF0413111d3B88A00104B2A6676
 * of a profile): account types from the clsid, the typed values of an
 * account subkey, and what a secret value is.  Pure decoders over
 * (name, bytes, len) into a bounded field table. */
#ifndef MP_ACCOUNT_H
#define MP_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "mapi/sfields.h"

/* "pop3", "imap4", "http", "ldap", "mapi" for an account clsid
 * ("{ED475411-...}", any case, braces optional), NULL for the account
 * manager's own clsid, "unknown" for anything else (NULL clsid too). */
const char *mp_account_type(const char *clsid);

/* For a "mapi" account: "exchange", "pst" or "address_book" from its
 * service name (MSEMS, MSPST MS / MSUPST MS, CONTAB / EMABLT / OMSAB /
 * MSPST AB / EMSABP...), else the service name itself; NULL when name is
 * NULL. */
const char *mp_account_mapi_service(const char *service_name);

/* The documented default port of a port value name ("POP3 Port" 110,
 * "IMAP Port" 143, "SMTP Port" 25), 0 when it has none. */
unsigned mp_account_default_port(const char *value_name);

/* Decodes a typed value of an account subkey by its name: ports, the
 * SSL/SPA/auth switches, "SMTP Secure Connection", "SMTP Auth Method",
 * "Leave on Server", "MAPI Provider".  The value is a DWORD: REG_DWORD or
 * 4 bytes of REG_BINARY.  Returns 1 and fills *sf when name is one of
 * them, else 0. */
int mp_account_value_decode(const char *name, const uint8_t *p, size_t len, struct mp_sfields *sf);

/* Describes a secret (a credential value or a secure property) without
 * decoding it: kind "secret", its format and size.  Always fills *sf. */
void mp_secret_describe(const uint8_t *p, size_t len, struct mp_sfields *sf);

#endif
