/* recipe.c - recipes: text files of edits with '#' comments and the headers
 * "description:" and "applies-to:", the built-in ones compiled in from
 * recipes/ (edit.h), and the public recipe API of mapiprof.h. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/nearest.h"
#include "base/platform.h"
#include "plan/edit.h"

/* A recipe file is a few KiB of edits and comments; anything much larger is
 * not one.  Bounds the read and every array sized by its lines. */
#define MAX_RECIPE_BYTES (1024u * 1024u)

/* ---- the parser -------------------------------------------------------- */

/* Offset of the first byte of s[0..n) that is not well-formed UTF-8, or n. */
static size_t
utf8_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned b = s[i];
		size_t len = b < 0x80                 ? 1
		             : b >= 0xC2 && b <= 0xDF ? 2
		             : b >= 0xE0 && b <= 0xEF ? 3
		             : b >= 0xF0 && b <= 0xF4 ? 4
		                                      : 0;
		if (len == 0 || len > n - i)
			return i;
		/* The second byte's range excludes overlongs and surrogates. */
		unsigned lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
		unsigned hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
		for (size_t k = 1; k < len; k++) {
			unsigned c = s[i + k];
			if (c < (k == 1 ? lo : 0x80u) || c > (k == 1 ? hi : 0xBFu))
				return i;
		}
		i += len;
	}
	return n;
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Length of "NAME:" when line starts with a header NAME ([A-Za-z][A-Za-z0-9-]*)
 * followed by ':' and a blank or the end, else 0.  A selector such as
 * "service:MSEMS" is not a header. */
static size_t
header_len(const char *line)
{
	size_t n = 0;
	while ((line[n] >= 'a' && line[n] <= 'z') || (line[n] >= 'A' && line[n] <= 'Z') ||
	       (n > 0 && ((line[n] >= '0' && line[n] <= '9') || line[n] == '-')))
		n++;
	if (n == 0 || line[n] != ':' || (line[n + 1] != '\0' && !is_blank(line[n + 1])))
		return 0;
	return n + 1;
}

/* Fills the header named by line[0..hlen) (with its ':'); errors name the
 * line (MAPIPROF_E_RECIPE). */
static int
set_header(struct mapiprof_ctx *ctx, struct mapiprof_recipe *r, const char *line, size_t hlen,
           size_t lineno)
{
	const char *v = line + hlen;
	while (is_blank(*v))
		v++;
	if (hlen == 12 && strncasecmp(line, "description:", hlen) == 0) {
		if (r->info.description != NULL) {
			mp_seterr(ctx, MAPIPROF_E_RECIPE, "line %zu: a second description: header",
			          lineno);
			return MAPIPROF_FAILED;
		}
		r->info.description = mp_arena_strdup(&r->arena, v);
		return r->info.description != NULL ? MAPIPROF_OK : mp_nomem(ctx);
	}
	if (hlen == 11 && strncasecmp(line, "applies-to:", hlen) == 0) {
		if (r->info.applies_to != NULL) {
			mp_seterr(ctx, MAPIPROF_E_RECIPE, "line %zu: a second applies-to: header",
			          lineno);
			return MAPIPROF_FAILED;
		}
		static const char *const scopes[] = {"any", "exchange", "exchange-legacy"};
		for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
			if (strcasecmp(v, scopes[i]) == 0) {
				r->info.applies_to = scopes[i];
				return MAPIPROF_OK;
			}
		}
		mp_seterr(
		    ctx, MAPIPROF_E_RECIPE,
		    "line %zu: applies-to: '%s' is not 'any', 'exchange' or 'exchange-legacy'",
		    lineno, v);
		return MAPIPROF_FAILED;
	}
	mp_seterr(ctx, MAPIPROF_E_RECIPE,
	          "line %zu: unknown header '%.*s' (expected description: or applies-to:)", lineno,
	          (int)hlen, line);
	return MAPIPROF_FAILED;
}

