/* diag.h - the one printer of diagnostics: "mapiprof: FILE: message" on
 * stderr, one line, escaped (as libarchive_fe/lafe_err.c and tar's
 * safe_fprintf). */
#ifndef MP_CLI_DIAG_H
#define MP_CLI_DIAG_H

#if defined(__MINGW32__)
/* MinGW's C99 printf (__USE_MINGW_ANSI_STDIO, cross/), as in base/ctx.h. */
#define DIAG_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define DIAG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DIAG_PRINTF(a, b)
#endif

/* "mapiprof: WHERE: message" (WHERE a file or a command name; omitted when
 * NULL).  The whole line after "mapiprof: " goes through esc_text(), so a
 * hostile name or a newline can neither break the line nor reach the
 * terminal raw. */
void diag(const char *where, const char *fmt, ...) DIAG_PRINTF(2, 3);
/* A usage error: diag(cmd, ...) when fmt is not NULL, then the synopsis of
 * cmd (or of every command when cmd is NULL).  Returns EXIT_USAGE. */
int diag_usage(const char *cmd, const char *fmt, ...) DIAG_PRINTF(2, 3);

#endif
