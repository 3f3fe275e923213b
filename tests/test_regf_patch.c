/* test_regf_patch.c - the in-place patcher on copies of fixture and real
 * hives: every planned value reads back exactly through hivex, reglookup and
 * regfexport show only the planned values (and the key's timestamp)
 * changed, the base block is clean with seq + 1; what it cannot do leaves
 * the file byte-identical; corrupt input is an error. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "plan/plan.h"
#include "regf/hiveinfo.h"
#include "regf/patch.h"
#include "store/store.h"
#include "testutil.h"

#define WMS           "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
#define GLOBAL        WMS "\\Exchange\\13dbb0c8aa05101a9bb000aa002fc45a"
#define EMSAB         WMS "\\Exchange\\dca740c8c042101ab4b908002b2fe182"
#define PERSONAL      WMS "\\Personal\\13dbb0c8aa05101a9bb000aa002fc45a"
#define NOTATIN       "real/notatin/win7_ntuser.dat"
#define NOTATIN_ACCTS WMS "\\Outlook\\9375CFF0413111d3B88A00104B2A6676"
#define NOTATIN_STORE WMS "\\Outlook\\0a0d020000000000c000000000000046"
#define REGIPY        "real/regipy/NTUSER_BAGMRU.DAT"
#define REGIPY_STORE                                                                               \
	"SOFTWARE\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook\\"                          \
	"0a0d020000000000c000000000000046"
/* nk of a key in the regipy hive whose only value "Data" (33389 bytes) is
 * stored as big data (db, regf spec "Big data"); found by walking its bins. */
#define REGIPY_DB_KEY 0xe8aa0u
#define MAX_WANT      32

TestSuite(regf_patch, .init = tu_setup, .fini = tu_teardown);

/* One planned value: key path below the root, name, final state. */
struct want {
	const char *key;
	const char *name;
	int del;
	uint32_t type;
	const void *data;
	size_t len;
	/* reglookup prints names as raw bytes in the C locale (UTF-16 names
	 * too): how it shows this one, when not as name. */
	const char *rl_name;
	/* regfexport shows 1-3 byte inline data from the wrong end of the
	 * offset field (00 00 for Windows' inline 01 00 in the regipy hive):
	 * 1 when this change is invisible to it for that reason. */
	int rx_blind;
};

struct plan {
	struct mp_key_change keys[MAX_WANT];
	struct mp_value_change ops[MAX_WANT];
	size_t nkeys;
};

static const uint8_t zero4[4] = {0, 0, 0, 0};
static const uint8_t one4[4] = {1, 0, 0, 0};
static const uint8_t nine4[4] = {9, 0, 0, 0};
static const uint8_t long40[40] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                                   15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                                   29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40};
/* "EXCH02.contoso.com" as UTF-16LE with its NUL (REG_SZ, PT_STRING8). */
static const uint8_t sz_exch02[] = {'E', 0,   'X', 0,   'C', 0,   'H', 0,   '0', 0,   '2', 0,   '.',
                                    0,   'c', 0,   'o', 0,   'n', 0,   't', 0,   'o', 0,   's', 0,
                                    'o', 0,   '.', 0,   'c', 0,   'o', 0,   'm', 0,   0,   0};

static void
put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static struct mp_store *
open_store(const char *hive)
{
	struct mp_store *s = NULL;
	cr_assert_eq(mp_store_hive_open(tu_ctx, hive, 0, &s), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return s;
}

static mp_key
find_key(struct mp_store *s, const char *path)
{
	mp_key root = 0, key = 0;
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, path, &key), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_neq(key, 0, "no key %s", path);
	return key;
}

/* Groups w (consecutive entries of one key) into plan keys, their nk
 * offsets found through hivex on the copy. */
static void
make_plan(const char *hive, const struct want *w, size_t n, struct plan *pl)
{
	cr_assert_leq(n, MAX_WANT);
	memset(pl, 0, sizeof(*pl));
	struct mp_store *s = open_store(hive);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || strcmp(w[i].key, w[i - 1].key) != 0) {
			struct mp_key_change *k = &pl->keys[pl->nkeys++];
			k->key = find_key(s, w[i].key);
			k->uid = w[i].key;
			k->ops = &pl->ops[i];
		}
		pl->ops[i] =
		    (struct mp_value_change){w[i].name, w[i].del, w[i].type, w[i].data, w[i].len};
		pl->keys[pl->nkeys - 1].nops++;
	}
	mp_store_close(s);
}

