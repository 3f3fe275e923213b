/* help.c - the per-command help (help.h), made from the command table so
 * that it always lists what the command takes. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "help.h"

/* Help lines are wrapped to this width where the words allow. */
#define HELP_WIDTH 79

/* "-e, --edit EDIT", "    --backup[=SUFFIX]", "-o PATH" into buf. */
static size_t
option_left(const struct cli_option *o, char *buf, size_t size)
{
	char s[8] = "    ";
	if (o->short_name != 0)
		snprintf(s, sizeof(s), "-%c%s", o->short_name, o->name != NULL ? ", " : "");
	int n;
	if (o->name == NULL)
		n = snprintf(buf, size, "%s%s%s", s, o->arg != NULL ? " " : "",
		             o->arg != NULL ? o->arg : "");
	else if (o->arg == NULL)
		n = snprintf(buf, size, "%s--%s", s, o->name);
	else
		n = snprintf(buf, size, o->arg_optional ? "%s--%s[=%s]" : "%s--%s %s", s, o->name,
		             o->arg);
	return n < 0 ? 0 : (size_t)n;
}

static size_t
options_width(const struct cli_option *const *opts, size_t width)
{
	char buf[128];
	for (size_t i = 0; opts != NULL && opts[i] != NULL; i++) {
		size_t n = option_left(opts[i], buf, sizeof(buf));
		if (n > width)
			width = n;
	}
	return width;
}

/* text after a column of width col, wrapped at blanks. */
static void
print_wrapped(FILE *f, const char *text, size_t col)
{
	size_t room = HELP_WIDTH > col + 20 ? HELP_WIDTH - col : 20;
	while (strlen(text) > room) {
		size_t cut = room;
		while (cut > 0 && text[cut] != ' ')
			cut--;
		if (cut == 0)
			break;
		fprintf(f, "%.*s\n%*s", (int)cut, text, (int)col, "");
		text += cut + 1;
	}
	fprintf(f, "%s\n", text);
}

static void
print_options(FILE *f, const struct cli_option *const *opts, size_t width)
{
	char buf[128];
	for (size_t i = 0; opts != NULL && opts[i] != NULL; i++) {
		option_left(opts[i], buf, sizeof(buf));
		fprintf(f, "  %-*s  ", (int)width, buf);
		print_wrapped(f, opts[i]->help, width + 4);
	}
}

static void
print_option_block(FILE *f, const char *title, const struct cli_option *const *opts)
{
	size_t width = options_width(common_options, options_width(opts, 0));
	fprintf(f, "\n%s:\n", title);
	print_options(f, opts, width);
	print_options(f, common_options, width);
}

void
help_print(FILE *f, const char *cmd)
{
	const struct command *c = command_of(cmd);
	if (c == NULL) {
		usage_print(f, NULL);
		return;
	}
	const char *subname = cmd + strcspn(cmd, " ");
	const struct subcommand *only = subname[0] == ' ' ? command_sub(c, subname + 1) : NULL;
	fprintf(f, "usage: mapiprof %s\n%s\n", c->synopsis,
	        only != NULL ? only->summary : c->summary);
	if (c->nsubs > 0 && only == NULL) {
		fprintf(f, "\nsubcommands:\n");
		for (size_t i = 0; i < c->nsubs; i++)
			fprintf(f, "  %-10s%s\n", c->subs[i].name, c->subs[i].summary);
	}
	char title[64];
	for (size_t i = 0; i < c->nsubs; i++) {
		const struct subcommand *s = &c->subs[i];
		if (s->options == NULL || (only != NULL && s != only))
			continue;
		snprintf(title, sizeof(title), "options of %s %s", c->name, s->name);
		print_option_block(f, title, s->options);
	}
	if (c->options != NULL)
		print_option_block(f, "options", c->options);
	if (c->details != NULL)
		fprintf(f, "\n%s", c->details);
}
