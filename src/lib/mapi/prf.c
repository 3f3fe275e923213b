/* prf.c - mapiprof_prf_read: an Outlook profile configuration file (PRF)
 * read as the INI text it is (Microsoft Learn, "Customize Outlook profiles
 * by using an Outlook Profile File (PRF)"; KB 148664, "Profile Descriptor
 * File"), with every line that is not a [section], a key=value, a ;
 * comment or blank listed, and every section that [Service List] or an
 * account list names but the file lacks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ctx.h"
#include "base/platform.h"
#include "base/utf16.h"
#include "store/store.h"

/* A PRF is a few KiB (an OCT-generated one with every mapping section is
 * about 30 KiB); the cap keeps a wrong file from being read whole. */
#define PRF_MAX_FILE (16u * 1024u * 1024u)
/* One line in UTF-8 bytes: GetPrivateProfileString reads at most 32,767
 * characters per value, which UTF-8 may double. */
#define PRF_MAX_LINE (64u * 1024u)
/* Problems kept for the report; the rest are only counted. */
#define PRF_MAX_PROBLEMS 1000u

#define REPLACEMENT "\xEF\xBF\xBD"

/* A section while parsing: its entries grow. */
struct wsection {
	struct mapiprof_prf_section pub;
	struct mapiprof_prf_entry *entries; /* malloc'd */
	size_t cap;
};

/* The document: the public view and what backs it. */
struct prf_doc {
	struct mapiprof_prf pub;
	struct mp_arena arena;
	struct wsection *sec; /* malloc'd */
	size_t nsec, seccap;
	struct mapiprof_prf_section *pubsec;   /* malloc'd, the view of sec */
	struct mapiprof_prf_problem *problems; /* malloc'd */
	size_t nprob, probcap;
	struct mapiprof_prf_item *services, *accounts; /* malloc'd */
};

struct parser {
	struct mapiprof_ctx *ctx;
	struct prf_doc *doc;
	int lossy; /* the conversion replaced bytes by U+FFFD */
	const char *encoding;
};

/* Grows *v (of *cap elements of size) to hold n + 1. */
static int
grow(struct mapiprof_ctx *ctx, void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return MAPIPROF_OK;
	size_t ncap = *cap == 0 ? 8 : *cap * 2;
	void *nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return mp_nomem(ctx);
	*v = nv;
	*cap = ncap;
	return MAPIPROF_OK;
}

static int problem(struct parser *p, size_t line, const char *fmt, ...) MP_PRINTF(3, 4);

/* Records a problem at line (kept while under the cap, else counted). */
static int
problem(struct parser *p, size_t line, const char *fmt, ...)
{
	struct prf_doc *d = p->doc;
	if (d->nprob >= PRF_MAX_PROBLEMS) {
		d->pub.more_problems++;
		return MAPIPROF_OK;
	}
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (grow(p->ctx, (void **)&d->problems, &d->probcap, d->nprob, sizeof(*d->problems)) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	const char *r = mp_arena_strdup(&d->arena, buf);
	if (r == NULL)
		return mp_nomem(p->ctx);
	d->problems[d->nprob++] = (struct mapiprof_prf_problem){line, r};
	return MAPIPROF_OK;
}

/* ---- the text ------------------------------------------------------------ */

/* Reads the file whole (a regular file of at most PRF_MAX_FILE bytes). */
static int
read_all(struct mapiprof_ctx *ctx, const char *path, uint8_t **data, size_t *len)
{
	int fd = -1;
	uint64_t size = 0;
	enum mp_file_kind kind = MP_FILE_OTHER;
	*data = NULL;
	*len = 0;
	if (mp_open_read(ctx, path, &fd) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = mp_fd_stat(ctx, fd, &size, &kind, NULL);
	if (rc == MAPIPROF_OK && kind != MP_FILE_REGULAR) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "not a regular file");
		rc = MAPIPROF_FAILED;
	}
	if (rc == MAPIPROF_OK && size > PRF_MAX_FILE) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "%llu bytes, more than a PRF file's cap of %u",
		          (unsigned long long)size, PRF_MAX_FILE);
		rc = MAPIPROF_FAILED;
	}
	if (rc == MAPIPROF_OK && (*data = malloc(size > 0 ? (size_t)size : 1u)) == NULL)
		rc = mp_nomem(ctx);
	if (rc == MAPIPROF_OK)
		rc = mp_pread_full(ctx, fd, *data, (size_t)size, 0);
	mp_close(fd);
	if (rc != MAPIPROF_OK) {
		free(*data);
		*data = NULL;
		return rc;
	}
	*len = (size_t)size;
	return MAPIPROF_OK;
}

