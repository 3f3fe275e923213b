/* image.h - --image DIR: the FILE operands of a command read as paths
 * inside a Windows volume unpacked or mounted at DIR, or, with none, every
 * user hive in it (mapiprof_tree_hives). */
#ifndef MP_CLI_IMAGE_H
#define MP_CLI_IMAGE_H

#include <stddef.h>

#include "report.h"

/* The long option, for each command's table. */
#define IMAGE_LONGOPT                                                                              \
	{                                                                                          \
		"image", required_argument, NULL, OPT_IMAGE                                        \
	}

/* The files a command works on. */
struct image_files {
	char **v;
	size_t n;
	int failed; /* an operand was not in the image (reported) */
	int owned;  /* v and its strings are malloc'd */
};

/* Without an image (image NULL) out is files[0..n) as given.  With one,
 * each operand is resolved inside it (one diagnostic, naming the image and
 * the path, for each that is not there: out->failed), or with no operand
 * every user hive of the image is taken; an image with none is reported.
 * Returns EXIT_OK, or EXIT_ERROR (reported) when the image cannot be read
 * at all. */
int image_expand(const struct run *r, const char *image, char *const files[], size_t n,
                 struct image_files *out);
void image_files_free(struct image_files *f);

/* A read command's batch: fn(r, arg, path) for each file of image_expand,
 * stopping at a usage error.  Returns the worst status (exit_worst),
 * EXIT_ERROR when an operand was not in the image. */
int image_each(const struct run *r, const char *image, char *const files[], size_t n,
               int (*fn)(const struct run *r, const void *arg, const char *path), const void *arg);

#endif
