/* fuzz_prf.c - libFuzzer harness for the PRF reader (mapi/prf.c): the input
 * is a PRF file, read with mapiprof_prf_read in the default code page and,
 * when byte 0 is odd, in ISO-8859-7; every section, entry, list item and
 * problem it returns is touched and its line checked to be within the
 * file. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_line(size_t line, size_t max)
{
	if (line > max)
		abort();
}

static void
walk(const struct mapiprof_prf *prf, size_t max)
{
	fuzz_touch(prf->encoding);
	for (size_t i = 0; i < prf->nsections; i++) {
		const struct mapiprof_prf_section *s = &prf->sections[i];
		fuzz_touch(s->name);
		check_line(s->line, max);
		for (size_t j = 0; j < s->nentries; j++) {
			fuzz_touch(s->entries[j].key);
			fuzz_touch(s->entries[j].value);
			check_line(s->entries[j].line, max);
			if (mapiprof_prf_value(s, s->entries[j].key) == NULL)
				abort();
		}
	}
	if (prf->general != NULL)
		fuzz_touch(mapiprof_prf_value(prf->general, "ProfileName"));
	const struct mapiprof_prf_item *lists[2] = {prf->services, prf->accounts};
	size_t counts[2] = {prf->nservices, prf->naccounts};
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; i < counts[l]; i++) {
			fuzz_touch(lists[l][i].id);
			fuzz_touch(lists[l][i].value);
			check_line(lists[l][i].line, max);
			if (lists[l][i].section != NULL)
				fuzz_touch(lists[l][i].section->name);
		}
	for (size_t i = 0; i < prf->nproblems; i++) {
		fuzz_touch(prf->problems[i].reason);
		check_line(prf->problems[i].line, max);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Every line but the last ends in at least one byte. */
	size_t max = size + 1;
	const char *path = fuzz_write("profile.prf", data, size);
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	if (ctx == NULL)
		abort();
	if (size > 0 && (data[0] & 1u) &&
	    mapiprof_ctx_set_codepage(ctx, "ISO-8859-7") != MAPIPROF_OK)
		abort();
	struct mapiprof_prf *prf = NULL;
	if (mapiprof_prf_read(ctx, path, &prf) == MAPIPROF_OK)
		walk(prf, max);
	else
		fuzz_check_error(ctx);
	mapiprof_prf_free(prf);
	mapiprof_ctx_free(ctx);
	return 0;
}
