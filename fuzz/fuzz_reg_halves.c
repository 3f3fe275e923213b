/* fuzz_reg_halves.c - libFuzzer harness, differential: a .reg file read
 * lazily in one run and read in two halves, the second in a second thread
 * (regtext/parse.c, parse_halves; the search for its first key line starts
 * where the input's last two bytes say), gives the same result: the same
 * error, word for word, or the same blocks, lines, line ends and values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "regtext/parse.h"
#include "store/reg_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_or_abort(int same)
{
	if (!same)
		abort();
}

static void
same_error(const struct mapiprof_ctx *a, const struct mapiprof_ctx *b)
{
	same_or_abort(mapiprof_errcode(a) == mapiprof_errcode(b));
	same_or_abort(strcmp(mapiprof_errmsg(a), mapiprof_errmsg(b)) == 0);
}

static void
same_value(const struct mp_reg_value *x, const struct mp_reg_value *y)
{
	same_or_abort(strcmp(x->name, y->name) == 0 && x->type == y->type && x->len == y->len &&
	              x->syntax == y->syntax && x->is_default == y->is_default &&
	              memcmp(&x->span, &y->span, sizeof(x->span)) == 0);
	same_or_abort(x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
}

static void
same_block(const struct mp_reg_block *x, const struct mp_reg_block *y)
{
	same_or_abort(strcmp(x->path, y->path) == 0 && x->ncomp == y->ncomp &&
	              x->is_delete == y->is_delete && x->root == y->root &&
	              x->nvalues == y->nvalues && x->first_value == y->first_value &&
	              x->vend == y->vend && memcmp(&x->span, &y->span, sizeof(x->span)) == 0 &&
	              memcmp(&x->body, &y->body, sizeof(x->body)) == 0);
	for (size_t j = 0; j < x->ncomp; j++)
		same_or_abort(strcmp(x->comp[j], y->comp[j]) == 0);
}

/* Every block of a and b, and the values each decodes to (or the error). */
static void
same_file(struct mp_reg_file *a, struct mp_reg_file *b, struct mapiprof_ctx *ca,
          struct mapiprof_ctx *cb)
{
	same_or_abort(a->nblocks == b->nblocks && a->nvalues == b->nvalues &&
	              a->nlines == b->nlines && a->eol == b->eol &&
	              a->final_newline == b->final_newline);
	for (size_t k = 0; k < a->nblocks; k++) {
		same_block(&a->blocks[k], &b->blocks[k]);
		int ra = a->decode(a, ca, k), rb = b->decode(b, cb, k);
		same_or_abort(ra == rb);
		if (ra != MAPIPROF_OK) {
			same_error(ca, cb);
			continue;
		}
		for (size_t i = 0; i < a->blocks[k].nvalues; i++)
			same_value(&a->blocks[k].values[i], &b->blocks[k].values[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t from = ((size_t)data[size - 1] << 8 | data[size - 2]) % size;
	const char *path = fuzz_write("halves.reg", data, size);
	struct mapiprof_ctx *ca = mapiprof_ctx_new(), *cb = mapiprof_ctx_new();
	if (ca == NULL || cb == NULL)
		abort();
	struct mp_reg_file *a = NULL, *b = NULL;
	mp_reg_parse_test_split(0, 0);
	int ra = mp_reg_parse_file(ca, path, NULL, &a);
	mp_reg_parse_test_split(1, from != 0 ? from : 1);
	int rb = mp_reg_parse_file(cb, path, NULL, &b);
	mp_reg_parse_test_split(0, 0);
	same_or_abort(ra == rb);
	if (ra != MAPIPROF_OK)
		same_error(ca, cb);
	else
		same_file(a, b, ca, cb);
	mp_reg_parse_free(a);
	mp_reg_parse_free(b);
	mapiprof_ctx_free(ca);
	mapiprof_ctx_free(cb);
	return 0;
}
