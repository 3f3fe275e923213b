/* store.c - helpers shared by every store back end: case-insensitive lookup
 * by name, path walks, value arrays. */
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "store/store.h"

/* Decodes one UTF-8 code point; invalid bytes map to 0xDC00 + byte so they
 * still compare deterministically.  Advances *p. */
static uint32_t
next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	size_t n = 0;
	if (c < 0x80) {
		*p = s + 1;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		n = 1;
		c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2;
		c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		n = 3;
		c &= 0x07;
	} else {
		*p = s + 1;
		return 0xDC00u + s[0];
	}
	for (size_t i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*p = s + 1;
			return 0xDC00u + s[0];
		}
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	*p = s + n + 1;
	return c;
}

uint32_t
mp_name_fold(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 0x20;
	/* Latin-1 lower-case letters U+00E0..U+00FE except U+00F7 (division). */
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
		return c - 0x20;
	return c;
}

int
mp_name_casecmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	while (*p != '\0' && *q != '\0') {
		uint32_t x = mp_name_fold(next_cp(&p));
		uint32_t y = mp_name_fold(next_cp(&q));
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (*p == '\0' && *q == '\0')
		return 0;
	return *p == '\0' ? -1 : 1;
}

int
mp_store_child(struct mp_store *s, mp_key parent, const char *name, mp_key *out)
{
	mp_key *kids = NULL;
	size_t n = 0;
	*out = 0;
	if (s->ops->children(s, parent, &kids, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; i < n; i++) {
		char *kname = NULL;
		if (s->ops->key_name(s, kids[i], &kname) != MAPIPROF_OK) {
			rc = MAPIPROF_FAILED;
			break;
		}
		int same = mp_name_casecmp(kname, name) == 0;
		free(kname);
		if (same) {
			*out = kids[i];
			break;
		}
	}
	free(kids);
	return rc;
}

/* Steps from *cur to its child named p[0..len) (case-insensitively). */
static int
child_n(struct mp_store *s, mp_key *cur, const char *p, size_t len)
{
	char *comp = malloc(len + 1);
	if (comp == NULL)
		return mp_nomem(s->ctx);
	memcpy(comp, p, len);
	comp[len] = '\0';
	int rc = mp_store_child(s, *cur, comp, cur);
	free(comp);
	return rc;
}

/* Appends the stored name of key to *acc ('\'-joined, in arena a). */
static int
append_stored(struct mp_store *s, struct mp_arena *a, mp_key key, const char **acc)
{
	char *name = NULL;
	if (s->ops->key_name(s, key, &name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*acc = *acc == NULL ? mp_arena_strdup(a, name) : mp_arena_printf(a, "%s\\%s", *acc, name);
	free(name);
	return *acc == NULL ? mp_nomem(s->ctx) : MAPIPROF_OK;
}

int
mp_store_path_stored(struct mp_store *s, mp_key from, const char *path, mp_key *out,
                     struct mp_arena *a, const char **stored)
{
	mp_key cur = from;
	const char *acc = NULL;
	*out = 0;
	for (const char *p = path; *p != '\0';) {
		size_t len = strcspn(p, "\\");
		if (len > 0) {
			if (child_n(s, &cur, p, len) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			if (cur == 0)
				return MAPIPROF_OK;
			if (a != NULL && append_stored(s, a, cur, &acc) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
		}
		p += len;
		if (*p == '\\')
			p++;
	}
	if (a != NULL) {
		*stored = acc != NULL ? acc : mp_arena_strdup(a, "");
		if (*stored == NULL)
			return mp_nomem(s->ctx);
	}
	*out = cur;
	return MAPIPROF_OK;
}

int
mp_store_path(struct mp_store *s, mp_key from, const char *path, mp_key *out)
{
	return mp_store_path_stored(s, from, path, out, NULL, NULL);
}

const struct mp_value *
mp_store_value_find(const struct mp_value *vals, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (mp_name_casecmp(vals[i].name, name) == 0)
			return &vals[i];
	return NULL;
}

void
mp_store_values_free(struct mp_value *vals, size_t n)
{
	if (vals == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(vals[i].name);
		free(vals[i].data);
	}
	free(vals);
}

void
mp_store_close(struct mp_store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

int
mp_store_path_below(const char *path, const char *anc)
{
	size_t n = strlen(anc);
	if (strlen(path) < n || (path[n] != '\0' && path[n] != '\\'))
		return 0;
	/* Case folding keeps the length of every UTF-8 sequence (ASCII and
	 * Latin-1 letters), so the first n bytes are the matching part. */
	char *head = strndup(path, n);
	int below = head != NULL && mp_name_casecmp(head, anc) == 0;
	free(head);
	return below;
}
