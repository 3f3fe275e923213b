/* test_cli_help.c - the command table and what is made from it agree: every
 * command's --help and "help CMD" list exactly the options of its synopsis
 * (whose agreement with man/mapiprof.1 SYNOPSIS test_cli.c checks), the
 * options each command's getopt table accepts are exactly those (run, not
 * read), the completions offer the same commands, options and values, the
 * bash script completes as the table says, the help's examples run, and
 * meson install puts the scripts where each shell looks. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testjson.h"
#include "testutil.h"

TestSuite(cli_help, .init = tu_setup, .fini = tu_teardown);

/* ---- a small set of words ------------------------------------------------ */

struct words {
	char **w;
	size_t n;
};

static int
words_has(const struct words *s, const char *w)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->w[i], w) == 0)
			return 1;
	return 0;
}

static void
words_addn(struct words *s, const char *w, size_t len)
{
	char *c = strndup(w, len);
	cr_assert_not_null(c);
	if (words_has(s, c)) {
		free(c);
		return;
	}
	s->w = realloc(s->w, (s->n + 1) * sizeof(*s->w));
	cr_assert_not_null(s->w);
	s->w[s->n++] = c;
}

static void
words_add(struct words *s, const char *w)
{
	words_addn(s, w, strlen(w));
}

static void
words_free(struct words *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->w[i]);
	free(s->w);
	s->w = NULL;
	s->n = 0;
}

/* Asserts that a and b hold the same words; what names the sets. */
static void
words_assert_same(const struct words *a, const struct words *b, const char *what)
{
	for (size_t i = 0; i < a->n; i++)
		cr_assert(words_has(b, a->w[i]), "%s: '%s' only in the first", what, a->w[i]);
	for (size_t i = 0; i < b->n; i++)
		cr_assert(words_has(a, b->w[i]), "%s: '%s' only in the second", what, b->w[i]);
	cr_assert_gt(a->n, 0, "%s: empty", what);
}

/* ---- reading what mapiprof prints ------------------------------------------ */

/* The option names of synopsis text: "-e", "--backup" (from
 * "[--backup[=SUFFIX]]"), "--format" ... */
static void
synopsis_options(const char *text, struct words *out)
{
	const char *p = text;
	while ((p = strchr(p, '-')) != NULL) {
		int starts = p == text || strchr(" [|", p[-1]) != NULL;
		if (!starts) {
			p++;
			continue;
		}
		size_t n = 1 + (p[1] == '-');
		while (p[n] != '\0' && (p[n] == '-' || (p[n] >= 'a' && p[n] <= 'z')))
			n++;
		if (n > 1 && p[n - 1] != '-')
			words_addn(out, p, n);
		p += n;
	}
}

/* The usage lines at the top of a help text ("usage: mapiprof ..." and the
 * indented "mapiprof ..." lines after it). */
static void
help_synopsis_options(const char *help, struct words *out)
{
	cr_assert_eq(strncmp(help, "usage: mapiprof ", 16), 0, "no usage line: %s", help);
	const char *p = help;
	while (strncmp(p, "usage: mapiprof ", 16) == 0 || strncmp(p, "       mapiprof ", 16) == 0) {
		const char *eol = strchr(p, '\n');
		cr_assert_not_null(eol);
		/* Skip "mapiprof CMD": command words hold no option. */
		char *line = strndup(p + 16, (size_t)(eol - p - 16));
		synopsis_options(line, out);
		free(line);
		p = eol + 1;
	}
}

/* The options listed by a help text: lines "  -e, --edit EDIT  help",
 * "      --json  help", "  -o PATH  help". */
