/* accounts.c - one account of the account manager as a summary
 * (mapiprof_account): its type, service, name, server or data-file path,
 * ports with their defaults, and its preferences section.  The values are
 * those of the account subkey (actMgmt.h names; OutlookTrace
 * Get-MapiAccount / Get-Pop3Account); a data file's path comes from the
 * store entry ID of the account or of its service's provider sections. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/hex.h"
#include "mapi/account.h"
#include "mapi/locate.h"
#include "mapi/section.h"
#include "mapi/sfields.h"

/* The decoded string of value name in props, or NULL. */
static const char *
prop_string(const struct mapiprof_prop *props, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(props[i].value_name, name) == 0 &&
		    props[i].kind == MAPIPROF_V_STRING)
			return props[i].s;
	return NULL;
}

static const struct mapiprof_prop *
prop_named(const struct mapiprof_prop *props, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(props[i].value_name, name) == 0)
			return &props[i];
	return NULL;
}

/* The "path" of a store entry ID decoded in p, or NULL. */
static const char *
entryid_path(const struct mapiprof_prop *p)
{
	for (size_t k = 0; p != NULL && k < p->ndecoded; k++) {
		const struct mapiprof_decoded *d = &p->decoded[k];
		if (strcmp(d->kind, "store_entryid") != 0)
			continue;
		for (size_t j = 0; j < d->nfields; j++)
			if (strcmp(d->fields[j].name, "path") == 0 && d->fields[j].s[0] != '\0')
				return d->fields[j].s;
	}
	return NULL;
}

static void
add_str(struct mp_sfields *sf, const char *name, const char *s)
{
	if (s != NULL)
		mp_sf_str(sf, name, s, strlen(s));
}

/* A port: the stored DWORD, or the default marked as such when absent. */
static void
add_port(struct mp_sfields *sf, const struct mapiprof_prop *props, size_t n, const char *vname,
         const char *field)
{
	const struct mapiprof_prop *p = prop_named(props, n, vname);
	if (p != NULL && p->len == 4 && p->data != NULL) {
		mp_sf_int(sf, field,
		          (int64_t)((uint32_t)p->data[0] | (uint32_t)p->data[1] << 8 |
		                    (uint32_t)p->data[2] << 16 | (uint32_t)p->data[3] << 24));
		return;
	}
	struct mp_sfield *f = mp_sf_int(sf, field, mp_account_default_port(vname));
	if (f != NULL)
		f->flags |= MAPIPROF_FIELD_DEFAULT;
}

/* Where a MAPI account's service keeps its data: for a data file the PST
 * path of a provider section (001f6700 PR_PST_PATH_W, 001e6700, or the
 * store entry ID 01020fff), for Exchange the home server of its emsmdb
 * section (001f662a PR_PROFILE_HOME_SERVER_FQDN, 001e6602). */
static int
service_location(struct mapiprof_file *file, size_t profile, const char *service_uid,
                 const char **out)
{
	static const char *const names[] = {"001f6700", "001e6700", "001f662a", "001e6602"};
	const struct mp_section_set *set = &file->profiles[profile].sections;
	*out = NULL;
	for (size_t i = 0; i < set->n && *out == NULL; i++) {
		const struct mapiprof_section *s = &set->v[i].pub;
		if (s->owner == NULL || strcasecmp(s->owner, service_uid) != 0)
			continue;
		const struct mapiprof_prop *props = NULL;
		size_t n = 0;
		if (mapiprof_section_props(file, profile, i, &props, &n) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]) && *out == NULL; k++)
			*out = prop_string(props, n, names[k]);
		if (*out == NULL)
			*out = entryid_path(prop_named(props, n, "01020fff"));
	}
	return MAPIPROF_OK;
}

