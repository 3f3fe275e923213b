/* test_regf_log.c - transaction-log replay (regf/log.c, regf/replay.c)
 * against Windows' own recoveries of yarp's dirty hives and regipy's real
 * dual-log NTUSER, on broken and crafted logs, and Marvin32 against its
 * published vectors (regf spec "Base block", "Format of transaction log
 * files").  regipy's samples (MIT) ship in fixtures/real; yarp's (GPL-3.0,
 * not shipped) are read from MP_SHARED_DIR and the tests that need them
 * skip when they are absent. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "regf/hiveinfo.h"
#include "regf/marvin32.h"
#include "regf/replay.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_int.h"

/* ---- Marvin32 ------------------------------------------------------------ */

TestSuite(marvin32);

Test(marvin32, matches_published_vectors_for_three_seeds)
{
	/* dotnet/runtime MarvinTests.cs (also in skeeto/marvin32). */
	static const uint8_t data[] = {0xab, 0x42, 0x7e, 0xa8, 0xd1, 0x0f, 0xc7};
	static const struct {
		uint64_t seed;
		const char *bytes;
		size_t n;
		uint64_t want;
	} v[] = {
	    {UINT64_C(0x004FB61A001BDBCC), "", 0, UINT64_C(0x30ED35C100CD3C7D)},
	    {UINT64_C(0x004FB61A001BDBCC), "\xaf", 1, UINT64_C(0x48E73FC77D75DDC1)},
	    {UINT64_C(0x004FB61A001BDBCC), "\xe7\x0f", 2, UINT64_C(0xB5F6E1FC485DBFF8)},
	    {UINT64_C(0x004FB61A001BDBCC), "\x37\xf4\x95", 3, UINT64_C(0xF0B07C789B8CF7E8)},
	    {UINT64_C(0x004FB61A001BDBCC), "\x86\x42\xdc\x59", 4, UINT64_C(0x7008F2E87E9CF556)},
	    {UINT64_C(0x004FB61A001BDBCC), "\x15\x3f\xb7\x98\x26", 5, UINT64_C(0xE6C08C6DA2AFA997)},
	    {UINT64_C(0x004FB61A001BDBCC), "\x09\x32\xe6\x24\x6c\x47", 6,
	     UINT64_C(0x6F04BF1A5EA24060)},
	    {UINT64_C(0x004FB61A001BDBCC), (const char *)data, 7, UINT64_C(0xE11847E4F0678C41)},
	    {UINT64_C(0x804FB61A001BDBCC), "", 0, UINT64_C(0x10A9D5D3996FD65D)},
	    {UINT64_C(0x804FB61A001BDBCC), "\xaf", 1, UINT64_C(0x68201F91960EBF91)},
	    {UINT64_C(0x804FB61A001BDBCC), "\xe7\x0f", 2, UINT64_C(0x64B581631F6AB378)},
	    {UINT64_C(0x804FB61A001BDBCC), "\x37\xf4\x95", 3, UINT64_C(0xE1F2DFA6E5131408)},
	    {UINT64_C(0x804FB61A001BDBCC), "\x86\x42\xdc\x59", 4, UINT64_C(0x36289D9654FB49F6)},
	    {UINT64_C(0x804FB61A001BDBCC), "\x15\x3f\xb7\x98\x26", 5, UINT64_C(0x0A06114B13464DBD)},
	    {UINT64_C(0x804FB61A001BDBCC), "\x09\x32\xe6\x24\x6c\x47", 6,
	     UINT64_C(0xD6DD5E40AD1BC2ED)},
	    {UINT64_C(0x804FB61A001BDBCC), (const char *)data, 7, UINT64_C(0xE203987DBA252FB3)},
	    {UINT64_C(0x804FB61A801BDBCC), "\x00", 1, UINT64_C(0xA37FB0DA2ECAE06C)},
	    {UINT64_C(0x804FB61A801BDBCC), "\xff", 1, UINT64_C(0xFECEF370701AE054)},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		cr_expect_eq(mp_marvin32((const uint8_t *)v[i].bytes, v[i].n, v[i].seed), v[i].want,
		             "vector %zu", i);
}

/* ---- sample data ----------------------------------------------------------- */

/* A primary image and its logs, all malloc'd. */
struct set {
	uint8_t *p;
	size_t plen;
	size_t n;
	struct mp_regf_log_input in[MP_REGF_MAX_LOGS + 1];
	uint8_t *buf[MP_REGF_MAX_LOGS + 1];
};

/* Reads the optional sample MP_SHARED_DIR/samples/rel; skips the test when
 * it is absent. */
static uint8_t *
sample(const char *rel, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/samples/%s", MP_SHARED_DIR, rel);
	if (!tu_exists(path))
		cr_skip_test(TU_OPTIONAL_SAMPLE_SKIP, path);
	uint8_t *d = (uint8_t *)tu_read(path, len);
	cr_assert_not_null(d, "cannot read %s", path);
	return d;
}

/* An xz-compressed in-repo sample (fixtures/real), decompressed into
 * tu_tmp. */
static uint8_t *
sample_xz(const char *rel, size_t *len)
{
	char *p = tu_unxz_sample(rel, strrchr(rel, '/') + 1);
	uint8_t *d = (uint8_t *)tu_read(p, len);
	cr_assert_not_null(d);
	free(p);
	return d;
}

static void
set_log(struct set *s, const char *name, uint8_t *data, size_t len)
{
	s->buf[s->n] = data;
	s->in[s->n] = (struct mp_regf_log_input){name, data, len};
	s->n++;
}

static void
set_add(struct set *s, const char *dir, const char *name)
{
	char rel[256];
	size_t len = 0;
	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	uint8_t *d = sample(rel, &len);
	set_log(s, name, d, len);
}

/* yarp's NewDirtyHive1: seq 3/2, LOG1 entry 2, LOG2 entries 3..5. */
static void
set_new(struct set *s)
{
	memset(s, 0, sizeof(*s));
	s->p = sample("yarp/NewDirtyHive1/NewDirtyHive", &s->plen);
	set_add(s, "yarp/NewDirtyHive1", "NewDirtyHive.LOG1");
	set_add(s, "yarp/NewDirtyHive1", "NewDirtyHive.LOG2");
}

/* yarp's OldDirtyHive: seq 5/4, a DIRT LOG1 and an empty LOG2. */
static void
set_old(struct set *s)
{
	memset(s, 0, sizeof(*s));
	s->p = sample("yarp/OldDirtyHive/OldDirtyHive", &s->plen);
	set_add(s, "yarp/OldDirtyHive", "OldDirtyHive.LOG1");
	set_add(s, "yarp/OldDirtyHive", "OldDirtyHive.LOG2");
}

/* regipy's transactions NTUSER: seq 567/566, LOG1 566..588, LOG2 562. */
static void
set_regipy(struct set *s)
{
	size_t len = 0;
	memset(s, 0, sizeof(*s));
	s->p = sample_xz("regipy/transactions_NTUSER.DAT", &s->plen);
	uint8_t *d = sample_xz("regipy/transactions_ntuser.dat.log1", &len);
	set_log(s, "transactions_ntuser.dat.log1", d, len);
	d = sample_xz("regipy/transactions_ntuser.dat.log2", &len);
	set_log(s, "transactions_ntuser.dat.log2", d, len);
}

static void
set_free(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->buf[i]);
	free(s->p);
}

