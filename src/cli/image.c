/* image.c - --image IMAGE (image.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mapiprof/mapiprof.h>

#include "exitcode.h"
#include "image.h"
#include "stdio_files.h"

#define NO_HIVE                                                                                    \
	"no user hive (Users/*/NTUSER.DAT, Documents and Settings/*/NTUSER.DAT) in the image"

int
image_is_dir(const char *image)
{
	struct stat st;
	return image != NULL && stat(image, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory tree at image. */
static int
tree_expand(const struct run *r, const char *image, char *const files[], size_t n,
            struct image_files *out)
{
	if (n == 0) {
		if (mapiprof_tree_hives(r->ctx, image, &out->v, &out->n) != MAPIPROF_OK)
			return report_lib(r, image);
		if (out->n == 0)
			return report_fail(r, image, "not_found", NO_HIVE);
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

/* The paths inside the WIM image the operands name, or its user hives. */
static int
wim_paths(const struct run *r, const char *image, char *const files[], size_t n,
          struct image_files *out, char ***inner, size_t *ninner)
{
	if (n == 0) {
		if (mapiprof_wim_hives(r->ctx, out->wim, inner, ninner) != MAPIPROF_OK)
			return report_lib(r, image);
		if (*ninner == 0)
			return report_fail(r, image, "not_found", NO_HIVE);
		return EXIT_OK;
	}
	if ((*inner = calloc(n, sizeof(**inner))) == NULL)
		return report_fail(r, image, "no_memory", "out of memory");
	for (size_t i = 0; i < n; i++) {
		char *path = NULL;
		if (mapiprof_wim_resolve(r->ctx, out->wim, files[i], &path) != MAPIPROF_OK) {
			report_lib(r, image);
			out->failed = 1;
			continue;
		}
		(*inner)[(*ninner)++] = path;
	}
	return EXIT_OK;
}

/* The WIM image at image: each hive streamed out, named IMAGE:/PATH. */
static int
wim_expand(const struct run *r, const char *image, char *const files[], size_t n, unsigned flags,
           struct image_files *out)
{
	char **inner = NULL;
	size_t ninner = 0;
	unsigned wflags = (flags & IMAGE_WRITE) ? MAPIPROF_WIM_WRITE : 0;
	if (mapiprof_wim_open(r->ctx, image, wflags, &out->wim) != MAPIPROF_OK)
		return report_lib(r, image);
	int status = wim_paths(r, image, files, n, out, &inner, &ninner);
	if (status == EXIT_OK && ninner > 0 &&
	    ((out->v = calloc(ninner, sizeof(*out->v))) == NULL ||
	     (out->inner = calloc(ninner, sizeof(*out->inner))) == NULL ||
	     (out->local = calloc(ninner, sizeof(*out->local))) == NULL))
		status = report_fail(r, image, "no_memory", "out of memory");
	for (size_t i = 0; status == EXIT_OK && i < ninner; i++) {
		size_t len = strlen(image) + strlen(inner[i]) + 2;
		char *name = malloc(len), *local = NULL;
		if (name == NULL) {
			status = report_fail(r, image, "no_memory", "out of memory");
			break;
		}
		snprintf(name, len, "%s:%s", image, inner[i]);
		if (mapiprof_wim_extract(r->ctx, out->wim, inner[i], &local) != MAPIPROF_OK) {
			report_lib(r, name);
			free(name);
			out->failed = 1;
			continue;
		}
		if (sf_alias(name, local) != 0) {
			free(name);
			free(local);
			status = report_fail(r, image, "no_memory", "out of memory");
			break;
		}
		out->v[out->n] = name;
		out->local[out->n] = local;
		out->inner[out->n++] = inner[i];
		inner[i] = NULL;
	}
	mapiprof_free_strings(inner, ninner);
	return status;
}

int
image_expand(const struct run *r, const char *image, char *const files[], size_t n, unsigned flags,
             struct image_files *out)
{
	*out = (struct image_files){(char **)files, n, 0, 0, NULL, NULL, NULL};
	if (image == NULL)
		return EXIT_OK;
	out->v = NULL;
	out->n = 0;
	out->owned = 1;
	if (image_is_dir(image))
		return tree_expand(r, image, files, n, out);
	return wim_expand(r, image, files, n, flags, out);
}

int
image_commit(const struct run *r, const struct image_files *in, const int *put, const int *logs,
             const char *backup)
{
	struct mapiprof_wim_put *v = calloc(in->n ? in->n : 1, sizeof(*v));
	size_t n = 0;
	if (v == NULL) {
		mapiprof_clear_error(r->ctx);
		return MAPIPROF_FAILED;
	}
	for (size_t i = 0; i < in->n; i++)
		if (put[i])
			v[n++] = (struct mapiprof_wim_put){in->local[i], in->inner[i], logs[i]};
	int rc = mapiprof_wim_update(r->ctx, in->wim, v, n, backup);
	free(v);
	return rc;
}

int
image_each(const struct run *r, const char *image, char *const files[], size_t n,
           int (*fn)(const struct run *r, const void *arg, const char *path), const void *arg)
{
	struct image_files in;
	int status = image_expand(r, image, files, n, 0, &in);
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
	if (f->wim != NULL) {
		sf_unalias();
		mapiprof_free_strings(f->inner, f->n);
		mapiprof_free_strings(f->local, f->n);
		mapiprof_wim_close(f->wim);
	}
	if (f->owned)
		mapiprof_free_strings(f->v, f->n);
	*f = (struct image_files){0};
}