static int
build(struct mapiprof_file *file, size_t profile, size_t section, struct mp_sfields *sf)
{
	struct mp_section *sec = &file->profiles[profile].sections.v[section];
	const struct mapiprof_prop *props = NULL;
	size_t n = 0;
	if (mapiprof_section_props(file, profile, section, &props, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	const char *type = sec->pub.account_type != NULL ? sec->pub.account_type : "unknown";
	mp_sf_begin(sf, "account");
	add_str(sf, "type", type);
	const char *svc = prop_string(props, n, "Service Name");
	if (svc == NULL)
		svc = sec->pub.service;
	if (strcmp(type, "mapi") == 0)
		add_str(sf, "service", mp_account_mapi_service(svc));
	add_str(sf, "account_name", prop_string(props, n, "Account Name"));
	add_str(sf, "email", prop_string(props, n, "Email"));
	if (strcmp(type, "pop3") == 0 || strcmp(type, "imap4") == 0) {
		int pop = strcmp(type, "pop3") == 0;
		add_str(sf, "server", prop_string(props, n, pop ? "POP3 Server" : "IMAP Server"));
		add_str(sf, "user", prop_string(props, n, pop ? "POP3 User" : "IMAP User"));
		add_port(sf, props, n, pop ? "POP3 Port" : "IMAP Port", "port");
		add_str(sf, "smtp_server", prop_string(props, n, "SMTP Server"));
		add_port(sf, props, n, "SMTP Port", "smtp_port");
	} else if (strcmp(type, "http") == 0) {
		add_str(sf, "server", prop_string(props, n, "HTTP Server URL"));
		add_str(sf, "user", prop_string(props, n, "HTTP User"));
	} else if (strcmp(type, "ldap") == 0) {
		/* The value name is not in the sources the other names come
		 * from. */
		const char *srv = prop_string(props, n, "LDAP Server");
		struct mp_sfield *f =
		    srv != NULL ? mp_sf_str(sf, "server", srv, strlen(srv)) : NULL;
		if (f != NULL)
			f->flags |= MAPIPROF_FIELD_UNCONFIRMED;
	} else if (strcmp(type, "mapi") == 0) {
		const char *where = entryid_path(prop_named(props, n, "Delivery Store EntryID"));
		if (where == NULL && sec->has_service_uid) {
			char uid[33];
			mp_hex_encode(sec->service_uid, 16, uid);
			if (service_location(file, profile, uid, &where) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
		}
		const char *svc_kind = mp_account_mapi_service(svc);
		add_str(sf, svc_kind != NULL && strcmp(svc_kind, "pst") == 0 ? "path" : "server",
		        where);
	}
	const struct mapiprof_prop *pref = prop_named(props, n, "Preferences UID");
	if (pref != NULL && pref->len == 16 && pref->data != NULL) {
		mp_sf_hex(sf, "preferences_uid", pref->data, 16);
		mp_sf_bool(sf, "preferences_section_found",
		           mp_section_find_uid(&file->profiles[profile].sections, pref->data) !=
		               SIZE_MAX);
	}
	return MAPIPROF_OK;
}

int
mapiprof_account(struct mapiprof_file *file, size_t profile, size_t section,
                 const struct mapiprof_decoded **out)
{
	*out = NULL;
	if (profile >= file->nprofiles || section >= file->profiles[profile].sections.n ||
	    file->profiles[profile].sections.v[section].pub.account_type == NULL) {
		mp_seterr(file->ctx, MAPIPROF_E_INVALID,
		          "profile %zu section %zu is not an account", profile, section);
		mp_seterr_file(file->ctx, NULL);
		return MAPIPROF_FAILED;
	}
	struct mp_section *sec = &file->profiles[profile].sections.v[section];
	if (sec->account != NULL) {
		*out = sec->account;
		return MAPIPROF_OK;
	}
	struct mp_sfields *sf = malloc(sizeof(*sf));
	struct mapiprof_decoded *d = mp_arena_calloc(&file->arena, 1, sizeof(*d));
	int rc = MAPIPROF_FAILED;
	if (sf == NULL || d == NULL)
		mp_nomem(file->ctx);
	else if (build(file, profile, section, sf) == MAPIPROF_OK &&
	         mp_sf_export(file->ctx, &file->arena, sf, 0, d) == MAPIPROF_OK)
		rc = MAPIPROF_OK;
	free(sf);
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(file->ctx, file->name);
		return rc;
	}
	sec->account = d;
	*out = d;
	return MAPIPROF_OK;
}
