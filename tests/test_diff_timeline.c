/* test_diff_timeline.c - the library's mapiprof_timeline and mapiprof_diff
 * through the public API: one record per profile and section key with the
 * key's path, sorted by time; the changes of a plan written with the
 * library found again by a diff, with the flag bits (as masks) set and
 * cleared, enumerations without bits; the options' errors. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "testutil.h"

TestSuite(diff_timeline, .init = tu_setup, .fini = tu_teardown);

static struct mapiprof_file *
open_path(const char *path)
{
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &f), MAPIPROF_OK, "%s: %s", path,
	             mapiprof_errmsg(tu_ctx));
	return f;
}

/* Writes the edits applied to the default profile of src to out. */
static void
write_edits(const char *src, const char *out, const char *const *edits, size_t n)
{
	struct mapiprof_recipe *rec = NULL;
	struct mapiprof_plan *plan = NULL;
	struct mapiprof_file *f = open_path(src);
	size_t p;
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, edits, n, &rec), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_profile_find(f, NULL, &p), MAPIPROF_OK);
	cr_assert_eq(mapiprof_plan_build(f, rec, &p, 1, &plan), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_plan_count(plan), n);
	struct mapiprof_write_opts wo = {.output = out};
	cr_assert_eq(mapiprof_plan_write(f, plan, &wo), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	mapiprof_plan_free(plan);
	mapiprof_recipe_free(rec);
	mapiprof_close(f);
}

Test(diff_timeline, timeline_has_every_key_sorted)
{
	char *src = tu_stage_src("real/regipy/NTUSER_BAGMRU.DAT");
	struct mapiprof_file *f = open_path(src);
	struct mapiprof_keytime *k = NULL;
	size_t n = 0, want = 0;
	cr_assert_eq(mapiprof_timeline(f, 0, &k, &n), MAPIPROF_OK);
	for (size_t i = 0; i < mapiprof_profile_count(f); i++)
		want += 1 + mapiprof_section_count(f, i);
	cr_assert_eq(n, want);
	size_t profiles = 0;
	for (size_t i = 0; i < n; i++) {
		cr_assert(i == 0 || k[i - 1].last_write <= k[i].last_write, "sorted at %zu", i);
		cr_assert_gt(k[i].last_write, 0);
		cr_assert_not(k[i].deleted);
		size_t p;
		cr_assert_eq(mapiprof_profile_find(f, k[i].profile, &p), MAPIPROF_OK);
		const struct mapiprof_profile *pr = mapiprof_profile_at(f, p);
		size_t plen = strlen(pr->root) + strlen(pr->name) + 2;
		char *ppath = malloc(plen);
		cr_assert_not_null(ppath);
		snprintf(ppath, plen, "%s\\%s", pr->root, pr->name);
		if (k[i].section == NULL) {
			profiles++;
			cr_assert_str_eq(k[i].role, "profile");
			cr_assert_str_eq(k[i].path, ppath);
			cr_assert_eq(k[i].last_write, pr->last_write);
		} else {
			cr_assert(strncmp(k[i].path, ppath, strlen(ppath)) == 0);
			cr_assert_str_eq(k[i].path + strlen(ppath) + 1, k[i].section);
			int found = 0;
			for (size_t s = 0; s < mapiprof_section_count(f, p); s++) {
				const struct mapiprof_section *sec = mapiprof_section_at(f, p, s);
				if (strcmp(sec->uid, k[i].section) == 0) {
					found = 1;
					cr_assert_str_eq(k[i].role, sec->role);
					cr_assert_eq(k[i].last_write, sec->last_write);
				}
			}
			cr_assert(found, "section %s", k[i].section);
		}
		free(ppath);
	}
	cr_assert_eq(profiles, mapiprof_profile_count(f));
	mapiprof_free(k);
	/* With recovered keys: the same live records, each recovered key of
	 * mapiprof_deleted_keys once, all sorted. */
	size_t n2 = 0, live = 0, recovered = 0, nd = 0;
	struct mapiprof_keytime *k2 = NULL;
	const struct mapiprof_deleted_key *d = NULL;
	cr_assert_eq(mapiprof_timeline(f, MAPIPROF_TIMELINE_DELETED, &k2, &n2), MAPIPROF_OK);
	cr_assert_eq(mapiprof_deleted_keys(f, &d, &nd, NULL), MAPIPROF_OK);
	for (size_t i = 0; i < nd; i++)
		recovered += d[i].deleted && d[i].path != NULL;
	for (size_t i = 0; i < n2; i++) {
		cr_assert(i == 0 || k2[i - 1].last_write <= k2[i].last_write, "sorted at %zu", i);
		cr_assert_not_null(k2[i].path);
		live += !k2[i].deleted;
	}
	cr_assert_eq(live, n);
	cr_assert_eq(n2, n + recovered);
	mapiprof_free(k2);
	mapiprof_close(f);
	free(src);
}

