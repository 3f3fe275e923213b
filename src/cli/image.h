/* image.h - --image IMAGE: the FILE operands of a command read as paths
 * inside a Windows volume unpacked or mounted at a directory IMAGE, or
 * inside an image of a WIM file IMAGE (FILE, FILE:N, FILE:NAME), or, with
 * none, every user hive in it (mapiprof_tree_hives, mapiprof_wim_hives).
 * A hive of a WIM image is streamed out with its logs into a private
 * folder and goes by the name "IMAGE:/PATH" (sf_alias). */
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
	/* A WIM image: the archive, and for each v[i] its path inside the
	 * image and its extracted copy (v[i] is an alias of local[i]). */
	struct mapiprof_wim *wim;
	char **inner, **local;
};

/* image_expand flags: the batch may write the hives back into a WIM
 * image (it is opened for writing: what wimlib cannot update fails). */
#define IMAGE_WRITE 0x1u

/* 1 when image names a directory (not a WIM file). */
int image_is_dir(const char *image);

/* Without an image (image NULL) out is files[0..n) as given.  With one (a
 * directory, else a WIM file),
 * each operand is resolved inside it (one diagnostic, naming the image and
 * the path, for each that is not there: out->failed), or with no operand
 * every user hive of the image is taken; an image with none is reported.
 * Returns EXIT_OK, or EXIT_ERROR (reported) when the image cannot be read
 * at all. */
int image_expand(const struct run *r, const char *image, char *const files[], size_t n,
                 unsigned flags, struct image_files *out);
/* A WIM image: puts the hives v[i] with put[i] set (and their logs with
 * logs[i] set) back into the image in one update and one commit, keeping
 * the archive as ARCHIVE+backup first when backup is not NULL; nothing
 * when none is set.  Returns MAPIPROF_OK, or MAPIPROF_FAILED with the
 * error in r->ctx (the image is then as it was). */
int image_commit(const struct run *r, const struct image_files *in, const int *put, const int *logs,
                 const char *backup);
void image_files_free(struct image_files *f);

/* A read command's batch: fn(r, arg, path) for each file of image_expand,
 * stopping at a usage error.  Returns the worst status (exit_worst),
 * EXIT_ERROR when an operand was not in the image. */
int image_each(const struct run *r, const char *image, char *const files[], size_t n,
               int (*fn)(const struct run *r, const void *arg, const char *path), const void *arg);

#endif