static void
recover_ok(const struct set *s, struct mp_buf *out, struct mp_regf_recovery *rep)
{
	cr_assert_eq(mp_regf_recover(tu_ctx, s->p, s->plen, s->in, s->n, out, rep), MAPIPROF_OK,
	             "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_not_null(out->data);
}

/* Asserts that replay fails with code and a one-line message holding needle. */
static void
recover_fails(const struct set *s, enum mapiprof_error code, const char *needle)
{
	struct mp_buf out;
	struct mp_regf_recovery rep;
	cr_assert_eq(mp_regf_recover(tu_ctx, s->p, s->plen, s->in, s->n, &out, &rep),
	             MAPIPROF_FAILED);
	cr_assert_null(out.data);
	cr_assert_eq(mapiprof_errcode(tu_ctx), code, "code %d: %s", mapiprof_errcode(tu_ctx),
	             mapiprof_errmsg(tu_ctx));
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), needle), "'%s' lacks '%s'",
	                   mapiprof_errmsg(tu_ctx), needle);
	cr_assert_null(strchr(mapiprof_errmsg(tu_ctx), '\n'));
}

/* Asserts that replay with log i of s alone fails as recover_fails says. */
static void
recover_alone_fails(const struct set *s, size_t i, enum mapiprof_error code, const char *needle)
{
	struct set g = *s;
	g.in[0] = s->in[i];
	g.n = 1;
	recover_fails(&g, code, needle);
}

/* Keys and values below key k, read through hivex (store/hive.c); every
 * key's children and values must read. */
