/* out_plan.c - a write command's outcome for one file, as plan lines or as
 * one JSON object. */
#include <stdio.h>

#include <mapiprof/mapiprof.h>

#include "escape.h"
#include "fmt.h"
#include "out_json.h"
#include "out_plan.h"
#include "out_text.h"

/* "SECTION (ROLE[, new section])" */
static int
put_section(FILE *out, const struct mapiprof_change *c)
{
	int rc = esc_fputs(c->section, out);
	fputs(" (", out);
	rc |= esc_fputs(c->role != NULL ? c->role : "unknown", out);
	fputs(c->new_section ? ", new section)" : ")", out);
	return rc;
}

/* "NAME (VALUE-NAME)", or the value name alone when the tag has no name. */
static int
put_property(FILE *out, const struct mapiprof_change *c)
{
	int rc = 0;
	if (c->prop_name != NULL) {
		rc = esc_fputs(c->prop_name, out);
		fputs(" (", out);
	}
	rc |= esc_fputs(c->value_name, out);
	if (c->prop_name != NULL)
		fputc(')', out);
	return rc;
}

/* A change of the key tree, in the form of a property's line: "FILE: KEY:
 * create key", "FILE: KEY: delete key (and everything below it)", "FILE:
 * KEY: VALUE-NAME: BEFORE → AFTER". */
static int
tree_line(FILE *out, const char *path, const struct mapiprof_change *c)
{
	int rc = esc_fputs(path, out);
	fputs(": ", out);
	rc |= esc_fputs(c->key != NULL ? c->key : "?", out);
	if (c->kind == MAPIPROF_CHANGE_KEY_ADD) {
		fputs(": create key\n", out);
		return rc;
	}
	if (c->kind == MAPIPROF_CHANGE_KEY_DELETE) {
		fputs(": delete key (and everything below it)\n", out);
		return rc;
	}
	fputs(": ", out);
	rc |= esc_fputs(c->value_name, out);
	fputs(": ", out);
	if (c->before != NULL)
		rc |= ot_value_cell(out, c->before);
	else
		fputs("(new)", out);
	fputs(" \xe2\x86\x92 ", out); /* U+2192 RIGHTWARDS ARROW, as for a property */
	if (c->after != NULL)
		rc |= ot_value_cell(out, c->after);
	else
		fputs("(deleted)", out);
	fputc('\n', out);
	return rc;
}

static int
change_line(FILE *out, const char *path, const struct mapiprof_change *c)
{
	if (c->kind != MAPIPROF_CHANGE_PROP)
		return tree_line(out, path, c);
	int rc = esc_fputs(path, out);
	fputs(": ", out);
	rc |= esc_fputs(c->profile_name, out);
	fputs(": ", out);
	rc |= put_section(out, c);
	fputs(": ", out);
	rc |= put_property(out, c);
	fputs(": ", out);
	if (c->before != NULL)
		rc |= ot_value_cell(out, c->before);
	else
		fputs("(new)", out);
	fputs(" \xe2\x86\x92 ", out); /* U+2192 RIGHTWARDS ARROW */
	if (c->after != NULL)
		rc |= ot_value_cell(out, c->after);
	else
		fputs("(deleted)", out);
	fputc('\n', out);
	return rc;
}

static int
skip_line(FILE *out, const char *path, const struct mapiprof_skip *s)
{
	fputs("mapiprof: ", out);
	int rc = esc_fputs(path, out);
	fputs(": skipped profile '", out);
	rc |= esc_fputs(s->profile_name, out);
	fputs("': ", out);
	rc |= esc_fputs(s->reason != NULL ? s->reason : "recipe does not apply", out);
	fputc('\n', out);
	return rc;
}

int
op_plan_text(FILE *out, const struct plan_result *r)
{
	int rc = 0;
	if (r->plan == NULL)
		return 0;
	for (size_t i = 0; i < mapiprof_plan_count(r->plan); i++)
		rc |= change_line(out, r->path, mapiprof_plan_at(r->plan, i));
	for (size_t i = 0; i < mapiprof_plan_skip_count(r->plan); i++)
		rc |= skip_line(out, r->path, mapiprof_plan_skip_at(r->plan, i));
	return rc != 0 || ferror(out) ? -1 : 0;
}

