/* out_json.c - JSON output through jansson (never hand-built JSON). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <mapiprof/mapiprof.h>

#include "escape.h"
#include "fmt.h"
#include "out_json.h"

json_t *
oj_string(const char *s)
{
	if (s == NULL)
		return json_null();
	if (esc_utf8_valid(s))
		return json_string(s);
	char *fixed = esc_utf8(s);
	if (fixed == NULL)
		return NULL;
	json_t *j = json_string(fixed);
	free(fixed);
	return j;
}

json_t *
oj_time(int64_t ft)
{
	char buf[48];
	if (fmt_filetime(ft, buf, sizeof(buf)) != 0)
		return json_null();
	return json_string(buf);
}

json_t *
oj_hex(const uint8_t *p, size_t n)
{
	char *h = fmt_hex(p, n);
	if (h == NULL)
		return NULL;
	json_t *j = json_string(h);
	free(h);
	return j;
}

int
oj_set(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL)
		return -1;
	return json_object_set_new(obj, key, v) == 0 ? 0 : -1;
}

int
oj_push(json_t *arr, json_t *v)
{
	if (v == NULL)
		return -1;
	return json_array_append_new(arr, v) == 0 ? 0 : -1;
}

json_t *
oj_root(void)
{
	json_t *o = json_object();
	if (o != NULL &&
	    json_object_set_new(o, "schema_version", json_integer(OJ_SCHEMA_VERSION)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* obj with "schema_version" as its first key (jansson keeps insertion
 * order), or NULL when out of memory; takes obj. */
static json_t *
with_schema_version(json_t *obj)
{
	if (!json_is_object(obj) || json_object_get(obj, "schema_version") != NULL)
		return obj;
	json_t *o = oj_root();
	if (o == NULL || json_object_update(o, obj) != 0) {
		json_decref(o);
		o = NULL;
	}
	json_decref(obj);
	return o;
}

int
oj_emit(json_t *obj)
{
	obj = with_schema_version(obj);
	if (obj == NULL)
		return -1;
	char *s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(obj);
	if (s == NULL)
		return -1;
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
	return 0;
}

/* The decoded value of p as the JSON value the schema gives its kind. */
static json_t *
prop_value(const struct mapiprof_prop *p)
{
	json_t *a;
	int bad = 0;
	switch (p->kind) {
	case MAPIPROF_V_INT:
		return json_integer((json_int_t)p->i);
	case MAPIPROF_V_BOOL:
		return json_boolean(p->i != 0);
	case MAPIPROF_V_STRING:
	case MAPIPROF_V_TIME:
	case MAPIPROF_V_CLSID:
		return oj_string(p->s != NULL ? p->s : "");
	case MAPIPROF_V_MV_INT:
	case MAPIPROF_V_MV_STRING:
	case MAPIPROF_V_MV_BINARY:
		if ((a = json_array()) == NULL)
			return NULL;
		for (size_t i = 0; i < p->count; i++) {
			if (p->kind == MAPIPROF_V_MV_INT)
				bad |= oj_push(a, json_integer((json_int_t)p->ints[i]));
			else if (p->kind == MAPIPROF_V_MV_STRING)
				bad |= oj_push(a, oj_string(p->strs[i]));
			else
				bad |= oj_push(a, oj_hex(p->blobs[i].data, p->blobs[i].len));
		}
		return oj_done(a, bad);
	case MAPIPROF_V_OPAQUE:
		return json_null();
	case MAPIPROF_V_BINARY:
	case MAPIPROF_V_RAW:
	default:
		return oj_hex(p->data, p->len);
	}
}

/* ["NAME", ..., "0x100"]: flag names, then the unknown bits. */
static json_t *
prop_flags(const struct mapiprof_prop *p)
{
	json_t *a = json_array();
	int bad = a == NULL;
	for (size_t i = 0; !bad && i < p->nflags; i++)
		bad |= oj_push(a, oj_string(p->flags[i]));
	if (!bad && p->unknown_bits != 0) {
		char buf[16];
		snprintf(buf, sizeof(buf), "0x%" PRIx32, p->unknown_bits);
		bad |= oj_push(a, json_string(buf));
	}
	return oj_done(a, bad);
}

/* [{"uid","role","service"}] for the UID references of p. */
static json_t *
prop_uids(const struct mapiprof_file *f, size_t profile, const struct mapiprof_prop *p)
{
	json_t *a = json_array();
	int bad = a == NULL;
	for (size_t i = 0; !bad && i < p->nuids; i++) {
		const struct mapiprof_uidref *u = &p->uids[i];
		const struct mapiprof_section *s =
		    u->section != SIZE_MAX ? mapiprof_section_at(f, profile, u->section) : NULL;
		json_t *o = json_object();
		bad |= oj_push(a, o);
		if (bad)
			break;
		bad |= oj_set(o, "uid", oj_string(u->uid));
		bad |= oj_set(o, "role", oj_string(s != NULL ? s->role : NULL));
		bad |= oj_set(o, "service", oj_string(s != NULL ? s->service : NULL));
	}
	return oj_done(a, bad);
}

/* The JSON value of one field. */
static json_t *
field_value(const struct mapiprof_field *f)
{
	switch (f->type) {
	case MAPIPROF_F_INT:
		return json_integer((json_int_t)f->i);
	case MAPIPROF_F_BOOL:
		return json_boolean(f->i != 0);
	case MAPIPROF_F_STRING:
	default:
		return oj_string(f->s != NULL ? f->s : "");
	}
}