static size_t
hivex_count(struct mp_store *st, mp_key k, unsigned depth)
{
	mp_key *kids = NULL;
	struct mp_value *vals = NULL;
	size_t nk = 0, nv = 0;
	cr_assert_lt(depth, 512u);
	cr_assert_eq(st->ops->children(st, k, &kids, &nk), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(st->ops->values(st, k, &vals, &nv), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	mp_store_values_free(vals, nv);
	size_t total = 1 + nv;
	for (size_t i = 0; i < nk; i++)
		total += hivex_count(st, kids[i], depth + 1);
	free(kids);
	return total;
}

/* Writes the image to tu_tmp/name and asserts that reglookup and hivex
 * read all of it (the same number of keys and values); returns
 * reglookup's dump. */
static void
opens_in_tools(const struct mp_buf *out, const char *name, struct tu_dump *d)
{
	char *path = tu_tmp_write(name, out->data, out->len);
	tu_dump_reglookup(path, d);
	cr_assert_gt(d->n, 0);
	struct mp_store *st = NULL;
	mp_key root = 0;
	cr_assert_eq(mp_store_hive_open(tu_ctx, path, 0, &st), MAPIPROF_OK, "hivex: %s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(st->ops->root(st, &root), MAPIPROF_OK);
	cr_assert_eq(hivex_count(st, root, 0), d->n, "hivex and reglookup agree");
	mp_store_close(st);
	free(path);
}

static void
rehash(uint8_t *entry)
{
	uint32_t size = mp_le32(entry + 4);
	mp_put_le64(entry + 24, mp_marvin32(entry + 40, size - 40u, MP_MARVIN32_REGF_SEED));
	mp_put_le64(entry + 32, mp_marvin32(entry, 32, MP_MARVIN32_REGF_SEED));
}

/* Stores a base block's checksum by the Windows rule. */
static void
fix_checksum(uint8_t *bb)
{
	uint32_t windows = 0;
	mp_regf_checksum(bb, NULL, &windows);
	mp_put_le32(bb + 508, windows);
}

TestSuite(regf_log, .init = tu_setup, .fini = tu_teardown);

/* ---- the samples against Windows' own recovery ---------------------------- */

Test(regf_log, new_format_dual_logs_reproduce_windows10_recovery)
{
	struct set s;
	set_new(&s);
	size_t wlen = 0;
	uint8_t *win = sample("yarp/NewDirtyHive1/RecoveredHive_Windows10", &wlen);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.format, MP_REGF_LOG_NEW);
	cr_assert_eq(rep.entries_applied, 4);
	cr_assert_eq(rep.seq1_before, 3);
	cr_assert_eq(rep.seq2_before, 2);
	cr_assert_eq(rep.seq_after, 5);
	cr_assert_eq(rep.logs_used, 3u);
	cr_assert_str_eq(rep.logs[0].note, "applied entries 2..2");
	cr_assert_str_eq(rep.logs[1].note, "applied entries 3..5");
	cr_assert_str_eq(rep.stop_reason, "end of NewDirtyHive.LOG2 at offset 40960");
	tu_assert_clean_image(out.data, out.len);
	/* Windows flushed once more after recovering (seq 6); the bins are
	 * byte for byte what it wrote. */
	cr_assert_eq(mp_le32(win + 40), out.len - 4096u);
	cr_assert_eq(memcmp(out.data + 4096, win + 4096, out.len - 4096u), 0);
	struct tu_dump ours, theirs;
	opens_in_tools(&out, "ours.dat", &ours);
	char *wp = tu_stage(MP_SHARED_DIR "/samples/yarp/NewDirtyHive1/RecoveredHive_Windows10",
	                    "win10.dat");
	tu_dump_reglookup(wp, &theirs);
	free(wp);
	tu_dump_assert_same(&ours, &theirs);
	/* The keys only the logs hold (the primary has Key1/Key2 instead). */
	cr_assert(tu_dump_has(&ours, "/Key3/Key3_3,KEY,,2017-03-04 20:55:37"));
	cr_assert(!tu_dump_has(&ours, "/Key2,KEY,,2017-03-04 20:52:19"));
	tu_dump_free(&ours);
	tu_dump_free(&theirs);
	mp_buf_free(&out);
	free(win);
	set_free(&s);
}

Test(regf_log, old_format_dirt_log_reproduces_windows7_recovery)
{
	struct set s;
	set_old(&s);
	size_t wlen = 0;
	uint8_t *win = sample("yarp/OldDirtyHive/RecoveredHive_Windows7", &wlen);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.format, MP_REGF_LOG_OLD);
	cr_assert_eq(rep.entries_applied, 1);
	cr_assert_eq(rep.pages_applied, 64);
	cr_assert_eq(rep.seq_after, 5);
	cr_assert_eq(rep.logs_used, 1u);
	cr_assert_str_eq(rep.logs[1].note, "empty");
	tu_assert_clean_image(out.data, out.len);
	/* Byte for byte what Windows 7 wrote, except two spots it changed
	 * after recovering: the first bin's timestamp (bins bytes 20..27),
	 * restamped when it saved the hive, and the largest-value-name-length
	 * hint of key "4500" (nk at 437644, field at 437704: 24 -> 2, inside a
	 * dirty page whose log copy says 24), recomputed when it checked the
	 * loaded hive.  Neither is key, value or data content. */
	const uint8_t *o = out.data + 4096, *w = win + 4096;
	size_t ndiff = 0;
	cr_assert_eq(mp_le32(win + 40), out.len - 4096u);
	for (size_t i = 0; i < out.len - 4096u; i++) {
		if (o[i] == w[i])
			continue;
		ndiff++;
		cr_assert((i >= 20 && i < 28) || (i >= 437704 && i < 437708),
		          "bins byte %zu differs from Windows' recovery", i);
	}
	cr_assert_leq(ndiff, 12);
	cr_assert_neq(memcmp(o, s.p + 4096, 8192), 0, "the log changed the first bins");
	struct tu_dump ours, theirs;
	opens_in_tools(&out, "ours.dat", &ours);
	char *wp =
	    tu_stage(MP_SHARED_DIR "/samples/yarp/OldDirtyHive/RecoveredHive_Windows7", "win7.dat");
	tu_dump_reglookup(wp, &theirs);
	free(wp);
	tu_dump_assert_same(&ours, &theirs);
	tu_dump_free(&ours);
	tu_dump_free(&theirs);
	mp_buf_free(&out);
	free(win);
	set_free(&s);
}

Test(regf_log, recover_file_finds_logs_beside_hive_case_insensitively)
{
	struct set s;
	set_new(&s);
	char *hive = tu_tmp_write("NewDirtyHive", s.p, s.plen);
	free(tu_tmp_write("newdirtyhive.log1", s.in[0].data, s.in[0].len));
	free(tu_tmp_write("NEWDIRTYHIVE.Log2", s.in[1].data, s.in[1].len));
	int64_t m0 = tu_mtime_ns(hive);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mp_hiveinfo_inspect(tu_ctx, hive, MP_INSPECT_NO_HASH, &info), MAPIPROF_OK);
	cr_assert_eq(mp_regf_recover_file(tu_ctx, info, &out, &rep), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	mapiprof_info_free(info);
	cr_assert_eq(rep.nlogs, 2);
	cr_assert_eq(rep.entries_applied, 4);
	cr_assert_eq(rep.seq_after, 5);
	cr_assert_str_eq(rep.stop_reason, "end of NEWDIRTYHIVE.Log2 at offset 40960");
	tu_assert_clean_image(out.data, out.len);
	cr_assert_eq(tu_mtime_ns(hive), m0, "the hive is only read");
	mp_buf_free(&out);
	free(hive);
	set_free(&s);
}

Test(regf_log, regipy_dual_logs_recover_to_clean_hive_that_hivex_and_reglookup_open)
{
	struct set s;
	set_regipy(&s);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.format, MP_REGF_LOG_NEW);
	cr_assert_eq(rep.seq1_before, 567);
	cr_assert_eq(rep.seq2_before, 566);
	cr_assert_eq(rep.entries_applied, 23, "entries 566..588 of log1");
	cr_assert_eq(rep.seq_after, 588);
	cr_assert_eq(rep.bins_before, 778240);
	cr_assert_eq(rep.bins_after, 925696, "the logs grew the hive");
	cr_assert_eq(rep.logs_used, 1u);
	cr_assert_eq(rep.logs[1].entries_valid, 1);
	cr_assert_not_null(strstr(rep.logs[1].note, "older than the primary"), "%s",
	                   rep.logs[1].note);
	tu_assert_clean_image(out.data, out.len);
	struct tu_dump ours, before;
	opens_in_tools(&out, "ours.dat", &ours);
	char *pp = tu_tmp_path("transactions_NTUSER.DAT");
	tu_dump_reglookup(pp, &before);
	free(pp);
	cr_assert_neq(ours.n, before.n, "the logs change what the hive holds");
	tu_dump_free(&ours);
	tu_dump_free(&before);
	mp_buf_free(&out);
	set_free(&s);
}

