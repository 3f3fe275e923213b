/* nearest.h - the name of a known set nearest to a mistyped one, for
 * "did you mean" suggestions. */
#ifndef MP_BASE_NEAREST_H
#define MP_BASE_NEAREST_H

#include <stddef.h>

/* Longest name compared; longer words and candidates get no suggestion. */
#define MP_NEAREST_MAXLEN 64

/* The best candidate so far for word (mp_nearest_init, mp_nearest_offer). */
struct mp_nearest {
	const char *word;
	size_t limit; /* farthest distance still suggested */
	const char *best;
	size_t dist;
};

/* Optimal-string-alignment (restricted Damerau-Levenshtein) distance
 * between a and b, ASCII case-insensitive: insertions, deletions,
 * substitutions and transpositions of neighbours each count 1.  Returns
 * max + 1 when the distance is larger than max or either string is longer
 * than MP_NEAREST_MAXLEN. */
size_t mp_name_distance(const char *a, const char *b, size_t max);

/* Starts a search for the candidate nearest to word.  The limit grows with
 * the word's length (1 edit up to 5 characters, 2 up to 9, then 3) and
 * stays below the word's length, so an unrelated word gets none. */
void mp_nearest_init(struct mp_nearest *n, const char *word);
/* Considers candidate (NULL ignored); the first of equally near ones wins.
 * candidate must outlive the search. */
void mp_nearest_offer(struct mp_nearest *n, const char *candidate);
/* The nearest candidate within the limit, or NULL. */
const char *mp_nearest_best(const struct mp_nearest *n);

/* Room for mp_did_you_mean's text: a suggestion is never longer than
 * MP_NEAREST_MAXLEN. */
#define MP_DID_YOU_MEAN_MAX (MP_NEAREST_MAXLEN + 24)
/* Writes the tail of an error message that suggests best to buf:
 * "; did you mean 'BEST'?", or "" when best is NULL; returns buf. */
const char *mp_did_you_mean(const char *best, char *buf, size_t size);

#endif
