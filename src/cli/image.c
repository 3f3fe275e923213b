/* image.c - --image DIR (image.h). */
#include <stdlib.h>

#include <mapiprof/mapiprof.h>

#include "exitcode.h"
#include "image.h"

int
image_expand(const struct run *r, const char *image, char *const files[], size_t n,
             struct image_files *out)
{
	*out = (struct image_files){(char **)files, n, 0, 0};
	if (image == NULL)
		return EXIT_OK;
	out->v = NULL;
	out->n = 0;
	out->owned = 1;
	if (n == 0) {
		if (mapiprof_tree_hives(r->ctx, image, &out->v, &out->n) != MAPIPROF_OK)
			return report_lib(r, image);
		if (out->n == 0)
			return report_fail(r, image, "not_found",
			                   "no user hive (Users/*/NTUSER.DAT, Documents and "
			                   "Settings/*/NTUSER.DAT) in the image");
		return EXIT_OK;
	}
	if ((out->v = calloc(n, sizeof(*out->v))) == NULL)
		return report_fail(r, image, "no_memory", "out of memory");
	for (size_t i = 0; i < n; i++) {
		char *path = NULL;
		if (mapiprof_tree_resolve(r->ctx, image, files[i], &path) != MAPIPROF_OK) {
			report_lib(r, image);
			out->failed = 1;
			continue;
		}
		out->v[out->n++] = path;
	}
	return EXIT_OK;
}

int
image_each(const struct run *r, const char *image, char *const files[], size_t n,
           int (*fn)(const struct run *r, const void *arg, const char *path), const void *arg)
{
	struct image_files in;
	int status = image_expand(r, image, files, n, &in);
	for (size_t i = 0; status != EXIT_USAGE && i < in.n; i++)
		status = exit_worst(status, fn(r, arg, in.v[i]));
	if (in.failed)
		status = exit_worst(status, EXIT_ERROR);
	image_files_free(&in);
	return status;
}

void
image_files_free(struct image_files *f)
{
	if (f->owned)
		mapiprof_free_strings(f->v, f->n);
	*f = (struct image_files){0};
}