Test(regf_log, regipy_older_log_alone_is_refused_as_older_than_primary)
{
	struct set s;
	set_regipy(&s);
	recover_alone_fails(&s, 1, MAPIPROF_E_UNSAFE, "older than the primary");
	set_free(&s);
}

Test(regf_log, clean_primary_is_returned_unchanged_and_logs_ignored)
{
	struct set s;
	set_new(&s);
	free(s.p);
	s.p = sample("yarp/NewDirtyHive1/RecoveredHive_Windows10", &s.plen);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.format, MP_REGF_LOG_NONE);
	cr_assert_eq(rep.primary_dirty, 0);
	cr_assert_eq(rep.entries_applied, 0);
	cr_assert_eq(rep.logs_used, 0);
	cr_assert_not_null(strstr(rep.stop_reason, "not dirty"));
	cr_assert_eq(out.len, s.plen);
	cr_assert_eq(memcmp(out.data, s.p, s.plen), 0);
	mp_buf_free(&out);
	set_free(&s);
}

Test(regf_log, dirty_primary_without_logs_is_refused_as_unsafe)
{
	struct set s;
	set_new(&s);
	size_t n = s.n;
	s.n = 0;
	recover_fails(&s, MAPIPROF_E_UNSAFE, "no transaction log applies: none given");
	s.n = n;
	set_free(&s);
}