static int
patch(const char *hive, const struct mp_key_change *keys, size_t nkeys, int *done)
{
	int fd = open(hive, O_RDWR);
	cr_assert_geq(fd, 0, "cannot open %s", hive);
	*done = -1;
	int rc = mp_regf_patch(tu_ctx, fd, keys, nkeys, done);
	close(fd);
	return rc;
}

/* Reads value name of key path through hivex; *found = 0 when absent. */
static void
read_value(const char *hive, const char *path, const char *name, struct mp_value *out, int *found)
{
	struct mp_store *s = open_store(hive);
	struct mp_value *vals = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->values(s, find_key(s, path), &vals, &n), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	const struct mp_value *v = mp_store_value_find(vals, n, name);
	*found = v != NULL;
	memset(out, 0, sizeof(*out));
	if (v != NULL) {
		out->type = v->type;
		out->len = v->len;
		out->data = malloc(v->len + 1);
		cr_assert_not_null(out->data);
		if (v->len > 0)
			memcpy(out->data, v->data, v->len);
	}
	mp_store_values_free(vals, n);
	mp_store_close(s);
}

/* Every planned value reads back through hivex exactly (or is gone). */
static void
check_values(const char *hive, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mp_value v;
		int found = 0;
		read_value(hive, w[i].key, w[i].name, &v, &found);
		cr_assert_eq(found, !w[i].del, "%s: present %d", w[i].name, found);
		if (found) {
			cr_assert_eq(v.type, w[i].type, "%s: type %u", w[i].name, v.type);
			cr_assert_eq(v.len, w[i].len, "%s: %zu bytes", w[i].name, v.len);
			cr_assert(w[i].len == 0 || memcmp(v.data, w[i].data, w[i].len) == 0,
			          "%s: data differ", w[i].name);
		}
		free(v.data);
	}
}

/* 1 when record r (of either tool) is about planned value w: reglookup
 * "/key/name,..." or regfexport "V|...\key|name". */
static int
about_value(const char *r, const struct want *w)
{
	char want[8192];
	if (r[0] == '/') {
		snprintf(want, sizeof(want), "/%s/%s,", w->key,
		         w->rl_name != NULL ? w->rl_name : w->name);
		for (char *c = want; *c != '\0'; c++)
			*c = *c == '\\' ? '/' : *c;
		return strncasecmp(r, want, strlen(want)) == 0;
	}
	snprintf(want, sizeof(want), "\\%s|%s", w->key, w->name);
	const char *end = strchr(r, '\n');
	size_t len = end != NULL ? (size_t)(end - r) : strlen(r), wl = strlen(want);
	return r[0] == 'V' && len >= wl && strncasecmp(r + len - wl, want, wl) == 0;
}

/* 1 when reglookup record r is the key line of a planned key. */
static int
about_key(const char *r, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char want[8192];
		snprintf(want, sizeof(want), "/%s,KEY,", w[i].key);
		for (char *c = want; *c != '\0'; c++)
			*c = *c == '\\' ? '/' : *c;
		if (strncasecmp(r, want, strlen(want)) == 0)
			return 1;
	}
	return 0;
}

/* Records of a that b lacks must each be about a planned value (or a
 * planned key's line); returns how many are about values and sets *keys
 * to how many are key lines. */
static size_t
diff(const struct tu_dump *a, const struct tu_dump *b, const struct want *w, size_t n, size_t *keys)
{
	size_t vals = 0;
	*keys = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (tu_dump_has(b, a->rec[i]))
			continue;
		int hit = 0;
		for (size_t j = 0; !hit && j < n; j++)
			hit = about_value(a->rec[i], &w[j]);
		if (hit) {
			vals++;
			continue;
		}
		cr_assert(about_key(a->rec[i], w, n), "unplanned difference: %.300s", a->rec[i]);
		(*keys)++;
	}
	return vals;
}

