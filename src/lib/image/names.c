/* names.c - matching names inside a Windows image (names.h). */
#include <stdlib.h>
#include <string.h>

#include "base/ctx.h"
#include "image/names.h"
#include "store/store.h"

size_t
mp_image_matches(char *const *names, size_t n, const char *name, size_t *idx)
{
	size_t m = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < n && m < MP_IMAGE_MAX_CANDIDATES; k++)
			if (pass == 0 ? strcmp(names[k], name) == 0
			              : strcmp(names[k], name) != 0 &&
			                    mp_name_casecmp(names[k], name) == 0)
				idx[m++] = k;
	return m;
}

int
mp_image_components(struct mapiprof_ctx *ctx, const char *path, char *comp[MP_IMAGE_MAX_COMPONENTS],
                    size_t *n)
{
	int rc = MAPIPROF_OK;
	*n = 0;
	for (const char *p = path; rc == MAPIPROF_OK && *p != '\0';) {
		p += strspn(p, "/\\");
		size_t len = strcspn(p, "/\\");
		if (len == 0)
			break;
		if (*n == MP_IMAGE_MAX_COMPONENTS || (len == 2 && strncmp(p, "..", 2) == 0) ||
		    (len == 1 && p[0] == '.')) {
			mp_seterr(ctx, MAPIPROF_E_INVALID, "'%s' is not a path inside the image",
			          path);
			rc = MAPIPROF_FAILED;
		} else if ((comp[*n] = malloc(len + 1)) == NULL) {
			rc = mp_nomem(ctx);
		} else {
			memcpy(comp[*n], p, len);
			comp[(*n)++][len] = '\0';
			p += len;
		}
	}
	if (rc == MAPIPROF_OK && *n == 0) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "'%s' is not a path inside the image", path);
		rc = MAPIPROF_FAILED;
	}
	if (rc != MAPIPROF_OK) {
		mp_image_free_components(comp, *n);
		*n = 0;
	}
	return rc;
}

void
mp_image_free_components(char **comp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(comp[i]);
}
