/* wimlib_load.c - dlopen of wimlib by the soname the build linked against
 * (MP_WIMLIB_SONAME, read from the library at configure time, meson.build),
 * and dlsym of each function of the table. */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "image/wimlib_load.h"

#ifndef MP_WIMLIB_SONAME
#error "MP_WIMLIB_SONAME: the soname of wimlib, set by meson.build"
#endif

/* dlsym returns an object pointer; POSIX guarantees it converts to a
 * function pointer of the same size (dlsym, "Application usage"). */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym needs function pointers as wide");

static const struct {
	const char *name;
	size_t offset;
} symbols[] = {
#define SYM(field)                                                                                 \
	{                                                                                          \
		"wimlib_" #field, offsetof(struct mp_wimlib, field)                                \
	}
    SYM(open_wim),
    SYM(free),
    SYM(get_error_string),
    SYM(get_image_name),
    SYM(get_wim_info),
    SYM(resolve_image),
    SYM(reference_resource_files),
    SYM(iterate_dir_tree),
    SYM(extract_paths),
    SYM(update_image),
    SYM(overwrite),
#undef SYM
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct mp_wimlib table;
static int loaded;
static char why[400]; /* the loader's message when not loaded */

static void
load(void)
{
	/* RTLD_LOCAL: wimlib's symbols stay out of the global scope, where
	 * they could be bound in place of another library's of the same name. */
	void *h = dlopen(MP_WIMLIB_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(why, sizeof(why), "%s", e != NULL ? e : "unknown reason");
		return;
	}
	for (size_t i = 0; i < sizeof(symbols) / sizeof(*symbols); i++) {
		(void)dlerror();
		void *p = dlsym(h, symbols[i].name);
		if (p == NULL) {
			const char *e = dlerror();
			snprintf(why, sizeof(why), "%s", e != NULL ? e : symbols[i].name);
			dlclose(h);
			return;
		}
		memcpy((char *)&table + symbols[i].offset, &p, sizeof(p));
	}
	loaded = 1;
}

const struct mp_wimlib *
mp_wimlib(struct mapiprof_ctx *ctx)
{
	if (pthread_once(&once, load) != 0 || !loaded) {
		mp_seterr(ctx, MAPIPROF_E_IO, "cannot load wimlib (%s), which WIM files need: %s",
		          MP_WIMLIB_SONAME, why[0] != '\0' ? why : "unknown reason");
		return NULL;
	}
	return &table;
}
