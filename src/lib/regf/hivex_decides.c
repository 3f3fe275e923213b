/* hivex_decides.c - hivex's open as the judge of a hive the project's own
 * checks refuse (hivex_decides.h). */
#include <stdio.h>

#include "regf/hivex_decides.h"

int
mp_regf_hivex_decides(struct mapiprof_ctx *ctx, const char *path, const char *what,
                      struct mp_store **hx)
{
	if (ctx->code != MAPIPROF_E_FORMAT)
		return MAPIPROF_FAILED;
	char why[sizeof(ctx->msg)];
	snprintf(why, sizeof(why), "%s", ctx->msg);
	struct mp_store *s = NULL;
	if (mp_store_hive_open(ctx, path, 0, &s) == MAPIPROF_OK) {
		mapiprof_clear_error(ctx);
		if (hx != NULL)
			*hx = s;
		else
			mp_store_close(s);
		return MAPIPROF_OK;
	}
	if (ctx->code == MAPIPROF_E_FORMAT) {
		char hivex[sizeof(ctx->msg)];
		snprintf(hivex, sizeof(hivex), "%s", ctx->msg);
		mp_seterr(ctx, MAPIPROF_E_FORMAT, "%s%s%.300s; %.200s", what != NULL ? what : "",
		          what != NULL ? ": " : "", why, hivex);
	}
	return MAPIPROF_FAILED;
}