static size_t
count_keys(const struct want *w, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += i == 0 || strcmp(w[i].key, w[i - 1].key) != 0;
	return k;
}

/* Before/after dumps of one tool differ in exactly the planned values:
 * gone: those that existed; new: those set (regfexport: rx, less the ones
 * it cannot see); plus each planned key's reglookup line at most (its
 * timestamp, shown to the second: equal when two patches fall in one). */
static void
check_dumps(const struct tu_dump *before, const struct tu_dump *after, const struct want *w,
            size_t n, const int *existed, int rx)
{
	size_t nexisted = 0, nset = 0, k1 = 0, k2 = 0;
	for (size_t i = 0; i < n; i++) {
		if (rx && w[i].rx_blind)
			continue;
		nexisted += existed[i] != 0;
		nset += !w[i].del;
	}
	size_t gone = diff(before, after, w, n, &k1), added = diff(after, before, w, n, &k2);
	cr_assert_eq(gone, nexisted, "values gone: %zu, want %zu", gone, nexisted);
	cr_assert_eq(added, nset, "values new: %zu, want %zu", added, nset);
	cr_assert_eq(k1, k2, "key lines gone: %zu, new: %zu", k1, k2);
	cr_assert_leq(k1, rx ? 0 : count_keys(w, n), "key lines: %zu", k1);
}

/* Every planned key's LastWrite (hivex) is at least t0 (FILETIME). */
static void
check_key_times(const char *hive, const struct want *w, size_t n, int64_t t0)
{
	struct mp_store *s = open_store(hive);
	for (size_t i = 0; i < n; i++) {
		int64_t t = 0;
		cr_assert_eq(s->ops->key_mtime(s, find_key(s, w[i].key), &t), MAPIPROF_OK);
		cr_assert_geq(t, t0, "%s: LastWrite %lld", w[i].key, (long long)t);
	}
	mp_store_close(s);
}

static struct mapiprof_info *
inspect(const char *hive)
{
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, hive, &info), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return info;
}

/* Patches hive with w and proves it with hivex, reglookup, regfexport and
 * mapiprof_inspect.  grows: 0 the hive bins stay as they are, 1 one bin is
 * appended. */
