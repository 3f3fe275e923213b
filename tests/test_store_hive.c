/* test_store_hive.c - the hivex store back end on the real hives in
 * fixtures/real: lookups, values as reglookup shows them, read-only opens
 * that never touch the file, and writes on a temporary copy. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testutil.h"

#define WMS_PROFILES                                                                               \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging "                      \
	"Subsystem\\Profiles"
#define NOTATIN "real/notatin/win7_ntuser.dat"
#define REGIPY  "real/regipy/NTUSER_BAGMRU.DAT"
#define PLASO   "real/plaso/NTUSER-WIN7.DAT"

TestSuite(store_hive, .init = tu_setup, .fini = tu_teardown);

static struct mp_store *
open_store(const char *path, int writable)
{
	struct mp_store *s = NULL;
	cr_assert_eq(mp_store_hive_open(tu_ctx, path, writable, &s), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return s;
}

static mp_key
lookup(struct mp_store *s, const char *path)
{
	mp_key root = 0, key = 0;
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, path, &key), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return key;
}

Test(store_hive, finds_outlook_profile_case_insensitively_in_notatin)
{
	char *p = tu_stage_src(NOTATIN);
	struct mp_store *s = open_store(p, 0);
	mp_key a = lookup(s, WMS_PROFILES "\\Outlook");
	mp_key b = lookup(s, "software\\microsoft\\windows nt\\currentversion\\windows messaging "
	                     "subsystem\\profiles\\OUTLOOK");
	cr_assert_neq(a, 0);
	cr_assert_eq(a, b);
	char *name = NULL;
	cr_assert_eq(s->ops->key_name(s, a, &name), MAPIPROF_OK);
	cr_assert_str_eq(name, "Outlook");
	free(name);
	cr_assert_eq(lookup(s, WMS_PROFILES "\\NoSuchProfile"), 0);
	mp_store_close(s);
	free(p);
}

Test(store_hive, key_mtime_is_filetime_as_reglookup_shows)
{
	char *p = tu_stage_src(NOTATIN);
	struct mp_store *s = open_store(p, 0);
	int64_t t = 0;
	cr_assert_eq(s->ops->key_mtime(s, lookup(s, WMS_PROFILES), &t), MAPIPROF_OK);
	/* reglookup: 2015-01-06 16:05:48 UTC = Unix 1420560348. */
	cr_assert_eq(t / 10000000 - 11644473600LL, 1420560348LL);
	mp_store_close(s);
	free(p);
}

Test(store_hive, regipy_software_in_capitals_matches_lower_case_lookup)
{
	char *p = tu_stage_src(REGIPY);
	struct mp_store *s = open_store(p, 0);
	mp_key k = lookup(s, "software\\microsoft\\office\\16.0\\outlook\\profiles\\outlook");
	cr_assert_neq(k, 0);
	mp_key sw = lookup(s, "Software");
	char *name = NULL;
	cr_assert_eq(s->ops->key_name(s, sw, &name), MAPIPROF_OK);
	cr_assert_str_eq(name, "SOFTWARE");
	free(name);
	mp_store_close(s);
	free(p);
}

Test(store_hive, values_have_types_and_lengths_reglookup_shows)
{
	char *p = tu_stage_src(REGIPY);
	struct mp_store *s = open_store(p, 0);
	mp_key k = lookup(s, "SOFTWARE\\Microsoft\\Office\\16.0\\Outlook");
	struct mp_value *v = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->values(s, k, &v, &n), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	/* reglookup: LastUILanguage,DWORD,0x00000409 */
	const struct mp_value *lang = mp_store_value_find(v, n, "lastuilanguage");
	cr_assert_not_null(lang);
	cr_assert_eq(lang->type, MP_REG_DWORD);
	cr_assert_eq(lang->len, 4);
	cr_assert_eq(lang->data[0] | lang->data[1] << 8, 0x409);
	/* reglookup: DefaultProfile,SZ,Outlook -> UTF-16LE with terminator. */
	const struct mp_value *def = mp_store_value_find(v, n, "DefaultProfile");
	cr_assert_not_null(def);
	cr_assert_eq(def->type, MP_REG_SZ);
	cr_assert_eq(def->len, 16);
	cr_assert_eq(memcmp(def->data, "O\0u\0t\0l\0o\0o\0k\0\0\0", 16), 0);
	mp_store_values_free(v, n);
	mp_store_close(s);
	free(p);
}