/* One edit line; an edit error gets the prefix "line N: ". */
static int
add_edit(struct mapiprof_ctx *ctx, struct mapiprof_recipe *r, const char *line, size_t lineno)
{
	struct mp_edit *e = &r->edits[r->nedits];
	if (mp_edit_parse(ctx, &r->arena, line, e) != MAPIPROF_OK) {
		if (mapiprof_errcode(ctx) == MAPIPROF_E_EDIT) {
			char msg[sizeof(ctx->msg)];
			snprintf(msg, sizeof(msg), "%s", mapiprof_errmsg(ctx));
			mp_seterr(ctx, MAPIPROF_E_EDIT, "line %zu: %s", lineno, msg);
		}
		return MAPIPROF_FAILED;
	}
	r->nedits++;
	return MAPIPROF_OK;
}

/* Dispatches one line (a copy of it, without its '\n', in line). */
static int
parse_line(struct mapiprof_ctx *ctx, struct mapiprof_recipe *r, char *line, size_t lineno)
{
	char *s = line;
	while (is_blank(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	if (n == 0 || s[0] == '#')
		return MAPIPROF_OK;
	size_t hlen = header_len(s);
	if (hlen > 0)
		return set_header(ctx, r, s, hlen, lineno);
	return add_edit(ctx, r, s, lineno);
}

/* Allocates the edit arrays (one slot per line at most), then parses every
 * line of r->info.text. */
static int
parse_lines(struct mapiprof_ctx *ctx, struct mapiprof_recipe *r)
{
	const char *text = r->info.text;
	size_t nlines = 1;
	for (const char *p = text; *p != '\0'; p++)
		nlines += *p == '\n' ? 1u : 0u;
	r->edits = mp_arena_calloc(&r->arena, nlines, sizeof(*r->edits));
	if (r->edits == NULL)
		return mp_nomem(ctx);
	size_t lineno = 0;
	for (const char *p = text; *p != '\0' || lineno == 0;) {
		size_t len = strcspn(p, "\n");
		char *line = mp_arena_strndup(&r->arena, p, len);
		if (line == NULL)
			return mp_nomem(ctx);
		if (parse_line(ctx, r, line, ++lineno) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		p += len;
		if (*p == '\0')
			break;
		p++;
	}
	return MAPIPROF_OK;
}

/* Parses text into a new recipe named name (errors refer to the file
 * name).  Errors: MAPIPROF_E_RECIPE, MAPIPROF_E_EDIT, NOMEM. */
static int
recipe_parse(struct mapiprof_ctx *ctx, const char *name, const char *text,
             struct mapiprof_recipe **out)
{
	*out = NULL;
	struct mapiprof_recipe *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return mp_nomem(ctx);
	int rc = MAPIPROF_FAILED;
	/* A UTF-8 byte order mark is not part of the first line. */
	if (strncmp(text, "\xEF\xBB\xBF", 3) == 0)
		text += 3;
	size_t bad = utf8_bad((const unsigned char *)text, strlen(text));
	if (text[bad] != '\0') {
		size_t lineno = 1;
		for (size_t i = 0; i < bad; i++)
			lineno += text[i] == '\n' ? 1u : 0u;
		mp_seterr(ctx, MAPIPROF_E_RECIPE, "line %zu: not valid UTF-8", lineno);
		goto out;
	}
	r->info.name = mp_arena_strdup(&r->arena, name);
	r->info.text = mp_arena_strdup(&r->arena, text);
	if (r->info.name == NULL || r->info.text == NULL) {
		mp_nomem(ctx);
		goto out;
	}
	if (parse_lines(ctx, r) != MAPIPROF_OK)
		goto out;
	if (r->nedits == 0) {
		mp_seterr(ctx, MAPIPROF_E_RECIPE, "the recipe has no edits");
		goto out;
	}
	rc = MAPIPROF_OK;
out:
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, name);
		mapiprof_recipe_free(r);
		return rc;
	}
	*out = r;
	return rc;
}

/* Fills the parts of info every recipe has once its edits are parsed. */
static int
finish(struct mapiprof_ctx *ctx, struct mapiprof_recipe *r)
{
	if (r->info.description == NULL)
		r->info.description = "";
	if (r->info.applies_to == NULL)
		r->info.applies_to = "any";
	const char **v = mp_arena_calloc(&r->arena, r->nedits + 1, sizeof(*v));
	if (v == NULL)
		return mp_nomem(ctx);
	for (size_t i = 0; i < r->nedits; i++)
		v[i] = r->edits[i].text;
	r->info.edits = v;
	r->info.nedits = r->nedits;
	return MAPIPROF_OK;
}

/* ---- files ------------------------------------------------------------- */

/* Reads a whole recipe file (at most MAX_RECIPE_BYTES, no NUL bytes) into a
 * malloc'd string.  Errors: MAPIPROF_E_RECIPE naming the reason. */
static int
read_file(struct mapiprof_ctx *ctx, const char *path, char **out)
{
	*out = NULL;
	char *buf = NULL;
	/* mp_open_read never blocks (a FIFO named as the recipe) and takes
	 * regular files only. */
	int fd = -1;
	FILE *fp = NULL;
	if (mp_open_read(ctx, path, &fd) != MAPIPROF_OK) {
		char why[256];
		snprintf(why, sizeof(why), "%s", mapiprof_errmsg(ctx));
		mp_seterr(ctx, MAPIPROF_E_RECIPE, "cannot read the recipe: %s", why);
		goto fail;
	}
	if ((fp = fdopen(fd, "rb")) == NULL) {
		mp_seterr(ctx, MAPIPROF_E_RECIPE, "cannot read the recipe: %s", strerror(errno));
		mp_close(fd);
		goto fail;
	}
	buf = malloc(MAX_RECIPE_BYTES + 1);
	if (buf == NULL) {
		mp_nomem(ctx);
		goto fail;
	}
	size_t n = fread(buf, 1, MAX_RECIPE_BYTES + 1, fp);
	if (ferror(fp)) {
		mp_seterr(ctx, MAPIPROF_E_RECIPE, "cannot read the recipe: %s", strerror(errno));
		goto fail;
	}
	if (n > MAX_RECIPE_BYTES || memchr(buf, '\0', n) != NULL) {
		mp_seterr(ctx, MAPIPROF_E_RECIPE, "not a recipe: %s",
		          n > MAX_RECIPE_BYTES ? "larger than 1 MiB" : "it holds NUL bytes");
		goto fail;
	}
	buf[n] = '\0';
	fclose(fp);
	*out = buf;
	return MAPIPROF_OK;
fail:
	mp_seterr_file(ctx, path);
	free(buf);
	if (fp != NULL)
		fclose(fp);
	return MAPIPROF_FAILED;
}

static const struct mp_builtin_recipe *
builtin_named(const char *name)
{
	for (size_t i = 0; i < mp_builtin_nrecipes; i++)
		if (strcmp(mp_builtin_recipes[i].name, name) == 0)
			return &mp_builtin_recipes[i];
	return NULL;
}

/* MAPIPROF_E_RECIPE for a name that is neither a built-in nor a file. */
static int
unknown(struct mapiprof_ctx *ctx, const char *name)
{
	char list[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < mp_builtin_nrecipes && used < sizeof(list); i++) {
		int k = snprintf(list + used, sizeof(list) - used, "%s%s", i > 0 ? ", " : "",
		                 mp_builtin_recipes[i].name);
		used += k > 0 ? (size_t)k : 0u;
	}
	struct mp_nearest near;
	mp_nearest_init(&near, name);
	for (size_t i = 0; i < mp_builtin_nrecipes; i++)
		mp_nearest_offer(&near, mp_builtin_recipes[i].name);
	char hint[MP_DID_YOU_MEAN_MAX];
	mp_seterr(ctx, MAPIPROF_E_RECIPE,
	          "unknown recipe '%s' (built-in recipes: %s; a recipe file path needs a directory "
	          "part, such as ./NAME, or must exist)%s",
	          name, list, mp_did_you_mean(mp_nearest_best(&near), hint, sizeof(hint)));
	mp_seterr_file(ctx, NULL);
	return MAPIPROF_FAILED;
}

/* ---- the public API ---------------------------------------------------- */

int
mapiprof_recipe_load(struct mapiprof_ctx *ctx, const char *name_or_path,
                     struct mapiprof_recipe **out)
{
	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || name_or_path == NULL || out == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_recipe_load: missing argument");
		return MAPIPROF_FAILED;
	}
	const struct mp_builtin_recipe *b =
	    !mp_path_has_sep(name_or_path) ? builtin_named(name_or_path) : NULL;
	struct stat st;
	char *text = NULL;
	int rc;
	if (b != NULL)
		rc = recipe_parse(ctx, b->name, b->text, out);
	else if (!mp_path_has_sep(name_or_path) && stat(name_or_path, &st) != 0)
		return unknown(ctx, name_or_path);
	else if ((rc = read_file(ctx, name_or_path, &text)) == MAPIPROF_OK)
		rc = recipe_parse(ctx, name_or_path, text, out);
	free(text);
	if (rc == MAPIPROF_OK && (rc = finish(ctx, *out)) != MAPIPROF_OK) {
		mapiprof_recipe_free(*out);
		*out = NULL;
	}
	return rc;
}

