/* nearest.c - bounded, case-insensitive edit distance and the nearest of a
 * set of names (nearest.h).  The distance is the optimal string alignment
 * variant of Damerau-Levenshtein (Boytsov, "Indexing methods for
 * approximate dictionary searching", 2011, section 2.2): the typing slips
 * people make - a letter missed, doubled, wrong or two swapped - cost 1. */
#include <stdio.h>
#include <string.h>

#include "base/nearest.h"

#include <mapiprof/mapiprof.h>

static unsigned char
lower(char c)
{
	unsigned char u = (unsigned char)c;
	return u >= 'A' && u <= 'Z' ? (unsigned char)(u - 'A' + 'a') : u;
}

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

size_t
mp_name_distance(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > MP_NEAREST_MAXLEN || lb > MP_NEAREST_MAXLEN)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1; /* at least this many insertions or deletions */
	/* Three rows of the dynamic-programming matrix: i-2, i-1 and i. */
	size_t rows[3][MP_NEAREST_MAXLEN + 1];
	size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t row_min;
		cur[0] = row_min = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
			size_t d = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
			    lower(a[i - 2]) == lower(b[j - 1]) && pp[j - 2] + 1 < d)
				d = pp[j - 2] + 1;
			cur[j] = d;
			row_min = d < row_min ? d : row_min;
		}
		if (row_min > max)
			return max + 1; /* every later row is at least as far */
		size_t *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] <= max ? prev[lb] : max + 1;
}

void
mp_nearest_init(struct mp_nearest *n, const char *word)
{
	size_t len = word != NULL ? strlen(word) : 0;
	size_t limit = len <= 5 ? 1 : len <= 9 ? 2 : 3;
	n->word = word;
	n->limit = limit < len ? limit : 0;
	n->best = NULL;
	n->dist = n->limit + 1;
}

void
mp_nearest_offer(struct mp_nearest *n, const char *candidate)
{
	if (n->word == NULL || candidate == NULL || n->limit == 0)
		return;
	size_t d = mp_name_distance(n->word, candidate, n->limit);
	/* A candidate no longer than the edits is as unrelated as any. */
	if (d < n->dist && d < strlen(candidate)) {
		n->best = candidate;
		n->dist = d;
	}
}

const char *
mp_nearest_best(const struct mp_nearest *n)
{
	return n->best;
}

const char *
mp_did_you_mean(const char *best, char *buf, size_t size)
{
	if (best != NULL)
		snprintf(buf, size, "; did you mean '%s'?", best);
	else if (size > 0)
		buf[0] = '\0';
	return buf;
}

const char *
mapiprof_nearest(const char *word, const char *const *names, size_t n)
{
	struct mp_nearest near;
	mp_nearest_init(&near, word);
	for (size_t i = 0; names != NULL && i < n; i++)
		mp_nearest_offer(&near, names[i]);
	return mp_nearest_best(&near);
}