Test(store_hive, binary_values_of_a_section_match_reglookup)
{
	char *p = tu_stage_src(NOTATIN);
	struct mp_store *s = open_store(p, 0);
	mp_key k = lookup(s, WMS_PROFILES "\\Outlook\\0a0d020000000000c000000000000046");
	cr_assert_neq(k, 0);
	struct mp_value *v = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->values(s, k, &v, &n), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	/* reglookup: 000b0413,BINARY,%01%00 ; 00030429,BINARY,!%00%00%00 */
	const struct mp_value *b = mp_store_value_find(v, n, "000b0413");
	cr_assert_not_null(b);
	cr_assert_eq(b->type, MP_REG_BINARY);
	cr_assert_eq(b->len, 2);
	cr_assert_eq(b->data[0], 1);
	const struct mp_value *l = mp_store_value_find(v, n, "00030429");
	cr_assert_not_null(l);
	cr_assert_eq(l->len, 4);
	cr_assert_eq(l->data[0], '!');
	/* reglookup: 001e023d,SZ,Outlook.FAV (value type 1 although the tag says STRING8) */
	const struct mp_value *sz = mp_store_value_find(v, n, "001e023d");
	cr_assert_not_null(sz);
	cr_assert_eq(sz->type, MP_REG_SZ);
	mp_store_values_free(v, n);
	mp_store_close(s);
	free(p);
}

Test(store_hive, children_come_in_stored_order_with_names)
{
	char *p = tu_stage_src(PLASO);
	struct mp_store *s = open_store(p, 0);
	mp_key k = lookup(s, WMS_PROFILES);
	mp_key *kids = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->children(s, k, &kids, &n), MAPIPROF_OK);
	cr_assert_eq(n, 1);
	char *name = NULL;
	cr_assert_eq(s->ops->key_name(s, kids[0], &name), MAPIPROF_OK);
	cr_assert_str_eq(name, "Outlook");
	free(name);
	free(kids);
	mp_store_close(s);
	free(p);
}

Test(store_hive, read_only_open_leaves_bytes_and_mtime_unchanged)
{
	char *p = tu_stage_src(REGIPY);
	size_t len0 = 0;
	char *before = tu_read(p, &len0);
	int64_t m0 = tu_mtime_ns(p);
	struct mp_store *s = open_store(p, 0);
	cr_assert_null(s->ops->set_values, "read-only store must not offer writes");
	cr_assert_null(s->ops->add_child);
	cr_assert_null(s->ops->write_to);
	mp_key k = lookup(s, "SOFTWARE\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook");
	cr_assert_neq(k, 0);
	mp_store_close(s);
	tu_assert_file_is(p, before, len0);
	cr_assert_eq(tu_mtime_ns(p), m0);
	free(before);
	free(p);
}

