/* fuzz_recipe.c - libFuzzer harness for the edit grammar and recipe files:
 * the input after its first byte is either edit lines (split at '\n', as
 * -e options: mapiprof_recipe_from_edits, plus mapiprof_selector_valid and
 * mapiprof_parse_propspec on each line) or the text of a recipe file
 * (mapiprof_recipe_load on a path).  A recipe that loads is planned on the
 * profiles of two fixtures (an Exchange 2007-era profile and an Outlook
 * 2016 two-account profile), read once from the source tree.
 *
 * byte 0 bit 0: 0 edit lines, 1 a recipe file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 64u

static struct mapiprof_ctx *fixture_ctx;
static struct mapiprof_file *fixtures[2];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[2] = {FUZZ_FIXTURES "/exchange-mapi.reg",
	                                     FUZZ_FIXTURES "/outlook2016-two-accounts.reg"};
	(void)argc;
	(void)argv;
	fixture_ctx = mapiprof_ctx_new();
	if (fixture_ctx == NULL)
		abort();
	for (size_t i = 0; i < 2; i++)
		if (mapiprof_open(fixture_ctx, names[i], MAPIPROF_OPEN_NO_HASH, &fixtures[i]) !=
		    MAPIPROF_OK)
			abort();
	return 0;
}

static void
plan_on_fixtures(const struct mapiprof_recipe *r)
{
	const struct mapiprof_recipe_info *info = mapiprof_recipe_info(r);
	fuzz_touch(info->name);
	fuzz_touch(info->description);
	fuzz_touch(info->applies_to);
	fuzz_touch(info->text);
	for (size_t i = 0; i < info->nedits; i++)
		fuzz_touch(info->edits[i]);
	for (size_t f = 0; f < 2; f++) {
		size_t np = mapiprof_profile_count(fixtures[f]);
		size_t all[8];
		for (size_t i = 0; i < np && i < 8; i++)
			all[i] = i;
		struct mapiprof_plan *p = NULL;
		if (mapiprof_plan_build(fixtures[f], r, all, np < 8 ? np : 8, &p) == MAPIPROF_OK) {
			for (size_t i = 0; i < mapiprof_plan_count(p); i++) {
				const struct mapiprof_change *c = mapiprof_plan_at(p, i);
				fuzz_touch(c->edit);
				fuzz_touch(c->value_name);
				if (c->after != NULL)
					fuzz_touch_bytes(c->after->data, c->after->len);
			}
			void *out = NULL;
			size_t len = 0;
			if (mapiprof_plan_reg(fixtures[f], p, NULL, &out, &len) == MAPIPROF_OK)
				fuzz_touch_bytes(out, len);
			mapiprof_free(out);
		} else {
			fuzz_check_error(fixture_ctx);
		}
		mapiprof_plan_free(p);
	}
}

static void
edit_lines(struct mapiprof_ctx *ctx, const char *text)
{
	char *lines[MAX_LINES];
	size_t n = 0;
	char *copy = strdup(text);
	if (copy == NULL)
		abort();
	for (char *s = copy; n < MAX_LINES;) {
		char *nl = strchr(s, '\n');
		lines[n++] = s;
		if (nl == NULL)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t tag = 0;
		(void)mapiprof_selector_valid(lines[i]);
		if (mapiprof_parse_propspec(ctx, lines[i], &tag) != MAPIPROF_OK)
			fuzz_check_error(ctx);
	}
	struct mapiprof_recipe *r = NULL;
	if (mapiprof_recipe_from_edits(ctx, (const char *const *)lines, n, &r) == MAPIPROF_OK)
		plan_on_fixtures(r);
	else
		fuzz_check_error(ctx);
	mapiprof_recipe_free(r);
	free(copy);
}

static void
recipe_file(struct mapiprof_ctx *ctx, const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("fuzz.recipe", data, size);
	struct mapiprof_recipe *r = NULL;
	if (mapiprof_recipe_load(ctx, path, &r) == MAPIPROF_OK)
		plan_on_fixtures(r);
	else
		fuzz_check_error(ctx);
	mapiprof_recipe_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	if (ctx == NULL)
		abort();
	if (data[0] & 1u) {
		recipe_file(ctx, data + 1, size - 1);
	} else {
		char *text = malloc(size);
		if (text == NULL)
			abort();
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		edit_lines(ctx, text);
		free(text);
	}
	mapiprof_ctx_free(ctx);
	return 0;
}
