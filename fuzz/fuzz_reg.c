/* fuzz_reg.c - libFuzzer harness for the .reg back end: the input is a .reg
 * file (any encoding the sniff accepts: UTF-16LE or UTF-8 with BOM, 5.00 or
 * REGEDIT4 header), opened with mapiprof_open (reader, line joiner, value
 * parser, the store built on the parse, profile location), walked (every
 * profile, section and property, a .reg export) and planned on, as
 * apply --check does. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("profiles.reg", data, size);
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mapiprof_file *file = NULL;
	if (ctx == NULL)
		abort();
	struct mapiprof_info *info = NULL;
	if (mapiprof_inspect(ctx, path, &info) == MAPIPROF_OK) {
		fuzz_touch(info->reg_encoding);
		fuzz_touch(info->reg_line_ends);
	}
	mapiprof_info_free(info);
	if (mapiprof_open(ctx, path, MAPIPROF_OPEN_NO_HASH, &file) != MAPIPROF_OK) {
		fuzz_check_error(ctx);
	} else {
		fuzz_walk(file);
		fuzz_plan(ctx, file);
	}
	mapiprof_close(file);
	mapiprof_ctx_free(ctx);
	return 0;
}
