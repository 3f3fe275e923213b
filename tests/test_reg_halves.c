/* test_reg_halves.c - a large .reg file read in two halves, the second in a
 * second thread (regtext/parse.c, parse_halves): wherever the second half
 * begins, the result is that of the one-thread reading (blocks, lines,
 * values, the first error and its line), and a writer's checks of the
 * input, whose fingerprint is then taken in two runs, still hold.  The
 * files here are small: mp_reg_parse_test_split makes them split. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fingerprint.h"
#include "mapiprof/mapiprof.h"
#include "regtext/parse.h"
#include "store/reg_doc.h"
#include "testutil.h"
#include "testutil_int.h"

static void
teardown(void)
{
	mp_reg_parse_test_split(0, 0);
	tu_teardown();
}

TestSuite(reg_halves, .init = tu_setup, .fini = teardown);

/* Built variants (every encoding and line end) and UTF-8 sources. */
static const struct {
	const char *name;
	int built;
} files[] = {
    {"hand-edited-crlf.reg", 1},    {"hand-edited-utf16.reg", 1},
    {"hand-edited-cr.reg", 1},      {"hand-edited-mixed.reg", 1},
    {"hand-edited-nofinal.reg", 1}, {"hand-edited-regedit4-nofinal.reg", 1},
    {"exchange-mapi-utf16.reg", 1}, {"outlook2016-two-accounts.reg", 0},
    {"every-type.reg", 0},          {"multi-root.reg", 0},
};

/* A lazy parse of path (the reading apply and list make). */
static struct mp_reg_file *
parse(const char *path)
{
	struct mp_reg_file *f = NULL;
	cr_assert_eq(mp_reg_parse_file(tu_ctx, path, NULL, &f), MAPIPROF_OK, "%s: %s", path,
	             mapiprof_errmsg(tu_ctx));
	return f;
}

/* Block k of a and of b decode to the same values. */
static void
assert_same_values(struct mp_reg_file *a, struct mp_reg_file *b, size_t k, size_t at)
{
	cr_assert_eq(a->decode(a, tu_ctx, k), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(b->decode(b, tu_ctx, k), MAPIPROF_OK, "block %zu, split from %zu: %s", k, at,
	             mapiprof_errmsg(tu_ctx));
	for (size_t i = 0; i < a->blocks[k].nvalues; i++) {
		const struct mp_reg_value *x = &a->blocks[k].values[i],
		                          *y = &b->blocks[k].values[i];
		cr_assert_str_eq(x->name, y->name, "block %zu value %zu, split from %zu", k, i, at);
		cr_assert(x->type == y->type && x->len == y->len && x->syntax == y->syntax &&
		              x->is_default == y->is_default &&
		              memcmp(&x->span, &y->span, sizeof(x->span)) == 0,
		          "block %zu value %zu, split from %zu", k, i, at);
		cr_assert(x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
	}
}

/* f's fingerprint is that of its bytes in the runs it names. */
static void
assert_fingerprint(const struct mp_reg_file *f)
{
	struct mp_fp_split fp;
	mp_fp_split_init(&fp, f->fp_split);
	mp_fp_split_add(&fp, f->raw, f->rawlen);
	cr_assert_eq(mp_fp_split_final(&fp), f->fingerprint, "split at %zu", f->fp_split);
}

/* Parses path with the second half searched from at: the same as whole;
 * 1 when the halves were joined. */
static int
assert_split_reads_the_same(const char *path, struct mp_reg_file *whole, size_t at)
{
	mp_reg_parse_test_split(1, at);
	struct mp_reg_file *f = parse(path);
	mp_reg_parse_test_split(0, 0);
	tu_assert_same_reg_blocks(whole, f, at);
	cr_assert_eq(f->final_newline, whole->final_newline);
	assert_fingerprint(f);
	int joined = f->fp_split != 0;
	if (joined) {
		/* a key line's start, the first at or after at */
		size_t k = 0;
		while (k < whole->nblocks && whole->blocks[k].span.off < at)
			k++;
		cr_assert_lt(k, whole->nblocks);
		cr_assert_eq(f->fp_split, whole->blocks[k].span.off, "split from %zu", at);
	}
	for (size_t k = 0; k < whole->nblocks; k++)
		assert_same_values(whole, f, k, at);
	mp_reg_parse_free(f);
	return joined;
}

/* Every key line can begin the second half (searched from the line itself
 * and from the byte after the key line before it): blocks, lines, line
 * ends, values and the fingerprint's runs are those of one thread. */
Test(reg_halves, every_place_the_second_half_can_begin_reads_as_one_thread)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path =
		    files[i].built ? tu_fixture(files[i].name) : tu_fixture_src(files[i].name);
		struct mp_reg_file *whole = parse(path);
		cr_assert_eq(whole->fp_split, 0u, "%s: a small file is read in one run", path);
		assert_fingerprint(whole);
		size_t joined = 0;
		for (size_t k = 1; k < whole->nblocks; k++) {
			joined += (size_t)assert_split_reads_the_same(path, whole,
			                                              whole->blocks[k].span.off);
			joined += (size_t)assert_split_reads_the_same(
			    path, whole, whole->blocks[k - 1].span.off + 1);
		}
		cr_assert_eq(joined, 2 * (whole->nblocks - 1), "%s", path);
		/* Past the last key line there is nothing to split at. */
		cr_assert_eq(assert_split_reads_the_same(path, whole, whole->rawlen - 1), 0);
		mp_reg_parse_free(whole);
		free(path);
	}
}

