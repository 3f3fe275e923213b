/* wim_none.c - the WIM calls of a build without wimlib (-Dwim=disabled, and
 * Windows, where wimlib is not built): each fails with a message that says
 * so, and the rest of mapiprof works as ever. */
#include <stddef.h>

#include "base/ctx.h"
#include "base/platform.h"

/* What to do instead: on Windows wimlib is not part of the build, so
 * rebuilding is no help there; a mounted image's directory needs no wimlib. */
#ifdef _WIN32
#define NO_WIM_HINT                                                                                \
	"wimlib is not part of the Windows build: mount the image and give its directory"
#else
#define NO_WIM_HINT "--image needs wimlib; rebuild with -Dwim=enabled"
#endif

static int
no_wim(struct mapiprof_ctx *ctx)
{
	mp_seterr(ctx, MAPIPROF_E_INVALID, "not built with WIM support (%s)", NO_WIM_HINT);
	return MAPIPROF_FAILED;
}

int
mapiprof_wim_open(struct mapiprof_ctx *ctx, const char *spec, unsigned flags,
                  struct mapiprof_wim **out)
{
	struct mp_file_attr a;
	int exists = 0;
	(void)flags;
	if (out != NULL)
		*out = NULL;
	/* What is not there is no image of either kind, as with wimlib. */
	if (spec != NULL && mp_path_attr(NULL, spec, &a, &exists) == MAPIPROF_OK && !exists) {
		mp_seterr(ctx, MAPIPROF_E_NOENT,
		          "no such file: not a directory holding a Windows volume");
		mp_seterr_file(ctx, spec);
		return MAPIPROF_FAILED;
	}
	return no_wim(ctx);
}

int
mapiprof_wim_hives(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, char ***paths, size_t *n)
{
	(void)w;
	(void)paths;
	(void)n;
	return no_wim(ctx);
}

int
mapiprof_wim_resolve(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, const char *path,
                     char **out)
{
	(void)w;
	(void)path;
	(void)out;
	return no_wim(ctx);
}

int
mapiprof_wim_extract(struct mapiprof_ctx *ctx, struct mapiprof_wim *w, const char *path,
                     char **local)
{
	(void)w;
	(void)path;
	(void)local;
	return no_wim(ctx);
}

int
mapiprof_wim_update(struct mapiprof_ctx *ctx, struct mapiprof_wim *w,
                    const struct mapiprof_wim_put *v, size_t n, const char *backup_suffix)
{
	(void)w;
	(void)v;
	(void)n;
	(void)backup_suffix;
	return no_wim(ctx);
}

const char *
mapiprof_wim_file(const struct mapiprof_wim *w)
{
	(void)w;
	return NULL;
}

void
mapiprof_wim_close(struct mapiprof_wim *w)
{
	(void)w;
}
