/* out_text.c - plain-text rendering of property values for show and get. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "escape.h"
#include "fmt.h"
#include "out_text.h"

/* Lower-case hex, or "<empty>" for zero bytes (show). */
static int
put_hex(FILE *out, const uint8_t *p, size_t n)
{
	if (n == 0) {
		fputs("<empty>", out);
		return 0;
	}
	char *h = fmt_hex(p, n);
	if (h == NULL)
		return -1;
	fputs(h, out);
	free(h);
	return 0;
}

/* Hex with nothing at all for zero bytes (get: an empty line). */
static int
put_hex_plain(FILE *out, const uint8_t *p, size_t n)
{
	return n == 0 ? 0 : put_hex(out, p, n);
}

/* A string as show prints it: escaped, between double quotes. */
static int
put_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	int rc = esc_fputs(s != NULL ? s : "", out);
	fputc('"', out);
	return rc;
}

/* The integer of p: decimal, plus hex when the tag has flags. */
static void
put_int(FILE *out, const struct mapiprof_prop *p)
{
	fprintf(out, "%" PRId64, p->i);
	if (p->has_flags)
		fprintf(out, " (0x%08" PRIx64 ")", (uint64_t)p->i);
}

/* "[a, b, c]" for a multi-value. */
static int
put_mv(FILE *out, const struct mapiprof_prop *p)
{
	int rc = 0;
	fputc('[', out);
	for (size_t i = 0; i < p->count && rc == 0; i++) {
		if (i > 0)
			fputs(", ", out);
		if (p->kind == MAPIPROF_V_MV_INT)
			fprintf(out, "%" PRId64, p->ints[i]);
		else if (p->kind == MAPIPROF_V_MV_STRING)
			rc = put_quoted(out, p->strs[i]);
		else
			rc = put_hex(out, p->blobs[i].data, p->blobs[i].len);
	}
	fputc(']', out);
	return rc;
}

/* "<secret: DPAPI blob, 189 bytes>": what a secret is, never its bytes. */
static void
put_secret(FILE *out, const struct mapiprof_prop *p)
{
	const char *format = "unknown format";
	for (size_t k = 0; k < p->ndecoded; k++)
		for (size_t i = 0; i < p->decoded[k].nfields; i++)
			if (strcmp(p->decoded[k].fields[i].name, "format") == 0 &&
			    strcmp(p->decoded[k].fields[i].s, "unknown") != 0)
				format = p->decoded[k].fields[i].s;
	fputs("<secret: ", out);
	esc_fputs(format, out);
	fprintf(out, ", %zu bytes>", p->len);
}

/* The value cell of a show line. */
static int
put_value(FILE *out, const struct mapiprof_prop *p)
{
	switch (p->kind) {
	case MAPIPROF_V_INT:
		put_int(out, p);
		return 0;
	case MAPIPROF_V_BOOL:
		fputs(p->i != 0 ? "true" : "false", out);
		return 0;
	case MAPIPROF_V_STRING:
		return put_quoted(out, p->s);
	case MAPIPROF_V_TIME:
	case MAPIPROF_V_CLSID:
		return esc_fputs(p->s != NULL ? p->s : "", out);
	case MAPIPROF_V_MV_INT:
	case MAPIPROF_V_MV_STRING:
	case MAPIPROF_V_MV_BINARY:
		return put_mv(out, p);
	case MAPIPROF_V_OPAQUE:
		put_secret(out, p);
		return 0;
	case MAPIPROF_V_RAW:
		if (p->error != NULL) {
			fputs("ERROR: ", out);
			return esc_fputs(p->error, out);
		}
		break;
	case MAPIPROF_V_BINARY:
	default:
		break;
	}
	return put_hex(out, p->data, p->len);
}

int
ot_file_header(FILE *out, const char *path)
{
	static int printed; /* a header was printed before: separate */
	if (printed)
		fputc('\n', out);
	printed = 1;
	fputs("file: ", out);
	int rc = esc_fputs(path, out);
	fputc('\n', out);
	return rc;
}

int
ot_uidref(FILE *out, const struct mapiprof_file *f, size_t profile, const struct mapiprof_uidref *u)
{
	const struct mapiprof_section *s =
	    u->section != SIZE_MAX ? mapiprof_section_at(f, profile, u->section) : NULL;
	int rc = esc_fputs(u->uid, out);
	if (s == NULL) {
		fputs(" (dangling)", out);
		return rc;
	}
	fputs(" (", out);
	rc |= esc_fputs(s->role != NULL ? s->role : "-", out);
	if (s->service != NULL) {
		fputc(' ', out);
		rc |= esc_fputs(s->service, out);
	}
	fputc(')', out);
	return rc;
}

/* "  FLAGS" after the value when the tag has a flag table and any bit is
 * named or unknown. */
static int
put_flags(FILE *out, const struct mapiprof_prop *p)
{
	if (!p->has_flags || p->kind != MAPIPROF_V_INT)
		return 0;
	char *fl = fmt_flags(p);
	if (fl == NULL)
		return -1;
	int rc = 0;
	if (fl[0] != '\0') {
		fputs("  ", out);
		rc = esc_fputs(fl, out);
	}
	free(fl);
	return rc;
}