static void
prove_patch(const char *hive, const struct want *w, size_t n, int grows)
{
	struct plan pl;
	make_plan(hive, w, n, &pl);
	int existed[MAX_WANT];
	for (size_t i = 0; i < n; i++) {
		struct mp_value v;
		read_value(hive, w[i].key, w[i].name, &v, &existed[i]);
		free(v.data);
	}
	struct tu_dump rl0, rx0 = {0}, rl1, rx1 = {0};
	/* regfexport takes about half a minute per dump of a multi-megabyte
	 * hive: those dumps are a long-mode trial (tests/run.sh --long);
	 * reglookup and hivex check every hive in every run. */
	int rx = tu_long_mode() || tu_file_size(hive) <= TU_QUICK_DUMP_MAX;
	tu_dump_reglookup(hive, &rl0);
	if (rx)
		tu_dump_regfexport(hive, &rx0);
	struct mapiprof_info *i0 = inspect(hive);
	/* FILETIME of now, to the second (the patch stamps the keys). */
	int64_t t0 = ((int64_t)time(NULL) + INT64_C(11644473600)) * 10000000;
	int done = -1;
	cr_assert_eq(patch(hive, pl.keys, pl.nkeys, &done), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(done, 1);
	check_values(hive, w, n);
	tu_dump_reglookup(hive, &rl1);
	check_dumps(&rl0, &rl1, w, n, existed, 0);
	if (rx) {
		tu_dump_regfexport(hive, &rx1);
		check_dumps(&rx0, &rx1, w, n, existed, 1);
	}
	check_key_times(hive, w, n, t0);
	struct mapiprof_info *i1 = inspect(hive);
	cr_assert(!i1->dirty && i1->checksum_ok);
	/* hivex (plain XOR) and Windows (0 -> 1, -1 -> -2, ReactOS hivesum.c)
	 * agree. */
	uint8_t bb[512];
	int fd = open(hive, O_RDONLY);
	cr_assert_eq(pread(fd, bb, sizeof(bb), 0), (ssize_t)sizeof(bb));
	close(fd);
	uint32_t plain = 0, windows = 0;
	mp_regf_checksum(bb, &plain, &windows);
	cr_assert(plain == windows && plain == get32(bb + 0x1FC));
	cr_assert_eq(i1->seq1, i0->seq1 + 1);
	cr_assert_eq(i1->seq2, i0->seq1 + 1);
	cr_assert_gt(i1->last_written, i0->last_written);
	if (grows) {
		cr_assert_gt(i1->bins_size, i0->bins_size);
		cr_assert_eq((i1->bins_size - i0->bins_size) % 4096u, 0);
	} else {
		cr_assert_eq(i1->bins_size, i0->bins_size);
		cr_assert_eq(i1->size, i0->size);
	}
	mapiprof_info_free(i0);
	mapiprof_info_free(i1);
	tu_dump_free(&rl0);
	tu_dump_free(&rx0);
	tu_dump_free(&rl1);
	tu_dump_free(&rx1);
	tu_open(hive); /* the whole read path still opens it */
}

/* Runs a plan that must be declined: MAPIPROF_OK, done = 0, same bytes. */
static void
expect_decline(const char *hive, const struct mp_key_change *keys, size_t nkeys)
{
	size_t len = 0;
	char *before = tu_read(hive, &len);
	cr_assert_not_null(before);
	int done = -1;
	cr_assert_eq(patch(hive, keys, nkeys, &done), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(done, 0);
	tu_assert_file_is(hive, before, len);
	free(before);
}

/* Copies the regipy hive (dirty: sequence numbers 29989/29988) and makes
 * the copy clean: seq2 = seq1, checksum recomputed (regf spec "Base block"). */
static char *
stage_clean_regipy(void)
{
	char *p = tu_stage_src(REGIPY);
	size_t len = 0;
	uint8_t *b = (uint8_t *)tu_read(p, &len);
	cr_assert_not_null(b);
	memcpy(b + 8, b + 4, 4);
	uint32_t plain = 0, windows = 0;
	mp_regf_checksum(b, &plain, &windows);
	cr_assert_eq(plain, windows);
	put32(b + 0x1FC, plain);
	cr_assert_eq(tu_write(p, b, len), 0);
	free(b);
	return p;
}

static uint32_t
peek32(const char *hive, uint64_t off)
{
	uint8_t b[4];
	int fd = open(hive, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, b, 4, (off_t)off), 4);
	close(fd);
	return get32(b);
}

static void
poke(const char *hive, uint64_t off, const void *data, size_t len)
{
	int fd = open(hive, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, data, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void
poke32(const char *hive, uint64_t off, uint32_t v)
{
	uint8_t b[4];
	put32(b, v);
	poke(hive, off, b, 4);
}

/* Field at off of the nk of key path (regf spec "Key node"). */
static uint32_t
nk_field(const char *hive, const char *path, uint32_t off)
{
	struct mp_store *s = open_store(hive);
	mp_key nk = find_key(s, path);
	mp_store_close(s);
	return peek32(hive, nk + 4u + off);
}

#define NK_MAXVNAME 60u
#define NK_MAXDATA  64u

Test(regf_patch, same_length_long_is_overwritten_inline)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {
	    {GLOBAL, "00036604", 0, MP_REG_BINARY, zero4, 4, NULL, 0}, /* was 02 00 00 00 */
	};
	prove_patch(hive, w, 1, 0);
	free(hive);
}

Test(regf_patch, same_length_binary_is_overwritten_in_its_cell)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	struct mp_value old;
	int found = 0;
	read_value(hive, GLOBAL, "101e6613", &old, &found);
	cr_assert(found && old.len > 100);
	for (size_t i = 0; i < old.len; i++)
		old.data[i] = (uint8_t)~old.data[i];
	const struct want w[] = {
	    {GLOBAL, "101e6613", 0, MP_REG_BINARY, old.data, old.len, NULL, 0}};
	prove_patch(hive, w, 1, 0);
	free(old.data);
	free(hive);
}

Test(regf_patch, same_length_with_another_type_updates_the_vk_type)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {{GLOBAL, "00036600", 0, MP_REG_DWORD, one4, 4, NULL, 0}};
	prove_patch(hive, w, 1, 0);
	free(hive);
}