static void
help_listed_options(const char *help, struct words *out)
{
	for (const char *p = help; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
		size_t i = 0;
		while (i < len && p[i] == ' ')
			i++;
		if (i >= 2 && i < len && p[i] == '-') {
			/* The left column ends at two blanks. */
			const char *end = strstr(p + i, "  ");
			size_t left =
			    end != NULL && end < p + len ? (size_t)(end - p) - i : len - i;
			char *col = strndup(p + i, left);
			for (char *t = strtok(col, ", "); t != NULL; t = strtok(NULL, ", "))
				if (t[0] == '-')
					words_addn(out, t, strcspn(t, "["));
			free(col);
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
}

/* Adds to syn the other name of each option of the help that syn names by
 * one of its names ("-e" in a synopsis is "-e, --edit EDIT" in help). */
static void
add_other_names(const char *help, struct words *syn)
{
	for (const char *p = strstr(help, "\n  -"); p != NULL; p = strstr(p + 1, "\n  -")) {
		if (p[4] == '-' || p[5] != ',' || strncmp(p + 6, " --", 3) != 0)
			continue;
		char s[3] = {'-', p[4], '\0'};
		char *l = strndup(p + 7, strcspn(p + 7, " [\n"));
		if (words_has(syn, s))
			words_add(syn, l);
		if (words_has(syn, l))
			words_add(syn, s);
		free(l);
	}
}

/* "mapiprof complete INDEX WORD ...": the directive line, and each
 * candidate (before its tab) added to out. */
static char *
complete(struct words *out, const char *const *line, size_t n, size_t index)
{
	char idx[16];
	snprintf(idx, sizeof(idx), "%zu", index);
	char *argv[24] = {(char *)tu_cli_program(), "complete", idx};
	cr_assert_lt(n, 20);
	for (size_t i = 0; i < n; i++)
		argv[3 + i] = (char *)line[i];
	struct tu_run r = {0};
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "complete: %s", r.err);
	char *eol = strchr(r.out, '\n');
	cr_assert_not_null(eol, "complete printed no directive");
	char *directive = strndup(r.out, (size_t)(eol - r.out));
	for (char *p = eol + 1; *p != '\0';) {
		char *e = strchr(p, '\n');
		cr_assert_not_null(e);
		words_addn(out, p, strcspn(p, "\t\n"));
		p = e + 1;
	}
	tu_run_free(&r);
	return directive;
}

/* The commands that "mapiprof help" lists under "commands:". */
static void
help_commands(struct words *out)
{
	TU_CLI_EXPECT(0, "help");
	const char *p = strstr(tu_last.out, "\ncommands:\n");
	cr_assert_not_null(p);
	for (p += 11; strncmp(p, "  ", 2) == 0; p = strchr(p, '\n') + 1)
		words_addn(out, p + 2, strcspn(p + 2, " "));
}

/* A command, or a subcommand with options of its own ("prf stage"): what
 * runs with its options after it. */
struct unit {
	char cmd[16];
	char sub[16];
};

/* The units: every command of help, split into its subcommands where
 * its help lists "options of CMD SUB". */
static size_t
units(struct unit *u, size_t cap)
{
	struct words cmds = {0};
	help_commands(&cmds);
	size_t n = 0;
	for (size_t i = 0; i < cmds.n; i++) {
		TU_CLI_EXPECT(0, cmds.w[i], "--help");
		char head[64];
		snprintf(head, sizeof(head), "\noptions of %s ", cmds.w[i]);
		int split = 0;
		for (const char *p = strstr(tu_last.out, head); p != NULL;
		     p = strstr(p + 1, head)) {
			cr_assert_lt(n, cap);
			snprintf(u[n].cmd, sizeof(u[n].cmd), "%s", cmds.w[i]);
			snprintf(u[n].sub, sizeof(u[n].sub), "%.*s",
			         (int)strcspn(p + strlen(head), ":"), p + strlen(head));
			n++;
			split = 1;
		}
		if (!split) {
			cr_assert_lt(n, cap);
			snprintf(u[n].cmd, sizeof(u[n].cmd), "%s", cmds.w[i]);
			u[n++].sub[0] = '\0';
		}
	}
	words_free(&cmds);
	return n;
}

/* Runs "mapiprof CMD [SUB] ARG" into tu_last. */
static void
run_unit(const struct unit *u, const char *arg)
{
	if (u->sub[0] != '\0')
		TU_CLI(u->cmd, u->sub, arg);
	else
		TU_CLI(u->cmd, arg);
}

/* Runs "mapiprof CMD [SUB] ARG ARG2" into tu_last. */
static void
run_unit2(const struct unit *u, const char *arg, const char *arg2)
{
	if (u->sub[0] != '\0')
		TU_CLI(u->cmd, u->sub, arg, arg2);
	else
		TU_CLI(u->cmd, arg, arg2);
}

/* ---- help, synopsis and completion agree --------------------------------- */

Test(cli_help, every_option_of_the_synopsis_has_a_line_of_help)
{
	struct unit u[40];
	size_t n = units(u, 40);
	cr_assert_geq(n, 17);
	for (size_t i = 0; i < n; i++) {
		struct words syn = {0}, listed = {0};
		run_unit(&u[i], "--help");
		cr_assert_eq(tu_last.status, 0, "%s %s --help: %s", u[i].cmd, u[i].sub,
		             tu_last.err);
		char *help = strdup(tu_last.out);
		help_listed_options(help, &listed);
		if (u[i].sub[0] != '\0') {
			/* The synopsis line of this subcommand only. */
			char head[40];
			snprintf(head, sizeof(head), "mapiprof %s %s ", u[i].cmd, u[i].sub);
			const char *l = strstr(help, head);
			cr_assert_not_null(l, "%s", head);
			char *line = strndup(l + strlen(head), strcspn(l + strlen(head), "\n"));
			synopsis_options(line, &syn);
			free(line);
		} else {
			help_synopsis_options(help, &syn);
		}
		add_other_names(help, &syn);
		/* Every command takes -h, --help and --version. */
		words_add(&syn, "-h");
		words_add(&syn, "--help");
		words_add(&syn, "--version");
		char what[64];
		snprintf(what, sizeof(what), "synopsis vs help of %s %s", u[i].cmd, u[i].sub);
		words_assert_same(&syn, &listed, what);

		/* "help CMD" prints what "CMD --help" does. */
		if (u[i].sub[0] == '\0') {
			TU_CLI_EXPECT(0, "help", u[i].cmd);
			cr_assert_str_eq(tu_last.out, help);
		}

		/* The completions of "-" are the same options. */
		struct words comp = {0};
		const char *line[] = {"mapiprof", u[i].cmd, u[i].sub, "-"};
		if (u[i].sub[0] != '\0') {
			free(complete(&comp, line, 4, 3));
		} else {
			line[2] = "-";
			free(complete(&comp, line, 3, 2));
		}
		snprintf(what, sizeof(what), "help vs completion of %s %s", u[i].cmd, u[i].sub);
		words_assert_same(&listed, &comp, what);
		words_free(&comp);
		words_free(&syn);
		words_free(&listed);
		free(help);
	}
}

/* The text of every C file of src/cli, one after the other. */
static char *
cli_sources(void)
{
	DIR *d = opendir(MP_SOURCE_DIR "/src/cli");
	cr_assert_not_null(d);
	struct dirent *e;
	char *all = strdup("");
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 3 || (strcmp(e->d_name + len - 2, ".c") != 0 &&
		                strcmp(e->d_name + len - 2, ".h") != 0))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/src/cli/%s", MP_SOURCE_DIR, e->d_name);
		char *text = tu_read(path, NULL);
		cr_assert_not_null(text);
		size_t n = strlen(all);
		all = realloc(all, n + strlen(text) + 2);
		cr_assert_not_null(all);
		sprintf(all + n, "%s\n", text);
		free(text);
	}
	closedir(d);
	return all;
}