Test(store_hive, writable_open_does_not_touch_file_before_write_to)
{
	char *p = tu_stage_src(PLASO);
	int64_t m0 = tu_mtime_ns(p);
	struct mp_store *s = open_store(p, 1);
	mp_key child = 0;
	cr_assert_eq(s->ops->add_child(s, lookup(s, "Software"), "MapiprofTest", &child),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	mp_store_close(s);
	cr_assert_eq(tu_mtime_ns(p), m0);
	free(p);
}

static const struct mp_value new_vals[] = {
    {"One", MP_REG_DWORD, (uint8_t *)"\x01\x00\x00\x00", 4},
    {"", MP_REG_SZ, (uint8_t *)"d\0\0\0", 4},
    {"Blob", MP_REG_BINARY, (uint8_t *)"0123456789abcdef", 16},
};

Test(store_hive, set_values_replaces_all_values_in_one_call)
{
	char *p = tu_stage_src(PLASO);
	struct mp_store *s = open_store(p, 1);
	mp_key k = lookup(s, WMS_PROFILES);
	cr_assert_eq(s->ops->set_values(s, k, new_vals, 3), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	struct mp_value *v = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->values(s, k, &v, &n), MAPIPROF_OK);
	cr_assert_eq(n, 3, "DefaultProfile must be gone, only the three new values remain");
	cr_assert_str_eq(v[0].name, "One");
	cr_assert_str_eq(v[1].name, "");
	cr_assert_eq(v[2].len, 16);
	cr_assert_eq(memcmp(v[2].data, "0123456789abcdef", 16), 0);
	cr_assert_null(mp_store_value_find(v, n, "DefaultProfile"));
	mp_store_values_free(v, n);
	mp_store_close(s);
	free(p);
}

Test(store_hive, write_to_produces_hive_that_reopens_with_changes)
{
	char *p = tu_stage_src(PLASO);
	char *out = tu_tmp_path("out.dat");
	struct mp_store *s = open_store(p, 1);
	mp_key child = 0;
	cr_assert_eq(s->ops->add_child(s, lookup(s, WMS_PROFILES), "Second", &child), MAPIPROF_OK,
	             "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(s->ops->set_values(s, child, new_vals, 3), MAPIPROF_OK);
	cr_assert_eq(s->ops->write_to(s, out), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	mp_store_close(s);
	s = open_store(out, 0);
	mp_key k = lookup(s, WMS_PROFILES "\\second");
	cr_assert_neq(k, 0);
	struct mp_value *v = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->values(s, k, &v, &n), MAPIPROF_OK);
	cr_assert_eq(n, 3);
	const struct mp_value *one = mp_store_value_find(v, n, "one");
	cr_assert_not_null(one);
	cr_assert_eq(one->type, MP_REG_DWORD);
	mp_store_values_free(v, n);
	mp_store_close(s);
	free(out);
	free(p);
}

Test(store_hive, add_child_refuses_existing_name_in_other_case)
{
	char *p = tu_stage_src(PLASO);
	struct mp_store *s = open_store(p, 1);
	mp_key child = 0;
	cr_assert_eq(s->ops->add_child(s, lookup(s, WMS_PROFILES), "OUTLOOK", &child),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "already exists"));
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "Windows Messaging Subsystem\\Profiles"),
	                   "message names the key: %s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(s->ops->add_child(s, lookup(s, WMS_PROFILES), "a\\b", &child),
	             MAPIPROF_FAILED);
	mp_store_close(s);
	free(p);
}

Test(store_hive, missing_file_is_noent_and_non_hive_is_format)
{
	struct mp_store *s = NULL;
	char *p = tu_tmp_path("absent.dat");
	cr_assert_eq(mp_store_hive_open(tu_ctx, p, 0, &s), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOENT);
	cr_assert_null(s);
	static char junk[16384];
	memset(junk, 'x', sizeof(junk));
	cr_assert_eq(tu_write(p, junk, sizeof(junk)), 0);
	cr_assert_eq(mp_store_hive_open(tu_ctx, p, 0, &s), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT, "got %d: %s",
	             mapiprof_errcode(tu_ctx), mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), p);
	free(p);
}

/* Replaces the first occurrence of from (n bytes) in the file at path. */
static void
patch_file(const char *path, const void *from, const void *to, size_t n)
{
	size_t len = 0;
	char *data = tu_read(path, &len);
	cr_assert_not_null(data);
	char *hit = NULL;
	for (size_t i = 0; i + n <= len && hit == NULL; i++)
		if (memcmp(data + i, from, n) == 0)
			hit = data + i;
	cr_assert_not_null(hit, "pattern not found in %s", path);
	memcpy(hit, to, n);
	cr_assert_eq(tu_write(path, data, len), 0);
	free(data);
}

Test(store_hive, undecodable_utf16_names_get_a_substitute_not_a_crash)
{
	char *p = tu_stage_src(PLASO);
	char *out = tu_tmp_path("bad-names.dat");
	struct mp_store *s = open_store(p, 1);
	mp_key k = lookup(s, WMS_PROFILES), child = 0;
	/* U+65E5 U+672C: not Latin-1, so hivex stores the names as UTF-16LE. */
	cr_assert_eq(s->ops->add_child(s, k, "\xE6\x97\xA5\xE6\x9C\xAC", &child), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	const struct mp_value v = {"\xE6\x97\xA5\xE6\x9C\xAC", MP_REG_DWORD,
	                           (uint8_t *)"\x01\0\0\0", 4};
	cr_assert_eq(s->ops->set_values(s, child, &v, 1), MAPIPROF_OK);
	cr_assert_eq(s->ops->write_to(s, out), MAPIPROF_OK);
	mp_store_close(s);
	/* Make both names unpaired high surrogates (D800 D800). */
	patch_file(out, "\xE5\x65\x2C\x67", "\x00\xD8\x00\xD8", 4);
	patch_file(out, "\xE5\x65\x2C\x67", "\x00\xD8\x00\xD8", 4);
	s = open_store(out, 0);
	mp_key *kids = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->children(s, lookup(s, WMS_PROFILES), &kids, &n), MAPIPROF_OK);
	cr_assert_eq(n, 2);
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		char *name = NULL;
		cr_assert_eq(s->ops->key_name(s, kids[i], &name), MAPIPROF_OK);
		if (strncmp(name, "\xEF\xBF\xBD#", 4) == 0) {
			found = 1;
			struct mp_value *vals = NULL;
			size_t nv = 0;
			cr_assert_eq(s->ops->values(s, kids[i], &vals, &nv), MAPIPROF_OK);
			cr_assert_eq(nv, 1);
			cr_assert_eq(strncmp(vals[0].name, "\xEF\xBF\xBD#", 4), 0, "%s",
			             vals[0].name);
			cr_assert_eq(vals[0].len, 4);
			mp_store_values_free(vals, nv);
		}
		free(name);
	}
	cr_assert(found, "substitute name U+FFFD#offset");
	free(kids);
	/* Lookups still work past the bad sibling. */
	cr_assert_neq(lookup(s, WMS_PROFILES "\\Outlook"), 0);
	mp_store_close(s);
	free(out);
	free(p);
}