/* The file's text as UTF-8 (see mapiprof_prf_read for the encoding). */
static int
decode(struct parser *p, const uint8_t *b, size_t n, char **text, size_t *tlen)
{
	struct prf_doc *d = p->doc;
	int lossy = 0;
	if ((n >= 2 && b[0] == 0xFE && b[1] == 0xFF) ||
	    (n >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0)) {
		mp_seterr(p->ctx, MAPIPROF_E_FORMAT,
		          "UTF-16BE or UTF-32 text: save it as UTF-16LE, UTF-8 or ANSI");
		return MAPIPROF_FAILED;
	}
	if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
		d->pub.bom = 1;
		p->encoding = "UTF-16LE";
		if (mp_utf16le_to_utf8(p->ctx, b + 2, n - 2, text, tlen, &p->lossy) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		return MAPIPROF_OK;
	}
	if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		d->pub.bom = 1;
		p->encoding = "UTF-8";
		return mp_cp_to_utf8(p->ctx, "UTF-8", b + 3, n - 3, text, tlen, &p->lossy);
	}
	int ascii = 1;
	for (size_t i = 0; i < n && ascii; i++)
		ascii = b[i] < 0x80;
	if (!ascii) {
		if (mp_cp_to_utf8(p->ctx, "UTF-8", b, n, text, tlen, &lossy) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (!lossy) {
			p->encoding = "UTF-8";
			return MAPIPROF_OK;
		}
		free(*text);
		*text = NULL;
	}
	p->encoding = p->ctx->codepage;
	return mp_cp_to_utf8(p->ctx, p->ctx->codepage, b, n, text, tlen, &p->lossy);
}

/* ---- lines ----------------------------------------------------------------- */

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* s[0..*n) without the spaces and tabs around it: returns its start. */
static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && is_space(s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && is_space(s[*n - 1]))
		(*n)--;
	return s;
}

static struct wsection *
find_wsection(struct prf_doc *d, const char *name)
{
	for (size_t i = 0; i < d->nsec; i++)
		if (mp_name_casecmp(d->sec[i].pub.name, name) == 0)
			return &d->sec[i];
	return NULL;
}