/* The long option names the CLI's getopt tables hold: every
 * '"name", no_argument' (required_, optional_) in src/cli. */
static void
source_long_options(struct words *out)
{
	char *text = cli_sources();
	for (char *p = strstr(text, "_argument"); p != NULL; p = strstr(p + 1, "_argument")) {
		/* back over "no", "required" or "optional", ", " and the name */
		char *q = p;
		while (q > text && q[-1] >= 'a' && q[-1] <= 'z')
			q--;
		if (q - text < 4 || strncmp(q - 3, "\", ", 3) != 0)
			continue;
		char *end = q - 3, *start = end;
		while (start > text && start[-1] != '"')
			start--;
		if (start == text || end == start)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "--%.*s", (int)(end - start), start);
		words_add(out, name);
	}
	free(text);
}

/* The short options of the getopt_long calls in src/cli: the letters of
 * the string literals and of the *SHORTOPTS macros in their third
 * argument ("-o", "-e", "-h"). */
static void
source_short_options(struct words *out)
{
	char *src = cli_sources();
	for (char *p = strstr(src, "getopt_long(argc, argv, "); p != NULL;
	     p = strstr(p + 1, "getopt_long(argc, argv, ")) {
		char *arg = p + strlen("getopt_long(argc, argv, ");
		char *arg_end = strstr(arg, ", longopts");
		cr_assert_not_null(arg_end);
		char *text = strndup(arg, (size_t)(arg_end - arg));
		for (char *t = strtok(text, " \t\n"); t != NULL; t = strtok(NULL, " \t\n")) {
			const char *lit = t;
			char def[128];
			if (t[0] != '"') {
				snprintf(def, sizeof(def), "#define %s \"", t);
				lit = strstr(src, def);
				cr_assert_not_null(lit, "no #define %s", t);
				lit += strlen(def) - 1;
			}
			for (const char *c = lit + 1; *c != '"'; c++)
				if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')) {
					char opt[3] = {'-', *c, '\0'};
					words_add(out, opt);
				}
		}
		free(text);
	}
	free(src);
}

