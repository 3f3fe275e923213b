/* complete.c - "mapiprof complete INDEX WORD ...", the hidden command the
 * shell completion scripts (completions/) ask: WORD ... is the command line
 * as the shell split it (WORD 0 is the program), INDEX the word being
 * completed.  Prints one line telling the shell what else to offer
 * ("files", "dirs" or "none"), then one candidate per line, each optionally
 * followed by a tab and its description.  Everything is taken from the
 * command table, so the completions offer what the commands take.  Never
 * writes; a file on the line is opened read-only and without its logs, and
 * one that does not open is ignored. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "commands.h"
#include "diag.h"
#include "exitcode.h"

/* The ANSI code pages of Windows, as iconv names them (Microsoft Learn,
 * "Code Page Identifiers"); --codepage takes any iconv name. */
static const char codepages[] = "WINDOWS-1250 WINDOWS-1251 WINDOWS-1252 WINDOWS-1253 "
                                "WINDOWS-1254 WINDOWS-1255 WINDOWS-1256 WINDOWS-1257 "
                                "WINDOWS-1258 CP874 CP932 CP936 CP949 CP950 UTF-8";

struct line {
	char **w; /* the words */
	size_t n;
	const char *cur; /* the word being completed (a prefix) */
};

/* A candidate when it starts with prefix and has no control character
 * (one line per candidate). */
