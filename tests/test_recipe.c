/* test_recipe.c - recipes: the built-ins compiled in from recipes/, a user's
 * recipe file with comments and headers, recipes from -e edits, and the
 * errors that name the line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapiprof/mapiprof.h"
#include "testutil.h"

TestSuite(recipe, .init = tu_setup, .fini = tu_teardown);

static struct mapiprof_recipe *rec;

static const struct mapiprof_recipe_info *
load_ok(const char *name)
{
	mapiprof_recipe_free(rec);
	rec = NULL;
	cr_assert_eq(mapiprof_recipe_load(tu_ctx, name, &rec), MAPIPROF_OK, "%s: %s", name,
	             mapiprof_errmsg(tu_ctx));
	return mapiprof_recipe_info(rec);
}

/* Loads name expecting failure with code; returns the message. */
static const char *
load_fails(const char *name, enum mapiprof_error code)
{
	struct mapiprof_recipe *r = (struct mapiprof_recipe *)&r;
	cr_assert_eq(mapiprof_recipe_load(tu_ctx, name, &r), MAPIPROF_FAILED, "%s", name);
	cr_assert_null(r);
	cr_assert_eq(mapiprof_errcode(tu_ctx), code, "%s: code %d (%s)", name,
	             (int)mapiprof_errcode(tu_ctx), mapiprof_errmsg(tu_ctx));
	return mapiprof_errmsg(tu_ctx);
}

/* Writes text as tu_tmp/name and returns its path (malloc'd). */
static char *
recipe_file(const char *name, const char *text)
{
	return tu_tmp_write(name, text, strlen(text));
}

static void
assert_has(const char *hay, const char *needle)
{
	cr_assert(strstr(hay, needle) != NULL, "'%s' lacks '%s'", hay, needle);
}

/* ---- built-ins --------------------------------------------------------- */

Test(recipe, three_builtins_with_description_and_applies_to)
{
	cr_assert_eq(mapiprof_builtin_count(), 3);
	static const struct {
		const char *name;
		size_t nedits;
		const char *scope;
	} want[] = {
	    {"exchange2007-gc-referral", 5, "exchange-legacy"},
	    {"cached-mode-on", 1, "exchange"},
	    {"cached-mode-off", 1, "exchange"},
	};
	for (size_t i = 0; i < 3; i++) {
		const struct mapiprof_recipe_info *b = mapiprof_builtin_at(i);
		cr_assert_not_null(b);
		cr_assert_str_eq(b->name, want[i].name);
		cr_assert_str_eq(b->applies_to, want[i].scope, "%s", b->name);
		cr_assert_gt(strlen(b->description), 20, "%s", b->name);
		cr_assert_eq(b->nedits, want[i].nedits, "%s", b->name);
		cr_assert_not_null(b->edits[b->nedits - 1]);
	}
	cr_assert_null(mapiprof_builtin_at(3));
	/* The same object on every call (parsed once). */
	cr_assert_eq(mapiprof_builtin_at(0), mapiprof_builtin_at(0));
}

Test(recipe, gc_referral_has_the_five_edits_of_the_issue)
{
	const struct mapiprof_recipe_info *b = load_ok("exchange2007-gc-referral");
	cr_assert_eq(b->nedits, 5);
	cr_assert_str_eq(b->edits[0],
	                 "global PR_PROFILE_CONNECT_FLAGS -= CONNECT_NO_RPC_ENCRYPTION");
	cr_assert_str_eq(b->edits[1],
	                 "global PR_PROFILE_UI_STATE += EDK_PROFILEUISTATE_ENCRYPTNETWORK");
	cr_assert_str_eq(b->edits[2], "global PR_PROFILE_SERVER_VERSION >= 3000");
	cr_assert_str_eq(b->edits[3], "emsab PR_PROFILE_AUTH_PACKAGE = RPC_C_AUTHN_GSS_NEGOTIATE");
	cr_assert_str_eq(b->edits[4], "emsab PR_PROFILE_ABP_ALLOW_RECONNECT = 1");
	cr_assert_str_eq(b->applies_to, "exchange-legacy");
}

Test(recipe, gc_referral_rationale_cites_its_sources_and_what_is_unverified)
{
	const char *t = mapiprof_builtin_at(0)->text;
	assert_has(t, "Using Multiple Exchange Accounts");
	assert_has(t, "Griffin");
	assert_has(t, "Local Referrals");
	assert_has(t, "Johnston");
	assert_has(t, "KB 929439");
	assert_has(t, "UNVERIFIED");
}