int
mapiprof_recipe_from_edits(struct mapiprof_ctx *ctx, const char *const *edits, size_t n,
                           struct mapiprof_recipe **out)
{
	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || out == NULL || (edits == NULL && n > 0)) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_recipe_from_edits: missing argument");
		return MAPIPROF_FAILED;
	}
	if (n == 0) {
		mp_seterr(ctx, MAPIPROF_E_EDIT, "no edits given");
		return MAPIPROF_FAILED;
	}
	struct mapiprof_recipe *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return mp_nomem(ctx);
	size_t total = 1;
	for (size_t i = 0; i < n; i++)
		total += strlen(edits[i] != NULL ? edits[i] : "") + 1;
	char *text = mp_arena_alloc(&r->arena, total);
	r->edits = mp_arena_calloc(&r->arena, n, sizeof(*r->edits));
	r->info.name = "command line";
	r->info.description = "edits given on the command line";
	if (text == NULL || r->edits == NULL) {
		mapiprof_recipe_free(r);
		return mp_nomem(ctx);
	}
	text[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *e = edits[i] != NULL ? edits[i] : "";
		if (mp_edit_parse(ctx, &r->arena, e, &r->edits[i]) != MAPIPROF_OK) {
			mapiprof_recipe_free(r);
			return MAPIPROF_FAILED;
		}
		r->nedits++;
		strcat(strcat(text, r->edits[i].text), "\n");
	}
	r->info.text = text;
	if (finish(ctx, r) != MAPIPROF_OK) {
		mapiprof_recipe_free(r);
		return MAPIPROF_FAILED;
	}
	*out = r;
	return MAPIPROF_OK;
}