Test(cli_help, each_command_accepts_exactly_the_options_it_documents)
{
	/* Some 900 runs of the CLI: a check of the tables, not of memory, so
	 * the sanitizer build runs it in its long mode only. */
	if (TU_UNDER_ASAN && !tu_long_mode())
		cr_skip_test("the option cross-check runs in the plain build, and in the "
		             "sanitizer build's long mode (tests/run.sh --long)");
	struct unit u[40];
	size_t n = units(u, 40);
	struct words all = {0}, mine[40];
	memset(mine, 0, sizeof(mine));
	for (size_t i = 0; i < n; i++) {
		run_unit(&u[i], "--help");
		help_listed_options(tu_last.out, &mine[i]);
		for (size_t k = 0; k < mine[i].n; k++)
			words_add(&all, mine[i].w[k]);
	}
	/* An option in a getopt table that no help lists is undocumented. */
	struct words src = {0};
	source_long_options(&src);
	cr_assert_geq(src.n, 30);
	for (size_t k = 0; k < src.n; k++)
		cr_assert(words_has(&all, src.w[k]), "%s is in src/cli but no help lists it",
		          src.w[k]);
	/* Every short option letter of a getopt string too. */
	struct words letters = {0};
	source_short_options(&letters);
	cr_assert_geq(letters.n, 3);
	for (size_t k = 0; k < letters.n; k++) {
		cr_assert(words_has(&all, letters.w[k]), "%s is in src/cli but no help lists it",
		          letters.w[k]);
	}
	words_free(&letters);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < all.n; k++) {
			run_unit(&u[i], all.w[k]);
			/* Taken with an argument: refused only with one? */
			if (tu_last.status == 2 && strstr(tu_last.err, "requires an argument"))
				run_unit2(&u[i], all.w[k], "x");
			/* Refused: unknown to getopt, or taken by getopt but
			 * refused by the command as not applying to it. */
			int refused =
			    tu_last.status == 2 && (strstr(tu_last.err, "unknown option") ||
			                            strstr(tu_last.err, "not apply"));
			int listed = words_has(&mine[i], all.w[k]);
			cr_assert_eq(!refused, listed, "%s %s %s: %s but %s\n%s", u[i].cmd,
			             u[i].sub, all.w[k], refused ? "refused" : "accepted",
			             listed ? "listed" : "not listed", tu_last.err);
		}
		words_free(&mine[i]);
	}
	words_free(&all);
	words_free(&src);
}

Test(cli_help, help_of_help_and_errors)
{
	TU_CLI_EXPECT(0, "help", "--help");
	cr_assert_eq(strncmp(tu_last.out, "usage: mapiprof help [COMMAND]\n", 31), 0);
	cr_assert_not_null(strstr(tu_last.out, "  -h, --help "));
	TU_CLI_EXPECT(0, "help", "help");
	cr_assert_eq(strncmp(tu_last.out, "usage: mapiprof help [COMMAND]\n", 31), 0);
	TU_CLI_EXPECT(2, "help", "--bogus");
	cr_assert_not_null(strstr(tu_last.err, "unknown option --bogus"));
	TU_CLI_EXPECT(2, "help", "edit", "show");
	/* A subcommand's --help lists its own options only. */
	TU_CLI_EXPECT(0, "prf", "check", "--help");
	cr_assert_not_null(strstr(tu_last.out, "\noptions of prf check:\n"));
	cr_assert_null(strstr(tu_last.out, "options of prf stage"));
	TU_CLI_EXPECT(0, "profile", "--help");
	for (const char *s = "default\0copy\0rename\0delete\0"; *s != '\0'; s += strlen(s) + 1) {
		char line[32];
		snprintf(line, sizeof(line), "\n  %s ", s);
		cr_assert_not_null(strstr(tu_last.out, line), "%s", s);
	}
}

/* The hidden command is not offered anywhere a user looks. */
Test(cli_help, complete_is_hidden)
{
	TU_CLI_EXPECT(0, "help");
	cr_assert_null(strstr(tu_last.out, "complete"));
	TU_CLI_EXPECT(2, "nope");
	cr_assert_null(strstr(tu_last.err, "complete"));
	struct words w = {0};
	const char *line[] = {"mapiprof", ""};
	free(complete(&w, line, 2, 1));
	cr_assert(!words_has(&w, "complete"));
	cr_assert(words_has(&w, "edit"));
	struct words cmds = {0};
	help_commands(&cmds);
	words_add(&cmds, "--help");
	words_add(&cmds, "--version");
	words_add(&cmds, "-h");
	words_assert_same(&cmds, &w, "help's commands vs completion");
	words_free(&w);
	words_free(&cmds);
	TU_CLI_EXPECT(2, "complete", "x", "mapiprof");
	TU_CLI_EXPECT(2, "complete", "5", "mapiprof");
}

/* ---- completion values ------------------------------------------------------ */