Test(recipe, cached_mode_recipes_toggle_both_bits_in_exchange_sections)
{
	const struct mapiprof_recipe_info *on = load_ok("cached-mode-on");
	cr_assert_str_eq(on->edits[0],
	                 "exchange PR_PROFILE_CONFIG_FLAGS += CONFIG_OST_CACHE_PRIVATE");
	assert_has(on->text, "extraPropTags.h");
	assert_has(on->text, "0x180");
	const struct mapiprof_recipe_info *off = load_ok("cached-mode-off");
	cr_assert_str_eq(off->edits[0],
	                 "exchange PR_PROFILE_CONFIG_FLAGS -= CONFIG_OST_CACHE_PRIVATE");
	cr_assert_str_eq(off->applies_to, "exchange");
}

/* Each built-in is the shipped file, byte for byte. */
Test(recipe, builtins_are_the_shipped_recipe_files)
{
	for (size_t i = 0; i < mapiprof_builtin_count(); i++) {
		const struct mapiprof_recipe_info *b = mapiprof_builtin_at(i);
		char rel[256];
		snprintf(rel, sizeof(rel), "%s/recipes/%s.recipe", MP_SOURCE_DIR, b->name);
		size_t len = 0;
		char *file = tu_read(rel, &len);
		cr_assert_not_null(file, "%s", rel);
		cr_assert_str_eq(b->text, file, "%s", rel);
		free(file);
	}
}

/* ---- a user's recipe file ---------------------------------------------- */

Test(recipe, user_file_with_comments_headers_and_blank_lines)
{
	char *path = recipe_file("mine.recipe", "# Why: the server moved.\n"
	                                        "\n"
	                                        "description:  Point the GAL at gc02  \n"
	                                        "   # indented comment\n"
	                                        "emsab PR_PROFILE_HOME_SERVER = gc02.contoso.com\n"
	                                        "\t\n"
	                                        "global PR_PROFILE_CONNECT_FLAGS unset\n");
	const struct mapiprof_recipe_info *r = load_ok(path);
	cr_assert_str_eq(r->name, path);
	cr_assert_str_eq(r->description, "Point the GAL at gc02");
	cr_assert_str_eq(r->applies_to, "any");
	cr_assert_eq(r->nedits, 2);
	cr_assert_str_eq(r->edits[0], "emsab PR_PROFILE_HOME_SERVER = gc02.contoso.com");
	cr_assert_str_eq(r->edits[1], "global PR_PROFILE_CONNECT_FLAGS unset");
	assert_has(r->text, "# Why: the server moved.");
	free(path);
}

Test(recipe, crlf_lines_a_bom_and_applies_to_any_case)
{
	char *path = recipe_file("win.recipe", "\xEF\xBB\xBF# from Notepad\r\n"
	                                       "Applies-To: Exchange\r\n"
	                                       "global PR_PROFILE_SERVER_VERSION >= 3000\r\n");
	const struct mapiprof_recipe_info *r = load_ok(path);
	cr_assert_str_eq(r->applies_to, "exchange");
	cr_assert_str_eq(r->description, "");
	cr_assert_eq(r->nedits, 1);
	cr_assert_str_eq(r->edits[0], "global PR_PROFILE_SERVER_VERSION >= 3000");
	free(path);
}

Test(recipe, a_file_in_the_current_directory_loads_without_a_slash)
{
	char *path = recipe_file("here.recipe", "global PR_PROFILE_SERVER_VERSION >= 3000\n");
	cr_assert_eq(chdir(tu_tmp), 0);
	const struct mapiprof_recipe_info *r = load_ok("here.recipe");
	cr_assert_str_eq(r->name, "here.recipe");
	free(path);
}

Test(recipe, a_selector_with_a_colon_is_an_edit_not_a_header)
{
	char *path = recipe_file("svc.recipe", "service:MSEMS 001e3001 = Exchange\n");
	const struct mapiprof_recipe_info *r = load_ok(path);
	cr_assert_eq(r->nedits, 1);
	free(path);
}

/* ---- errors ------------------------------------------------------------ */

Test(recipe, unknown_name_lists_the_builtins)
{
	const char *msg = load_fails("gc-referral", MAPIPROF_E_RECIPE);
	assert_has(msg, "unknown recipe 'gc-referral'");
	assert_has(msg, "exchange2007-gc-referral, cached-mode-on, cached-mode-off");
}

