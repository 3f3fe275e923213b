/* exitcode.h - the exit statuses of mapiprof(1), one table for every command
 * (the worst one wins, as bsdtar's delayed error exit; documented in
 * man/mapiprof.1 EXIT STATUS). */
#ifndef MP_CLI_EXITCODE_H
#define MP_CLI_EXITCODE_H

enum cli_exit {
	EXIT_OK = 0,     /* success */
	EXIT_ERROR = 1,  /* a file could not be read, or what was asked is absent */
	EXIT_USAGE = 2,  /* bad command line: command, option, selector, PROP, code page */
	EXIT_CHANGE = 3, /* check mode: a change would be made (later write commands) */
	EXIT_UNSAFE = 4, /* refused as unsafe (later write commands) */
};

/* The worse of two statuses: the larger one, so one failing file among
 * many still makes the whole run fail. */
static inline int
exit_worst(int a, int b)
{
	return a > b ? a : b;
}

#endif
