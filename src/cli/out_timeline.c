/* out_timeline.c - timeline records as The Sleuth Kit 3.x body file
 * (wiki.sleuthkit.org "Body File": MD5|name|inode|mode_as_string|UID|GID|
 * size|atime|mtime|ctime|crtime, times in seconds since 1970), RegRipper's
 * TLN (Time|Source|Host|User|Description; H. Carvey, "Windows Forensic
 * Analysis", timeline chapter; source "REG", description "M... KEY" as
 * RegRipper's plugins write a key's last write), CSV (RFC 4180) and JSON
 * lines. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "escape.h"
#include "fmt.h"
#include "out_json.h"
#include "out_timeline.h"

/* FILETIME of 1970-01-01 in seconds since 1601 (MS-DTYP 2.3.3 FILETIME). */
#define FT_UNIX_EPOCH_SEC INT64_C(11644473600)
#define FT_PER_SEC        INT64_C(10000000)

/* Seconds since 1970, rounded down; 0 for an unknown time or one before 1970
 * (the body file and TLN have no negative times). */
static int64_t
unix_seconds(int64_t ft)
{
	if (ft <= 0)
		return 0;
	int64_t s = ft / FT_PER_SEC - FT_UNIX_EPOCH_SEC;
	return s > 0 ? s : 0;
}

int
tl_format_parse(const char *s, enum tl_format *out)
{
	static const struct {
		const char *name;
		enum tl_format fmt;
	} names[] = {
	    {"bodyfile", TL_BODYFILE},
	    {"tln", TL_TLN},
	    {"csv", TL_CSV},
	    {"jsonl", TL_JSONL},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].fmt;
			return 0;
		}
	return -1;
}

/* s for a '|'-separated line: esc_text's escapes (no control character,
 * so no line break) and '|' as "\x7c" so that it cannot split a field.
 * malloc'd; NULL when out of memory. */
static char *
field(const char *s)
{
	char *t = esc_text(s != NULL ? s : "");
	if (t == NULL)
		return NULL;
	size_t bars = 0, n = strlen(t);
	for (size_t i = 0; i < n; i++)
		bars += t[i] == '|';
	if (bars == 0)
		return t;
	char *u = malloc(n + bars * 3 + 1), *o = u;
	if (u != NULL) {
		for (size_t i = 0; i < n; i++) {
			if (t[i] == '|') {
				memcpy(o, "\\x7c", 4);
				o += 4;
			} else {
				*o++ = t[i];
			}
		}
		*o = '\0';
	}
	free(t);
	return u;
}

/* "FILE:PATH (profile: NAME, role: ROLE)", the key as one text for the
 * formats that have one name or description field; deleted keys say so. */
static char *
describe(const struct tl_record *r)
{
	const char *del = r->deleted ? "deleted; " : "";
	/* A recovered key whose parent chain breaks belongs to no profile. */
	const char *profile = r->profile != NULL ? r->profile : "?";
	int n = snprintf(NULL, 0, "%s:%s (%sprofile: %s, role: %s)", r->file, r->path, del, profile,
	                 r->role);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s != NULL)
		snprintf(s, (size_t)n + 1, "%s:%s (%sprofile: %s, role: %s)", r->file, r->path, del,
		         profile, r->role);
	return s;
}

static int
write_bar_line(enum tl_format fmt, const struct tl_record *r, const char *host, const char *user)
{
	char *d = describe(r), *name = d != NULL ? field(d) : NULL;
	char *h = field(host), *u = field(user);
	int rc = name != NULL && h != NULL && u != NULL ? 0 : -1;
	if (rc == 0 && fmt == TL_BODYFILE)
		/* The last write is the mtime; a key has no other time, size or
		 * owner, which the body file gives as 0. */
		fprintf(stdout, "0|%s|0|0|0|0|0|0|%" PRId64 "|0|0\n", name,
		        unix_seconds(r->last_write));
	else if (rc == 0)
		fprintf(stdout, "%" PRId64 "|REG|%s|%s|M... %s\n", unix_seconds(r->last_write), h,
		        u, name);
	free(d);
	free(name);
	free(h);
	free(u);
	return rc;
}

/* One CSV field: quoted when it holds a comma, a quote or a blank at an
 * end, quotes doubled (RFC 4180); control characters were escaped. */
static int
csv_field(const char *s, int last)
{
	char *t = esc_text(s != NULL ? s : "");
	if (t == NULL)
		return -1;
	size_t n = strlen(t);
	int quote = strpbrk(t, ",\"") != NULL || (n > 0 && (t[0] == ' ' || t[n - 1] == ' '));
	if (quote) {
		fputc('"', stdout);
		for (const char *p = t; *p != '\0'; p++) {
			if (*p == '"')
				fputc('"', stdout);
			fputc(*p, stdout);
		}
		fputc('"', stdout);
	} else {
		fputs(t, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
	free(t);
	return 0;
}

#define CSV_HEADER "last_write,last_write_unix,file,path,profile,section,role,deleted"

static int
write_csv(const struct tl_record *r)
{
	char when[48] = "", unix_s[24];
	if (fmt_filetime(r->last_write, when, sizeof(when)) != 0)
		when[0] = '\0';
	snprintf(unix_s, sizeof(unix_s), "%" PRId64, unix_seconds(r->last_write));
	int rc = csv_field(when, 0);
	rc |= csv_field(unix_s, 0);
	rc |= csv_field(r->file, 0);
	rc |= csv_field(r->path, 0);
	rc |= csv_field(r->profile, 0);
	rc |= csv_field(r->section, 0);
	rc |= csv_field(r->role, 0);
	rc |= csv_field(r->deleted ? "true" : "false", 1);
	return rc;
}

/* {"schema_version":2,"last_write","last_write_unix","file","path",
 * "profile","section","role","deleted"} */
static int
write_jsonl(const struct tl_record *r)
{
	json_t *o = json_object();
	int bad = o == NULL;
	if (!bad) {
		bad |= oj_set(o, "schema_version", json_integer(2));
		bad |= oj_set(o, "last_write", oj_time(r->last_write));
		bad |= oj_set(o, "last_write_unix", json_integer(unix_seconds(r->last_write)));
		bad |= oj_set(o, "file", oj_string(r->file));
		bad |= oj_set(o, "path", oj_string(r->path));
		bad |= oj_set(o, "profile", oj_string(r->profile));
		bad |= oj_set(o, "section", oj_string(r->section));
		bad |= oj_set(o, "role", oj_string(r->role));
		bad |= oj_set(o, "deleted", json_boolean(r->deleted));
	}
	return oj_emit_unless(o, bad);
}

void
tl_begin(enum tl_format fmt)
{
	if (fmt == TL_CSV)
		fputs(CSV_HEADER "\r\n", stdout);
}

int
tl_write(enum tl_format fmt, const struct tl_record *r, const char *host, const char *user)
{
	switch (fmt) {
	case TL_BODYFILE:
	case TL_TLN:
		return write_bar_line(fmt, r, host, user);
	case TL_CSV:
		return write_csv(r);
	case TL_JSONL:
	default:
		return write_jsonl(r);
	}
}