Test(regf_patch, new_value_is_appended_after_the_existing_ones)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {{EMSAB, "00036639", 0, MP_REG_BINARY, one4, 4, NULL, 0}};
	prove_patch(hive, w, 1, 1);
	struct mp_store *s = open_store(hive);
	struct mp_value *vals = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->values(s, find_key(s, EMSAB), &vals, &n), MAPIPROF_OK);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(vals[0].name, "001e6602");
	cr_assert_str_eq(vals[1].name, "00036619");
	cr_assert_str_eq(vals[2].name, "00036639");
	mp_store_values_free(vals, n);
	mp_store_close(s);
	free(hive);
}

Test(regf_patch, value_growing_from_4_to_40_bytes_gets_a_data_cell)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {{GLOBAL, "0003661b", 0, MP_REG_BINARY, long40, 40, NULL, 0}};
	prove_patch(hive, w, 1, 1);
	free(hive);
}

Test(regf_patch, value_shrinking_to_3_bytes_goes_inline)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {{GLOBAL, "001e6603", 0, MP_REG_BINARY, long40, 3, NULL, 0}};
	uint32_t maxdata = nk_field(hive, GLOBAL, NK_MAXDATA);
	cr_assert_geq(maxdata, 176u);
	prove_patch(hive, w, 1, 0);
	cr_assert_eq(nk_field(hive, GLOBAL, NK_MAXDATA), maxdata, "never lowered");
	free(hive);
}

Test(regf_patch, deleted_value_is_dropped_from_a_new_list)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {{GLOBAL, "00036605", 1, 0, NULL, 0, NULL, 0}};
	prove_patch(hive, w, 1, 1);
	free(hive);
}

Test(regf_patch, last_value_deleted_leaves_no_list)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {
	    {EMSAB, "001e6602", 1, 0, NULL, 0, NULL, 0},
	    {EMSAB, "00036619", 1, 0, NULL, 0, NULL, 0},
	};
	prove_patch(hive, w, 2, 0);
	struct mp_store *s = open_store(hive);
	struct mp_value *vals = NULL;
	size_t n = 5;
	cr_assert_eq(s->ops->values(s, find_key(s, EMSAB), &vals, &n), MAPIPROF_OK);
	cr_assert_eq(n, 0);
	mp_store_values_free(vals, n);
	mp_store_close(s);
	free(hive);
}

Test(regf_patch, reg_sz_of_another_length_is_moved)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {
	    {GLOBAL, "001e6602", 0, MP_REG_SZ, sz_exch02, sizeof(sz_exch02), NULL, 0},
	};
	prove_patch(hive, w, 1, 1);
	free(hive);
}

Test(regf_patch, gc_referral_changes_in_two_keys_at_once)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	static const uint8_t ui[4] = {0x00, 0x40, 0, 0}, ver[4] = {0xb8, 0x0b, 0, 0};
	const struct want w[] = {
	    {GLOBAL, "00036604", 0, MP_REG_BINARY, zero4, 4, NULL, 0},
	    {GLOBAL, "00036606", 0, MP_REG_BINARY, ui, 4, NULL, 0},
	    {GLOBAL, "0003661b", 0, MP_REG_BINARY, ver, 4, NULL, 0},
	    {EMSAB, "00036619", 0, MP_REG_BINARY, nine4, 4, NULL, 0},
	    {EMSAB, "00036639", 0, MP_REG_BINARY, one4, 4, NULL, 0},
	};
	prove_patch(hive, w, 5, 1);
	free(hive);
}

Test(regf_patch, mixed_ops_in_three_keys_share_one_new_bin)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {
	    {GLOBAL, "00036605", 1, 0, NULL, 0, NULL, 0},
	    {GLOBAL, "0003661b", 0, MP_REG_BINARY, long40, 40, NULL, 0},
	    {GLOBAL, "00036604", 0, MP_REG_BINARY, one4, 4, NULL, 0},
	    {GLOBAL, "00030001", 0, MP_REG_BINARY, long40, 17, NULL, 0},
	    {EMSAB, "001e6602", 0, MP_REG_SZ, sz_exch02, sizeof(sz_exch02), NULL, 0},
	    {PERSONAL, "00036601", 0, MP_REG_BINARY, zero4, 0, NULL, 0},
	};
	struct mapiprof_info *i0 = inspect(hive);
	prove_patch(hive, w, 6, 1);
	struct mapiprof_info *i1 = inspect(hive);
	cr_assert_eq(i1->bins_size, i0->bins_size + 4096u);
	mapiprof_info_free(i0);
	mapiprof_info_free(i1);
	free(hive);
}

