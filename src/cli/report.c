/* report.c - a failing file is reported twice: one diagnostic line on
 * stderr, and in JSON mode one error object as its line on stdout. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "exitcode.h"
#include "out_json.h"
#include "report.h"

const char *
report_code(enum mapiprof_error e)
{
	switch (e) {
	case MAPIPROF_E_NONE:
		return "none";
	case MAPIPROF_E_NOMEM:
		return "no_memory";
	case MAPIPROF_E_IO:
		return "io";
	case MAPIPROF_E_NOENT:
		return "not_found";
	case MAPIPROF_E_ISDIR:
		return "is_directory";
	case MAPIPROF_E_FORMAT:
		return "format";
	case MAPIPROF_E_TRUNCATED:
		return "truncated";
	case MAPIPROF_E_CHECKSUM:
		return "checksum";
	case MAPIPROF_E_NOPROFILES:
		return "no_profiles";
	case MAPIPROF_E_NOPROFILE:
		return "no_profile";
	case MAPIPROF_E_SELECTOR:
		return "selector";
	case MAPIPROF_E_PROPSPEC:
		return "propspec";
	case MAPIPROF_E_NOPROP:
		return "no_property";
	case MAPIPROF_E_CODEPAGE:
		return "codepage";
	case MAPIPROF_E_LIMIT:
		return "limit";
	case MAPIPROF_E_INVALID:
		return "invalid";
	case MAPIPROF_E_EDIT:
		return "edit";
	case MAPIPROF_E_RECIPE:
		return "recipe";
	case MAPIPROF_E_NOSECTION:
		return "no_section";
	case MAPIPROF_E_UNSAFE:
		return "unsafe";
	case MAPIPROF_E_VERIFY:
		return "verify";
	case MAPIPROF_E_BUSY:
		return "busy";
	}
	return "error";
}

/* The diagnostic, then the JSON line. */
static void
emit(const struct run *r, const char *path, const char *code, const char *msg)
{
	diag(path, "%s", msg);
	if (!r->json)
		return;
	json_t *o = json_object();
	int bad = o == NULL;
	if (!bad) {
		bad |= oj_set(o, "file", oj_string(path));
		bad |= oj_set(o, "error", oj_string(msg));
		bad |= oj_set(o, "code", json_string(code));
	}
	if (bad || oj_emit(o) != 0) {
		if (bad)
			json_decref(o);
		diag(path, "out of memory");
	}
}

int
report_lib(const struct run *r, const char *path)
{
	enum mapiprof_error e = mapiprof_errcode(r->ctx);
	const char *msg = mapiprof_errmsg(r->ctx);
	emit(r, path, report_code(e), msg[0] != '\0' ? msg : "unknown error");
	mapiprof_clear_error(r->ctx);
	if (e == MAPIPROF_E_SELECTOR || e == MAPIPROF_E_PROPSPEC || e == MAPIPROF_E_CODEPAGE)
		return EXIT_USAGE;
	/* Another writer holds the file's lock: refused, as unsafe to write. */
	return e == MAPIPROF_E_BUSY ? EXIT_UNSAFE : EXIT_ERROR;
}

int
report_fail(const struct run *r, const char *path, const char *code, const char *fmt, ...)
{
	va_list ap, cp;
	va_start(ap, fmt);
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (msg != NULL)
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	emit(r, path, code, msg != NULL ? msg : "out of memory");
	free(msg);
	return EXIT_ERROR;
}

int
report_usage(const struct run *r, const char *path, const char *code, const char *msg)
{
	if (r->json)
		emit(r, path, code, msg);
	else
		diag(r->cmd, "%s", msg);
	usage_print(stderr, r->cmd);
	return EXIT_USAGE;
}

struct mapiprof_ctx *
report_ctx_new(void)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	if (ctx == NULL)
		diag(NULL, "out of memory");
	return ctx;
}