/* ---- broken logs ----------------------------------------------------------- */

/* NewDirtyHive.LOG2 entries: 1 at 512 (seq 3), 2 at 8192 (seq 4, one
 * 20480-byte page), 3 at 32768 (seq 5). */
#define E2 8192u

/* Replays s and asserts that exactly entries 2 (LOG1) and 3 (LOG2 entry
 * 1) applied, the stop reason holds why, and the result is byte for byte
 * what the logs cut just before LOG2's entry 2 give: nothing of the bad
 * entry is in it. */
static void
assert_stops_at_entry2(struct set *s, const char *why)
{
	struct mp_buf out, ref;
	struct mp_regf_recovery rep, rep2;
	recover_ok(s, &out, &rep);
	cr_assert_eq(rep.entries_applied, 2);
	cr_assert_eq(rep.seq_after, 3);
	cr_assert_not_null(strstr(rep.stop_reason, "entry 2 of NewDirtyHive.LOG2 at offset 8192"),
	                   "%s", rep.stop_reason);
	cr_assert_not_null(strstr(rep.stop_reason, why), "'%s' lacks '%s'", rep.stop_reason, why);
	cr_assert_leq(out.cap, 4096u + 20480u, "no allocation beyond the hive");
	tu_assert_clean_image(out.data, out.len);
	size_t len = s->in[1].len;
	s->in[1].len = E2;
	recover_ok(s, &ref, &rep2);
	s->in[1].len = len;
	cr_assert_eq(rep2.entries_applied, 2);
	cr_assert_eq(out.len, ref.len);
	cr_assert_eq(memcmp(out.data, ref.data, out.len), 0);
	struct tu_dump d;
	opens_in_tools(&out, "stopped.dat", &d);
	tu_dump_free(&d);
	mp_buf_free(&ref);
	mp_buf_free(&out);
}

/* Sets the 32-bit field at offset field of LOG2's entry 2 to v, with both
 * hashes made right again, and asserts that replay stops before that
 * entry saying why. */
static void
assert_entry2_field_stops(uint32_t field, uint32_t v, const char *why)
{
	struct set s;
	set_new(&s);
	mp_put_le32(s.buf[1] + E2 + field, v);
	rehash(s.buf[1] + E2);
	assert_stops_at_entry2(&s, why);
	set_free(&s);
}

Test(regf_log, flipped_byte_in_entry_page_stops_replay_before_that_entry)
{
	struct set s;
	set_new(&s);
	s.buf[1][E2 + 1000] ^= 0x01;
	assert_stops_at_entry2(&s, "bad Hash-1");
	set_free(&s);
}

Test(regf_log, flipped_byte_in_entry_header_stops_replay_before_that_entry)
{
	struct set s;
	set_new(&s);
	s.buf[1][E2 + 16] ^= 0x10; /* hive-bins size, covered by Hash-2 */
	assert_stops_at_entry2(&s, "bad Hash-2");
	set_free(&s);
}

Test(regf_log, flipped_byte_in_real_log_keeps_the_entries_before_it)
{
	struct set s;
	set_regipy(&s);
	s.buf[0][770048 + 4000] ^= 0x80; /* entry 4 (seq 569) of log1 */
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.entries_applied, 3);
	cr_assert_eq(rep.seq_after, 568);
	cr_assert_str_eq(rep.stop_reason,
	                 "entry 4 of transactions_ntuser.dat.log1 at offset 770048 has a bad "
	                 "Hash-1 (size 16384, sequence 569, expected 569, hive bins 925696, "
	                 "pages 3)");
	tu_assert_clean_image(out.data, out.len);
	struct tu_dump d;
	opens_in_tools(&out, "stopped.dat", &d);
	tu_dump_free(&d);
	mp_buf_free(&out);
	set_free(&s);
}

