/* fuzz_hive.c - libFuzzer harness for opening and decoding a whole hive:
 * the input is a regf file, opened with mapiprof_open (base block, hivex
 * store, profile location) and walked (every profile, section and property,
 * the selectors, a .reg export); then a recipe is planned on it and the
 * cells a delete of the whole tree would free are checked, as a write
 * would (regf/freeable.h).
 *
 * The base block's checksum is set right before the file is written, so
 * that mutations get past it to the checks behind it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/le.h"
#include "fuzz_common.h"
#include "regf/base_block.h"
#include "regf/freeable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a profile delete of the whole tree would check before hivex frees
 * it: must fail cleanly or pass, never read out of bounds. */
static void
check_freeable(struct mapiprof_ctx *ctx, const char *path, const struct mapiprof_info *info,
               uint32_t root)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		abort();
	const struct mp_regf_cells c = {ctx, fd, info->bins_size, NULL};
	struct mp_regf_used u = {0};
	struct mp_regf_freed f = {0};
	int rc = mp_regf_used_load(&c, &u);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_freed_subtree(&c, &u, "root", (uint64_t)root + MP_REGF_BASE_BLOCK, &f);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_freed_check(&c, &u, &f);
	if (rc == MAPIPROF_FAILED)
		fuzz_check_error(ctx);
	mp_regf_freed_free(&f);
	mp_regf_used_free(&u);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	if (size >= MP_REGF_BASE_BLOCK) {
		uint32_t windows = 0;
		mp_regf_checksum(copy, NULL, &windows);
		mp_put_le32(copy + 508, windows);
	}
	const char *path = fuzz_write("NTUSER.DAT", copy, size);
	uint32_t root = size >= 40 ? mp_le32(copy + 36) : 0;
	free(copy);

	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mapiprof_file *file = NULL;
	if (ctx == NULL)
		abort();
	if (mapiprof_open(ctx, path, MAPIPROF_OPEN_NO_HASH, &file) != MAPIPROF_OK) {
		fuzz_check_error(ctx);
	} else {
		fuzz_walk(file);
		fuzz_plan(ctx, file);
		check_freeable(ctx, path, mapiprof_file_info(file), root);
	}
	mapiprof_close(file);
	mapiprof_ctx_free(ctx);
	return 0;
}
