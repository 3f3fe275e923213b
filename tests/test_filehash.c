/* test_filehash.c - the sha256 of an open file: by mapiprof_open as it
 * always was, or later (MAPIPROF_OPEN_HASH_LATER), or only when asked
 * (MAPIPROF_OPEN_NO_HASH, mapiprof_file_sha256), in a second thread where
 * a second CPU is online, and equals sha256sum's; what was hashed is read
 * from the library's byte counters (base/filehash.h), not from timings. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mapiprof/mapiprof.h>

#include "base/filehash.h"
#include "testutil.h"

#define REGIPY "real/regipy/NTUSER_BAGMRU.DAT"

TestSuite(filehash, .init = tu_setup, .fini = tu_teardown);

static char *
sha256sum(const char *path)
{
	char *out = tu_tool_out("/usr/bin/sha256sum", path);
	out[64] = '\0';
	return out;
}

static struct mapiprof_file *
open_ok(const char *path, unsigned flags)
{
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, flags, &f), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return f;
}

Test(filehash, a_plain_open_has_the_hash_when_it_returns)
{
	char *p = tu_stage_src(REGIPY), *want = sha256sum(p);
	uint64_t before = mp_filehash_bytes();
	struct mapiprof_file *f = open_ok(p, 0);
	cr_assert_str_eq(mapiprof_file_info(f)->sha256, want);
	cr_assert_eq(mp_filehash_bytes() - before, tu_file_size(p));
	cr_assert_str_eq(mapiprof_file_sha256(f), want);
	cr_assert_eq(mp_filehash_bytes() - before, tu_file_size(p), "hashed once");
	mapiprof_close(f);
	free(want);
	free(p);
}

Test(filehash, open_and_decode_hash_nothing_until_asked)
{
	char *p = tu_stage_src(REGIPY), *want = sha256sum(p);
	uint64_t before = mp_filehash_bytes();
	struct mapiprof_file *f = open_ok(p, MAPIPROF_OPEN_NO_HASH);
	for (size_t i = 0; i < mapiprof_profile_count(f); i++)
		for (size_t s = 0; s < mapiprof_section_count(f, i); s++) {
			const struct mapiprof_prop *props = NULL;
			size_t n = 0;
			cr_assert_eq(mapiprof_section_props(f, i, s, &props, &n), MAPIPROF_OK);
		}
	cr_assert_eq(mp_filehash_bytes(), before, "hashed while nobody asked");
	cr_assert_str_eq(mapiprof_file_info(f)->sha256, "");
	const char *sha = mapiprof_file_sha256(f);
	cr_assert_not_null(sha, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(sha, want);
	cr_assert_eq(mp_filehash_bytes() - before, tu_file_size(p));
	/* Asked again: the same string, nothing read again. */
	cr_assert_eq(mapiprof_file_sha256(f), sha);
	cr_assert_eq(mp_filehash_bytes() - before, tu_file_size(p));
	mapiprof_close(f);
	free(want);
	free(p);
}

Test(filehash, open_hash_runs_in_a_second_thread_where_there_is_a_second_cpu)
{
	const char *files[] = {REGIPY, "exchange-mapi.reg"};
	for (size_t i = 0; i < 2; i++) {
		char *p = tu_stage_src(files[i]), *want = sha256sum(p);
		uint64_t before = mp_filehash_bytes(), thr = mp_filehash_bytes_threaded();
		struct mapiprof_file *f = open_ok(p, MAPIPROF_OPEN_HASH_LATER);
		const char *sha = mapiprof_file_sha256(f);
		cr_assert_not_null(sha, "%s", mapiprof_errmsg(tu_ctx));
		cr_assert_str_eq(sha, want, "%s", files[i]);
		cr_assert_str_eq(mapiprof_file_info(f)->sha256, want);
		cr_assert_eq(mp_filehash_bytes() - before, tu_file_size(p));
		uint64_t threaded = mp_filehash_bytes_threaded() - thr;
		if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
			cr_assert_eq(threaded, tu_file_size(p), "%s: %llu bytes in the thread",
			             files[i], (unsigned long long)threaded);
		else
			cr_assert_eq(threaded, 0);
		mapiprof_close(f);
		free(want);
		free(p);
	}
}

Test(filehash, close_stops_a_hash_nobody_collected)
{
	char *p = tu_stage_src(REGIPY);
	for (int i = 0; i < 20; i++)
		mapiprof_close(open_ok(p, MAPIPROF_OPEN_HASH_LATER));
	/* NO_HASH wins: nothing starts. */
	uint64_t before = mp_filehash_bytes();
	mapiprof_close(open_ok(p, MAPIPROF_OPEN_HASH_LATER | MAPIPROF_OPEN_NO_HASH));
	cr_assert_eq(mp_filehash_bytes(), before);
	free(p);
}

Test(filehash, inspect_hashes_unless_told_not_to)
{
	char *p = tu_stage_src("exchange-mapi.reg"), *want = sha256sum(p);
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, p, &info), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(info->sha256, want);
	mapiprof_info_free(info);
	uint64_t before = mp_filehash_bytes();
	cr_assert_eq(mapiprof_inspect_flags(tu_ctx, p, MAPIPROF_OPEN_NO_HASH, &info), MAPIPROF_OK);
	cr_assert_str_eq(info->sha256, "");
	cr_assert_eq(mp_filehash_bytes(), before);
	mapiprof_info_free(info);
	free(want);
	free(p);
}

Test(filehash, a_file_gone_short_is_an_error_naming_it)
{
	char *p = tu_stage_src(REGIPY);
	struct mapiprof_file *f = open_ok(p, MAPIPROF_OPEN_NO_HASH);
	/* Removed after the open: the hash asked for now cannot read it. */
	cr_assert_eq(unlink(p), 0);
	cr_assert_null(mapiprof_file_sha256(f));
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOENT, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), p);
	cr_assert_str_eq(mapiprof_file_info(f)->sha256, "");
	mapiprof_close(f);
	free(p);
}