Test(regf_patch, names_outside_latin1_are_stored_as_utf16)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {
	    /* värde: Latin-1; €-日: UTF-16 */
	    {GLOBAL, "v\xc3\xa4rde", 0, MP_REG_BINARY, one4, 4, "v%E4rde", 0},
	    {GLOBAL, "\xe2\x82\xac-\xe6\x97\xa5", 0, MP_REG_BINARY, long40, 9, "%AC -%00%E5e", 0},
	    {GLOBAL, "a-name-of-20-chars!!", 0, MP_REG_BINARY, long40, 5, NULL, 0},
	};
	prove_patch(hive, w, 3, 1);
	/* Largest value name in UTF-16 bytes, raised to the new one's ("Key
	 * node"). */
	cr_assert_eq(nk_field(hive, GLOBAL, NK_MAXVNAME), 40u);
	free(hive);
}

Test(regf_patch, names_match_case_insensitively_and_keep_their_spelling)
{
	char *hive = tu_stage_src(NOTATIN);
	static const uint8_t ver[8] = {0x2e, 4, 0, 0, 0, 0, 0, 0};
	const struct want w[] = {
	    {NOTATIN_ACCTS, "LASTCHANGEVER", 0, MP_REG_BINARY, ver, 8, NULL, 0},
	    {NOTATIN_ACCTS, "nextaccountid", 0, MP_REG_DWORD, nine4, 4, NULL, 0},
	};
	prove_patch(hive, w, 2, 0);
	char *argv[] = {(char *)"/usr/bin/reglookup", (char *)"-p",
	                (char *)"/"
	                        "Software/Microsoft/Windows NT/CurrentVersion/Windows Messaging "
	                        "Subsystem/Profiles/Outlook/9375CFF0413111d3B88A00104B2A6676",
	                hive, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_not_null(strstr(r.out, "/LastChangeVer,BINARY,.%04%00%00%00%00%00%00,"), "%s",
	                   r.out);
	cr_assert_not_null(strstr(r.out, "/NextAccountID,DWORD,0x00000009,"), "%s", r.out);
	tu_run_free(&r);
	free(hive);
}

Test(regf_patch, notatin_real_hive_v1_3)
{
	char *hive = tu_stage_src(NOTATIN);
	const struct want w[] = {
	    {NOTATIN_ACCTS, "{ED475418-B0D6-11D2-8C3B-00104B2A6676}", 0, MP_REG_BINARY, long40, 24,
	     NULL, 0},
	    {NOTATIN_ACCTS, "{ED475420-B0D6-11D2-8C3B-00104B2A6676}", 1, 0, NULL, 0, NULL, 0},
	    {NOTATIN_STORE, "00030429", 0, MP_REG_BINARY, nine4, 4, NULL, 0},
	    {NOTATIN_STORE, "001e023d", 0, MP_REG_SZ, sz_exch02, sizeof(sz_exch02), NULL, 0},
	    {NOTATIN_STORE, "00036639", 0, MP_REG_BINARY, one4, 4, NULL, 0},
	};
	prove_patch(hive, w, 5, 1);
	free(hive);
}

Test(regf_patch, regipy_real_hive_v1_5_made_clean)
{
	char *hive = stage_clean_regipy();
	const struct want w[] = {
	    {REGIPY_STORE, "00030429", 0, MP_REG_BINARY, nine4, 4, NULL, 0},
	    {REGIPY_STORE, "000b0465", 0, MP_REG_BINARY, one4, 2, NULL, 1},
	    {REGIPY_STORE, "00030397", 0, MP_REG_BINARY, long40, 40, NULL, 0},
	    {REGIPY_STORE, "000b0415", 1, 0, NULL, 0, NULL, 0},
	    {REGIPY_STORE, "00036639", 0, MP_REG_BINARY, one4, 4, NULL, 0},
	};
	prove_patch(hive, w, 5, 1);
	free(hive);
}

Test(regf_patch, a_patched_hive_patches_again)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w1[] = {{GLOBAL, "0003661b", 0, MP_REG_BINARY, long40, 40, NULL, 0}};
	prove_patch(hive, w1, 1, 1);
	const struct want w2[] = {
	    {GLOBAL, "0003661b", 0, MP_REG_BINARY, long40 + 1, 39, NULL, 0},
	    {GLOBAL, "00036639", 0, MP_REG_BINARY, one4, 4, NULL, 0},
	};
	prove_patch(hive, w2, 2, 1);
	free(hive);
}