Test(regf_log, truncated_log_stops_at_last_complete_entry)
{
	struct set s;
	set_new(&s);
	s.in[1].len = E2 + 5000;
	assert_stops_at_entry2(&s, "is truncated");
	s.in[1].len = E2 + 20;
	assert_stops_at_entry2(&s, "is truncated");
	set_free(&s);
}

Test(regf_log, log_shorter_than_base_block_is_a_format_error_naming_it)
{
	struct set s;
	set_new(&s);
	s.in[0].len = 300;
	s.in[1].len = 0;
	recover_fails(&s, MAPIPROF_E_FORMAT, "NewDirtyHive.LOG1: no 'regf' base block at offset 0");
	set_free(&s);
}

Test(regf_log, huge_page_count_stops_replay_without_allocating)
{
	assert_entry2_field_stops(20, 0xFFFFFFFFu, "invalid page count");
}

Test(regf_log, page_reference_outside_hive_bins_stops_replay)
{
	/* The first page reference's offset. */
	assert_entry2_field_stops(40, 0xFFFFF000u, "lies outside its 20480-byte hive bins");
}

Test(regf_log, huge_hive_bins_size_stops_replay_without_allocating)
{
	assert_entry2_field_stops(16, 0xFFFFF000u, "beyond the cap");
}

Test(regf_log, sequence_gap_between_primary_and_log_is_refused)
{
	struct set s;
	set_new(&s);
	recover_alone_fails(&s, 1, MAPIPROF_E_UNSAFE, "its entries start at 3, replay needed 2");
	set_free(&s);
}

Test(regf_log, log_being_written_is_skipped_and_the_other_used)
{
	struct set s;
	set_new(&s);
	mp_put_le32(s.buf[1] + 8, 2);
	fix_checksum(s.buf[1]);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.entries_applied, 1);
	cr_assert_eq(rep.seq_after, 2);
	cr_assert_eq(rep.logs_used, 1u);
	cr_assert_not_null(strstr(rep.logs[1].note, "being written"), "%s", rep.logs[1].note);
	tu_assert_clean_image(out.data, out.len);
	mp_buf_free(&out);
	set_free(&s);
}

Test(regf_log, garbage_log_is_skipped_beside_valid_ones_and_named_when_alone)
{
	struct set s;
	set_new(&s);
	uint8_t *junk = malloc(4096);
	cr_assert_not_null(junk);
	memset(junk, 0xA5, 4096);
	set_log(&s, "junk.LOG", junk, 4096);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.entries_applied, 4);
	cr_assert_eq(rep.logs[2].kind, MP_REGF_LOG_NONE);
	cr_assert_not_null(strstr(rep.logs[2].note, "no 'regf' base block at offset 0"));
	mp_buf_free(&out);
	recover_alone_fails(&s, 2, MAPIPROF_E_FORMAT, "junk.LOG: no 'regf' base block at offset 0");
	set_free(&s);
}

Test(regf_log, invalid_primary_base_block_is_restored_from_latest_log)
{
	struct set s;
	set_new(&s);
	size_t wlen = 0;
	uint8_t *win = sample("yarp/NewDirtyHive1/RecoveredHive_Windows10", &wlen);
	s.p[0x30] ^= 0x01; /* in the file name: the checksum no longer matches */
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.base_from_log, 1);
	cr_assert_eq(rep.entries_applied, 3, "LOG2 only: entries 3..5");
	cr_assert_eq(rep.logs_used, 2u);
	cr_assert_not_null(strstr(rep.logs[0].note, "only the latest log"));
	cr_assert_eq(rep.seq_after, 5);
	tu_assert_clean_image(out.data, out.len);
	cr_assert_eq(memcmp(out.data + 4096, win + 4096, out.len - 4096u), 0);
	mp_buf_free(&out);
	free(win);
	set_free(&s);
}

Test(regf_log, sequence_numbers_wrap_around_across_dual_logs)
{
	struct set s;
	set_new(&s);
	struct mp_buf ref, out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &ref, &rep);
	/* Renumber: primary 0/0xFFFFFFFF, LOG1 0xFFFFFFFF, LOG2 0, 1, 2. */
	mp_put_le32(s.p + 4, 0);
	mp_put_le32(s.p + 8, 0xFFFFFFFFu);
	fix_checksum(s.p);
	mp_put_le32(s.buf[0] + 4, 0xFFFFFFFFu);
	mp_put_le32(s.buf[0] + 8, 0xFFFFFFFFu);
	fix_checksum(s.buf[0]);
	mp_put_le32(s.buf[0] + 512 + 12, 0xFFFFFFFFu);
	rehash(s.buf[0] + 512);
	mp_put_le32(s.buf[1] + 4, 0);
	mp_put_le32(s.buf[1] + 8, 0);
	fix_checksum(s.buf[1]);
	static const size_t at[] = {512, 8192, 32768};
	for (uint32_t k = 0; k < 3; k++) {
		mp_put_le32(s.buf[1] + at[k] + 12, k);
		rehash(s.buf[1] + at[k]);
	}
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.entries_applied, 4);
	cr_assert_eq(rep.seq_after, 2);
	tu_assert_clean_image(out.data, out.len);
	cr_assert_eq(memcmp(out.data + 4096, ref.data + 4096, ref.len - 4096u), 0);
	mp_buf_free(&out);
	mp_buf_free(&ref);
	set_free(&s);
}