/* The error a parse of the text reports: code and message. */
static void
parse_error(const char *text, size_t split_from, enum mapiprof_error *code, char *msg, size_t msgsz)
{
	char *path = tu_tmp_write("e.reg", text, strlen(text));
	struct mp_reg_file *f = NULL;
	mp_reg_parse_test_split(split_from != 0 ? 1 : 0, split_from);
	cr_assert_eq(mp_reg_parse_file(tu_ctx, path, NULL, &f), MAPIPROF_FAILED, "%s parsed", text);
	mp_reg_parse_test_split(0, 0);
	*code = mapiprof_errcode(tu_ctx);
	snprintf(msg, msgsz, "%s", mapiprof_errmsg(tu_ctx));
	free(path);
}

#define HDR    "Windows Registry Editor Version 5.00\r\n\r\n"
#define KEY(n) "[HKEY_CURRENT_USER\\Software\\" n "]\r\n"

/* Bad text in the second half, in both halves, and a continuation line
 * that starts with '[' (the first half runs past the key line there):
 * wherever the split falls, the error and its line are those of the
 * one-thread reading, which the second half (numbering its lines from
 * its own start) could not give. */
Test(reg_halves, errors_name_the_line_a_one_thread_reading_names)
{
	static const char *const texts[] = {
	    HDR KEY("A") "\"a\"=dword:1\r\n" KEY("B") "\"b\"=dword:2\r\n" KEY("C") "junk\r\n",
	    HDR KEY("A") "\"a\"=hex:zz\r\n" KEY("B") "\"b\"=dword:2\r\n" KEY("C") "junk\r\n",
	    HDR KEY("A") "\"a\"=hex:01,\\\r\n" KEY("B") "\"b\"=dword:2\r\n",
	    HDR KEY("A") "\"a\"=dword:1\r\n" KEY("B") "\"b\"=dword:123456789\r\n" KEY("C"),
	};
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		enum mapiprof_error want_code, code;
		char want[600], got[600];
		parse_error(texts[t], 0, &want_code, want, sizeof(want));
		cr_assert(strstr(want, "line ") != NULL, "%s", want);
		for (const char *k = strchr(texts[t], '['); k != NULL; k = strchr(k + 1, '[')) {
			parse_error(texts[t], (size_t)(k - texts[t]), &code, got, sizeof(got));
			cr_assert_eq(code, want_code);
			cr_assert_str_eq(got, want, "text %zu, split from %zu", t,
			                 (size_t)(k - texts[t]));
		}
	}
}

/* Key lines of about 20 bytes, 24 MiB of them: their records need about
 * twice the memory budget (the file's size plus 48 MiB).  Wherever the
 * second half begins, near the start (the second half passes the budget
 * first, counting the first's bytes, and is dropped) or near the end (the
 * first half passes it, stops the second and reads on alone), the file is
 * refused at the line a one-thread reading names. */