/* A "[name]" line: a new section, or (repeated) the first one again. */
static int
section_line(struct parser *p, size_t line, const char *s, size_t n, struct wsection **cur)
{
	struct prf_doc *d = p->doc;
	if (s[n - 1] != ']')
		return problem(p, line, "a section line must end with ']'");
	size_t len = n - 2;
	const char *name = trim(s + 1, &len);
	if (len == 0)
		return problem(p, line, "a section without a name");
	char *nm = mp_arena_strndup(&d->arena, name, len);
	if (nm == NULL)
		return mp_nomem(p->ctx);
	struct wsection *w = find_wsection(d, nm);
	if (w != NULL) {
		*cur = w;
		return problem(p, line, "section [%s] again (first at line %zu)", nm, w->pub.line);
	}
	if (grow(p->ctx, (void **)&d->sec, &d->seccap, d->nsec, sizeof(*d->sec)) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	w = &d->sec[d->nsec++];
	memset(w, 0, sizeof(*w));
	w->pub.name = nm;
	w->pub.line = line;
	*cur = w;
	return MAPIPROF_OK;
}

/* A "key=value" line in section cur. */
static int
entry_line(struct parser *p, size_t line, const char *s, size_t n, const char *eq,
           struct wsection *cur)
{
	struct prf_doc *d = p->doc;
	size_t klen = (size_t)(eq - s), vlen = n - klen - 1;
	const char *key = trim(s, &klen), *val = trim(eq + 1, &vlen);
	if (klen == 0)
		return problem(p, line, "a key=value line without a key");
	if (cur == NULL)
		return problem(p, line, "a key=value line before the first [section]");
	char *k = mp_arena_strndup(&d->arena, key, klen);
	char *v = mp_arena_strndup(&d->arena, val, vlen);
	if (k == NULL || v == NULL)
		return mp_nomem(p->ctx);
	for (size_t i = 0; i < cur->pub.nentries; i++)
		if (mp_name_casecmp(cur->entries[i].key, k) == 0)
			return problem(p, line, "duplicate key %s in [%s] (first at line %zu)", k,
			               cur->pub.name, cur->entries[i].line);
	if (grow(p->ctx, (void **)&cur->entries, &cur->cap, cur->pub.nentries,
	         sizeof(*cur->entries)) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	cur->entries[cur->pub.nentries++] = (struct mapiprof_prf_entry){k, v, line};
	return MAPIPROF_OK;
}

/* 1 when s[0..n) holds U+FFFD, what the conversion put for bytes it could
 * not read. */
static int
has_replacement(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++)
		if (memcmp(s + i, REPLACEMENT, 3) == 0)
			return 1;
	return 0;
}

/* One line (without its line end). */
static int
one_line(struct parser *p, size_t line, const char *s, size_t n, struct wsection **cur)
{
	if (n > PRF_MAX_LINE)
		return problem(p, line, "longer than %u bytes", PRF_MAX_LINE);
	if (memchr(s, '\0', n) != NULL)
		return problem(p, line, "holds a NUL character");
	if (p->lossy && has_replacement(s, n) &&
	    problem(p, line, "holds bytes that are not valid %s", p->encoding) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	s = trim(s, &n);
	if (n == 0 || s[0] == ';')
		return MAPIPROF_OK;
	if (s[0] == '[')
		return section_line(p, line, s, n, cur);
	const char *eq = memchr(s, '=', n);
	if (eq == NULL)
		return problem(p, line,
		               "neither a [section], a key=value, a ; comment nor a blank line");
	return entry_line(p, line, s, n, eq, *cur);
}

/* Every line of the text; line ends LF or CR LF (a CR alone stays in its
 * line, as GetPrivateProfileString reads it). */
static int
parse_lines(struct parser *p, const char *text, size_t len)
{
	struct wsection *cur = NULL;
	size_t line = 1;
	for (size_t at = 0; at < len; line++) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl != NULL ? (size_t)(nl - text) : len, n = end - at;
		if (n > 0 && text[at + n - 1] == '\r')
			n--;
		if (one_line(p, line, text + at, n, &cur) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		at = end + 1;
	}
	return MAPIPROF_OK;
}

/* ---- the lists ------------------------------------------------------------- */

static const struct mapiprof_prf_section *
find_section(const struct prf_doc *d, const char *name)
{
	for (size_t i = 0; i < d->pub.nsections; i++)
		if (mp_name_casecmp(d->pub.sections[i].name, name) == 0)
			return &d->pub.sections[i];
	return NULL;
}

/* Appends the entries of list section name to *items (*n of them, cap
 * *cap), each with the section it names; a missing one is a problem. */
static int
list_items(struct parser *p, const char *name, struct mapiprof_prf_item **items, size_t *n,
           size_t *cap)
{
	const struct mapiprof_prf_section *list = find_section(p->doc, name);
	for (size_t i = 0; list != NULL && i < list->nentries; i++) {
		const struct mapiprof_prf_entry *e = &list->entries[i];
		if (grow(p->ctx, (void **)items, cap, *n, sizeof(**items)) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		const struct mapiprof_prf_section *s = find_section(p->doc, e->key);
		(*items)[(*n)++] = (struct mapiprof_prf_item){e->key, e->value, e->line, s};
		if (s == NULL && problem(p, e->line, "[%s] names %s, but there is no section [%s]",
		                         list->name, e->key, e->key) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* Sorts the problems by line, keeping the order they were found in within
 * a line (an insertion sort: they are nearly in order, at most
 * PRF_MAX_PROBLEMS of them). */
static void
sort_problems(struct mapiprof_prf_problem *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct mapiprof_prf_problem x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1].line > x.line; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The public view: sections, [General], the services and accounts. */
static int
finish(struct parser *p)
{
	struct prf_doc *d = p->doc;
	size_t cap = 0, acap = 0;
	d->pubsec = calloc(d->nsec + 1, sizeof(*d->pubsec));
	if (d->pubsec == NULL)
		return mp_nomem(p->ctx);
	for (size_t i = 0; i < d->nsec; i++) {
		d->pubsec[i] = d->sec[i].pub;
		d->pubsec[i].entries = d->sec[i].entries;
	}
	d->pub.sections = d->pubsec;
	d->pub.nsections = d->nsec;
	d->pub.general = find_section(d, "General");
	if (list_items(p, "Service List", &d->services, &d->pub.nservices, &cap) != MAPIPROF_OK ||
	    list_items(p, "Internet Account List", &d->accounts, &d->pub.naccounts, &acap) !=
	        MAPIPROF_OK ||
	    list_items(p, "Account List", &d->accounts, &d->pub.naccounts, &acap) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	d->pub.services = d->services;
	d->pub.accounts = d->accounts;
	sort_problems(d->problems, d->nprob);
	d->pub.problems = d->problems;
	d->pub.nproblems = d->nprob;
	return MAPIPROF_OK;
}

/* ---- the public API --------------------------------------------------------- */

int
mapiprof_prf_read(struct mapiprof_ctx *ctx, const char *path, struct mapiprof_prf **out)
{
	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || path == NULL || out == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_prf_read: missing argument");
		return MAPIPROF_FAILED;
	}
	uint8_t *raw = NULL;
	char *text = NULL;
	size_t rawlen = 0, tlen = 0;
	struct prf_doc *d = calloc(1, sizeof(*d));
	struct parser p = {ctx, d, 0, NULL};
	int rc = d != NULL ? read_all(ctx, path, &raw, &rawlen) : mp_nomem(ctx);
	if (rc == MAPIPROF_OK)
		rc = decode(&p, raw, rawlen, &text, &tlen);
	if (rc == MAPIPROF_OK) {
		d->pub.encoding = mp_arena_strdup(&d->arena, p.encoding);
		rc = d->pub.encoding != NULL ? MAPIPROF_OK : mp_nomem(ctx);
	}
	if (rc == MAPIPROF_OK)
		rc = parse_lines(&p, text, tlen);
	if (rc == MAPIPROF_OK)
		rc = finish(&p);
	free(raw);
	free(text);
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, path);
		mapiprof_prf_free(d != NULL ? &d->pub : NULL);
		return MAPIPROF_FAILED;
	}
	*out = &d->pub;
	return MAPIPROF_OK;
}

const char *
mapiprof_prf_value(const struct mapiprof_prf_section *s, const char *key)
{
	for (size_t i = 0; s != NULL && key != NULL && i < s->nentries; i++)
		if (mp_name_casecmp(s->entries[i].key, key) == 0)
			return s->entries[i].value;
	return NULL;
}

void
mapiprof_prf_free(struct mapiprof_prf *prf)
{
	if (prf == NULL)
		return;
	struct prf_doc *d = (struct prf_doc *)prf; /* pub is its first member */
	for (size_t i = 0; i < d->nsec; i++)
		free(d->sec[i].entries);
	free(d->sec);
	free(d->pubsec);
	free(d->problems);
	free(d->services);
	free(d->accounts);
	mp_arena_free(&d->arena);
	free(d);
}