const struct mapiprof_recipe_info *
mapiprof_recipe_info(const struct mapiprof_recipe *recipe)
{
	return recipe != NULL ? &recipe->info : NULL;
}

void
mapiprof_recipe_free(struct mapiprof_recipe *recipe)
{
	if (recipe == NULL)
		return;
	mp_arena_free(&recipe->arena);
	free(recipe);
}

size_t
mapiprof_builtin_count(void)
{
	return mp_builtin_nrecipes;
}

/* Every built-in, parsed once and kept for the life of the process.  The
 * first caller to finish publishes its set; a caller that loses the race
 * frees its own (no lock, no global state beyond this pointer). */
struct builtin_set {
	struct mapiprof_recipe **v;
};
static _Atomic(struct builtin_set *) builtins;

static void
builtin_set_free(struct builtin_set *set)
{
	for (size_t i = 0; set->v != NULL && i < mp_builtin_nrecipes; i++)
		mapiprof_recipe_free(set->v[i]);
	free(set->v);
	free(set);
}

static struct builtin_set *
builtin_set_load(void)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct builtin_set *set = calloc(1, sizeof(*set));
	int ok = ctx != NULL && set != NULL &&
	         (set->v = calloc(mp_builtin_nrecipes + 1, sizeof(*set->v))) != NULL;
	for (size_t i = 0; ok && i < mp_builtin_nrecipes; i++)
		ok = mapiprof_recipe_load(ctx, mp_builtin_recipes[i].name, &set->v[i]) ==
		     MAPIPROF_OK;
	mapiprof_ctx_free(ctx);
	if (!ok && set != NULL) {
		builtin_set_free(set);
		set = NULL;
	}
	return set;
}

const struct mapiprof_recipe_info *
mapiprof_builtin_at(size_t i)
{
	if (i >= mp_builtin_nrecipes)
		return NULL;
	struct builtin_set *set = atomic_load(&builtins);
	if (set == NULL) {
		struct builtin_set *mine = builtin_set_load();
		if (mine == NULL)
			return NULL;
		struct builtin_set *expected = NULL;
		if (atomic_compare_exchange_strong(&builtins, &expected, mine)) {
			set = mine;
		} else {
			builtin_set_free(mine);
			set = expected;
		}
	}
	return &set->v[i]->info;
}