Test(reg_halves, a_file_past_the_memory_budget_is_refused_at_the_same_line)
{
	size_t size = 24u * 1024u * 1024u, len = 0;
	char *text = malloc(size + 64);
	cr_assert_not_null(text);
	len = (size_t)snprintf(text, size, "%s", "Windows Registry Editor Version 5.00\n");
	for (unsigned n = 0; len < size - 64; n++)
		len += (size_t)snprintf(text + len, 64, "[HKCU\\B%u\\k%u]\n", n >> 12, n & 4095u);
	enum mapiprof_error want_code, code;
	char want[600], got[600];
	parse_error(text, 0, &want_code, want, sizeof(want));
	cr_assert_eq(want_code, MAPIPROF_E_LIMIT, "%s", want);
	cr_assert(strstr(want, "need more memory than the file's size plus") != NULL, "%s", want);
	size_t from[] = {len / 10, len / 2, len - len / 10};
	for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		parse_error(text, from[i], &code, got, sizeof(got));
		cr_assert_eq(code, want_code);
		cr_assert_str_eq(got, want, "split from %zu: %s / %s", from[i], got, want);
	}
	free(text);
}

/* The GC-referral fix on a copy of path, read with the second half from
 * split_from (0: in one run): MAPIPROF_OK or the write's failure. */
static int
apply_fix(const char *path, size_t split_from)
{
	mp_reg_parse_test_split(split_from != 0 ? 1 : 0, split_from);
	tu_open(path);
	mp_reg_parse_test_split(0, 0);
	struct tu_plan h;
	tu_plan_gc_referral(&h, 0);
	int rc = mapiprof_plan_write(tu_file, &h.plan, NULL);
	mapiprof_close(tu_file);
	tu_file = NULL;
	return rc;
}

/* A file read in halves is written exactly as one read in one run, and a
 * byte of its second half changed after the reading (same size, so only
 * the fingerprint's second run can tell) is refused. */
Test(reg_halves, a_file_read_in_halves_is_written_and_checked_as_one)
{
	char *src = tu_fixture("exchange-mapi-utf16.reg");
	size_t len = 0;
	char *orig = tu_read(src, &len);
	char *one = tu_tmp_write("one.reg", orig, len);
	char *two = tu_tmp_write("two.reg", orig, len);
	cr_assert_eq(apply_fix(one, 0), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(apply_fix(two, len / 2), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	size_t n1 = 0, n2 = 0;
	char *a = tu_read(one, &n1), *b = tu_read(two, &n2);
	cr_assert(n1 == n2 && memcmp(a, b, n1) == 0, "the two writes differ");
	cr_assert(n1 != len || memcmp(a, orig, len) != 0, "nothing was written");
	free(a), free(b);

	/* Changed between the reading and the write, in place and by a
	 * file renamed over it: the last letter of the file, in the second
	 * half. */
	size_t at = len - 1;
	while (!((orig[at] >= 'a' && orig[at] <= 'z') || (orig[at] >= 'A' && orig[at] <= 'Z')))
		at--;
	cr_assert_gt(at, len / 2);
	char *changed = malloc(len);
	cr_assert_not_null(changed);
	memcpy(changed, orig, len);
	changed[at] = (char)(changed[at] ^ 0x20);
	for (int renamed = 0; renamed < 2; renamed++) {
		char *three = tu_tmp_write("three.reg", orig, len);
		mp_reg_parse_test_split(1, len / 2);
		tu_open(three);
		mp_reg_parse_test_split(0, 0);
		struct tu_plan h;
		tu_plan_gc_referral(&h, 0);
		if (renamed) {
			char *other = tu_tmp_write("other.reg", changed, len);
			cr_assert_eq(rename(other, three), 0);
			free(other);
		} else {
			cr_assert_eq(tu_write(three, changed, len), 0);
		}
		cr_assert_eq(mapiprof_plan_write(tu_file, &h.plan, NULL), MAPIPROF_FAILED);
		cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_UNSAFE, "%s",
		             mapiprof_errmsg(tu_ctx));
		cr_assert(strstr(mapiprof_errmsg(tu_ctx), "changed after it was read") != NULL,
		          "%s", mapiprof_errmsg(tu_ctx));
		tu_assert_file_is(three, changed, len);
		mapiprof_close(tu_file);
		tu_file = NULL;
		free(three);
	}
	free(changed);
	free(orig), free(src), free(one), free(two);
}
