/* test_regf_newkeys.c - key creation by the in-place patcher (regf/patch.c,
 * regf/newkeys.c) on copies of fixture and real hives: every new key and
 * value is found by reglookup, regfexport and hivexregedit, nothing else
 * changed, the base block is clean, each parent's subkey list is in the
 * order Windows keeps (regfexport lists keys in stored order; the list
 * cells are read here too: leaf type, hashes, leaves of an ri), old list
 * cells are freed and security cells count their new keys; what it cannot
 * do leaves the file byte-identical. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "regf/patch.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_int.h"

#define WMS             "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
#define EXCHANGE        WMS "\\Exchange"
#define GLOBAL          "13dbb0c8aa05101a9bb000aa002fc45a"
#define REGIPY          "real/regipy/NTUSER_BAGMRU.DAT"
#define REGIPY_PROFILES "SOFTWARE\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook"
#define VNAME_SZ        "001e3001"
#define VNAME_BIN       "00036601"

TestSuite(regf_newkeys, .init = tu_setup, .fini = tu_teardown);

/* A plan creating keys: per key two values (a REG_SZ in a data cell, a
 * 4-byte REG_BINARY inline). */
struct newplan {
	struct mp_key_change *keys;
	struct mp_value_change *ops;
	char **names;
	uint8_t (*sz)[32];
	uint8_t (*bin)[4];
	size_t n, cap;
};

static struct mp_store *
open_store(const char *hive)
{
	struct mp_store *s = NULL;
	cr_assert_eq(mp_store_hive_open(tu_ctx, hive, 0, &s), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return s;
}

static mp_key
find_key(const char *hive, const char *path)
{
	struct mp_store *s = open_store(hive);
	mp_key root = 0, key = 0;
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, path, &key), MAPIPROF_OK);
	cr_assert_neq(key, 0, "no key %s", path);
	mp_store_close(s);
	return key;
}

static void
plan_init(struct newplan *pl, size_t cap)
{
	memset(pl, 0, sizeof(*pl));
	pl->cap = cap;
	pl->keys = calloc(cap, sizeof(*pl->keys));
	pl->ops = calloc(2 * cap, sizeof(*pl->ops));
	pl->names = calloc(cap, sizeof(*pl->names));
	pl->sz = calloc(cap, sizeof(*pl->sz));
	pl->bin = calloc(cap, sizeof(*pl->bin));
	cr_assert(pl->keys && pl->ops && pl->names && pl->sz && pl->bin);
}

static void
plan_free(struct newplan *pl)
{
	for (size_t i = 0; i < pl->n; i++)
		free(pl->names[i]);
	free(pl->keys);
	free(pl->ops);
	free(pl->names);
	free(pl->sz);
	free(pl->bin);
}

/* Adds key uid to create below parent (a profile key; 0: uid is a path
 * from the root) with values "s<i>" and i, or none when nops is 0. */