Test(regf_log, shrinking_entry_drops_the_tail_before_a_later_entry_grows_it_again)
{
	struct set s;
	set_new(&s);
	/* LOG1's entry (seq 2) writes 0xEE into bins 16384..20479; LOG2's
	 * entry 1 (seq 3) shrinks the hive to 16384 bytes; entry 2 (seq 4)
	 * grows it back to 20480 but writes only its first 16384 bytes. */
	memset(s.buf[0] + 512 + 48 + 16384, 0xEE, 4096);
	rehash(s.buf[0] + 512);
	mp_put_le32(s.buf[1] + 512 + 16, 16384);
	rehash(s.buf[1] + 512);
	mp_put_le32(s.buf[1] + E2 + 44, 16384);
	rehash(s.buf[1] + E2);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.entries_applied, 4);
	cr_assert_eq(rep.bins_after, 20480);
	cr_assert_eq(out.len, 4096u + 20480u);
	for (size_t i = 4096 + 16384; i < out.len; i++)
		cr_assert_eq(out.data[i], 0, "byte %zu survived the shrink", i);
	mp_buf_free(&out);
	set_free(&s);
}

Test(regf_log, log_repeating_entries_of_another_is_noted_as_not_needed)
{
	struct set s;
	set_new(&s);
	uint8_t *dup = malloc(s.in[0].len);
	cr_assert_not_null(dup);
	memcpy(dup, s.buf[0], s.in[0].len);
	set_log(&s, "copy.LOG", dup, s.in[0].len);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.entries_applied, 4);
	cr_assert_eq(rep.logs_used, 3u);
	cr_assert_str_eq(rep.logs[2].note, "not needed: entries 2..2 came from another log");
	mp_buf_free(&out);
	set_free(&s);
}

/* ---- old format ------------------------------------------------------------ */

Test(regf_log, dirt_log_stops_at_invalid_dirty_hive_bin_and_restores_later_pages)
{
	struct set s;
	set_old(&s);
	struct mp_buf ref, out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &ref, &rep);
	/* Dirty pages 0..15 (bins 0 and 4096) and 96..111 (the 8 KiB bin at
	 * 49152); the 17th page in the log, at 1024 + 16 * 512, starts it. */
	s.buf[0][1024 + 16 * 512] = 'X';
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.pages_applied, 16);
	cr_assert_not_null(strstr(rep.stop_reason, "invalid hive bin at offset 49152"), "%s",
	                   rep.stop_reason);
	tu_assert_clean_image(out.data, out.len);
	cr_assert_eq(memcmp(out.data + 4096, ref.data + 4096, 49152), 0, "earlier bins applied");
	cr_assert_eq(memcmp(out.data + 4096 + 49152, s.p + 4096 + 49152, 8192), 0,
	             "the invalid bin keeps the primary's bytes");
	cr_assert_neq(memcmp(s.p + 4096, ref.data + 4096, 8192), 0, "the log changed bin 0");
	mp_buf_free(&out);
	mp_buf_free(&ref);
	set_free(&s);
}

Test(regf_log, dirt_log_with_other_timestamp_does_not_apply)
{
	struct set s;
	set_old(&s);
	s.buf[0][12] ^= 0x01;
	fix_checksum(s.buf[0]);
	recover_fails(&s, MAPIPROF_E_UNSAFE, "not applicable: last-written timestamp");
	set_free(&s);
}

Test(regf_log, truncated_dirt_log_is_refused_naming_it)
{
	struct set s;
	set_old(&s);
	s.in[0].len = 20000;
	recover_fails(&s, MAPIPROF_E_FORMAT, "OldDirtyHive.LOG1: truncated: 64 dirty pages");
	set_free(&s);
}