Test(recipe, missing_file_and_directory_are_erecipe)
{
	char *missing = tu_tmp_path("nope.recipe");
	assert_has(load_fails(missing, MAPIPROF_E_RECIPE), "cannot read the recipe");
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), missing);
	assert_has(load_fails(tu_tmp, MAPIPROF_E_RECIPE), "cannot read the recipe: is a directory");
	free(missing);
}

Test(recipe, bad_edit_line_is_eedit_naming_the_line_and_file)
{
	char *path = recipe_file("bad.recipe", "# comment\n"
	                                       "description: broken\n"
	                                       "\n"
	                                       "global PR_PROFILE_CONNECT_FLAGS = lots\n");
	const char *msg = load_fails(path, MAPIPROF_E_EDIT);
	assert_has(msg, "line 4: ");
	assert_has(msg, "'lots' is not a number or flag name");
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), path);
	free(path);
}

Test(recipe, bad_headers_are_erecipe_naming_the_line)
{
	char *p1 = recipe_file("a.recipe", "applies-to: pst\nglobal 00036604 unset\n");
	assert_has(load_fails(p1, MAPIPROF_E_RECIPE),
	           "line 1: applies-to: 'pst' is not 'any', 'exchange' or 'exchange-legacy'");
	char *p2 = recipe_file("b.recipe", "global 00036604 unset\n\nauthor: me\n");
	assert_has(load_fails(p2, MAPIPROF_E_RECIPE), "line 3: unknown header 'author:'");
	char *p3 =
	    recipe_file("c.recipe", "description: x\ndescription: y\nglobal 00036604 unset\n");
	assert_has(load_fails(p3, MAPIPROF_E_RECIPE), "line 2: a second description:");
	free(p1);
	free(p2);
	free(p3);
}

Test(recipe, applies_to_exchange_legacy_is_read_in_any_case)
{
	char *p = recipe_file("l.recipe", "applies-to: Exchange-Legacy\nglobal 00036604 unset\n");
	const struct mapiprof_recipe_info *b = load_ok(p);
	cr_assert_str_eq(b->applies_to, "exchange-legacy");
	free(p);
}

Test(recipe, no_edits_binary_and_non_utf8_files_are_erecipe)
{
	char *p1 = recipe_file("empty.recipe", "# only comments\ndescription: nothing\n");
	assert_has(load_fails(p1, MAPIPROF_E_RECIPE), "no edits");
	char *p2 = tu_tmp_write("nul.recipe", "global\0x", 8);
	assert_has(load_fails(p2, MAPIPROF_E_RECIPE), "NUL bytes");
	char *p3 = recipe_file("latin1.recipe", "# ok\n# caf\xe9\nglobal 00036604 unset\n");
	assert_has(load_fails(p3, MAPIPROF_E_RECIPE), "line 2: not valid UTF-8");
	free(p1);
	free(p2);
	free(p3);
}

/* ---- recipes from -e edits ---------------------------------------------- */

Test(recipe, from_edits_applies_to_any_and_keeps_each_edit)
{
	const char *edits[] = {"global PR_PROFILE_SERVER_VERSION >= 3000",
	                       " emsab PR_PROFILE_ABP_ALLOW_RECONNECT = 1 "};
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, edits, 2, &rec), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	const struct mapiprof_recipe_info *r = mapiprof_recipe_info(rec);
	cr_assert_str_eq(r->applies_to, "any");
	cr_assert_eq(r->nedits, 2);
	cr_assert_str_eq(r->edits[1], "emsab PR_PROFILE_ABP_ALLOW_RECONNECT = 1");
	cr_assert_str_eq(r->text, "global PR_PROFILE_SERVER_VERSION >= 3000\n"
	                          "emsab PR_PROFILE_ABP_ALLOW_RECONNECT = 1\n");
}

Test(recipe, from_edits_fails_on_a_bad_edit_or_none)
{
	const char *edits[] = {"global PR_PROFILE_SERVER_VERSION >= 3000",
	                       "global PR_PROFILE_SERVER_VERSION >= soon"};
	struct mapiprof_recipe *r = (struct mapiprof_recipe *)&r;
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, edits, 2, &r), MAPIPROF_FAILED);
	cr_assert_null(r);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_EDIT);
	assert_has(mapiprof_errmsg(tu_ctx), "'soon'");
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, edits, 0, &r), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_EDIT);
}

Test(recipe, free_accepts_null)
{
	mapiprof_recipe_free(NULL);
	cr_assert_null(mapiprof_recipe_info(NULL));
}