Test(cli_help, completes_values_recipes_and_profiles)
{
	struct words w = {0};
	char *d;
	const char *fmt[] = {"mapiprof", "timeline", "--format", ""};
	d = complete(&w, fmt, 4, 3);
	cr_assert_str_eq(d, "none");
	free(d);
	struct words want = {0};
	/* The formats the man page's timeline section names. */
	char *man = tu_read(MP_SOURCE_DIR "/man/mapiprof.1", NULL);
	for (char *p = strstr(man, ".It Fl -format Cm "); p != NULL;
	     p = strstr(p + 1, ".It Fl -format Cm "))
		words_addn(&want, p + 18, strcspn(p + 18, "\n "));
	free(man);
	words_assert_same(&want, &w, "--format values");
	words_free(&w);
	words_free(&want);

	/* Recipe names: what "mapiprof recipes" lists, and files. */
	const char *rec[] = {"mapiprof", "apply", ""};
	d = complete(&w, rec, 3, 2);
	cr_assert_str_eq(d, "files");
	free(d);
	TU_CLI_EXPECT(0, "recipes");
	for (const char *p = tu_last.out; *p != '\0'; p = strchr(p, '\n') + 1)
		words_addn(&want, p, strcspn(p, " "));
	words_assert_same(&want, &w, "recipe names");
	words_free(&w);
	words_free(&want);

	/* Profile names: those "list --json" reports of the FILE on the line,
	 * before or after the word completed. */
	char *hive = tu_fixture("exchange-mapi.dat");
	json_t *j = TJ_CLI("list", "--json", hive);
	json_t *profiles = json_object_get(j, "profiles");
	cr_assert(json_is_array(profiles));
	for (size_t i = 0; i < json_array_size(profiles); i++)
		words_add(&want,
		          json_string_value(json_object_get(json_array_get(profiles, i), "name")));
	json_decref(j);
	const char *after[] = {"mapiprof", "show", "--profile", "", hive};
	d = complete(&w, after, 5, 3);
	free(d);
	words_assert_same(&want, &w, "profiles of the FILE after");
	words_free(&w);
	const char *before[] = {"mapiprof", "profile", "copy", "", hive};
	free(complete(&w, before, 5, 3));
	words_assert_same(&want, &w, "profile NAME operand");
	words_free(&w);
	words_free(&want);
	free(hive);

	/* Section roles, the --office versions, the subcommands. */
	const char *sec[] = {"mapiprof", "get", "--section", "em"};
	free(complete(&w, sec, 4, 3));
	cr_assert(words_has(&w, "emsab") && words_has(&w, "emsmdb") && w.n == 2);
	words_free(&w);
	const char *sub[] = {"mapiprof", "prf", ""};
	free(complete(&w, sub, 3, 2));
	cr_assert(words_has(&w, "stage") && words_has(&w, "check") && w.n == 2);
	words_free(&w);
	const char *eq[] = {"mapiprof", "timeline", "--format=j"};
	free(complete(&w, eq, 3, 2));
	cr_assert(words_has(&w, "--format=jsonl") && w.n == 1);
	words_free(&w);
	/* Every --office version and code page offered is one mapiprof takes. */
	hive = tu_fixture("exchange-mapi.dat");
	const char *office[] = {"mapiprof", "profile", "--office", ""};
	free(complete(&w, office, 4, 3));
	cr_assert(words_has(&w, "16.0"));
	for (size_t i = 0; i < w.n; i++) {
		TU_CLI("profile", "--office", w.w[i], "--dry-run", "default", "Exchange", hive);
		cr_assert_null(strstr(tu_last.err, "invalid --office"), "%s", tu_last.err);
		cr_assert_neq(tu_last.status, 2, "%s", tu_last.err);
	}
	words_free(&w);
	const char *cp[] = {"mapiprof", "list", "--codepage", ""};
	free(complete(&w, cp, 4, 3));
	cr_assert(words_has(&w, "WINDOWS-1252"));
	for (size_t i = 0; i < w.n; i++)
		TU_CLI_EXPECT(0, "list", "--codepage", w.w[i], hive);
	words_free(&w);
	free(hive);
	/* After an option's value comes an operand again: a FILE. */
	const char *op[] = {"mapiprof", "timeline", "--format", "csv", ""};
	d = complete(&w, op, 5, 4);
	cr_assert_str_eq(d, "files");
	cr_assert_eq(w.n, 0);
	free(d);
}

/* ---- the bash script ------------------------------------------------------- */

/* Sources completions/mapiprof.bash, completes the words (the last one is
 * the word completed) and returns COMPREPLY, one per line, in tu_last.
 * The script runs the program tested (mapiprof.exe under Wine too: bash
 * is a shell of Windows users as well, in Git for Windows and MSYS2). */
static void
bash_complete(const char *const *words, size_t n)
{
	char *argv[24] = {"/bin/bash",
	                  "-c",
	                  ". \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
	                  "_mapiprof; printf '%s\\n' \"${COMPREPLY[@]}\"",
	                  "bash",
	                  MP_SOURCE_DIR "/completions/mapiprof.bash",
	                  (char *)tu_cli_program()};
	cr_assert_lt(n, 17);
	for (size_t i = 0; i < n; i++)
		argv[6 + i] = (char *)words[i];
	tu_run_free(&tu_last);
	cr_assert_eq(tu_run(argv, &tu_last), 0);
	cr_assert_eq(tu_last.status, 0, "bash: %s", tu_last.err);
	cr_assert_str_eq(tu_last.err, "");
}

static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