static struct mp_key_change *
plan_add(struct newplan *pl, mp_key parent, const char *uid, size_t nops)
{
	cr_assert_lt(pl->n, pl->cap);
	size_t i = pl->n++;
	pl->names[i] = strdup(uid);
	char text[16];
	int len = snprintf(text, sizeof(text), "s%zu", i);
	for (int c = 0; c <= len; c++)
		pl->sz[i][2 * c] = (uint8_t)text[c]; /* UTF-16LE with its NUL */
	for (int b = 0; b < 4; b++)
		pl->bin[i][b] = (uint8_t)(i >> (8 * b));
	struct mp_value_change *op = &pl->ops[2 * i];
	op[0] = (struct mp_value_change){VNAME_SZ, 0, MP_REG_SZ, pl->sz[i], 2u * (size_t)len + 2u};
	op[1] = (struct mp_value_change){VNAME_BIN, 0, MP_REG_BINARY, pl->bin[i], 4};
	struct mp_key_change *k = &pl->keys[i];
	*k = (struct mp_key_change){.profile = parent != 0 ? 0 : MP_PATH_KEY,
	                            .profile_key = parent,
	                            .uid = pl->names[i],
	                            .ops = nops > 0 ? op : NULL,
	                            .nops = nops};
	return k;
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

/* The base block is clean: seq1 = seq2 and the XOR checksum of its first
 * 508 bytes ("Base block"), computed here. */
static void
assert_base_clean(const char *hive)
{
	size_t len = 0;
	uint8_t *b = (uint8_t *)tu_read(hive, &len);
	cr_assert(b != NULL && len >= 4096);
	uint32_t x = tu_regf_checksum(b), w[128];
	for (size_t i = 0; i < 128; i++)
		w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		       (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
	cr_assert_eq(w[1], w[2], "sequence numbers %u/%u", w[1], w[2]);
	cr_assert_eq(w[127], x, "checksum 0x%08x, computed 0x%08x", w[127], x);
	free(b);
}

static void
expect_done(const char *hive, const struct newplan *pl)
{
	int done = 0;
	cr_assert_eq(patch(hive, pl->keys, pl->n, &done), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(done, 1, "the patcher declined");
	assert_base_clean(hive);
}

static void
expect_decline(const char *hive, const struct mp_key_change *keys, size_t n)
{
	size_t len = 0;
	char *before = tu_read(hive, &len);
	int done = -1;
	cr_assert_eq(patch(hive, keys, n, &done), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(done, 0, "the patcher should have declined");
	size_t alen = 0;
	char *after = tu_read(hive, &alen);
	cr_assert(alen == len && memcmp(before, after, len) == 0, "a declined plan changed bytes");
	free(before);
	free(after);
}

/* "/a/b" for path "a\b" (reglookup's spelling). */
static void
slashed(const char *path, char *out, size_t size)
{
	snprintf(out, size, "/%s", path);
	for (char *c = out; *c != '\0'; c++)
		*c = *c == '\\' ? '/' : *c;
}

/* reglookup finds each new key of pl below parent_path with its values;
 * every record of the hive before is still there, but the parent's KEY
 * line (its time). */
static void
assert_reglookup(const char *before, const char *after, const struct newplan *pl,
                 const char *parent_path)
{
	struct tu_dump a, b;
	tu_dump_reglookup(before, &a);
	tu_dump_reglookup(after, &b);
	char kp[4096], want[4200];
	for (size_t i = 0; i < pl->n; i++) {
		char full[2048];
		snprintf(full, sizeof(full), "%s\\%s", parent_path, pl->names[i]);
		slashed(full, kp, sizeof(kp));
		size_t found = 0, wl = (size_t)snprintf(want, sizeof(want), "%s,KEY,,", kp);
		for (size_t r = 0; r < b.n && found == 0; r++)
			found = strncasecmp(b.rec[r], want, wl) == 0;
		cr_assert(found, "reglookup lacks key %s", kp);
		if (pl->keys[i].nops == 0)
			continue;
		snprintf(want, sizeof(want), "%s/%s,SZ,s%zu,", kp, VNAME_SZ, i);
		cr_assert(tu_dump_has(&b, want), "reglookup lacks %s", want);
		int n = snprintf(want, sizeof(want), "%s/%s,BINARY,", kp, VNAME_BIN);
		for (int c = 0; c < 4; c++) {
			uint8_t x = pl->bin[i][c];
			int plain = x >= 0x20 && x < 0x7f && x != '%' && x != ',' && x != '"';
			n += plain ? snprintf(want + n, sizeof(want) - (size_t)n, "%c", x)
			           : snprintf(want + n, sizeof(want) - (size_t)n, "%%%02X", x);
		}
		snprintf(want + n, sizeof(want) - (size_t)n, ",");
		cr_assert(tu_dump_has(&b, want), "reglookup lacks %s", want);
	}
	/* Only the parent's time may change (a key that gains subkeys). */
	slashed(parent_path, kp, sizeof(kp));
	size_t wl = (size_t)snprintf(want, sizeof(want), "%s,KEY,,", kp);
	for (size_t r = 0; r < a.n; r++)
		cr_assert(tu_dump_has(&b, a.rec[r]) || strncmp(a.rec[r], want, wl) == 0,
		          "record lost or changed: %s", a.rec[r]);
	tu_dump_free(&a);
	tu_dump_free(&b);
}

/* Runs a tool with arguments (argv[0] a path); returns its stdout. */
static char *
tool(char *const argv[])
{
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0, "cannot run %s", argv[0]);
	cr_assert_eq(r.status, 0, "%s: %s", argv[0], r.err);
	char *out = r.out;
	r.out = NULL;
	tu_run_free(&r);
	return out;
}

/* Folds as the registry compares names (ASCII and Latin-1 letters). */
static int
fold(int c)
{
	c &= 0xFF;
	return (c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) ? c - 0x20 : c;
}

static int
name_cmp(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (fold(*a) != fold(*b))
			return fold(*a) - fold(*b);
	return fold(*a) - fold(*b);
}

/* regfexport (which lists keys in stored order) shows the new keys of pl
 * below parent_path with their values, and the children of parent_path in
 * the order Windows keeps: by upper-cased name.  Returns how many children
 * it lists there. */
static size_t
assert_regfexport(const char *hive, const struct newplan *pl, const char *parent_path)
{
	char *argv[] = {(char *)"/usr/bin/regfexport", (char *)hive, NULL};
	char *out = tool(argv);
	char prefix[2048], prev[512] = "", root[512] = "";
	size_t pl_len = (size_t)snprintf(prefix, sizeof(prefix), "%s\\", parent_path);
	size_t kids = 0;
	for (char *p = out, *nl; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (strncmp(p, "Key path: ", 10) != 0)
			continue;
		const char *below = strchr(p + 10, '\\'); /* past the root's name */
		if (root[0] == '\0')
			snprintf(root, sizeof(root), "%s", p + 10);
		if (below == NULL || strncasecmp(below + 1, prefix, pl_len) != 0 ||
		    strchr(below + 1 + pl_len, '\\') != NULL)
			continue;
		cr_assert_lt(name_cmp(prev, below + 1 + pl_len), 0, "out of order: '%s' then '%s'",
		             prev, below + 1 + pl_len);
		snprintf(prev, sizeof(prev), "%s", below + 1 + pl_len);
		kids++;
	}
	free(out);
	struct tu_dump d;
	tu_dump_regfexport(hive, &d);
	for (size_t i = 0; i < pl->n; i++) {
		char want[4096];
		size_t wl = (size_t)snprintf(want, sizeof(want), "K|%s\\%s\\%s\n", root,
		                             parent_path, pl->names[i]);
		size_t found = 0;
		for (size_t r = 0; r < d.n && found == 0; r++)
			found = strncmp(d.rec[r], want, wl) == 0;
		cr_assert(found, "regfexport lacks %s", want);
		if (pl->keys[i].nops == 0)
			continue;
		snprintf(want, sizeof(want),
		         "V|%s\\%s\\%s|%s\nType: string (REG_SZ)\nData size: %zu\nData: s%zu", root,
		         parent_path, pl->names[i], VNAME_SZ, pl->ops[2 * i].len, i);
		cr_assert(tu_dump_has(&d, want), "regfexport lacks %s", want);
	}
	tu_dump_free(&d);
	return kids;
}

/* hivexregedit --export shows every new key of pl below parent_path and its
 * string value, byte for byte. */
static void
assert_hivexregedit(const char *hive, const struct newplan *pl, const char *parent_path)
{
	/* The export of parent_path's subtree holds all that is checked here;
	 * the long run exports the whole hive, which for a multi-megabyte
	 * Windows hive takes hivexregedit ten times as long. */
	char key[2048];
	snprintf(key, sizeof(key), "\\%s", tu_long_mode() ? "" : parent_path);
	char *argv[] = {(char *)"/usr/bin/hivexregedit", (char *)"--export", (char *)hive, key,
	                NULL};
	char *out = tool(argv);
	char head[2048], value[512];
	/* It writes a key's subkeys one after the other, sorted. */
	snprintf(head, sizeof(head), "[\\%s\\", parent_path);
	const char *region = strstr(out, head);
	cr_assert_not_null(region, "hivexregedit shows nothing below %s", parent_path);
	for (size_t i = 0; i < pl->n; i++) {
		snprintf(head, sizeof(head), "[\\%s\\%s]\n", parent_path, pl->names[i]);
		const char *at = strstr(region, head);
		cr_assert_not_null(at, "hivexregedit lacks %s", head);
		if (pl->keys[i].nops == 0)
			continue;
		int n = snprintf(value, sizeof(value), "\"%s\"=hex(1):", VNAME_SZ);
		for (size_t b = 0; b < pl->ops[2 * i].len; b++)
			n += snprintf(value + n, sizeof(value) - (size_t)n, "%s%02x",
			              b > 0 ? "," : "", pl->sz[i][b]);
		const char *end = strstr(at + 1, "\n\n");
		const char *v = strstr(at, value);
		cr_assert(v != NULL && (end == NULL || v < end), "hivexregedit lacks %s in %s",
		          value, head);
	}
	free(out);
}

/* ---- the hive's cells, read here ---------------------------------------------- */

struct hive {
	uint8_t *b;
	size_t len;
};

static uint32_t
le32(const struct hive *h, uint32_t rel, uint32_t off)
{
	size_t at = 4096u + (size_t)rel + off;
	cr_assert_leq(at + 4, h->len);
	const uint8_t *p = h->b + at;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t
le16(const struct hive *h, uint32_t rel, uint32_t off)
{
	return le32(h, rel, off) & 0xFFFFu;
}

/* One entry of a key's subkey list as stored. */
struct entry {
	uint32_t nk, second; /* nk offset, hash or hint */
	char sig[3];         /* leaf type */
	char name[256];
};

/* The entries of the subkey list of the nk at rel (key handle - 4096);
 * *nleaves: leaves below an ri (0: one leaf). */
static struct entry *
entries(const struct hive *h, uint32_t rel, size_t *n, size_t *nleaves)
{
	uint32_t count = le32(h, rel, 4 + 20), list = le32(h, rel, 4 + 28);
	struct entry *e = calloc(count + 1u, sizeof(*e));
	cr_assert_not_null(e);
	*n = 0;
	*nleaves = 0;
	uint32_t leaves[1024], nl = 1;
	leaves[0] = list;
	if (memcmp(h->b + 4096 + list + 4, "ri", 2) == 0) {
		nl = le16(h, list, 6);
		cr_assert_leq(nl, 1024);
		for (uint32_t i = 0; i < nl; i++)
			leaves[i] = le32(h, list, 8 + 4 * i);
		*nleaves = nl;
	}
	for (uint32_t l = 0; l < nl; l++) {
		uint32_t c = le16(h, leaves[l], 6);
		for (uint32_t i = 0; i < c; i++) {
			cr_assert_lt(*n, count, "more entries than subkeys");
			struct entry *x = &e[(*n)++];
			memcpy(x->sig, h->b + 4096 + leaves[l] + 4, 2);
			x->nk = le32(h, leaves[l], 8 + 8 * i);
			x->second = le32(h, leaves[l], 12 + 8 * i);
			uint32_t nl2 = le16(h, x->nk, 4 + 72);
			cr_assert(nl2 < sizeof(x->name) && (le16(h, x->nk, 4 + 2) & 0x20) != 0);
			memcpy(x->name, h->b + 4096 + x->nk + 4 + 76, nl2);
		}
	}
	cr_assert_eq(*n, count, "the lists hold %zu of %u subkeys", *n, count);
	return e;
}

/* The list below key (a handle) is sorted, of the leaf type of the hive's
 * version with the right hashes or hints ("Hash leaf", "Fast leaf"), each
 * leaf of an ri at most 500 entries.  Returns the number of leaves (0:
 * one list). */
static size_t
assert_list(const char *hive, mp_key key, int want_lh)
{
	struct hive h;
	h.b = (uint8_t *)tu_read(hive, &h.len);
	cr_assert_not_null(h.b);
	size_t n = 0, nleaves = 0;
	struct entry *e = entries(&h, (uint32_t)(key - 4096u), &n, &nleaves);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			cr_assert_lt(name_cmp(e[i - 1].name, e[i].name), 0, "%s before %s",
			             e[i - 1].name, e[i].name);
		cr_assert_str_eq(e[i].sig, want_lh ? "lh" : "lf");
		uint32_t hash = 0;
		uint8_t hint[4] = {0};
		for (size_t c = 0; e[i].name[c] != '\0'; c++) {
			hash = 37u * hash + (uint32_t)fold(e[i].name[c]);
			if (c < 4)
				hint[c] = (uint8_t)e[i].name[c];
		}
		uint32_t h4 = (uint32_t)hint[0] | (uint32_t)hint[1] << 8 | (uint32_t)hint[2] << 16 |
		              (uint32_t)hint[3] << 24;
		cr_assert_eq(e[i].second, want_lh ? hash : h4, "%s: entry 0x%08x", e[i].name,
		             e[i].second);
	}
	if (nleaves > 0)
		cr_assert_leq((n + nleaves - 1) / nleaves, 500, "%zu entries in %zu leaves", n,
		              nleaves);
	free(e);
	free(h.b);
	return nleaves;
}

/* The reference count of the security cell of the key at handle key. */
static uint32_t
sk_refs(const char *hive, mp_key key)
{
	struct hive h;
	h.b = (uint8_t *)tu_read(hive, &h.len);
	uint32_t sk = le32(&h, (uint32_t)(key - 4096u), 4 + 44);
	cr_assert_eq(memcmp(h.b + 4096 + sk + 4, "sk", 2), 0);
	uint32_t refs = le32(&h, sk, 16);
	free(h.b);
	return refs;
}

/* 32 hex digits, distinct for each i and in no particular order. */
static void
section_name(size_t i, char *out)
{
	sprintf(out, "%08x%024zx", (unsigned)((i * 2654435761u) & 0xffffffffu), i);
}

static void
create_sections(const char *hive, size_t n, struct newplan *pl)
{
	mp_key exchange = find_key(hive, EXCHANGE);
	plan_init(pl, n);
	for (size_t i = 0; i < n; i++) {
		char name[40];
		section_name(i, name);
		plan_add(pl, exchange, name, 2);
	}
}

static void
check_sections(const char *before, const char *hive, const struct newplan *pl, size_t old_kids)
{
	assert_reglookup(before, hive, pl, EXCHANGE);
	cr_assert_eq(assert_regfexport(hive, pl, EXCHANGE), old_kids + pl->n);
	assert_hivexregedit(hive, pl, EXCHANGE);
}

/* ---- tests ------------------------------------------------------------------------- */

Test(regf_newkeys, one_new_section_reads_back_in_every_tool)
{
	char *ref = tu_stage_built("exchange-mapi.dat");
	char *hive = tu_tmp_path("one.dat");
	cr_assert_eq(tu_copy(ref, hive), 0);
	mp_key exchange = find_key(hive, EXCHANGE);
	uint32_t refs = sk_refs(hive, exchange);
	struct newplan pl;
	create_sections(hive, 1, &pl);
	expect_done(hive, &pl);
	check_sections(ref, hive, &pl, 9);
	tu_assert_clean_file(hive);
	assert_list(hive, exchange, 0); /* a 1.3 hive: lf leaves */
	cr_assert_eq(sk_refs(hive, exchange), refs + 1);
	plan_free(&pl);
	free(hive);
	free(ref);
}

Test(regf_newkeys, a_few_new_keys_are_merged_in_windows_order)
{
	char *ref = tu_stage_built("exchange-mapi.dat");
	char *hive = tu_tmp_path("few.dat");
	cr_assert_eq(tu_copy(ref, hive), 0);
	mp_key exchange = find_key(hive, EXCHANGE);
	/* Around and between the existing 32-hex-digit names; '_' (0x5F)
	 * sorts after the letters once they are upper-cased. */
	const char *names[] = {
	    "zz", "_x", "14", "AZ", "a_b", "13DBB0C8AA05101A9BB000AA002FC45B", "\xE9t\xE9"};
	struct newplan pl;
	plan_init(&pl, 7);
	for (size_t i = 0; i < 7; i++)
		plan_add(&pl, exchange, names[i], i % 2 == 0 ? 2 : 0);
	/* Latin-1 é as UTF-8 in the plan. */
	pl.keys[6].uid = "\xC3\xA9t\xC3\xA9";
	expect_done(hive, &pl);
	pl.n = 6; /* the tools print é in their own ways; order checked below */
	check_sections(ref, hive, &pl, 9 + 1);
	assert_list(hive, exchange, 0);
	pl.n = 7;
	plan_free(&pl);
	free(hive);
	free(ref);
}

Test(regf_newkeys, more_than_a_thousand_new_sections_make_an_ri_of_leaves)
{
	char *ref = tu_stage_built("exchange-mapi.dat");
	char *hive = tu_tmp_path("many.dat");
	cr_assert_eq(tu_copy(ref, hive), 0);
	mp_key exchange = find_key(hive, EXCHANGE);
	uint32_t refs = sk_refs(hive, exchange);
	struct newplan pl;
	create_sections(hive, 1200, &pl);
	expect_done(hive, &pl);
	check_sections(ref, hive, &pl, 9);
	tu_assert_clean_file(hive);
	cr_assert_eq(assert_list(hive, exchange, 0), 3, "1209 subkeys: an ri of 3 leaves");
	cr_assert_eq(sk_refs(hive, exchange), refs + 1200);
	plan_free(&pl);

	/* More keys into that ri: its cells and its leaves' are freed. */
	struct hive h;
	h.b = (uint8_t *)tu_read(hive, &h.len);
	uint32_t ri = le32(&h, (uint32_t)(exchange - 4096u), 4 + 28);
	uint32_t leaf0 = le32(&h, ri, 8);
	free(h.b);
	char *before = tu_tmp_path("many-before.dat");
	cr_assert_eq(tu_copy(hive, before), 0);
	struct newplan more;
	plan_init(&more, 3);
	plan_add(&more, exchange, "0", 2);
	plan_add(&more, exchange, "ffffffff", 2);
	plan_add(&more, exchange, "8", 0);
	expect_done(hive, &more);
	h.b = (uint8_t *)tu_read(hive, &h.len);
	cr_assert_gt((int32_t)le32(&h, ri, 0), 0, "old ri freed");
	cr_assert_gt((int32_t)le32(&h, leaf0, 0), 0, "old leaf freed");
	free(h.b);
	assert_reglookup(before, hive, &more, EXCHANGE);
	cr_assert_eq(assert_regfexport(hive, &more, EXCHANGE), 1212);
	cr_assert_eq(assert_list(hive, exchange, 0), 3);
	plan_free(&more);
	free(before);
	free(hive);
	free(ref);
}

Test(regf_newkeys, nested_keys_are_created_with_their_missing_parents)
{
	char *ref = tu_stage_built("exchange-mapi.dat");
	char *hive = tu_tmp_path("nested.dat");
	cr_assert_eq(tu_copy(ref, hive), 0);
	mp_key exchange = find_key(hive, EXCHANGE), root = find_key(hive, "Software");
	uint32_t refs = sk_refs(hive, root);
	struct newplan pl;
	plan_init(&pl, 4);
	/* Software\Vendor and Software\Vendor\App have no entry of their own. */
	plan_add(&pl, 0, "Software\\Vendor\\App\\Deep", 2);
	plan_add(&pl, 0, "Software\\Vendor\\Other", 0);
	/* A key of the plan that gains a child and a value at once. */
	static const uint8_t nine[4] = {9, 0, 0, 0};
	struct mp_value_change op = {"00036601", 0, MP_REG_BINARY, nine, 4};
	pl.keys[pl.n++] = (struct mp_key_change){.profile = 0,
	                                         .profile_key = exchange,
	                                         .key = find_key(hive, EXCHANGE "\\" GLOBAL),
	                                         .uid = GLOBAL,
	                                         .ops = &op,
	                                         .nops = 1};
	plan_add(&pl, exchange, GLOBAL "\\child", 2);
	expect_done(hive, &pl);
	cr_assert_eq(sk_refs(hive, root), refs + 5, "5 new keys share the one sk");
	struct tu_dump d;
	tu_dump_reglookup(hive, &d);
	const char *want[] = {
	    "/Software/Vendor,KEY,,",
	    "/Software/Vendor/App,KEY,,",
	    "/Software/Vendor/App/Deep,KEY,,",
	    "/Software/Vendor/Other,KEY,,",
	};
	for (size_t i = 0; i < 4; i++) {
		size_t found = 0;
		for (size_t r = 0; r < d.n; r++)
			found += strncmp(d.rec[r], want[i], strlen(want[i])) == 0;
		cr_assert_eq(found, 1, "reglookup lacks %s", want[i]);
	}
	char kp[1024], line[1200];
	slashed(EXCHANGE "\\" GLOBAL, kp, sizeof(kp));
	snprintf(line, sizeof(line), "%s/00036601,BINARY,%%09%%00%%00%%00,", kp);
	cr_assert(tu_dump_has(&d, line), "reglookup lacks %s", line);
	snprintf(line, sizeof(line), "%s/child/%s,SZ,s3,", kp, VNAME_SZ);
	cr_assert(tu_dump_has(&d, line), "reglookup lacks %s", line);
	snprintf(line, sizeof(line), "/Software/Vendor/App/Deep/%s,SZ,s0,", VNAME_SZ);
	cr_assert(tu_dump_has(&d, line), "reglookup lacks %s", line);
	tu_dump_free(&d);
	struct newplan deep = {
	    .names = (char *[]){(char *)"Deep"}, .n = 1, .ops = pl.ops, .sz = pl.sz};
	deep.keys = pl.keys;
	assert_hivexregedit(hive, &deep, "Software\\Vendor\\App");
	assert_list(hive, find_key(hive, "Software\\Vendor"), 0);
	assert_list(hive, find_key(hive, "Software"), 0);
	plan_free(&pl);
	free(hive);
	free(ref);
}

/* A clean copy of the regipy hive (1.5; dirty as shipped: seq2 = seq1 - 1). */
static char *
stage_clean_regipy(void)
{
	char *p = tu_stage_src(REGIPY);
	size_t len = 0;
	uint8_t *b = (uint8_t *)tu_read(p, &len);
	cr_assert_not_null(b);
	memcpy(b + 8, b + 4, 4);
	tu_regf_reseal(b);
	cr_assert_eq(tu_write(p, b, len), 0);
	free(b);
	return p;
}

/* The fixture as a version 1.5 hive (hivex wrote lh lists into it
 * already): minor version 5, checksum recomputed ("Base block"). */
static char *
stage_exchange_1_5(void)
{
	char *p = tu_stage_built("exchange-mapi.dat");
	tu_hive_set_minor(p, 5);
	return p;
}

Test(regf_newkeys, a_1_5_hive_gets_lh_leaves_with_windows_hashes)
{
	char *hive = stage_exchange_1_5();
	char *ref = tu_tmp_path("lh-before.dat");
	cr_assert_eq(tu_copy(hive, ref), 0);
	struct newplan pl;
	create_sections(hive, 600, &pl);
	expect_done(hive, &pl);
	check_sections(ref, hive, &pl, 9);
	cr_assert_eq(assert_list(hive, find_key(hive, EXCHANGE), 1), 2,
	             "609 subkeys: an ri of two lh leaves");
	plan_free(&pl);
	free(ref);
	free(hive);
}

Test(regf_newkeys, a_windows_hive_gains_keys_among_windows_lists)
{
	char *hive = stage_clean_regipy();
	char *ref = tu_tmp_path("regipy-before.dat");
	cr_assert_eq(tu_copy(hive, ref), 0);
	mp_key outlook = find_key(hive, REGIPY_PROFILES);
	struct newplan pl;
	plan_init(&pl, 20);
	for (size_t i = 0; i < 20; i++) {
		char name[40];
		section_name(i, name);
		plan_add(&pl, outlook, name, 2);
	}
	expect_done(hive, &pl);
	assert_reglookup(ref, hive, &pl, REGIPY_PROFILES);
	assert_hivexregedit(hive, &pl, REGIPY_PROFILES);
	if (tu_long_mode()) /* regfexport takes about 40 s on this 6.5 MB hive */
		assert_regfexport(hive, &pl, REGIPY_PROFILES);
	assert_list(hive, outlook, 1); /* Windows' hashes of the old entries too */
	plan_free(&pl);
	free(ref);
	free(hive);
}

Test(regf_newkeys, what_it_cannot_do_leaves_the_file_as_it_was)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	mp_key exchange = find_key(hive, EXCHANGE);
	struct newplan pl;
	plan_init(&pl, 4);
	/* An existing name, in other case. */
	plan_add(&pl, exchange, "13DBB0C8AA05101A9BB000AA002FC45A", 2);
	expect_decline(hive, pl.keys, 1);
	/* A name outside Latin-1, whose hash needs Windows' upper-case table. */
	pl.keys[0].uid = "\xE6\x97\xA5\xE6\x9C\xAC";
	expect_decline(hive, pl.keys, 1);
	/* A name longer than 255 characters. */
	char longname[300];
	memset(longname, 'k', 256);
	longname[256] = '\0';
	pl.keys[0].uid = longname;
	expect_decline(hive, pl.keys, 1);
	/* One key twice. */
	pl.keys[0].uid = "newkey";
	pl.keys[1] = pl.keys[0];
	expect_decline(hive, pl.keys, 2);
	/* A plan that also deletes a key. */
	pl.keys[1] = (struct mp_key_change){.profile = MP_PATH_KEY,
	                                    .key = find_key(hive, EXCHANGE "\\" GLOBAL),
	                                    .uid = EXCHANGE "\\" GLOBAL,
	                                    .del = 1};
	expect_decline(hive, pl.keys, 2);
	pl.n = 1;
	plan_free(&pl);
	free(hive);
}

/* Writes 4 bytes v at file offset off of hive. */
static void
poke32(const char *hive, uint64_t off, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	int fd = open(hive, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, b, 4, (off_t)off), 4);
	close(fd);
}

Test(regf_newkeys, a_parent_with_an_unusual_list_is_left_alone)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	mp_key exchange = find_key(hive, EXCHANGE);
	struct hive h;
	h.b = (uint8_t *)tu_read(hive, &h.len);
	uint32_t list = le32(&h, (uint32_t)(exchange - 4096u), 4 + 28);
	uint32_t sig = le32(&h, list, 4);
	free(h.b);
	struct newplan pl;
	plan_init(&pl, 1);
	plan_add(&pl, exchange, "newkey", 2);
	/* A list that is not li/lf/lh/ri. */
	poke32(hive, 4096u + list + 4u, (sig & 0xFFFF0000u) | 'x' | 'x' << 8);
	expect_decline(hive, pl.keys, 1);
	/* A list that holds fewer entries than the key's subkey count. */
	poke32(hive, 4096u + list + 4u, sig);
	poke32(hive, exchange + 4u + 20u, 10);
	expect_decline(hive, pl.keys, 1);
	/* Volatile subkeys on disk. */
	poke32(hive, exchange + 4u + 20u, 9);
	poke32(hive, exchange + 4u + 24u, 1);
	expect_decline(hive, pl.keys, 1);
	/* As it was: created. */
	poke32(hive, exchange + 4u + 24u, 0);
	expect_done(hive, &pl);
	plan_free(&pl);
	free(hive);
}
