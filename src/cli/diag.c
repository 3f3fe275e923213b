/* diag.c - the one printer of diagnostics (as libarchive_fe/lafe_err.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "diag.h"
#include "escape.h"
#include "exitcode.h"

static void vdiag(const char *where, const char *fmt, va_list ap) DIAG_PRINTF(2, 0);

static void
vdiag(const char *where, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (msg != NULL)
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	fflush(stdout);
	fputs("mapiprof: ", stderr);
	if (where != NULL) {
		esc_fputs(where, stderr);
		fputs(": ", stderr);
	}
	if (msg == NULL || esc_fputs(msg, stderr) != 0)
		fputs("out of memory", stderr);
	fputc('\n', stderr);
	free(msg);
}

void
diag(const char *where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(where, fmt, ap);
	va_end(ap);
}

int
diag_usage(const char *cmd, const char *fmt, ...)
{
	if (fmt != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vdiag(cmd, fmt, ap);
		va_end(ap);
	}
	usage_print(stderr, cmd);
	return EXIT_USAGE;
}