Test(cli_help, bash_completion_completes)
{
	const char *cmds[] = {""};
	bash_complete(cmds, 1);
	cr_assert(has_line(tu_last.out, "edit") && has_line(tu_last.out, "timeline"), "%s",
	          tu_last.out);
	cr_assert(!has_line(tu_last.out, "complete"));

	const char *opts[] = {"edit", "--dr"};
	bash_complete(opts, 2);
	cr_assert_str_eq(tu_last.out, "--dry-run\n");

	const char *fmt[] = {"timeline", "--format", ""};
	bash_complete(fmt, 3);
	cr_assert_str_eq(tu_last.out, "bodyfile\ntln\ncsv\njsonl\n");
	/* bash splits "--format=cs" at "=". */
	const char *eq[] = {"timeline", "--format", "=", "cs"};
	bash_complete(eq, 4);
	cr_assert_str_eq(tu_last.out, "csv\n");

	const char *rec[] = {"apply", "cached-mode-o"};
	bash_complete(rec, 2);
	cr_assert(has_line(tu_last.out, "cached-mode-on") &&
	              has_line(tu_last.out, "cached-mode-off"),
	          "%s", tu_last.out);

	char *hive = tu_fixture("exchange-mapi.dat");
	const char *prof[] = {"show", hive, "--profile", "Pe"};
	bash_complete(prof, 4);
	cr_assert_str_eq(tu_last.out, "Personal\n");

	/* Names with control characters are never offered, others quoted. */
	char *hostile = tu_fixture("hostile-names.dat");
	const char *any[] = {"show", hostile, "--profile", ""};
	bash_complete(any, 4);
	for (const char *c = tu_last.out; *c != '\0'; c++)
		cr_assert(*c == '\n' || (unsigned char)*c >= 0x20, "control character offered");
	cr_assert(has_line(tu_last.out, "Pr\xc3\xbc"
	                                "fung"),
	          "%s", tu_last.out);
	const char *odd[] = {"show", hostile, "--profile", "od"};
	bash_complete(odd, 4);
	cr_assert_str_eq(tu_last.out, "odd\\ \\\"quoted\\\"\\ \\]name\\[\n");
	free(hostile);

	/* FILE operands are files: the fixture by its directory prefix. */
	char prefix[4096];
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(strlen(hive) - 4), hive);
	const char *file[] = {"list", prefix};
	bash_complete(file, 2);
	cr_assert(has_line(tu_last.out, hive), "%s", tu_last.out);
	free(hive);
}

/* Completes line with completions/mapiprof.fish in a fish that finds the
 * built mapiprof on its PATH; the candidates, one per line, in tu_last
 * (fish adds a tab and the description to some). */
static void
fish_complete(const char *line)
{
	char path[4096], script[8192];
	snprintf(path, sizeof(path), "PATH=%.*s:/usr/bin:/bin",
	         (int)(strrchr(MP_CLI, '/') - MP_CLI), MP_CLI);
	snprintf(script, sizeof(script), "source %s/completions/mapiprof.fish; complete -C '%s'",
	         MP_SOURCE_DIR, line);
	char *argv[] = {(char *)"/usr/bin/env",
	                path,
	                (char *)"/usr/bin/fish",
	                (char *)"--no-config",
	                (char *)"-c",
	                script,
	                NULL};
	tu_run_free(&tu_last);
	cr_assert_eq(tu_run(argv, &tu_last), 0);
	cr_assert_eq(tu_last.status, 0, "fish: %s", tu_last.err);
}

/* The first field (up to a tab) of each line of text, one per line. */
static void
first_fields(char *text)
{
	char *w = text;
	for (const char *r = text; *r != '\0';) {
		size_t n = strcspn(r, "\t\n");
		memmove(w, r, n);
		w += n;
		r += n;
		r += strcspn(r, "\n");
		if (*r == '\n') {
			*w++ = '\n';
			r++;
		}
	}
	*w = '\0';
}

/* fish and zsh find "mapiprof" on PATH: the native build's here.  They
 * are not shells of Windows; the program's side of every script, its
 * "complete" command, is checked on Windows too (completes_values_...,
 * and the bash script). */
#define NOT_A_WINDOWS_SHELL(shell)                                                                 \
	TU_SKIP_ON_WINDOWS(shell " is not a shell of Windows; the completion the scripts ask "     \
	                         "mapiprof.exe for is checked through bash")

