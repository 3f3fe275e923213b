/* main.h - what main.c offers the commands: the synopsis lines of its one
 * command table (style-anchors.md §5.9). */
#ifndef MP_CLI_MAIN_H
#define MP_CLI_MAIN_H

#include <stdio.h>

/* Prints "usage: mapiprof SYNOPSIS" for cmd, or one line per command when
 * cmd is NULL or unknown (later lines indented to align). */
void usage_print(FILE *f, const char *cmd);

#endif