Test(store_hive, set_values_refuses_big_values_hivex_would_write_wrongly_in_1_5_hive)
{
	char *p = tu_stage_src(REGIPY); /* regf 1.5 */
	struct mp_store *s = open_store(p, 1);
	static uint8_t big[16345];
	const struct mp_value v = {"Big", MP_REG_BINARY, big, sizeof(big)};
	mp_key k = lookup(s, "Software");
	cr_assert_eq(s->ops->set_values(s, k, &v, 1), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_LIMIT);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "'Big'"), "%s", mapiprof_errmsg(tu_ctx));
	const struct mp_value ok = {"Big", MP_REG_BINARY, big, 16344};
	cr_assert_eq(s->ops->set_values(s, k, &ok, 1), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	mp_store_close(s);
	free(p);
}

Test(store_hive, set_values_accepts_big_values_in_1_3_hive)
{
	char *p = tu_stage_src(NOTATIN); /* regf 1.3: no big-data records */
	char *out = tu_tmp_path("big.dat");
	struct mp_store *s = open_store(p, 1);
	static uint8_t big[20000];
	for (size_t i = 0; i < sizeof(big); i++) /* no run repeats within a 4 KiB page */
		big[i] = (uint8_t)(i ^ i >> 8 ^ i >> 13);
	const struct mp_value v = {"Big", MP_REG_BINARY, big, sizeof(big)};
	cr_assert_eq(s->ops->set_values(s, lookup(s, "Software"), &v, 1), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(s->ops->write_to(s, out), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	mp_store_close(s);
	/* Read back by the project... */
	s = open_store(out, 0);
	struct mp_value *vals = NULL;
	size_t nv = 0, found = 0;
	cr_assert_eq(s->ops->values(s, lookup(s, "Software"), &vals, &nv), MAPIPROF_OK);
	for (size_t i = 0; i < nv; i++) {
		if (strcmp(vals[i].name, "Big") != 0)
			continue;
		found++;
		cr_assert_eq(vals[i].type, MP_REG_BINARY);
		cr_assert_eq(vals[i].len, sizeof(big));
		cr_assert_arr_eq(vals[i].data, big, sizeof(big), "the project reads other bytes");
	}
	cr_assert_eq(found, 1);
	mp_store_values_free(vals, nv);
	mp_store_close(s);
	/* ...and by reglookup, whose data field is the bytes with the
	 * unprintable ones and its separators written %XX. */
	char *argv[] = {"/usr/bin/reglookup", "-H", "-p", "/Software/Big", out, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	const char *prefix = "/Software/Big,BINARY,";
	cr_assert_eq(strncmp(r.out, prefix, strlen(prefix)), 0, "%.200s", r.out);
	uint8_t *got = malloc(r.outlen);
	size_t n = 0;
	cr_assert_not_null(got);
	for (const char *q = r.out + strlen(prefix); *q != ',' && *q != '\0'; n++) {
		unsigned x = 0;
		if (*q == '%') {
			cr_assert_eq(sscanf(q + 1, "%2x", &x), 1);
			q += 3;
		} else {
			x = (unsigned char)*q++;
		}
		got[n] = (uint8_t)x;
	}
	cr_assert_eq(n, sizeof(big), "reglookup reads %zu bytes", n);
	cr_assert_arr_eq(got, big, sizeof(big), "reglookup reads other bytes");
	free(got);
	tu_run_free(&r);
	free(out);
	free(p);
}