Test(cli_help, fish_completion_completes)
{
	NOT_A_WINDOWS_SHELL("fish");
	if (!tu_exists("/usr/bin/fish"))
		cr_skip_test("fish is not installed");
	fish_complete("mapiprof li");
	first_fields(tu_last.out);
	cr_assert_str_eq(tu_last.out, "list\n");
	fish_complete("mapiprof edit --dr");
	first_fields(tu_last.out);
	cr_assert_str_eq(tu_last.out, "--dry-run\n");
	fish_complete("mapiprof timeline --format ");
	first_fields(tu_last.out);
	cr_assert(has_line(tu_last.out, "bodyfile") && has_line(tu_last.out, "jsonl"), "%s",
	          tu_last.out);
	fish_complete("mapiprof apply cached-mode-o");
	first_fields(tu_last.out);
	cr_assert(has_line(tu_last.out, "cached-mode-on") &&
	              has_line(tu_last.out, "cached-mode-off"),
	          "%s", tu_last.out);
	char *hive = tu_fixture("exchange-mapi.dat");
	char line[4096];
	snprintf(line, sizeof(line), "mapiprof show %s --profile Pe", hive);
	fish_complete(line);
	first_fields(tu_last.out);
	cr_assert_str_eq(tu_last.out, "Personal\n");
	free(hive);
}

/* Completes the words (the last one being completed) with
 * completions/_mapiprof in a zsh that finds the built mapiprof on its
 * PATH.  The completion system's own functions are stood in for by ones
 * that print what the script offers, one per line: _describe the names of
 * its "name:description" array, compadd its candidates, _files
 * "<files>"; so what is checked is the script's use of "mapiprof
 * complete", not zsh's menu. */
static void
zsh_complete(const char *const *words, size_t n)
{
	static const char stubs[] =
	    "_describe() { local -a a; a=(\"${(@P)${@[-1]}}\"); print -rl -- \"${(@)a%%:*}\" }\n"
	    "compadd() { print -rl -- \"${(@)@[${@[(i)--]}+1,-1]}\" }\n"
	    "_files() { print -r -- '<files>' }\n"
	    "fpath=($1 $fpath); path=($2 $path)\n"
	    "autoload -Uz _mapiprof\n"
	    "words=(\"${(@)argv[3,-1]}\"); CURRENT=$#words\n"
	    "_mapiprof\n";
	char *script = tu_tmp_write("zsh-complete", stubs, sizeof(stubs) - 1);
	char bindir[4096];
	snprintf(bindir, sizeof(bindir), "%.*s", (int)(strrchr(MP_CLI, '/') - MP_CLI), MP_CLI);
	char *argv[32] = {(char *)"/usr/bin/zsh",
	                  (char *)"-f",
	                  script,
	                  (char *)MP_SOURCE_DIR "/completions",
	                  bindir,
	                  (char *)"mapiprof"};
	size_t k = 6;
	for (size_t i = 0; i < n && k < 31; i++)
		argv[k++] = (char *)words[i];
	argv[k] = NULL;
	tu_run_free(&tu_last);
	cr_assert_eq(tu_run(argv, &tu_last), 0);
	cr_assert_eq(tu_last.status, 0, "zsh: %s", tu_last.err);
	free(script);
}

Test(cli_help, zsh_completion_completes)
{
	NOT_A_WINDOWS_SHELL("zsh");
	if (!tu_exists("/usr/bin/zsh"))
		cr_skip_test("zsh is not installed");
	const char *cmd[] = {"li"};
	zsh_complete(cmd, 1);
	cr_assert_str_eq(tu_last.out, "list\n");
	const char *opt[] = {"edit", "--dr"};
	zsh_complete(opt, 2);
	cr_assert_str_eq(tu_last.out, "--dry-run\n");
	const char *fmt[] = {"timeline", "--format", ""};
	zsh_complete(fmt, 3);
	cr_assert_str_eq(tu_last.out, "bodyfile\ntln\ncsv\njsonl\n");
	const char *rec[] = {"apply", "cached-mode-o"};
	zsh_complete(rec, 2);
	cr_assert(has_line(tu_last.out, "cached-mode-on") &&
	              has_line(tu_last.out, "cached-mode-off"),
	          "%s", tu_last.out);
	char *hive = tu_fixture("exchange-mapi.dat");
	const char *prof[] = {"show", hive, "--profile", "Pe"};
	zsh_complete(prof, 4);
	cr_assert_str_eq(tu_last.out, "Personal\n");
	/* A FILE operand goes to zsh's own file completion. */
	const char *file[] = {"list", hive};
	zsh_complete(file, 2);
	cr_assert_str_eq(tu_last.out, "<files>\n");
	free(hive);
}