Test(regf_log, dirt_log_replaces_invalid_primary_base_block_when_first_bin_time_matches)
{
	struct set s;
	set_old(&s);
	struct mp_buf ref, out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &ref, &rep);
	s.p[0x30] ^= 0x01; /* the checksum no longer matches */
	/* Then the first bin's timestamp stands in for the base block's (spec
	 * "Old format: Base block" note 3); in this sample it is older than
	 * the log's, so the log does not apply ... */
	recover_fails(&s, MAPIPROF_E_UNSAFE, "not applicable: last-written timestamp");
	/* ... unless it matches. */
	memcpy(s.p + 4096 + 20, s.buf[0] + 12, 8);
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.base_from_log, 1);
	cr_assert_eq(rep.pages_applied, 64);
	cr_assert_eq(rep.seq_after, 5);
	tu_assert_clean_image(out.data, out.len);
	cr_assert_eq(memcmp(out.data + 4096 + 28, ref.data + 4096 + 28, ref.len - 4096u - 28u), 0);
	mp_buf_free(&out);
	mp_buf_free(&ref);
	set_free(&s);
}

/* ---- arguments and primaries ---------------------------------------------- */

Test(regf_log, garbage_or_short_primary_is_refused)
{
	struct set s;
	set_new(&s);
	uint8_t junk[8192];
	memset(junk, 0x5A, sizeof(junk));
	struct set g = s;
	g.p = junk;
	g.plen = sizeof(junk);
	recover_fails(&g, MAPIPROF_E_FORMAT, "primary hive: no 'regf' signature at offset 0");
	g.p = s.p;
	g.plen = 1000;
	recover_fails(&g, MAPIPROF_E_TRUNCATED, "shorter than the 4096-byte base block");
	set_free(&s);
}

Test(regf_log, more_logs_than_the_cap_is_invalid)
{
	struct set s;
	set_new(&s);
	struct set g = s;
	g.n = MP_REGF_MAX_LOGS + 1;
	for (size_t i = 2; i < g.n; i++)
		g.in[i] = s.in[0];
	recover_fails(&g, MAPIPROF_E_INVALID, "more than 8 logs");
	set_free(&s);
}

/* ---- the checksum --------------------------------------------------------- */

Test(regf_log, checksum_rule_maps_0_to_1_and_all_ones_to_fffffffe)
{
	uint8_t bb[4096] = {0};
	uint32_t plain = 7, windows = 7;
	mp_regf_checksum(bb, &plain, &windows);
	cr_assert_eq(plain, 0);
	cr_assert_eq(windows, 1);
	mp_put_le32(bb + 100, 0xFFFFFFFFu);
	mp_regf_checksum(bb, &plain, &windows);
	cr_assert_eq(plain, 0xFFFFFFFFu);
	cr_assert_eq(windows, 0xFFFFFFFEu);
}

Test(regf_log, seal_moves_timestamp_until_both_checksum_rules_agree)
{
	uint8_t bb[4096] = {0};
	cr_assert_eq(mp_regf_base_seal(bb), 1);
	cr_assert_eq(mp_le64(bb + 12), 1u);
	cr_assert_eq(mp_le32(bb + 508), 1u, "XOR 1 after one tick");
	memset(bb, 0, sizeof(bb));
	mp_put_le32(bb + 100, 0xFFFFFFFFu);
	cr_assert_eq(mp_regf_base_seal(bb), 1);
	cr_assert_eq(mp_le32(bb + 508), 0xFFFFFFFEu);
	uint32_t plain = 0, windows = 0;
	mp_regf_checksum(bb, &plain, &windows);
	cr_assert_eq(plain, windows);
}

/* A primary crafted so that the recovered base block's XOR would be
 * target: the result moves its timestamp on instead. */
static void
assert_recovery_avoids_xor(uint32_t target)
{
	struct set s;
	set_new(&s);
	struct mp_buf out;
	struct mp_regf_recovery rep;
	recover_ok(&s, &out, &rep);
	cr_assert_eq(rep.checksum_nudged, 0);
	uint32_t x = 0;
	mp_regf_checksum(out.data, &x, NULL);
	mp_buf_free(&out);
	/* The last checksummed dword (reserved, 0x1F8) is kept from the primary. */
	mp_put_le32(s.p + 0x1F8, mp_le32(s.p + 0x1F8) ^ x ^ target);
	fix_checksum(s.p);
	recover_ok(&s, &out, &rep);
	cr_assert_geq(rep.checksum_nudged, 1);
	cr_assert_eq(mp_le64(out.data + 12), mp_le64(s.p + 12) + (uint64_t)rep.checksum_nudged);
	tu_assert_clean_image(out.data, out.len);
	mp_buf_free(&out);
	set_free(&s);
}

Test(regf_log, recovered_base_block_never_has_xor_0)
{
	assert_recovery_avoids_xor(0);
}

Test(regf_log, recovered_base_block_never_has_xor_all_ones)
{
	assert_recovery_avoids_xor(0xFFFFFFFFu);
}