/* PROP (as show --json) of p, or null when p is NULL. */
static json_t *
prop_or_null(const struct mapiprof_file *f, size_t profile, const struct mapiprof_prop *p)
{
	if (p == NULL)
		return json_null();
	json_t *o = json_object();
	if (o != NULL && oj_prop_fill(o, f, profile, p, 0, 0) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The JSON name of a change kind. */
static const char *
kind_name(enum mapiprof_change_kind k)
{
	switch (k) {
	case MAPIPROF_CHANGE_VALUE:
		return "value";
	case MAPIPROF_CHANGE_KEY_ADD:
		return "key_add";
	case MAPIPROF_CHANGE_KEY_DELETE:
		return "key_delete";
	case MAPIPROF_CHANGE_PROP:
	default:
		return "prop";
	}
}

/* {"profile","section","role","new_section","edit","value_name","tag",
 * "name","type","before","after","kind","key"} */
static json_t *
change_json(const struct mapiprof_file *f, const struct mapiprof_change *c)
{
	const struct mapiprof_prop *any = c->after != NULL ? c->after : c->before;
	char tag[16];
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	fmt_tag(c->tag, tag, sizeof(tag));
	int bad = oj_set(o, "profile", oj_string(c->profile_name));
	bad |= oj_set(o, "section", oj_string(c->section));
	bad |= oj_set(o, "role", oj_string(c->role));
	bad |= oj_set(o, "new_section", json_boolean(c->new_section));
	bad |= oj_set(o, "edit", oj_string(c->edit));
	bad |= oj_set(o, "value_name", oj_string(c->value_name));
	bad |= oj_set(o, "tag", json_string(tag));
	bad |= oj_set(o, "name", oj_string(c->prop_name));
	bad |= oj_set(o, "type", oj_string(any != NULL ? any->type_name : NULL));
	bad |= oj_set(o, "before", prop_or_null(f, c->profile, c->before));
	bad |= oj_set(o, "after", prop_or_null(f, c->profile, c->after));
	bad |= oj_set(o, "kind", json_string(kind_name(c->kind)));
	bad |= oj_set(o, "key", oj_string(c->key));
	return oj_done(o, bad);
}

/* The "changes" and "skipped" arrays of r (empty without a plan). */
static int
plan_arrays(json_t *obj, const struct plan_result *r)
{
	json_t *ch = json_array(), *sk = json_array();
	int bad = oj_set(obj, "changes", ch);
	bad |= oj_set(obj, "skipped", sk);
	if (bad || r->plan == NULL)
		return bad;
	for (size_t i = 0; !bad && i < mapiprof_plan_count(r->plan); i++)
		bad |= oj_push(ch, change_json(r->f, mapiprof_plan_at(r->plan, i)));
	for (size_t i = 0; !bad && i < mapiprof_plan_skip_count(r->plan); i++) {
		const struct mapiprof_skip *s = mapiprof_plan_skip_at(r->plan, i);
		json_t *so = json_object();
		bad |= oj_push(sk, so);
		if (bad)
			break;
		bad |= oj_set(so, "profile", oj_string(s->profile_name));
		bad |= oj_set(so, "reason", oj_string(s->reason));
	}
	return bad;
}

int
op_plan_json(const struct plan_result *r)
{
	json_t *o = json_object();
	if (o == NULL)
		return -1;
	int bad = oj_set(o, "file", oj_string(r->path));
	bad |= oj_set(o, "status", json_string(r->status));
	bad |= bad ? 0 : plan_arrays(o, r);
	bad |= oj_set(o, "backup", oj_string(r->backup));
	bad |= oj_set(o, "output", oj_string(r->output));
	bad |= oj_set(o, "emit_reg", oj_string(r->emit_reg));
	bad |= oj_set(o, "state", oj_string(r->state));
	bad |= oj_set(o, "logs_reset", json_boolean(r->logs_reset));
	bad |= oj_set(o, "in_place", json_boolean(r->in_place));
	bad |= oj_set(o, "note", oj_string(r->note));
	if (r->error != NULL) {
		bad |= oj_set(o, "error", oj_string(r->error));
		bad |= oj_set(o, "code", oj_string(r->code));
	}
	return oj_emit_unless(o, bad);
}