/* The other shells' scripts: checked for syntax where the shell is here. */
Test(cli_help, completion_scripts_parse)
{
	char *bash[] = {"/bin/bash", "-n", MP_SOURCE_DIR "/completions/mapiprof.bash", NULL};
	struct tu_run r = {0};
	cr_assert_eq(tu_run(bash, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	int checked = 0;
	char *zsh[] = {"/usr/bin/zsh", "-n", MP_SOURCE_DIR "/completions/_mapiprof", NULL};
	char *fish[] = {"/usr/bin/fish", "-n", MP_SOURCE_DIR "/completions/mapiprof.fish", NULL};
	char **shells[] = {zsh, fish};
	for (size_t i = 0; i < 2; i++) {
		if (!tu_exists(shells[i][0]))
			continue;
		cr_assert_eq(tu_run(shells[i], &r), 0);
		cr_assert_eq(r.status, 0, "%s: %s", shells[i][0], r.err);
		tu_run_free(&r);
		checked++;
	}
	if (checked < 2)
		cr_log_info("zsh or fish not installed: only the bash script was parsed");
}

/* ---- the examples of the help run ------------------------------------------ */

/* The example command lines of a help text ("  mapiprof ..." after
 * "examples:", "\" continuing a line), as one shell script. */
static char *
help_examples(const char *help)
{
	const char *p = strstr(help, "\nexamples:\n");
	cr_assert_not_null(p);
	p += 11;
	size_t len = strcspn(p, "\0");
	const char *end = strstr(p, "\n\n");
	if (end != NULL)
		len = (size_t)(end - p) + 1;
	return strndup(p, len);
}

Test(cli_help, the_examples_of_edit_and_apply_run)
{
	char *hive = tu_fixture("exchange-mapi.dat");
	char *target = tu_tmp_path("NTUSER.DAT");
	const char *cmds[] = {"edit", "apply"};
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(tu_copy(hive, target), 0);
		TU_CLI_EXPECT(0, cmds[i], "--help");
		char *script = help_examples(tu_last.out);
		cr_assert_not_null(strstr(script, "NTUSER.DAT"));
		/* The program tested (mapiprof.exe under Wine too) as
		 * "mapiprof" on PATH, in the temporary directory. */
		char *dir = tu_tmp_path("bin");
		mkdir(dir, 0700);
		char *link = tu_tmp_path("bin/mapiprof");
		if (!tu_exists(link))
			cr_assert_eq(symlink(tu_cli_program(), link), 0, "%s", link);
		free(link);
		char *argv[] = {"/bin/sh", "-ec",  "cd \"$1\"; PATH=\"$2:$PATH\"; eval \"$3\"",
		                "sh",      tu_tmp, dir,
		                script,    NULL};
		struct tu_run r = {0};
		cr_assert_eq(tu_run(argv, &r), 0);
		cr_assert_eq(r.status, 0, "%s examples: %s\n%s", cmds[i], script, r.err);
		cr_assert_not_null(strstr(r.out, "PR_PROFILE_"), "%s", r.out);
		tu_run_free(&r);
		free(dir);
		free(script);
	}
	/* The last example wrote the home server through a recipe file. */
	tu_assert_get("global", "PR_PROFILE_HOME_SERVER", target, "EXCH02");
	free(target);
	free(hive);
}

/* ---- meson install --------------------------------------------------------- */

/* The file under root whose path ends in suffix, malloc'd, or NULL. */
static char *
find_under(const char *root, const char *suffix)
{
	char *argv[] = {"/usr/bin/find", (char *)root, "-type", "f", NULL};
	struct tu_run r = {0};
	cr_assert_eq(tu_run(argv, &r), 0);
	char *found = NULL;
	size_t n = strlen(suffix);
	for (char *p = r.out; *p != '\0' && found == NULL;) {
		char *e = strchr(p, '\n');
		size_t len = (size_t)(e - p);
		if (len >= n && strncmp(e - n, suffix, n) == 0)
			found = strndup(p, len);
		p = e + 1;
	}
	tu_run_free(&r);
	return found;
}

Test(cli_help, meson_install_puts_the_scripts_where_each_shell_looks)
{
	TU_SKIP_ON_WINDOWS("meson install of the native build's scripts: nothing of the Windows "
	                   "build");
#ifndef MP_MESON
	cr_skip_test("meson was not found when the build was configured");
#else
	char *dest = tu_tmp_path("destdir");
	char *argv[] = {MP_MESON,       "install", "-C",     MP_BUILD_ROOT,
	                "--no-rebuild", "--quiet", "--tags", "completions",
	                "--destdir",    dest,      NULL};
	struct tu_run r = {0};
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "meson install: %s%s", r.out, r.err);
	tu_run_free(&r);
	const char *where[][2] = {
	    {"/bash-completion/completions/mapiprof", "mapiprof.bash"},
	    {"/share/zsh/site-functions/_mapiprof", "_mapiprof"},
	    {"/share/fish/vendor_completions.d/mapiprof.fish", "mapiprof.fish"},
	};
	for (size_t i = 0; i < 3; i++) {
		char *got = find_under(dest, where[i][0]);
		cr_assert_not_null(got, "nothing installed as ...%s", where[i][0]);
		char src[512];
		snprintf(src, sizeof(src), "%s/completions/%s", MP_SOURCE_DIR, where[i][1]);
		char *a = tu_read(got, NULL), *b = tu_read(src, NULL);
		cr_assert_str_eq(a, b, "%s differs from %s", got, src);
		free(a);
		free(b);
		free(got);
	}
	free(dest);
#endif
}
