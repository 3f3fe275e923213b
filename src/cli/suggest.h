/* suggest.h - "did you mean" for a mistyped command. */
#ifndef MP_CLI_SUGGEST_H
#define MP_CLI_SUGGEST_H

/* Reports name as an unknown command, with the nearest command when one is
 * near and a pointer to "mapiprof help" (no usage block: the list would
 * bury the hint).  Returns EXIT_USAGE. */
int suggest_command(const char *name);

#endif