int
ot_decoded(FILE *out, const struct mapiprof_decoded *d, int indent, int with_index)
{
	fprintf(out, "%*sdecoded", indent, "");
	if (with_index)
		fprintf(out, "[%zu]", d->index);
	fputs(": ", out);
	int rc = esc_fputs(d->kind != NULL ? d->kind : "-", out);
	for (size_t i = 0; i < d->nfields; i++) {
		const struct mapiprof_field *f = &d->fields[i];
		fputs(i == 0 ? "  " : ", ", out);
		rc |= esc_fputs(f->name, out);
		fputc('=', out);
		if (f->type == MAPIPROF_F_INT)
			fprintf(out, "%" PRId64, f->i);
		else if (f->type == MAPIPROF_F_BOOL)
			fputs(f->i != 0 ? "true" : "false", out);
		else
			rc |= put_quoted(out, f->s);
		if (f->flags & MAPIPROF_FIELD_DEFAULT)
			fputs(" (default)", out);
		if (f->flags & MAPIPROF_FIELD_UNCONFIRMED)
			fputs(" (unconfirmed)", out);
	}
	if (d->error != NULL) {
		fputs(d->nfields > 0 ? "; ERROR: " : "  ERROR: ", out);
		rc |= esc_fputs(d->error, out);
	}
	fputc('\n', out);
	return rc != 0 || ferror(out) ? -1 : 0;
}

int
ot_prop(FILE *out, const struct mapiprof_file *f, size_t profile, const struct mapiprof_prop *p,
        int indent, int raw)
{
	char tag[16] = "-";
	int rc;
	if (p->is_tag)
		fmt_tag(p->tag, tag, sizeof(tag));
	fprintf(out, "%*s", indent, "");
	rc = esc_fputs(p->value_name, out);
	fprintf(out, "  %s  ", tag);
	rc |= esc_fputs(p->name != NULL ? p->name : "-", out);
	fputs("  ", out);
	rc |= esc_fputs(p->type_name != NULL       ? p->type_name
	                : p->reg_type_name != NULL ? p->reg_type_name
	                                           : "-",
	                out);
	fputs("  ", out);
	rc |= put_value(out, p);
	rc |= put_flags(out, p);
	fputc('\n', out);
	for (size_t i = 0; i < p->nuids; i++) {
		fprintf(out, "%*s-> ", indent + 2, "");
		rc |= ot_uidref(out, f, profile, &p->uids[i]);
		fputc('\n', out);
	}
	if (p->kind != MAPIPROF_V_OPAQUE)
		for (size_t i = 0; i < p->ndecoded; i++)
			rc |= ot_decoded(out, &p->decoded[i], indent + 2,
			                 p->kind == MAPIPROF_V_MV_BINARY);
	if (raw || (p->kind != MAPIPROF_V_OPAQUE && p->error != NULL)) {
		fprintf(out, "%*sraw: ", indent + 2, "");
		rc |= put_hex(out, p->data, p->len);
		fputc('\n', out);
	}
	return rc != 0 || ferror(out) ? -1 : 0;
}

int
ot_value_cell(FILE *out, const struct mapiprof_prop *p)
{
	int rc = put_value(out, p);
	rc |= put_flags(out, p);
	return rc != 0 || ferror(out) ? -1 : 0;
}

int
ot_value_lines(FILE *out, const struct mapiprof_prop *p)
{
	int rc = 0;
	switch (p->kind) {
	case MAPIPROF_V_INT:
		fprintf(out, "%" PRId64 "\n", p->i);
		break;
	case MAPIPROF_V_BOOL:
		fputs(p->i != 0 ? "true\n" : "false\n", out);
		break;
	case MAPIPROF_V_STRING:
	case MAPIPROF_V_TIME:
	case MAPIPROF_V_CLSID:
		rc = esc_fputs(p->s != NULL ? p->s : "", out);
		fputc('\n', out);
		break;
	case MAPIPROF_V_MV_INT:
	case MAPIPROF_V_MV_STRING:
	case MAPIPROF_V_MV_BINARY:
		for (size_t i = 0; i < p->count && rc == 0; i++) {
			if (p->kind == MAPIPROF_V_MV_INT)
				fprintf(out, "%" PRId64, p->ints[i]);
			else if (p->kind == MAPIPROF_V_MV_STRING)
				rc = esc_fputs(p->strs[i], out);
			else
				rc = put_hex_plain(out, p->blobs[i].data, p->blobs[i].len);
			fputc('\n', out);
		}
		break;
	case MAPIPROF_V_OPAQUE:
		put_secret(out, p);
		fputc('\n', out);
		break;
	default:
		rc = put_hex_plain(out, p->data, p->len);
		fputc('\n', out);
		break;
	}
	if (p->kind != MAPIPROF_V_OPAQUE)
		for (size_t i = 0; i < p->ndecoded && rc == 0; i++)
			rc = ot_decoded(out, &p->decoded[i], 0, p->kind == MAPIPROF_V_MV_BINARY);
	return rc != 0 || ferror(out) ? -1 : 0;
}
