/* fuzz_carve.c - libFuzzer harness for the free-cell carver: the input is
 * a regf file.  Its hive bins (as many whole 4 KiB bins as follow the base
 * block) are carved directly (regf/carve.h) and every recovered key's path
 * and value's data are read; then, for one input in OPEN_EVERY (picked by
 * a hash of a few of its bytes), the file is opened and its deleted data
 * fetched and walked as show --deleted does (mapiprof_deleted_keys):
 * opening a hive through hivex costs far more than the carving.
 *
 * The base block's checksum is set right before the file is written, so
 * that mutations get past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/limits.h"
#include "fuzz_common.h"
#include "regf/base_block.h"
#include "regf/carve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef OPEN_EVERY
#define OPEN_EVERY 64u
#endif

/* Which inputs are also opened: FNV-1a of the size and of at most
 * HASH_BYTES bytes from the middle (not every byte: the loop is traced). */
#define HASH_BYTES 16u
static uint32_t
input_hash(const uint8_t *p, size_t n)
{
	uint32_t h = (2166136261u ^ (uint32_t)n) * 16777619u;
	size_t from = n / 2u, to = n - from < HASH_BYTES ? n : from + HASH_BYTES;
	for (size_t i = from; i < to; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void
carve_direct(struct mapiprof_ctx *ctx, const uint8_t *data, size_t size)
{
	if (size < MP_REGF_BASE_BLOCK + MP_HBIN_ALIGN)
		return;
	size_t bins = (size - MP_REGF_BASE_BLOCK) / MP_HBIN_ALIGN * MP_HBIN_ALIGN;
	uint8_t *img = malloc(bins);
	if (img == NULL)
		abort();
	memcpy(img, data + MP_REGF_BASE_BLOCK, bins);
	struct mp_carve c;
	if (mp_regf_carve(ctx, img, (uint32_t)bins, mp_le32(data + 0x24), &c) != MAPIPROF_OK) {
		fuzz_check_error(ctx);
		return;
	}
	static const char *names[MP_MAX_KEY_DEPTH];
	for (size_t i = 0; i < c.nkeys; i++) {
		size_t depth = 0;
		int orphan = 0;
		mp_carve_path(&c, i, names, &depth, &orphan);
		if (depth > MP_MAX_KEY_DEPTH)
			abort();
		for (size_t j = 0; j < depth; j++)
			fuzz_touch(names[j]);
	}
	for (size_t i = 0; i < c.nvals; i++) {
		fuzz_touch(c.vals[i].name);
		if (c.vals[i].key != SIZE_MAX && c.vals[i].key >= c.nkeys)
			abort();
		if (!c.vals[i].data_lost)
			fuzz_touch_bytes(c.vals[i].data, c.vals[i].len);
	}
	mp_carve_free(&c);
}

static void
walk_deleted(struct mapiprof_ctx *ctx, struct mapiprof_file *file)
{
	const struct mapiprof_deleted_key *k = NULL;
	size_t n = 0;
	int truncated = 0;
	if (mapiprof_deleted_keys(file, &k, &n, &truncated) != MAPIPROF_OK) {
		fuzz_check_error(ctx);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		fuzz_touch(k[i].path);
		fuzz_touch(k[i].profile);
		fuzz_touch(k[i].root);
		fuzz_touch(k[i].section);
		fuzz_touch(k[i].role);
		if (k[i].live_profile != SIZE_MAX &&
		    k[i].live_profile >= mapiprof_profile_count(file))
			abort();
		for (size_t j = 0; j < k[i].nprops; j++) {
			const struct mapiprof_prop *p = &k[i].props[j].prop;
			fuzz_touch(p->value_name);
			fuzz_touch(p->s);
			fuzz_touch(p->error);
			fuzz_touch_bytes(p->data, p->len);
			for (size_t m = 0; p->strs != NULL && m < p->count; m++)
				fuzz_touch(p->strs[m]);
			for (size_t m = 0; p->blobs != NULL && m < p->count; m++)
				fuzz_touch_bytes(p->blobs[m].data, p->blobs[m].len);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	if (ctx == NULL)
		abort();
	carve_direct(ctx, data, size);
	if (input_hash(data, size) % OPEN_EVERY != 0) {
		mapiprof_ctx_free(ctx);
		return 0;
	}

	uint8_t *copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	if (size >= MP_REGF_BASE_BLOCK) {
		uint32_t windows = 0;
		mp_regf_checksum(copy, NULL, &windows);
		mp_put_le32(copy + MP_BB_CHECKSUM, windows);
	}
	const char *path = fuzz_write("NTUSER.DAT", copy, size);
	free(copy);
	struct mapiprof_file *file = NULL;
	if (mapiprof_open(ctx, path, MAPIPROF_OPEN_NO_HASH | MAPIPROF_OPEN_NO_LOGS, &file) !=
	    MAPIPROF_OK)
		fuzz_check_error(ctx);
	else
		walk_deleted(ctx, file);
	mapiprof_close(file);
	mapiprof_ctx_free(ctx);
	return 0;
}
