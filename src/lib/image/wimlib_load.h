/* wimlib_load.h - wimlib, loaded at run time by the first WIM call: the
 * program's start maps neither libwim nor what it pulls in (libxml2, ICU,
 * ntfs-3g, fuse, libstdc++), which would cost every command a start several
 * times as long, though only --image uses it.  wimlib.h still declares the
 * types, and each entry of the table has the type of the function it holds. */
#ifndef MP_WIMLIB_LOAD_H
#define MP_WIMLIB_LOAD_H

#include <wimlib.h>

#include "base/ctx.h"

/* The wimlib functions image/wim.c calls. */
struct mp_wimlib {
	__typeof__(&wimlib_open_wim) open_wim;
	__typeof__(&wimlib_free) free;
	__typeof__(&wimlib_get_error_string) get_error_string;
	__typeof__(&wimlib_get_image_name) get_image_name;
	__typeof__(&wimlib_get_wim_info) get_wim_info;
	__typeof__(&wimlib_resolve_image) resolve_image;
	__typeof__(&wimlib_reference_resource_files) reference_resource_files;
	__typeof__(&wimlib_iterate_dir_tree) iterate_dir_tree;
	__typeof__(&wimlib_extract_paths) extract_paths;
	__typeof__(&wimlib_update_image) update_image;
	__typeof__(&wimlib_overwrite) overwrite;
};

/* The table, wimlib loaded on the first call of the process (once, whatever
 * the threads); NULL with MAPIPROF_E_IO in ctx naming the library and the
 * loader's reason when it cannot be loaded or lacks a function.  The library
 * stays loaded until the process ends. */
const struct mp_wimlib *mp_wimlib(struct mapiprof_ctx *ctx);

#endif