/* Keys to create are test_regf_newkeys.c's. */
Test(regf_patch, a_key_to_delete_is_declined)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	struct mp_store *s = open_store(hive);
	struct mp_key_change k = {
	    .profile = MP_PATH_KEY, .key = find_key(s, GLOBAL), .uid = GLOBAL, .del = 1};
	mp_store_close(s);
	expect_decline(hive, &k, 1);
	free(hive);
}

Test(regf_patch, big_data_value_is_declined)
{
	char *hive = stage_clean_regipy();
	struct mp_value_change op = {"Data", 0, MP_REG_BINARY, one4, 4};
	struct mp_key_change k = {.key = REGIPY_DB_KEY, .uid = "db", .ops = &op, .nops = 1};
	struct mp_store *s = open_store(hive);
	char *name = NULL;
	cr_assert_eq(s->ops->key_name(s, k.key, &name), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	free(name);
	mp_store_close(s);
	expect_decline(hive, &k, 1);
	op.del = 1;
	expect_decline(hive, &k, 1);
	free(hive);
}

Test(regf_patch, new_value_over_16344_bytes_in_v1_5_is_declined)
{
	char *hive = stage_clean_regipy();
	uint8_t *big = calloc(1, 16345);
	cr_assert_not_null(big);
	const struct want w[] = {{REGIPY_STORE, "01020001", 0, MP_REG_BINARY, big, 16345, NULL, 0}};
	struct plan pl;
	make_plan(hive, w, 1, &pl);
	expect_decline(hive, pl.keys, pl.nkeys);
	free(big);
	free(hive);
}

Test(regf_patch, value_over_16344_bytes_in_v1_3_gets_one_cell)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	uint8_t *big = malloc(20000);
	cr_assert_not_null(big);
	for (size_t i = 0; i < 20000; i++)
		big[i] = (uint8_t)(i * 7u);
	const struct want w[] = {{GLOBAL, "01020001", 0, MP_REG_BINARY, big, 20000, NULL, 0}};
	prove_patch(hive, w, 1, 1);
	cr_assert_eq(nk_field(hive, GLOBAL, NK_MAXDATA), 20000u);
	free(big);
	free(hive);
}

Test(regf_patch, dirty_hive_is_declined)
{
	char *hive = tu_stage_src(REGIPY);
	const struct want w[] = {{REGIPY_STORE, "00030429", 0, MP_REG_BINARY, nine4, 4, NULL, 0}};
	struct plan pl;
	make_plan(hive, w, 1, &pl);
	expect_decline(hive, pl.keys, pl.nkeys);
	free(hive);
}

Test(regf_patch, two_ops_for_one_name_are_declined)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {
	    {GLOBAL, "00036604", 0, MP_REG_BINARY, zero4, 4, NULL, 0},
	    {GLOBAL, "00036604", 0, MP_REG_BINARY, long40, 40, NULL, 0},
	};
	struct plan pl;
	make_plan(hive, w, 2, &pl);
	expect_decline(hive, pl.keys, pl.nkeys);
	free(hive);
}

Test(regf_patch, a_key_listed_twice_is_declined)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	const struct want w[] = {{GLOBAL, "00036604", 0, MP_REG_BINARY, zero4, 4, NULL, 0}};
	struct plan pl;
	make_plan(hive, w, 1, &pl);
	pl.keys[1] = pl.keys[0];
	expect_decline(hive, pl.keys, 2);
	free(hive);
}