static void
offer(const char *prefix, const char *cand, const char *desc)
{
	if (strncmp(cand, prefix, strlen(prefix)) != 0)
		return;
	for (const unsigned char *p = (const unsigned char *)cand; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return;
	if (desc != NULL)
		printf("%s\t%s\n", cand, desc);
	else
		printf("%s\n", cand);
}

/* Each blank-separated word of words. */
static void
offer_words(const char *prefix, const char *words)
{
	char buf[64];
	while (*words != '\0') {
		size_t n = strcspn(words, " ");
		if (n > 0 && n < sizeof(buf)) {
			memcpy(buf, words, n);
			buf[n] = '\0';
			offer(prefix, buf, NULL);
		}
		words += n + (words[n] == ' ');
	}
}

/* The profile names of every word of the line that is a file mapiprof
 * reads (the FILE operands, wherever the cursor is). */
static void
offer_profiles(const struct line *l, size_t skip)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	if (ctx == NULL)
		return;
	for (size_t i = 2; i < l->n; i++) {
		struct stat st;
		struct mapiprof_file *f = NULL;
		if (i == skip || l->w[i][0] == '-' || stat(l->w[i], &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (mapiprof_open(ctx, l->w[i], MAPIPROF_OPEN_NO_LOGS | MAPIPROF_OPEN_NO_HASH,
		                  &f) != MAPIPROF_OK)
			continue;
		for (size_t k = 0; k < mapiprof_profile_count(f); k++)
			offer(l->cur, mapiprof_profile_at(f, k)->name, NULL);
		mapiprof_close(f);
	}
	mapiprof_ctx_free(ctx);
}

static void
offer_recipes(const char *prefix)
{
	for (size_t i = 0; i < mapiprof_builtin_count(); i++)
		offer(prefix, mapiprof_builtin_at(i)->name, mapiprof_builtin_at(i)->description);
}

static void
offer_commands(const char *prefix)
{
	for (size_t i = 0; i < command_count(); i++)
		offer(prefix, command_at(i)->name, command_at(i)->summary);
}

/* The values of an option's argument or of an operand of this kind. */
static void
offer_values(const struct line *l, size_t idx, enum value_kind kind, const char *words)
{
	puts(kind == VK_FILE || kind == VK_RECIPE ? "files" : kind == VK_DIR ? "dirs" : "none");
	switch (kind) {
	case VK_RECIPE:
	case VK_RECIPE_NAME:
		offer_recipes(l->cur);
		break;
	case VK_PROFILE:
		offer_profiles(l, idx);
		break;
	case VK_SECTION:
	case VK_WORDS:
		offer_words(l->cur, words != NULL ? words : "");
		break;
	case VK_CODEPAGE:
		offer_words(l->cur, codepages);
		break;
	case VK_COMMAND:
		offer_commands(l->cur);
		break;
	default:
		break;
	}
}

static void
offer_option_list(const char *prefix, const struct cli_option *const *opts)
{
	char buf[80];
	for (size_t i = 0; opts != NULL && opts[i] != NULL; i++) {
		if (opts[i]->name != NULL) {
			snprintf(buf, sizeof(buf), "--%s", opts[i]->name);
			offer(prefix, buf, opts[i]->help);
		}
		if (opts[i]->short_name != 0) {
			snprintf(buf, sizeof(buf), "-%c", opts[i]->short_name);
			offer(prefix, buf, opts[i]->help);
		}
	}
}

/* The option of opts that word names ("--name", "--name=VALUE", "-x",
 * "-xVALUE"), or NULL; *inline_value tells whether it holds its value. */
static const struct cli_option *
find_option(const struct cli_option *const *opts, const char *word, int *inline_value)
{
	*inline_value = 0;
	for (size_t i = 0; opts != NULL && opts[i] != NULL; i++) {
		const struct cli_option *o = opts[i];
		if (word[1] == '-' && o->name != NULL) {
			size_t n = strcspn(word + 2, "=");
			if (strlen(o->name) == n && strncmp(word + 2, o->name, n) == 0) {
				*inline_value = word[2 + n] == '=';
				return o;
			}
		} else if (word[1] != '-' && o->short_name != 0 && word[1] == o->short_name) {
			*inline_value = word[2] != '\0';
			return o;
		}
	}
	return NULL;
}

static void
complete_line(const struct line *l, size_t idx)
{
	if (idx == 1) {
		puts("none");
		offer_commands(l->cur);
		offer_option_list(l->cur, common_options);
		return;
	}
	const struct command *c = command_find(l->w[1]);
	if (c == NULL || c->handler == cmd_complete) {
		puts("none");
		return;
	}
	const struct cli_option *const *opts = c->options;
	const enum value_kind *operands = c->operands;
	const struct subcommand *sub = NULL;
	const struct cli_option *pending = NULL;
	size_t k = 0;
	int dashdash = 0, inl;
	for (size_t i = 2; i < idx; i++) {
		const char *w = l->w[i];
		if (pending != NULL) {
			pending = NULL;
		} else if (!dashdash && strcmp(w, "--") == 0) {
			dashdash = 1;
		} else if (!dashdash && w[0] == '-' && w[1] != '\0') {
			const struct cli_option *o = find_option(opts, w, &inl);
			if (o != NULL && o->arg != NULL && !o->arg_optional && !inl)
				pending = o;
		} else if (c->nsubs > 0 && sub == NULL && k == 0) {
			if ((sub = command_sub(c, w)) == NULL)
				break;
			if (sub->options != NULL)
				opts = sub->options;
			if (sub->operands != NULL)
				operands = sub->operands;
		} else {
			k++;
		}
	}
	const char *eq = strchr(l->cur, '=');
	if (pending != NULL) {
		offer_values(l, idx, pending->kind, pending->words);
	} else if (!dashdash && strncmp(l->cur, "--", 2) == 0 && eq != NULL) {
		/* "--format=cs": the shells want the whole word, so each value
		 * after "--format=". */
		const struct cli_option *o = find_option(opts, l->cur, &inl);
		size_t n = (size_t)(eq - l->cur) + 1;
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "%.*s", (int)n, l->cur);
		puts("none");
		if (o != NULL && o->arg != NULL && n < sizeof(prefix) &&
		    (o->kind == VK_WORDS || o->kind == VK_SECTION || o->kind == VK_CODEPAGE)) {
			const char *ws = o->kind == VK_CODEPAGE ? codepages : o->words;
			char buf[128];
			while (ws != NULL && *ws != '\0') {
				size_t m = strcspn(ws, " ");
				snprintf(buf, sizeof(buf), "%s%.*s", prefix, (int)m, ws);
				offer(l->cur, buf, NULL);
				ws += m + (ws[m] == ' ');
			}
		}
	} else if (!dashdash && l->cur[0] == '-') {
		puts("none");
		offer_option_list(l->cur, opts);
		offer_option_list(l->cur, common_options);
	} else if (c->nsubs > 0 && sub == NULL) {
		puts("none");
		for (size_t i = 0; i < c->nsubs; i++)
			offer(l->cur, c->subs[i].name, c->subs[i].summary);
	} else if (operands == NULL || operands[0] == VK_NONE) {
		puts("none");
	} else {
		size_t last = 0;
		while (operands[last + 1] != VK_NONE)
			last++;
		offer_values(l, idx, operands[k < last ? k : last], NULL);
	}
}

int
cmd_complete(int argc, char *argv[])
{
	if (argc < 3)
		return diag_usage("complete", "missing INDEX or WORD");
	char *end = NULL;
	errno = 0;
	unsigned long idx = strtoul(argv[1], &end, 10);
	size_t n = (size_t)argc - 2;
	if (argv[1][0] < '0' || argv[1][0] > '9' || *end != '\0' || errno != 0 || idx > n)
		return diag_usage("complete", "invalid INDEX '%s'", argv[1]);
	struct line l = {argv + 2, n, idx < n ? argv[2 + idx] : ""};
	complete_line(&l, (size_t)idx);
	return EXIT_OK;
}
