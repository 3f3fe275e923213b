/* names.h - names inside a Windows image matched as Windows matches them:
 * the exact spelling first, then its case variants (mp_name_casecmp), for
 * directory trees (tree.c) and WIM images (wim.c) alike. */
#ifndef MP_IMAGE_NAMES_H
#define MP_IMAGE_NAMES_H

#include <stddef.h>

/* Names of one directory matching one component, tried at most (a case
 * variant of a name is rare; this bounds a hostile image's backtracking). */
#define MP_IMAGE_MAX_CANDIDATES 4u
/* Components of a path inside the image, at most this many. */
#define MP_IMAGE_MAX_COMPONENTS 64u

/* The indices of names[0..n) that name name as Windows would, into
 * idx[0..MP_IMAGE_MAX_CANDIDATES): the exact spelling first, then the case
 * variants in listing order.  Returns how many. */
size_t mp_image_matches(char *const *names, size_t n, const char *name, size_t *idx);

/* Splits path ('/' or '\' separated) into comp[0..*n) (malloc'd, free with
 * mp_image_free_components); "." and ".." and an empty path are refused
 * (MAPIPROF_E_INVALID, "'PATH' is not a path inside the image"). */
struct mapiprof_ctx;
int mp_image_components(struct mapiprof_ctx *ctx, const char *path,
                        char *comp[MP_IMAGE_MAX_COMPONENTS], size_t *n);
void mp_image_free_components(char **comp, size_t n);

#endif