Test(diff_timeline, diff_finds_written_changes_with_bit_masks)
{
	char *src = tu_stage_built("exchange-mapi.dat"), *out = tu_tmp_path("out.dat");
	const char *edits[] = {
	    "global PR_PROFILE_CONFIG_FLAGS += CONFIG_OST_CACHE_PRIVATE",
	    "global PR_PROFILE_TRANSPORT_FLAGS -= TRANSPORT_UPLOAD",
	    "global PR_PROFILE_AUTH_PACKAGE = RPC_C_AUTHN_GSS_NEGOTIATE",
	};
	write_edits(src, out, edits, 3);
	struct mapiprof_file *a = open_path(src), *b = open_path(out);
	struct mapiprof_diff *d = NULL;
	cr_assert_eq(mapiprof_diff(a, b, NULL, &d), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_diff_count(d), 3);
	int seen_set = 0, seen_cleared = 0, seen_enum = 0;
	for (size_t i = 0; i < mapiprof_diff_count(d); i++) {
		const struct mapiprof_diff_change *c = mapiprof_diff_at(d, i);
		cr_assert_not_null(c->after);
		cr_assert_eq(c->change,
		             c->before != NULL ? MAPIPROF_DIFF_CHANGED : MAPIPROF_DIFF_ADDED);
		cr_assert_str_eq(c->role, "global");
		cr_assert_eq(mapiprof_section_at(a, c->profile_a, c->section_a)->uid, c->section);
		/* An absent value counts as 0. */
		uint32_t x = c->before != NULL ? (uint32_t)c->before->i : 0,
		         y = (uint32_t)c->after->i;
		if (strcmp(c->after->name, "PR_PROFILE_AUTH_PACKAGE") == 0) {
			seen_enum = 1; /* an enumeration: a value, no bits */
			cr_assert_null(c->before, "the fixture has no PR_PROFILE_AUTH_PACKAGE");
			cr_assert_neq(y, 0);
			cr_assert_eq(c->bits_set | c->bits_cleared, 0);
			cr_assert_eq(c->nset_names + c->ncleared_names, 0);
			continue;
		}
		cr_assert_eq(c->bits_set, y & ~x);
		cr_assert_eq(c->bits_cleared, x & ~y);
		cr_assert_eq(c->unknown_set | c->unknown_cleared, 0, "every bit has a name");
		if (c->bits_set != 0) {
			seen_set = 1;
			cr_assert_eq(c->nset_names, 1);
			cr_assert_str_eq(c->set_names[0], "CONFIG_OST_CACHE_PRIVATE");
		}
		if (c->bits_cleared != 0) {
			seen_cleared = 1;
			cr_assert_eq(c->ncleared_names, 1);
			cr_assert_str_eq(c->cleared_names[0], "TRANSPORT_UPLOAD");
		}
	}
	cr_assert(seen_set && seen_cleared && seen_enum);
	mapiprof_diff_free(d);

	/* Filters: the profile without changes, a section without changes. */
	struct mapiprof_diff_opts o = {"Personal", NULL};
	cr_assert_eq(mapiprof_diff(a, b, &o, &d), MAPIPROF_OK);
	cr_assert_eq(mapiprof_diff_count(d), 0);
	mapiprof_diff_free(d);
	o = (struct mapiprof_diff_opts){NULL, "emsab"};
	cr_assert_eq(mapiprof_diff(a, b, &o, &d), MAPIPROF_OK);
	cr_assert_eq(mapiprof_diff_count(d), 0);
	mapiprof_diff_free(d);
	/* Errors. */
	o = (struct mapiprof_diff_opts){NULL, "no:such"};
	cr_assert_eq(mapiprof_diff(a, b, &o, &d), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_SELECTOR);
	cr_assert_null(d);
	o = (struct mapiprof_diff_opts){"Nobody", NULL};
	cr_assert_eq(mapiprof_diff(a, b, &o, &d), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROFILE);
	mapiprof_close(a);
	mapiprof_close(b);
	free(src);
	free(out);
}