/* The plan {GLOBAL 00036604 = 0, 001e6603 = 40 bytes} on a staged copy of
 * exchange-mapi.dat, made before the copy is damaged. */
static char *
stage_corruptible(struct plan *pl)
{
	static const struct want w[] = {
	    {GLOBAL, "00036604", 0, MP_REG_BINARY, zero4, 4, NULL, 0},
	    {GLOBAL, "001e6603", 0, MP_REG_BINARY, long40, 40, NULL, 0},
	};
	char *hive = tu_stage_built("exchange-mapi.dat");
	make_plan(hive, w, 2, pl);
	return hive;
}

static void
expect_error(const char *hive, const struct plan *pl, enum mapiprof_error code)
{
	int done = -1;
	cr_assert_eq(patch(hive, pl->keys, pl->nkeys, &done), MAPIPROF_FAILED);
	cr_assert_eq(done, 0);
	cr_assert_eq(mapiprof_errcode(tu_ctx), code, "code %d: %s", mapiprof_errcode(tu_ctx),
	             mapiprof_errmsg(tu_ctx));
}

Test(regf_patch, truncated_copy_is_an_error)
{
	struct plan pl;
	char *hive = stage_corruptible(&pl);
	cr_assert_eq(truncate(hive, 0x3000), 0);
	expect_error(hive, &pl, MAPIPROF_E_TRUNCATED);
	cr_assert_eq(truncate(hive, 100), 0);
	expect_error(hive, &pl, MAPIPROF_E_TRUNCATED);
	free(hive);
}

Test(regf_patch, nk_handle_at_garbage_is_a_format_error)
{
	struct plan pl;
	char *hive = stage_corruptible(&pl);
	mp_key nk = pl.keys[0].key;
	pl.keys[0].key = nk + 24u; /* 8-aligned, inside the nk: no signature */
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "nk cell"), "%s",
	                   mapiprof_errmsg(tu_ctx));
	pl.keys[0].key = 0x7FFFFFF0u; /* beyond the hive bins */
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	pl.keys[0].key = 0x10u; /* inside the base block */
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	pl.keys[0].key = nk;
	poke(hive, nk + 4u, "xx", 2);
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	free(hive);
}

Test(regf_patch, value_count_beyond_its_list_is_a_format_error)
{
	struct plan pl;
	char *hive = stage_corruptible(&pl);
	mp_key nk = pl.keys[0].key;
	poke32(hive, nk + 4u + 36u, 5000u);
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	poke32(hive, nk + 4u + 36u, 0xFFFFFFFFu);
	expect_error(hive, &pl, MAPIPROF_E_LIMIT);
	free(hive);
}

Test(regf_patch, value_list_outside_the_bins_is_a_format_error)
{
	struct plan pl;
	char *hive = stage_corruptible(&pl);
	mp_key nk = pl.keys[0].key;
	poke32(hive, nk + 4u + 40u, 0x3FFF8u);
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	poke32(hive, nk + 4u + 40u, 0xFFFFFFFFu);
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	free(hive);
}

Test(regf_patch, data_longer_than_its_cell_is_a_format_error)
{
	struct plan pl;
	char *hive = stage_corruptible(&pl);
	uint32_t list = peek32(hive, pl.keys[0].key + 4u + 40u);
	uint32_t vk = peek32(hive, 4096u + list + 4u + 3u * 4u); /* 001e6603, 176 bytes */
	cr_assert_eq(peek32(hive, 4096u + vk + 8u), 176u);
	poke32(hive, 4096u + vk + 8u, 0x7000u);
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	poke32(hive, 4096u + vk + 8u, 0x80000010u); /* inline, 16 bytes */
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	poke32(hive, 4096u + vk + 8u, 176u);
	poke(hive, 4096u + vk + 4u, "kv", 2);
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	free(hive);
}

Test(regf_patch, free_nk_cell_is_a_format_error)
{
	struct plan pl;
	char *hive = stage_corruptible(&pl);
	mp_key nk = pl.keys[0].key;
	uint32_t size = peek32(hive, nk);
	poke32(hive, nk, 0u - size); /* positive: free */
	expect_error(hive, &pl, MAPIPROF_E_FORMAT);
	free(hive);
}