/* Names of the fields that carry flag in a JSON array, or NULL when none
 * does (*bad set when out of memory). */
static json_t *
field_names_with(const struct mapiprof_decoded *d, unsigned flag, int *bad)
{
	json_t *a = NULL;
	for (size_t i = 0; !*bad && i < d->nfields; i++) {
		if (!(d->fields[i].flags & flag))
			continue;
		if (a == NULL && (a = json_array()) == NULL) {
			*bad = 1;
			break;
		}
		*bad |= oj_push(a, oj_string(d->fields[i].name));
	}
	if (*bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *
oj_decoded(const struct mapiprof_decoded *d, int with_index)
{
	json_t *o = json_object();
	int bad = o == NULL;
	if (bad)
		return NULL;
	bad |= oj_set(o, "kind", oj_string(d->kind));
	if (with_index)
		bad |= oj_set(o, "index", json_integer((json_int_t)d->index));
	for (size_t i = 0; !bad && i < d->nfields; i++)
		bad |= oj_set(o, d->fields[i].name, field_value(&d->fields[i]));
	json_t *unconfirmed = field_names_with(d, MAPIPROF_FIELD_UNCONFIRMED, &bad);
	json_t *defaults = bad ? NULL : field_names_with(d, MAPIPROF_FIELD_DEFAULT, &bad);
	if (!bad && unconfirmed != NULL) {
		bad |= oj_set(o, "unconfirmed", json_true());
		bad |= oj_set(o, "unconfirmed_fields", unconfirmed);
		unconfirmed = NULL;
	}
	if (!bad && defaults != NULL) {
		bad |= oj_set(o, "defaults", defaults);
		defaults = NULL;
	}
	json_decref(unconfirmed);
	json_decref(defaults);
	if (!bad && d->error != NULL)
		bad |= oj_set(o, "error", oj_string(d->error));
	return oj_done(o, bad);
}

/* "decoded" of a value: the one structure, or for a multi-value
 * {"kind": "elements", "elements": [...]} with each element's index. */
static json_t *
prop_decoded(const struct mapiprof_prop *p)
{
	if (p->kind != MAPIPROF_V_MV_BINARY)
		return oj_decoded(&p->decoded[0], 0);
	json_t *o = json_object(), *a = json_array();
	int bad = o == NULL || a == NULL;
	if (!bad) {
		bad |= oj_set(o, "kind", json_string("elements"));
		bad |= oj_set(o, "elements", a);
		a = NULL;
	}
	json_decref(a);
	for (size_t i = 0; !bad && i < p->ndecoded; i++)
		bad |= oj_push(json_object_get(o, "elements"), oj_decoded(&p->decoded[i], 1));
	return oj_done(o, bad);
}

static int
is_mv_layout_kind(enum mapiprof_kind k)
{
	return k == MAPIPROF_V_MV_STRING || k == MAPIPROF_V_MV_BINARY;
}

int
oj_prop_fill(json_t *obj, const struct mapiprof_file *f, size_t profile,
             const struct mapiprof_prop *p, int raw, int always_flags)
{
	char tag[16];
	int bad = 0;
	fmt_tag(p->tag, tag, sizeof(tag));
	bad |= oj_set(obj, "value_name", oj_string(p->value_name));
	bad |= oj_set(obj, "tag", p->is_tag ? json_string(tag) : json_null());
	bad |= oj_set(obj, "name", oj_string(p->name));
	bad |= oj_set(obj, "type", oj_string(p->type_name));
	bad |= oj_set(obj, "reg_type", oj_string(p->reg_type_name));
	bad |= oj_set(obj, "value", prop_value(p));
	if (p->has_flags || always_flags)
		bad |= oj_set(obj, "flags", prop_flags(p));
	if (is_mv_layout_kind(p->kind) && p->mv_offset_width != 0)
		bad |= oj_set(obj, "mv_layout", json_integer(p->mv_offset_width * 8));
	if (p->nuids > 0)
		bad |= oj_set(obj, "uids", prop_uids(f, profile, p));
	if (p->secure)
		bad |= oj_set(obj, "secure", json_true());
	if (p->kind == MAPIPROF_V_OPAQUE) {
		bad |= oj_set(obj, "secret", json_true());
		bad |= oj_set(obj, "opaque", json_true());
		bad |= oj_set(obj, "length", json_integer((json_int_t)p->len));
	}
	if (p->ndecoded > 0)
		bad |= oj_set(obj, "decoded", prop_decoded(p));
	if (p->error != NULL)
		bad |= oj_set(obj, "error", oj_string(p->error));
	/* A secret's bytes are shown only when asked for (--raw): never
	 * decoded, but an examiner may need the blob itself. */
	if (raw)
		bad |= oj_set(obj, "raw", oj_hex(p->data, p->len));
	return bad ? -1 : 0;
}

json_t *
oj_done(json_t *obj, int bad)
{
	if (bad) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

int
oj_emit_unless(json_t *obj, int bad)
{
	if (bad) {
		json_decref(obj);
		return -1;
	}
	return oj_emit(obj);
}

const char *
oj_file_status(const struct mapiprof_file *f)
{
	return mapiprof_profile_count(f) == 0 ? "no_profiles" : "ok";
}
